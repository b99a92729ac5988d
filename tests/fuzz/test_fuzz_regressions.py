"""Regressions found by the form fuzz (each was a 500).

Digits that str.isdigit() accepts but int() does not:

'³'.isdigit() is True and int('³') raises ValueError: every "is it a number?" check in
front of int() must use isdecimal(). Huge digit strings must not reach int() either.
"""

from __future__ import annotations

import pytest

from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration
from cloe_portal.written.models import WrittenAttempt
from tests.conftest import csrf_token

ODD_NUMBERS = ["³", "²5", "¹²³", "٣", "9" * 5000, "⁴⁰⁴"]


@pytest.fixture
def demo(demo_data):
    return demo_data


def demo_client(app, role: str):  # noqa: ANN001, ANN201
    c = app.test_client()
    token = csrf_token(c, "/login")
    assert c.post("/login", data={"email": dict(DEMO_LOGINS)[role], "password": DEMO_PASSWORD,
                                  "csrf_token": token}).status_code == 303
    return c


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_filters_with_odd_digits_are_ignored(demo, value):
    for role in ("partner", "referent"):
        c = demo_client(demo, role)
        for url in (f"/suivi/?session={value}", f"/suivi/?partner={value}",
                    f"/edof/?partner={value}", f"/amenagements/?partner={value}",
                    f"/items/?page={value}", f"/outbox/?page={value}"):
            assert c.get(url).status_code < 500, (role, url)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_written_test_posts_with_odd_digits_are_refused_cleanly(demo, value):
    candidate = demo_client(demo, "candidate")
    user_id = db.session.scalar(db.select(db.func.min(WrittenAttempt.candidate_id)).where(
        WrittenAttempt.candidate.has(email=dict(DEMO_LOGINS)["candidate"])))
    attempt_id = db.session.scalar(db.select(WrittenAttempt.id).where(
        WrittenAttempt.candidate_id == user_id)) if user_id else None
    token = csrf_token(candidate, "/candidat/")
    if attempt_id:
        for action in ("reponse", "ecoute", "incident"):
            response = candidate.post(f"/ecrit/tentative/{attempt_id}/{action}",
                                      data={"csrf_token": token, "sequence": value, "choice": value,
                                            "order": [value, "1"], "gap-0": value})
            assert response.status_code < 500, action
    referent = demo_client(demo, "referent")
    registration_id = db.session.scalar(db.select(db.func.min(Registration.id)))
    token = csrf_token(referent, "/ecrit/referent")
    response = referent.post(f"/ecrit/referent/inscription/{registration_id}/prolonger",
                             data={"csrf_token": token, "days": value, "reason": "test"})
    assert response.status_code < 500


def test_answers_with_odd_digits_parse_to_no_answer():
    from werkzeug.datastructures import MultiDict

    from cloe_portal.written.services import parse_answer

    for value in ODD_NUMBERS:
        form = MultiDict([("choice", value), ("gap-0", value), ("order", value), ("order", "2")])
        assert parse_answer({"type": "mcq"}, form) in (None, 3)
        assert parse_answer({"type": "gap_dropdown", "gaps": 1}, form) in ([None], [3])
        assert parse_answer({"type": "sentence_order"}, form) in ([0, 2], [0, 3, 2])


@pytest.mark.parametrize("value", [" ", "  \t ", "\r\n"])
def test_a_blank_video_link_clears_it_instead_of_failing(demo, value):
    """Found by the fuzz: WTForms' Optional() let " " through and the service raised (500)."""
    from cloe_portal.accounts.models import User

    referent = demo_client(demo, "referent")
    assessor = db.session.scalars(db.select(User).where(User.email == dict(DEMO_LOGINS)["assessor"])).one()
    token = csrf_token(referent, f"/evaluateurs/{assessor.id}")
    response = referent.post(f"/evaluateurs/{assessor.id}/profil",
                             data={"csrf_token": token, "video_link": value})
    assert response.status_code == 303
