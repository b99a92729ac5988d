"""Every page has the strict CSP, and no page needs what the CSP blocks.

For each role (and anonymous visitors) every GET page of app.url_map without arguments is
fetched with the demo data, plus up to three pages per endpoint found by following links
(so pages with an object id are covered). Each HTML page must carry a Content-Security-Policy
without 'unsafe-inline'/'unsafe-eval', and its HTML must not contain an inline <script> with
content, an on…= event attribute or a style="…" attribute: the CSP would block them.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.conftest import csrf_token
from tests.fuzz import harness as h

ROLES = ("anonymous", "candidate", "partner", "assessor", "referent", "coordinator")


class _InlineFinder(HTMLParser):
    """Collect what a strict CSP (script-src/style-src 'self') would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict | None = None
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=\"{(value or '')[:40]}\"> style attribute")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=\"javascript:…\">")
        if tag == "script":
            self._script = dict(attrs)
            self._script_text = ""
        if tag == "style":
            self.problems.append("<style> element")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind = (self._script.get("type") or "").lower()
            # Data blocks (JSON read by static JS) are not executed: allowed.
            if self._script_text.strip() and kind not in ("application/json", "application/ld+json"):
                self.problems.append(f"inline <script>{self._script_text.strip()[:60]}…")
            if "src" not in self._script and not self._script_text.strip() and kind == "":
                self.problems.append("empty inline <script> without src")
            self._script = None


def inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_scanner_finds_what_the_csp_blocks():
    html = ('<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
            '<script src="/static/js/app.js" defer></script><a href="javascript:void(0)">b</a>'
            '<script type="application/json" id="data">{"a": 1}</script>')
    problems = inline_problems(html)
    assert len(problems) == 4, problems


@pytest.fixture
def demo(demo_data):
    return demo_data


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_a_strict_csp_and_no_inline_code(demo, role):
    client = demo.test_client()
    if role != "anonymous":
        token = csrf_token(client, "/login")
        assert client.post("/login", data={"email": dict(DEMO_LOGINS)[role], "password": DEMO_PASSWORD,
                                           "csrf_token": token}).status_code == 303
    adapter = demo.url_map.bind("localhost")

    def endpoint_of(url: str) -> str | None:
        try:
            return adapter.match(url.split("?")[0], method="GET")[0]
        except Exception:  # noqa: BLE001 - 404/405: a page of its own
            return None

    starts = ["/", "/dashboard"]
    for rule in demo.url_map.iter_rules():
        access = getattr(demo.view_functions[rule.endpoint], "access", None)
        if rule.arguments or "GET" not in rule.methods or access is None:
            continue
        if access[0] == "public" or (role != "anonymous" and role in access[1]):
            starts.append(rule.rule)
    pages = h.crawl_pages(client, starts, limit=160, endpoint_of=endpoint_of)
    problems: list[str] = []
    html_pages = 0
    for url, response in pages.items():
        csp = response.headers.get("Content-Security-Policy", "")
        if not csp:
            problems.append(f"{url}: no Content-Security-Policy header")
        elif "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append(f"{url}: CSP allows unsafe-inline/unsafe-eval: {csp}")
        if response.status_code != 200 or not h.is_html(response):
            continue
        html_pages += 1
        for problem in inline_problems(response.get_data(as_text=True)):
            problems.append(f"{url} ({endpoint_of(url)}): {problem}")
        # htmx fragments of the same page are scanned too.
        fragment = client.get(url, headers={"HX-Request": "true"})
        if fragment.status_code == 200 and h.is_html(fragment):
            for problem in inline_problems(fragment.get_data(as_text=True)):
                problems.append(f"{url} [htmx] ({endpoint_of(url)}): {problem}")
    assert html_pages >= 3
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems on {role}'s pages:\n" + "\n".join(unique[:40])
