"""Scheduled notifications: producers that queue what is due, run by one scheduler.

Each producer looks at the database at `now` and queues the emails that are due with a
unique key (kind + object + occurrence). Because the outbox row is inserted first and the
key is unique, a tick can run any number of times, in two processes at once, or after a
crash between two messages: each notification is sent exactly once. Features register
their producers with `producer(...)`; `tick(now)` runs them all, then delivers.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.democlock.services import refresh as refresh_demo_clock
from cloe_portal.extensions import db
from cloe_portal.notifications.models import SchedulerLease

log = logging.getLogger(__name__)

LEASE_NAME = "notifications"
LEASE_SECONDS = 120
TICK_SECONDS = 60


@dataclass(frozen=True)
class Producer:
    name: str
    run: Callable[[datetime], int]
    order: int


_PRODUCERS: dict[str, Producer] = {}


def producer(name: str, order: int = 50) -> Callable[[Callable[[datetime], int]], Callable[[datetime], int]]:
    """Register a function `f(now) -> number queued` run at every tick."""

    def decorator(func: Callable[[datetime], int]) -> Callable[[datetime], int]:
        _PRODUCERS[name] = Producer(name, func, order)
        return func

    return decorator


def producers() -> list[Producer]:
    """Registered producers in run order (importing every feature's `jobs` module first)."""
    import importlib

    from cloe_portal import feature_packages

    for feature in feature_packages():
        try:
            importlib.import_module(f"cloe_portal.{feature}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"cloe_portal.{feature}.jobs":
                raise
    return sorted(_PRODUCERS.values(), key=lambda p: (p.order, p.name))


def tick(now: datetime | None = None, deliver: bool = True) -> dict[str, int]:
    """Run every producer at `now`, commit after each, then deliver pending mail."""
    from cloe_portal.notifications.mail import deliver_pending

    now = now or clock.now()
    counts: dict[str, int] = {}
    for prod in producers():
        try:
            counts[prod.name] = prod.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("scheduled producer %s failed", prod.name)
            counts[prod.name] = -1
    if deliver:
        counts["delivered"] = deliver_pending()
    return counts


def holder_id() -> str:
    """Identify this process in the lease table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire_lease(holder: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the scheduler lease; False while another live process holds it."""
    now = now or clock.now()
    expires = now + timedelta(seconds=seconds)
    result = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=expires)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    try:
        with db.session.begin_nested():
            db.session.add(SchedulerLease(name=LEASE_NAME, holder=holder, expires_at=expires))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def release_lease(holder: str) -> None:
    """Give the lease up (clean shutdown)."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=clock.now() - timedelta(seconds=1))
    )
    db.session.commit()


_APP = None  # the app the scheduler serves (jobs in the DB store must stay picklable)


def scheduled_tick() -> dict[str, int] | None:
    """The job APScheduler runs: a guarded tick for the app given to build_scheduler()."""
    if _APP is None:  # pragma: no cover - misconfiguration
        raise RuntimeError("build_scheduler() was not called")
    return guarded_tick(_APP, holder_id())


def guarded_tick(app, holder: str) -> dict[str, int] | None:  # noqa: ANN001
    """One scheduler beat: run the tick only while holding the lease."""
    with app.app_context():
        try:
            if app.config.get("DEMO_CLOCK"):  # the scheduler follows the demo clock too
                refresh_demo_clock(app.config.get("FAKE_NOW"), force=True)
            if not acquire_lease(holder):
                return None
            return tick()
        finally:
            db.session.remove()


def build_scheduler(app, blocking: bool):  # noqa: ANN001, ANN201
    """An APScheduler 3 scheduler with its job store in the portal's database."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    global _APP
    _APP = app
    cls = BlockingScheduler if blocking else BackgroundScheduler
    with app.app_context():
        engine = db.engine
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        timezone="Europe/Paris",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        "cloe_portal.notifications.schedule:scheduled_tick",
        "interval",
        seconds=TICK_SECONDS,
        id="cloe-notifications-tick",
        replace_existing=True,
        next_run_time=clock.now(),
    )
    return scheduler
