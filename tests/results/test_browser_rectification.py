"""Chromium: a referent rectifies a misspelt first name from the candidate's page; the
certificate is reissued and /verify of the old number sends to the new one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cloe_portal.extensions import db
from cloe_portal.results.models import Certificate
from tests.conftest import assert_accessible, browser_login
from tests.results.factories import publish_one as publish
from tests.results.factories import with_identity
from tests.results.test_rectification import EVIDENCE

pytestmark = pytest.mark.browser


def test_referent_rectifies_a_first_name_and_the_certificate_is_reissued(
        page, make_ready, world, tmp_path):
    reg = make_ready(score=42, criterion="B1-", last_name="Durand")
    with_identity(reg, first_names="Camile")
    old_number = publish(world, reg).certificate.number
    evidence = tmp_path / "acte-de-naissance.pdf"
    evidence.write_bytes(EVIDENCE)

    browser_login(page, world.referent)
    page.goto(f"/suivi/candidats/{reg.candidate_id}")
    page.get_by_role("link", name="Rectifier l'état civil").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(old_number).first.is_visible()
    assert_accessible(page, "rectification form")
    page.get_by_label("Prénom(s)").fill("Camille")
    page.get_by_label("Motif de la rectification").fill("Prénom mal orthographié à l'inscription")
    page.get_by_label("Justificatif (PDF, PNG ou JPEG, 5 Mo au plus)").set_input_files(evidence)
    page.get_by_role("button", name="Rectifier et rééditer les documents").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("État civil rectifié").is_visible()
    assert_accessible(page, "rectification done")

    db.session.expire_all()
    new_number = db.session.scalar(select(Certificate.number).where(
        Certificate.revoked_at.is_(None)))
    assert new_number != old_number
    page.goto(f"/verify/{old_number}")
    assert page.get_by_text("Ce certificat a été remplacé").is_visible()
    assert_accessible(page, "verify replaced")
    page.get_by_role("link", name=new_number).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Certificat authentique").is_visible()
    assert page.get_by_text("Camille DURAND").is_visible()
    assert page.console_errors == []
