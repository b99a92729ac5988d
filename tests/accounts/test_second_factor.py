"""Second factor (TOTP) for staff (issue 17, point 8; OWASP ASVS 4.0 V2.7-V2.8).

Enrolment shows a QR code and the secret and needs one right code; the recovery codes are
shown once. With TOTP on, a right password only opens the code page: the person is not
logged in until a code (or an unused recovery code) is given. In production, referents and
coordinators cannot reach anything before they have enrolled.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from cloe_portal.accounts.models import RecoveryCode, User, UserSession
from cloe_portal.accounts.services import password_link
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_token

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def secret_on(html: str) -> str:
    """The base32 secret printed on the enrolment page (grouped by four)."""
    match = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html)
    assert match, "the enrolment page shows the secret"
    return match.group(1).replace(" ", "")


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r'<li><code class="recovery-code">([a-z2-9-]+)</code></li>', html)


def code(secret: str, at: dt.datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at, counter_offset=steps)


def enrol(client, path: str = "/compte/double-authentification", at: dt.datetime = NOW):  # noqa: ANN001, ANN201
    """Enrol through the pages: (secret, recovery codes)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    secret = secret_on(page.get_data(as_text=True))
    done = client.post(path, data={"code": code(secret, at), "csrf_token": csrf_token(client, path)})
    assert done.status_code == 200, done.get_data(as_text=True)[:400]
    codes = recovery_codes_on(done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def password_step(client, user: User, password: str = PASSWORD):  # noqa: ANN001, ANN201
    return client.post("/login", data={"email": user.email, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def code_step(client, value: str):  # noqa: ANN001, ANN201
    return client.post("/login/code", data={"code": value,
                                            "csrf_token": csrf_token(client, "/login")})


@pytest.fixture
def enrolled(app, make_user, login, frozen_clock):
    """An assessor who enrolled through the pages, then logged out."""
    frozen_clock(NOW)
    user = make_user("assessor")
    browser = app.test_client()
    login(user, test_client=browser)
    secret, codes = enrol(browser)
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/compte")})
    frozen_clock.advance(dt.timedelta(minutes=2))
    return user, secret, codes


def test_enrolment_shows_a_qr_code_and_needs_one_right_code(app, client, make_user, login,
                                                            frozen_clock):
    frozen_clock(NOW)
    user = make_user("assessor")
    login(user)
    account = client.get("/compte").get_data(as_text=True)
    assert "/compte/double-authentification" in account
    page = client.get("/compte/double-authentification").get_data(as_text=True)
    assert re.search(r'<img [^>]*src="data:image/svg\+xml', page)
    secret = secret_on(page)
    assert len(secret) >= 32
    token = csrf_token(client, "/compte/double-authentification")
    wrong = client.post("/compte/double-authentification", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 422
    assert re.search(r'class="error" id="code-error">[^<]*Code incorrect', wrong.get_data(as_text=True))
    assert secret_on(wrong.get_data(as_text=True)) == secret  # same secret, try again
    db.session.expire_all()
    assert not db.session.get(User, user.id).totp_enabled

    done = client.post("/compte/double-authentification",
                       data={"code": code(secret, NOW), "csrf_token": token})
    assert done.status_code == 200
    codes = recovery_codes_on(done.get_data(as_text=True))
    assert len(set(codes)) == 10
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_enabled
    stored = list(db.session.scalars(db.select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not set(codes) & {c for h in stored for c in codes if c in h}
    assert db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "account.second_factor_enabled")).one().object_id == user.id
    again = client.get("/compte/double-authentification", follow_redirects=True).get_data(as_text=True)
    assert not recovery_codes_on(again)  # shown once


def test_a_right_password_alone_does_not_log_in(app, client, enrolled):
    user, secret, _codes = enrolled
    response = password_step(client, user)
    assert response.status_code == 303 and response.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302
    assert client.get("/compte").status_code == 302
    assert db.session.scalar(db.select(db.func.count(UserSession.id)).where(
        UserSession.revoked_at.is_(None))) == 0
    wrong = code_step(client, "123456")
    assert wrong.status_code == 422 and "Code incorrect" in wrong.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    ok = code_step(client, code(secret, NOW + dt.timedelta(minutes=2)))
    assert ok.status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_a_code_is_accepted_once(app, client, enrolled):
    user, secret, _codes = enrolled
    value = code(secret, NOW + dt.timedelta(minutes=2))
    password_step(client, user)
    assert code_step(client, value).status_code == 303
    other = app.test_client()
    password_step(other, user)
    assert code_step(other, value).status_code == 422


def test_a_recovery_code_works_once_only(app, enrolled):
    user, _secret, codes = enrolled
    first = app.test_client()
    password_step(first, user)
    assert code_step(first, codes[3].upper().replace("-", " ")).status_code == 303
    assert first.get("/dashboard").status_code == 200
    second = app.test_client()
    password_step(second, user)
    assert code_step(second, codes[3]).status_code == 422
    assert second.get("/dashboard").status_code == 302
    assert code_step(second, codes[4]).status_code == 303
    used = db.session.scalar(db.select(db.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)))
    assert used == 2
    assert "8" in first.get("/compte").get_data(as_text=True)  # codes left shown


def test_wrong_codes_lock_the_account_like_passwords(app, client, enrolled):
    user, secret, _codes = enrolled
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    password_step(client, user)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        code_step(client, "000000")
    response = code_step(client, code(secret, NOW + dt.timedelta(minutes=2)))
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302
    again = password_step(client, user)
    assert again.status_code == 401 and "verrouillé" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "account-locked", OutboxMessage.to_email == user.email)) == 1


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(app, client, enrolled):
    user, _secret, _codes = enrolled
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        password_step(client, user)  # a fresh pending login each time
        code_step(client, "000000")
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


def test_the_code_step_is_rate_limited(app, client, enrolled):
    user, _secret, _codes = enrolled
    password_step(client, user)
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    statuses = [code_step(client, "000000").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_a_pending_login_expires_and_needs_the_password_first(app, client, enrolled,
                                                             frozen_clock):
    user, secret, _codes = enrolled
    response = client.get("/login/code")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    password_step(client, user)
    frozen_clock.advance(dt.timedelta(minutes=11))
    late = code_step(client, code(secret, frozen_clock.advance(dt.timedelta(0))))
    assert late.status_code in (302, 303) and late.headers["Location"].endswith("/login")
    assert client.get("/dashboard").status_code == 302


def test_a_password_reset_does_not_skip_the_second_factor(app, client, enrolled):
    user, secret, _codes = enrolled
    with app.test_request_context():
        path = password_link(user, "reset").removeprefix(app.config["BASE_URL"])
    token = csrf_token(client, path)
    response = client.post(path, data={"password": "Nouveau-mdp-2026", "confirm": "Nouveau-mdp-2026",
                                       "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302
    assert code_step(client, code(secret, NOW + dt.timedelta(minutes=2))).status_code == 303
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("role", ["referent", "coordinator"])
def test_in_production_referents_and_coordinators_must_enrol_first(app, client, make_user,
                                                                    frozen_clock, role):
    frozen_clock(NOW)
    app.config["PRODUCTION"] = True
    user = make_user(role)
    response = password_step(client, user)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login/double-authentification")
    for path in ("/dashboard", "/reseau/accueil", "/compte", "/jury/"):
        assert client.get(path).status_code == 302, path
    secret, _codes = enrol(client, "/login/double-authentification")
    assert client.get("/dashboard", follow_redirects=True).status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/compte")})
    assert password_step(client, user).headers["Location"].endswith("/login/code")
    assert code_step(client, code(secret, NOW, steps=1)).status_code == 303


def test_in_production_a_first_login_link_also_leads_to_enrolment(app, client, make_user,
                                                                  frozen_clock):
    frozen_clock(NOW)
    app.config["PRODUCTION"] = True
    user = make_user("referent", password=None)
    with app.test_request_context():
        path = password_link(user, "welcome").removeprefix(app.config["BASE_URL"])
    token = csrf_token(client, path)
    response = client.post(path, data={"password": "Nouveau-mdp-2026", "confirm": "Nouveau-mdp-2026",
                                       "csrf_token": token})
    assert response.headers["Location"].endswith("/login/double-authentification")
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("role", ["assessor", "partner"])
def test_in_production_assessors_and_partners_may_go_without(app, client, make_user, role):
    app.config["PRODUCTION"] = True
    user = make_user(role)
    assert password_step(client, user).status_code == 303
    assert client.get("/dashboard", follow_redirects=True).status_code == 200


def test_candidates_are_not_offered_a_second_factor(app, client, make_user, login):
    login(make_user("candidate"))
    assert "/compte/double-authentification" not in client.get("/compte").get_data(as_text=True)
    assert client.get("/compte/double-authentification").status_code == 403


def test_staff_reset_a_lost_second_factor_and_it_is_audited(app, client, make_org, make_user,
                                                           login, frozen_clock):
    frozen_clock(NOW)
    centre = make_org("cel")
    referent = make_user("referent", org=centre)
    assessor = make_user("assessor", org=centre)
    browser = app.test_client()
    login(assessor, test_client=browser)
    enrol(browser)
    login(referent)
    page = client.get(f"/evaluateurs/{assessor.id}").get_data(as_text=True)
    assert f"/comptes/{assessor.id}/double-authentification/reinitialiser" in page
    token = csrf_token(client, f"/evaluateurs/{assessor.id}")
    no_reason = client.post(f"/comptes/{assessor.id}/double-authentification/reinitialiser",
                            data={"csrf_token": token, "reason": " "})
    assert no_reason.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, assessor.id).totp_enabled
    response = client.post(f"/comptes/{assessor.id}/double-authentification/reinitialiser",
                           data={"csrf_token": token, "reason": "Téléphone perdu"})
    assert response.status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, assessor.id).totp_enabled
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == assessor.id)) == 0
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "account.second_factor_reset")).one()
    assert (entry.actor_id, entry.object_id, entry.reason) == (referent.id, assessor.id,
                                                              "Téléphone perdu")
    assert browser.get("/dashboard").status_code == 302  # sessions ended too
    fresh = app.test_client()
    assert password_step(fresh, assessor).status_code == 303
    assert fresh.get("/dashboard").status_code == 200


def test_a_referent_cannot_reset_the_second_factor_of_another_centre(app, client, make_org,
                                                                     make_user, login):
    assessor = make_user("assessor", org=make_org("cel"))
    login(make_user("referent", org=make_org("cel")))
    token = csrf_token(client, "/dashboard")
    response = client.post(f"/comptes/{assessor.id}/double-authentification/reinitialiser",
                           data={"csrf_token": token, "reason": "Essai"})
    assert response.status_code == 404


def test_optional_users_turn_it_off_with_a_code_production_staff_cannot(app, make_user, login,
                                                                        frozen_clock):
    frozen_clock(NOW)
    assessor = make_user("assessor")
    browser = app.test_client()
    login(assessor, test_client=browser)
    secret, _codes = enrol(browser)
    token = csrf_token(browser, "/compte")
    wrong = browser.post("/compte/double-authentification/desactiver",
                         data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 422
    ok = browser.post("/compte/double-authentification/desactiver",
                      data={"code": code(secret, NOW, steps=1), "csrf_token": token})
    assert ok.status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, assessor.id).totp_enabled

    app.config["PRODUCTION"] = True
    referent = make_user("referent")
    staff = app.test_client()
    password_step(staff, referent)
    secret, _codes = enrol(staff, "/login/double-authentification")
    token = csrf_token(staff, "/compte")
    assert "desactiver" not in staff.get("/compte").get_data(as_text=True)
    refused = staff.post("/compte/double-authentification/desactiver",
                         data={"code": code(secret, NOW, steps=1), "csrf_token": token})
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, referent.id).totp_enabled


@pytest.mark.parametrize("typed", ["１２３４５６", "١٢٣٤٥٦", "12345é", "\x00" * 6, "x" * 40])
def test_odd_codes_are_just_wrong(app, client, make_user, login, enrolled, typed):
    user, _secret, _codes = enrolled
    password_step(client, user)
    assert code_step(client, typed).status_code == 422
    login(make_user("partner"))
    page = "/compte/double-authentification"
    assert client.post(page, data={"code": typed, "csrf_token": csrf_token(client, page)}
                       ).status_code == 422
