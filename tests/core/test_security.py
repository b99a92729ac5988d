"""CSRF, security headers, health check, error pages."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from cloe_portal.extensions import db


def test_post_without_csrf_token_is_refused_in_french(client, make_user):
    user = make_user("referent")
    response = client.post("/login", data={"email": user.email, "password": "Mot-de-passe-2026"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "jeton de sécurité" in body
    assert "Traceback" not in body


def test_post_with_csrf_token_works(client, make_user, csrf):
    user = make_user("referent")
    token = csrf("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": "Mot-de-passe-2026", "csrf_token": token}
    )
    assert response.status_code == 303


def test_htmx_post_sends_token_as_header(client, make_user, login, csrf):
    """The page's meta token, sent as X-CSRFToken (what static/js/app.js does), is accepted."""
    user = make_user("referent")
    login(user)
    token = csrf("/dashboard")
    refused = client.post("/lang/en", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post("/lang/en", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 303


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client, make_user, login):
    user = make_user("partner")
    response = login(user)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_404_page_is_french_and_leaks_nothing(client):
    response = client.get("/nope/nothing")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page introuvable" in body
    assert "werkzeug" not in body.lower()


def test_500_page_is_french_and_leaks_nothing(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("secret detail")

    boom.access = ("public",)
    monkeypatch.setitem(app.view_functions, "core.healthz", boom)
    response = client.get("/healthz")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Erreur interne" in body
    assert "secret detail" not in body


def test_upload_size_limit_answers_413_in_french(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_value_the_database_refuses_gives_a_french_400_not_a_500(client, make_user, login):
    """A NUL byte in a query (PostgreSQL refuses it in text) is bad input, not a crash."""
    login(make_user("referent"))
    response = client.get("/verify?number=ABC%00DEF")
    assert response.status_code in (200, 400)
    assert "Erreur interne" not in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200  # the session is usable afterwards


def test_numbers_too_large_for_the_database_are_not_a_500(client, make_user, make_org, login):
    """Found by the fuzz run: ?partner=<21 digits> raised OverflowError in SQLite's driver."""
    huge = "9" * 21
    login(make_user("referent", org=make_org("cel")))
    for url in (f"/amenagements/?partner={huge}", f"/amenagements/?partner={2**31}",
                f"/outbox/?page={huge}", f"/items/?page={huge}&band={huge}"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    # An id in the path beyond 32 bits matches no route: a plain 404, not a database error.
    response = client.get(f"/ecrit/referent/tentative/{huge}")
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)
