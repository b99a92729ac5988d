"""Factories for jury and results tests: a registration whose written and oral are complete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.extensions import db
from cloe_portal.rules.cefr import ORAL_CRITERIA, SECTION_ORDER
from cloe_portal.sessions.models import ExamSession, Registration

REPORT = ("Le candidat présente son poste avec clarté et répond aux questions de l'évaluateur. "
          "Le vocabulaire professionnel est adapté, quelques hésitations et erreurs de temps "
          "ne gênent pas la compréhension. L'interaction est naturelle et bien conduite.")


@dataclass
class World:
    """A CEL centre with its referent, a partner with its admin."""

    cel: Organisation
    referent: User
    partner: Organisation
    partner_admin: User
    assessor: User


@pytest.fixture
def world(make_org, make_user) -> World:
    cel = make_org("cel", name="CEL Île-de-France")
    partner = make_org("partner", name="Lingua Pro Formation", referent_centre=cel)
    partner.siret = "81234567800019"
    referent = make_user("referent", org=cel, first_name="Julien", last_name="Moreau")
    admin = make_user("partner", org=partner, first_name="Sophie", last_name="Bernard")
    assessor = make_user("assessor", org=cel, first_name="David", last_name="Thompson")
    db.session.commit()
    return World(cel, referent, partner, admin, assessor)


@pytest.fixture
def make_ready(app, make_user, world) -> Callable[..., Registration]:
    """A registration at oral_done: written scores (all sections = `score` unless given)
    and a validated oral grid (all criteria = `criterion`), or as told."""
    counter = iter(range(1, 10**6))

    def make(*, target: str = "B1", score: int | None = 42, scores: dict | None = None,
             criterion: str | None = "B1-", criteria: dict | None = None,
             attendance: str = "present", oral_end: dt.datetime | None = None,
             partner: Organisation | None = None, session: ExamSession | None = None,
             first_name: str = "Camille", last_name: str | None = None,
             language: str = "en", birth_date: dt.date | None = dt.date(1990, 5, 17),
             validated: bool = True) -> Registration:
        from cloe_portal.orals.models import OralAssessment, OralBooking, OralSlot
        from cloe_portal.written.models import WrittenAttempt

        n = next(counter)
        partner = partner or world.partner
        candidate = make_user("candidate", org=partner, first_name=first_name,
                              last_name=last_name or f"Durand{n}")
        if session is None:
            session = ExamSession(partner_id=partner.id, name=f"Session {n}", kind="group",
                                  language=language, written_date=dt.date(2026, 3, 2))
            db.session.add(session)
            db.session.flush()
        reg = Registration(session_id=session.id, candidate_id=candidate.id,
                           partner_id=partner.id, target_level=target, training_hours=10,
                           status="oral_done", birth_date=birth_date,
                           cpf_file_number=f"CPF{n:06d}",
                           written_done_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
        db.session.add(reg)
        db.session.flush()
        if scores is None and score is not None:
            scores = {s: score for s in SECTION_ORDER}
        if scores is not None:
            db.session.add(WrittenAttempt(
                candidate_id=candidate.id, registration_id=reg.id, mode="certification",
                language=session.language, target_level=target, seed=n, pool_snapshot={},
                status="finished", section_scores=scores,
                started_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
                finished_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)))
        end = oral_end or dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
        assessor = world.assessor if n == 1 else make_user("assessor", org=world.cel)
        slot = OralSlot(assessor_id=assessor.id, language=session.language,
                        starts_at=end - dt.timedelta(minutes=30), ends_at=end)
        db.session.add(slot)
        db.session.flush()
        booking = OralBooking(slot_id=slot.id, registration_id=reg.id, active_slot_id=slot.id,
                              active_registration_id=reg.id, status="booked")
        db.session.add(booking)
        db.session.flush()
        if criteria is None and criterion is not None:
            criteria = {c: criterion for c in ORAL_CRITERIA}
        taken = attendance in ("present", "late_admitted")
        db.session.add(OralAssessment(
            booking_id=booking.id, assessor_id=assessor.id,
            identity_checked=True if taken else None, attendance=attendance,
            report=REPORT if taken else None,
            validated_at=(end if validated else None), saved_at=end,
            **({c: v for c, v in (criteria or {}).items()} if taken else {})))
        db.session.commit()
        return reg

    return make


def now_utc() -> dt.datetime:
    return clock.now()


CHECKS_OK = {"identity_ok": True, "written_ok": True, "oral_ok": True, "fraud": False,
             "fraud_description": None}


def with_identity(reg: Registration, first_names: str = "Camile",
                  birth_name: str = "Durand"):  # noqa: ANN201 - a CandidateIdentity
    """Fill the candidate's identity form (the documents print it)."""
    from cloe_portal.candidates.models import CandidateIdentity

    identity = CandidateIdentity(
        user_id=reg.candidate_id, birth_name=birth_name, first_names=first_names,
        birth_date=dt.date(1990, 5, 17), birth_city="Lyon", birth_department="69",
        birth_country="France", gender="F", email=reg.candidate.email,
        address="3 rue Neuve", postcode="69001", city="Lyon", country="France")
    db.session.add(identity)
    db.session.commit()
    return identity


def decide_validated(world: World, reg: Registration) -> None:
    from cloe_portal.jury import services as jury

    jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)


def sign(world: World, session: ExamSession):  # noqa: ANN201 - a ProcesVerbal
    from cloe_portal.jury import services as jury

    pv = jury.sign_pv(world.referent, session, "Julien Moreau", "JE CERTIFIE")
    db.session.commit()
    return pv


def publish_one(world: World, reg: Registration):  # noqa: ANN201 - the Result in force
    """The jury validates the registration and signs its session's PV."""
    from cloe_portal.results.services import current_result

    decide_validated(world, reg)
    sign(world, reg.session)
    return current_result(reg)
