"""Factories for sessions and registrations (shared by tests/edof and tests/partners)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration


@pytest.fixture
def make_session(app) -> Callable[..., ExamSession]:
    counter = iter(range(1, 10**6))

    def make(partner: Organisation, language: str = "en", written_date: date | None = None,
             name: str | None = None, kind: str = "group", domain: str | None = None) -> ExamSession:
        session = ExamSession(
            partner_id=partner.id, name=name or f"Session {next(counter)}", kind=kind,
            language=language, domain=domain,
            written_date=written_date or clock.today_paris() + timedelta(days=7),
        )
        db.session.add(session)
        db.session.commit()
        return session

    return make


@pytest.fixture
def make_registration(app, make_user) -> Callable[..., Registration]:
    def make(session: ExamSession, candidate: User | None = None, status: str = "enrolled",
             cpf_file_number: str | None = None, target_level: str = "B1",
             first_name: str = "Alex", last_name: str | None = None, **extra) -> Registration:
        candidate = candidate or make_user("candidate", org=session.partner, first_name=first_name,
                                           last_name=last_name)
        registration = Registration(
            session_id=session.id, candidate_id=candidate.id, partner_id=session.partner_id,
            target_level=target_level, training_hours=Decimal("20"), funding="cpf",
            cpf_file_number=cpf_file_number, status=status, **extra,
        )
        db.session.add(registration)
        db.session.commit()
        return registration

    return make


def bulk_candidates(session: ExamSession, count: int, status: str = "enrolled",
                    prefix: str = "bulk") -> None:
    """Insert `count` candidates and their registrations with two bulk INSERTs."""
    now = clock.now()
    start = db.session.scalar(db.select(db.func.coalesce(db.func.max(User.id), 0))) + 1
    db.session.execute(db.insert(User), [
        {"id": start + i, "email": f"{prefix}{start + i}@test.cloe.fr", "role": "candidate",
         "organisation_id": session.partner_id, "first_name": "Cand", "last_name": f"Num{i}",
         "locale": "fr", "active": True, "failed_logins": 0, "created_at": now}
        for i in range(count)
    ])
    db.session.execute(db.insert(Registration), [
        {"session_id": session.id, "candidate_id": start + i, "partner_id": session.partner_id,
         "target_level": "B1", "training_hours": Decimal("20"), "funding": "cpf",
         "cpf_file_number": f"CPF{start + i}", "status": status, "status_changed_at": now,
         "window_extension_days": 0, "booking_extension_days": 0, "created_at": now}
        for i in range(count)
    ])
    db.session.commit()
