"""The bank loader used by the demo and the tests: upsert by code, version bump, validation."""

from __future__ import annotations

import json

import pytest

from cloe_portal.extensions import db
from cloe_portal.itembank import loader
from cloe_portal.itembank.models import Item


def test_load_is_idempotent_and_bumps_version_on_change(app, tmp_path, monkeypatch):
    source = json.loads((loader.CONTENT_DIR / "en.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(loader, "CONTENT_DIR", tmp_path)
    (tmp_path / "en.json").write_text(json.dumps(source), encoding="utf-8")
    assert loader.load_bank_files(["en"]) == len(source["items"])
    assert loader.load_bank_files(["en"]) == 0

    first = source["items"][0]
    retired = db.session.scalars(db.select(Item).where(Item.code == first["code"])).one()
    retired.status = "retired"
    first["difficulty"] = (first["difficulty"] + 7) % 100
    (tmp_path / "en.json").write_text(json.dumps(source), encoding="utf-8")
    assert loader.load_bank_files(["en"]) == 1
    item = db.session.scalars(db.select(Item).where(Item.code == first["code"])).one()
    assert item.version == 2 and item.difficulty == first["difficulty"]
    assert item.status == "retired"  # a referent's decision is kept


def test_invalid_item_loads_nothing(app, tmp_path, monkeypatch):
    source = json.loads((loader.CONTENT_DIR / "en.json").read_text(encoding="utf-8"))
    source["items"][5]["difficulty"] = 140
    monkeypatch.setattr(loader, "CONTENT_DIR", tmp_path)
    (tmp_path / "en.json").write_text(json.dumps(source), encoding="utf-8")
    with pytest.raises(loader.BankFileError, match="difficulty"):
        loader.load_bank_files(["en"])
    assert db.session.scalar(db.select(db.func.count(Item.id))) == 0
