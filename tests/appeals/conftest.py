"""Factories for appeals: a published result (with identity), accredited assessors, a real
written attempt whose stored scores can be replayed."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable

import pytest
from sqlalchemy import delete, func, select

from cloe_portal import clock
from cloe_portal.appeals.models import Appeal, AppealRemark
from cloe_portal.assessors.models import Accreditation
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.results import services as results
from cloe_portal.results.models import Certificate, LedgerEntry, Result
from cloe_portal.sessions.models import Registration
from tests.results.factories import make_ready, with_identity, world  # noqa: F401 - fixtures
from tests.results.factories import publish_one as publish

TEXT = ("Pendant la compréhension orale, le son s'est coupé deux fois et le chronomètre a "
        "continué : je demande que mes réponses soient réexaminées.")


@pytest.fixture
def accredit(app) -> Callable:
    """Accredit a user in a language from 2020 to 2099."""

    def do(user, language: str = "en"):
        db.session.add(Accreditation(assessor_id=user.id, language=language, status="accredited",
                                     validated_on=dt.date(2020, 1, 1),
                                     valid_until=dt.date(2099, 12, 31)))
        db.session.commit()
        return user

    return do


@pytest.fixture
def published(make_ready, world, accredit) -> Callable[..., Registration]:  # noqa: F811
    """A registration whose result is published (identity filled); its oral assessor is
    accredited in English (so that it could be wrongly chosen as second assessor)."""

    def make(**kwargs) -> Registration:
        reg = make_ready(**{"score": 42, "criterion": "B1-", **kwargs})
        with_identity(reg, first_names=reg.candidate.first_name,
                      birth_name=reg.candidate.last_name)
        from cloe_portal.orals.services import latest_booking

        first = latest_booking(reg).slot.assessor
        if not db.session.scalar(select(Accreditation).where(
                Accreditation.assessor_id == first.id)):
            accredit(first)
        publish(world, reg)
        return reg

    return make


def real_attempt(registration: Registration, ability: float = 0.3, seed: int = 7) -> None:
    """Replace the factory's bare attempt by one taken through the adaptive engine."""
    from cloe_portal.itembank.loader import load_bank_files
    from cloe_portal.rules.cat import difficulty_to_b, start_theta
    from cloe_portal.written import services as written
    from cloe_portal.written.models import WrittenAttempt

    if not db.session.scalar(select(func.count()).select_from(written.Item)):
        load_bank_files(["en"])
    db.session.execute(delete(WrittenAttempt).where(
        WrittenAttempt.registration_id == registration.id))
    rng = random.Random(seed)
    # The test was taken three days ago, within its window.
    registration.session.written_date = clock.today_paris() - dt.timedelta(days=5)
    now = clock.now() - dt.timedelta(days=3)
    attempt = written.create_certification_attempt(registration, None, now)
    theta = start_theta(registration.target_level) + ability
    while (response := written.current_item(attempt, now)) is not None:
        now = max(now, response.served_at) + dt.timedelta(seconds=rng.uniform(8, 20))
        p = 1.0 / (1.0 + math.exp(-(theta - difficulty_to_b(response.item_difficulty))))
        answer = (written.expected_response(response.item_type, response.content)
                  if rng.random() < p else None)
        written.submit_answer(attempt, response.sequence, answer, now=now)
    db.session.commit()


def state() -> dict:
    """What a refused action must leave unchanged."""
    return {
        "appeals": [(a.id, a.status, a.outcome, a.second_assessor_id, a.decision_reason)
                    for a in db.session.scalars(select(Appeal).order_by(Appeal.id))],
        "remarks": [(r.id, r.assessor_id, r.validated_at) for r in db.session.scalars(
            select(AppealRemark).order_by(AppealRemark.id))],
        "registrations": [(r.id, r.status) for r in db.session.scalars(
            select(Registration).order_by(Registration.id))],
        "results": db.session.scalar(select(func.count(Result.id))),
        "certificates": db.session.scalar(select(func.count(Certificate.id))),
        "ledger": db.session.scalar(select(func.count(LedgerEntry.id))),
        "mails": db.session.scalar(select(func.count(OutboxMessage.id))),
    }


__all__ = ["TEXT", "real_attempt", "results", "state"]
