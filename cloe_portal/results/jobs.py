"""Daily reminder to referents of the candidates whose jury deadline has passed."""

from __future__ import annotations

from datetime import datetime

from cloe_portal.jury.services import overdue_by_referent
from cloe_portal.notifications.mail import queue_email
from cloe_portal.notifications.schedule import producer
from cloe_portal.results.services import absolute_url
from cloe_portal.rules.calendar import paris_date


@producer("jury-overdue", order=60)
def jury_overdue(now: datetime) -> int:
    """Once a day per referent: the list of overdue candidates (unique key per Paris day)."""
    queued = 0
    day = paris_date(now)
    for referent, items in overdue_by_referent(now).items():
        if queue_email(referent.email, "results_jury_overdue", kind="jury-overdue",
                       key=f"jury-overdue:{day.isoformat()}:referent-{referent.id}",
                       recipient_id=referent.id, referent=referent, items=items,
                       queue_link=absolute_url("jury.queue")):
            queued += 1
    return queued
