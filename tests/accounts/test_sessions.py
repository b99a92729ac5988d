"""Server-side login sessions (issue 17, point 7; OWASP ASVS 4.0 V3.3).

A session cookie is only as good as the server record behind it: logout, a password change,
deactivation and a staff "end all sessions" revoke every copy of it; a session ends after
SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cloe_portal.accounts.models import User
from cloe_portal.accounts.services import password_link
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.orals.models import OralBooking
from tests.conftest import PASSWORD, csrf_token
from tests.orals.conftest import make_assessor, make_registration, make_slot  # noqa: F401

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _production_limits(app):
    """The production defaults (TestConfig relaxes them for tests that jump the clock)."""
    from cloe_portal.config import Config

    config = Config()
    app.config.update(SESSION_IDLE_MINUTES=config.SESSION_IDLE_MINUTES,
                      SESSION_MAX_HOURS=config.SESSION_MAX_HOURS)


def copy_of(app, client):  # noqa: ANN001, ANN201
    """Another browser holding the very same session cookie (stolen or kept)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def assert_logged_out(client, path: str = "/dashboard") -> None:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 302, (path, response.status_code)
    assert "/login" in response.headers["Location"]


def logout(client) -> None:  # noqa: ANN001
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")}).status_code == 303


def test_a_cookie_kept_from_before_logout_can_neither_browse_nor_book(
        app, client, login, frozen_clock, make_assessor, make_registration, make_slot):  # noqa: F811
    frozen_clock(NOW)
    assessor = make_assessor(("en",))
    registration = make_registration("en")
    slot = make_slot(assessor, dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    login(registration.candidate)
    token = csrf_token(client, "/oral/reservation")
    kept = copy_of(app, client)
    logout(client)

    assert_logged_out(kept, "/oral/reservation")
    response = kept.post(f"/oral/reservation/{registration.id}/creneau/{slot.id}",
                         data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(db.select(db.func.count(OralBooking.id))) == 0
    htmx = kept.get("/oral/reservation", headers={"HX-Request": "true"})
    assert htmx.status_code == 401


def test_a_password_reset_elsewhere_ends_every_kept_cookie(app, client, make_user, login):
    user = make_user("partner")
    login(user)
    kept = copy_of(app, client)
    with app.test_request_context():
        path = password_link(user, "reset").removeprefix(app.config["BASE_URL"])
    other = app.test_client()
    token = csrf_token(other, path)
    assert other.post(path, data={"password": "Nouveau-mdp-2026", "confirm": "Nouveau-mdp-2026",
                                  "csrf_token": token}).status_code == 303
    assert_logged_out(kept)
    assert_logged_out(client)
    assert other.get("/dashboard").status_code == 200  # the one who changed it stays logged in


def test_deactivation_ends_sessions_for_good_even_after_reactivation(
        app, client, make_user, make_org, login):
    centre = make_org("cel")
    referent = make_user("referent", org=centre)
    assessor = make_user("assessor", org=centre)
    login(assessor)
    kept = copy_of(app, client)
    staff = app.test_client()
    login(referent, test_client=staff)
    token = csrf_token(staff, f"/evaluateurs/{assessor.id}")
    for active in ("0", "1"):
        assert staff.post(f"/reseau/comptes/{assessor.id}/actif", data={
            "csrf_token": token, "active": active, "reason": "Contrôle"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, assessor.id).active
    assert_logged_out(kept)  # reactivated, but the old cookie stays dead
    assert_logged_out(client)
    login(assessor)  # a new login works again
    assert client.get("/dashboard").status_code == 200


def test_staff_end_all_sessions_of_a_user_and_it_is_audited(app, make_user, make_org, login):
    centre = make_org("cel")
    referent = make_user("referent", org=centre)
    assessor = make_user("assessor", org=centre)
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        login(assessor, test_client=browser)
    staff = app.test_client()
    login(referent, test_client=staff)
    page = staff.get(f"/evaluateurs/{assessor.id}").get_data(as_text=True)
    assert f"/comptes/{assessor.id}/sessions/terminer" in page
    token = csrf_token(staff, f"/evaluateurs/{assessor.id}")
    response = staff.post(f"/comptes/{assessor.id}/sessions/terminer",
                          data={"csrf_token": token, "reason": "Téléphone perdu",
                                "next": f"/evaluateurs/{assessor.id}"})
    assert response.status_code == 303
    for browser in browsers:
        assert_logged_out(browser)
    assert staff.get("/dashboard").status_code == 200
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "account.sessions_ended")).one()
    assert (entry.actor_id, entry.object_id, entry.reason) == (referent.id, assessor.id,
                                                              "Téléphone perdu")
    assert entry.details == {"sessions": 2}


def test_only_staff_in_charge_may_end_someone_elses_sessions(app, make_user, make_org, login):
    assessor = make_user("assessor", org=make_org("cel"))
    stranger = make_user("referent", org=make_org("cel"))  # another centre
    browser = app.test_client()
    login(assessor, test_client=browser)
    staff = app.test_client()
    login(stranger, test_client=staff)
    token = csrf_token(staff, "/dashboard")
    response = staff.post(f"/comptes/{assessor.id}/sessions/terminer",
                          data={"csrf_token": token, "reason": "Essai"})
    assert response.status_code == 404
    assert browser.get("/dashboard").status_code == 200


def test_a_session_ends_after_the_idle_time(app, client, make_user, login, frozen_clock):
    frozen_clock(NOW)
    idle = app.config["SESSION_IDLE_MINUTES"]
    login(make_user("candidate"))
    for _ in range(3):  # active use keeps it alive past the idle time
        frozen_clock.advance(dt.timedelta(minutes=idle - 1))
        assert client.get("/dashboard").status_code == 200
    frozen_clock.advance(dt.timedelta(minutes=idle + 1))
    assert_logged_out(client)
    frozen_clock.advance(dt.timedelta(minutes=-2))  # expired for good, not just this request
    assert_logged_out(client)


def test_a_session_ends_after_its_absolute_lifetime(app, client, make_user, login, frozen_clock):
    frozen_clock(NOW)
    login(make_user("assessor"))
    max_age = dt.timedelta(hours=app.config["SESSION_MAX_HOURS"])
    step = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] // 2)
    used = dt.timedelta(0)
    while used + step < max_age:
        frozen_clock.advance(step)
        used += step
        assert client.get("/dashboard").status_code == 200, used
    frozen_clock.advance(max_age - used + dt.timedelta(seconds=1))
    assert_logged_out(client)


def test_defaults_fit_a_90_minute_written_test():
    from cloe_portal.config import Config

    config = Config()
    # An assessor's 30-minute oral, or a 13-minute writing item, never idles out a session;
    # nobody keeps one for more than a working day.
    assert 45 <= config.SESSION_IDLE_MINUTES <= 60
    assert 2 <= config.SESSION_MAX_HOURS <= 12


def test_last_seen_is_written_at_most_once_a_minute(app, client, make_user, login, frozen_clock):
    frozen_clock(NOW)
    login(make_user("candidate"))
    client.get("/dashboard")

    def writes() -> int:
        with _statements() as seen:
            assert client.get("/dashboard").status_code == 200
        assert seen
        return sum(1 for s in seen if s.lstrip().upper().startswith("UPDATE USER_SESSION"))

    frozen_clock.advance(dt.timedelta(seconds=30))
    assert writes() == 0
    frozen_clock.advance(dt.timedelta(seconds=31))
    assert writes() == 1
    assert writes() == 0


def _statements():  # noqa: ANN202
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def capture():  # noqa: ANN202
        seen: list[str] = []

        def before(conn, cursor, statement, *args):  # noqa: ANN001
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return capture()


def test_the_session_key_is_stored_only_as_a_hash(app, client, make_user, login):
    from cloe_portal.accounts.models import UserSession

    login(make_user("partner"))
    cookie = client.get_cookie("session").value
    key = app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]
    assert len(key) >= 40
    row = db.session.scalars(db.select(UserSession)).one()
    assert key not in repr([getattr(row, c.key) for c in UserSession.__table__.columns])


def test_people_see_and_end_their_own_other_sessions(app, make_user, login):
    user = make_user("assessor")
    here, there, elsewhere = (app.test_client() for _ in range(3))
    for browser in (here, there, elsewhere):
        login(user, test_client=browser)
    page = here.get("/compte").get_data(as_text=True)
    assert "Mes sessions" in page and "Cette session" in page
    import re

    ends = re.findall(r'action="(/compte/sessions/\d+/terminer)"', page)
    assert len(ends) == 2  # the two others, not this one
    token = csrf_token(here, "/compte")
    assert here.post(ends[0], data={"csrf_token": token}).status_code == 303
    ended = [b for b in (there, elsewhere) if b.get("/dashboard").status_code == 302]
    assert len(ended) == 1
    assert here.post("/compte/sessions/terminer-autres", data={"csrf_token": token}).status_code == 303
    assert_logged_out(there)
    assert_logged_out(elsewhere)
    assert here.get("/dashboard").status_code == 200


def test_nobody_ends_another_persons_session_from_their_own_page(app, make_user, login):
    owner, intruder = make_user("partner"), make_user("partner")
    victim = app.test_client()
    login(owner, test_client=victim)
    from cloe_portal.accounts.models import UserSession

    session_id = db.session.scalars(db.select(UserSession.id)).one()
    attacker = app.test_client()
    login(intruder, test_client=attacker)
    token = csrf_token(attacker, "/compte")
    assert attacker.post(f"/compte/sessions/{session_id}/terminer",
                         data={"csrf_token": token}).status_code == 404
    assert victim.get("/dashboard").status_code == 200


def test_no_remember_me_cookie_can_outlive_the_session(app, client, make_user, login):
    from flask_login.utils import encode_cookie

    login(make_user("referent"))
    assert client.get_cookie("remember_token") is None  # never issued
    cookie = client.get_cookie("session").value
    key = app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]
    logout(client)
    with app.test_request_context():
        forged = encode_cookie(key)  # what a remember-me cookie of that session would hold
    replay = app.test_client()
    replay.set_cookie("remember_token", forged)
    assert_logged_out(replay)


@pytest.mark.parametrize("role", ["candidate", "partner"])
def test_login_records_where_the_session_comes_from(app, make_user, login, role):
    from cloe_portal.accounts.models import UserSession

    user = make_user(role)
    browser = app.test_client()
    browser.environ_base.update({"HTTP_USER_AGENT": "Firefox/140 test", "REMOTE_ADDR": "10.1.2.3"})
    login(user, test_client=browser)
    row = db.session.scalars(db.select(UserSession)).one()
    assert (row.user_id, row.ip, row.user_agent, row.revoked_at) == (
        user.id, "10.1.2.3", "Firefox/140 test", None)
    assert PASSWORD not in repr(row.__dict__)


def test_the_account_page_follows_the_language(client, make_user, login):
    login(make_user("assessor"))
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/compte")})
    page = client.get("/compte").get_data(as_text=True)
    assert "My sessions" in page and "This session" in page
    assert "Turn on two-factor authentication" in page
    assert "Mes sessions" not in page
