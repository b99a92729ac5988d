"""The demo clock: a non-production instance runs from CLOE_FAKE_NOW, a referent moves it
forward, every page says so, and production refuses it (and refuses to start without
BASE_URL) with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cloe_portal import clock
from cloe_portal.audit.models import AuditEntry
from cloe_portal.democlock import services
from cloe_portal.democlock.models import DemoClock
from cloe_portal.extensions import db
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_instance(app):
    app.config["DEMO_CLOCK"] = True
    return app


def test_fake_now_starts_the_clock_and_a_restart_keeps_where_it_went(demo_instance, client,
                                                                     make_user, login):
    demo_instance.config["FAKE_NOW"] = "2026-12-07T09:05"
    referent = make_user("referent")
    login(referent)
    page = client.get("/demo/horloge").get_data(as_text=True)
    start = datetime(2026, 12, 7, 8, 5, tzinfo=UTC)  # 09:05 Paris
    assert abs(clock.now() - start) < timedelta(seconds=30)
    assert "Horloge de démonstration :" in page and "lundi 7 décembre 2026" in page
    assert "09:05" in page

    response = client.post("/demo/horloge/avancer", data={
        "amount": "3", "unit": "hours", "csrf_token": csrf_token(client, "/demo/horloge")})
    assert response.status_code == 303
    assert abs(clock.now() - (start + timedelta(hours=3))) < timedelta(seconds=30)
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "demo_clock.moved")).one()
    assert entry.actor_id == referent.id and entry.details["to"].startswith("2026-12-07T11:05")

    # A restart (another worker, or the same command again) keeps the moved clock.
    services.reset_cache()
    assert clock.now() < start  # this process forgot it…
    client.get("/demo/horloge")
    assert abs(clock.now() - (start + timedelta(hours=3))) < timedelta(seconds=30)  # …not the DB


def test_another_worker_sees_the_move_within_a_second(demo_instance, client, make_user, login):
    login(make_user("referent"))
    client.get("/demo/horloge")
    assert not clock.is_simulated()
    # Another process moves it (same row in the database).
    db.session.add(DemoClock(id=1, offset_seconds=86400.0, updated_at=clock.real_now()))
    db.session.commit()
    services.reset_cache()  # the refresh interval has passed
    page = client.get("/reseau/accueil").get_data(as_text=True)
    assert clock.is_simulated()
    assert abs(clock.now() - clock.real_now() - timedelta(days=1)) < timedelta(seconds=5)
    assert "Horloge de démonstration :" in page


def test_the_clock_never_goes_back_and_only_staff_move_it(demo_instance, client, make_user, login,
                                                          app):
    referent = make_user("referent")
    login(referent)
    token = csrf_token(client, "/demo/horloge")
    yesterday = clock.now().astimezone(clock.PARIS) - timedelta(days=1)
    response = client.post("/demo/horloge/aller", data={
        "day": yesterday.date().isoformat(), "at": "10:00", "csrf_token": token},
        follow_redirects=True)
    assert "ne recule pas" in response.get_data(as_text=True)
    assert not clock.is_simulated()
    response = client.post("/demo/horloge/avancer", data={
        "amount": "", "unit": "hours", "csrf_token": token})
    assert response.status_code == 422 and "Indiquez une durée." in response.get_data(as_text=True)

    for role in ("partner", "assessor", "candidate"):
        other = app.test_client()
        login(make_user(role), test_client=other)
        assert other.get("/demo/horloge").status_code == 403


def test_production_has_no_demo_clock_page(app, client, make_user, login):
    app.config["DEMO_CLOCK"] = False
    login(make_user("referent"))
    assert client.get("/demo/horloge").status_code == 404
    assert "Horloge de démonstration" not in client.get("/reseau/accueil").get_data(as_text=True)


def test_the_scheduler_follows_the_demo_clock(demo_instance):
    from cloe_portal.notifications.schedule import guarded_tick

    db.session.add(DemoClock(id=1, offset_seconds=7 * 86400.0, updated_at=clock.real_now()))
    db.session.commit()
    guarded_tick(demo_instance, "test-holder")
    assert abs(clock.now() - clock.real_now() - timedelta(days=7)) < timedelta(seconds=5)


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Load the app the way `flask`/gunicorn do, in a fresh process with this environment."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("BASE_URL", "CLOE_FAKE_NOW", "CLOE_ENV", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, capture_output=True,
                          text=True, env={**base, "SECRET_KEY": "x" * 32, **env}, timeout=60,
                          check=False)


@pytest.mark.parametrize(("env", "message"), [
    ({"CLOE_ENV": "production", "BASE_URL": "https://cloe.example.fr",
      "CLOE_FAKE_NOW": "2026-12-07T09:05"},
     "CLOE Portal: CLOE_FAKE_NOW cannot be used when CLOE_ENV=production; unset it."),
    ({"CLOE_ENV": "production"}, "CLOE Portal: BASE_URL must be set when CLOE_ENV=production"),
    ({"CLOE_FAKE_NOW": "demain matin"}, "CLOE Portal: CLOE_FAKE_NOW: 'demain matin' is not a date"),
])
def test_refused_start_says_why_in_one_line(tmp_path, env, message):
    result = _start({**env, "CLOE_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_production_starts_with_base_url(tmp_path):
    result = _start({"CLOE_ENV": "production", "BASE_URL": "https://cloe.example.fr",
                     "CLOE_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


def test_a_trainer_books_tomorrow_moves_to_the_oral_and_the_assessor_scores_it(
        demo_instance, make_user, login):
    """The walk the demo clock exists for, through the pages and the real (flowing) clock."""
    import datetime as dt

    from cloe_portal.assessors.models import Accreditation
    from cloe_portal.orals.models import OralBooking, OralSlot
    from cloe_portal.sessions.models import ExamSession, Registration

    cel = make_user("referent")
    referent_centre = cel.organisation
    partner = make_user("partner").organisation
    partner.referent_centre_id = referent_centre.id
    candidate = make_user("candidate", org=partner)
    assessor = make_user("assessor", org=referent_centre)
    db.session.add(Accreditation(assessor_id=assessor.id, language="en", status="accredited",
                                 validated_on=dt.date(2026, 1, 5),
                                 valid_until=dt.date(2099, 12, 31)))
    today = clock.today_paris()
    session = ExamSession(partner_id=partner.id, name="Anglais", language="en",
                          written_date=today)
    db.session.add(session)
    db.session.flush()
    registration = Registration(session_id=session.id, candidate_id=candidate.id,
                                partner_id=partner.id, target_level="B1", training_hours=20,
                                status="written_done", written_done_at=clock.now())
    tomorrow_10h = datetime.combine(today + timedelta(days=1), dt.time(10, 0),
                                    tzinfo=clock.PARIS).astimezone(UTC)
    slot = OralSlot(assessor_id=assessor.id, language="en", starts_at=tomorrow_10h,
                    ends_at=tomorrow_10h + timedelta(minutes=30))
    db.session.add_all([registration, slot])
    db.session.commit()

    candidate_client, referent_client, assessor_client = (
        demo_instance.test_client() for _ in range(3))
    login(candidate, test_client=candidate_client)
    url = f"/oral/reservation/{registration.id}/creneau/{slot.id}"
    response = candidate_client.post(url, data={"csrf_token": csrf_token(candidate_client, url)})
    assert response.status_code == 303
    booking = db.session.scalars(db.select(OralBooking)).one()

    login(assessor, test_client=assessor_client)
    oral = f"/evaluateur/oraux/{booking.id}"
    page = assessor_client.get(oral).get_data(as_text=True)
    assert "ouvre au début du créneau" in page  # not before the oral has started

    login(cel, test_client=referent_client)
    page = referent_client.get("/demo/horloge").get_data(as_text=True)
    assert "Aller au début" in page
    response = referent_client.post("/demo/horloge/oral", data={
        "booking_id": booking.id, "csrf_token": csrf_token(referent_client, "/demo/horloge")})
    assert response.status_code == 303
    assert timedelta(0) <= clock.now() - tomorrow_10h < timedelta(seconds=30)

    token = csrf_token(assessor_client, oral)
    response = assessor_client.post(f"{oral}/presence", data={
        "attendance": "present", "identity_checked": "yes", "csrf_token": token})
    assert response.status_code == 303
    report = ("La candidate s'exprime avec aisance sur son métier et développe ses réponses ; "
              "le vocabulaire professionnel est adapté, quelques erreurs de temps ne gênent pas "
              "la compréhension. Bonne interaction pendant la mise en situation, discussion un "
              "peu descriptive. Prononciation claire.")
    response = assessor_client.post(f"{oral}/valider", data={
        "range": "B1", "accuracy": "B1", "fluency": "B1", "pronunciation": "B1+",
        "interaction": "B1", "report": report, "csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == "oral_done"
    assert db.session.get(OralBooking, booking.id).assessment.validated_at is not None


def test_moving_the_demo_clock_keeps_sessions_and_authenticator_codes(demo_instance, client,
                                                                      make_user, login):
    """Security timers run on the real time: a trainer moving the clock by days neither logs
    everyone out nor makes the codes of an authenticator app (real time) wrong."""
    from tests.accounts.test_second_factor import code, code_step, enrol, password_step

    assessor = make_user("assessor")
    login(assessor)
    secret, _codes = enrol(client, at=clock.real_now())
    db.session.add(DemoClock(id=1, offset_seconds=3 * 86400.0, updated_at=clock.real_now()))
    db.session.commit()
    services.reset_cache()
    page = client.get("/compte")
    assert page.status_code == 200 and "Horloge de démonstration :" in page.get_data(as_text=True)
    assert clock.now() - clock.real_now() > timedelta(days=2)

    other = demo_instance.test_client()
    assert password_step(other, assessor).status_code == 303
    assert code_step(other, code(secret, clock.real_now(), steps=1)).status_code == 303
    assert other.get("/compte").status_code == 200
