"""Options are shown in each attempt's own order (MCQ, drop-down, listening MCQ), so "the
answer is B" does not travel between candidates; the key, the score and the replay stay
right whatever order was shown."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import display_seed, score_response, shuffle_for_display
from cloe_portal.written import services
from cloe_portal.written.models import WrittenResponse
from tests.written.conftest import answer_form
from tests.written.test_answer_path import HTMX, START, TEST_DAY

LABEL = re.compile(r'<label for="choice-(\d+)">([^<]*)</label>')


def _first_mcq_seed(attempt) -> tuple[int, Item]:
    """A CAT seed whose first vocabulary item is an MCQ (fixed bank: deterministic)."""
    for seed in range(500):
        attempt.seed = seed
        item = db.session.get(Item, services._choose_item_id(attempt, 0, 0, []))  # noqa: SLF001
        if item.type == "mcq" and len(item.content["options"]) >= 3:
            return seed, item
    raise AssertionError("no MCQ opens the vocabulary section")


def _order(item: Item, seed: int) -> list[int]:
    return shuffle_for_display(item.type, item.content, display_seed(seed, item.id))["order"]


def start_two_attempts(app, make_registration, frozen_clock) -> tuple[list, list]:
    """Two candidates' certification attempts started on the test day, without the pause."""
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registrations = [make_registration(written_date=TEST_DAY, ready=True) for _ in range(2)]
    return registrations, [services.start_certification(r, r.candidate) for r in registrations]


def test_two_attempts_see_the_same_item_in_different_orders_and_both_score_right(
        app, login, bank, make_registration, frozen_clock):
    registrations, attempts = start_two_attempts(app, make_registration, frozen_clock)
    cat_seed, item = _first_mcq_seed(attempts[0])
    # Same adaptive path (same first item); display seeds that order its options differently.
    other = next(s for s in range(2, 500) if _order(item, s) != _order(item, 1))
    for attempt, seed in zip(attempts, (1, other), strict=True):
        attempt.seed, attempt.display_seed = cat_seed, seed
    db.session.commit()

    key_text = item.content["options"][item.content["answer"]]
    shown_orders = []
    for registration, attempt in zip(registrations, attempts, strict=True):
        client = app.test_client()
        login(registration.candidate, test_client=client)
        page = client.get(f"/ecrit/tentative/{attempt.id}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        options = [html.unescape(text).strip() for _, text in LABEL.findall(page)]
        shown_orders.append(options)
        # The candidate clicks the right option by its text, wherever it is shown.
        frozen_clock.advance(timedelta(seconds=4))
        answer = client.post(f"/ecrit/tentative/{attempt.id}/reponse", headers=HTMX, data={
            "csrf_token": token, "sequence": "1", "choice": str(options.index(key_text))})
        assert answer.status_code == 200
        db.session.expire_all()
        first = db.session.scalars(db.select(WrittenResponse).where(
            WrittenResponse.attempt_id == attempt.id, WrittenResponse.sequence == 1)).one()
        assert first.item_id == item.id and first.score == 1.0
        assert first.response == item.content["answer"]  # stored as the bank's index
        assert first.shown["options"] == options == [item.content["options"][i]
                                                     for i in first.shown["order"]]
        # The rest of the test, answered right through the forms as shown; the referent's
        # replay gives the same scores from the stored data alone.
        while (current := services.current_item(attempt)) is not None:
            frozen_clock.advance(timedelta(seconds=4))
            services.submit_form(attempt, current.sequence, answer_form(current))
        db.session.commit()
        assert all(r.score == 1.0 for r in attempt.responses)
        replay = services.replay(attempt)
        assert replay.path_matches and not replay.rescored_mismatches
        assert replay.scores == attempt.section_scores
    assert shown_orders[0] != shown_orders[1]
    assert sorted(shown_orders[0]) == sorted(item.content["options"])


def _by_text(shown: dict, content: dict) -> MultiDict:
    """The form of a candidate who picks the right options by their text."""
    form = MultiDict()
    if shown["type"] == "gap_dropdown":
        for i, (choices, answer) in enumerate(zip(content["choices"], content["answers"],
                                                  strict=True)):
            form[f"gap-{i}"] = str(shown["choices"][i].index(choices[answer]))
    else:
        question = content.get("question", content)
        options = shown.get("question", shown)["options"]
        form["choice"] = str(options.index(question["options"][question["answer"]]))
    return form


@pytest.mark.parametrize("item_type", ["mcq", "gap_dropdown", "listening"])
def test_every_shuffled_type_is_scored_against_the_bank_key(app, bank, item_type):
    items = db.session.scalars(db.select(Item).where(Item.type == item_type)).all()
    items = [i for i in items if item_type != "listening" or i.content["question"]["kind"] == "mcq"]
    assert items
    moved = 0
    for item in items:
        for seed in (3, 4):
            shown = shuffle_for_display(item.type, item.content, display_seed(seed, item.id))
            response = services.parse_answer(shown, _by_text(shown, item.content))
            assert response == services.expected_response(item.type, item.content)
            assert score_response(item.type, item.content, response) == 1.0
            moved += shown != shuffle_for_display(item.type, item.content, 0)
    assert moved > len(items)  # most items are shown in another order to another attempt


def test_practice_options_follow_the_candidate_not_the_bank(client, login, csrf, bank,
                                                            make_registration, make_user):
    from cloe_portal.candidates.models import PracticeAnswer

    items = db.session.scalars(db.select(Item).where(
        Item.pool == "practice", Item.type == "mcq", Item.skill == "vocabulary")).all()
    registration = make_registration()
    login(registration.candidate)
    user_id = registration.candidate_id
    # Not bank order for everyone: the order depends on the candidate.
    assert any(_order(item, user_id) != _order(item, user_id + 1) for item in items)
    item = items[0]
    shown = shuffle_for_display(item.type, item.content, display_seed(user_id, item.id))
    token = csrf("/candidat/entrainement")
    client.post(f"/candidat/entrainement/vocabulary/{item.id}",
                data={"csrf_token": token, **_by_text(shown, item.content)})
    assert db.session.scalars(db.select(PracticeAnswer)).one().score == 1.0
