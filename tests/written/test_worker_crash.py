"""Reliability: the gunicorn worker serving a candidate's written test is killed (kill -9)
mid-test; gunicorn starts a new one and the candidate carries on: no answer already sent
is lost, and the current item keeps its server-side deadline."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cloe_portal.extensions import db
from cloe_portal.written.models import WrittenAttempt, WrittenResponse
from tests.conftest import PASSWORD, free_port
from tests.written.test_written_browser import _current, _fill, _wait_next

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _workers(master_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True,
                         check=False)
    return [int(p) for p in out.stdout.split()]


@pytest.fixture
def gunicorn(app, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "CLOE_INSTANCE_DIR": str(tmp_path),
           "UPLOAD_DIR": str(app.config["UPLOAD_DIR"]), "WRITTEN_GET_READY_SECONDS": "0",
           "BASE_URL": f"http://127.0.0.1:{port}"}
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--timeout", "30", "wsgi:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url, master.pid
    finally:
        master.terminate()
        master.wait(timeout=20)


def test_killed_worker_loses_no_answer_and_keeps_the_timer(app, _playwright, gunicorn, bank,
                                                           make_registration):
    url, master_pid = gunicorn
    registration = make_registration(language="en", target="B1", ready=True)
    context = _playwright.new_context(base_url=url, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Adresse e-mail").fill(registration.candidate.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("networkidle")
        page.goto("/candidat/")
        page.get_by_role("link", name="Commencer mon test écrit").click()
        page.get_by_role("button", name="Commencer le test écrit").click()
        page.locator("[data-test-zone][data-js-ready]").wait_for()
        attempt_id = int(re.search(r"/tentative/(\d+)", page.url).group(1))

        def answer_one() -> None:
            response = _current(attempt_id)
            _fill(page, response)
            page.locator("[data-submit]").click()
            _wait_next(page, response.sequence)

        for _ in range(5):
            answer_one()
        before = _current(attempt_id)
        [worker] = _workers(master_pid)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _workers(master_pid) in ([], [worker]):
            time.sleep(0.2)
        assert _workers(master_pid) and worker not in _workers(master_pid)

        page.reload()  # the candidate refreshes after the glitch
        page.locator("[data-test-zone][data-js-ready]").wait_for()
        zone = page.locator("[data-test-zone]")
        assert int(zone.get_attribute("data-sequence")) == before.sequence  # same item
        remaining = float(zone.get_attribute("data-remaining"))
        assert 0 < remaining < before.time_limit  # the server's deadline, not a fresh timer
        for _ in range(5):
            answer_one()
    finally:
        context.close()

    db.session.rollback()
    db.session.expire_all()
    rows = db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id).order_by(WrittenResponse.sequence)).all()
    answered = [r for r in rows if r.status == "answered"]
    assert [r.sequence for r in answered] == list(range(1, 11))
    assert all(r.score == 1.0 for r in answered)
    assert db.session.get(WrittenAttempt, attempt_id).status == "in_progress"
