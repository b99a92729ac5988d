"""A partner's whole journey in Chromium: session, htmx enrolment (one refusal), EDOF upload twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cloe_portal import clock
from tests.conftest import assert_accessible, browser_login

HEADER = ("NUMERO_DOSSIER;NOM;PRENOM;INTITULE;INTITULE_CERTIF;DATE_DEBUT_SESSION;DATE_FIN_SESSION\n")


def _fill_candidate(page, last, first, email, hours, cpf):
    page.fill("#last_name", last)
    page.fill("#first_name", first)
    page.fill("#email", email)
    page.fill("#birth_date", "1990-04-12")
    page.check("input[name=target_level][value=B1]")
    page.select_option("#funding", "cpf")
    page.fill("#training_hours", hours)
    page.fill("#cpf_file_number", cpf)
    page.get_by_role("button", name="Inscrire le candidat").click()


@pytest.mark.browser
def test_partner_creates_session_enrols_and_uploads_edof(page, make_user):
    admin = make_user("partner")
    browser_login(page, admin)
    expect(page.get_by_role("heading", name="Suivi des candidats")).to_be_visible()
    assert_accessible(page, "dashboard")

    page.goto("/sessions/new")
    assert_accessible(page, "new session")
    page.fill("#name", "Anglais B1 — groupe test")
    page.select_option("#language", "en")
    page.select_option("#domain", "Tourisme")
    written = clock.today_paris() + timedelta(days=3)
    page.fill("#written_date", written.isoformat())
    page.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_role("heading", name="Anglais B1 — groupe test")).to_be_visible()
    assert_accessible(page, "session detail")

    _fill_candidate(page, "Martin", "Julie", "julie.martin@example.fr", "20", "111")
    expect(page.locator("#enrolment .alert-success")).to_contain_text("Julie MARTIN est inscrit(e)")
    expect(page.locator("#enrolled-list")).to_contain_text("julie.martin@example.fr")

    _fill_candidate(page, "Durand", "Paul", "paul.durand@example.fr", "5", "222")
    error = page.locator("#training_hours-error")
    expect(error).to_contain_text("au moins 7 heures")
    expect(page.locator("#training_hours")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#enrolled-list")).not_to_contain_text("paul.durand@example.fr")
    assert_accessible(page, "enrolment error")
    page.fill("#training_hours", "12")
    page.get_by_role("button", name="Inscrire le candidat").click()
    expect(page.locator("#enrolled-list")).to_contain_text("paul.durand@example.fr")
    expect(page.get_by_role("heading", name="Candidats inscrits (2)")).to_be_visible()
    assert page.url.endswith(f"/sessions/{page.url.rsplit('/', 1)[1]}")  # never left the page

    page.goto("/edof/")
    assert_accessible(page, "edof")
    start = (clock.today_paris() - timedelta(days=40)).strftime("%d/%m/%Y")
    end = (clock.today_paris() - timedelta(days=1)).strftime("%d/%m/%Y")
    good = f"111;Martin;Julie;Anglais pro;CLOE;{start};{end}\n"
    bad = HEADER + good + f"222;Durand;Paul;Anglais pro;CLOE;{start};32/13/2026\n"
    month = clock.today_paris().strftime("%Y-%m")
    page.fill("#month", month)
    page.set_input_files("#file", files=[{"name": "edof.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="Importer l'extraction").click()
    expect(page.locator("#edof-problems")).to_contain_text("Ligne 3, colonne DATE_FIN_SESSION")
    assert_accessible(page, "edof problems")

    fixed = HEADER + good + f"222;Durand;Paul;Anglais pro;CLOE;{start};{end}\n"
    page.fill("#month", month)
    page.set_input_files("#file", files=[{"name": "edof.csv", "mimeType": "text/csv", "buffer": fixed.encode()}])
    page.get_by_role("button", name="Importer l'extraction").click()
    expect(page.locator(".flash-success")).to_contain_text("2 dossier(s), 2 rapproché(s)")
    assert_accessible(page, "upload detail")
    page.goto("/edof/")
    expect(page.locator("#rates .rate").first).to_have_text("0,0\u00a0%")
    expect(page.locator("#rates")).to_contain_text("edof.csv")
    # The refused upload answers 422 on purpose; anything else would be a script error.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
