"""Each of the 5 demo roles logs in through Chromium and sees its dashboard (axe-checked)."""

from __future__ import annotations

import pytest

from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("role", "email"), DEMO_LOGINS)
def test_demo_role_logs_in_and_sees_dashboard(page, demo_data, role, email, tmp_path):
    page.goto("/login")
    assert_accessible(page, "login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.is_visible()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    shot = tmp_path / f"dashboard-{role}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    assert_accessible(page, f"dashboard of {role}")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_wrong_password_shows_french_error(page, demo_data):
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(DEMO_LOGINS[2][1])
    page.get_by_label("Mot de passe").fill("pas-le-bon-2026")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().strip().startswith("Adresse e-mail ou mot de passe")
    assert_accessible(page, "login error")
