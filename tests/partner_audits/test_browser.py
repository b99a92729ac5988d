"""Browser: a referent goes from the home's list of audits due to a recorded outcome (axe on
every page)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.partner_audits.models import PartnerAudit
from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def test_follow_up_audit_from_the_home_to_its_outcome(page, app, make_org, make_user, frozen_clock):
    frozen_clock(datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
    cel = make_org("cel", name="CEL CCI Lyon")
    partner = make_org("partner", name="Lingua Pro Formation", referent_centre=cel)
    partner.listed_at = datetime(2025, 4, 20, 10, 0, tzinfo=UTC)
    db.session.commit()
    referent = make_user("referent", org=cel)
    make_user("partner", org=partner, email="admin@linguapro.fr")

    browser_login(page, referent)
    card = page.locator("section", has=page.locator("#h-audits-suivi"))
    assert "prévu le 20/04/2027" in card.inner_text()
    assert_accessible(page, "referent home with an audit due")
    card.get_by_role("link", name="Lingua Pro Formation").click()
    page.wait_for_load_state("networkidle")
    assert "Prochain audit prévu le 20/04/2027" in page.locator("section", has=page.locator("#audits")).inner_text()
    assert_accessible(page, "partner page before the audit")
    page.get_by_role("button", name="Ouvrir un audit de suivi").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Audit de suivi de Lingua Pro Formation").is_visible()
    assert_accessible(page, "open audit")

    boxes = page.locator(".audit-grid input[type=checkbox]").all()
    assert len(boxes) == 12  # the accreditation checklist
    for box in boxes[1:]:
        box.check()
    page.fill("#note_size_seniority", "Deux formateurs ont quitté l'organisme.")
    page.get_by_label("Actions correctives demandées").check()
    page.get_by_label("Date de l'audit").fill("2027-03-08")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Décrivez les actions correctives attendues." in page.inner_text("#actions-error")
    assert "Indiquez l'échéance" in page.inner_text("#actions_deadline-error")
    assert page.is_checked("#ok_offer_quality") and not page.is_checked("#ok_size_seniority")
    assert_accessible(page, "audit with errors")

    page.get_by_label("Actions correctives attendues").fill("Recruter un formateur d'anglais.")
    page.get_by_label("Échéance des actions").fill("2027-06-30")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Audit clos : actions correctives demandées. Prochain audit le 30/06/2027" in page.inner_text(".flashes")
    assert "Prochain audit prévu le 30/06/2027" in page.content()
    assert "Audit de suivi : actions correctives demandées" in page.inner_text(".history")
    assert_accessible(page, "partner page after the audit")
    page.get_by_role("link", name="Voir l'audit du 08/03/2027").click()
    page.wait_for_load_state("networkidle")
    assert "Recruter un formateur d'anglais." in page.content()
    assert page.locator("form.audit-form").count() == 0  # read-only once closed
    assert_accessible(page, "closed audit")

    audit = db.session.scalars(db.select(PartnerAudit)).one()
    assert (audit.status, audit.outcome) == ("closed", "actions_required")
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "partner-audit")).one()
    assert mail.to_email == "admin@linguapro.fr"
    # The 422 of the refused form (and the favicon) are network messages, not script errors.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
