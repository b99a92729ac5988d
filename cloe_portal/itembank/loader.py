"""Load the item bank files (content/<lang>.json) into the Item table.

A small upsert used by the demo seeder and the tests; the item bank management UI has
its own JSON import. Items are matched by ``code``; a changed item gets ``version + 1``
(past responses keep the version they were served with). The status of an existing item
is never touched: a retired item stays retired.

Every string of an item gets the portal's one text cleaning (``rules.text``), here and in
the JSON import: NFC and stripped, line breaks kept only in the long texts (prompt, text,
transcript, explanation), control, bidirectional and invisible characters refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import LANGUAGES, validate_item
from cloe_portal.rules.text import TextProblem, clean_tree

CONTENT_DIR = Path(__file__).resolve().parent / "content"
_FIELDS = ("language", "skill", "type", "difficulty", "time_limit", "domains", "pool",
           "content", "explanation")


ITEM_MULTILINE_KEYS = frozenset({"prompt", "text", "transcript", "explanation"})


class BankFileError(ValueError):
    """A bank file holds invalid items: nothing was loaded."""


def clean_item(data: Any) -> tuple[Any, list[tuple[str, TextProblem]]]:
    """An item with its strings cleaned like typed text, and each refused character by field."""
    return clean_tree(data, ITEM_MULTILINE_KEYS)


def _values(data: dict) -> dict:
    return {
        "language": data["language"],
        "skill": data["skill"],
        "type": data["type"],
        "difficulty": data["difficulty"],
        "time_limit": data.get("time_limit"),
        "domains": list(data.get("domains", [])),
        "pool": data.get("pool", "certification"),
        "content": data["content"],
        "explanation": data.get("explanation"),
    }


def read_bank_file(path: Path) -> list[dict]:
    """Read and validate one bank file; raise BankFileError listing every problem."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data.get("items", []) if isinstance(data, dict) else []
    problems, cleaned = [], []
    for i, raw in enumerate(items):
        item, refused = clean_item(raw)
        cleaned.append(item)
        errors = [f"{where} : {problem.message_fr}" for where, problem in refused]
        errors += validate_item(item)
        if errors:
            code = item.get("code", f"#{i}") if isinstance(item, dict) else f"#{i}"
            problems.append(f"{path.name} {code} : " + " ; ".join(errors))
    if problems:
        raise BankFileError("\n".join(problems))
    return cleaned


def load_bank_files(languages: list[str] | tuple[str, ...] | None = None) -> int:
    """Upsert the items of the bank files into Item; return how many were created or changed."""
    wanted = tuple(languages) if languages else LANGUAGES
    batches = [read_bank_file(CONTENT_DIR / f"{lang}.json") for lang in wanted
               if (CONTENT_DIR / f"{lang}.json").exists()]
    incoming = [item for batch in batches for item in batch]
    existing = {
        item.code: item
        for item in db.session.scalars(
            db.select(Item).where(Item.code.in_([i["code"] for i in incoming]))
        )
    }
    changed = 0
    now = clock.now()
    for data in incoming:
        values = _values(data)
        item = existing.get(data["code"])
        if item is None:
            db.session.add(Item(code=data["code"], status="live", version=1, created_at=now,
                                updated_at=now, **values))
            changed += 1
        elif any(getattr(item, f) != values[f] for f in _FIELDS):
            for field_name in _FIELDS:
                setattr(item, field_name, values[field_name])
            item.version += 1
            item.updated_at = now
            changed += 1
    db.session.flush()
    return changed
