"""The get-ready pause is the server's: an item's clock starts when the 3-second pause after
the previous item ends; an answer sent earlier is refused (409) and not recorded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cloe_portal.extensions import db
from cloe_portal.written import services
from cloe_portal.written.models import WrittenAttempt
from tests.written.conftest import answer_form
from tests.written.test_answer_path import HTMX, START, TEST_DAY, _rows


@pytest.fixture
def second_item(app, bank, make_registration, frozen_clock):
    """An attempt whose first item was answered at START + 5 s: the second is served then,
    its clock starting 3 s later."""
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 3
    registration = make_registration(written_date=TEST_DAY, ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    first = services.current_item(attempt)
    frozen_clock.advance(timedelta(seconds=5))
    services.submit_answer(attempt, first.sequence, None)
    second = services.current_item(attempt)
    db.session.commit()
    return attempt, second


def test_the_clock_and_the_deadline_start_when_the_pause_ends(app, second_item):
    attempt, second = second_item
    served = START + timedelta(seconds=5)
    assert second.served_at == served + timedelta(seconds=3)
    assert services.deadline(second) == (served + timedelta(seconds=3 + second.time_limit)
                                         + services.grace())
    assert services.ready_seconds(second) == 3
    assert services.remaining_seconds(second) == second.time_limit + 3


def test_an_answer_during_the_pause_is_refused_and_not_recorded(app, second_item,
                                                                frozen_clock):
    attempt, second = second_item
    frozen_clock.advance(timedelta(seconds=0.5))
    with pytest.raises(services.AnswerTooEarly):
        services.submit_answer(attempt, second.sequence, None)
    db.session.rollback()
    assert second.answered_at is None and second.status == "pending" and second.score is None
    frozen_clock.advance(timedelta(seconds=2.6))  # 3.1 s after it was served
    outcome = services.submit_answer(attempt, second.sequence, None)
    assert outcome.kind == "recorded" and second.time_taken == pytest.approx(0.1)


def _candidate(app, login, attempt):
    client = app.test_client()
    login(attempt.candidate, test_client=client)
    html = client.get(f"/ecrit/tentative/{attempt.id}").get_data(as_text=True)
    return client, re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_htmx_answer_during_the_pause_gets_409_and_the_same_item(app, login, second_item,
                                                                 frozen_clock):
    attempt, second = second_item
    client, token = _candidate(app, login, attempt)
    form = answer_form(second)
    form["csrf_token"] = token
    frozen_clock(second.served_at - timedelta(seconds=2.5))  # 0.5 s into the pause
    early = client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=form, headers=HTMX)
    html = early.get_data(as_text=True)
    assert early.status_code == 409 and "<html" not in html
    assert f'data-sequence="{second.sequence}"' in html and "pas été enregistrée" in html
    assert 'data-ready="2.50"' in html  # the rest of the pause, then the same item
    rows = _rows(attempt.id)
    assert len(rows) == 2 and rows[1].answered_at is None and rows[1].response is None
    assert rows[1].displays == 1  # the same display goes on: not logged as a resumption

    frozen_clock(second.served_at + timedelta(seconds=0.1))  # 3.1 s after serving
    accepted = client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=form, headers=HTMX)
    assert accepted.status_code == 200
    assert f'data-sequence="{second.sequence + 1}"' in accepted.get_data(as_text=True)
    rows = _rows(attempt.id)
    assert rows[1].status == "answered" and rows[1].score == 1.0
    assert rows[1].time_taken == pytest.approx(0.1)


def test_a_plain_form_answer_during_the_pause_gets_409_too(app, login, second_item,
                                                           frozen_clock):
    attempt, second = second_item
    client, token = _candidate(app, login, attempt)
    frozen_clock(second.served_at - timedelta(seconds=1))
    early = client.post(f"/ecrit/tentative/{attempt.id}/reponse",
                        data={"csrf_token": token, "sequence": str(second.sequence)})
    assert early.status_code == 409 and "pas été enregistrée" in early.get_data(as_text=True)
    assert db.session.get(WrittenAttempt, attempt.id) is not None
    assert _rows(attempt.id)[1].answered_at is None


@pytest.mark.browser
def test_the_page_keeps_the_item_after_a_409_and_does_not_resend(app, page, bank,
                                                                  make_registration):
    from tests.conftest import assert_accessible
    from tests.written.test_written_browser import _current, _fill, _wait_next, open_test

    # A long pause, so that a busy machine (CI runs two suites side by side) cannot let it
    # end before the refused answer and its message are checked.
    attempt_id = open_test(app, page, make_registration, pause=8)

    sent = []

    def skip_the_pause_once(route):
        # A browser whose pause ended too soon: the second item comes with no pause.
        sent.append(route.request.post_data)
        if len(sent) > 1:
            route.continue_()
            return
        response = route.fetch()
        body = re.sub(r'data-ready="[0-9.]+"', 'data-ready="0.00"', response.text())
        route.fulfill(response=response, body=body)

    page.route("**/reponse", skip_the_pause_once)
    first = _current(attempt_id)
    page.locator("[data-answer-form]").wait_for(state="visible", timeout=15_000)
    _fill(page, first)
    page.locator("[data-submit]").click()
    _wait_next(page, first.sequence)
    second = _current(attempt_id)
    _fill(page, second)
    page.locator("[data-submit]").click()  # inside the server's pause: refused
    alert = page.locator("[data-test-zone] .alert", has_text="pas été enregistrée")
    alert.wait_for()
    zone = page.locator("[data-test-zone]")
    assert zone.get_attribute("data-sequence") == str(second.sequence)
    # Shown by the page's script once it has read the refused fragment's pause (not at once).
    expect(page.locator("[data-get-ready]")).to_be_visible()
    assert_accessible(page, "answer refused during the pause")
    page.wait_for_timeout(1500)
    assert len(sent) == 2  # the refused answer is not sent again by the page
    assert _current(attempt_id).answered_at is None

    page.locator("[data-answer-form]").wait_for(state="visible", timeout=15_000)
    _fill(page, second)
    page.locator("[data-submit]").click()
    _wait_next(page, second.sequence)
    rows = _rows(attempt_id)
    assert rows[1].status == "answered" and rows[1].score == 1.0 and rows[1].time_taken > 0
    assert len(sent) == 3
