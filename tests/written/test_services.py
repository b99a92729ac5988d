"""Written test rules: deadlines, idempotency, windows, accommodation timing, incidents, replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import default_time_limit
from cloe_portal.written import services
from cloe_portal.written.models import IntegrityEvent, WrittenResponse
from tests.written.conftest import correct_answer

# 10:00 in Paris on the test day (winter: UTC+1).
START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
TEST_DAY = date(2026, 1, 15)


@pytest.fixture
def attempt(app, bank, make_registration, frozen_clock):
    frozen_clock(START)
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    registration = make_registration(written_date=TEST_DAY, ready=True)
    started = services.start_certification(registration, registration.candidate)
    db.session.commit()
    return started


def _rows(attempt):
    return db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt.id).order_by(WrittenResponse.sequence)).all()


def test_answer_in_time_is_scored_and_late_answer_is_timed_out_but_kept(app, attempt, frozen_clock):
    app.config["ANSWER_GRACE_SECONDS"] = 3
    first = services.current_item(attempt)
    frozen_clock.advance(timedelta(seconds=first.time_limit + 2.9))  # inside the grace
    outcome = services.submit_answer(attempt, first.sequence, correct_answer(first))
    assert outcome.kind == "recorded" and first.status == "answered" and first.score == 1.0

    second = services.current_item(attempt)
    frozen_clock.advance(timedelta(seconds=second.time_limit + 3.5))  # past the grace
    outcome = services.submit_answer(attempt, second.sequence, correct_answer(second),
                                     by_timer=False)
    assert outcome.kind == "late"
    assert second.status == "timed_out" and second.score == 0.0
    assert second.response == correct_answer(second)  # kept for audit
    assert second.time_taken == pytest.approx(second.time_limit + 3.5)


def test_item_left_pending_past_deadline_is_closed_when_candidate_returns(attempt, frozen_clock):
    first = services.current_item(attempt)
    frozen_clock.advance(timedelta(minutes=10))
    nxt = services.current_item(attempt)
    assert first.status == "timed_out" and first.score == 0.0 and first.response is None
    assert nxt.sequence == 2 and nxt.status == "pending"


def test_double_submission_is_idempotent(attempt, frozen_clock):
    first = services.current_item(attempt)
    frozen_clock.advance(timedelta(seconds=5))
    services.submit_answer(attempt, first.sequence, correct_answer(first))
    db.session.commit()
    again = services.submit_answer(attempt, first.sequence, None)
    assert again.kind == "duplicate"
    assert first.score == 1.0 and first.response == correct_answer(first)
    assert len(_rows(attempt)) == 1


def test_answer_to_another_item_is_refused(attempt):
    services.current_item(attempt)
    with pytest.raises(services.NotCurrentItem):
        services.submit_answer(attempt, 7, 0)


def test_time_limits_follow_item_accommodation_and_override(app, bank, make_registration,
                                                            frozen_clock):
    frozen_clock(START)
    registration = make_registration(written_date=TEST_DAY, ready=True, extra_time=True)
    attempt = services.start_certification(registration, registration.candidate)
    served = services.current_item(attempt)
    item = db.session.get(Item, served.item_id)
    base = item.time_limit or default_time_limit(item.type, item.difficulty)
    assert served.time_limit == -(-base * 4 // 3)
    # The accommodated candidate's answer at base + 5 s is still in time.
    frozen_clock.advance(timedelta(seconds=base + 5))
    assert services.submit_answer(attempt, served.sequence, None).kind == "recorded"

    app.config["ITEM_TIME_LIMIT_OVERRIDE"] = 7
    assert services.current_item(attempt).time_limit == 7


def test_get_ready_pause_delays_the_next_countdown(app, attempt, frozen_clock):
    app.config["WRITTEN_GET_READY_SECONDS"] = 3
    first = services.current_item(attempt)
    services.submit_answer(attempt, first.sequence, 0)
    second = services.current_item(attempt)
    assert second.served_at == START + timedelta(seconds=3)
    assert services.ready_seconds(second) == 3
    assert services.remaining_seconds(second) == second.time_limit + 3


def test_window_rules(app, bank, make_registration, frozen_clock):
    registration = make_registration(written_date=TEST_DAY, ready=True)
    frozen_clock(datetime(2026, 1, 14, 22, 59, tzinfo=UTC))  # 23:59 Paris, the day before
    assert services.window_info(registration).state == "not_open"
    with pytest.raises(services.WrittenError, match="pas encore ouvert"):
        services.start_certification(registration, registration.candidate)
    frozen_clock(datetime(2026, 2, 13, 22, 59, tzinfo=UTC))  # 30th day (15 Jan + 29), 23:59
    assert services.window_info(registration).days_left == 1
    frozen_clock(datetime(2026, 2, 13, 23, 0, 1, tzinfo=UTC))  # closed
    with pytest.raises(services.WrittenError, match="terminée"):
        services.start_certification(registration, registration.candidate)
    services.extend_window(registration, registration.candidate, 7, "Hospitalisation")
    assert services.window_info(registration).state == "open"
    assert services.start_certification(registration, registration.candidate).id


def test_cannot_start_without_identity_and_photos(bank, make_registration, frozen_clock):
    frozen_clock(START)
    registration = make_registration(written_date=TEST_DAY)
    problems = services.start_problems(registration)
    assert any("identité" in p for p in problems) and any("photo" in p for p in problems)
    with pytest.raises(services.WrittenError):
        services.start_certification(registration, registration.candidate)


def _answer_all(attempt, frozen_clock, wrong_every: int = 3):
    n = 0
    while (response := services.current_item(attempt)) is not None:
        n += 1
        frozen_clock.advance(timedelta(seconds=4))
        answer = None if n % wrong_every == 0 else correct_answer(response)
        services.submit_answer(attempt, response.sequence, answer)
    return n


def test_full_test_with_incident_then_replay_gives_same_scores(app, attempt, frozen_clock):
    # Three items of vocabulary, then an incident: the section starts again with new items.
    for _ in range(3):
        response = services.current_item(attempt)
        frozen_clock.advance(timedelta(seconds=4))
        services.submit_answer(attempt, response.sequence, correct_answer(response))
    pending = services.current_item(attempt)
    discarded = services.restart_section(attempt, attempt.candidate)
    assert discarded == 4
    fresh = services.current_item(attempt)
    assert fresh.sequence == 5 and fresh.round == 1  # numbering continues
    first_round_items = {r.item_id for r in _rows(attempt) if r.status == "discarded"}
    assert pending.item_id in first_round_items and fresh.item_id not in first_round_items

    _answer_all(attempt, frozen_clock)
    db.session.commit()
    registration = attempt.registration
    assert registration.status == "written_done" and registration.written_done_at is not None
    scores = services.section_scores(registration)
    assert set(scores) == {"vocabulary", "grammar", "expressions", "reading", "listening"}
    active = [r for r in _rows(attempt) if r.status != "discarded"]
    assert len(active) == 50 and all(r.score is not None for r in active)
    assert db.session.scalar(db.select(db.func.count(IntegrityEvent.id)).where(
        IntegrityEvent.kind == "incident_restart")) == 1

    # Edit and retire items after the test: replay uses only what was stored.
    for response in active[:10]:
        item = db.session.get(Item, response.item_id)
        item.content = {**item.content, "prompt": "changed"}
        item.difficulty = 100 - item.difficulty
        item.status = "retired"
        item.version += 1
    db.session.commit()
    replayed = services.replay(attempt)
    assert replayed.path_matches, replayed.mismatches
    assert replayed.rescored_mismatches == []
    assert replayed.scores == scores


def test_replay_detects_a_tampered_score(attempt, frozen_clock):
    _answer_all(attempt, frozen_clock)
    scores = services.section_scores(attempt.registration)
    victim = next(r for r in _rows(attempt) if r.skill == "grammar" and r.score == 1.0)
    victim.score = 0.0
    assert services.replay(attempt).rescored_mismatches == [victim.sequence]
    # The replay rescores from the content as served, so the tampering does not change it.
    assert services.replay(attempt).scores == scores


def test_audio_plays_twice_and_no_more(attempt, frozen_clock):
    _answer_until(attempt, frozen_clock, "listening")
    response = services.current_item(attempt)
    assert services.record_play(attempt, response.sequence) == 1
    assert services.record_play(attempt, response.sequence) == 0
    with pytest.raises(services.WrittenError, match="2 fois"):
        services.record_play(attempt, response.sequence)


def _answer_until(attempt, frozen_clock, skill):
    while (response := services.current_item(attempt)).skill != skill:
        frozen_clock.advance(timedelta(seconds=2))
        services.submit_answer(attempt, response.sequence, None)


def test_client_events_are_logged_with_the_current_question(attempt):
    response = services.current_item(attempt)
    assert services.log_client_event(attempt, "tab_hidden")
    assert not services.log_client_event(attempt, "something_else")
    event = db.session.scalars(db.select(IntegrityEvent).where(
        IntegrityEvent.kind == "tab_hidden")).one()
    assert event.sequence == response.sequence


def test_started_test_may_finish_shortly_after_the_window_closes_not_days_later(attempt,
                                                                                frozen_clock):
    closes = services.window_info(attempt.registration).closes_at
    first = services.current_item(attempt)
    frozen_clock(closes + timedelta(minutes=30))
    services.submit_answer(attempt, first.sequence, None)
    assert services.current_item(attempt).sequence == 2  # 30 min late: still served
    frozen_clock(closes + timedelta(days=2))
    with pytest.raises(services.WrittenError, match="terminée"):
        services.current_item(attempt)
