"""The written test: starting, serving adaptive items, answering, incidents, finishing, replay.

The server holds the clock. Timing rules (SPEC §6):

- an item's *deadline* is ``served_at + time_limit + ANSWER_GRACE_SECONDS``. ``served_at``
  is when the candidate's countdown starts: the moment the item is served, plus the
  3-second "get ready" pause after the previous item (``WRITTEN_GET_READY_SECONDS``).
  The grace (config, 3 s by default) covers the network latency of the answer sent by the
  browser when its countdown reaches zero;
- the browser hides the item during the pause, so an answer arriving before ``served_at``
  was not given to it: it is refused (``AnswerTooEarly``, HTTP 409) and not recorded. The
  time taken counts from ``served_at``, the end of the pause;
- the time limit is the item's ``time_limit`` or ``rules.scoring.default_time_limit``,
  ×4/3 rounded up with an approved extra-time accommodation; ``ITEM_TIME_LIMIT_OVERRIDE``
  (tests) replaces the final limit;
- an answer arriving after the deadline is kept for audit but recorded ``timed_out``
  (score 0), whatever the browser says; an item left pending past its deadline (tab
  closed, network lost) is closed as ``timed_out`` the next time the attempt is touched;
- only the current item may be answered; answering an item already answered changes
  nothing (idempotent), the row is unique on (attempt, sequence).

Window: the test can be *started* only while the written window is open
(``rules.windows``, with the referent's extension days). An attempt started inside the
window may be finished up to ``LATE_FINISH`` after it closes (a test takes ~50 minutes),
then new items are refused.

Reproducibility: the attempt stores its seed, the item pools (ids and difficulties) as
they were at start, the excluded items and the target level; each response stores the
item as served and what was shown (options and the elements to order in the attempt's own
order, from its ``display_seed``; the form sends positions, the response keeps the bank's
terms). ``replay(attempt)`` recomputes the adaptive path and the section scores from these
alone.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import defer, joinedload, make_transient_to_detached

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.services import record
from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules import cat
from cloe_portal.rules.calendar import paris_date
from cloe_portal.rules.cefr import SECTION_ORDER, SKILL_LABELS_FR, sublevel_for_score
from cloe_portal.rules.scoring import (
    ITEM_TYPES,
    default_time_limit,
    display_seed,
    scaled_time_limit,
    score_response,
    shuffle_for_display,
)
from cloe_portal.rules.text import clean_labelled
from cloe_portal.rules.windows import days_left, window_state, written_window
from cloe_portal.sessions.models import ExamSession, Registration
from cloe_portal.sessions.status import set_status
from cloe_portal.written.models import IntegrityEvent, WrittenAttempt, WrittenResponse

SECTIONS = len(SECTION_ORDER)
LATE_FINISH = timedelta(hours=2)
GET_READY_SECONDS = 3.0
CLIENT_EVENTS = ("tab_hidden", "window_blur", "fullscreen_exit")
MAX_CLIENT_EVENTS = 500  # per attempt: a runaway script must not fill the log
STARTABLE_STATUSES = ("enrolled", "identity_done")
# Incident button (SPEC §6): the candidate restarts a section at most this many times; the
# next incident in that section suspends the attempt until a referent decides.
MAX_CANDIDATE_RESTARTS = 2
# After a referent's decision the written window stays open at least this many more days.
DAYS_AFTER_DECISION = 7


class WrittenError(Exception):
    """A rule refuses the action; the message is French and shown to the user."""


class NotCurrentItem(WrittenError):
    """The answer is for an item that is not the current one."""


class AnswerTooEarly(WrittenError):
    """The answer arrived during the get-ready pause, before the item's clock started."""


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened to a submitted answer: recorded, late (timed out) or duplicate."""

    kind: str
    response: WrittenResponse


# --- registrations and windows ------------------------------------------------------


@dataclass(frozen=True)
class WindowInfo:
    """The written window of a registration as shown to candidates, partners and referents."""

    state: str
    opens_at: datetime
    closes_at: datetime
    days_left: int


def window_info(registration: Registration, now: datetime | None = None) -> WindowInfo:
    """Say whether the registration's written window is open, and until when."""
    now = now or clock.now()
    test_date = registration.session.written_date
    extension = registration.window_extension_days or 0
    window = written_window(test_date, extension)
    return WindowInfo(window_state(now, test_date, extension), window.opens_at,
                      window.closes_at, days_left(now, test_date, extension))


def extend_window(registration: Registration, actor: User, days: int, reason: str) -> None:
    """Give a registration more days to take the written test (referent decision)."""
    if not 1 <= days <= 90:
        raise WrittenError("La prolongation doit être comprise entre 1 et 90 jours.")
    reason, refusal = clean_labelled(reason, "Motif")
    if refusal:
        raise WrittenError(refusal)
    registration.window_extension_days = (registration.window_extension_days or 0) + days
    record(actor, "written.window_extended", registration, reason=reason,
           details={"days": days, "total": registration.window_extension_days})
    db.session.flush()


def attempt_for(registration: Registration) -> WrittenAttempt | None:
    """The live certification attempt of a registration, if started (a cancelled one is not)."""
    return db.session.scalars(
        db.select(WrittenAttempt).where(WrittenAttempt.active_registration_id == registration.id)
    ).first()


def latest_photos(user: User, registration: Registration | None) -> dict[str, CandidatePhoto]:
    """The latest face and ID photos a candidate took for this registration."""
    stmt = db.select(CandidatePhoto).where(CandidatePhoto.user_id == user.id)
    if registration is not None:
        stmt = stmt.where(CandidatePhoto.registration_id == registration.id)
    photos: dict[str, CandidatePhoto] = {}
    for photo in db.session.scalars(stmt.order_by(CandidatePhoto.id)):
        photos[photo.kind] = photo
    return photos


def start_problems(registration: Registration, now: datetime | None = None) -> list[str]:
    """French reasons why the certification test cannot start now (empty when it can)."""
    problems = []
    info = window_info(registration, now)
    if info.state == "not_open":
        problems.append("Votre test écrit n'est pas encore ouvert : il ouvre le jour de votre "
                        "session.")
    elif info.state == "closed":
        problems.append("La période pour passer votre test écrit est terminée. Contactez votre "
                        "organisme de formation : votre référent peut la prolonger.")
    if registration.status == "withdrawn":
        problems.append("Votre organisme de formation a retiré cette inscription : le test "
                        "écrit ne peut plus être passé. Contactez-le pour toute question.")
    elif registration.status not in STARTABLE_STATUSES:
        problems.append("Votre test écrit a déjà été passé pour cette inscription.")
    if _identity_id(registration.candidate_id) is None:
        problems.append("Complétez d'abord le formulaire d'identité.")
    photos = latest_photos(registration.candidate, registration)
    if "face" not in photos or "id_document" not in photos:
        problems.append("Prenez d'abord la photo de votre visage et celle de votre pièce "
                        "d'identité (vérification du matériel).")
    return problems


def _identity_id(user_id: int) -> int | None:
    return db.session.scalar(
        db.select(CandidateIdentity.id).where(CandidateIdentity.user_id == user_id)
    )


# --- starting -------------------------------------------------------------------------


def _pool_items(language: str, pool: str, skill: str | None = None) -> list[Item]:
    stmt = db.select(Item).where(Item.language == language, Item.pool == pool,
                                 Item.status == "live")
    if skill is not None:
        stmt = stmt.where(Item.skill == skill)
    return list(db.session.scalars(stmt.order_by(Item.id)))


def start_certification(registration: Registration, actor: User,
                        now: datetime | None = None) -> WrittenAttempt:
    """Start (or return the already started) written test of a registration."""
    existing = attempt_for(registration)
    if existing is not None:
        return existing
    now = now or clock.now()
    problems = start_problems(registration, now)
    if problems:
        raise WrittenError(" ".join(problems))
    identity = db.session.scalars(
        db.select(CandidateIdentity).where(CandidateIdentity.user_id == registration.candidate_id)
    ).one()
    attempt = create_certification_attempt(registration, identity.snapshot(), now)
    record(actor, "written.started", attempt, details={"registration_id": registration.id})
    return attempt


def create_certification_attempt(registration: Registration, identity_snapshot: dict | None,
                                 now: datetime) -> WrittenAttempt:
    """Freeze the pools, seed and settings of a new certification attempt (no checks)."""
    language = registration.session.language
    pools = {skill: _pool_items(language, "certification", skill) for skill in SECTION_ORDER}
    if any(len(items) < cat.SECTION_LENGTH for items in pools.values()):
        raise WrittenError(
            "Le test ne peut pas commencer : la banque de questions est incomplète pour "
            "cette langue. Contactez votre organisme de formation."
        )
    served = _times_served([item.id for items in pools.values() for item in items])
    # [id, difficulty, times served to all candidates so far]: the last is what a short
    # pool reuses by (rules.cat.least_exposed), frozen here so that a replay agrees.
    snapshot = {skill: [[item.id, item.difficulty, served.get(item.id, 0)] for item in items]
                for skill, items in pools.items()}
    attempt = WrittenAttempt(
        candidate_id=registration.candidate_id,
        registration_id=registration.id,
        mode="certification",
        language=language,
        target_level=registration.target_level,
        seed=secrets.randbelow(2**31 - 1),
        pool_snapshot=snapshot,
        excluded_item_ids=_items_seen_before(registration.candidate_id),
        extra_time=registration.approved("extra_time"),
        identity_snapshot=identity_snapshot,
        started_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    log_event(attempt, "started", now=now)
    return attempt


def _times_served(item_ids: list[int]) -> dict[int, int]:
    """How many times each item was served in certification tests (all candidates)."""
    stmt = (
        db.select(WrittenResponse.item_id, db.func.count(WrittenResponse.id))
        .join(WrittenAttempt, WrittenAttempt.id == WrittenResponse.attempt_id)
        .where(WrittenAttempt.mode == "certification", WrittenResponse.item_id.in_(item_ids))
        .group_by(WrittenResponse.item_id)
    )
    return {item_id: count for item_id, count in db.session.execute(stmt)}


def _items_seen_before(candidate_id: int) -> list[int]:
    """Items this candidate was served in earlier certification attempts (retakes)."""
    stmt = (
        db.select(WrittenResponse.item_id)
        .join(WrittenAttempt, WrittenAttempt.id == WrittenResponse.attempt_id)
        .where(WrittenAttempt.candidate_id == candidate_id,
               WrittenAttempt.mode == "certification", WrittenResponse.item_id.is_not(None))
        .distinct()
    )
    return sorted(db.session.scalars(stmt))


def start_demo(user: User, language: str, now: datetime | None = None) -> WrittenAttempt:
    """Start a demo mini-test: the 7 demo items, one per type, not scored."""
    now = now or clock.now()
    for old in db.session.scalars(
        db.select(WrittenAttempt).where(WrittenAttempt.candidate_id == user.id,
                                        WrittenAttempt.mode == "demo",
                                        WrittenAttempt.status == "in_progress")
    ):
        old.status = "abandoned"
    items = _pool_items(language, "demo") or _pool_items("en", "demo")
    by_type: dict[str, Item] = {}
    for item in items:
        by_type.setdefault(item.type, item)
    ordered = [by_type[t] for t in ITEM_TYPES if t in by_type]
    if not ordered:
        raise WrittenError("Le mini-test démo n'est pas disponible pour le moment.")
    attempt = WrittenAttempt(
        candidate_id=user.id, registration_id=None, mode="demo", language=ordered[0].language,
        target_level="B1", seed=secrets.randbelow(2**31 - 1),
        pool_snapshot={"demo": [[item.id, item.difficulty] for item in ordered]},
        excluded_item_ids=[], extra_time=False, started_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


# --- timing -------------------------------------------------------------------------


def time_limit_for(item: Item, extra_time: bool) -> int:
    """An item's time limit in seconds for this candidate (accommodation, test override)."""
    override = current_app.config.get("ITEM_TIME_LIMIT_OVERRIDE")
    if override:
        return int(override)
    base = item.time_limit or default_time_limit(item.type, item.difficulty)
    return scaled_time_limit(base, extra_time)


def grace() -> timedelta:
    """Latency allowed after the shown limit before an answer counts as timed out."""
    return timedelta(seconds=float(current_app.config.get("ANSWER_GRACE_SECONDS", 3)))


def deadline(response: WrittenResponse) -> datetime:
    """The last instant an answer to this item is accepted (limit + grace)."""
    return response.served_at + timedelta(seconds=response.time_limit) + grace()


def remaining_seconds(response: WrittenResponse, now: datetime | None = None) -> float:
    """Seconds left on the candidate's countdown (0 when over; grace not included)."""
    now = now or clock.now()
    end = response.served_at + timedelta(seconds=response.time_limit)
    return max(0.0, (end - now).total_seconds())


def ready_seconds(response: WrittenResponse, now: datetime | None = None) -> float:
    """Seconds of the "get ready" pause still to run before the countdown starts."""
    now = now or clock.now()
    return max(0.0, (response.served_at - now).total_seconds())


# --- the adaptive path (shared by the live test and the replay) ----------------------------


def _stored_score(response: WrittenResponse) -> float:
    return float(response.score or 0.0)


def _choose_item_id(attempt: WrittenAttempt, section: int, round_: int,
                    history: list[WrittenResponse], score_of: Any = _stored_score) -> int:
    """The item the engine serves next, from the attempt's frozen pool and its history.

    ``history`` is every response already served in the section (all rounds), in order.
    Items of a discarded round stay used, so an incident restart draws new items; when none
    is left, the least exposed is served again (``rules.cat.least_exposed``): this
    candidate's count comes from ``history`` and the earlier attempts, the overall count
    from the pool as frozen at start.
    """
    if attempt.mode == "demo":
        served = {r.item_id for r in history if r.round == round_}
        for item_id, _difficulty in attempt.pool_snapshot["demo"]:
            if item_id not in served:
                return item_id
        raise cat.BankExhausted(None, len(served))
    skill = SECTION_ORDER[section]
    entries = attempt.pool_snapshot[skill]
    pool = cat.ItemPool([e[0] for e in entries], [e[1] for e in entries])
    pairs = [(cat.difficulty_to_b(r.item_difficulty), score_of(r))
             for r in history if r.round == round_]
    rng = cat.step_rng(attempt.seed, section, len(history))
    to_candidate = Counter(r.item_id for r in history)
    to_candidate.update(attempt.excluded_item_ids or ())
    reuse = cat.Exposure(in_round=frozenset(r.item_id for r in history if r.round == round_),
                         to_candidate=to_candidate,
                         overall={e[0]: e[2] for e in entries if len(e) > 2})
    # next_item widens the random bin for a section's first items (exposure control), as
    # measured by benchmarks/cat_simulation.py.
    return int(cat.next_item(pool, pairs, cat.start_theta(attempt.target_level),
                             {r.item_id for r in history}, rng,
                             exclude=attempt.excluded_item_ids, skill=skill, reuse=reuse))


def _section_length(attempt: WrittenAttempt) -> int:
    return len(attempt.pool_snapshot["demo"]) if attempt.mode == "demo" else cat.SECTION_LENGTH


def _section_count(attempt: WrittenAttempt) -> int:
    return 1 if attempt.mode == "demo" else SECTIONS


def _responses(attempt: WrittenAttempt, light: bool = False) -> list[WrittenResponse]:
    """The attempt's responses in order; `light` leaves the JSON columns to load on access
    (the CAT step needs only difficulties and scores, and this runs on every answer)."""
    stmt = (db.select(WrittenResponse).where(WrittenResponse.attempt_id == attempt.id)
            .order_by(WrittenResponse.sequence))
    if light:
        stmt = stmt.options(defer(WrittenResponse.content), defer(WrittenResponse.shown),
                            defer(WrittenResponse.response))
    return list(db.session.scalars(stmt))


def _section_score(attempt: WrittenAttempt, final: list[WrittenResponse],
                   score_of: Any = _stored_score) -> int:
    pairs = [(cat.difficulty_to_b(r.item_difficulty), score_of(r)) for r in final]
    return cat.section_score(pairs, cat.start_theta(attempt.target_level))


# --- serving --------------------------------------------------------------------------


def _close_if_expired(response: WrittenResponse, now: datetime) -> bool:
    """Close a pending item whose deadline passed without an answer; True when closed."""
    if response.status == "pending" and now > deadline(response):
        response.status = "timed_out"
        response.score = 0.0
        return True
    return False


def current_item(attempt: WrittenAttempt, now: datetime | None = None,
                 count_display: bool = False) -> WrittenResponse | None:
    """The item the candidate must answer now, serving the next one when needed.

    Returns None once the attempt is finished (the caller shows the end page).
    ``count_display`` counts the item as shown (``note_display``).
    """
    return current_with_position(attempt, now, count_display)[0]


def current_with_position(attempt: WrittenAttempt, now: datetime | None = None,
                          count_display: bool = False) -> tuple[WrittenResponse | None, int]:
    """``current_item`` and the item's position in its section (1-based)."""
    now = now or clock.now()
    if attempt.status != "in_progress":
        return None, 0
    # Light rows, not ORM objects: this runs on every answer (benchmarks/throughput.py).
    rows = _history(attempt)
    pending = next((r for r in rows if r.status == "pending"), None)
    if pending is not None:
        response = db.session.get(WrittenResponse, pending.id)
        if not _close_if_expired(response, now):
            if count_display:
                note_display(attempt, response, now)
            return response, _position(rows, response.section, response.round)
    if (attempt.mode == "certification" and attempt.registration_id is not None
            and _too_late_to_continue(attempt.registration_id, now)):
        raise WrittenError("La période pour passer votre test écrit est terminée.")
    response = _serve_next(attempt, rows, now, displayed=count_display)
    if response is None:
        return None, 0
    return response, _position(rows, response.section, response.round) + 1


def _core(statement: Any, params: dict, flush: bool = True) -> Any:
    """Run a prebuilt Core statement on the session's connection: no ORM compile step.

    The hot path of the answer round trip uses these; the session is flushed first (unless
    told not to), as its autoflush would before an ORM query."""
    if flush:
        db.session.flush()
    return db.session.connection().execute(statement, params)


_RESPONSE = WrittenResponse.__table__
_HISTORY = (
    sa.select(_RESPONSE.c.id, _RESPONSE.c.sequence, _RESPONSE.c.section, _RESPONSE.c.round,
              _RESPONSE.c.status, _RESPONSE.c.item_id, _RESPONSE.c.item_difficulty,
              _RESPONSE.c.score)
    .where(_RESPONSE.c.attempt_id == sa.bindparam("attempt_id"))
    .order_by(_RESPONSE.c.sequence)
)
_ITEM = Item.__table__
_ITEM_TO_SERVE = sa.select(
    _ITEM.c.id, _ITEM.c.code, _ITEM.c.version, _ITEM.c.difficulty, _ITEM.c.type, _ITEM.c.skill,
    _ITEM.c.content, _ITEM.c.time_limit,
).where(_ITEM.c.id == sa.bindparam("item_id"))
_WINDOW = (
    sa.select(ExamSession.__table__.c.written_date,
              Registration.__table__.c.window_extension_days)
    .join_from(Registration.__table__, ExamSession.__table__,
               ExamSession.__table__.c.id == Registration.__table__.c.session_id)
    .where(Registration.__table__.c.id == sa.bindparam("registration_id"))
)
# Gives way when another request of the same candidate served this sequence first.
_SERVE = {
    name: (dialect_insert(_RESPONSE)
           .on_conflict_do_nothing(index_elements=["attempt_id", "sequence"])
           .returning(_RESPONSE.c.id))
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _history(attempt: WrittenAttempt) -> list[Any]:
    """What the adaptive step and serving read of every served response, in order."""
    return _core(_HISTORY, {"attempt_id": attempt.id}).all()


def _position(rows: list[Any], section: int, round_: int) -> int:
    return sum(1 for r in rows if r.section == section and r.round == round_)


def _too_late_to_continue(registration_id: int, now: datetime) -> bool:
    """True once the written window closed more than LATE_FINISH ago (one small query)."""
    row = _core(_WINDOW, {"registration_id": registration_id}).one_or_none()
    if row is None:
        return False
    window = written_window(row.written_date, row.window_extension_days or 0)
    return window.state(now) == "closed" and now > window.closes_at + LATE_FINISH


def _serve_next(attempt: WrittenAttempt, responses: list[Any], now: datetime,
                displayed: bool = False) -> WrittenResponse | None:
    while True:
        section = attempt.current_section
        in_round = [r for r in responses if r.section == section
                    and r.round == attempt.current_round and r.status != "discarded"]
        if len(in_round) < _section_length(attempt):
            break
        attempt.current_section += 1
        attempt.current_round = 0
        if attempt.current_section >= _section_count(attempt):
            finish(attempt, now)
            return None
    values = _next_values(attempt, responses, section, now, displayed)
    new_id = _core(_SERVE[db.session.connection().dialect.name], values).scalar()
    if new_id is None:
        # Another request of the same candidate served this sequence first: use it.
        return db.session.scalars(
            db.select(WrittenResponse).where(WrittenResponse.attempt_id == attempt.id,
                                             WrittenResponse.sequence == values["sequence"])
        ).one()
    # The row is written; make the object persistent in the session without reading it back.
    response = WrittenResponse(id=new_id, **values)
    make_transient_to_detached(response)
    db.session.add(response)
    return response


def _next_values(attempt: WrittenAttempt, responses: list[Any], section: int, now: datetime,
                 displayed: bool) -> dict[str, Any]:
    """The row of the item the engine serves next in ``section`` (read-only: not written)."""
    history = [r for r in responses if r.section == section]
    item_id = _choose_item_id(attempt, section, attempt.current_round, history)
    item = _core(_ITEM_TO_SERVE, {"item_id": item_id}, flush=False).one()
    sequence = (responses[-1].sequence if responses else 0) + 1
    pause = float(current_app.config.get("WRITTEN_GET_READY_SECONDS", GET_READY_SECONDS))
    return {
        "attempt_id": attempt.id, "sequence": sequence, "section": section,
        "skill": SECTION_ORDER[section] if attempt.mode == "certification" else item.skill,
        "round": attempt.current_round, "item_id": item.id, "item_code": item.code,
        "item_version": item.version, "item_difficulty": item.difficulty,
        "item_type": item.type, "content": item.content,
        "shown": shuffle_for_display(item.type, item.content,
                                     display_seed(attempt.display_seed, item.id)),
        "time_limit": time_limit_for(item, attempt.extra_time), "status": "pending",
        "served_at": now + timedelta(seconds=pause if responses else 0),
        "response": None, "score": None, "answered_at": None, "time_taken": None,
        "submitted_by_timer": False, "audio_plays": 0, "displays": 1 if displayed else 0,
    }


# --- the answer round trip, fast path ---------------------------------------------------------


@dataclass
class AnswerStep:
    """An answer and the next item of the same section, worked out from reads alone.

    ``save_step`` then writes both and commits at once: SQLite holds its write lock from the
    first write to the commit, and another worker that wants it sleeps in SQLite's busy
    handler (1, 2, 5, 10… ms), so the writes come last, back to back. ``next_item`` is not in
    the session until then; render it before saving.
    """

    kind: str
    response_id: int
    answer: dict[str, Any]
    next_values: dict[str, Any]
    next_item: WrittenResponse
    position: int


_ANSWERED = (
    sa.select(_RESPONSE.c.id, _RESPONSE.c.status, _RESPONSE.c.answered_at,
              _RESPONSE.c.served_at, _RESPONSE.c.time_limit, _RESPONSE.c.item_type,
              _RESPONSE.c.content, _RESPONSE.c.shown)
    .where(_RESPONSE.c.attempt_id == sa.bindparam("attempt_id"),
           _RESPONSE.c.sequence == sa.bindparam("sequence"))
)
# Only if still unanswered: of two requests racing with the same answer, one writes it.
_SAVE_ANSWER = (
    sa.update(_RESPONSE)
    .where(_RESPONSE.c.id == sa.bindparam("response_id"), _RESPONSE.c.answered_at.is_(None),
           _RESPONSE.c.status != "discarded")
    .values({column: sa.bindparam(f"new_{column}") for column in (
        "answered_at", "response", "submitted_by_timer", "time_taken", "status", "score")})
)


def plan_answer(attempt: WrittenAttempt, sequence: int, form: Any,
                now: datetime | None = None, by_timer: bool = False) -> AnswerStep | None:
    """The common case of an answer: the current item, answered, and the next item of the
    same section. None for every other case (not the current item, already answered, sent
    during the get-ready pause, end of a section or of the test, window closed): the caller
    then uses ``submit_form`` and ``current_item``, which handle them all."""
    now = now or clock.now()
    if attempt.status != "in_progress":
        return None
    row = _core(_ANSWERED, {"attempt_id": attempt.id, "sequence": sequence},
                flush=False).one_or_none()
    if row is None or row.status != "pending" or row.answered_at is not None:
        return None
    if now < row.served_at:
        return None  # during the get-ready pause: the general path refuses it
    kind, answer = _answer_values(row, parse_answer(row.shown or {}, form), now, by_timer)
    rows = []
    for r in _core(_HISTORY, {"attempt_id": attempt.id}, flush=False):
        if r.id == row.id:  # as it will be once saved
            r = SimpleNamespace(**{**r._asdict(), "status": answer["status"],
                                   "score": answer["score"]})
        rows.append(r)
    section = attempt.current_section
    in_round = _position([r for r in rows if r.status != "discarded"], section,
                         attempt.current_round)
    if in_round >= _section_length(attempt):
        return None
    if (attempt.mode == "certification" and attempt.registration_id is not None
            and _too_late_to_continue(attempt.registration_id, now)):
        return None
    values = _next_values(attempt, rows, section, now, displayed=True)
    return AnswerStep(kind, row.id, answer, values, WrittenResponse(**values),
                      _position(rows, section, attempt.current_round) + 1)


def save_step(step: AnswerStep) -> bool:
    """Write the answer and the next item, and commit; False (nothing saved) if another
    request of the candidate got there first."""
    connection = db.session.connection()
    saved = connection.execute(
        _SAVE_ANSWER, {"response_id": step.response_id,
                       **{f"new_{k}": v for k, v in step.answer.items()}})
    if saved.rowcount != 1 or connection.execute(
            _SERVE[connection.dialect.name], step.next_values).scalar() is None:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def note_display(attempt: WrittenAttempt, response: WrittenResponse,
                 now: datetime | None = None) -> None:
    """Count a full display of an item; showing it again means the candidate came back."""
    response.displays += 1
    if response.displays > 1:
        log_event(attempt, "resumed", sequence=response.sequence, now=now,
                  details={"remaining_seconds": round(remaining_seconds(response, now), 1)})


# --- answering ------------------------------------------------------------------------


def submit_answer(attempt: WrittenAttempt, sequence: int, answer: Any,
                  now: datetime | None = None, by_timer: bool = False) -> AnswerOutcome:
    """Record the answer to item ``sequence``: scored in time, timed out when late."""
    return _record_answer(attempt, _locked_response(attempt, sequence), answer,
                          now or clock.now(), by_timer)


def submit_form(attempt: WrittenAttempt, sequence: int, form: Any,
                now: datetime | None = None, by_timer: bool = False) -> AnswerOutcome:
    """``submit_answer`` with the answer read from the item form (``parse_answer``)."""
    response = _locked_response(attempt, sequence)
    answer = parse_answer(response.shown or {}, form) if response is not None else None
    return _record_answer(attempt, response, answer, now or clock.now(), by_timer)


def _locked_response(attempt: WrittenAttempt, sequence: int) -> WrittenResponse | None:
    return db.session.scalars(
        db.select(WrittenResponse)
        .where(WrittenResponse.attempt_id == attempt.id, WrittenResponse.sequence == sequence)
        .with_for_update()
    ).first()


def _record_answer(attempt: WrittenAttempt, response: WrittenResponse | None, answer: Any,
                   now: datetime, by_timer: bool) -> AnswerOutcome:
    if response is None or response.status == "discarded" or attempt.status != "in_progress":
        raise NotCurrentItem("Cette question n'est plus la question en cours : votre réponse "
                             "n'a pas été enregistrée. Voici la question en cours.")
    if response.answered_at is not None:
        return AnswerOutcome("duplicate", response)
    if response.status == "pending" and now < response.served_at:
        # The browser hides the item during the pause: an answer now was not given to it.
        raise AnswerTooEarly("Réponse envoyée pendant les secondes de préparation : elle n'a "
                             "pas été enregistrée. Répondez quand la question s'affiche.")
    kind, values = _answer_values(response, answer, now, by_timer)
    for column, value in values.items():
        setattr(response, column, value)
    return AnswerOutcome(kind, response)


def _answer_values(response: Any, answer: Any, now: datetime,
                   by_timer: bool) -> tuple[str, dict[str, Any]]:
    """What an answer to an unanswered item writes: scored in time, timed out when late."""
    values = {"answered_at": now, "response": answer, "submitted_by_timer": bool(by_timer),
              "time_taken": round(max(0.0, (now - response.served_at).total_seconds()), 3)}
    if response.status == "timed_out" or now > deadline(response):
        # Kept for audit, never scored: the server's clock decides, not the browser's.
        return "late", {**values, "status": "timed_out", "score": 0.0}
    return "recorded", {**values, "status": "answered",
                        "score": score_response(response.item_type, response.content, answer)}


def expected_response(item_type: str, content: dict) -> Any:
    """The right response to an item, in the response format of FORMAT.md."""
    if item_type == "mcq":
        return content["answer"]
    if item_type == "gap_free":
        return [accepted[0] for accepted in content["answers"]]
    if item_type in ("gap_dropdown", "word_bank"):
        return list(content["answers"])
    if item_type == "word_order":
        return list(content["words"])
    if item_type == "sentence_order":
        return list(range(len(content["sentences"])))
    question = content["question"]
    if question["kind"] == "mcq":
        return question["answer"]
    return [accepted[0] for accepted in question["answers"]]


def _bank_index(order: list | None, position: int | None) -> int | None:
    """The bank's index of the option shown at ``position`` (rules.scoring.shuffle_for_display);
    rows served before options were shuffled have no order: shown in bank order."""
    if position is None or order is None:
        return position
    return order[position] if position < len(order) else None


def current_shape(shown: dict) -> dict:
    """What an item showed, in today's shape (rules.scoring.shuffle_for_display).

    Sentence-order rows served before the chips carried positions kept each sentence with
    its bank index; they get the ``order`` of the others, so they are shown and answered by
    position like them. Their stored responses (bank indexes) need nothing."""
    sentences = shown.get("sentences")
    if (shown.get("type") != "sentence_order" or "order" in shown
            or not isinstance(sentences, list)
            or not all(isinstance(s, dict) for s in sentences)):
        return shown
    first = shown.get("first")
    return {**shown, "first": first.get("text", "") if isinstance(first, dict) else "",
            "order": [s.get("index") for s in sentences],
            "sentences": [s.get("text", "") for s in sentences]}


def parse_answer(shown: dict, form: Any) -> Any:
    """Turn the item form into the response format of FORMAT.md (never raises).

    Options and the elements to order are sent by the position they were shown at and
    stored in the bank's terms (index, or the word), so the page says nothing of the key,
    the response is scored against the key as served and a replay rescores it the same."""
    shown = current_shape(shown)
    item_type = shown.get("type")

    def index(name: str) -> int | None:
        value = (form.get(name) or "").strip()
        return int(value) if value.isdecimal() and len(value) < 4 else None

    def positions(limit: int) -> list[int]:
        return [int(v) for v in form.getlist("order")[:limit] if v.isdecimal() and len(v) < 3]

    def gaps(count: int, as_index: bool = False) -> list:
        values = []
        for i in range(min(int(count or 0), 50)):
            values.append(index(f"gap-{i}") if as_index else (form.get(f"gap-{i}") or "")[:200])
        return values

    if item_type == "mcq":
        return _bank_index(shown.get("order"), index("choice"))
    if item_type == "gap_free":
        return gaps(shown.get("gaps", 0))
    if item_type == "gap_dropdown":
        orders = shown.get("orders") or []
        return [_bank_index(orders[i] if i < len(orders) else None, position)
                for i, position in enumerate(gaps(shown.get("gaps", 0), as_index=True))]
    if item_type == "word_bank":
        return gaps(shown.get("gaps", 0))
    if item_type == "word_order":
        words = shown.get("words") or []
        return [shown.get("first", "")] + [words[p] if p < len(words) else None
                                           for p in positions(50)]
    if item_type == "sentence_order":
        return [0] + [_bank_index(shown.get("order"), p) for p in positions(20)]
    if item_type == "listening":
        question = shown.get("question") or {}
        if question.get("kind") == "mcq":
            return _bank_index(question.get("order"), index("choice"))
        return gaps(question.get("gaps", 0))
    return None


def record_play(attempt: WrittenAttempt, sequence: int) -> int:
    """Count one play of the current listening clip; refuse beyond the allowed plays."""
    response = db.session.scalars(
        db.select(WrittenResponse)
        .where(WrittenResponse.attempt_id == attempt.id, WrittenResponse.sequence == sequence)
        .with_for_update()
    ).first()
    if response is None or response.status != "pending" or response.item_type != "listening":
        raise NotCurrentItem("Cet extrait n'appartient pas à la question en cours.")
    allowed = int(response.shown.get("max_plays", 2))
    if response.audio_plays >= allowed:
        raise WrittenError(f"Vous avez déjà écouté cet extrait {allowed} fois.")
    response.audio_plays += 1
    return allowed - response.audio_plays


# --- incidents and the integrity log ---------------------------------------------------


def log_event(attempt: WrittenAttempt, kind: str, sequence: int | None = None,
              now: datetime | None = None, details: dict | None = None) -> IntegrityEvent:
    """Append an event to the attempt's integrity log."""
    event = IntegrityEvent(attempt_id=attempt.id, at=now or clock.now(), kind=kind,
                           sequence=sequence, details=details)
    db.session.add(event)
    db.session.flush()
    return event


def log_client_event(attempt: WrittenAttempt, kind: str, now: datetime | None = None) -> bool:
    """Store a browser-reported event (tab hidden, blur, fullscreen left); False if ignored."""
    if kind not in CLIENT_EVENTS or attempt.status != "in_progress":
        return False
    count = db.session.scalar(
        db.select(db.func.count(IntegrityEvent.id)).where(IntegrityEvent.attempt_id == attempt.id)
    )
    if count >= MAX_CLIENT_EVENTS:
        return False
    pending = db.session.scalars(
        db.select(WrittenResponse.sequence).where(WrittenResponse.attempt_id == attempt.id,
                                                  WrittenResponse.status == "pending")
    ).first()
    log_event(attempt, kind, sequence=pending, now=now)
    return True


def restart_section(attempt: WrittenAttempt, actor: User, now: datetime | None = None) -> int:
    """Incident button: discard the current section's answers and draw it again.

    The discarded responses stay in the database (marked ``discarded``) for the jury;
    numbering continues. Returns how many responses were discarded.
    """
    now = now or clock.now()
    if attempt.status != "in_progress":
        raise WrittenError("Le test est terminé.")
    section, round_ = attempt.current_section, attempt.current_round
    discarded = _discard_round(attempt, now)
    log_event(attempt, "incident_restart", now=now,
              details={"section": section, "round": round_, "discarded": discarded})
    record(actor, "written.incident_restart", attempt,
           details={"section": section, "discarded": discarded})
    db.session.flush()
    return discarded


def _discard_round(attempt: WrittenAttempt, now: datetime) -> int:
    """Discard the current round of the current section and open the next round."""
    discarded = 0
    for response in _responses(attempt):
        if (response.section == attempt.current_section
                and response.round == attempt.current_round and response.status != "discarded"):
            if response.status == "pending":
                _close_if_expired(response, now)
            response.status = "discarded"
            discarded += 1
    attempt.current_round += 1
    return discarded


def restarts_left(attempt: WrittenAttempt) -> int | None:
    """How many more times the candidate may restart the current section (None: no limit)."""
    if attempt.mode != "certification":
        return None  # the demo mini-test is not scored: it restarts as often as needed
    return max(0, MAX_CANDIDATE_RESTARTS - attempt.current_round)


def report_incident(attempt: WrittenAttempt, actor: User, sequence: int | None = None,
                    now: datetime | None = None) -> str:
    """Incident button: restart the section ("restarted"), or once the candidate has used
    their restarts of this section, suspend the attempt for the referent ("suspended").

    ``sequence`` is the item the candidate saw when pressing the button: when that item was
    already discarded, the request repeats one that was handled (a double click) and changes
    nothing."""
    db.session.refresh(attempt, with_for_update=True)
    if attempt.status == "suspended":
        return "suspended"  # already waiting for the referent: nothing more to do
    if attempt.status != "in_progress":
        raise WrittenError("Le test est terminé.")
    if sequence is not None and db.session.scalar(
            db.select(WrittenResponse.status).where(WrittenResponse.attempt_id == attempt.id,
                                                    WrittenResponse.sequence == sequence)
    ) == "discarded":
        return "restarted"
    if restarts_left(attempt) == 0:
        suspend(attempt, actor, now)
        return "suspended"
    restart_section(attempt, actor, now)
    return "restarted"


def suspend(attempt: WrittenAttempt, actor: User, now: datetime | None = None) -> None:
    """Stop the attempt (no item served, no clock running) until a referent decides; the
    current round is discarded (the incident voids it, whatever the decision)."""
    now = now or clock.now()
    section, incident = attempt.current_section, attempt.current_round + 1
    discarded = _discard_round(attempt, now)
    attempt.status = "suspended"
    attempt.suspended_at = now
    details = {"section": section, "incident": incident, "discarded": discarded}
    log_event(attempt, "suspended", now=now, details=details)
    record(actor, "written.suspended", attempt, details=details)
    _notify_suspension(attempt, section, incident)
    db.session.flush()


def _require_suspended(attempt: WrittenAttempt, reason: str) -> str:
    db.session.refresh(attempt, with_for_update=True)  # two referents deciding at once
    if attempt.status != "suspended":
        raise WrittenError("Ce test n'est pas suspendu : il n'y a pas de décision à prendre.")
    reason = (reason or "").strip()
    if not reason:
        raise WrittenError("Indiquez le motif de la décision.")
    return reason[:1000]


def grant_restart(attempt: WrittenAttempt, actor: User, reason: str,
                  now: datetime | None = None) -> None:
    """Referent decision on a suspended attempt: the candidate goes on, the section restarts."""
    reason = _require_suspended(attempt, reason)
    now = now or clock.now()
    attempt.status = "in_progress"
    attempt.suspended_at = None
    _keep_window_open(attempt.registration, actor, reason, now)
    log_event(attempt, "restart_granted", now=now,
              details={"section": attempt.current_section, "reason": reason})
    record(actor, "written.restart_granted", attempt, reason=reason,
           details={"section": attempt.current_section})
    _notify_decision(attempt, "granted")
    db.session.flush()


def cancel_for_force_majeure(attempt: WrittenAttempt, actor: User, reason: str,
                             extension_days: int = 0, now: datetime | None = None) -> None:
    """Referent decision on a suspended attempt: cancel it (kept as history); the candidate
    may start a new attempt of the same registration, inside a window kept open."""
    reason = _require_suspended(attempt, reason)
    now = now or clock.now()
    attempt.status = "cancelled"
    attempt.active_registration_id = None
    registration = attempt.registration
    if extension_days:
        extend_window(registration, actor, extension_days, reason)
    _keep_window_open(registration, actor, reason, now)
    log_event(attempt, "cancelled", now=now, details={"reason": reason})
    record(actor, "written.cancelled_force_majeure", attempt, reason=reason,
           details={"registration_id": registration.id})
    _notify_decision(attempt, "cancelled")
    db.session.flush()


def _keep_window_open(registration: Registration, actor: User, reason: str,
                      now: datetime) -> None:
    """Extend the written window so it stays open DAYS_AFTER_DECISION more Paris days."""
    window = window_info(registration, now)
    wanted = paris_date(now) + timedelta(days=DAYS_AFTER_DECISION)
    missing = (wanted - paris_date(window.closes_at)).days
    if missing > 0:
        extend_window(registration, actor, missing, reason)


def suspended_attempts(user: User) -> list[WrittenAttempt]:
    """Suspended attempts waiting for this referent's decision (all, for the coordinator)."""
    stmt = (
        db.select(WrittenAttempt)
        .join(Registration, Registration.id == WrittenAttempt.registration_id)
        .where(WrittenAttempt.status == "suspended")
        .options(joinedload(WrittenAttempt.candidate), joinedload(WrittenAttempt.registration)
                 .joinedload(Registration.partner))
        .order_by(WrittenAttempt.suspended_at, WrittenAttempt.id)
    )
    if user.role != "coordinator":
        stmt = stmt.join(Organisation, Organisation.id == Registration.partner_id).where(
            Organisation.referent_centre_id == user.organisation_id)
    return list(db.session.scalars(stmt))


def _centre_staff(registration: Registration) -> list[User]:
    """The referents of the registration's centre (the coordinators when it has none)."""
    centre_id = registration.partner.referent_centre_id
    referents = list(db.session.scalars(
        db.select(User).where(User.role == "referent", User.active.is_(True),
                              User.organisation_id == centre_id).order_by(User.id)))
    return referents or list(db.session.scalars(
        db.select(User).where(User.role == "coordinator", User.active.is_(True))
        .order_by(User.id)))


def _partner_admins(registration: Registration) -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.role == "partner", User.active.is_(True),
                              User.organisation_id == registration.partner_id)
        .order_by(User.id)))


def _notify_suspension(attempt: WrittenAttempt, section: int, incident: int) -> None:
    """Tell the partner's admins and the centre's referents that a test waits for them."""
    from cloe_portal.notifications.mail import queue_email
    from cloe_portal.results.services import absolute_url

    registration = attempt.registration
    context = {"candidate": attempt.candidate, "registration": registration,
               "section": SKILL_LABELS_FR[SECTION_ORDER[section]], "incident": incident,
               "link": absolute_url("written.referent_attempt", attempt_id=attempt.id)}
    key = f"written-suspended:attempt-{attempt.id}:round-{attempt.current_round}"
    for kind, people in (("referent", _centre_staff(registration)),
                         ("partner", _partner_admins(registration))):
        for person in people:
            queue_email(person.email, "written_suspended", kind=f"written-suspended-{kind}",
                        key=f"{key}:{kind}-{person.id}", recipient_id=person.id,
                        to_partner=kind == "partner", **context)


def _notify_decision(attempt: WrittenAttempt, decision: str) -> None:
    """Tell the candidate what the referent decided, and how to go on."""
    from cloe_portal.notifications.mail import queue_email
    from cloe_portal.results.services import absolute_url

    registration = attempt.registration
    link = absolute_url("written.take" if decision == "granted" else "written.overview",
                        **({"attempt_id": attempt.id} if decision == "granted" else {}))
    queue_email(attempt.candidate.email, "written_decision", kind="written-decision",
                key=f"written-decision:attempt-{attempt.id}:{decision}-{attempt.current_round}",
                recipient_id=attempt.candidate_id, candidate=attempt.candidate,
                decision=decision, link=link, window=window_info(registration),
                section=SKILL_LABELS_FR[SECTION_ORDER[attempt.current_section]])


# --- finishing and scores ----------------------------------------------------------------


def finish(attempt: WrittenAttempt, now: datetime | None = None) -> None:
    """Close the attempt; for a certification, store the section scores and move on."""
    now = now or clock.now()
    attempt.status = "finished"
    attempt.finished_at = now
    log_event(attempt, "finished", now=now)
    if attempt.mode != "certification":
        return
    responses = _responses(attempt)
    attempt.section_scores = {
        skill: _section_score(attempt, [r for r in responses if r.section == i
                                        and r.status in ("answered", "timed_out")])
        for i, skill in enumerate(SECTION_ORDER)
    }
    registration = attempt.registration
    if registration is not None:
        registration.written_done_at = now
        if registration.status in STARTABLE_STATUSES:
            set_status(registration, "written_done", actor=attempt.candidate)
    db.session.flush()


def section_scores(registration: Registration) -> dict[str, int] | None:
    """The five section scores (0–100) of a finished written test, else None."""
    attempt = attempt_for(registration)
    if attempt is None or attempt.status != "finished" or not attempt.section_scores:
        return None
    return {skill: int(attempt.section_scores[skill]) for skill in SECTION_ORDER}


def section_levels(scores: dict[str, int] | None) -> dict[str, str] | None:
    """The CEFR sub-level of each section score."""
    if scores is None:
        return None
    return {skill: sublevel_for_score(score) for skill, score in scores.items()}


@dataclass(frozen=True)
class Replay:
    """The outcome of replaying an attempt from its stored data."""

    scores: dict[str, int]
    path_matches: bool
    mismatches: list[int]
    rescored_mismatches: list[int]


def replay(attempt: WrittenAttempt) -> Replay:
    """Recompute the adaptive path and the section scores from stored data only.

    For every served response the engine is asked again which item it would pick (same
    seed, frozen pool, same earlier responses); each answer is rescored from the content
    as served. Nothing is read from the item table.
    """
    responses = _responses(attempt)

    def rescore(response: WrittenResponse) -> float:
        # Unanswered, or answered after the deadline: 0. Otherwise score the stored
        # response against the content as served (key included).
        if response.answered_at is None or response.answered_at > deadline(response):
            return 0.0
        return score_response(response.item_type, response.content, response.response)

    mismatches: list[int] = []
    rescored: list[int] = []
    scores: dict[str, int] = {}
    for section, skill in enumerate(SECTION_ORDER[: _section_count(attempt)]):
        in_section = [r for r in responses if r.section == section]
        for i, response in enumerate(in_section):
            expected = _choose_item_id(attempt, section, response.round, in_section[:i], rescore)
            if expected != response.item_id:
                mismatches.append(response.sequence)
            if response.score is not None and abs(rescore(response) - response.score) > 1e-9:
                rescored.append(response.sequence)
        final = [r for r in in_section if r.status in ("answered", "timed_out")]
        scores[skill] = _section_score(attempt, final, rescore)
    return Replay(scores, not mismatches, mismatches, rescored)


# --- verdicts -------------------------------------------------------------------------------


def set_verdict(attempt: WrittenAttempt, verdict: str, source: str, actor: User | None,
                comment: str | None = None, now: datetime | None = None) -> None:
    """Record the proctoring verdict (referent, or the proctoring service's webhook)."""
    from cloe_portal.written.models import VERDICTS

    if verdict not in VERDICTS:
        raise WrittenError("Avis de surveillance inconnu.")
    comment, refusal = clean_labelled(comment, "Commentaire")
    if refusal:
        raise WrittenError(refusal)
    now = now or clock.now()
    attempt.proctoring_verdict = verdict
    attempt.verdict_source = source
    attempt.verdict_comment = comment[:2000] or None
    attempt.verdict_at = now
    attempt.verdict_by_id = actor.id if actor is not None else None
    log_event(attempt, "verdict", now=now, details={"verdict": verdict, "source": source})
    record(actor, "written.verdict", attempt, reason=attempt.verdict_comment,
           details={"verdict": verdict, "source": source})


def send_item_audio(name: str):  # noqa: ANN201 - a Flask response
    """Send an item's audio file from the item bank's audio folder (no path tricks)."""
    from flask import abort, send_from_directory

    from cloe_portal.itembank.loader import CONTENT_DIR

    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".ogg"):
        abort(404)
    response = send_from_directory(CONTENT_DIR.parent / "audio", name, mimetype="audio/ogg",
                                   max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
