"""CLI: run the evidence purge by hand (the scheduler runs it at every tick)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cloe_portal.extensions import db
from cloe_portal.privacy.services import purge_due, retention_days


@click.command("purge-evidence")
@with_appcontext
def purge_evidence_command() -> None:
    """Delete photos and integrity logs whose retention after the PV has passed."""
    count = purge_due()
    db.session.commit()
    click.echo(f"Preuves purgées pour {count} dossier(s) (conservation : {retention_days()} jours "
               "après la signature du procès-verbal).")


commands = [purge_evidence_command]
