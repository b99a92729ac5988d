"""Command line: demo, seed-demo, create-user (plus `db …` from Flask-Migrate, and feature commands)."""

from __future__ import annotations

import importlib
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from cloe_portal import clock
from cloe_portal.democlock.services import refresh as refresh_demo_clock
from cloe_portal.extensions import db


def upgrade_database() -> None:
    """Bring the database schema to the latest migration."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@with_appcontext
def seed_demo_command(reset: bool) -> None:
    """Create the schema through the migrations and load the demo data set."""
    from cloe_portal.demo import DEMO_PASSWORD, demo_logins, seed_demo

    if reset:
        from cloe_portal import import_models

        import_models()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade_database()
    if current_app.config.get("DEMO_CLOCK"):  # CLOE_FAKE_NOW: the demo data is dated from it
        refresh_demo_clock(current_app.config.get("FAKE_NOW"), force=True)
    created = seed_demo()
    if created:
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present (use --reset to start again).")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in demo_logins():
        click.echo(f"  {role:<13} {email}")


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--now", "fake_now", default=None, metavar="2026-12-07T09:05",
              help="Start the demo clock at this Paris time (not in production).")
@click.pass_context
def demo_command(ctx: click.Context, host: str, port: int, fake_now: str | None) -> None:
    """Migrate, load the demo data if needed, print the logins and serve the portal."""
    app = current_app._get_current_object()
    if fake_now:
        if app.config.get("PRODUCTION"):
            raise click.ClickException("--now cannot be used when CLOE_ENV=production.")
        try:
            clock.parse_paris(fake_now)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from None
        app.config["FAKE_NOW"] = fake_now
    if not os.environ.get("BASE_URL"):
        # Email links and certificates must point where this server really answers.
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        app.config["BASE_URL"] = f"http://{shown_host}:{port}"
    ctx.invoke(seed_demo_command, reset=False)
    from werkzeug.serving import run_simple

    click.echo(f"\nCLOE Portal is served on http://{host}:{port}/  (Ctrl+C to stop)")
    click.echo(f"Links in emails and certificates use {app.config['BASE_URL']}")
    if clock.is_simulated():
        click.echo(f"Demo clock: {clock.now().astimezone(clock.PARIS):%Y-%m-%d %H:%M} Paris "
                   "(a referent moves it forward at /demo/horloge)")
    click.echo("")
    # Flask refuses app.run() inside a CLI command: serve with Werkzeug directly.
    run_simple(host, port, app, threaded=True)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(
    ["coordinator", "referent", "partner", "assessor", "candidate"]))
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--organisation-id", type=int, default=None)
@click.option("--password", default=None, help="Omit to email a first-login link instead.")
@with_appcontext
def create_user_command(email, role, first_name, last_name, organisation_id, password) -> None:  # noqa: ANN001
    """Create an account; without --password a first-login link is emailed."""
    from cloe_portal.accounts.models import Organisation, email_exists
    from cloe_portal.accounts.passwords import password_problems
    from cloe_portal.accounts.services import create_user, send_welcome
    from cloe_portal.notifications.mail import deliver_pending

    if email_exists(email):
        raise click.ClickException(f"Un compte existe déjà pour {email}.")
    if password and password_problems(password):
        raise click.ClickException(" ".join(password_problems(password)))
    org = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and org is None:
        raise click.ClickException(f"Organisation {organisation_id} introuvable.")
    user = create_user(email, role, first_name, last_name, org, password)
    if not password:
        send_welcome(user)
    db.session.commit()
    deliver_pending()
    click.echo(f"Created {role} {user.email} (id {user.id}).")


def init_app(app: Flask) -> None:
    """Register the core commands and every feature's `commands` module."""
    from cloe_portal import feature_packages

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    for name in feature_packages():
        try:
            module = importlib.import_module(f"cloe_portal.{name}.commands")
        except ModuleNotFoundError as exc:
            if exc.name != f"cloe_portal.{name}.commands":
                raise
            continue
        for command in getattr(module, "commands", []):
            app.cli.add_command(command)


def main() -> None:
    """Console script `cloe-portal` (same as `flask --app wsgi`)."""
    from cloe_portal import create_app

    cli = FlaskGroup(create_app=lambda: create_app())
    sys.exit(cli.main())
