"""Moving a registration along the candidate pipeline (one place, audited)."""

from __future__ import annotations

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.sessions.models import REGISTRATION_STATUSES, Registration


def set_status(registration: Registration, status: str, actor: User | None = None,
               reason: str | None = None) -> None:
    """Set the registration's pipeline status and log the change."""
    if status not in REGISTRATION_STATUSES:
        raise ValueError(f"unknown registration status {status!r}")
    if registration.status == status:
        return
    previous = registration.status
    registration.status = status
    registration.status_changed_at = clock.now()
    record(actor, "registration.status", registration, reason=reason,
           details={"from": previous, "to": status})
