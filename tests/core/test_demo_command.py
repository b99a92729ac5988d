"""README command 1: `flask --app wsgi demo` migrates, loads the demo data, prints the logins
and really serves the portal (run as a subprocess on a fresh SQLite database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_demo_command_serves_the_portal_with_demo_logins(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "CLOE_INSTANCE_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
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
            assert "Connexion" in r.read().decode()
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
        process.stdout.close()
    for email in ("coordinateur@demo.cloe.fr", "partenaire@demo.cloe.fr", "candidat@demo.cloe.fr"):
        assert email in output
    assert "cloe-demo-2026" in output
