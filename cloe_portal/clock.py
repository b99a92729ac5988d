"""The one source of time. Tests set it; code never calls datetime.now() directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_override: Callable[[], datetime] | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    if _override is not None:
        return _override()
    return datetime.now(UTC)


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
