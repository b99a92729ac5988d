"""Kill the scheduler (kill -9) in the middle of a batch of 500 emails, restart it:
every message reaches the SMTP server, none twice except possibly the one in flight,
which keeps its Message-ID so it can be recognised."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage, SchedulerLease
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


class SlowCollector:
    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        await asyncio.sleep(0.004)
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                self.message_ids.append(line.split(":", 1)[1].strip())
                break
        return "250 OK"


def _tick_process(app, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "SECRET_KEY": "x" * 32,
           "CLOE_INSTANCE_DIR": str(Path(app.config["UPLOAD_DIR"]).parent)}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "tick"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_scheduler_killed_mid_batch_sends_each_message_once(app):
    from aiosmtpd.controller import Controller

    now = clock.now()
    db.session.add_all(
        OutboxMessage(key=f"bulk:{i}", kind="bulk", to_email=f"c{i}@x.fr", subject=f"Message {i}",
                      body_text="Bonjour", status="pending", message_id=make_msgid(domain="cloe.local"),
                      created_at=now, next_attempt_at=now)
        for i in range(500)
    )
    db.session.commit()
    handler = SlowCollector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        first = _tick_process(app, port)
        deadline = time.monotonic() + 60
        while len(handler.message_ids) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        first.stdout.close()
        received_at_kill = len(handler.message_ids)
        assert 150 <= received_at_kill < 500

        # Time passes: the dead process's lease and its in-flight claim expire.
        db.session.remove()
        past = clock.now() - timedelta(seconds=1)
        db.session.execute(db.update(SchedulerLease).values(expires_at=past))
        db.session.execute(db.update(OutboxMessage).where(OutboxMessage.status == "sending")
                           .values(next_attempt_at=past))
        db.session.commit()

        second = _tick_process(app, port)
        output = second.communicate(timeout=120)[0].decode()
        second.stdout.close()
        assert second.returncode == 0, output
    finally:
        controller.stop()

    assert len(set(handler.message_ids)) == 500
    assert len(handler.message_ids) <= 501  # at most the one message in flight at the kill
    db.session.remove()
    statuses = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)).all())
    assert statuses == {"sent": 500}
