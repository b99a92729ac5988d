"""In Chromium: the partner asks an accommodation for an enrolled candidate; the referent grants
it from its queue; the partner's candidate record shows it granted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration
from tests.conftest import assert_accessible, browser_login


@pytest.mark.browser
def test_accommodation_asked_after_enrolment_and_granted(page, world):
    reg = world.registration(status="enrolled", written_date=clock.today_paris() + dt.timedelta(days=6),
                             last_name="Bonnet")
    browser_login(page, world.admin_a)
    page.goto(f"/suivi/candidats/{reg.candidate_id}")
    page.get_by_role("link", name=re.compile("Demander un aménagement")).click()
    expect(page.get_by_role("heading", name="Demander un aménagement")).to_be_visible()
    assert_accessible(page, "accommodation request form")
    page.get_by_label("Aménagement demandé").select_option("extra_time")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator("#details-error")).to_contain_text("Justifiez la demande")
    assert_accessible(page, "accommodation request refused")
    page.get_by_label("Justification").fill("Dyslexie : bilan orthophonique reçu le 2 mars.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande d'aménagement envoyée au centre référent")).to_be_visible()
    expect(page.get_by_text(re.compile("en attente de décision du CEL"))).to_be_visible()

    page.context.clear_cookies()
    browser_login(page, world.referent)
    page.goto("/reseau/accueil")
    card = page.locator("section", has=page.get_by_role("heading", name=re.compile("Aménagements à décider")))
    card.get_by_role("link", name=re.compile("BONNET")).click()
    expect(page.locator(".facts")).to_contain_text("Dyslexie : bilan orthophonique reçu le 2 mars.")
    assert_accessible(page, "accommodation decision")
    page.get_by_label("Accorder").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée.")).to_be_visible()

    page.context.clear_cookies()
    browser_login(page, world.admin_a)
    page.goto(f"/suivi/candidats/{reg.candidate_id}")
    expect(page.get_by_text(re.compile("Temps majoré d'un tiers.*accordé"))).to_be_visible()
    assert_accessible(page, "candidate record with the accommodation granted")
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).approved("extra_time")
    errors = page.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors
