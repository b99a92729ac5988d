"""The whole oral journey in Chromium: the candidate books, the assessor scores and validates."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.models import OralBooking
from tests.conftest import assert_accessible, browser_login

REPORT = ("Entretien fluide : le candidat présente son poste avec précision et développe ses "
          "réponses. Mise en situation bien menée, reformulations pertinentes. Quelques "
          "erreurs de temps et d'accord, sans gêne pour la compréhension. Prononciation claire "
          "et intonation naturelle ; interaction active pendant la discussion.")


@pytest.mark.browser
def test_candidate_books_then_assessor_scores(page, make_assessor, make_registration, make_slot):
    now = clock.now().replace(second=0, microsecond=0)
    assessor = make_assessor(("en",))
    registration = make_registration("en", written_date=clock.today_paris() - dt.timedelta(days=2),
                                     written_done_at=now - dt.timedelta(days=1),
                                     domain="Tourisme")
    start = services.paris_to_utc(clock.today_paris() + dt.timedelta(days=3), dt.time(10))
    slot = make_slot(assessor, start)
    make_slot(assessor, start + dt.timedelta(minutes=30))

    browser_login(page, registration.candidate)
    page.goto(f"/oral/reservation?semaine={services.week_start(clock.today_paris() + dt.timedelta(days=3))}")
    assert_accessible(page, "booking calendar")
    page.get_by_role("link", name=re.compile("10:00 – 10:30")).click()
    page.get_by_text("Voulez-vous sélectionner un créneau").wait_for()
    assert_accessible(page, "booking confirmation")
    page.get_by_role("button", name="Réserver").click()
    page.get_by_role("heading", name="Rendez-vous pris avec un évaluateur").wait_for()
    assert page.get_by_role("link", name="Modifier le RDV").is_visible()
    assert_accessible(page, "booked")
    page.get_by_role("button", name="Confirmer et quitter").click()
    page.wait_for_load_state("networkidle")
    booking = db.session.scalar(db.select(OralBooking))
    assert booking.slot_id == slot.id

    # An hour before the oral, the grid is shown but cannot be filled in.
    clock.set_now(start - dt.timedelta(hours=1))
    page.context.clear_cookies()
    browser_login(page, assessor)
    page.goto(f"/evaluateur/oraux/{booking.id}")
    page.get_by_text(re.compile("ouvre au début du créneau")).wait_for()
    assert page.get_by_role("button", name="Enregistrer la présence").is_disabled()
    assert_accessible(page, "scoring form before the start")

    # The oral starts: the assessor opens the grid two minutes after the start.
    clock.set_now(start + dt.timedelta(minutes=2))
    page.goto(f"/evaluateur/oraux?jour={(start.astimezone(clock.PARIS).date()).isoformat()}")
    assert_accessible(page, "assessor day")
    page.get_by_role("link", name=re.compile("Ouvrir la grille")).click()
    page.get_by_role("heading", name=re.compile("Identité et présence")).wait_for()
    assert_accessible(page, "scoring form (attendance)")
    page.get_by_label("Oui").check()
    page.get_by_label("Présent", exact=True).check()
    page.get_by_role("button", name="Enregistrer la présence").click()
    page.get_by_role("heading", name="2. Grille d'évaluation").wait_for()
    levels = {"range": "B1", "accuracy": "B1-", "fluency": "B1", "pronunciation": "B1+",
              "interaction": "B2-"}
    for criterion, level in levels.items():
        page.locator(f"#crit-{criterion}").select_option(level)
    page.locator("#desc-interaction").get_by_text("B2-").wait_for()
    page.locator("#report").fill(REPORT)
    page.locator("#autosave-status").get_by_text(re.compile(r"Enregistré à \d\d:\d\d")).wait_for()
    assert_accessible(page, "scoring form (grid)")
    page.get_by_role("button", name="Valider la grille").click()
    page.get_by_text(re.compile("Grille validée le")).wait_for()
    assert_accessible(page, "validated grid")
    assert page.locator("#grid-form").count() == 0
    db.session.expire_all()
    outcome = services.oral_outcome(booking.registration)
    assert outcome.criteria == levels and outcome.taken

    # The candidate's page now says the oral took place, with nothing to change.
    page.context.clear_cookies()
    browser_login(page, booking.registration.candidate)
    page.goto("/oral/reservation")
    page.get_by_text(re.compile("Votre entretien oral a eu lieu le")).wait_for()
    assert page.get_by_role("link", name="Modifier le RDV").count() == 0
    assert_accessible(page, "oral done (candidate)")
    # No CSP violation or script error (the favicon 404 is not ours).
    errors = page.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors
