"""Signed, expiring, single-use links for first login and password reset.

The token carries the user's password stamp: setting a password changes the stamp, so a
link works once; itsdangerous' timestamp gives the expiry.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from cloe_portal.accounts.models import User
from cloe_portal.extensions import db

SALT = "cloe-password-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _stamp(user: User) -> int:
    return int(user.password_changed_at.timestamp() * 1e6) if user.password_changed_at else 0


def make_password_token(user: User, purpose: str) -> str:
    """A token for `purpose` ('welcome' or 'reset')."""
    return _serializer().dumps({"u": user.id, "s": _stamp(user), "p": purpose})


def read_password_token(token: str, purpose: str) -> tuple[User | None, str | None]:
    """(user, None) for a valid token, else (None, French reason)."""
    max_age = current_app.config["PASSWORD_TOKEN_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return None, "Ce lien a expiré. Demandez un nouveau lien de réinitialisation."
    except BadSignature:
        return None, "Ce lien n'est pas valide."
    if not isinstance(data, dict) or data.get("p") != purpose:
        return None, "Ce lien n'est pas valide."
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        return None, "Ce lien n'est pas valide."
    if data.get("s") != _stamp(user):
        return None, "Ce lien a déjà été utilisé. Demandez un nouveau lien si nécessaire."
    return user, None
