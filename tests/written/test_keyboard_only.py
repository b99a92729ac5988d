"""The whole written test (50 items, every type) can be taken with the keyboard alone:
focus moves to a control as Tab would, and every action is a key press (Space, Enter,
arrow keys, typing) — no mouse click anywhere."""

from __future__ import annotations

import re

import pytest

from cloe_portal.extensions import db
from cloe_portal.written import services
from cloe_portal.written.models import WrittenAttempt, WrittenResponse
from tests.conftest import browser_login
from tests.written.conftest import answer_form

pytestmark = pytest.mark.browser


def _current(attempt_id: int) -> WrittenResponse:
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id, WrittenResponse.status == "pending")).one()


def _press_on(page, locator, key: str) -> None:
    locator.focus()
    page.keyboard.press(key)


def _choose_with_arrows(page, select, value: str) -> None:
    """Pick an option of a closed <select> with Home + ArrowDown, as a keyboard user does."""
    index = select.evaluate("(s, v) => [...s.options].findIndex(o => o.value === v)", value)
    select.focus()
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert select.input_value() == value


def _answer_with_keyboard(page, response: WrittenResponse) -> None:
    right = services.expected_response(response.item_type, response.content)
    kind = response.item_type
    form = page.locator("[data-answer-form]")
    if kind == "listening":
        _press_on(page, page.locator("[data-play-audio]"), "Enter")
        page.wait_for_function("() => document.querySelector('[data-audio-box]')"
                               ".getAttribute('data-plays-done') !== null")
        kind = "mcq" if response.content["question"]["kind"] == "mcq" else "gap_free"
    values = answer_form(response)  # options are shown in the attempt's own order
    if kind == "mcq":
        _press_on(page, form.locator(f"#choice-{values['choice']}"), "Space")
    elif kind == "gap_free":
        for i, word in enumerate(right):
            form.locator(f"[name=gap-{i}]").focus()
            page.keyboard.type(word)
    elif kind in ("gap_dropdown", "word_bank"):
        for i in range(len(right)):
            _choose_with_arrows(page, form.locator(f"select[name=gap-{i}]"), values[f"gap-{i}"])
    elif kind in ("word_order", "sentence_order"):
        for value in values.getlist("order"):  # the positions shown of the right chips
            _press_on(page, form.locator(f'[data-bank] button.chip[data-value="{value}"]'),
                      "Enter")
    _press_on(page, page.locator("[data-submit]"), "Enter")


def test_written_test_with_the_keyboard_alone(app, page, bank, make_registration):
    app.config.update(WRITTEN_GET_READY_SECONDS=0, ITEM_TIME_LIMIT_OVERRIDE=120)
    registration = make_registration(language="en", target="B2", ready=True)
    browser_login(page, registration.candidate)
    page.goto("/candidat/")
    _press_on(page, page.get_by_role("link", name="Commencer mon test écrit"), "Enter")
    _press_on(page, page.get_by_role("button", name="Commencer le test écrit"), "Enter")
    page.locator("[data-test-zone][data-js-ready]").wait_for()
    attempt_id = int(re.search(r"/tentative/(\d+)", page.url).group(1))
    types = set()
    for _ in range(50):
        response = _current(attempt_id)
        types.add(response.item_type)
        _answer_with_keyboard(page, response)
        page.wait_for_function(
            "s => { const z = document.querySelector('[data-test-zone]');"
            " return !z || (z.dataset.sequence !== s && z.dataset.jsReady === '1'); }",
            arg=str(response.sequence), timeout=15_000)
    db.session.rollback()
    db.session.expire_all()
    attempt = db.session.get(WrittenAttempt, attempt_id)
    assert attempt.status == "finished"
    rows = db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id)).all()
    assert len(rows) == 50 and all(r.score == 1.0 for r in rows), [
        (r.sequence, r.item_type, r.response) for r in rows if r.score != 1.0]
    assert {"mcq", "listening"} <= types and len(types) >= 5
