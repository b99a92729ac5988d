"""Chromium: the referent reviews a candidate, validates, signs the PV; the candidate
downloads the attestation. axe finds no serious or critical issue on any page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.conftest import assert_accessible, browser_login
from tests.results.browser_steps import jury_signs, jury_validates

pytestmark = pytest.mark.browser


def test_referent_validates_signs_and_candidate_downloads(page, make_ready, world, app):
    reg = make_ready(target="B1", score=42, criterion="B1-", first_name="Élodie",
                     last_name="Lefèvre")
    candidate = reg.candidate
    browser_login(page, world.referent)
    page.get_by_role("link", name="Jury").first.click()
    assert_accessible(page, "jury queue")
    page.get_by_role("link", name="Élodie LEFÈVRE").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("attestation et Certificat CLOE").is_visible()
    assert_accessible(page, "review")
    jury_validates(page)
    assert page.get_by_text("Décision enregistrée").is_visible()
    assert_accessible(page, "PV draft")
    jury_signs(page)
    assert page.get_by_text("Procès-verbal n° 1 signé").is_visible()
    assert_accessible(page, "PV signed")
    page.goto("/resultats/registre")
    assert page.get_by_text("Registre intègre").is_visible()
    assert_accessible(page, "ledger")
    page.goto("/resultats/export-cdc")
    assert_accessible(page, "CDC export")
    page.get_by_role("button", name="Se déconnecter").click()

    browser_login(page, candidate)
    page.goto("/resultats")
    assert_accessible(page, "candidate results")
    with page.expect_download() as info:
        page.get_by_role("link", name="Attestation de résultats").click()
    pdf = info.value.path().read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Élodie LEFÈVRE" in text and "B1-" in text

    page.goto("/verify")
    assert_accessible(page, "verify form")
    number = _certificate_number(app)
    page.get_by_label("Numéro du certificat").fill(number)
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Certificat authentique").is_visible()
    assert_accessible(page, "verify result")


def _certificate_number(app) -> str:
    from sqlalchemy import select

    from cloe_portal.extensions import db
    from cloe_portal.results.models import Certificate

    db.session.expire_all()
    return db.session.scalar(select(Certificate.number))
