"""Hypothesis fuzz of every form and upload of the portal, logged in as each role.

For each role the demo data is loaded, the role's pages are crawled and every <form> found
(POST and GET, including htmx ones) is submitted with random and hostile values (100 kB
strings, NUL and control characters, RTL marks, HTML/script, SQL-ish strings, numbers for
text and text for numbers, missing and duplicated fields, impossible dates, wrong files) and
a valid CSRF token. POST routes of app.url_map that no page shows a form for are fuzzed with
generic fields. Then every role's pages are crawled again.

Invariants: never a 5xx nor an exception; no HTML page ever contains a raw
`<script>alert(1)</script>` (stored or reflected); a refused import (bulk enrolment, EDOF,
item bank JSON) leaves every table's row count unchanged; a 50 MB upload is a French 413;
no text column of any table holds a control, bidirectional or invisible character (the
NUL, ESC, RLO… sent by the fuzz were refused beside their field, never stored).

CLOE_FUZZ_EXAMPLES (default 15) sets the examples per form.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, RequestRedirect
from werkzeug.test import encode_multipart

from cloe_portal.extensions import db
from cloe_portal.rules.text import find_problem
from tests.fuzz import harness as h

EXAMPLES = int(os.environ.get("CLOE_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
ROLES = ("anonymous", "candidate", "partner", "assessor", "referent", "coordinator")
STAFF_ROLES = ("candidate", "partner", "assessor", "referent", "coordinator")

# Cases tried in this run (all tests of the module add to it; the last test prints it).
CASES: Counter = Counter()
ACCOUNTS = itertools.count(1)

# Routes that end the fuzzing session or are not forms.
NOT_FUZZED = {"accounts.logout", "static"}
IMPORTS = {"sessions.import_file", "edof.upload", "itembank.import_bank"}
GENERIC_NAMES = ["sequence", "timer", "kind", "verdict", "comment", "days", "reason", "status",
                 "active", "next", "late", "why", "report", "answer", "choice", "gap_0", "order",
                 "range", "accuracy", "fluency", "pronunciation", "interaction", "attendance",
                 "action", "decision", "level", "photo", "file", "id"]


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables}


def stored_text_problems() -> list[str]:
    """Every text cell of the database that holds a character the text cleaning refuses."""
    db.session.expire_all()
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, db.String):
                continue
            for value in db.session.scalars(db.select(column).where(column.is_not(None))):
                problem = find_problem(value, multiline=True) if isinstance(value, str) else None
                if problem is not None:
                    found.append(f"{table.name}.{column.name} holds {problem}: {value[:60]!r}")
    return found


def access_of(app, endpoint: str):  # noqa: ANN001, ANN201
    return getattr(app.view_functions.get(endpoint), "access", None)


def allowed(app, endpoint: str, role: str) -> bool:  # noqa: ANN001
    access = access_of(app, endpoint)
    if access is None:
        return False
    if access[0] == "public":
        return True
    return role != "anonymous" and role in access[1]


class Fuzzer:
    """One role's client, its forms and the failures found."""

    def __init__(self, app, role: str) -> None:  # noqa: ANN001
        self.app = app
        self.role = role
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.counter = [0]
        self.covered: set[str] = set()
        self.login()

    # -- session ---------------------------------------------------------------------------

    def login(self) -> None:
        if self.role != "anonymous":
            assert h.login_as(self.client, self.role), f"demo {self.role} cannot log in"
        self._token = None

    def token(self) -> str:
        if self._token is None:
            page = "/login" if self.role == "anonymous" else "/dashboard"
            html = self.client.get(page, follow_redirects=True).get_data(as_text=True)
            match = h.CSRF_META.search(html)
            assert match, f"no CSRF token on {page}"
            self._token = match.group(1)
        return self._token

    def still_logged_in(self) -> None:
        """Fuzzed forms may end the session (deactivate self, language…): log in again."""
        if self.role == "anonymous":
            return
        if self.client.get("/dashboard").status_code != 200:
            self.login()

    # -- discovery ---------------------------------------------------------------------------

    def start_pages(self) -> list[str]:
        pages = ["/", "/dashboard"]
        for rule in self.app.url_map.iter_rules():
            if rule.arguments or "GET" not in rule.methods or rule.endpoint in NOT_FUZZED:
                continue
            if allowed(self.app, rule.endpoint, self.role):
                pages.append(rule.rule)
        if self.role == "anonymous":
            pages.extend(self.password_pages())
        return pages

    def password_pages(self) -> list[str]:
        """First-login and reset links of throwaway accounts, so their forms are fuzzed too."""
        from cloe_portal.accounts.models import Organisation
        from cloe_portal.accounts.services import create_user, password_link

        org = db.session.scalars(db.select(Organisation).where(Organisation.kind == "partner")).first()
        links = []
        for purpose in ("welcome", "reset"):
            user = create_user(f"fuzz-{purpose}-{next(ACCOUNTS)}@example.fr", "candidate", "Fuzz",
                               "Test", org, None if purpose == "welcome" else "Mot-de-passe-2026")
            db.session.commit()
            with self.app.test_request_context():
                links.append(password_link(user, purpose).removeprefix(self.app.config["BASE_URL"]))
        return links

    def endpoint_of(self, url: str, method: str) -> tuple[str, dict] | None:
        try:
            return self.adapter.match(urlsplit(url).path, method=method.upper())
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None

    def endpoint_name(self, url: str) -> str | None:
        matched = self.endpoint_of(url, "GET")
        return matched[0] if matched else None

    def discover(self, limit: int = 150) -> tuple[list[h.Form], dict[str, object]]:
        pages = h.crawl_pages(self.client, self.start_pages(), limit=limit,
                              endpoint_of=self.endpoint_name)
        forms: dict[tuple, h.Form] = {}
        per_endpoint: Counter = Counter()
        for url, response in pages.items():
            self.check(response, "GET", url, {})
            if response.status_code != 200 or not h.is_html(response):
                continue
            for form in h.parse_forms(url, response.get_data(as_text=True)):
                matched = self.endpoint_of(form.action, form.method)
                if matched is None or matched[0] in NOT_FUZZED:
                    continue
                key = form.signature()
                # At most two instances of a form per endpoint (e.g. two sessions' enrolment).
                if key in forms or per_endpoint[(matched[0], key[2])] >= 2:
                    continue
                per_endpoint[(matched[0], key[2])] += 1
                forms[key] = form
                if form.method == "post":
                    self.covered.add(matched[0])
        return list(forms.values()), pages

    # -- checks ------------------------------------------------------------------------------

    def check(self, response, method: str, url: str, sent: object) -> None:  # noqa: ANN001
        CASES["requests"] += 1
        where = f"[{self.role}] {method} {url}"
        if response.status_code >= 500:
            raise AssertionError(f"{where} → {response.status_code} with {summary(sent)}")
        if h.is_html(response):
            html = response.get_data(as_text=True)
            for marker in h.RAW_MARKERS:
                if marker in html:
                    i = html.index(marker)
                    raise AssertionError(
                        f"{where} → unescaped {marker!r} in the page: …{html[max(0, i - 150):i + 60]!r}"
                        f" (sent {summary(sent)})")

    def send(self, method: str, url: str, pairs: list[tuple[str, object]], htmx: bool = False,
             multipart: bool = False, follow: bool = True):  # noqa: ANN201
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "get":
            sep = "&" if "?" in url else "?"
            query = urlencode([(k, v) for k, v in pairs if isinstance(v, str)])
            target = url.split("?")[0] + (sep + query if query else "")
            response = self.client.get(target[:60_000], headers=headers)
        else:
            data = MultiDict()
            for key, value in pairs:
                if isinstance(value, tuple):
                    content, name, mime = value
                    data.add(key, (io.BytesIO(content), name, mime))
                else:
                    data.add(key, value)
            kwargs = {"content_type": "multipart/form-data"} if multipart or any(
                isinstance(v, tuple) for _, v in pairs) else {}
            response = self.client.post(url, data=data, headers=headers, **kwargs)
        self.check(response, method.upper(), url, pairs)
        if follow and response.status_code in (302, 303):
            nxt = h.local_target(response.headers.get("Location", ""))
            if nxt and not nxt.startswith("/login"):
                self.check(self.client.get(nxt), "GET", nxt, f"(after {url})")
        return response

    # -- strategies ----------------------------------------------------------------------------

    def field_strategy(self, f: h.Field):  # noqa: ANN201
        if f.name == "csrf_token":
            return st.just(None)  # filled at send time with the session's token
        if f.kind == "file":
            single = h.file_values
        elif f.kind in ("select", "radio", "checkbox", "submit"):
            single = st.one_of(st.sampled_from(f.options or [f.value or ""]), h.hostile_text)
        elif f.kind == "hidden":
            single = st.one_of(st.just(f.value), h.hostile_text)
        else:
            single = st.one_of(st.builds(lambda: h.plausible_text(f.name, f.kind, f.value, self.counter)),
                               h.hostile_text)
        return st.one_of(single.map(lambda v: [v]), st.just([]),
                         st.lists(single, min_size=2, max_size=2))

    def plausible_pairs(self, form: h.Form, text_value: str | None = None) -> list[tuple[str, object]]:
        """Every field valid-looking; free-text fields get `text_value` when given."""
        pairs: list[tuple[str, object]] = []
        for f in form.fields.values():
            if f.name == "csrf_token":
                pairs.append((f.name, self.token()))
            elif f.kind == "file":
                name = f.name.lower()
                content = (h.PNG, "photo.png", "image/png") if "photo" in name else (
                    (h.PDF, "document.pdf", "application/pdf"))
                pairs.append((f.name, content))
            elif f.kind in ("select", "radio", "submit"):
                options = [o for o in f.options if o] or [f.value]
                pairs.append((f.name, options[-1] if f.kind == "select" and len(options) > 1 else options[0]))
            elif f.kind == "checkbox":
                pairs.append((f.name, f.options[0] if f.options else "y"))
            elif f.kind == "hidden":
                pairs.append((f.name, f.value))
            else:
                value = h.plausible_text(f.name, f.kind, f.value, self.counter)
                if text_value is not None and f.kind in ("text", "textarea", "search") and not re.search(
                        r"email|date|siret|postcode|postal|phone|url|site|cpf|hours|heures|password|confirm",
                        f.name.lower()):
                    value = text_value
                pairs.append((f.name, value))
        return pairs

    # -- fuzzing ---------------------------------------------------------------------------------

    def fuzz_form(self, form: h.Form) -> None:
        endpoint = (self.endpoint_of(form.action, form.method) or ("?",))[0]
        label = f"{form.method.upper()} {urlsplit(form.action).path} ({endpoint}, form on {form.page})"

        # 1. Valid-looking values with hostile free text: what gets stored is shown escaped;
        # control and bidi characters are refused, never stored (checked after the fuzz).
        for payload in (h.XSS_SCRIPT, h.XSS_IMG, "Dupont " + h.XSS_SCRIPT, *h.CONTROL_TEXTS):
            self.run(label, lambda p=payload: self.submit(form, self.plausible_pairs(form, p), endpoint))

        # 2. Random and hostile values, missing and duplicated fields.
        names = list(form.fields)
        strategy = st.fixed_dictionaries({n: self.field_strategy(form.fields[n]) for n in names})
        extra = st.lists(st.tuples(st.sampled_from(GENERIC_NAMES), h.hostile_text), max_size=2)

        @FUZZ
        @given(values=strategy, extra=extra, htmx=st.booleans())
        def case(values: dict, extra: list, htmx: bool) -> None:
            pairs: list[tuple[str, object]] = []
            for name, vals in values.items():
                if name == "csrf_token":
                    pairs.append((name, self.token()))
                    continue
                pairs.extend((name, v) for v in vals)
            pairs.extend(extra)
            self.submit(form, pairs, endpoint, htmx=htmx and form.htmx)

        self.run(label, case)

    def submit(self, form: h.Form, pairs: list, endpoint: str, htmx: bool = False) -> None:
        CASES["cases"] += 1
        CASES[f"role:{self.role}"] += 1
        before = row_counts() if endpoint in IMPORTS else None
        response = self.send(form.method, form.action, pairs, htmx=htmx, multipart=form.multipart)
        if before is not None and response.status_code in (400, 413, 422):
            after = row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, (f"[{self.role}] refused import {endpoint} ({response.status_code}) "
                                 f"changed row counts {changed} with {summary(pairs)}")
        self.still_logged_in()

    def fuzz_uncovered_posts(self, pages: dict[str, object]) -> None:
        """POST routes with no form on any page (fetch/htmx APIs, webhooks): generic fields."""
        seen_args: dict[str, set] = {}
        for url in pages:
            matched = self.endpoint_of(url, "GET")
            if matched:
                for arg, value in matched[1].items():
                    seen_args.setdefault(arg, set()).add(value)
        for rule in self.app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in NOT_FUZZED | self.covered:
                continue
            if not allowed(self.app, rule.endpoint, self.role):
                continue
            values = {}
            for arg in rule.arguments:
                known = sorted(seen_args.get(arg, set()), key=str)
                converter = rule._converters[arg]  # noqa: SLF001
                values[arg] = known[0] if known else (
                    1 if isinstance(converter, IntegerConverter) else "face")
            with self.app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **values)
            label = f"POST {url} ({rule.endpoint}, no form found: generic fields)"

            self.run(label, self.generic_case(url))

    def generic_case(self, url: str):  # noqa: ANN201
        @FUZZ
        @given(fields=st.lists(st.tuples(st.sampled_from(GENERIC_NAMES), h.hostile_text), max_size=5),
               body=st.one_of(st.none(), st.binary(max_size=256), h.file_contents),
               htmx=st.booleans())
        def case(fields: list, body: bytes | None, htmx: bool) -> None:
            CASES["cases"] += 1
            CASES[f"role:{self.role}"] += 1
            headers = {"X-CSRFToken": self.token()} | ({"HX-Request": "true"} if htmx else {})
            if body is not None:
                response = self.client.post(url, data=body, headers=headers,
                                            content_type="application/octet-stream")
            else:
                response = self.client.post(url, data=MultiDict(fields), headers=headers)
            self.check(response, "POST", url, fields if body is None else body[:60])
            self.still_logged_in()

        return case

    def run(self, label: str, fn) -> None:  # noqa: ANN001
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure is collected with its form
            self.failures.append(f"{label}:\n    {type(exc).__name__}: {str(exc)[:1500]}")
            db.session.rollback()
            self.client = self.app.test_client()
            self.login()

    def sweep(self) -> None:
        """Every role's pages once more: nothing stored by the fuzz is shown unescaped."""
        revive_demo_accounts()
        for role in STAFF_ROLES + ("anonymous",):
            other = Fuzzer(self.app, role)
            other.failures = self.failures
            pages = h.crawl_pages(other.client, other.start_pages(), limit=200,
                                  endpoint_of=other.endpoint_name, per_endpoint=4)
            for url, response in pages.items():
                other.run(f"sweep as {role}", lambda r=response, u=url, o=other: o.check(r, "GET", u, "sweep"))


def revive_demo_accounts() -> None:
    """The coordinator's fuzz may deactivate or lock demo accounts: open them again."""
    from cloe_portal.accounts.models import User

    db.session.rollback()
    for user in db.session.scalars(db.select(User).where(User.email.in_(h.DEMO_EMAILS.values()))):
        user.active = True
        user.locked_until = None
        user.failed_logins = 0
    db.session.commit()


def summary(sent: object) -> str:
    if isinstance(sent, list):
        parts = []
        for key, value in sent:
            if isinstance(value, tuple):
                value = f"<file {value[1]!r} {len(value[0])} bytes {value[0][:20]!r}>"
            elif isinstance(value, str) and len(value) > 60:
                value = value[:40] + f"…({len(value)} chars)"
            parts.append(f"{key}={value!r}")
        return "{" + ", ".join(parts) + "}"
    return repr(sent)[:300]


@pytest.fixture
def demo(demo_data):
    demo_data.config["MAIL_SERVER"] = ""
    return demo_data


@pytest.mark.parametrize("role", ROLES)
def test_every_form_survives_hostile_input(demo, role):
    fuzzer = Fuzzer(demo, role)
    forms, pages = fuzzer.discover()
    assert forms or role == "anonymous", f"no form found for {role}"
    for form in forms:
        fuzzer.fuzz_form(form)
    fuzzer.fuzz_uncovered_posts(pages)
    fuzzer.sweep()
    fuzzer.failures.extend(stored_text_problems())
    CASES[f"forms:{role}"] = len(forms)
    print(f"\n[fuzz] {role}: {len(forms)} forms, {len(fuzzer.covered)} POST endpoints with a form, "
          f"{CASES[f'role:{role}']} cases")
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:20]) + (
        f"\n… {len(fuzzer.failures)} failures in all" if len(fuzzer.failures) > 20 else "")


def test_zz_total_fuzz_cases(capsys):
    """Last of the module: the number of fuzz cases tried in this run."""
    total = CASES["cases"]
    detail = ", ".join(f"{k}={v}" for k, v in sorted(CASES.items()))
    with capsys.disabled():
        print(f"\n[fuzz] {total} fuzz cases tried ({CASES['requests']} requests checked): {detail}")
    assert total > 0 or not CASES, f"{total} fuzz cases tried"


@pytest.mark.parametrize("role", ("anonymous", "candidate", "partner", "referent"))
def test_a_50_mb_upload_is_a_clean_french_413_and_changes_nothing(demo, role):
    """Every form with a file field, sent 50 MB: the 413 page in French, nothing stored."""
    fuzzer = Fuzzer(demo, role)
    forms, _pages = fuzzer.discover()
    uploads = [f for f in forms if f.method == "post" and any(x.kind == "file" for x in f.fields.values())]
    assert uploads, f"no upload form found for {role}"
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    seen = set()
    for form in uploads:
        endpoint = fuzzer.endpoint_of(form.action, "post")[0]
        if endpoint in seen:
            continue
        seen.add(endpoint)
        pairs = [(n, v) if not isinstance(v, tuple) else (n, (big, "gros.pdf", "application/pdf"))
                 for n, v in fuzzer.plausible_pairs(form)]
        before = row_counts()
        # The body is encoded here so that the test client does not spool it to a temp file.
        fields = MultiDict()
        for name, value in pairs:
            fields.add(name, FileStorage(io.BytesIO(value[0]), filename=value[1], content_type=value[2])
                       if isinstance(value, tuple) else value)
        boundary, body = encode_multipart(fields)
        response = fuzzer.client.post(form.action, data=body,
                                      content_type=f"multipart/form-data; boundary={boundary}")
        CASES["cases"] += 1
        assert response.status_code == 413, (endpoint, response.status_code)
        body = response.get_data(as_text=True)
        assert "Fichier trop volumineux" in body and "Traceback" not in body, endpoint
        assert row_counts() == before, endpoint
