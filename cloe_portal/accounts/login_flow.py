"""The steps of a login, shared by the login, password and second-factor pages.

A right password logs in at once, or, with a second factor, leaves a *pending* login in the
cookie session (who, which step, since when): nothing is reachable until the code is given
(or, for production referents and coordinators without one, until they have enrolled).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from cloe_portal import clock
from cloe_portal.accounts import second_factor, services, user_sessions
from cloe_portal.accounts.models import User
from cloe_portal.core.nav import home_endpoint
from cloe_portal.extensions import db

PENDING = "_pending_login"
PENDING_FOR = timedelta(minutes=10)


def login_limit() -> str:
    """Flask-Limiter's limit for every form that checks a password or a code."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def log_in(user: User) -> None:
    """Every factor given: a fresh cookie session bound to a new server-side session (committed)."""
    services.complete_login(user)
    session.clear()  # a fresh session on login (no fixation)
    user_sessions.open_session(user, request.remote_addr, request.user_agent.string)
    login_user(user)
    db.session.commit()


def after_password(user: User, next_url: str | None) -> Response:
    """The password is right: ask for the second factor, force enrolment, or log in."""
    step = "code" if user.totp_enabled else "enrol" if second_factor.required(user) else None
    if step is None:
        log_in(user)
        return redirect(next_url or url_for(home_endpoint(user.role)), 303)
    db.session.commit()
    session.clear()
    session[PENDING] = {"user": user.id, "step": step, "since": clock.real_now().timestamp(),
                        "next": next_url}
    return redirect(url_for("accounts.login_code" if step == "code" else "accounts.login_enrol"),
                    303)


def pending_user(step: str) -> User | None:
    """The person half-way through logging in at `step`, while the pending state is fresh."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    if clock.real_now().timestamp() - float(data.get("since", 0)) > PENDING_FOR.total_seconds():
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, data.get("user"))
    return user if user is not None and user.active else None


def drop_pending() -> None:
    session.pop(PENDING, None)


def finish_pending(user: User) -> str:
    """Log the pending person in; where they were going."""
    next_url = safe_next((session.get(PENDING) or {}).get("next"))
    log_in(user)
    return next_url or url_for(home_endpoint(user.role))
