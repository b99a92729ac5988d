"""Demo sessions and ~40 registrations across every status for the three demo partners."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cloe_portal import clock
from cloe_portal.demo import DemoContext
from cloe_portal.extensions import db
from cloe_portal.sessions.models import (
    REGISTRATION_STATUSES,
    AccommodationRequest,
    ExamSession,
    Registration,
)

ORDER = 10

FIRST = ("Camille", "Lucas", "Emma", "Hugo", "Chloé", "Louis", "Manon", "Nathan", "Inès", "Théo",
         "Sarah", "Jules", "Lina", "Adam", "Zoé", "Gabriel", "Léa", "Raphaël", "Jade", "Arthur")
LAST = ("Lefèvre", "Garcia", "Roux", "Fontaine", "Chevalier", "Girard", "Bonnet", "Dupont",
        "Lambert", "Fournier", "Mercier", "Blanc", "Guerin", "Muller", "Henry", "Rousseau")

# (partner index, name, language, domain, days from today to the written date, statuses)
SESSIONS = (
    (0, "Anglais B1 — groupe du mois", "en", None, -3, ("enrolled",) * 3 + ("identity_done",) * 2 + ("written_done",) * 2),
    (0, "Anglais professionnel — hôtellerie", "en", "Hôtellerie Restauration", -27, ("enrolled", "identity_done", "written_done", "oral_booked", "oral_done")),
    (0, "Allemand — logistique", "de", "Logistique & Transport", -50, ("oral_booked", "oral_done", "awaiting_jury", "results_issued", "results_issued", "cancelled")),
    (0, "FLE — session individuelle", "fr", None, 12, ("enrolled",)),
    (1, "Espagnol B2 — commerce international", "es", "Commerce international", -10, ("enrolled", "identity_done", "written_done", "oral_booked")),
    (1, "Anglais C1 — banque", "en", "Banque & Finance", -40, ("awaiting_jury", "results_issued", "oral_done", "oral_booked")),
    (2, "Italien A2 — tourisme", "it", "Tourisme", -5, ("enrolled", "enrolled", "written_done")),
    (2, "Anglais B1 — santé", "en", "Santé", -70, ("results_issued", "results_issued", "cancelled", "oral_done")),
)


def seed(ctx: DemoContext) -> None:
    """Sessions in several languages, ~40 candidates in every status, the demo candidate's registration."""
    today = clock.today_paris()
    now = clock.now()
    registrations: list[Registration] = []
    sessions: list[ExamSession] = []
    n = 0
    for index, name, language, domain, offset, statuses in SESSIONS:
        partner = ctx.partners[index]
        session = ExamSession(partner_id=partner.id, name=name, kind="individual" if len(statuses) == 1 else "group",
                              language=language, domain=domain, written_date=today + timedelta(days=offset),
                              created_by_id=ctx.partner_admin.id if index == 0 else None,
                              created_at=now - timedelta(days=max(offset * -1, 0) + 14))
        db.session.add(session)
        db.session.flush()
        sessions.append(session)
        for status in statuses:
            first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
            n += 1
            email = f"{first}.{last}.{n}@candidats.demo.cloe.fr".lower()
            email = email.translate(str.maketrans("éèëçï", "eeeci"))
            user = ctx.user(email, "candidate", first, last, partner)
            funding = "cpf" if n % 4 else "other"
            reg = Registration(
                session_id=session.id, candidate_id=user.id, partner_id=partner.id,
                target_level=("A2", "B1", "B1", "B2", "C1")[n % 5],
                training_hours=Decimal(str(ctx.rng.choice((12, 20, 24, 30, 35)))),
                funding=funding, cpf_file_number=f"7{partner.id:02d}{n:07d}" if funding == "cpf" else None,
                status=status, status_changed_at=now - timedelta(days=ctx.rng.randint(0, 3)),
                created_at=now - timedelta(days=max(-offset, 0) + 10),
            )
            if REGISTRATION_STATUSES.index(status) >= REGISTRATION_STATUSES.index("written_done") and status != "cancelled":
                reg.written_done_at = now - timedelta(days=max(-offset - 1, 1))
            if status == "cancelled":
                reg.cancelled_reason = "Désistement du candidat."
            db.session.add(reg)
            registrations.append(reg)
    db.session.flush()
    # Two accommodation requests: one pending (referent queue), one approved.
    db.session.add(AccommodationRequest(registration_id=registrations[1].id, kind="extra_time",
                                        status="pending", details="Dyslexie, certificat médical joint.",
                                        created_at=now))
    db.session.add(AccommodationRequest(registration_id=registrations[8].id, kind="written_oral_questions",
                                        status="approved", decided_by_id=ctx.referent.id, decided_at=now,
                                        comment="Accordé sur justificatif.", created_at=now))
    # The demo candidate: English session of partners[0], window open today, enrolled, target B1.
    demo = Registration(session_id=sessions[0].id, candidate_id=ctx.candidate.id,
                        partner_id=ctx.partners[0].id, target_level="B1", training_hours=Decimal("24"),
                        funding="cpf", cpf_file_number="7010000000", status="enrolled",
                        status_changed_at=now, created_at=now - timedelta(days=10))
    db.session.add(demo)
    db.session.flush()
    registrations.append(demo)
    ctx.extra["sessions"] = sessions
    ctx.extra["registrations"] = registrations
    ctx.extra["demo_registration"] = demo
