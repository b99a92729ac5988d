"""Whole numbers from URLs: ids and page numbers fit in 32 bits, anything else is ignored.

A number too large for the database is not a database error to report (SQLite raises
OverflowError, PostgreSQL a DataError): it is simply not an id that exists.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def int_arg(name: str, default: Any = None) -> Any:
    """The query-string number `name`, or `default` when absent, malformed or out of range."""
    value = (request.args.get(name) or "").strip()
    if not value.isdecimal() or len(value) > 10:
        return default
    number = int(value)
    return number if number <= MAX_ID else default


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes, capped at MAX_ID: a larger number matches no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
