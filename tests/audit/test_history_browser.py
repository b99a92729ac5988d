"""Reading a candidate's history in Chromium, as its centre's referent and as its partner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_login


@pytest.mark.browser
def test_referent_and_partner_read_the_candidates_history(page, journey):
    browser_login(page, journey.referent)
    page.goto(f"/jury/candidat/{journey.registration.id}")
    assert_accessible(page, "jury review")
    page.get_by_role("link", name="Historique du candidat").click()
    history = page.get_by_role("region", name="Historique")
    expect(history).to_be_visible()
    lines = history.get_by_role("listitem")
    expect(lines.first).to_contain_text(
        "Le 20/02/2026 à 10:00 — Candidat inscrit : session « Anglais mars 2026 »")
    expect(history).to_contain_text(
        "Décision du jury : Résultat validé, niveau global B1, certificat, par Julien MOREAU")
    expect(history).to_contain_text("avec David THOMPSON")
    expect(lines.last).to_contain_text("Certificat délivré")
    assert_accessible(page, "candidate history (referent)")

    page.get_by_role("button", name="Se déconnecter").click()
    browser_login(page, journey.partner_admin)
    page.goto("/suivi/")
    assert_accessible(page, "partner dashboard")
    page.get_by_role("link", name="Camille DURAND").first.click()
    history = page.get_by_role("region", name="Historique")
    expect(history).to_contain_text(
        "Accès au test écrit prolongé : +5 jours, par le centre référent. "
        "Motif : Hospitalisation du candidat.")
    expect(history).to_contain_text("Oral réservé : oral du 04/03/2026 à 10:00, "
                                    "par le candidat.")
    expect(history).not_to_contain_text("Décision du jury")
    expect(history).not_to_contain_text("THOMPSON")
    assert_accessible(page, "candidate history (partner)")
    assert page.console_errors == []  # type: ignore[attr-defined]
