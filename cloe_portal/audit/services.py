"""Write and read the audit log."""

from __future__ import annotations

from typing import Any

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db


def record(
    actor: User | None,
    action: str,
    obj: Any | None = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    reason: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry to the audit log (flushed, committed by the caller)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """An object's audit history, oldest first, with actors loaded in the same query."""
    stmt = (
        db.select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .options(db.joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.session.scalars(stmt))
