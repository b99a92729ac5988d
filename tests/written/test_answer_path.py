"""The answer round trip as the browser drives it (htmx), and its race with a double click.

The htmx answer takes a fast path (services.plan_answer / save_step: reads first, then the
answer and the next item written together); these tests hold it to the same results as
the general path and the replay.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from cloe_portal.extensions import db
from cloe_portal.rules.scoring import score_response
from cloe_portal.written import services
from cloe_portal.written.models import IntegrityEvent, WrittenAttempt, WrittenResponse

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
TEST_DAY = date(2026, 1, 15)
HTMX = {"HX-Request": "true"}


def _rows(attempt_id):
    db.session.expire_all()
    return db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id).order_by(WrittenResponse.sequence)).all()


def _next(html):
    sequence = re.search(r'name="sequence" value="(\d+)"', html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return int(sequence.group(1)), token.group(1)


def test_a_whole_test_over_htmx_is_scored_like_its_replay(app, client, login, csrf, bank,
                                                          make_registration, frozen_clock):
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registration = make_registration(written_date=TEST_DAY, ready=True)
    login(registration.candidate)
    token = csrf("/ecrit/")
    assert client.post("/ecrit/commencer", data={"csrf_token": token}).status_code == 303
    attempt_id = db.session.scalars(db.select(WrittenAttempt.id)).one()
    sequence, token = _next(client.get(f"/ecrit/tentative/{attempt_id}").get_data(as_text=True))
    late_sequence, redirect = 13, None
    while redirect is None:
        shown = _rows(attempt_id)[-1]
        limit = shown.time_limit
        # One answer arrives after the item's deadline; the others in time.
        frozen_clock.advance(timedelta(seconds=limit + 10 if sequence == late_sequence else 4))
        data = MultiDict({"csrf_token": token, "sequence": str(sequence), "choice": "1",
                          "gap-0": "the", "gap-1": "0"})
        response = client.post(f"/ecrit/tentative/{attempt_id}/reponse", data=data,
                               headers=HTMX)
        assert response.status_code == 200
        redirect = response.headers.get("HX-Redirect")
        if redirect is None:
            html = response.get_data(as_text=True)
            new_sequence, token = _next(html)
            assert new_sequence == sequence + 1
            sequence = new_sequence
            # The position in the section and the section shown are the right ones.
            section, position = divmod(sequence - 1, 10)
            assert f"section {section + 1} sur 5" in html
            assert f"question {position + 1} sur 10" in html
            assert ("Le temps imparti était écoulé" in html) == (sequence == late_sequence + 1)
    assert redirect == f"/ecrit/tentative/{attempt_id}/fin"

    rows = _rows(attempt_id)
    attempt = db.session.get(WrittenAttempt, attempt_id)
    assert attempt.status == "finished" and registration.status == "written_done"
    assert [r.sequence for r in rows] == list(range(1, 51))
    assert [r.section for r in rows] == [i // 10 for i in range(50)]
    assert len({r.item_id for r in rows}) == 50
    # Every item shown once (no "resumed" entry), answered once, scored from what was served.
    assert all(r.displays == 1 and r.answered_at is not None for r in rows)
    assert not db.session.scalar(db.select(db.func.count(IntegrityEvent.id)).where(
        IntegrityEvent.kind == "resumed"))
    for r in rows:
        if r.sequence == late_sequence:
            assert r.status == "timed_out" and r.score == 0.0 and r.response is not None
        else:
            assert r.status == "answered"
            assert r.score == score_response(r.item_type, r.content, r.response)
    replay = services.replay(attempt)
    assert replay.path_matches and not replay.rescored_mismatches
    assert replay.scores == attempt.section_scores


@pytest.mark.parametrize("other_serves_next", [False, True])
def test_a_double_click_saves_the_answer_once(app, bank, make_registration, frozen_clock,
                                              other_serves_next):
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registration = make_registration(written_date=TEST_DAY, ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    first = services.current_item(attempt)
    db.session.commit()
    frozen_clock.advance(timedelta(seconds=3))

    step = services.plan_answer(attempt, first.sequence, MultiDict({"choice": "0"}))
    assert step is not None and step.next_values["sequence"] == 2 and step.position == 2
    # The other click's request saves its answer first (and may have served item 2).
    services.submit_answer(attempt, first.sequence, 1)
    if other_serves_next:
        services.current_item(attempt)
    db.session.commit()

    assert services.save_step(step) is False
    rows = _rows(attempt.id)
    assert [(r.sequence, r.status) for r in rows] == (
        [(1, "answered"), (2, "pending")] if other_serves_next else [(1, "answered")])
    assert rows[0].response == 1  # the answer that was saved first stands


def test_answers_past_the_end_of_a_section_or_window_take_the_general_path(
        app, bank, make_registration, frozen_clock):
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registration = make_registration(written_date=TEST_DAY, ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    for _ in range(9):
        current = services.current_item(attempt)
        services.submit_answer(attempt, current.sequence, None)
    tenth = services.current_item(attempt)
    db.session.commit()
    # The last item of a section: the next one opens another section, not planned here.
    assert services.plan_answer(attempt, tenth.sequence, MultiDict()) is None
    services.submit_answer(attempt, tenth.sequence, None)
    eleventh = services.current_item(attempt)
    db.session.commit()
    assert eleventh.section == 1
    # Not the current item, or already answered: the general path answers (409 / duplicate).
    assert services.plan_answer(attempt, tenth.sequence, MultiDict()) is None
    assert services.plan_answer(attempt, 99, MultiDict()) is None
    # Days after the window closed: the general path refuses new items.
    frozen_clock.advance(timedelta(days=40))
    assert services.plan_answer(attempt, eleventh.sequence, MultiDict()) is None


@pytest.mark.browser
def test_a_server_error_on_an_answer_is_sent_again_by_the_browser(app, page, bank,
                                                                 make_registration):
    from tests.written.test_written_browser import _current, _fill, _wait_next, open_test

    attempt_id = open_test(app, page, make_registration)

    failed = []

    def fail_once(route):  # the first answer dies on the way with a 500: nothing saved
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=500, body="Erreur")
        else:
            route.continue_()

    page.route("**/reponse", fail_once)
    first = _current(attempt_id)
    _fill(page, first)
    page.locator("[data-submit]").click()
    page.locator("[data-net-status]", has_text="Erreur du serveur").wait_for()
    _wait_next(page, first.sequence)
    assert failed and page.locator("[data-test-zone]").get_attribute("data-sequence") == "2"
    rows = _rows(attempt_id)
    assert [(r.sequence, r.status) for r in rows] == [(1, "answered"), (2, "pending")]
    assert rows[0].score == 1.0
