"""Scheduled purge of proctoring evidence after the jury (see privacy.services)."""

from __future__ import annotations

from datetime import datetime

from cloe_portal.notifications.schedule import producer
from cloe_portal.privacy.services import purge_due


@producer("evidence-purge", order=90)
def evidence_purge(now: datetime) -> int:
    """Delete photos and integrity logs EVIDENCE_RETENTION_DAYS after the PV; return files purged."""
    return purge_due(now)
