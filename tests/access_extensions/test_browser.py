"""In Chromium: a candidate whose booking period is over; the partner asks for an extension, the
referent grants fewer days than asked, and the candidate books a slot after the old deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.orals import services as orals
from cloe_portal.orals.models import OralBooking
from cloe_portal.rules.windows import add_calendar_months
from tests.conftest import assert_accessible, browser_login


def _no_script_errors(page) -> None:
    errors = page.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors


@pytest.mark.browser
def test_extension_asked_granted_then_the_candidate_books_later(page, world, make_assessor, make_slot):
    today = clock.today_paris()
    written = today - dt.timedelta(days=45)
    reg = world.registration(written_date=written, last_name="Lemaire")
    old_close = add_calendar_months(written, 1)  # the booking period ended ~two weeks ago
    slot_day = today + dt.timedelta(days=3)
    slot = make_slot(make_assessor(("en",)), orals.paris_to_utc(slot_day, dt.time(10)))
    needed = (slot_day - old_close).days + 2

    # The candidate cannot book any more.
    browser_login(page, reg.candidate)
    page.goto("/oral/reservation")
    expect(page.get_by_text(re.compile("La période de réservation est terminée"))).to_be_visible()
    assert_accessible(page, "booking closed (candidate)")

    # The partner asks for more days than needed from the candidate's record.
    page.context.clear_cookies()
    browser_login(page, world.admin_a)
    page.goto(f"/suivi/candidats/{reg.candidate_id}")
    expect(page.get_by_text(re.compile("Réservation de l'oral close depuis le"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Demander une prolongation")).click()
    expect(page.get_by_role("heading", name="Demander une prolongation d'accès")).to_be_visible()
    assert_accessible(page, "extension request form")
    page.get_by_label(re.compile("Réservation de l'oral \\(jusqu'à")).check()
    page.get_by_label("Nombre de jours supplémentaires").fill("95")
    page.get_by_label("Motif").fill("Candidat hospitalisé trois semaines, bulletin reçu.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator("#days-error")).to_contain_text("entre 1 et 90")
    assert_accessible(page, "extension request refused")
    page.get_by_label("Nombre de jours supplémentaires").fill(str(needed + 10))
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande de prolongation envoyée au centre référent")).to_be_visible()
    expect(page.get_by_text(re.compile(f"{needed + 10} j demandés"))).to_be_visible()

    # The referent finds it on its home page and grants fewer days.
    page.context.clear_cookies()
    browser_login(page, world.referent)
    page.goto("/reseau/accueil")
    card = page.locator("section", has=page.get_by_role("heading", name=re.compile("Prolongations à décider")))
    card.get_by_role("link", name=re.compile("LEMAIRE")).click()
    expect(page.get_by_role("heading", name=re.compile("Prolongation : Réservation de l'oral"))).to_be_visible()
    assert_accessible(page, "extension decision form")
    page.get_by_label("Accorder").check()
    page.get_by_label("Jours accordés").fill(str(needed))
    page.get_by_label("Commentaire").fill("Accordé jusqu'à la fin de la semaine prochaine.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("Décision enregistrée"))).to_be_visible()
    assert_accessible(page, "extension queue")

    # The candidate books a slot after the old deadline.
    page.context.clear_cookies()
    browser_login(page, reg.candidate)
    page.goto(f"/oral/reservation?semaine={orals.week_start(slot_day)}")
    page.get_by_role("link", name=re.compile("10:00 – 10:30")).click()
    page.get_by_role("button", name="Réserver").click()
    page.get_by_role("heading", name="Rendez-vous pris avec un évaluateur").wait_for()
    assert_accessible(page, "booked after the extension")
    booking = db.session.scalar(db.select(OralBooking))
    assert booking.slot_id == slot.id and slot_day > old_close
    _no_script_errors(page)
