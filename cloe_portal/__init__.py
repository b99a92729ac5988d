"""CLOE Portal: the application factory."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, render_template, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from cloe_portal import clock
from cloe_portal.config import PROJECT_ROOT, Config
from cloe_portal.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

log = logging.getLogger(__name__)

SQLITE_BUSY_SECONDS = 10.0

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def feature_packages() -> list[str]:
    """Every sub-package of cloe_portal (features register themselves by existing)."""
    import cloe_portal

    return sorted(
        m.name for m in pkgutil.iter_modules(cloe_portal.__path__) if m.ispkg and m.name != "rules"
    )


def import_models() -> None:
    """Import every feature's models so the metadata is complete (migrations, create_all)."""
    for name in feature_packages():
        try:
            importlib.import_module(f"cloe_portal.{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"cloe_portal.{name}.models":
                raise


def _register_blueprints(app: Flask) -> None:
    for name in feature_packages():
        try:
            module = importlib.import_module(f"cloe_portal.{name}.routes")
        except ModuleNotFoundError as exc:
            if exc.name != f"cloe_portal.{name}.routes":
                raise
            continue
        for bp in getattr(module, "blueprints", None) or [module.bp]:
            app.register_blueprint(bp)


def _select_locale() -> str:
    """French by default; the language switch stores the choice in the session."""
    lang = session.get("lang")
    return lang if lang in ("fr", "en") else "fr"


def create_app(config: Any | None = None) -> Flask:
    """Build the Flask app: extensions, blueprints, CLI, error pages, security headers."""
    cfg = config if config is not None else Config()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(cfg.INSTANCE_DIR),
    )
    # Before any route is added: `<int:…>` stops at 2**31 - 1 (a larger id is a 404).
    from cloe_portal.core.params import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(cfg)
    for key, value in vars(cfg).items():
        if key.isupper():
            app.config[key] = value

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, default_timezone="Europe/Paris")
    _install_template_gettext(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Veuillez vous connecter pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    _register_blueprints(app)
    _register_hooks(app)
    _register_errors(app)

    from cloe_portal import cli, formatting

    formatting.init_app(app)
    cli.init_app(app)
    with app.app_context():
        _sqlite_pragmas()
    if app.config.get("SCHEDULER_IN_PROCESS") and not app.config.get("TESTING"):
        # Opt-in for the one-process demo; the DB lease keeps a second process idle.
        from cloe_portal.notifications.schedule import build_scheduler

        build_scheduler(app, blocking=False).start()
    return app


def _translations():  # noqa: ANN202
    """The catalogue of the current locale, looked up once per app/request context.

    Flask-Babel's template `_()` looks up the domain, the context and the locale on every
    call: 13 calls made up half of the written test's item fragment render time
    (benchmarks/throughput.py). Kept in `g` beside Flask-Babel's own cached locale, so both
    live and die together (`g` is emptied at the start of every request)."""
    if not has_app_context():
        return get_translations()
    translations = g.get("_cloe_translations")
    if translations is None:
        translations = g._cloe_translations = get_translations()
    return translations


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


def _sqlite_pragmas() -> None:
    """WAL and a busy timeout on SQLite so a reader never blocks the writer for long."""
    from sqlalchemy import event

    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


class _LazyNav:
    """The navigation entries of the current user, computed when a template iterates them."""

    def __init__(self) -> None:
        self._items: list | None = None

    def __iter__(self):  # noqa: ANN204
        if self._items is None:
            from cloe_portal.core.nav import nav_for

            authenticated = current_user and current_user.is_authenticated
            self._items = nav_for(current_user.role) if authenticated else []
        return iter(self._items)


def _register_hooks(app: Flask) -> None:
    from cloe_portal.accounts import user_sessions
    from cloe_portal.accounts.models import User
    from cloe_portal.democlock.services import refresh as refresh_demo_clock
    from cloe_portal.notifications.mail import deliver_after_request

    @login_manager.user_loader
    def load_user(session_key: str) -> User | None:
        # The cookie holds a server-side session key: logout, a password change,
        # deactivation or "end all sessions" revoke it, and it expires (idle, absolute).
        return user_sessions.load_user(session_key)

    def _fresh_request_state() -> None:
        # `g` outlives a request when the caller holds an app context (tests, CLI):
        # never reuse the previous request's user or CSRF token.
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)

    @app.before_request
    def _demo_clock() -> None:
        # Another worker (or the referent's demo page) may have moved the clock.
        if app.config["DEMO_CLOCK"]:
            refresh_demo_clock(app.config["FAKE_NOW"])

    @app.context_processor
    def inject_layout() -> dict[str, Any]:
        if not has_request_context():  # emails rendered by jobs and the CLI
            return {"nav_items": [], "current_locale": "fr", "demo_clock_now": None}
        # Lazy: htmx fragments never show the navigation, so they never pay for it.
        return {"nav_items": _LazyNav(), "current_locale": str(get_locale()),
                "demo_clock_now": clock.now() if clock.is_simulated() else None}

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(self), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if session.get("_user_id"):  # logged in (read from the cookie, no database query)
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.after_request
    def send_queued_mail(response):  # noqa: ANN001, ANN202
        deliver_after_request()
        return response

    @app.teardown_request
    def _clear(_exc):  # noqa: ANN001, ANN202
        g.pop("outbox_ids", None)


def _register_errors(app: Flask) -> None:
    def render_error(status: int, title: str, message: str):  # noqa: ANN202
        if request.headers.get("HX-Request") == "true":
            return (
                render_template("errors/_error.html", status=status, title=title, message=message),
                status,
            )
        return (
            render_template("errors/error.html", status=status, title=title, message=message),
            status,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(_e):  # noqa: ANN001, ANN202
        return render_error(
            400,
            "Formulaire expiré",
            "Le jeton de sécurité du formulaire est absent ou expiré. Rechargez la page et "
            "renvoyez le formulaire : rien n'a été enregistré.",
        )

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def data_error(_e):  # noqa: ANN001, ANN202
        # A value the database refuses (NUL byte in text, number out of range: DataError on
        # PostgreSQL, OverflowError from SQLite's driver): the input was bad, nothing was
        # stored.
        db.session.rollback()
        return render_error(
            400, "Valeur invalide",
            "Une valeur saisie contient des caractères ou un nombre non acceptés. "
            "Rien n'a été enregistré : corrigez la saisie et réessayez.",
        )

    @app.errorhandler(400)
    def bad_request(_e):  # noqa: ANN001, ANN202
        return render_error(400, "Requête invalide", "La requête n'a pas pu être comprise.")

    @app.errorhandler(401)
    def unauthorised(_e):  # noqa: ANN001, ANN202
        return render_error(401, "Connexion requise", "Votre session a expiré : reconnectez-vous.")

    @app.errorhandler(403)
    def forbidden(_e):  # noqa: ANN001, ANN202
        return render_error(403, "Accès refusé", "Vous n'avez pas accès à cette page.")

    @app.errorhandler(404)
    def not_found(_e):  # noqa: ANN001, ANN202
        return render_error(404, "Page introuvable", "Cette page n'existe pas ou plus.")

    @app.errorhandler(405)
    def not_allowed(_e):  # noqa: ANN001, ANN202
        return render_error(405, "Action non permise", "Cette action n'est pas permise ici.")

    @app.errorhandler(413)
    def too_large(_e):  # noqa: ANN001, ANN202
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_error(
            413, "Fichier trop volumineux", f"Le fichier dépasse la taille maximale de {limit} Mo."
        )

    @app.errorhandler(429)
    def too_many(_e):  # noqa: ANN001, ANN202
        return render_error(
            429,
            "Trop de tentatives",
            "Trop de tentatives en peu de temps. Patientez une minute avant de réessayer.",
        )

    @app.errorhandler(500)
    def server_error(_e):  # noqa: ANN001, ANN202
        db.session.rollback()
        return render_error(
            500,
            "Erreur interne",
            "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez plus tard.",
        )
