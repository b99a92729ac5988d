"""`flask --app wsgi load-item-bank [LANG...]`: load the shipped bank files into the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.rules.scoring import LANGUAGES


def _load(languages: list[str]) -> int:
    """Upsert the shipped files with the written test's loader (one loading code path)."""
    from cloe_portal.itembank.loader import BankFileError, load_bank_files

    try:
        return load_bank_files(languages or None)
    except BankFileError as exc:
        raise click.ClickException(f"Rien n'a été chargé :\n{exc}") from exc


@click.command("load-item-bank")
@click.argument("languages", nargs=-1, type=click.Choice(LANGUAGES))
@with_appcontext
def load_item_bank_command(languages: tuple[str, ...]) -> None:
    """Upsert the shipped item bank files (all languages, or those given); all or nothing."""
    try:
        changed = _load(list(languages))
    except click.ClickException:
        db.session.rollback()
        raise
    record(
        None,
        "item.load_files",
        object_type="item",
        details={"languages": list(languages) or list(LANGUAGES), "changed": changed},
    )
    db.session.commit()
    click.echo(f"Banque d'items chargée : {changed} question(s) créée(s) ou modifiée(s).")


commands = [load_item_bank_command]
