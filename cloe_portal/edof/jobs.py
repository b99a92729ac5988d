"""Monthly EDOF extract: due on the 1st for every active partner; on the 10th a reminder to
those who have not uploaded this month's extract, copied to the referents following them."""

from __future__ import annotations

from datetime import datetime

from cloe_portal.accounts.models import Organisation, User
from cloe_portal.edof.models import EdofUpload
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email
from cloe_portal.notifications.schedule import producer
from cloe_portal.rules.calendar import paris_date

DUE_DAYS = range(1, 10)  # a new install mid-month does not announce a month already running
REMINDER_DAY = 10


def _active_partners() -> list[Organisation]:
    return list(db.session.scalars(
        db.select(Organisation).where(Organisation.kind == "partner",
                                      Organisation.status == "active").order_by(Organisation.id)))


def _users(role: str, organisation_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {}
    if not organisation_ids:
        return found
    stmt = db.select(User).where(User.role == role, User.active.is_(True),
                                 User.organisation_id.in_(organisation_ids)).order_by(User.id)
    for user in db.session.scalars(stmt):
        found.setdefault(user.organisation_id, []).append(user)
    return found


@producer("edof-due", order=70)
def edof_due(now: datetime) -> int:
    """1st of the month: each active partner's admins are asked for the month's extract."""
    today = paris_date(now)
    if today.day not in DUE_DAYS:
        return 0
    month = today.replace(day=1)
    partners = _active_partners()
    admins = _users("partner", {p.id for p in partners})
    queued = 0
    for partner in partners:
        for admin in admins.get(partner.id, []):
            key = f"edof-due:partner-{partner.id}:{month:%Y-%m}:user-{admin.id}"
            if queue_email(admin.email, "edof_due", kind="edof-due", key=key,
                           recipient_id=admin.id, partner=partner, month=month, reminder=False):
                queued += 1
    return queued


@producer("edof-reminder", order=71)
def edof_reminder(now: datetime) -> int:
    """From the 10th: partners without this month's extract, with a copy to their referents."""
    today = paris_date(now)
    if today.day < REMINDER_DAY:
        return 0
    month = today.replace(day=1)
    uploaded = set(db.session.scalars(
        db.select(EdofUpload.partner_id).where(EdofUpload.month == month).distinct()))
    missing = [p for p in _active_partners() if p.id not in uploaded]
    admins = _users("partner", {p.id for p in missing})
    referents = _users("referent", {p.referent_centre_id for p in missing if p.referent_centre_id})
    queued = 0
    for partner in missing:
        base = f"edof-reminder:partner-{partner.id}:{month:%Y-%m}"
        for admin in admins.get(partner.id, []):
            if queue_email(admin.email, "edof_due", kind="edof-reminder",
                           key=f"{base}:user-{admin.id}", recipient_id=admin.id,
                           partner=partner, month=month, reminder=True):
                queued += 1
        for referent in referents.get(partner.referent_centre_id, []):
            queue_email(referent.email, "edof_due", kind="edof-reminder-referent",
                        key=f"{base}:referent-{referent.id}", recipient_id=referent.id,
                        partner=partner, month=month, reminder=True, copy=True)
    return queued
