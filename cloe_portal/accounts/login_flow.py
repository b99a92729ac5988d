"""The steps of a login, shared by the login and password pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from cloe_portal.accounts import services, user_sessions
from cloe_portal.accounts.models import User
from cloe_portal.core.nav import home_endpoint
from cloe_portal.extensions import db


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
    """The password is right: log in."""
    log_in(user)
    return redirect(next_url or url_for(home_endpoint(user.role)), 303)
