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

# One answer for an unknown email, a wrong password and a locked account, so the login page
# tells nobody which addresses have an account (ASVS V2.2.1 / V3.x; issue 17 point 9).
LOGIN_REFUSED = (
    "Adresse e-mail ou mot de passe incorrect. Après plusieurs essais, le compte est "
    "temporairement verrouillé."
)


class LoginRefused(Exception):
    """Login refused; the message is French and safe to show."""


def authenticate(email: str, password: str) -> User:
    """The user for these credentials, else LoginRefused (counting failures, locking).

    Every attempt runs exactly one password-hash verification (a dummy one for unknown
    emails), and a locked account is checked after it, so neither the message nor the time
    tells whether an account exists or is locked. Failure counters are reset by
    `complete_login`, once every factor is given."""
    user = db.session.scalars(db.select(User).where(User.email == normalise_email(email))).first()
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None:
        raise LoginRefused(LOGIN_REFUSED)
    if is_locked(user):
        raise LoginRefused(LOGIN_REFUSED)
    if not password_ok:
        register_failure(user)
        db.session.commit()
        raise LoginRefused(LOGIN_REFUSED)
    if not user.active:
        raise LoginRefused("Ce compte est désactivé. Contactez votre centre.")
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def is_locked(user: User) -> bool:
    """True while a lock-out runs."""
    return user.locked_until is not None and clock.as_utc(user.locked_until) > clock.real_now()


def register_failure(user: User) -> None:
    """Count a wrong password or second-factor code; lock (and tell the owner) at the threshold."""
    user.failed_logins += 1
    if user.failed_logins < current_app.config["LOCKOUT_THRESHOLD"]:
        return
    user.locked_until = clock.real_now() + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
    user.failed_logins = 0
    record(None, "account.locked", user)
    _send_lock_notice(user)


def _send_lock_notice(user: User) -> None:
    """Tell the owner once per lock, with a reset link (the login page says nothing specific)."""
    from cloe_portal.notifications.mail import queue_email

    if not user.active:
        return
    queue_email(
        user.email,
        "account_locked",
        kind="account-locked",
        key=f"account-locked:{user.id}:{user.locked_until.isoformat()}",
        recipient_id=user.id,
        user=user,
        minutes=current_app.config["LOCKOUT_MINUTES"],
        link=password_link(user, "reset"),
        hours=current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600,
    )


def complete_login(user: User) -> None:
    """Every factor given: reset the failure count and stamp the login."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = clock.now()


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
    """Set a new password; old links and every open session stop working."""
    from cloe_portal.accounts.user_sessions import revoke_all

    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.failed_logins = 0
    user.locked_until = None
    revoke_all(user, "password")
    record(user, "account.password_set", user)


def may_manage_account(actor: User, user: User) -> bool:
    """Who may end someone's sessions or reset their second factor.

    The coordinator: anyone but a coordinator; a referent: its centre's assessors, and the
    admins and candidates of the partners its centre follows. Nobody acts on their own
    account here (they have their account page)."""
    from cloe_portal.partners.scope import may_see_partner, partner_filter
    from cloe_portal.sessions.models import Registration

    if user.id == actor.id or user.role == "coordinator":
        return False
    if actor.role == "coordinator":
        return True
    if actor.role != "referent" or actor.organisation_id is None:
        return False
    if user.role == "assessor":
        return user.organisation_id == actor.organisation_id
    if user.role == "partner":
        return may_see_partner(actor, user.organisation_id)
    if user.role == "candidate":
        return db.session.scalar(
            db.select(Registration.id).where(Registration.candidate_id == user.id,
                                             partner_filter(actor, Registration.partner_id))
            .limit(1)) is not None
    return False


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
