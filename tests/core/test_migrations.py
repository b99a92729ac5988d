"""`flask db upgrade` on an empty database gives exactly the models' schema, on both stores."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from cloe_portal import create_app
from cloe_portal.config import TestConfig
from cloe_portal.extensions import db


@pytest.fixture
def empty_database_uri(tmp_path):
    """A brand-new empty database on the store under test."""
    if not os.environ.get("DATABASE_URL"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    from pathlib import Path

    from cloe_portal.config import database_url

    base = database_url(Path("/nonexistent"))
    name = f"cloe_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_upgrade_gives_the_models_schema(empty_database_uri):
    app = create_app(TestConfig(empty_database_uri))
    with app.app_context():
        from cloe_portal.cli import upgrade_database

        upgrade_database()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "include_object": lambda o, n, t, r, c: not (t == "table" and n == "apscheduler_jobs"),
            })
            diff = compare_metadata(context, db.metadata)
            tables = set(db.inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"
    assert {"user_account", "organisation", "registration", "outbox_message"} <= tables


def test_seed_demo_command_creates_schema_and_logins(empty_database_uri, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_uri)
    app = create_app(TestConfig(empty_database_uri))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email in ("coordinateur@demo.cloe.fr", "referent@demo.cloe.fr", "partenaire@demo.cloe.fr",
                  "evaluateur@demo.cloe.fr", "candidat@demo.cloe.fr"):
        assert email in result.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already present" in again.output
    with app.app_context():
        db.engine.dispose()
