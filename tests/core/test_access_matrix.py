"""Every route declares who may use it; anonymous users and wrong roles are kept out.

Walks app.url_map, so routes added later are covered automatically.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from cloe_portal.accounts.models import ROLES

SKIP = {"static"}
KEEPS_SESSION = {"accounts.logout"}  # would end the walking session


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        yield rule


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]  # noqa: SLF001
        values[arg] = 999999 if isinstance(converter, IntegerConverter) else "x"
    from flask import url_for

    return url_for(rule.endpoint, **values)


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]


def test_every_route_declares_access(app):
    missing = [
        rule.endpoint
        for rule in _rules(app)
        if getattr(app.view_functions[rule.endpoint], "access", None) is None
    ]
    assert missing == [], f"routes without @public or @role_required: {missing}"


def test_anonymous_is_sent_to_login_on_every_protected_route(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    checked = 0
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint].access
        if access[0] == "public":
            continue
        with app.test_request_context():
            url = _url(rule)
        response = client.open(url, method=_method(rule))
        assert response.status_code == 302, (rule.endpoint, response.status_code)
        assert "/login" in response.headers["Location"], rule.endpoint
        htmx = client.open(url, method=_method(rule), headers={"HX-Request": "true"})
        assert htmx.status_code == 401, (rule.endpoint, "htmx", htmx.status_code)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("role", ROLES)
def test_wrong_roles_get_403_and_right_roles_no_error(app, make_user, role):
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["DEMO_CLOCK"] = True  # the demo clock page exists on non-production instances
    user = make_user(role)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": "Mot-de-passe-2026"})
    assert response.status_code == 303
    forbidden = allowed_pages = 0
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint].access
        if access[0] == "public" or rule.endpoint in KEEPS_SESSION:
            continue
        with app.test_request_context():
            url = _url(rule)
        method = _method(rule)
        response = client.open(url, method=method)
        if role not in access[1]:
            assert response.status_code == 403, (role, rule.endpoint, response.status_code)
            forbidden += 1
        else:
            assert response.status_code < 500, (role, rule.endpoint, response.status_code)
            if method == "GET" and not rule.arguments:
                assert response.status_code in (200, 302, 303), (role, rule.endpoint)
                allowed_pages += 1
    assert allowed_pages >= 1  # every role has at least its dashboard
    if role in ("partner", "assessor", "candidate"):
        assert forbidden >= 1  # at least the staff outbox is closed to them
