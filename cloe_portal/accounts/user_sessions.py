"""Server-side login sessions (OWASP ASVS 4.0 V3.3): opened at login, checked on every request.

The cookie (Flask's signed session) holds a random key; the `user_session` row keeps only its
SHA-256, so a database dump opens no session. A request is logged in only while that row is
not revoked, has seen a request within SESSION_IDLE_MINUTES and is younger than
SESSION_MAX_HOURS. Logout revokes the row; a password change, deactivation, a second-factor
reset and a staff "end all sessions" revoke every row of the person, so a copied cookie dies
with them.

Its times are the real time (`clock.real_now()`), not the demo clock's: moving a demo
instance's clock forward does not end the sessions.

The check costs one indexed read per request (user and session in one query). `last_seen_at`
is written at most once a minute, on its own short transaction, so the written test's answer
path does not pay a write per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from cloe_portal import clock
from cloe_portal.accounts.models import User, UserSession
from cloe_portal.accounts.second_factor import required
from cloe_portal.audit.services import record
from cloe_portal.extensions import db

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=1)
# Rows of sessions that ended this long ago are deleted when their owner logs in again.
KEEP_ENDED = timedelta(days=30)


def key_hash(key: str) -> str:
    """What the database stores for a session key (the key has 256 random bits: no salt needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh random session key (URL-safe, 43 characters)."""
    return secrets.token_urlsafe(32)


def _limits() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]), timedelta(hours=cfg["SESSION_MAX_HOURS"])


def expiry(row: UserSession, now: datetime) -> str | None:
    """Why an unrevoked session is over at `now` ('idle', 'expired'), or None while it lasts."""
    idle, max_age = _limits()
    if now - clock.as_utc(row.created_at) > max_age:
        return "expired"
    if now - clock.as_utc(row.last_seen_at) > idle:
        return "idle"
    return None


def open_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """Record a new login session of `user` and return its key (set on user.session_key)."""
    now = clock.real_now()
    db.session.execute(
        db.delete(UserSession).where(UserSession.user_id == user.id,
                                     UserSession.last_seen_at < now - KEEP_ENDED)
    )
    key = new_key()
    row = UserSession(key_hash=key_hash(key), user_id=user.id, created_at=now, last_seen_at=now,
                      ip=(ip or "")[:45] or None, user_agent=(user_agent or "")[:300] or None)
    db.session.add(row)
    db.session.flush()
    user.session_key, user.login_session = key, row
    return key


def load_user(key: str) -> User | None:
    """Flask-Login's user loader: the user of a live session with this key, else None."""
    if not key or len(key) > 100:
        return None
    found = db.session.execute(
        db.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == key_hash(key))
    ).first()
    if found is None:
        return None
    user, row = found
    if row.revoked_at is not None:
        return None
    now = clock.real_now()
    ended = expiry(row, now)
    if ended is not None:  # over for good: moving a clock back must not revive it
        _write_apart(row, revoked_at=now, revoke_reason=ended)
        return None
    if required(user) and not user.totp_enabled:
        return None
    if now - clock.as_utc(row.last_seen_at) >= TOUCH_EVERY:
        _write_apart(row, last_seen_at=now)
    user.session_key, user.login_session = key, row
    return user


def _write_apart(row: UserSession, **values: object) -> None:
    """Update the session row on a connection of its own: the view's transaction stays the
    view's, and a GET that reads only still writes nothing else."""
    if _request_holds_sqlite_write_lock():
        return  # a later request writes it (SQLite has one writer: we would wait for ourselves)
    try:
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # never queue behind a lock for a stamp
                conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(update(UserSession.__table__).where(UserSession.__table__.c.id == row.id)
                         .values(**values))
    except SQLAlchemyError:  # never fail a page for an activity stamp
        log.warning("could not update session %s", row.id, exc_info=True)
        return
    for name, value in values.items():
        set_committed_value(row, name, value)


def _request_holds_sqlite_write_lock() -> bool:
    session = db.session()
    if not session.in_transaction():
        return False
    dbapi = session.connection().connection.dbapi_connection
    return bool(getattr(dbapi, "in_transaction", False)) and db.engine.dialect.name == "sqlite"


def revoke(row: UserSession, reason: str) -> None:
    """End one session."""
    if row.revoked_at is None:
        row.revoked_at = clock.real_now()
        row.revoke_reason = reason


def revoke_all(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of `user` (but `keep`); return how many were open."""
    now = clock.real_now()
    stmt = (update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .execution_options(synchronize_session="fetch"))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(stmt).rowcount or 0


def forget_sessions(user: User) -> None:
    """Delete every session row of `user` (erasure: IP addresses and browsers are personal data)."""
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))


def live_sessions(user: User) -> list[UserSession]:
    """The person's sessions still open, most recent activity first."""
    now = clock.real_now()
    idle, max_age = _limits()
    return list(db.session.scalars(
        db.select(UserSession).where(UserSession.user_id == user.id,
                                     UserSession.revoked_at.is_(None),
                                     UserSession.last_seen_at >= now - idle,
                                     UserSession.created_at >= now - max_age)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def end_own_session(user: User, session_id: int) -> bool:
    """The person ends one of their sessions; False when it is not theirs (or already ended)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    revoke(row, "ended_by_user")
    record(user, "account.session_ended", user, details={"session": row.id})
    db.session.flush()
    return True


def end_other_sessions(user: User, current: UserSession | None) -> int:
    """The person ends every session but the one they use."""
    count = revoke_all(user, "ended_by_user", keep=current)
    record(user, "account.other_sessions_ended", user, details={"sessions": count})
    db.session.flush()
    return count


def end_all_by_staff(actor: User, user: User, reason: str) -> int:
    """A referent or the coordinator ends every session of someone (audit-logged)."""
    count = revoke_all(user, "ended_by_staff")
    record(actor, "account.sessions_ended", user, reason=reason, details={"sessions": count})
    db.session.flush()
    return count
