"""Chromium, the appeal as the users live it: the candidate files it from its results page,
the referent gives the oral to a second assessor, who scores it blind, the jury decides and
signs a new PV, the candidate downloads the reissued certificate, and /verify of the old
number says it was replaced. axe finds no serious or critical issue on any page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from cloe_portal.extensions import db
from cloe_portal.results.models import Certificate
from tests.appeals.conftest import TEXT
from tests.conftest import assert_accessible, browser_login
from tests.results.browser_steps import jury_signs, jury_validates
from tests.results.factories import REPORT

pytestmark = pytest.mark.browser
CRITERIA = ("range", "accuracy", "fluency", "pronunciation", "interaction")


def logout(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("networkidle")


def test_candidate_appeals_second_assessor_remarks_jury_reissues(
        page, published, world, accredit, make_user):
    reg = published(target="B1", criterion="B1-", first_name="Élodie", last_name="Lefèvre")
    db.session.expire_all()
    old_number = db.session.scalar(select(Certificate.number))
    second = accredit(make_user("assessor", org=world.cel, first_name="Inès",
                                last_name="Second"))

    # 1. The candidate files the appeal from its results page.
    browser_login(page, reg.candidate)
    page.get_by_role("link", name="Mes résultats").first.click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "candidate results")
    page.get_by_role("link", name="Déposer un recours").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "appeal form")
    page.get_by_label("Déroulement de l'oral").check()
    page.get_by_label("Exposé du recours").fill(TEXT)
    page.get_by_role("button", name="Déposer le recours").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("déposé. Le centre l'instruit").is_visible()
    assert_accessible(page, "appeal followed by the candidate")
    logout(page)

    # 2. The referent gives the oral to a second accredited assessor.
    browser_login(page, world.referent)
    page.get_by_role("link", name="Recours", exact=True).first.click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "appeal queue")
    page.get_by_role("link", name="Recours n°").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("3. Oral").is_visible()
    assert_accessible(page, "appeal case")
    page.locator("#assign-assessor_id").select_option(label="Inès SECOND")
    page.locator("#assign-reason").fill("Déroulement contesté : seconde évaluation.")
    page.get_by_role("button", name="Confier l'oral au second évaluateur").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Oral confié au second évaluateur").is_visible()
    logout(page)

    # 3. The second assessor scores blind.
    browser_login(page, second)
    page.get_by_role("link", name="Secondes évaluations").first.click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "assessor's remarks")
    page.get_by_role("link", name="Élodie LEFÈVRE").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Évaluation à l'aveugle").is_visible()
    assert page.get_by_text(REPORT[:40]).count() == 0
    assert_accessible(page, "blind grid")
    for criterion in CRITERIA:
        page.locator(f"#crit-{criterion}").select_option("B2")
    page.locator("#report").fill(REPORT)
    page.get_by_role("button", name="Valider la grille").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Seconde évaluation validée").is_visible()
    assert_accessible(page, "blind grid validated")
    logout(page)

    # 4. The jury takes a new decision and signs a new PV.
    browser_login(page, world.referent)
    page.get_by_role("link", name="Jury").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Recours n°").first.is_visible()
    page.get_by_role("link", name="Élodie LEFÈVRE").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("le résultat publié est à réviser").is_visible()
    assert_accessible(page, "jury review on appeal")
    jury_validates(page)
    jury_signs(page)
    assert page.get_by_text("Procès-verbal n° 2 signé").is_visible()
    logout(page)

    # 5. The candidate downloads the new certificate; the old number says "replaced".
    db.session.expire_all()
    new_number = db.session.scalar(select(Certificate.number).where(
        Certificate.revoked_at.is_(None)))
    assert new_number != old_number
    browser_login(page, reg.candidate)
    page.goto("/resultats")
    assert page.get_by_text(new_number).is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Certificat CLOE").click()
    text = PdfReader(io.BytesIO(info.value.path().read_bytes())).pages[0].extract_text()
    assert new_number in text
    page.goto(f"/verify/{old_number}")
    assert page.get_by_text("Ce certificat a été remplacé").is_visible()
    assert_accessible(page, "verify replaced")
    page.get_by_role("link", name=new_number).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Certificat authentique").is_visible()
    assert page.console_errors == []
