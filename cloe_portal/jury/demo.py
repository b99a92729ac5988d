"""Demo data for the jury and results (ORDER 60).

Uses the registrations earlier seeders moved to ``oral_done`` (``ctx.extra["registrations"]``);
when fewer than needed are complete, builds its own small sessions (written attempts and
validated oral grids). Leaves some candidates awaiting the jury (one overdue) and one
session with a signed PV, issued attestations and a certificate, whose number is put in
``ctx.extra["demo_certificate"]`` so that /verify works in the demo.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cloe_portal import clock
from cloe_portal.demo import DemoContext
from cloe_portal.extensions import db
from cloe_portal.jury import services as jury
from cloe_portal.rules.calendar import add_working_days, paris_midnight_utc
from cloe_portal.rules.cefr import ORAL_CRITERIA, SECTION_ORDER
from cloe_portal.sessions.models import ExamSession, Registration

ORDER = 60

REPORT = ("Le candidat se présente avec aisance et décrit son poste et ses missions. Il répond "
          "aux questions sur un projet récent en enchaînant ses idées ; quelques erreurs de temps "
          "et d'accord subsistent sans gêner la compréhension. Le vocabulaire professionnel est "
          "adapté, la prononciation claire ; l'interaction est naturelle.")

# (first, last, target, written score per section, oral criterion sub-level)
SIGNED = [("Camille", "Durand", "B1", 47, "B1"), ("Thomas", "Petit", "B2", 44, "B1-"),
          ("Inès", "Haddad", "B1", 52, "B1+")]
WAITING = [("Lucas", "Garnier", "A2", 30, "A2"), ("Chloé", "Roux", "B1", 46, "B1"),
           ("Mathis", "Fontaine", "B2", 60, "B2")]


def _ready(registration: Registration) -> bool:
    return registration.status == "oral_done" and not jury.candidate_file(registration).problems


def _build(ctx: DemoContext, name: str, people: list[tuple], oral_ends: list[dt.datetime],
           use_demo_candidate: bool = False) -> list[Registration]:
    """A session of the first partner with complete written tests and validated orals."""
    from cloe_portal.orals.models import OralAssessment, OralBooking, OralSlot
    from cloe_portal.written.models import WrittenAttempt

    partner = ctx.partners[0]
    first_end = min(oral_ends)
    session = ExamSession(partner_id=partner.id, name=name, kind="group", language="en",
                          domain="Hôtellerie Restauration",
                          written_date=(first_end - dt.timedelta(days=7)).date(),
                          created_by_id=ctx.partner_admin.id)
    db.session.add(session)
    db.session.flush()
    regs = []
    for i, ((first, last, target, score, level), end) in enumerate(
            zip(people, oral_ends, strict=True)):
        if use_demo_candidate and i == 0:
            candidate = ctx.candidate
        else:
            slug = f"{first}.{last}".lower().replace("è", "e").replace("é", "e").replace("î", "i")
            candidate = ctx.user(f"{slug}@candidat.demo.cloe.fr", "candidate", first, last, partner)
        written_at = end - dt.timedelta(days=5)
        reg = Registration(session_id=session.id, candidate_id=candidate.id,
                           partner_id=partner.id, target_level=target, training_hours=20,
                           funding="cpf", cpf_file_number=f"{ctx.rng.randrange(10**10):010d}",
                           birth_date=dt.date(1980 + ctx.rng.randrange(20), 1 + i, 10 + i),
                           status="oral_done", written_done_at=written_at)
        db.session.add(reg)
        db.session.flush()
        scores = {s: max(0, min(100, score + ctx.rng.randint(-4, 4))) for s in SECTION_ORDER}
        db.session.add(WrittenAttempt(
            candidate_id=candidate.id, registration_id=reg.id, language="en",
            target_level=target, seed=ctx.rng.randrange(10**6), pool_snapshot={},
            status="finished", section_scores=scores, started_at=written_at
            - dt.timedelta(hours=1), finished_at=written_at, proctoring_verdict="compliant",
            verdict_source="referent"))
        slot = OralSlot(assessor_id=ctx.assessor.id, language="en",
                        starts_at=end - dt.timedelta(minutes=30), ends_at=end)
        db.session.add(slot)
        db.session.flush()
        booking = OralBooking(slot_id=slot.id, registration_id=reg.id, active_slot_id=slot.id,
                              active_registration_id=reg.id, status="booked",
                              booked_by_id=candidate.id)
        db.session.add(booking)
        db.session.flush()
        db.session.add(OralAssessment(
            booking_id=booking.id, assessor_id=ctx.assessor.id, identity_checked=True,
            attendance="present", arrival_at=slot.starts_at, report=REPORT, saved_at=end,
            validated_at=end, **{c: level for c in ORAL_CRITERIA}))
        regs.append(reg)
    db.session.flush()
    return regs


def _oral_end(day: dt.date, index: int) -> dt.datetime:
    return paris_midnight_utc(day) + dt.timedelta(hours=9, minutes=30 * (index + 1))


def seed(ctx: DemoContext) -> None:
    """Signed PV with results and a certificate; candidates awaiting the jury, one overdue."""
    today = clock.today_paris()
    given = [r for r in ctx.extra.get("registrations", []) if _ready(r)]
    has_registration = db.session.scalar(
        select(Registration.id).where(Registration.candidate_id == ctx.candidate.id))
    # 1. A session judged a few days ago: PV signed, results issued.
    past = add_working_days(today, -4)
    signed = given[:2] or _build(ctx, "Anglais hôtellerie — groupe de mars", SIGNED,
                                 [_oral_end(past, i) for i in range(len(SIGNED))],
                                 use_demo_candidate=has_registration is None)
    checks = {"identity_ok": True, "written_ok": True, "oral_ok": True, "fraud": False,
              "fraud_description": None}
    for reg in signed:
        jury.decide(ctx.referent, reg, decision="validated", reason=None, **checks)
    sessions = {r.session_id: r.session for r in signed}
    for session in sessions.values():
        jury.sign_pv(ctx.referent, session, ctx.referent.full_name, "JE CERTIFIE")
    from cloe_portal.results.models import Certificate

    certificate = db.session.scalar(select(Certificate).order_by(Certificate.id))
    if certificate is not None:
        ctx.extra["demo_certificate"] = certificate.number
    # 2. Candidates awaiting the jury: one overdue, one recent, one already decided.
    rest = given[2:]
    if len(rest) < 3:
        ends = [_oral_end(add_working_days(today, -6), 0), _oral_end(add_working_days(today, -1), 1),
                _oral_end(add_working_days(today, -1), 2)]
        rest = _build(ctx, "Anglais hôtellerie — groupe d'avril", WAITING, ends)
    jury.decide(ctx.referent, rest[-1], decision="validated", reason=None, **checks)
    db.session.flush()
