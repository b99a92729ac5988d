"""Issue 18, items 1 and 2 in Chromium, as a partner goes through them: edit a session,
edit an enrolment, withdraw a candidate (each with one refusal on the way)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.sessions.models import ExamSession, Registration
from tests.conftest import assert_accessible, browser_login


@pytest.fixture
def enrolled(make_org, make_user, make_session, make_registration):
    partner = make_org("partner", referent_centre=make_org("cel"), name="Langues Plus")
    admin = make_user("partner", org=partner)
    session = make_session(partner, written_date=clock.today_paris() + dt.timedelta(days=10),
                           name="Anglais B1 — groupe", domain="Tourisme")
    candidate = make_user("candidate", org=partner, password=None, first_name="Inès",
                          last_name="Lefevre", email="ines@example.fr")
    registration = make_registration(session, candidate=candidate, first_name="Inès",
                                     last_name="Lefevre", birth_date=dt.date(1991, 5, 4))
    return admin, session, registration


def _kinds() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def _from_candidate_page(page, enrolled, link: str) -> Registration:
    """Log in as the partner and follow `link` from the candidate's page."""
    admin, _session, registration = enrolled
    browser_login(page, admin)
    page.goto(f"/suivi/candidats/{registration.candidate_id}")
    page.get_by_role("link", name=link).click()
    return registration


def _no_console_errors(page) -> None:
    # A refused form answers 422 on purpose (Chromium logs it): anything else is an error.
    assert [e for e in page.console_errors if "status of 422" not in e] == []


@pytest.mark.browser
def test_partner_edits_a_session_in_the_browser(page, enrolled):
    admin, session, _registration = enrolled
    browser_login(page, admin)
    page.goto(f"/sessions/{session.id}")
    page.get_by_role("link", name="Modifier la session").click()
    expect(page.get_by_role("heading", name="Modifier la session")).to_be_visible()
    assert_accessible(page, "edit session")

    page.fill("#written_date", (clock.today_paris() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#written_date-error")).to_contain_text("ne peut pas être passée")
    expect(page.locator("#written_date")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "edit session error")

    new_day = clock.today_paris() + dt.timedelta(days=17)
    page.fill("#written_date", new_day.isoformat())
    page.select_option("#domain", "Santé")
    page.select_option("#target_level", "B2")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator(".flash-success")).to_contain_text("Session modifiée.")
    expect(page.locator(".flash-success")).to_contain_text("1 candidat(s) prévenu(s) par e-mail.")
    closes = new_day + dt.timedelta(days=29)
    expect(page.locator("dl.facts")).to_contain_text(f"au {closes:%d/%m/%Y} (30 jours)")
    expect(page.locator("#enrolled-list")).to_contain_text("B2")
    assert_accessible(page, "session after edit")
    db.session.expire_all()
    assert db.session.get(ExamSession, session.id).written_date == new_day
    assert _kinds() == ["session-changed"]
    _no_console_errors(page)


@pytest.mark.browser
def test_partner_edits_an_enrolment_in_the_browser(page, enrolled):
    registration = _from_candidate_page(page, enrolled, "Modifier l'inscription")
    expect(page.get_by_role("heading", name="Modifier l'inscription de Inès LEFEVRE")).to_be_visible()
    expect(page.locator("#email")).to_have_value("ines@example.fr")
    assert_accessible(page, "edit enrolment")

    page.select_option("#funding", "cpf")
    page.fill("#training_hours", "5")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#training_hours-error")).to_contain_text("au moins 7 heures")
    assert_accessible(page, "edit enrolment error")

    page.fill("#training_hours", "12")
    page.fill("#last_name", "Lefèvre")
    page.fill("#email", "ines.lefevre@example.fr")
    page.check("input[name=target_level][value=B2]")
    page.check("input[name=accommodations][value=extra_time]")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator(".flash-success")).to_contain_text("Inscription modifiée.")
    expect(page.get_by_role("heading", name="Inès LEFÈVRE", exact=True)).to_be_visible()
    card = page.locator("section.registration")
    expect(card).to_contain_text("B2")
    expect(card).to_contain_text("12,0 h — CPF")
    expect(card).to_contain_text("en attente de décision du CEL")
    expect(page.locator("dl.facts").first).to_contain_text("ines.lefevre@example.fr")
    assert_accessible(page, "candidate after edit")
    assert _kinds() == ["login-email-changed"]
    saved = db.session.get(Registration, registration.id)
    assert (saved.target_level, saved.last_name, saved.candidate.email) == (
        "B2", "Lefèvre", "ines.lefevre@example.fr")
    _no_console_errors(page)


@pytest.mark.browser
def test_partner_withdraws_a_candidate_in_the_browser(page, enrolled):
    registration = _from_candidate_page(page, enrolled, "Retirer le candidat")
    expect(page.get_by_role("heading", name="Retirer Inès LEFEVRE de la session")).to_be_visible()
    assert_accessible(page, "withdraw")

    page.get_by_label("Autre").check()
    page.get_by_role("button", name="Retirer le candidat").click()
    expect(page.locator("#note-error")).to_contain_text("Précisez le motif du retrait")
    assert_accessible(page, "withdraw error")
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == "enrolled"

    page.get_by_label("Précisions").fill("Déménagement à l'étranger")
    page.get_by_role("button", name="Retirer le candidat").click()
    expect(page.locator(".flash-success")).to_contain_text("est retiré(e) de la session")
    card = page.locator("section.registration")
    expect(card).to_contain_text("Retirée")
    expect(card).to_contain_text("motif : Autre (Déménagement à l'étranger)")
    expect(page.get_by_role("link", name="Retirer le candidat")).to_have_count(0)
    assert_accessible(page, "candidate withdrawn")

    page.goto("/suivi/")
    step = page.locator(".pipeline-step.status-withdrawn")
    expect(step).to_contain_text("1")
    step.click()
    expect(page.locator("#candidate-total")).to_have_text("1")
    assert_accessible(page, "dashboard withdrawn")
    assert sorted(_kinds()) == ["withdrawal", "withdrawal-partner"]
    _no_console_errors(page)
