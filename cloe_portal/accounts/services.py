"""Account use cases: authenticate with lock-out, create users, set passwords, send links."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for

from cloe_portal import clock
from cloe_portal.accounts.models import ROLES, Organisation, User, normalise_email
from cloe_portal.accounts.passwords import hash_password, needs_rehash, verify_password
from cloe_portal.accounts.tokens import make_password_token
from cloe_portal.audit.services import record
from cloe_portal.extensions import db


class LoginRefused(Exception):
    """Login refused; the message is French and safe to show."""


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials or raise LoginRefused (counting failures)."""
    user = db.session.scalars(db.select(User).where(User.email == normalise_email(email))).first()
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(
            "Compte temporairement verrouillé après plusieurs essais infructueux. "
            f"Réessayez dans {minutes} minute{'s' if minutes > 1 else ''} ou réinitialisez "
            "votre mot de passe."
        )
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
                user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
                user.failed_logins = 0
                record(None, "account.locked", user)
            db.session.commit()
        raise LoginRefused("Adresse e-mail ou mot de passe incorrect.")
    if not user.active:
        raise LoginRefused("Ce compte est désactivé. Contactez votre centre.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def create_user(
    email: str,
    role: str,
    first_name: str,
    last_name: str,
    organisation: Organisation | None = None,
    password: str | None = None,
) -> User:
    """Create an account (password None: the person sets it from the welcome link)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")
    user = User(
        email=normalise_email(email),
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        password_hash=hash_password(password) if password else None,
        password_changed_at=clock.now() if password else None,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password; old links and other sessions stop working."""
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.failed_logins = 0
    user.locked_until = None
    record(user, "account.password_set", user)


def password_link(user: User, purpose: str) -> str:
    """Absolute URL of a first-login ('welcome') or reset link."""
    token = make_password_token(user, purpose)
    endpoint = "accounts.welcome" if purpose == "welcome" else "accounts.reset_password"
    return current_app.config["BASE_URL"] + url_for(endpoint, token=token)


def send_password_reset(email: str) -> None:
    """Email a reset link if the account exists (the page says the same either way)."""
    from cloe_portal.notifications.mail import queue_email

    user = db.session.scalars(db.select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active:
        return
    queue_email(
        user.email,
        "password_reset",
        kind="password-reset",
        recipient_id=user.id,
        user=user,
        link=password_link(user, "reset"),
        hours=current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600,
    )


def send_welcome(user: User, **extra: object) -> None:
    """Email the first-login link to a new account."""
    from cloe_portal.notifications.mail import queue_email

    queue_email(
        user.email,
        "welcome",
        kind="welcome",
        recipient_id=user.id,
        user=user,
        link=password_link(user, "welcome"),
        hours=current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600,
        **extra,
    )
