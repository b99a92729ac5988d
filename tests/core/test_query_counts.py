"""SQL per request: each main page of each role issues the same number of queries with
600 candidates and with 5 000 (built by the throughput benchmark's bulk loader)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from cloe_portal.accounts.models import User
from cloe_portal.accounts.user_sessions import open_session
from cloe_portal.extensions import db
from cloe_portal.written.models import WrittenAttempt

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "partner": ["/suivi/", "/sessions/", "/edof/", "/resultats/partenaire"],
    "referent": ["/jury/", "/referent/oraux", "/suivi/", "/amenagements/", "/items/"],
    "assessor": ["/evaluateur/oraux"],
    "candidate": ["/candidat/", "/ecrit/tentative/{attempt}"],
}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("cloe_bench_throughput",
                                                  ROOT / "benchmarks" / "throughput.py")
    module = importlib.util.module_from_spec(spec)
    saved = dict(os.environ)
    try:
        spec.loader.exec_module(module)  # it sets benchmark defaults in os.environ
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module


def _counts(app, bench, monkeypatch, count_queries, candidates: int, main: int) -> dict[str, int]:
    monkeypatch.setattr(bench, "CANDIDATES", candidates)
    monkeypatch.setattr(bench, "MAIN_PARTNER_CANDIDATES", main)
    info = bench.build_database(app)
    attempt = db.session.scalars(db.select(WrittenAttempt).where(
        WrittenAttempt.status == "in_progress").order_by(WrittenAttempt.id)).first()
    users = {"partner": info["partner_admin"], "referent": info["referent"],
             "assessor": info["assessor"], "candidate": attempt.candidate_id}
    counts = {}
    for role, paths in PAGES.items():
        client = app.test_client()
        key = open_session(db.session.get(User, users[role]), "127.0.0.1", "query counts")
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = key  # what a login puts in the cookie
            session["_fresh"] = True
        for path in paths:
            url = path.format(attempt=attempt.id)
            assert client.get(url).status_code == 200, (role, url)  # warm caches
            db.session.expire_all()
            with count_queries() as n:
                assert client.get(url).status_code == 200, (role, url)
            counts[f"{role} {path}"] = n()
    return counts


def test_main_pages_query_count_does_not_grow_with_candidates(app, bench, monkeypatch,
                                                              count_queries):
    small = _counts(app, bench, monkeypatch, count_queries, 600, 200)
    large = _counts(app, bench, monkeypatch, count_queries, 5_000, 2_000)
    assert large == small
    assert max(small.values()) <= 40, small  # and stays low in absolute terms
