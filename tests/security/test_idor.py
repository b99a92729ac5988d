"""No user reaches another organisation's or person's objects by changing an id in a URL.

Generated from what the portal really links to: each user of a pair crawls the pages
reachable from its own home with the demo data set loaded; every page of the first whose
path names an object by number, and that the second did not reach itself, is requested
by the second and must answer 403 or 404. Routes added later are covered as soon as a
page links to them; the last test checks that object routes are exercised.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from cloe_portal.demo import DEMO_PASSWORD
from cloe_portal.extensions import db
from tests.crawl import crawl, object_urls

PAIRS = [
    # (role, owner email, intruder email)
    ("partner", "partenaire@demo.cloe.fr", "admin@atlantique.demo.cloe.fr"),
    ("partner", "admin@atlantique.demo.cloe.fr", "partenaire@demo.cloe.fr"),
]


@pytest.fixture
def demo(demo_data):
    return demo_data


def _client(app, email: str):
    from tests.conftest import csrf_token

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 303, email
    return client


def _candidates_with_history(limit: int = 2) -> list[str]:
    """Candidates at different steps, furthest first: one with results, then one whose oral
    is booked (its booking and cancellation pages name the registration), and so on. Once
    the oral is over, the oral page rightly links to no booking action any more."""
    from cloe_portal.accounts.models import User
    from cloe_portal.sessions.models import Registration

    order = ["results_issued", "oral_booked", "awaiting_jury", "oral_done", "written_done"]
    found: list[str] = []
    for status in order:
        stmt = (db.select(User.email).join(Registration, Registration.candidate_id == User.id)
                .where(Registration.status == status).order_by(User.id))
        email = next((e for e in db.session.scalars(stmt) if e not in found), None)
        if email is not None:
            found.append(email)
        if len(found) >= limit:
            return found
    return found


def _assessors_with_orals() -> list[str]:
    """Assessors who have assessed or booked orals (their day view links to them)."""
    from cloe_portal.accounts.models import User
    from cloe_portal.orals.models import OralBooking, OralSlot

    stmt = (db.select(User.email).join(OralSlot, OralSlot.assessor_id == User.id)
            .join(OralBooking, OralBooking.slot_id == OralSlot.id)
            .group_by(User.email).order_by(db.func.count().desc(), User.email))
    return list(db.session.scalars(stmt))


def _check_pair(app, owner: str, intruder: str) -> tuple[int, list[str]]:
    owner_pages = crawl(_client(app, owner), "/")
    intruder_client = _client(app, intruder)
    intruder_pages = crawl(intruder_client, "/")
    leaks = []
    targets = sorted(object_urls(owner_pages) - set(intruder_pages))
    for url in targets:
        status = intruder_client.get(url).status_code
        if status not in (403, 404):
            leaks.append(f"{intruder} got {status} on {owner}'s {url}")
    return len(targets), leaks


@pytest.mark.parametrize(("role", "owner", "intruder"), PAIRS)
def test_staff_side_users_cannot_reach_each_others_objects(app, demo, role, owner, intruder):
    checked, leaks = _check_pair(app, owner, intruder)
    assert leaks == []
    assert checked >= 1, f"{owner} reaches no object page: the crawl found nothing to check"


def test_assessors_cannot_reach_each_others_orals(app, demo):
    assessors = _assessors_with_orals()
    assert len(assessors) >= 2, assessors
    first, second = assessors[:2]
    total = 0
    for owner, intruder in ((first, second), (second, first)):
        checked, leaks = _check_pair(app, owner, intruder)
        assert leaks == []
        total += checked
    assert total >= 1, "no assessor object page found by the crawl"


def test_candidates_cannot_reach_each_others_objects(app, demo):
    first, second = _candidates_with_history()
    total = 0
    for owner, intruder in ((first, second), (second, first), (first, "candidat@demo.cloe.fr")):
        checked, leaks = _check_pair(app, owner, intruder)
        assert leaks == []
        total += checked
    assert total >= 1


def test_object_routes_are_reached_by_the_crawl(app, demo):
    """Most routes with an id are exercised above: a route no page links to is a smell."""
    reached: set[str] = set()
    emails = [o for _, o, _ in PAIRS] + _candidates_with_history() + _assessors_with_orals() + [
        "referent@demo.cloe.fr", "coordinateur@demo.cloe.fr"]
    adapter = app.url_map.bind("localhost")
    for email in emails:
        for url in crawl(_client(app, email), "/", limit=250):
            try:
                endpoint, _ = adapter.match(url.split("?")[0], method="GET")
            except Exception:  # noqa: BLE001, S112 - redirects and 405s are not routes to count
                continue
            reached.add(endpoint)
    object_routes = {
        r.endpoint for r in app.url_map.iter_rules()
        if "GET" in r.methods and any(
            isinstance(r._converters[a], IntegerConverter) for a in r.arguments)  # noqa: SLF001
    }
    covered = object_routes & reached
    assert len(covered) >= 0.5 * len(object_routes), sorted(object_routes - reached)
