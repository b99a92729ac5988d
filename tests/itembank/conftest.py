"""Item bank factories: items in the FORMAT.md shape, and a logged-in referent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item

MCQ_CONTENT = {"prompt": "Choose the right word.", "options": ["cup", "chair", "key"], "answer": 0}


def item_dict(code: str, **overrides: Any) -> dict:
    """A valid mcq item (FORMAT.md shape) whose fields can be overridden."""
    data = {
        "code": code,
        "language": code.split("-")[0],
        "skill": "vocabulary",
        "type": "mcq",
        "difficulty": 50,
        "time_limit": None,
        "domains": [],
        "pool": "certification",
        "content": dict(MCQ_CONTENT),
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_item(app) -> Callable[..., Item]:
    counter = iter(range(1, 10**6))

    def make(code: str | None = None, status: str = "live", **overrides: Any) -> Item:
        language = overrides.get("language", "en")
        data = item_dict(code or f"{language}-voc-{next(counter):03d}", **overrides)
        item = Item(
            code=data["code"],
            status=status,
            version=1,
            **{
                k: data[k]
                for k in (
                    "language",
                    "skill",
                    "type",
                    "difficulty",
                    "time_limit",
                    "domains",
                    "pool",
                    "content",
                )
            },
            explanation=data.get("explanation"),
        )
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def referent(make_user, login):
    user = make_user("referent")
    login(user)
    return user
