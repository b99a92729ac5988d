"""Which partners a user may see: its own (partner), those it follows (referent), all (coordinator).

Every query of the partner workspace goes through `partner_filter()` and every object load
through `may_see_partner()`, so ownership is decided in one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true

from cloe_portal.accounts.models import Organisation, User
from cloe_portal.extensions import db


def followed_partner_ids(user: User) -> list[int] | None:
    """Partner ids the user may see; None means every partner (coordinator)."""
    if user.role == "coordinator":
        return None
    if user.role == "partner":
        return [user.organisation_id] if user.organisation_id else []
    if user.role == "referent" and user.organisation_id:
        stmt = db.select(Organisation.id).where(
            Organisation.kind == "partner", Organisation.referent_centre_id == user.organisation_id
        )
        return list(db.session.scalars(stmt))
    return []


def partner_filter(user: User, column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose partner column the user may see."""
    if user.role == "coordinator":
        return true()
    if user.role == "partner":
        return column == user.organisation_id if user.organisation_id else false()
    if user.role == "referent" and user.organisation_id:
        followed = db.select(Organisation.id).where(
            Organisation.kind == "partner", Organisation.referent_centre_id == user.organisation_id
        )
        return column.in_(followed.scalar_subquery())
    return false()


def may_see_partner(user: User, partner_id: int | None) -> bool:
    """True when the user may see this partner's sessions, candidates and uploads."""
    if partner_id is None:
        return False
    if user.role == "partner":
        return user.organisation_id == partner_id
    if user.role == "coordinator":
        return True
    if user.role == "referent":
        partner = db.session.get(Organisation, partner_id)
        return (
            partner is not None
            and partner.kind == "partner"
            and partner.referent_centre_id is not None
            and partner.referent_centre_id == user.organisation_id
        )
    return False


def visible_partners(user: User) -> list[Organisation]:
    """The partner organisations the user may see, by name."""
    stmt = db.select(Organisation).where(
        Organisation.kind == "partner", partner_filter(user, Organisation.id)
    )
    return list(db.session.scalars(stmt.order_by(Organisation.name)))
