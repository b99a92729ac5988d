"""JSON import (all or nothing, problems with line numbers), export, round trip, CLI loading."""

from __future__ import annotations

import json
from io import BytesIO

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.itembank import services
from cloe_portal.itembank.loader import CONTENT_DIR
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import validate_item
from tests.itembank.conftest import item_dict


def bank_text(items: list[dict], language: str = "en") -> str:
    return json.dumps({"language": language, "items": items}, ensure_ascii=False, indent=1)


def snapshot() -> list[tuple]:
    db.session.expire_all()
    return [
        (i.code, i.version, i.status, i.difficulty, json.dumps(i.content, sort_keys=True))
        for i in db.session.scalars(db.select(Item).order_by(Item.code))
    ]


def upload(client, csrf, text: str, name: str = "en.json"):
    return client.post(
        "/items/import",
        data={
            "csrf_token": csrf("/items/import"),
            "file": (BytesIO(text.encode("utf-8")), name),
        },
        content_type="multipart/form-data",
    )


def test_import_good_file_creates_and_updates_by_code(client, referent, csrf, make_item):
    make_item("en-voc-001", difficulty=50)
    retired = make_item("en-voc-002", status="retired", difficulty=50)
    text = bank_text(
        [
            item_dict("en-voc-001", difficulty=50),  # unchanged
            item_dict("en-voc-002", difficulty=60),  # changed: version 2, stays retired
            item_dict("en-voc-003"),
            item_dict("en-gra-001", skill="grammar"),
        ]
    )
    response = upload(client, csrf, text)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 créée(s), 1 modifiée(s), 1 inchangée(s)" in page
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 4
    again = db.session.get(Item, retired.id)
    assert (again.version, again.difficulty, again.status) == (2, 60, "retired")
    new = db.session.scalars(db.select(Item).where(Item.code == "en-voc-003")).one()
    assert (new.status, new.version) == ("live", 1)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "item.import")
    ).one()
    assert entry.details["created"] == 2 and entry.actor_id == referent.id


def test_bad_file_lists_every_problem_with_its_line_and_writes_nothing(
    client, referent, csrf, make_item
):
    make_item("en-voc-001", difficulty=50)
    before = snapshot()
    items = [
        item_dict("en-voc-001", difficulty=70),  # valid change, must not be applied
        item_dict("en-voc-002", content={"prompt": "P", "options": ["a", "b"], "answer": 0}),
        item_dict("en-voc-003"),
        item_dict("en-voc-003"),  # duplicate code
        item_dict("fr-voc-001", language="fr"),  # another language's item in the en file
        item_dict(
            "en-lis-001",
            skill="listening",
            type="listening",
            content={
                "prompt": "Listen.",
                "transcript": "Hi.",
                "audio": "en-lis-999.ogg",
                "max_plays": 2,
                "question": {"kind": "mcq", "options": ["a", "b", "c"], "answer": 0},
            },
        ),
    ]
    text = bank_text(items)
    lines = text.splitlines()
    starts = [n + 1 for n, line in enumerate(lines) if line == "  {"]
    assert len(starts) == 6

    response = upload(client, csrf, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Import refusé : rien n'a été enregistré" in html
    assert f"Ligne {starts[1]}, question en-voc-002 : content.options : 3 ou 4 options" in html
    assert f"Ligne {starts[3]}, question en-voc-003 : code : déjà utilisé ligne {starts[2]}" in html
    assert f"Ligne {starts[4]}, question fr-voc-001 : language :" in html
    assert (
        f"Ligne {starts[5]}, question en-lis-001 : content.audio : fichier « en-lis-999.ogg » introuvable"
        in html
    )
    assert f"Ligne {starts[0]}," not in html  # the valid item is not blamed
    assert snapshot() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 0


def test_json_syntax_error_gives_line_and_column(app):
    text = '{"language": "en",\n "items": [\n  {"code": "en-voc-001",}\n ]\n}'
    result = services.import_bank(None, text)
    assert not result.ok
    assert result.problems[0].startswith("Ligne 3, colonne")
    assert "JSON invalide" in result.problems[0]


def test_item_lines_located_in_a_shipped_file():
    text = (CONTENT_DIR / "de.json").read_text(encoding="utf-8")
    language, items, problems = services.parse_bank_text(text)
    assert (language, problems) == ("de", [])
    lines = text.splitlines()
    for line, data in items[:25]:
        assert lines[line - 1].strip() == "{"
        assert f'"code": "{data["code"]}"' in lines[line]


def test_export_then_import_round_trip(client, referent, csrf, make_item):
    make_item("en-voc-001", domains=["Santé"])
    make_item(
        "en-gra-001", skill="grammar", pool="practice", explanation="Parce que.", time_limit=45
    )
    make_item("fr-voc-001", language="fr")
    response = client.get("/items/export/en")
    assert response.status_code == 200
    assert 'filename="en.json"' in response.headers["Content-Disposition"]
    exported = response.get_data(as_text=True)
    data = json.loads(exported)
    assert data["language"] == "en"
    assert [i["code"] for i in data["items"]] == ["en-voc-001", "en-gra-001"]
    assert all(validate_item(i) == [] for i in data["items"])
    assert data["items"][1]["explanation"] == "Parce que."
    before = snapshot()

    assert upload(client, csrf, exported).status_code == 303
    assert snapshot() == before  # nothing changed, no version bump

    data["items"][0]["difficulty"] = 77
    assert upload(client, csrf, json.dumps(data)).status_code == 303
    db.session.expire_all()
    changed = db.session.scalars(db.select(Item).where(Item.code == "en-voc-001")).one()
    assert (changed.version, changed.difficulty, changed.domains) == (2, 77, ["Santé"])


def test_import_into_an_empty_bank_recreates_an_export(app, make_item):
    make_item("en-voc-001")
    make_item(
        "en-rea-001",
        skill="reading",
        content={
            "prompt": "Read.",
            "text": "Café au lait.",
            "options": ["a", "b", "c"],
            "answer": 2,
        },
    )
    exported = services.export_json("en")
    db.session.execute(db.delete(Item))
    db.session.commit()
    result = services.import_bank(None, exported)
    assert (result.created, result.problems) == (2, [])
    assert json.loads(services.export_json("en")) == json.loads(exported)


def test_load_item_bank_command(app, runner):
    expected = len(json.loads((CONTENT_DIR / "de.json").read_text(encoding="utf-8"))["items"])
    result = runner.invoke(args=["load-item-bank", "de"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == expected
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(Item).where(Item.language != "de"))
        == 0
    )
    again = runner.invoke(args=["load-item-bank", "de"])
    assert "0 question(s)" in again.output


def test_forbidden_characters_are_located_by_line_column_and_field(client, referent, csrf):
    items = [
        item_dict("en-voc-001"),
        item_dict("en-voc-002", content={"prompt": "Pick.", "options": ["a", "b\u202e", "c"],
                                         "answer": 0}),
        item_dict("en-voc-003", content={"prompt": "Tab\u001bbed", "options": ["a", "b", "c"],
                                         "answer": 0}),
    ]
    text = bank_text(items)  # the ESC is written \u001b, the RLO as is
    lines = text.splitlines()
    rlo_line = next(n for n, line in enumerate(lines, 1) if "\u202e" in line)
    esc_line = next(n for n, line in enumerate(lines, 1) if "\\u001b" in line)
    response = upload(client, csrf, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    rlo_col = lines[rlo_line - 1].index("\u202e") + 1
    esc_col = lines[esc_line - 1].index("\\u001b") + 1
    assert (f"Ligne {rlo_line}, colonne {rlo_col}, question en-voc-002 : content.options[1] : "
            "caractère de contrôle de direction du texte U+202E non autorisé") in html
    assert (f"Ligne {esc_line}, colonne {esc_col}, question en-voc-003 : content.prompt : "
            "caractère de contrôle U+001B non autorisé") in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 0


def test_imported_text_is_stored_in_nfc(app):
    decomposed = "Cafe\u0301 au lait"
    text = bank_text([item_dict("en-voc-001", content={
        "prompt": f"  {decomposed}  ", "options": [decomposed, "b", "c"], "answer": 0})])
    result = services.import_bank(None, text)
    assert result.problems == []
    stored = db.session.scalars(db.select(Item)).one()
    assert stored.content["prompt"] == "Café au lait" and stored.content["options"][0] == "Café au lait"
