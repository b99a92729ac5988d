"""Two more pending accommodation requests for the referent's queue (after the sessions seeder)."""

from __future__ import annotations

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.sessions.models import AccommodationRequest

ORDER = 22


def seed(ctx) -> None:  # noqa: ANN001
    """A secretary and an interpreter request, on candidates of different partners."""
    registrations = [r for r in ctx.extra.get("registrations", [])
                     if r.status != "cancelled" and not r.accommodations]
    chosen, partners = [], set()
    for reg in registrations:
        if reg.partner_id not in partners:
            chosen.append(reg)
            partners.add(reg.partner_id)
        if len(chosen) == 2:
            break
    kinds = (("secretary", "Trouble moteur : écriture sous dictée demandée pour le test écrit."),
             ("interpreter", "Candidate sourde : interprète en LSF pour les consignes."))
    for reg, (kind, details) in zip(chosen, kinds, strict=False):
        db.session.add(AccommodationRequest(registration_id=reg.id, kind=kind, status="pending",
                                            details=details, created_at=clock.now()))
