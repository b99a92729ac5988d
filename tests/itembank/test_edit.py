"""Creating and editing items per type, errors beside the fields, preview, versions, retiring."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item


def item(code: str) -> Item | None:
    return db.session.scalars(db.select(Item).where(Item.code == code)).first()


def field_error(html: str, name: str) -> str:
    """The error message shown right after the field `name` (macro: <p id="name-error">)."""
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {name}"
    return match.group(1).lower()


COMMON = {
    "language": "en",
    "skill": "vocabulary",
    "difficulty": "40",
    "time_limit": "",
    "pool": "certification",
    "status": "live",
    "explanation": "",
}


@pytest.fixture
def post_new(client, referent, csrf):
    def post(item_type: str, **fields):
        data = {**COMMON, **fields, "csrf_token": csrf(f"/items/new/{item_type}")}
        return client.post(f"/items/new/{item_type}", data=data, content_type="multipart/form-data")

    return post


def test_create_mcq(post_new, referent):
    response = post_new(
        "mcq",
        code="en-voc-201",
        prompt="You drink coffee from a ___.",
        options="chair\ncup\nkey\n",
        answer="2",
    )
    assert response.status_code == 303
    created = item("en-voc-201")
    assert created.content == {
        "prompt": "You drink coffee from a ___.",
        "options": ["chair", "cup", "key"],
        "answer": 1,
    }
    assert (created.status, created.version, created.difficulty) == ("live", 1, 40)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "item.create")
    ).one()
    assert (entry.object_id, entry.actor_id) == (created.id, referent.id)


def test_mcq_error_is_shown_beside_its_field_and_nothing_is_saved(post_new):
    response = post_new(
        "mcq",
        code="en-voc-202",
        prompt="Pick one.",
        options="yes\nno",
        answer="1",
        difficulty="120",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "3 ou 4 options" in field_error(html, "options")
    assert "entier entre 0 et 100" in field_error(html, "difficulty")
    assert 'aria-invalid="true"' in html
    assert "yes\nno" in html  # what was typed is kept
    assert item("en-voc-202") is None


def test_code_already_used_is_refused(post_new, make_item):
    make_item("en-voc-203")
    html = post_new("mcq", code="en-voc-203", prompt="P", options="a\nb\nc", answer="1").get_data(
        as_text=True
    )
    assert "déjà utilisé" in field_error(html, "code")


def test_create_gap_free_with_roots_and_alternatives(post_new):
    response = post_new(
        "gap_free",
        code="en-gra-201",
        skill="grammar",
        prompt="Complete.",
        text="She {0} to work and {1} home.",
        roots="go\n-",
        gap_answers="goes | is going\ncomes",
    )
    assert response.status_code == 303
    assert item("en-gra-201").content == {
        "prompt": "Complete.",
        "text": "She {0} to work and {1} home.",
        "roots": ["go", None],
        "answers": [["goes", "is going"], ["comes"]],
    }


def test_gap_free_answer_count_error_beside_answers(post_new):
    html = post_new(
        "gap_free",
        code="en-gra-202",
        skill="grammar",
        prompt="Complete.",
        text="She {0} to work and {1} home.",
        roots="",
        gap_answers="goes",
    ).get_data(as_text=True)
    assert "2 trous dans le texte mais 1 réponse" in field_error(html, "gap_answers")
    assert item("en-gra-202") is None


def test_create_gap_dropdown_with_starred_answers(post_new):
    response = post_new(
        "gap_dropdown",
        code="en-gra-203",
        skill="grammar",
        prompt="Choose.",
        text="Open {0} 9 a.m. {1} Monday.",
        choices="in | *at | on\n*on | in",
    )
    assert response.status_code == 303
    content = item("en-gra-203").content
    assert content["choices"] == [["in", "at", "on"], ["on", "in"]]
    assert content["answers"] == [1, 0]


def test_create_word_order_and_error_when_too_short(post_new):
    bad = post_new(
        "word_order", code="en-exp-201", skill="expressions", prompt="Order.", words="Where\nis"
    )
    assert "au moins 3 mots" in field_error(bad.get_data(as_text=True), "words")
    good = post_new(
        "word_order",
        code="en-exp-201",
        skill="expressions",
        prompt="Order.",
        words="Where\nis\nthe\nstation?",
    )
    assert good.status_code == 303
    assert item("en-exp-201").content["words"] == ["Where", "is", "the", "station?"]


def test_create_word_bank_from_answers_and_distractors(post_new):
    response = post_new(
        "word_bank",
        code="en-voc-204",
        prompt="Fill.",
        text="A {0} and a {1}.",
        bank_answers="cat\ndog",
        distractors="bird",
    )
    assert response.status_code == 303
    assert item("en-voc-204").content["bank"] == ["cat", "dog", "bird"]


def test_create_listening_with_an_existing_audio_file(post_new):
    response = post_new(
        "listening",
        code="en-lis-201",
        skill="listening",
        prompt="Listen.",
        transcript="The train leaves at nine.",
        audio="en-lis-001.ogg",
        question_kind="mcq",
        options="At eight\nAt nine\nAt ten",
        answer="2",
    )
    assert response.status_code == 303
    content = item("en-lis-201").content
    assert content["audio"] == "en-lis-001.ogg"
    assert content["max_plays"] == 2
    assert content["question"] == {
        "kind": "mcq",
        "options": ["At eight", "At nine", "At ten"],
        "answer": 1,
    }


def test_listening_upload_checks_magic_bytes(post_new, app):
    fake = (BytesIO(b"<html>not audio</html>"), "clip.ogg")
    html = post_new(
        "listening",
        code="en-lis-202",
        skill="listening",
        prompt="Listen.",
        transcript="Hello.",
        audio="",
        audio_upload=fake,
        question_kind="gap",
        text="Hello {0}.",
        gap_answers="world",
    ).get_data(as_text=True)
    assert "ni un ogg ni un mp3" in field_error(html, "audio_upload")
    assert item("en-lis-202") is None

    ogg = (BytesIO(b"OggS\x00\x02" + b"\x00" * 200), "clip.ogg")
    response = post_new(
        "listening",
        code="en-lis-202",
        skill="listening",
        prompt="Listen.",
        transcript="Hello.",
        audio="",
        audio_upload=ogg,
        question_kind="gap",
        text="Hello {0}.",
        gap_answers="world",
    )
    assert response.status_code == 303
    name = item("en-lis-202").content["audio"]
    assert re.fullmatch(r"en-lis-202-[0-9a-f]{10}\.ogg", name)
    stored = app.config["UPLOAD_DIR"] / "item-audio" / name
    assert stored.read_bytes().startswith(b"OggS")


@pytest.mark.skipif(shutil.which("ffmpeg") is None and not os.environ.get("CLOE_REQUIRE_BROWSER"),
                    reason="ffmpeg not installed (apt-get install -y ffmpeg; CI installs it)")
def test_listening_mp3_upload_is_converted_to_ogg(post_new, app, tmp_path):
    mp3 = tmp_path / "tone.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", str(mp3)],
        check=True,
    )
    assert mp3.read_bytes()[:3] in (b"ID3", b"\xff\xfb"[:3]) or mp3.read_bytes()[0] == 0xFF
    response = post_new(
        "listening",
        code="en-lis-203",
        skill="listening",
        prompt="Listen.",
        transcript="A tone.",
        audio="",
        audio_upload=(BytesIO(mp3.read_bytes()), "tone.mp3"),
        question_kind="mcq",
        options="A\nB\nC",
        answer="1",
    )
    assert response.status_code == 303
    name = item("en-lis-203").content["audio"]
    assert (app.config["UPLOAD_DIR"] / "item-audio" / name).read_bytes().startswith(b"OggS")


def test_listening_missing_audio_is_an_error_beside_the_field(post_new):
    html = post_new(
        "listening",
        code="en-lis-204",
        skill="listening",
        prompt="Listen.",
        transcript="Hi.",
        audio="en-lis-999.ogg",
        question_kind="mcq",
        options="A\nB\nC",
        answer="1",
    ).get_data(as_text=True)
    assert "introuvable" in field_error(html, "audio")


# --- preview ------------------------------------------------------------------------------


def preview(client, csrf, item_type: str, **fields):
    token = csrf("/items/new/mcq")
    return client.post(
        f"/items/preview/{item_type}",
        data={**COMMON, **fields},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )


def test_preview_is_a_fragment_without_the_key(client, referent, csrf):
    response = preview(
        client,
        csrf,
        "gap_free",
        prompt="Complete the text.",
        text="I {0} from Zanzibar.",
        roots="be",
        gap_answers="zorglubam",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "Complete the text." in html and "from Zanzibar." in html
    assert 'aria-label="Trou 1"' in html and "(be)" in html
    assert "zorglubam" not in html

    html = preview(
        client,
        csrf,
        "gap_dropdown",
        prompt="Choose.",
        text="Open {0} nine.",
        choices="in | *at | on",
    ).get_data(as_text=True)
    assert "<option>at</option>" in html and "*" not in html and "selected" not in html

    html = preview(
        client,
        csrf,
        "listening",
        prompt="Listen.",
        audio="en-lis-001.ogg",
        transcript="SECRET TRANSCRIPT",
        question_kind="mcq",
        options="A\nB\nC",
        answer="2",
    ).get_data(as_text=True)
    assert "SECRET TRANSCRIPT" not in html
    assert "/items/audio/en-lis-001.ogg" in html


@pytest.mark.parametrize(("item_type", "field", "given"), [
    ("word_order", "words", "Premier mot"), ("sentence_order", "sentences", "Première phrase")])
def test_preview_shuffles_an_ordering_item_but_gives_the_first_element(
        client, referent, csrf, item_type, field, given):
    elements = ["Where", "is", "the", "station"]
    html = preview(client, csrf, item_type, prompt="Order.",
                   **{field: "\n".join(elements)}).get_data(as_text=True)
    assert f"{given} : <strong>Where</strong>" in html
    shown = re.findall(r"<li>(\w+)</li>", html)
    assert sorted(shown) == sorted(elements[1:]) and shown != elements[1:]


def test_preview_needs_the_csrf_token(client, referent):
    response = client.post(
        "/items/preview/mcq", data={"prompt": "x"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400


# --- edit, versions, status ------------------------------------------------------------------


def test_edit_bumps_version_and_updated_at(client, referent, csrf, make_item, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    existing = make_item("en-voc-301", difficulty=30)
    page = client.get(f"/items/{existing.id}/edit").get_data(as_text=True)
    assert "garde sa propre copie" in page and "version 2" in page
    assert "cup\nchair\nkey" in page  # options prefilled, one per line
    frozen_clock.advance(timedelta(days=3))
    data = {
        **COMMON,
        "difficulty": "35",
        "prompt": "Choose the right word.",
        "options": "cup\nchair\nkey",
        "answer": "1",
        "csrf_token": csrf("/items/"),
    }
    response = client.post(f"/items/{existing.id}/edit", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    edited = db.session.get(Item, existing.id)
    assert (edited.version, edited.difficulty) == (2, 35)
    assert edited.updated_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "item.update")
    ).one()
    assert entry.details["fields"] == ["difficulty"]

    # Saving again with nothing changed keeps the version.
    client.post(f"/items/{existing.id}/edit", data=data)
    db.session.expire_all()
    assert db.session.get(Item, existing.id).version == 2


def test_edit_with_error_keeps_the_item_unchanged(client, referent, csrf, make_item):
    existing = make_item("en-voc-302")
    data = {
        **COMMON,
        "prompt": "",
        "options": "cup\nchair\nkey",
        "answer": "9",
        "csrf_token": csrf("/items/"),
    }
    response = client.post(f"/items/{existing.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "consigne obligatoire" in field_error(html, "prompt").lower()
    assert "numéro de la bonne option" in field_error(html, "answer")
    db.session.expire_all()
    assert db.session.get(Item, existing.id).version == 1


def test_retire_and_restore_are_audit_logged(client, referent, csrf, make_item):
    existing = make_item("en-voc-303")
    token = csrf("/items/")
    response = client.post(
        f"/items/{existing.id}/status",
        data={"status": "retired", "reason": "Ambiguë", "csrf_token": token},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Item, existing.id).status == "retired"
    assert db.session.get(Item, existing.id).version == 1
    client.post(f"/items/{existing.id}/status", data={"status": "live", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Item, existing.id).status == "live"
    actions = [
        (e.action, e.reason)
        for e in db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.object_id == existing.id).order_by(AuditEntry.id)
        )
    ]
    assert actions == [("item.retire", "Ambiguë"), ("item.restore", None)]
    page = client.get(f"/items/{existing.id}/edit").get_data(as_text=True)
    assert "item.retire" in page and "Ambiguë" in page


def test_non_staff_cannot_open_the_bank(client, make_user, login, make_item):
    existing = make_item()
    login(make_user("partner"))
    assert client.get("/items/").status_code == 403
    assert client.get(f"/items/{existing.id}/edit").status_code == 403
    assert client.get("/items/export/en").status_code == 403


def test_control_characters_in_the_editor_are_refused_beside_the_field(post_new):
    response = post_new(
        "mcq",
        code="en-voc-203",
        prompt="Pick\x00 one.",
        options="yes\nno\u202e\nmaybe",
        answer="1",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "expiré" not in html
    assert field_error(html, "prompt") == "caractère de contrôle u+0000 non autorisé (position 5)."
    assert "u+202e" in field_error(html, "options")
    assert item("en-voc-203") is None


def test_retire_reason_with_a_control_character_is_refused(client, referent, csrf, make_item):
    existing = make_item("en-voc-301")
    token = csrf(f"/items/{existing.id}/edit")
    response = client.post(f"/items/{existing.id}/status",
                           data={"status": "retired", "reason": "Obsol\x00ète", "csrf_token": token},
                           follow_redirects=True)
    assert "Motif : caractère de contrôle U+0000 non autorisé (position 6)." in response.get_data(as_text=True)
    db.session.refresh(existing)
    assert existing.status == "live"
