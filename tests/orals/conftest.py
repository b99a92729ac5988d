"""Factories for orals tests: accredited assessors, registrations past the written test, slots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from cloe_portal.assessors.models import Accreditation, AssessorProfile
from cloe_portal.extensions import db
from cloe_portal.orals.models import OralSlot
from cloe_portal.sessions.models import ExamSession, Registration

UTC = dt.UTC


@pytest.fixture
def make_assessor(make_user) -> Callable:
    def make(languages=("en",), valid_until: dt.date | None = None, validated_on=None,
             video_link: str | None = "https://visio.example.fr/salle-eval", **kwargs):
        user = make_user("assessor", **kwargs)
        today = dt.date(2020, 1, 1)
        for language in languages:
            db.session.add(Accreditation(
                assessor_id=user.id, language=language, status="accredited",
                validated_on=validated_on or today,
                valid_until=valid_until or dt.date(2099, 12, 31)))
        db.session.add(AssessorProfile(user_id=user.id, video_link=video_link))
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_registration(make_user, make_org) -> Callable:
    centre = []  # one CEL follows the partners made here (its referents see their orals)

    def make(language="en", status="written_done", written_date=dt.date(2026, 3, 2),
             written_done_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), partner=None,
             candidate=None, target_level="B1", domain=None):
        if partner is None:
            centre[:] = centre or [make_org("cel", name="CEL des oraux")]
            partner = make_org("partner", referent_centre=centre[0])
        candidate = candidate or make_user("candidate", org=partner)
        session = ExamSession(partner_id=partner.id, name="Session test", language=language,
                              domain=domain, written_date=written_date)
        db.session.add(session)
        db.session.flush()
        registration = Registration(session_id=session.id, candidate_id=candidate.id,
                                    partner_id=partner.id, target_level=target_level,
                                    training_hours=20, status=status,
                                    written_done_at=written_done_at)
        db.session.add(registration)
        db.session.commit()
        return registration

    return make


@pytest.fixture
def make_slot() -> Callable:
    def make(assessor, start: dt.datetime, language="en"):
        slot = OralSlot(assessor_id=assessor.id, language=language, starts_at=start,
                        ends_at=start + dt.timedelta(minutes=30))
        db.session.add(slot)
        db.session.commit()
        return slot

    return make
