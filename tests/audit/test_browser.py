"""Browser: a referent searches the audit log, pages through it and exports it (axe on every page)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def test_audit_log_search_pagination_and_csv_export(page, app, make_org, make_user, frozen_clock):
    now = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    cel = make_org("cel", name="CEL CCI Lyon")
    ours = make_org("partner", name="Lingua Pro Formation", referent_centre=cel)
    theirs = make_org("partner", name="Breizh Langues", referent_centre=make_org("cel"))
    referent = make_user("referent", org=cel, first_name="Claire", last_name="Martin")
    frozen_clock(now - timedelta(days=30))
    record(referent, "partner.suspend", ours, reason="Démarchage abusif",
           details={"from": "active", "to": "suspended"})
    record(None, "partner.suspend", theirs, reason="Hors de mon centre")
    frozen_clock(now - timedelta(days=2))
    for n in range(55):
        record(referent, "partner_audit.saved", ours, details={"conforming": n, "points": 12})
    frozen_clock(now)
    db.session.commit()

    browser_login(page, referent)
    page.get_by_role("link", name="Journal d'audit").click()
    page.wait_for_load_state("networkidle")
    assert "56 entrées" in page.inner_text("[role=status]")  # not the other centre's entry
    assert_accessible(page, "audit log")

    # The date inputs only let a browser send real dates: the mistake left is a reversed range.
    page.get_by_label("Du", exact=True).fill("2027-03-08")
    page.get_by_label("Au (inclus)").fill("2027-03-01")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#au-error") == "La date de fin doit suivre la date de début."
    assert "Aucune entrée." in page.inner_text("#journal-rows")
    assert_accessible(page, "audit log with a reversed date range")
    page.get_by_label("Au (inclus)").fill("")

    page.get_by_label("Du", exact=True).fill("2027-03-08")
    page.get_by_label("Action").select_option(label="Grille de l'audit de suivi enregistrée")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("networkidle")
    assert "55 entrées" in page.inner_text("[role=status]")
    assert "Page 1 / 2" in page.inner_text(".pager")
    page.get_by_role("link", name="Page suivante").click()  # htmx swaps the rows only
    page.locator(".pager", has_text="Page 2 / 2").wait_for()
    assert page.locator("#journal-rows tbody tr").count() == 5
    assert "page=2" in page.url and page.input_value("#du") == "2027-03-08"
    assert_accessible(page, "audit log, page 2")

    page.get_by_label("Du", exact=True).fill("")
    page.get_by_label("Action").select_option(label="Partenariat suspendu")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("networkidle")
    assert "1 entrée" in page.inner_text("[role=status]")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter ces entrées (CSV)").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Démarchage abusif" in lines[1] and "Hors de mon centre" not in content.decode()
    assert lines[1].startswith("08/02/2027 10:00;Claire MARTIN;Référent CEL;CEL CCI Lyon;Partenariat suspendu;")
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
