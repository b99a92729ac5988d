"""`flask --app wsgi backup` and `restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cloe_portal.extensions import db
from cloe_portal.maintenance.backup import BackupError, backup, restore


@click.command("backup")
@click.option("--to", "target", default="backups", type=click.Path(file_okay=False),
              help="Folder receiving the dump and the uploads archive.")
@with_appcontext
def backup_command(target: str) -> None:
    """Back up the database and the private uploads."""
    try:
        files = backup(current_app.config["SQLALCHEMY_DATABASE_URI"],
                       Path(current_app.config["UPLOAD_DIR"]), Path(target))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in files:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@click.command("restore")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
@click.option("--uploads", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(dump: str, uploads: str | None, yes: bool) -> None:
    """Replace the database (and uploads) with a backup made by `backup`."""
    if not yes:
        click.confirm("This replaces the current database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(dump),
                Path(current_app.config["UPLOAD_DIR"]), Path(uploads) if uploads else None)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("restored")


commands = [backup_command, restore_command]
