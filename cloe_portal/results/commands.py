"""CLI: check the certificate ledger."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cloe_portal.results.services import verify_ledger


@click.command("verify-ledger")
@with_appcontext
def verify_ledger_command() -> None:
    """Check the hash chain of the certificate ledger and every certificate against it."""
    report = verify_ledger()
    if report.ok:
        click.echo(f"Registre intègre : {report.entries} entrées, "
                   f"{report.certificates} certificats vérifiés.")
        return
    for problem in report.problems:
        click.echo(problem, err=True)
    raise SystemExit(1)


commands = [verify_ledger_command]
