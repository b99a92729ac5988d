"""Factories for the written test: a bank, a registration ready to start, answering helpers."""

from __future__ import annotations

from datetime import date

import pytest

from cloe_portal import clock
from cloe_portal.candidates import services as candidate_services
from cloe_portal.extensions import db
from cloe_portal.itembank.loader import load_bank_files
from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200

IDENTITY = {
    "birth_name": "Durand", "usage_name": "", "first_names": "Camille Marie", "gender": "F",
    "birth_date": date(1990, 5, 17), "birth_city": "Lyon", "birth_country": "France",
    "birth_department": "69", "email": "camille@example.fr", "address": "3 rue Neuve",
    "postcode": "69001", "city": "Lyon", "country": "France",
}


@pytest.fixture
def bank(app):
    """The English and French banks loaded into Item."""
    count = load_bank_files(["en", "fr"])
    db.session.commit()
    return count


@pytest.fixture
def make_registration(app, make_user, make_org):
    """A candidate's registration in a session of `language` on `written_date`."""

    def make(candidate=None, written_date: date | None = None, language: str = "en",
             target: str = "B1", extra_time: bool = False, ready: bool = False,
             status: str = "enrolled"):
        if candidate is None:
            cel = make_org("cel")
            candidate = make_user("candidate", org=make_org("partner", referent_centre=cel))
        session = ExamSession(partner_id=candidate.organisation_id, name="Session test",
                              language=language, written_date=written_date or clock.today_paris())
        db.session.add(session)
        db.session.flush()
        registration = Registration(session_id=session.id, candidate_id=candidate.id,
                                    partner_id=candidate.organisation_id, target_level=target,
                                    training_hours=20, status=status)
        db.session.add(registration)
        db.session.flush()
        if extra_time:
            db.session.add(AccommodationRequest(registration_id=registration.id, kind="extra_time",
                                                status="approved"))
        if ready:
            candidate_services.save_identity(candidate, dict(IDENTITY))
            candidate_services.save_photo(candidate, registration, "face", JPEG, "webcam")
            candidate_services.save_photo(candidate, registration, "id_document", PNG, "upload")
        db.session.commit()
        return registration

    return make


def correct_answer(response) -> object:
    """The right response to a served item, in the FORMAT.md response format."""
    from cloe_portal.written.services import expected_response

    return expected_response(response.item_type, response.content)


def answer_form(response, answer: object = "right") -> dict:
    """The item form a candidate sends to give ``answer`` (FORMAT.md response format, in the
    bank's order; "right" for the key) to a served item, through the order it was shown in."""
    from werkzeug.datastructures import MultiDict

    if answer == "right":
        answer = correct_answer(response)
    shown = response.shown or {}
    kind = response.item_type
    form = MultiDict({"sequence": str(response.sequence)})
    if kind == "listening":
        shown = shown.get("question") or {}
        kind = "mcq" if shown.get("kind") == "mcq" else "gap_free"
    if answer is None:
        return form

    def position(order: list | None, index: int) -> int:
        return order.index(index) if order else index

    if kind == "mcq":
        form["choice"] = str(position(shown.get("order"), answer))
    elif kind == "gap_dropdown":
        orders = shown.get("orders") or [None] * len(answer)
        for i, value in enumerate(answer):
            form[f"gap-{i}"] = str(position(orders[i], value))
    elif kind in ("gap_free", "word_bank"):
        for i, value in enumerate(answer):
            form[f"gap-{i}"] = value
    else:  # word_order, sentence_order: the first element is given, the others by position
        form.setlist("order", [str(p) for p in order_positions(response, answer)])
    return form


def order_positions(response, answer: list) -> list:
    """The positions shown of the chips that give ``answer`` (FORMAT.md response format) to
    a served ordering item, in the candidate's order (None for an element not shown)."""
    from cloe_portal.written.services import current_shape

    shown = current_shape(response.shown or {})
    if response.item_type == "sentence_order":
        order = shown.get("order") or []
        return [order.index(i) if i in order else None for i in answer[1:]]
    words, used = list(shown.get("words") or []), []
    for word in answer[1:]:  # a word shown twice: either chip, each once
        free = [p for p, w in enumerate(words) if w == word and p not in used]
        used.append(free[0] if free else None)
    return used
