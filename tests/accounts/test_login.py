"""Login, lock-out, rate limit, logout, first-login and reset links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cloe_portal.accounts.services import password_link
from cloe_portal.extensions import db
from tests.conftest import PASSWORD, csrf_token


def _post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def test_login_form_has_expected_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert 'for="email"' in html and 'for="password"' in html


def test_each_role_lands_on_its_dashboard(app, make_user, login, client):
    for role in ("coordinator", "referent", "partner", "assessor", "candidate"):
        user = make_user(role)
        c = app.test_client()
        response = login(user, test_client=c)
        assert response.status_code == 303
        page = c.get(response.headers["Location"], follow_redirects=True)
        assert page.status_code == 200
        assert user.first_name in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_french_message(client, make_user):
    user = make_user("partner")
    response = _post_login(client, user.email, "wrong-password-1")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures(app, client, make_user, frozen_clock):
    frozen_clock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    user = make_user("partner")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        _post_login(client, user.email, "wrong-password-1")
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert "verrouillé" in response.get_data(as_text=True)
    frozen_clock.advance(timedelta(minutes=app.config["LOCKOUT_MINUTES"] + 1))
    assert _post_login(client, user.email, PASSWORD).status_code == 303


def test_login_is_rate_limited(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = make_user("partner")
    codes = [_post_login(client, user.email, "wrong-password-1").status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_next_parameter_only_follows_local_paths(client, make_user):
    user = make_user("referent")
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert "evil.example" not in response.headers["Location"]


def test_logout_ends_the_session(client, make_user, login):
    user = make_user("assessor")
    login(user)
    assert client.get("/dashboard").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")})
    assert client.get("/dashboard").status_code == 302


def test_welcome_link_sets_password_once(app, client, make_user):
    user = make_user("candidate", password=None)
    with app.test_request_context():
        link = password_link(user, "welcome")
    path = link.removeprefix(app.config["BASE_URL"])
    page = client.get(path)
    assert page.status_code == 200
    token = csrf_token(client, path)
    weak = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert "Au moins 10 caractères" in weak.get_data(as_text=True)
    ok = client.post(path, data={"password": "Nouveau-mdp-2026", "confirm": "Nouveau-mdp-2026",
                                 "csrf_token": token})
    assert ok.status_code == 303
    reused = app.test_client().get(path)
    assert reused.status_code == 400
    assert "déjà été utilisé" in reused.get_data(as_text=True)


def test_reset_link_expires(app, client, make_user, frozen_clock):
    user = make_user("partner")
    with app.test_request_context():
        link = password_link(user, "reset")
    path = link.removeprefix(app.config["BASE_URL"])
    import itsdangerous.timed as timed

    real_now = timed.TimestampSigner.get_timestamp
    try:
        timed.TimestampSigner.get_timestamp = (
            lambda self: int(real_now(self)) + app.config["PASSWORD_TOKEN_MAX_AGE"] + 10
        )
        response = client.get(path)
    finally:
        timed.TimestampSigner.get_timestamp = real_now
    assert response.status_code == 400
    assert "expiré" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, client, make_user, login):
    from cloe_portal.accounts.services import set_password

    user = make_user("partner")
    login(user)
    assert client.get("/dashboard").status_code == 200
    set_password(user, "Encore-un-mdp-2026")
    db.session.commit()
    assert client.get("/dashboard").status_code == 302
