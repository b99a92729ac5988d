"""Scheduled notifications of the candidate's written window and of assessor accreditation.

Producers of other features live in their own `jobs.py` (orals: 24 h reminders; edof:
monthly extract; jury: overdue list). Each queues with a unique key, so reruns are free.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.orm import joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.assessors.models import Accreditation
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.notifications.schedule import producer
from cloe_portal.rules import windows
from cloe_portal.rules.calendar import paris_date
from cloe_portal.sessions.models import ExamSession, Registration

BEFORE_WRITTEN = ("enrolled", "identity_done")
ACCREDITATION_WARNINGS = (60, 15)


def _partner_admins(partner_ids: set[int]) -> dict[int, list[User]]:
    """Active partner admins per organisation, in one query."""
    if not partner_ids:
        return {}
    admins: dict[int, list[User]] = defaultdict(list)
    stmt = db.select(User).where(
        User.role == "partner", User.active.is_(True), User.organisation_id.in_(partner_ids)
    ).order_by(User.id)
    for user in db.session.scalars(stmt):
        admins[user.organisation_id].append(user)
    return admins


def _registrations(statuses: tuple[str, ...], since: datetime | None = None) -> list[Registration]:
    stmt = (
        db.select(Registration)
        .join(ExamSession, Registration.session_id == ExamSession.id)
        .where(Registration.status.in_(statuses))
        .options(joinedload(Registration.session), joinedload(Registration.candidate))
        .order_by(Registration.id)  # a stable order of emails on every store
    )
    if since is not None:
        stmt = stmt.where(ExamSession.written_date >= since.date())
    return list(db.session.scalars(stmt))


def _window_key(prefix: str, reg: Registration) -> str:
    """The registration's part of a window email's key; a moved written date (a session
    edit bumps ``date_version``) gives new keys, so the new window is announced too."""
    version = reg.session.date_version
    return f"{prefix}:registration-{reg.id}" + (f":v{version}" if version else "")


def _sent_keys(prefix: str) -> set[str]:
    stmt = db.select(OutboxMessage.key).where(OutboxMessage.key.like(f"{prefix}%"))
    return set(db.session.scalars(stmt))


@producer("access-open", order=10)
def access_open(now: datetime) -> int:
    """The test is available from the session date until the window closes."""
    queued = 0
    horizon = now - timedelta(days=windows.WRITTEN_WINDOW_DAYS + 60)
    sent = _sent_keys("access-open:")
    for reg in _registrations(BEFORE_WRITTEN, since=horizon):
        key = _window_key("access-open", reg)
        if key in sent:
            continue
        window = windows.written_window(reg.session.written_date, reg.window_extension_days)
        if window.state(now) != "open":
            continue
        if queue_email(reg.candidate.email, "access_open", kind="access-open", key=key,
                       recipient_id=reg.candidate_id, registration=reg, window=window):
            queued += 1
    return queued


@producer("window-closing", order=20)
def window_closing(now: datetime) -> int:
    """5 days and 1 day before the written window closes, written not taken."""
    queued = 0
    horizon = now - timedelta(days=windows.WRITTEN_WINDOW_DAYS + 60)
    regs = _registrations(BEFORE_WRITTEN, since=horizon)
    sent = _sent_keys("window-closing:")
    admins = _partner_admins({r.partner_id for r in regs})
    for reg in regs:
        base = _window_key("window-closing", reg)
        already = {d for d in windows.CLOSING_REMINDER_DAYS if f"{base}:d{d}" in sent}
        due = windows.closing_reminder_due(now, reg.session.written_date,
                                           reg.window_extension_days, already)
        if due is None:
            continue
        window = windows.written_window(reg.session.written_date, reg.window_extension_days)
        key = f"{base}:d{due}"
        if queue_email(reg.candidate.email, "window_closing", kind="window-closing", key=key,
                       recipient_id=reg.candidate_id, registration=reg, window=window,
                       days=due, to_partner=False):
            queued += 1
        for admin in admins.get(reg.partner_id, []):
            queue_email(admin.email, "window_closing", kind="window-closing-partner",
                        key=f"{key}:partner-{admin.id}", recipient_id=admin.id,
                        registration=reg, window=window, days=due, to_partner=True)
    return queued


@producer("oral-unbooked-reminder", order=30)
def oral_unbooked(now: datetime) -> int:
    """Written done and no oral booked: once a week for 3 weeks."""
    queued = 0
    sent = _sent_keys("oral-unbooked-reminder:")
    for reg in _registrations(("written_done",)):
        if reg.written_done_at is None:
            continue
        already = max((k for k in range(1, windows.UNBOOKED_REMINDERS + 1)
                       if f"oral-unbooked-reminder:registration-{reg.id}:week-{k}" in sent),
                      default=0)
        booking = windows.booking_window(reg.written_done_at, reg.session.written_date,
                                         reg.booking_extension_days)
        due = windows.unbooked_reminder_due(reg.written_done_at, now, already, booking.closes_at)
        if due is None:
            continue
        key = f"oral-unbooked-reminder:registration-{reg.id}:week-{due}"
        if queue_email(reg.candidate.email, "oral_unbooked", kind="oral-unbooked-reminder",
                       key=key, recipient_id=reg.candidate_id, registration=reg, number=due,
                       booking=booking):
            queued += 1
    return queued


@producer("accreditation-expiring", order=60)
def accreditation_expiring(now: datetime) -> int:
    """60 and 15 days before an assessor's accreditation ends: assessor and referents."""
    today = paris_date(now)
    stmt = (
        db.select(Accreditation)
        .where(
            Accreditation.status == "accredited",
            Accreditation.valid_until >= today,
            Accreditation.valid_until <= today + timedelta(days=max(ACCREDITATION_WARNINGS)),
        )
        .options(joinedload(Accreditation.assessor))
        .order_by(Accreditation.id)
    )
    accreditations = list(db.session.scalars(stmt))
    if not accreditations:
        return 0
    referents = list(db.session.scalars(
        db.select(User).where(User.role == "referent", User.active.is_(True)).order_by(User.id)
    ))
    queued = 0
    for acc in accreditations:
        days_left = (acc.valid_until - today).days
        due = min((d for d in ACCREDITATION_WARNINGS if days_left <= d), default=None)
        if due is None:
            continue
        key = f"accreditation-expiring:accreditation-{acc.id}:d{due}"
        if queue_email(acc.assessor.email, "accreditation_expiring", kind="accreditation-expiring",
                       key=key, recipient_id=acc.assessor_id, accreditation=acc,
                       days_left=days_left, for_referent=False):
            queued += 1
        for ref in referents:
            if ref.organisation_id != acc.assessor.organisation_id:
                continue
            queue_email(ref.email, "accreditation_expiring", kind="accreditation-expiring-referent",
                        key=f"{key}:referent-{ref.id}", recipient_id=ref.id, accreditation=acc,
                        days_left=days_left, for_referent=True)
    return queued


def now() -> datetime:
    """The scheduler's notion of now (the portal clock)."""
    return clock.now()
