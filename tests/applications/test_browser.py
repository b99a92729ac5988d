"""Browser: an organisation applies on the public form, then a referent audits it (axe on each page)."""

from __future__ import annotations

import re

import pytest

from cloe_portal.extensions import db
from tests.conftest import assert_accessible, browser_login

from .conftest import PDF, PNG, application_fields

pytestmark = pytest.mark.browser


def test_public_application_then_referent_audit(page, app, make_org, make_user):
    cel = make_org("cel", name="CEL CCI Lyon")
    referent = make_user("referent", org=cel, email="ref.browser@cel.fr")
    db.session.commit()

    page.goto("/candidature-partenaire")
    assert_accessible(page, "public application form")
    fields = application_fields()
    for name, value in fields.items():
        if name.startswith(("charter_", "human_led", "teaching_formats", "foreign_call_centre")):
            continue
        page.fill(f"#{name}", value)
    page.check("#teaching_formats-0")
    page.check("#teaching_formats-2")
    page.check("#human_led")
    for n in range(1, 11):
        page.check(f"#charter_{n}")
    # First a mistake: a PNG renamed .pdf is refused beside its field, typed answers are kept.
    bad = {"name": "qualiopi.pdf", "mimeType": "application/pdf", "buffer": PNG}
    good = {"name": "doc.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.set_input_files("#qualiopi", bad)
    for name in ("programme", "establishment", "agreement"):
        page.set_input_files(f"#{name}", good)
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_load_state("networkidle")
    assert "ne correspond pas" in page.locator("#qualiopi-error").inner_text()
    assert page.input_value("#org_name") == fields["org_name"]
    assert page.is_checked("#charter_7")
    assert page.get_by_text("Pièces jointes à sélectionner de nouveau").is_visible()
    assert_accessible(page, "application form with errors")

    for name in ("qualiopi", "programme", "establishment", "agreement"):
        page.set_input_files(f"#{name}", good)
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_load_state("networkidle")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"CLOE-AP-\d{4}-\d{4}", reference)
    assert_accessible(page, "application sent")

    browser_login(page, referent)
    assert "/reseau/accueil" in page.url
    assert_accessible(page, "referent home")
    page.get_by_role("link", name=fields["org_name"]).first.click()
    page.wait_for_load_state("networkidle")
    assert reference in page.inner_text("h1")
    assert_accessible(page, "application page")
    for box in page.locator(".audit-grid input[type=checkbox]").all():
        box.check()
    page.fill("#note_positioning", "Processus de positionnement rigoureux.")
    page.get_by_label("Favorable", exact=True).check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Avis enregistré" in page.inner_text(".flashes")
    assert "Avis favorable du CEL référent" in page.inner_text(".history")
    assert page.get_by_role("button", name="Enregistrer la décision").is_visible()
    assert_accessible(page, "application awaiting the commission")
    # The 422 of the refused upload (and the favicon) are network messages, not script errors.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
