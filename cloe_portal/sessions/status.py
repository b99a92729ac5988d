"""Moving a registration along the candidate pipeline (one place, audited)."""

from __future__ import annotations

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.sessions.models import REGISTRATION_STATUSES, Registration

# Statuses a registration may enter only from some others; every other move is free.
# A withdrawal (seed 000: the partner withdraws a candidate) happens before the written
# test only, and is final: a candidate who comes back is enrolled again (a new registration).
ONLY_FROM = {"withdrawn": ("enrolled", "identity_done")}
FINAL_STATUSES = ("withdrawn",)


def set_status(registration: Registration, status: str, actor: User | None = None,
               reason: str | None = None) -> None:
    """Set the registration's pipeline status and log the change."""
    if status not in REGISTRATION_STATUSES:
        raise ValueError(f"unknown registration status {status!r}")
    if registration.status == status:
        return
    previous = registration.status
    if previous in FINAL_STATUSES or previous not in ONLY_FROM.get(status, (previous,)):
        raise ValueError(f"registration {registration.id}: {previous!r} → {status!r} not allowed")
    registration.status = status
    registration.status_changed_at = clock.now()
    record(actor, "registration.status", registration, reason=reason,
           details={"from": previous, "to": status})
