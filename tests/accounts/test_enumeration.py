"""No account enumeration on public pages (issue 17, point 9; OWASP ASVS 4.0 V2.2.1, V3.x).

The login page answers the same for an unknown email, a wrong password and a locked account
(even given the right password); lock-out still applies and the owner hears of it by email.
"""

from __future__ import annotations

import datetime as dt
import re

from cloe_portal.accounts import passwords
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_token

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
UNKNOWN = "personne.inconnue@test.cloe.fr"


def attempt(client, email: str, password: str) -> tuple[int, str]:  # noqa: ANN001
    """(status, the alert's exact HTML) of one login attempt."""
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client, "/login")})
    alert = re.search(r'<div class="alert[^"]*" role="alert">.*?</div>',
                      response.get_data(as_text=True), re.S)
    return response.status_code, alert.group(0) if alert else ""


def test_six_failures_answer_byte_for_byte_the_same_for_known_and_unknown_emails(
        app, client, make_user, frozen_clock):
    frozen_clock(NOW)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    user = make_user("partner")
    known = [attempt(client, user.email, "Mauvais-mdp-2026") for _ in range(6)]
    unknown = [attempt(client, UNKNOWN, "Mauvais-mdp-2026") for _ in range(6)]
    assert known == unknown
    assert {status for status, _ in known} == {401}
    assert "incorrect" in known[0][1] and "verrouillé" in known[0][1]  # one wording covers both


def test_the_right_password_on_a_locked_account_gets_the_same_refusal(
        app, client, make_user, frozen_clock):
    frozen_clock(NOW)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    user = make_user("referent")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        attempt(client, user.email, "Mauvais-mdp-2026")
    refused = attempt(client, user.email, PASSWORD)
    assert refused == attempt(client, UNKNOWN, PASSWORD)
    assert client.get("/dashboard").status_code == 302  # not logged in
    frozen_clock.advance(dt.timedelta(minutes=app.config["LOCKOUT_MINUTES"] + 1))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 303  # the lock-out still ends


def test_the_owner_of_a_locked_account_gets_one_email_per_lock(app, client, make_user,
                                                               frozen_clock):
    frozen_clock(NOW)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    user = make_user("assessor")

    def lock_emails() -> list[OutboxMessage]:
        return list(db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.kind == "account-locked").order_by(OutboxMessage.id)))

    for _ in range(app.config["LOCKOUT_THRESHOLD"] + 3):  # lock, then keep trying
        attempt(client, user.email, "Mauvais-mdp-2026")
    attempt(client, user.email, PASSWORD)
    messages = lock_emails()
    assert [m.to_email for m in messages] == [user.email]
    assert re.search(r"https?://\S+/password/reset/\S+", messages[0].body_text)
    assert "verrouillé" in messages[0].subject
    # A second lock, once the first has ended, is a second message.
    frozen_clock.advance(dt.timedelta(minutes=app.config["LOCKOUT_MINUTES"] + 1))
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        attempt(client, user.email, "Mauvais-mdp-2026")
    assert len(lock_emails()) == 2
    # Unknown emails lock nothing and mail nobody.
    for _ in range(app.config["LOCKOUT_THRESHOLD"] + 1):
        attempt(client, UNKNOWN, "Mauvais-mdp-2026")
    assert len(lock_emails()) == 2


def test_every_refusal_costs_one_password_hash_verification(app, client, make_user, frozen_clock,
                                                             monkeypatch):
    """Timing tells nothing: unknown, wrong, locked, not yet activated all run argon2 once."""
    frozen_clock(NOW)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    user = make_user("partner")
    never_activated = make_user("candidate", password=None)
    calls: list[str] = []

    class Counting:
        """The real hasher, counting verifications."""

        def __init__(self, real) -> None:  # noqa: ANN001
            self.real = real

        def verify(self, stored, password):  # noqa: ANN001, ANN201
            calls.append(stored)
            return self.real.verify(stored, password)

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(self.real, name)

    monkeypatch.setattr(passwords, "_hasher", Counting(passwords._hasher))  # noqa: SLF001
    cases = [(UNKNOWN, "Mauvais-mdp-2026"), (never_activated.email, "Mauvais-mdp-2026")]
    cases += [(user.email, "Mauvais-mdp-2026")] * app.config["LOCKOUT_THRESHOLD"]
    cases += [(user.email, "Mauvais-mdp-2026"), (user.email, PASSWORD)]  # locked by now
    for email, password in cases:
        before = len(calls)
        assert attempt(client, email, password)[0] == 401
        assert len(calls) - before == 1, email


def test_the_reset_email_leaves_after_the_answer(app, client, make_user, smtp_server):
    """The forgot-password answer does not wait for SMTP, so its timing tells nothing."""
    user = make_user("partner")
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    assert response.status_code == 303
    assert smtp_server.messages == []  # the answer is complete before the mail goes out
    response.close()  # the server has sent the answer
    assert [rcpt for rcpt, _ in smtp_server.messages] == [[user.email]]
