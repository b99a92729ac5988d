"""Shared fixtures: one app per run, a clean database per test, factories, login, SMTP, browser.

The same suite runs on SQLite (default, a file under the run's tmp dir) and on PostgreSQL
when DATABASE_URL is set.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cloe_portal import clock, create_app
from cloe_portal.accounts import passwords
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import create_user
from cloe_portal.config import TestConfig, database_url
from cloe_portal.democlock.services import reset_cache as reset_demo_clock
from cloe_portal.extensions import db, limiter

PASSWORD = "Mot-de-passe-2026"  # noqa: S105 - test accounts only
passwords.use_fast_hashing()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL when DATABASE_URL is set, else a SQLite file for this run.

    Under pytest-xdist each worker gets a database of its own: the SQLite file lives in the
    worker's tmp dir; on PostgreSQL `<database>_<worker>` is created afresh beside
    DATABASE_URL's."""
    if os.environ.get("DATABASE_URL"):
        url = database_url(Path("/nonexistent"))
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _worker_database(url: str, worker: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(database_uri: str, tmp_path_factory: pytest.TempPathFactory):
    """The application, with a fresh schema for the run."""
    config = TestConfig(database_uri)
    config.UPLOAD_DIR = tmp_path_factory.mktemp("uploads")
    application = create_app(config)
    with application.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _wipe() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # DELETE (children first) and a restart of the id sequences: the same result as
        # TRUNCATE … RESTART IDENTITY, which takes ~90 ms on 33 mostly empty tables (new
        # files for each) against ~12 ms for this.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            sequences = conn.execute(text(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()")).scalars().all()
            if sequences:
                conn.execute(text("; ".join(f'ALTER SEQUENCE "{name}" RESTART'
                                            for name in sequences)))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts from empty tables, a real clock and no rate limits."""
    if "app" not in request.fixturenames:
        clock.set_now(None)
        yield
        clock.set_now(None)
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        _wipe()
        limiter.reset()
        clock.set_now(None)
        reset_demo_clock()
        saved = dict(app.config)
        yield
        app.config.clear()
        app.config.update(saved)
        db.session.rollback()
        db.session.remove()
    clock.set_now(None)
    reset_demo_clock()


class _DemoSnapshot:
    """The demo data set as rows and files, taken after one real `seed_demo()` per run.

    Seeding runs the real services (written tests simulated through the adaptive engine,
    PDFs rendered, …) and takes 7-8 s; about 45 tests start from it. Later tests get the
    same rows back, their datetimes moved by the time elapsed since, and the files the seed
    wrote. A change of day reseeds (the seed also writes plain dates relative to today)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] | None = None
        self.files: dict[Path, bytes] = {}
        self.taken_at = None
        self.taken_on = None  # the Paris day: the seed's plain dates are relative to it

    @staticmethod
    def _files(root: Path) -> dict[Path, float]:
        return {p: p.stat().st_mtime for p in root.rglob("*") if p.is_file()}

    def seed(self, app) -> None:  # noqa: ANN001
        from cloe_portal.demo import seed_demo

        upload_dir = Path(app.config["UPLOAD_DIR"])
        before = self._files(upload_dir)
        assert seed_demo() is True
        db.session.commit()
        self.files = {p: p.read_bytes() for p, mtime in self._files(upload_dir).items()
                      if before.get(p) != mtime}
        self.taken_at, self.taken_on = clock.now(), clock.today_paris()
        with db.engine.connect() as conn:
            self.rows = {
                table.name: [dict(row) for row in conn.execute(
                    table.select().order_by(*table.primary_key.columns)).mappings()]
                for table in db.metadata.sorted_tables
            }

    # Rows whose datetimes are sealed by a hash (the certificate ledger hashes recorded_at
    # and a revocation's revoked_at): copied as they were, or the chain would break.
    SEALED = frozenset({"certificate", "certificate_ledger"})

    def restore(self) -> None:
        from datetime import datetime, timedelta

        shift = clock.now() - self.taken_at
        for path, content in self.files.items():
            if not path.exists() or path.read_bytes() != content:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                rows = self.rows[table.name]
                if not rows:
                    continue
                moved = timedelta(0) if table.name in self.SEALED else shift
                conn.execute(table.insert(), [
                    {k: v + moved if isinstance(v, datetime) else v for k, v in row.items()}
                    for row in rows])
                pk = list(table.primary_key.columns)
                if postgres and len(pk) == 1 and pk[0].autoincrement in (True, "auto"):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', "
                        f"'{pk[0].name}'), (SELECT max(\"{pk[0].name}\") FROM \"{table.name}\"))"))

    def load(self, app) -> None:  # noqa: ANN001
        if self.rows is None or clock.today_paris() != self.taken_on:
            self.seed(app)
        else:
            self.restore()


_demo_snapshot = _DemoSnapshot()


@pytest.fixture
def demo_data(app):
    """The demo data set (`flask seed-demo`), in an otherwise empty database."""
    _demo_snapshot.load(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def make_org(app) -> Callable[..., Organisation]:
    counter = iter(range(1, 10**6))

    def make(kind: str = "partner", status: str = "active", name: str | None = None,
             referent_centre: Organisation | None = None) -> Organisation:
        n = next(counter)
        org = Organisation(kind=kind, status=status, name=name or f"Organisme {kind} {n}",
                           city="Lyon", postcode="69001", address=f"{n} rue de la Paix",
                           referent_centre=referent_centre)
        db.session.add(org)
        db.session.flush()
        return org

    return make


@pytest.fixture
def make_user(app, make_org) -> Callable[..., User]:
    counter = iter(range(1, 10**6))

    def make(role: str = "candidate", org: Organisation | None = None, email: str | None = None,
             password: str | None = PASSWORD, first_name: str = "Alex",
             last_name: str | None = None) -> User:
        n = next(counter)
        if org is None and role in ("partner", "candidate"):
            org = make_org("partner")
        elif org is None:
            org = make_org("cel", name=f"CEL {n}")
        user = create_user(email or f"{role}{n}@test.cloe.fr", role, first_name,
                           last_name or f"Test{n}", org, password)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client) -> Callable[..., object]:
    """Log a user in through the real login form."""

    def do(user: User, password: str = PASSWORD, test_client=None):
        c = test_client or client
        response = c.post("/login", data={"email": user.email, "password": password,
                                          "csrf_token": csrf_token(c, "/login")})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response

    return do


def csrf_token(test_client, path: str) -> str:
    """Fetch a page and read the CSRF token from its <meta> tag."""
    import re

    html = test_client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no csrf meta tag on {path}"
    return match.group(1)


@pytest.fixture
def csrf(client) -> Callable[[str], str]:
    return lambda path="/login": csrf_token(client, path)


@pytest.fixture
def frozen_clock() -> Callable:
    """Freeze the portal clock: frozen_clock(datetime) / frozen_clock.advance(timedelta)."""

    class Frozen:
        def __call__(self, moment):
            clock.set_now(moment)
            return moment

        def advance(self, delta: timedelta):
            return clock.advance(delta)

    yield Frozen()
    clock.set_now(None)


# --- SMTP --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collector:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        from email import message_from_bytes, policy

        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app) -> Iterator[_Collector]:
    """A real SMTP server (aiosmtpd) on loopback; the app is pointed at it."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield handler
    finally:
        controller.stop()


# --- browser -----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
    "--no-sandbox",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="session")
def browser_available() -> bool:
    ok = shutil.which("chromium") is not None or Path(CHROMIUM).exists()
    if not ok and os.environ.get("CLOE_REQUIRE_BROWSER"):
        pytest.fail("Chromium is required (CLOE_REQUIRE_BROWSER is set) but /usr/bin/chromium is missing")
    return ok


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the app from a thread on a loopback port for the browser."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def _playwright(browser_available):
    if not browser_available:
        pytest.skip("Chromium not installed: apt-get install -y chromium (see README)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_playwright, live_server):
    """A fresh browser context (camera + microphone allowed) on the live server."""
    context = _playwright.new_context(
        base_url=live_server, permissions=["camera", "microphone"], locale="fr-FR",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.console_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def browser_login(page, user: User, password: str = PASSWORD) -> None:
    """Log in through the real form in the browser."""
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def assert_accessible(page, context: str = "") -> None:
    """axe-core (RGAA-tagged rules) finds no serious or critical violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in bad
    )
    assert not bad, f"accessibility violations on {context or page.url}:\n{details}"


def today() -> date:
    return clock.today_paris()


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements: `with count_queries() as n: ...; n()`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
