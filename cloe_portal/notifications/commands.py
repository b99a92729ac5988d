"""`flask --app wsgi scheduler` (the one long-running scheduler) and `tick` (one beat)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from cloe_portal import clock
from cloe_portal.extensions import db


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the notification scheduler in the foreground (one per install; see deploy/)."""
    from cloe_portal.notifications.schedule import build_scheduler, holder_id, release_lease

    app = current_app._get_current_object()
    scheduler = build_scheduler(app, blocking=True)
    click.echo(f"CLOE scheduler started as {holder_id()} (Ctrl+C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        with app.app_context():
            release_lease(holder_id())


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run the scheduled notifications once now (cron-style alternative to `scheduler`)."""
    from cloe_portal.notifications.schedule import acquire_lease, holder_id, tick

    if not acquire_lease(holder_id()):
        raise click.ClickException("Un autre planificateur est actif : rien n'a été lancé.")
    counts = tick(clock.now())
    db.session.commit()
    for name, n in counts.items():
        click.echo(f"{name}: {n}")


commands = [scheduler_command, tick_command]
