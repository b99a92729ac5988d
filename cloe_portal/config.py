"""Configuration read from environment variables."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CLOE_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_dir: Path, production: bool) -> str:
    """Return SECRET_KEY from the environment, else one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    if production:
        log.warning("SECRET_KEY not set: generated one in %s; set it explicitly in production", path)
    return key


def database_url(instance_dir: Path) -> str:
    """DATABASE_URL, normalised for SQLAlchemy; SQLite under instance/ by default."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        instance_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_dir / 'cloe.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _refuse(message: str) -> None:
    """Stop the start-up with one clear line (no traceback)."""
    raise SystemExit(f"CLOE Portal: {message}")


def _fake_now(production: bool) -> str | None:
    """CLOE_FAKE_NOW (the demo clock's start), checked; never in production."""
    value = os.environ.get("CLOE_FAKE_NOW", "").strip() or None
    if value is None:
        return None
    if production:
        _refuse("CLOE_FAKE_NOW cannot be used when CLOE_ENV=production; unset it.")
    from cloe_portal.clock import parse_paris

    try:
        parse_paris(value)
    except ValueError as exc:
        _refuse(f"CLOE_FAKE_NOW: {exc}.")
    return value


def _base_url(production: bool) -> str:
    """BASE_URL: required in production (email links and certificates are built from it)."""
    value = os.environ.get("BASE_URL", "").strip()
    if not value and production:
        _refuse("BASE_URL must be set when CLOE_ENV=production (e.g. "
                "BASE_URL=https://cloe.example.fr): email links and the certificates' "
                "verification address are built from it.")
    return (value or DEFAULT_BASE_URL).rstrip("/")


class Config:
    """Settings of a running portal, from the environment."""

    def __init__(self) -> None:
        self.INSTANCE_DIR = INSTANCE_DIR
        production = os.environ.get("CLOE_ENV", "development") == "production"
        self.PRODUCTION = production
        self.SECRET_KEY = _secret_key(INSTANCE_DIR, production)
        self.SQLALCHEMY_DATABASE_URI = database_url(INSTANCE_DIR)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.BASE_URL = _base_url(production)
        # The demo clock (cloe_portal.democlock): any non-production instance may run ahead
        # of the real time, from CLOE_FAKE_NOW or moved forward by a referent.
        self.DEMO_CLOCK = not production
        self.FAKE_NOW = _fake_now(production)
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL")
        self.MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CLOE Portal <no-reply@cloe.local>")
        self.CENTRE_CONTACT = os.environ.get(
            "CENTRE_CONTACT", "Centre d'Étude de Langues — contact@cel.example.fr"
        )
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.BASE_URL.startswith("https://")
        # No "remember me" is offered; were a remember cookie ever set, it would carry the
        # server-side session key (User.get_id) and die with the session.
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; long tests must not expire
        self.BABEL_DEFAULT_LOCALE = "fr"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
        self.LANGUAGES = ("fr", "en")
        self.BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
        self.PASSWORD_TOKEN_MAX_AGE = int(os.environ.get("PASSWORD_TOKEN_MAX_AGE", str(72 * 3600)))
        self.LOCKOUT_THRESHOLD = int(os.environ.get("LOCKOUT_THRESHOLD", "5"))
        self.LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "15"))
        # Server-side login sessions end after this long without a request, and this long
        # after login whatever happens (OWASP ASVS 3.3.2 asks at most 12 h). 60 minutes idle,
        # not ASVS's 30: an assessor fills a grid through a 30-minute oral without a request,
        # and a writing item lasts up to 13 minutes with extra time; a 90-minute written test
        # sends a request per item, so neither limit cuts it.
        self.SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
        self.SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
        self.UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", INSTANCE_DIR / "uploads"))
        self.SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS")
        # Written test: seconds of latency allowed after an item's deadline.
        self.ANSWER_GRACE_SECONDS = float(os.environ.get("ANSWER_GRACE_SECONDS", "3"))
        # Test-only: overrides every item's time limit (browser tests).
        self.ITEM_TIME_LIMIT_OVERRIDE = None
        # Written test: pause before the next item's countdown starts ("préparez-vous").
        self.WRITTEN_GET_READY_SECONDS = float(os.environ.get("WRITTEN_GET_READY_SECONDS", "3"))
        # Proctoring service webhook: HMAC-SHA256 key of the request body; empty disables it.
        self.PROCTORING_WEBHOOK_SECRET = os.environ.get("PROCTORING_WEBHOOK_SECRET", "")
        # Privacy: days after the PV is signed before photos and integrity log are purged.
        self.EVIDENCE_RETENTION_DAYS = int(os.environ.get("EVIDENCE_RETENTION_DAYS", "90"))
        # Partners: years between follow-up audits (after the listing, then the last audit).
        self.PARTNER_AUDIT_YEARS = int(os.environ.get("PARTNER_AUDIT_YEARS", "2"))
        # Appeals: days after the results are first published during which they may be filed.
        self.APPEAL_DAYS = int(os.environ.get("APPEAL_DAYS", "30"))
        self.TESTING = False


class TestConfig(Config):
    """Settings for the test suite: fast hashing, no rate limit surprises, CSRF on."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_uri: str | None = None) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
        if database_uri:
            self.SQLALCHEMY_DATABASE_URI = database_uri
        self.MAIL_SERVER = ""
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.DEMO_CLOCK = False  # a test turns it on; the frozen clock is the tests' own
        # Tests jump the frozen clock by hours or days while a client stays logged in: the
        # sessions' own tests (tests/accounts/test_sessions.py) set the production limits.
        self.SESSION_IDLE_MINUTES = 60 * 24 * 365 * 10
        self.SESSION_MAX_HOURS = 24 * 365 * 10
        self.FAKE_NOW = None
        self.SERVER_NAME = None
