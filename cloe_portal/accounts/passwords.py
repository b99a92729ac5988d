"""Password hashing with argon2 (argon2-cffi), the OWASP-recommended algorithm."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# A fixed dummy hash so that unknown emails cost the same time as wrong passwords.
_DUMMY = _hasher.hash("not-a-real-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """Argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; constant work when there is no stored hash."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash parameters are outdated."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def password_problems(password: str) -> list[str]:
    """French messages for a password that is too weak (empty list when acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Au moins {MIN_LENGTH} caractères.")
    if password.isalpha() or password.isdigit():
        problems.append("Mélangez lettres et chiffres ou symboles.")
    return problems


def use_fast_hashing() -> None:
    """Cheap argon2 parameters for the test suite only (thousands of accounts are created)."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY = _hasher.hash("not-a-real-password")
