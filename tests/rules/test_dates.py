"""Typed dates and the adults-only rule (rules.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from cloe_portal.rules.dates import DateProblem, age_on, is_adult_on, parse_date


@pytest.mark.parametrize(("text", "expected"), [
    ("29/02/2000", date(2000, 2, 29)), ("2000-02-29", date(2000, 2, 29)),
    ("1/3/1990", date(1990, 3, 1)), ("01.03.1990", date(1990, 3, 1)),
    ("01-03-1990", date(1990, 3, 1)), (" 01 / 03 / 1990 ", date(1990, 3, 1)),
])
def test_french_and_iso_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "kind"), [
    ("31/02/2000", "impossible"), ("29/02/2001", "impossible"), ("00/01/2000", "impossible"),
    ("2000-02-30", "impossible"), ("32/01/2000", "impossible"),
    ("", "format"), ("hier", "format"), ("01/02/03", "format"), ("01/02-2003", "format"),
    ("2000/02/01", "format"), ("١/٢/٢٠٠٠", "format"), ("275760-09-13", "format"),
    ("01/01/1899", "range"), ("01/01/2101", "range"),
])
def test_refused_dates_say_why(text, kind):
    with pytest.raises(DateProblem) as info:
        parse_date(text)
    assert info.value.kind == kind


def test_age_and_leap_day_birthdays():
    assert age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18
    assert not is_adult_on(date(2008, 6, 16), date(2026, 6, 15))
    assert is_adult_on(date(2008, 6, 15), date(2026, 6, 15))
