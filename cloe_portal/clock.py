"""The one source of time. Tests set it; code never calls datetime.now() directly.

Two ways to move it: tests freeze it (`set_now`), and a non-production instance may run on
a demo clock (`set_offset`, kept in the database by `cloe_portal.democlock` so that every
worker and the scheduler agree): the real time plus an offset, so time still flows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_override: Callable[[], datetime] | None = None
_offset = timedelta(0)


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    if _override is not None:
        return _override()
    return datetime.now(UTC) + _offset


def real_now() -> datetime:
    """The time that really passes: the machine's (or the tests' frozen) time, without the
    demo clock's offset. Security timers use it — session idle and lifetime, the second
    factor's codes, lock-outs — so moving the demo clock forward neither logs everyone out
    nor breaks the codes an authenticator app computes; the demo clock's offset is computed
    from it too."""
    if _override is not None:
        return _override()
    return datetime.now(UTC)


def set_offset(delta: timedelta) -> None:
    """Run the clock `delta` ahead of the real time (the demo clock); 0 for the real time."""
    global _offset
    _offset = delta


def offset() -> timedelta:
    """How far ahead of the real time the demo clock runs."""
    return _offset


def is_simulated() -> bool:
    """True when the demo clock runs ahead of the real time (shown in a banner)."""
    return _override is None and _offset != timedelta(0)


def today_paris() -> date:
    """Today's date in Europe/Paris."""
    return now().astimezone(PARIS).date()


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or unfreeze with None."""
    global _override
    if moment is None:
        _override = None
        return
    if moment.tzinfo is None:
        raise ValueError("clock.set_now needs an aware datetime")
    frozen = moment.astimezone(UTC)
    _override = lambda: frozen  # noqa: E731


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezing it at now() first if needed)."""
    set_now(now() + delta)
    return now()


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime from a naive-UTC (as SQLite returns) or aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_paris(text: str) -> datetime:
    """Read `2026-12-07T09:05` (Paris time unless an offset is given) as an aware UTC time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date and time (expected e.g. 2026-12-07T09:05, Paris time)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return as_utc(moment)
