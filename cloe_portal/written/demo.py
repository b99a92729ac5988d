"""Demo data of the written test: the item bank, finished tests for the candidates who are
past the written stage, and the demo candidate left ready to take the test."""

from __future__ import annotations

import math
from datetime import timedelta

from cloe_portal.candidates.models import CandidateIdentity
from cloe_portal.demo import DemoContext
from cloe_portal.extensions import db
from cloe_portal.itembank.loader import load_bank_files
from cloe_portal.rules.cat import difficulty_to_b, start_theta
from cloe_portal.sessions.models import REGISTRATION_STATUSES
from cloe_portal.written import services

ORDER = 40
DONE = REGISTRATION_STATUSES.index("written_done")


def _identity(registration) -> CandidateIdentity:  # noqa: ANN001
    user = registration.candidate
    identity = db.session.scalars(
        db.select(CandidateIdentity).where(CandidateIdentity.user_id == user.id)).first()
    if identity is None:
        from datetime import date

        identity = CandidateIdentity(
            user_id=user.id, birth_name=user.last_name, first_names=user.first_name,
            birth_date=date(1985 + user.id % 15, 1 + user.id % 12, 1 + user.id % 27),
            birth_city="Lyon", birth_department="69", birth_country="France",
            gender="F" if user.id % 2 else "M", email=user.email, address="10 rue de la Gare",
            postcode="69002", city="Lyon", country="France", updated_at=registration.created_at,
        )
        db.session.add(identity)
        db.session.flush()
    return identity


def simulate(registration, rng) -> None:  # noqa: ANN001
    """Take the whole written test for a registration with a plausible ability."""
    finished_at = registration.written_done_at
    now = finished_at - timedelta(minutes=48)
    attempt = services.create_certification_attempt(
        registration, _identity(registration).snapshot(), now)
    # Ability around the target level, so some reach it and some do not.
    theta = start_theta(registration.target_level) + rng.gauss(0.0, 1.0)
    while (response := services.current_item(attempt, now)) is not None:
        now = max(now, response.served_at) + timedelta(seconds=rng.uniform(8, 30))
        p = 1.0 / (1.0 + math.exp(-(theta - difficulty_to_b(response.item_difficulty))))
        answer = (services.expected_response(response.item_type, response.content)
                  if rng.random() < p else None)
        services.submit_answer(attempt, response.sequence, answer, now=now)


def seed(ctx: DemoContext) -> None:
    """Load the bank; finish the written test of the registrations past that stage."""
    load_bank_files()
    available = {lang for (lang,) in db.session.execute(
        db.select(services.Item.language).where(services.Item.pool == "certification").distinct())}
    finished = []
    for registration in ctx.extra.get("registrations", []):
        index = REGISTRATION_STATUSES.index(registration.status)
        if (registration.status == "cancelled" or index < DONE
                or registration.session.language not in available
                or registration.written_done_at is None):
            continue
        simulate(registration, ctx.rng)
        finished.append(registration)
    for n, registration in enumerate(finished):
        attempt = services.attempt_for(registration)
        if n % 4 == 1:
            services.log_event(attempt, "tab_hidden", sequence=23,
                               now=attempt.started_at + timedelta(minutes=20))
        if n % 3 == 0 and registration.status in ("awaiting_jury", "results_issued"):
            services.set_verdict(attempt, "compliant", "webhook", None, "Aucune anomalie.",
                                 now=attempt.finished_at + timedelta(hours=2))
    # The demo candidate (enrolled, window open) is left to fill the identity form, check the
    # equipment and take the test.
