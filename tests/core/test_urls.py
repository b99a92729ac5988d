"""id_url builds the same URLs as url_for, one call for a whole list."""

from __future__ import annotations

from flask import url_for

from cloe_portal.core.urls import id_url


def test_id_url_matches_url_for(app):
    with app.test_request_context("/", base_url="http://portal.test/prefix"):
        url = id_url("partners.candidate", "candidate_id")
        for candidate_id in (1, 42, 1_987_654_321, 10**12):
            assert url(candidate_id) == url_for("partners.candidate", candidate_id=candidate_id)
        assert url(7).startswith("/prefix/")


def test_id_url_also_fills_a_query_argument(app):
    with app.test_request_context("/"):
        url = id_url("partners.dashboard", "session", status="enrolled")
        assert url(12) == url_for("partners.dashboard", status="enrolled", session=12)
