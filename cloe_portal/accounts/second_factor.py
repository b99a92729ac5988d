"""Second factor: TOTP codes (RFC 6238, pyotp) and single-use recovery codes (ASVS V2.8, V2.5.6).

Referents and coordinators must use it in production (they sign PVs and see identity
photos); assessors, partners and, outside production, staff may turn it on from their
account page. A code is accepted once (the last accepted time step is kept) within one step
of clock drift; recovery codes are argon2-hashed like passwords and consumed when used.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app

from cloe_portal import clock
from cloe_portal.accounts.models import RecoveryCode, User
from cloe_portal.accounts.passwords import hash_password, verify_password
from cloe_portal.audit.services import record
from cloe_portal.extensions import db

ISSUER = "CLOE Portal"
REQUIRED_ROLES = ("referent", "coordinator")
OFFERED_ROLES = ("coordinator", "referent", "assessor", "partner")
RECOVERY_CODES = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i): 31 symbols, 10 per code
# (~49 bits), shown as two groups of five.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
DRIFT_STEPS = 1
SIX_DIGITS = re.compile(r"[0-9]{6}")  # ASCII digits only (\d also matches other scripts)


class SecondFactorError(Exception):
    """Refused; the message is French and safe to show."""


def offered(user: User) -> bool:
    """May this person use a second factor (candidates do not)?"""
    return user.role in OFFERED_ROLES


def required(user: User) -> bool:
    """Must this person use one before reaching any page (production referents/coordinators)?"""
    return bool(current_app.config.get("PRODUCTION")) and user.role in REQUIRED_ROLES


def pending_secret(user: User) -> str:
    """The secret being enrolled (a new one the first time the page is shown)."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = pyotp.random_base32(length=32)
        db.session.flush()
    return user.totp_pending_secret


def grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(user: User, secret: str) -> str:
    """The otpauth:// URI of `secret` as an inline SVG QR code (the CSP allows img data:)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is `code`, within DRIFT_STEPS of now, else None."""
    if not SIX_DIGITS.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset).encode(), code.encode()):
            return current + offset
    return None


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def _recovery_form(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def _new_recovery_codes(user: User) -> list[str]:
    now = clock.now()
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw), created_at=now))
    db.session.flush()
    return codes


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the second factor on with a right code of the pending secret; the recovery codes."""
    secret = user.totp_pending_secret
    if secret is None:
        raise SecondFactorError("Rechargez la page pour obtenir un nouveau QR code.")
    step = _matching_step(secret, _digits(code), clock.real_now())
    if step is None:
        raise SecondFactorError("Code incorrect : saisissez le code à 6 chiffres affiché "
                                "maintenant par l'application.")
    user.totp_secret, user.totp_pending_secret = secret, None
    user.totp_enabled_at, user.totp_last_step = clock.now(), step
    codes = _new_recovery_codes(user)
    record(user, "account.second_factor_enabled", user)
    return codes


def verify(user: User, code: str) -> str | None:
    """Check a login code: 'totp', 'recovery' (now consumed) or None when wrong or replayed."""
    if not user.totp_enabled:
        return None
    digits = _digits(code)
    if SIX_DIGITS.fullmatch(digits):
        step = _matching_step(user.totp_secret, digits, clock.real_now())
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            return None
        user.totp_last_step = step
        return "totp"
    candidate = _recovery_form(code)
    if not re.fullmatch(f"[{RECOVERY_ALPHABET}]{{10}}", candidate):
        return None
    unused = db.session.scalars(db.select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    for row in unused:
        if verify_password(row.code_hash, candidate):
            row.used_at = clock.now()
            record(user, "account.recovery_code_used", user)
            return "recovery"
    return None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(db.select(db.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _clear(user: User) -> None:
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, code: str) -> None:
    """The person turns an optional second factor off, proving it with a current code."""
    if required(user):
        raise PermissionError("second factor required for this role")
    if verify(user, code) is None:
        raise SecondFactorError("Code incorrect.")
    _clear(user)
    record(user, "account.second_factor_disabled", user)
    db.session.flush()


def new_recovery_codes(user: User, code: str) -> list[str]:
    """Replace the recovery codes (the old ones stop working), proven with a current code."""
    if verify(user, code) is None:
        raise SecondFactorError("Code incorrect.")
    codes = _new_recovery_codes(user)
    record(user, "account.recovery_codes_renewed", user)
    return codes


def reset_by_staff(actor: User, user: User, reason: str) -> None:
    """A referent or the coordinator removes a lost second factor; the person's sessions end."""
    from cloe_portal.accounts.user_sessions import revoke_all

    _clear(user)
    count = revoke_all(user, "second_factor_reset")
    record(actor, "account.second_factor_reset", user, reason=reason, details={"sessions": count})
    db.session.flush()
