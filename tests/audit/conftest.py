"""A candidate's whole journey through the real services, for the history tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from cloe_portal.accounts.models import User
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration
from tests.orals.conftest import make_assessor  # noqa: F401 - fixture
from tests.results.factories import REPORT, make_ready, world  # noqa: F401 - fixture
from tests.written.conftest import IDENTITY, JPEG, PNG, bank  # noqa: F401 - fixture

UTC = dt.UTC
WRITTEN_DAY = dt.date(2026, 3, 2)


@dataclass
class Journey:
    registration: Registration
    candidate: User
    referent: User
    partner_admin: User
    assessor: User


def enrol(actor: User, session: ExamSession, email: str, first: str = "Camille",
          last: str = "Durand", accommodations: tuple[str, ...] = ()) -> Registration:
    """Enrol through the partner's service (audit-logged like the enrolment page)."""
    from cloe_portal.sessions.services import Enrolment
    from cloe_portal.sessions.services import enrol as enrol_service

    data = Enrolment(last_name=last, first_name=first, email=email,
                     birth_date=dt.date(1990, 5, 17), target_level="B1", training_hours=20,
                     funding="cpf", cpf_file_number="12345678901",
                     accommodations=list(accommodations))
    return enrol_service(actor, session, data).registration


def new_session(partner_id: int, name: str = "Anglais mars 2026") -> ExamSession:
    session = ExamSession(partner_id=partner_id, name=name, kind="group", language="en",
                          written_date=WRITTEN_DAY)
    db.session.add(session)
    db.session.flush()
    return session


@pytest.fixture
def journey(app, bank, world, make_assessor, frozen_clock) -> Journey:  # noqa: F811
    """Enrolment → accommodation → window extension → identity → written test with an
    incident → oral booked, moved by the partner → attendance and grid → jury → PV."""
    from cloe_portal.accommodations import services as accommodations
    from cloe_portal.candidates import services as candidates
    from cloe_portal.jury import services as jury
    from cloe_portal.orals import services as orals
    from cloe_portal.orals.models import OralSlot
    from cloe_portal.rules.cefr import ORAL_CRITERIA
    from cloe_portal.written import services as written

    request = app.test_request_context()  # the services build links for their emails
    request.push()
    clock = frozen_clock
    clock(dt.datetime(2026, 2, 20, 9, tzinfo=UTC))
    session = new_session(world.partner.id)
    reg = enrol(world.partner_admin, session, "camille.durand@example.fr",
                accommodations=("extra_time",))
    db.session.commit()
    clock.advance(dt.timedelta(days=1))
    accommodations.decide(world.referent, reg.accommodations[0], True, "Certificat MDPH fourni")
    clock.advance(dt.timedelta(days=1))
    written.extend_window(reg, world.referent, 5, "Hospitalisation du candidat")
    db.session.commit()

    candidate = reg.candidate
    frozen_clock(dt.datetime(2026, 3, 2, 8, tzinfo=UTC))
    candidates.save_identity(candidate, dict(IDENTITY))
    candidates.save_photo(candidate, reg, "face", JPEG, "webcam")
    candidates.save_photo(candidate, reg, "id_document", PNG, "upload")
    db.session.commit()
    clock.advance(dt.timedelta(minutes=10))
    attempt = written.start_certification(reg, candidate)
    db.session.commit()
    clock.advance(dt.timedelta(minutes=2))
    written.log_client_event(attempt, "tab_hidden")
    db.session.commit()
    clock.advance(dt.timedelta(minutes=10))
    written.report_incident(attempt, candidate)
    db.session.commit()
    clock.advance(dt.timedelta(minutes=40))
    written.finish(attempt)
    db.session.commit()

    assessor = make_assessor(first_name="David", last_name="Thompson", org=world.cel)
    first = OralSlot(assessor_id=assessor.id, language="en",
                     starts_at=dt.datetime(2026, 3, 4, 9, tzinfo=UTC),
                     ends_at=dt.datetime(2026, 3, 4, 9, 30, tzinfo=UTC))
    second = OralSlot(assessor_id=assessor.id, language="en",
                      starts_at=dt.datetime(2026, 3, 5, 9, tzinfo=UTC),
                      ends_at=dt.datetime(2026, 3, 5, 9, 30, tzinfo=UTC))
    db.session.add_all([first, second])
    db.session.commit()
    clock.advance(dt.timedelta(hours=2))
    orals.book_slot(candidate, reg, first.id)
    db.session.commit()
    clock.advance(dt.timedelta(hours=1))
    booking = orals.book_slot(world.partner_admin, reg, second.id)
    db.session.commit()

    frozen_clock(dt.datetime(2026, 3, 5, 9, 2, tzinfo=UTC))
    orals.record_attendance(assessor, booking, True, "present")
    clock.advance(dt.timedelta(minutes=25))
    orals.save_grid(assessor, booking, {c: "B1" for c in ORAL_CRITERIA}, REPORT)
    orals.validate_grid(assessor, booking)
    db.session.commit()

    frozen_clock(dt.datetime(2026, 3, 6, 10, tzinfo=UTC))
    jury.decide(world.referent, reg, identity_ok=True, written_ok=True, oral_ok=True,
                fraud=False, fraud_description=None, decision="validated", reason=None)
    db.session.commit()
    clock.advance(dt.timedelta(minutes=5))
    jury.sign_pv(world.referent, reg.session, "Julien Moreau", jury.SIGN_CONFIRMATION)
    db.session.commit()
    request.pop()
    return Journey(reg, candidate, world.referent, world.partner_admin, assessor)
