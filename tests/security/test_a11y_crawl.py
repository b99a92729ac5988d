"""Accessibility crawl: every page reachable from each demo role's pages passes axe-core
(RGAA-tagged rules, no serious or critical violation) and logs no CSP violation."""

from __future__ import annotations

import pytest

from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.conftest import assert_accessible, csrf_token
from tests.crawl import crawl

pytestmark = pytest.mark.browser

PAGES_PER_ROLE = 30
RGAA_CHECKED: set[str] = set()


@pytest.fixture
def demo(demo_data):
    return demo_data


def _html_pages(app, email: str) -> list[str]:
    client = app.test_client()
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    pages = crawl(client, "/", limit=PAGES_PER_ROLE * 3)
    html = []
    for url, status in pages.items():
        if status != 200:
            continue
        response = client.get(url)
        if "text/html" in response.headers.get("Content-Type", ""):
            html.append(url)
    return html[:PAGES_PER_ROLE]


@pytest.mark.parametrize(("role", "email"), DEMO_LOGINS)
def test_every_page_of_a_role_is_accessible(app, demo, page, role, email):
    urls = _html_pages(app, email)
    assert len(urls) >= 2, f"{role}: the crawl found too few pages: {urls}"
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{role} {url}")
    csp = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp == [], f"{role}: CSP violations: {csp}"


def test_public_pages_are_accessible(app, demo, page):
    for url in ("/login", "/password/forgot", "/partenaires", "/candidature-partenaire", "/verify"):
        response = page.goto(url)
        if response.status == 404:
            continue
        assert_accessible(page, url)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
