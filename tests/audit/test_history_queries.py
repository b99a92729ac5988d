"""The history costs one query per source, whatever the number of events."""

from __future__ import annotations

import datetime as dt

from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.orals.models import OralSlot, OralWaitlistEntry
from cloe_portal.written.models import WrittenAttempt
from cloe_portal.written.services import log_event


def _more_events(journey, make_user, count: int, first: int = 0) -> None:
    """`count` more events of every kind of source: the registration's own log entries,
    its attempt's log and integrity signals, its waitlist entries with the slots they name,
    reassignments naming assessors."""
    reg = journey.registration
    attempt = db.session.scalars(db.select(WrittenAttempt).where(
        WrittenAttempt.registration_id == reg.id)).one()
    booking_id = _booking_id(reg)
    for i in range(first, first + count):
        record(journey.referent, "written.window_extended", reg, reason=f"Motif {i}",
               details={"days": 1, "total": i + 1})
        record(journey.candidate, "written.incident_restart", attempt,
               details={"section": 0, "discarded": 1})
        log_event(attempt, "window_blur", sequence=i + 1)
        slot = OralSlot(assessor_id=journey.assessor.id, language="en",
                        starts_at=dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=i),
                        ends_at=dt.datetime(2026, 4, 1, 8, 30, tzinfo=dt.UTC) + dt.timedelta(hours=i))
        db.session.add(slot)
        db.session.flush()
        entry = OralWaitlistEntry(registration_id=reg.id, language="en", status="closed")
        db.session.add(entry)
        db.session.flush()
        record(None, "oral.waitlist.offer", entry, details={"slot_id": slot.id})
        other = make_user("assessor", org=journey.referent.organisation)
        record(journey.referent, "oral.reassign", object_type="oral_booking",
               object_id=booking_id, reason="Indisponible",
               details={"from_assessor": journey.assessor.id, "to_assessor": other.id})
    db.session.commit()


def _booking_id(registration) -> int:
    from cloe_portal.orals.models import OralBooking

    return db.session.scalar(db.select(OralBooking.id).where(
        OralBooking.registration_id == registration.id).order_by(OralBooking.id.desc()))


def _count(client, count_queries, url: str) -> tuple[int, str]:
    assert client.get(url).status_code == 200  # warm caches
    db.session.expire_all()
    with count_queries() as n:
        response = client.get(url)
    assert response.status_code == 200
    return n(), response.get_data(as_text=True)


def test_the_candidate_page_query_count_does_not_grow_with_its_events(
        app, login, journey, make_user, count_queries):
    url = f"/suivi/candidats/{journey.candidate.id}"
    with app.test_request_context():
        _more_events(journey, make_user, 1)  # every source holds at least one event
    clients = {}
    for role, user in (("referent", journey.referent), ("partner", journey.partner_admin)):
        clients[role] = app.test_client()
        login(user, test_client=clients[role])
    before = {role: _count(c, count_queries, url) for role, c in clients.items()}
    with app.test_request_context():
        _more_events(journey, make_user, 25, first=1)
    after = {role: _count(c, count_queries, url) for role, c in clients.items()}
    for role in clients:
        assert after[role][0] == before[role][0], role
        assert after[role][1].count("<li>") > before[role][1].count("<li>") + 25, role
    assert before["referent"][0] <= 40, before
