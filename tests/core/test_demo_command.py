"""README command 1: `flask --app wsgi demo` migrates, loads the demo data, prints the logins
and really serves the portal (run as a subprocess on a fresh SQLite database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_demo_command_serves_the_portal_with_demo_logins(tmp_path):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k not in ("BASE_URL", "CLOE_FAKE_NOW")},
           "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "CLOE_INSTANCE_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port),
         "--now", "2027-03-08T09:05"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    health = (r.status, r.read())
                    break
            except OSError:
                time.sleep(0.5)
        assert health == (200, b'{"database":"ok","status":"ok"}\n'), health
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:  # noqa: S310
            login_page = r.read().decode()
        assert "Connexion" in login_page
        # The demo clock started at --now, and every page says so.
        assert "Horloge de démonstration :" in login_page
        assert "lundi 8 mars 2027 à 09:0" in login_page
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
        process.stdout.close()
    for email in ("coordinateur@demo.cloe.fr", "partenaire@demo.cloe.fr", "candidat@demo.cloe.fr"):
        assert email in output
    assert "cloe-demo-2026" in output
    # Links in emails and certificates point where this server answers (its --port).
    assert f"Links in emails and certificates use http://127.0.0.1:{port}" in output
    with sqlite3.connect(tmp_path / "demo.sqlite3") as conn:
        bodies = [row[0] for row in conn.execute("SELECT body_text FROM outbox_message")]
        created = conn.execute("SELECT max(created_at) FROM user_account").fetchone()[0]
    links = [b for b in bodies if "http://127.0.0.1:" in b]
    assert links and all(f"http://127.0.0.1:{port}/" in b for b in links)
    assert "http://127.0.0.1:5000" not in "".join(bodies)
    assert created.startswith("2027-03-08")  # the demo data is dated from the demo clock
