"""Jinja filters that show dates, times and numbers the French way, in Europe/Paris."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from cloe_portal.clock import PARIS, as_utc

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def paris(moment: datetime) -> datetime:
    """A stored UTC datetime in Paris time."""
    return as_utc(moment).astimezone(PARIS)


def fr_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (Paris date for datetimes)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = paris(value).date()
    return value.strftime("%d/%m/%Y")


def _english() -> bool:
    """True when the person chose the English interface (language switch)."""
    from flask import has_request_context, session

    return has_request_context() and session.get("lang") == "en"


def fr_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy à HH:MM in Paris time ("at" in the English interface)."""
    if value is None:
        return "—"
    local = paris(value)
    return f"{local:%d/%m/%Y} {'at' if _english() else 'à'} {local:%H:%M}"


def fr_time(value: datetime | None) -> str:
    """HH:MM in Paris time."""
    return "—" if value is None else f"{paris(value):%H:%M}"


def fr_long_date(value: date | datetime | None) -> str:
    """'jeudi 26 novembre 2026'."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = paris(value).date()
    if _english():
        from babel.dates import format_date

        return format_date(value, "EEEE d MMMM y", locale="en")
    return f"{DAYS_FR[value.weekday()]} {value.day} {MONTHS_FR[value.month - 1]} {value.year}"


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """French number formatting: narrow no-break space for thousands, comma for decimals."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_percent(value: float | None, decimals: int = 0) -> str:
    """A ratio 0–1 as a French percentage."""
    if value is None:
        return "—"
    return f"{fr_number(value * 100, decimals)}\u00a0%"


def ucfirst(text: str) -> str:
    """Capital first letter, the rest untouched (Jinja's capitalize lowercases the rest)."""
    return text[:1].upper() + text[1:] if text else text


def label(text: str | None) -> str | None:
    """A French label from one of the code -> label dictionaries (statuses, languages,
    attendance, verdicts, kinds…), in the interface's language: the English catalogue holds
    them. Empty values stay as they are (gettext("") would return the catalogue header)."""
    if not text:
        return text
    from cloe_portal import _translations

    return _translations().ugettext(text)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(
        fr_date=fr_date,
        fr_datetime=fr_datetime,
        fr_time=fr_time,
        fr_long_date=fr_long_date,
        fr_number=fr_number,
        fr_percent=fr_percent,
        ucfirst=ucfirst,
        label=label,
    )
