"""Ordering items (sentence order, word order) do not give their key away in the page: each
chip carries the position it is shown at in this attempt, not its index in the bank, so
"answer 0,1,2,3" does not travel between candidates. The server maps the positions back:
the stored response, the score and the replay stay right whatever order was shown."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import score_response
from cloe_portal.written import services
from cloe_portal.written.models import WrittenResponse
from tests.written.conftest import answer_form
from tests.written.test_answer_path import HTMX, START, TEST_DAY
from tests.written.test_display_order import start_two_attempts

CHIP = re.compile(r'<button type="button" class="chip" data-value="([^"]*)">([^<]*)</button>')
ORDERING = ("sentence_order", "word_order")
# A fixed adaptive path (fixed bank) that serves sentence-order and word-order items, and two
# display seeds that show them in different orders.
CAT_SEED = 5
DISPLAY_SEEDS = (1, 2)


def _chips(page: str) -> list[tuple[str, str]]:
    """(data-value, text) of the chips still to place, in page order."""
    return [(value, html.unescape(text)) for value, text in CHIP.findall(page)]


def _bank_words(item_type: str, content: dict) -> list[str]:
    return list(content["sentences" if item_type == "sentence_order" else "words"])


def _values_by_text(chips: list[tuple[str, str]], right: list[str]) -> list[str]:
    """The chip values a candidate sends who clicks the right elements by their text."""
    used: list[int] = []
    for text in right:
        used.append(next(i for i, (_, t) in enumerate(chips) if t == text and i not in used))
    return [chips[i][0] for i in used]


def _numeric(value: str) -> tuple[int, str]:
    return len(value), value


def _take_test_by_text(app, login, registration, attempt, frozen_clock) -> dict[int, dict]:
    """Answer every item right through the pages; ordering items by the chips' text.
    Returns, per ordering item served, the chips and the values sent."""
    client = app.test_client()
    login(registration.candidate, test_client=client)
    page = client.get(f"/ecrit/tentative/{attempt.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    seen: dict[int, dict] = {}
    while True:
        db.session.expire_all()
        row = db.session.scalars(db.select(WrittenResponse).where(
            WrittenResponse.attempt_id == attempt.id, WrittenResponse.status == "pending")).one()
        if row.item_type in ORDERING:
            chips = _chips(page)
            right = _bank_words(row.item_type, row.content)[1:]
            values = _values_by_text(chips, right)
            seen[row.item_id] = {"type": row.item_type, "chips": chips, "values": values}
            form = MultiDict({"sequence": str(row.sequence)})
            form.setlist("order", values)
        else:
            form = answer_form(row)
        form["csrf_token"] = token
        frozen_clock.advance(timedelta(seconds=4))
        answer = client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=form, headers=HTMX)
        assert answer.status_code == 200
        if answer.headers.get("HX-Redirect"):
            return seen
        page = answer.get_data(as_text=True)


def test_ordering_chips_carry_positions_and_answers_by_text_score_right(
        app, login, bank, make_registration, frozen_clock):
    registrations, attempts = start_two_attempts(app, make_registration, frozen_clock)
    for attempt, seed in zip(attempts, DISPLAY_SEEDS, strict=True):
        attempt.seed, attempt.display_seed = CAT_SEED, seed
    db.session.commit()

    taken = [_take_test_by_text(app, login, registration, attempt, frozen_clock)
             for registration, attempt in zip(registrations, attempts, strict=True)]
    assert taken[0].keys() == taken[1].keys()  # same path: every answer right in both
    assert {s["type"] for s in taken[0].values()} == set(ORDERING)
    sentences = [item_id for item_id, s in taken[0].items() if s["type"] == "sentence_order"]
    # The right answer is not the chips' values sorted ("answer 0,1,2,3")…
    assert [item_id for item_id in sentences for t in taken
            if t[item_id]["values"] == sorted(t[item_id]["values"], key=_numeric)] == []
    # … nor the same values in another attempt: the same item is shown in another order.
    for item_id in sentences:
        assert taken[0][item_id]["chips"] != taken[1][item_id]["chips"]
        assert taken[0][item_id]["values"] != taken[1][item_id]["values"]
    # Each chip says where it is shown (0, 1, 2… in page order), in both ordering types.
    for served in (*taken[0].values(), *taken[1].values()):
        assert [v for v, _ in served["chips"]] == [str(i) for i in range(len(served["chips"]))]

    for attempt in attempts:
        db.session.expire_all()
        assert attempt.status == "finished"
        assert all(r.score == 1.0 for r in attempt.responses)
        for r in attempt.responses:
            # Stored in the bank's terms (FORMAT.md), whatever order was shown.
            assert r.response == services.expected_response(r.item_type, r.content)
        replay = services.replay(attempt)
        assert replay.path_matches and not replay.rescored_mismatches
        assert replay.scores == attempt.section_scores


def test_practice_ordering_chips_carry_positions_and_score_by_text(
        client, login, csrf, bank, make_registration, monkeypatch):
    from cloe_portal.candidates import services as candidate_services
    from cloe_portal.candidates.models import PracticeAnswer

    registration = make_registration()
    login(registration.candidate)
    token = csrf("/candidat/entrainement")
    items = db.session.scalars(db.select(Item).where(
        Item.pool == "practice", Item.language == "en", Item.type.in_(ORDERING))
        .order_by(Item.id)).all()
    assert {i.type for i in items} == set(ORDERING)
    for item in items:
        monkeypatch.setattr(candidate_services, "next_practice_item", lambda *_a, i=item: i)
        page = client.get(f"/candidat/entrainement/{item.skill}").get_data(as_text=True)
        chips = _chips(page)
        assert [v for v, _ in chips] == [str(i) for i in range(len(chips))]
        values = _values_by_text(chips, _bank_words(item.type, item.content)[1:])
        if item.type == "sentence_order":
            assert values != sorted(values, key=_numeric)
        form = MultiDict({"csrf_token": token})
        form.setlist("order", values)
        assert client.post(f"/candidat/entrainement/{item.skill}/{item.id}",
                           data=form).status_code == 200
        answer = db.session.scalars(db.select(PracticeAnswer).where(
            PracticeAnswer.item_id == item.id)).one()
        assert answer.score == 1.0
        assert answer.response == services.expected_response(item.type, item.content)


def test_a_sentence_order_served_before_positions_still_reads_right(
        app, login, bank, make_registration, frozen_clock):
    """A row served before this change kept each sentence with its bank index; shown again
    (resumed) it gets positions like the others, and an answer by text still scores 1."""
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registration = make_registration(written_date=TEST_DAY, ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    row = services.current_item(attempt)
    item = db.session.scalars(db.select(Item).where(
        Item.type == "sentence_order").order_by(Item.id)).first()
    sentences = item.content["sentences"]
    rest = list(range(len(sentences) - 1, 0, -1))  # shown in reverse, as an old row could be
    row.item_id, row.item_type, row.content = item.id, item.type, item.content
    row.shown = {"type": "sentence_order", "prompt": item.content["prompt"],
                 "first": {"index": 0, "text": sentences[0]},
                 "sentences": [{"index": i, "text": sentences[i]} for i in rest]}
    db.session.commit()

    client = app.test_client()
    login(registration.candidate, test_client=client)
    page = client.get(f"/ecrit/tentative/{attempt.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    chips = _chips(page)
    assert [t for _, t in chips] == [sentences[i] for i in rest]
    assert [v for v, _ in chips] == [str(i) for i in range(len(chips))]
    form = MultiDict({"csrf_token": token, "sequence": str(row.sequence)})
    form.setlist("order", _values_by_text(chips, sentences[1:]))
    frozen_clock.advance(timedelta(seconds=4))
    assert client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=form,
                       headers=HTMX).status_code == 200
    db.session.expire_all()
    row = db.session.get(WrittenResponse, row.id)
    assert row.response == list(range(len(sentences)))
    assert row.score == 1.0 == score_response(item.type, item.content, row.response)
