"""Who hears about a partner's requests: its admins, and the referents of the centre following it."""

from __future__ import annotations

from cloe_portal.accounts.models import Organisation, User
from cloe_portal.extensions import db


def partner_admins(partner_id: int) -> list[User]:
    """The active admin accounts of a partner organisation."""
    return list(db.session.scalars(
        db.select(User).where(User.role == "partner", User.active.is_(True),
                              User.organisation_id == partner_id).order_by(User.id)))


def centre_staff(partner: Organisation) -> list[User]:
    """The active referents of the centre following the partner (the coordinators when none)."""
    referents = []
    if partner.referent_centre_id is not None:
        referents = list(db.session.scalars(
            db.select(User).where(User.role == "referent", User.active.is_(True),
                                  User.organisation_id == partner.referent_centre_id)
            .order_by(User.id)))
    return referents or list(db.session.scalars(
        db.select(User).where(User.role == "coordinator", User.active.is_(True)).order_by(User.id)))
