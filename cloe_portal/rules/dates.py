"""Dates that people type, and the age rule — pure, no Flask.

Decisions:

- A typed date is either French ``jj/mm/aaaa`` (``/``, ``.`` or ``-`` as separator, one
  or two digits for day and month, spaces around separators tolerated) or ISO
  ``aaaa-mm-jj``, which is also what an ``<input type="date">`` sends. Only ASCII digits
  and a four-digit year: « 01/02/03 » could be three different days.
- A well-formed date that is not in the calendar (31/02/2000, 29/02/2001, 00/01/2000) is
  *impossible*, which is not the same mistake as a text that is not a date at all
  (*format*): each gets its own message.
- Years outside 1900–2100 are refused (*range*): they are typos (« 0990 », « 20000 »),
  and date arithmetic near year 9999 overflows.
- Age: completed years on a given day; someone born on 29 February turns a year older
  on 1 March in common years. Candidates must be adults (« personnes majeures », seed
  000 §1.1): 18 on the day of the written test.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

DateProblemKind = Literal["format", "impossible", "range"]

MIN_YEAR, MAX_YEAR = 1900, 2100
ADULT_AGE = 18

_DMY = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


class DateProblem(ValueError):
    """A typed date that cannot be read; ``kind`` says why (format, impossible, range)."""

    def __init__(self, kind: DateProblemKind, text: str) -> None:
        self.kind = kind
        self.text = text
        messages = {
            "format": f"date « {text[:40]} » non reconnue (attendu jj/mm/aaaa)",
            "impossible": f"date « {text[:40]} » impossible",
            "range": f"date « {text[:40]} » hors de la période admise ({MIN_YEAR}–{MAX_YEAR})",
        }
        super().__init__(messages[kind])


def parse_date(value: str) -> dt.date:
    """Read a date typed jj/mm/aaaa or aaaa-mm-jj; raise DateProblem (format, impossible, range)."""
    text = value.strip()
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        raise DateProblem("format", text)
    try:
        result = dt.date(year, month, day)
    except ValueError:
        raise DateProblem("impossible", text) from None
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise DateProblem("range", text)
    return result


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years between a birth date and a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_adult_on(birth: dt.date, day: dt.date) -> bool:
    """True when someone born on ``birth`` is 18 or older on ``day``."""
    return age_on(birth, day) >= ADULT_AGE
