"""Item bank use cases: list and coverage, create/edit/retire, JSON import and export, audio.

Past results never depend on the Item table (each stored response keeps the item as
served), so an edit simply overwrites the row and bumps ``version``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess  # noqa: S404 - ffmpeg converts an uploaded MP3, fixed arguments, no shell
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.itembank.loader import clean_item
from cloe_portal.itembank.models import ITEM_STATUSES, Item
from cloe_portal.rules.cefr import SECTION_ORDER
from cloe_portal.rules.scoring import LANGUAGES, validate_item

SHIPPED_AUDIO_DIR = Path(__file__).resolve().parent / "audio"
CONTENT_DIR = Path(__file__).resolve().parent / "content"
BANDS: tuple[int, ...] = tuple(range(10))
LOW_STOCK = 20
PAGE_SIZE = 50
EDITABLE_FIELDS = (
    "language",
    "skill",
    "type",
    "difficulty",
    "time_limit",
    "domains",
    "pool",
    "content",
    "explanation",
)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ogg$")


# ---------------------------------------------------------------------------
# Listing, coverage, low stock
# ---------------------------------------------------------------------------


@dataclass
class ItemFilters:
    """What the list page is filtered by (empty values mean no filter)."""

    language: str = ""
    skill: str = ""
    type: str = ""
    pool: str = ""
    status: str = ""
    band: int | None = None
    domain: str = ""
    q: str = ""


def band_of(difficulty: int) -> int:
    """Return the 10-point difficulty band (0–9; 100 belongs to band 9)."""
    return min(max(int(difficulty), 0) // 10, 9)


def band_label(band: int) -> str:
    """Return a band's label, e.g. « 40–49 » (the last one is 90–100)."""
    return f"{band * 10}–{band * 10 + 9 if band < 9 else 100}"


def _filtered(filters: ItemFilters) -> Any:
    stmt = db.select(Item)
    if filters.language:
        stmt = stmt.where(Item.language == filters.language)
    if filters.skill:
        stmt = stmt.where(Item.skill == filters.skill)
    if filters.type:
        stmt = stmt.where(Item.type == filters.type)
    if filters.pool:
        stmt = stmt.where(Item.pool == filters.pool)
    if filters.status:
        stmt = stmt.where(Item.status == filters.status)
    if filters.band is not None:
        low = filters.band * 10
        high = 100 if filters.band == 9 else low + 9
        stmt = stmt.where(Item.difficulty >= low, Item.difficulty <= high)
    if filters.domain:
        # domains is a JSON list: a text match on its serialised form works on SQLite and
        # PostgreSQL alike, and the quotes make it match a whole name only.
        needle = json.dumps(filters.domain)
        stmt = stmt.where(db.cast(Item.domains, db.String).contains(needle, autoescape=True))
    if filters.q:
        # JSON columns are stored with non-ASCII characters escaped (\u00e9): search both
        # spellings of the words.
        content = db.func.lower(db.cast(Item.content, db.String))
        plain = filters.q.lower()
        escaped = json.dumps(filters.q)[1:-1].lower()
        stmt = stmt.where(
            db.or_(
                db.func.lower(Item.code).contains(plain, autoescape=True),
                content.contains(plain, autoescape=True),
                content.contains(escaped, autoescape=True),
            )
        )
    return stmt


def list_items(filters: ItemFilters, page: int = 1) -> tuple[list[Item], int]:
    """Return one page of items matching the filters, and how many match in all."""
    stmt = _filtered(filters)
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.subquery())) or 0
    items = list(
        db.session.scalars(
            stmt.order_by(Item.language, Item.skill, Item.difficulty, Item.code)
            .limit(PAGE_SIZE)
            .offset((max(page, 1) - 1) * PAGE_SIZE)
        )
    )
    return items, total


def coverage(language: str) -> dict[str, list[int]]:
    """Count live certification items per skill and 10-point difficulty band (one query)."""
    table = {skill: [0] * len(BANDS) for skill in SECTION_ORDER}
    rows = db.session.execute(
        db.select(Item.skill, Item.difficulty, db.func.count())
        .where(Item.language == language, Item.pool == "certification", Item.status == "live")
        .group_by(Item.skill, Item.difficulty)
    )
    for skill, difficulty, count in rows:
        if skill in table:
            table[skill][band_of(difficulty)] += count
    return table


def low_stock(threshold: int = LOW_STOCK) -> list[tuple[str, str, int]]:
    """(language, skill, live certification items) where fewer than `threshold` remain.

    Only languages that have items at all are reported, so an unused language does not
    raise five warnings.
    """
    rows = db.session.execute(
        db.select(Item.language, Item.skill, Item.pool, Item.status, db.func.count()).group_by(
            Item.language, Item.skill, Item.pool, Item.status
        )
    )
    present: set[str] = set()
    live: dict[tuple[str, str], int] = {}
    for language, skill, pool, status, count in rows:
        present.add(language)
        if pool == "certification" and status == "live":
            live[(language, skill)] = live.get((language, skill), 0) + count
    return [
        (language, skill, live.get((language, skill), 0))
        for language in LANGUAGES
        if language in present
        for skill in SECTION_ORDER
        if live.get((language, skill), 0) < threshold
    ]


def languages_in_bank() -> list[str]:
    """Languages with at least one item, in the usual order."""
    present = set(db.session.scalars(db.select(Item.language).distinct()))
    return [lang for lang in LANGUAGES if lang in present]


# ---------------------------------------------------------------------------
# Create, edit, retire
# ---------------------------------------------------------------------------


def item_data(item: Item) -> dict[str, Any]:
    """Return an item in the FORMAT.md shape (the export and the edit form start from it)."""
    data: dict[str, Any] = {
        "code": item.code,
        "language": item.language,
        "skill": item.skill,
        "type": item.type,
        "difficulty": item.difficulty,
        "time_limit": item.time_limit,
        "domains": list(item.domains or []),
        "pool": item.pool,
    }
    if item.explanation:
        data["explanation"] = item.explanation
    data["content"] = item.content
    return data


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "language": data["language"],
        "skill": data["skill"],
        "type": data["type"],
        "difficulty": data["difficulty"],
        "time_limit": data.get("time_limit"),
        "domains": list(data.get("domains") or []),
        "pool": data.get("pool", "certification"),
        "content": data["content"],
        "explanation": data.get("explanation") or None,
    }


def create_item(actor: User | None, data: dict[str, Any], status: str = "draft") -> Item:
    """Add a validated item (FORMAT.md shape) to the bank, audit-logged."""
    now = clock.now()
    item = Item(
        code=data["code"],
        status=status if status in ITEM_STATUSES else "draft",
        version=1,
        created_at=now,
        updated_at=now,
        **_values(data),
    )
    db.session.add(item)
    db.session.flush()
    record(actor, "item.create", item, details={"code": item.code, "status": item.status})
    return item


def _apply(item: Item, values: dict[str, Any]) -> list[str]:
    """Write changed fields onto the item; bump version and updated_at; return the changes."""
    changed = [name for name in EDITABLE_FIELDS if getattr(item, name) != values[name]]
    if changed:
        for name in changed:
            setattr(item, name, values[name])
        item.version += 1
        item.updated_at = clock.now()
    return changed


def update_item(actor: User | None, item: Item, data: dict[str, Any]) -> list[str]:
    """Save an edited item; bump its version when anything changed; return the changed fields."""
    changed = _apply(item, _values(data))
    if changed:
        record(
            actor,
            "item.update",
            item,
            details={"code": item.code, "version": item.version, "fields": changed},
        )
    db.session.flush()
    return changed


def set_status(actor: User, item: Item, status: str, reason: str | None = None) -> None:
    """Retire, restore or draft an item, audit-logged (the version is unchanged)."""
    if status not in ITEM_STATUSES:
        raise ValueError(f"unknown item status {status!r}")
    if item.status == status:
        return
    previous = item.status
    item.status = status
    item.updated_at = clock.now()
    action = {"retired": "item.retire", "live": "item.restore"}.get(status, "item.draft")
    record(
        actor,
        action,
        item,
        reason=reason,
        details={"code": item.code, "from": previous, "to": status},
    )
    db.session.flush()


def code_taken(code: str) -> bool:
    """True when an item already has this code."""
    return db.session.scalar(db.select(Item.id).where(Item.code == code)) is not None


# ---------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------


def upload_audio_dir() -> Path:
    """Where audio uploaded from the portal is stored (the shipped files stay read-only)."""
    configured = current_app.config.get("ITEM_AUDIO_DIR")
    return Path(configured) if configured else Path(current_app.config["UPLOAD_DIR"]) / "item-audio"


def audio_path(name: str) -> Path | None:
    """Return the file of an item's audio (uploaded first, then shipped), or None."""
    if not isinstance(name, str) or not _SAFE_NAME.match(name):
        return None
    for folder in (upload_audio_dir(), SHIPPED_AUDIO_DIR):
        path = folder / name
        if path.is_file():
            return path
    return None


def audio_files(language: str | None = None) -> list[str]:
    """Names of the audio files an item may use, optionally only one language's."""
    names: set[str] = set()
    for folder in (upload_audio_dir(), SHIPPED_AUDIO_DIR):
        if folder.is_dir():
            names.update(p.name for p in folder.glob("*.ogg") if _SAFE_NAME.match(p.name))
    if language:
        names = {n for n in names if n.startswith(f"{language}-")}
    return sorted(names)


class AudioError(ValueError):
    """An uploaded audio file was refused (French message)."""


def sniff_audio(head: bytes) -> str | None:
    """Return "ogg" or "mp3" from a file's first bytes (magic numbers), else None."""
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _mp3_to_ogg(data: bytes) -> bytes:
    """Convert MP3 bytes to Ogg/Opus with ffmpeg (the bank format only holds Ogg files)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError(
            "Les fichiers MP3 ne peuvent pas être convertis sur ce serveur "
            "(ffmpeg absent) : envoyez un fichier Ogg."
        )
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.mp3", Path(tmp) / "out.ogg"
        source.write_bytes(data)
        result = subprocess.run(  # noqa: S603 - fixed argument list, our temp files
            [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-i",
                str(source),
                "-vn",
                "-c:a",
                "libopus",
                "-b:a",
                "48k",
                str(target),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0 or not target.exists():
            raise AudioError("Le fichier MP3 n'a pas pu être lu : vérifiez qu'il n'est pas abîmé.")
        return target.read_bytes()


def store_audio(code: str, data: bytes) -> str:
    """Check an uploaded Ogg or MP3 by its magic bytes, store it as Ogg; return its file name.

    The name carries a hash of the content, so a new recording never overwrites the file
    a past response was served with.
    """
    kind = sniff_audio(data[:16])
    if kind is None:
        raise AudioError("Le fichier n'est ni un Ogg ni un MP3 (contenu non reconnu).")
    if kind == "mp3":
        data = _mp3_to_ogg(data)
    stem = re.sub(r"[^a-z0-9-]", "-", code.lower()).strip("-") or "audio"
    name = f"{stem}-{hashlib.sha256(data).hexdigest()[:10]}.ogg"
    folder = upload_audio_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name


# ---------------------------------------------------------------------------
# Import and export
# ---------------------------------------------------------------------------


def export_bank(language: str) -> dict[str, Any]:
    """Return a language's whole bank in the FORMAT.md file shape."""
    items = db.session.scalars(db.select(Item).where(Item.language == language).order_by(Item.id))
    return {"language": language, "items": [item_data(i) for i in items]}


def export_json(language: str) -> str:
    """The exported bank as pretty-printed JSON text (one item field per line)."""
    return json.dumps(export_bank(language), ensure_ascii=False, indent=1) + "\n"


@dataclass
class ImportResult:
    """What an import did, or every problem that stopped it (then nothing was written)."""

    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    language: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_of(problem: str) -> int:
    match = re.match(r"Ligne (\d+)", problem)
    return int(match.group(1)) if match else 0


def parse_bank_text(text: str) -> tuple[Any, list[tuple[int, Any]], list[str]]:
    """Parse a bank file, locating each item's starting line.

    Returns (language value, [(line, item)], problems). The top-level object is walked
    with ``JSONDecoder.raw_decode`` so each element of ``items`` is decoded at a known
    offset: the line a referent sees in an error is where that item starts in the file.
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [], [f"Ligne {exc.lineno}, colonne {exc.colno} : JSON invalide ({exc.msg})."]
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if not text.startswith("{", pos):
        return None, [], ['Ligne 1 : le fichier doit être un objet {"language": …, "items": […]}.']
    language: Any = None
    items: list[tuple[int, Any]] | None = None
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        pos = _skip_ws(text, pos + 1)  # the ":" (the text is valid JSON)
        if key == "items" and text.startswith("[", pos):
            items = []
            pos = _skip_ws(text, pos + 1)
            while text[pos] != "]":
                start = pos
                value, pos = decoder.raw_decode(text, pos)
                items.append((_line(text, start), value))
                pos = _skip_ws(text, pos)
                if text[pos] == ",":
                    pos = _skip_ws(text, pos + 1)
            pos += 1
        else:
            value, pos = decoder.raw_decode(text, pos)
            if key == "language":
                language = value
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    problems = []
    if language not in LANGUAGES:
        problems.append(
            f"Ligne 1 : « language » doit valoir l'une des langues {', '.join(LANGUAGES)}."
        )
    if items is None:
        problems.append("Ligne 1 : la liste « items » est absente.")
        items = []
    return language, items, problems


_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"')


def _char_pattern(char: str) -> re.Pattern[str]:
    """The character as written in a JSON text: as is, or as a \\uXXXX escape (pair)."""
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        escape = rf"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    else:
        escape = rf"\\u{code:04x}"
    return re.compile(re.escape(char) + "|" + escape, re.IGNORECASE)


def clean_bank_items(text: str, items: list[tuple[int, Any]]) -> tuple[list[tuple[int, Any]], list[str]]:
    """Clean every item's strings like typed text; each refused character by line, column, field.

    A forbidden character can only sit inside a JSON string, and the items are walked in
    the order of the text, so each one is found by searching forward from the previous one
    (written as is or as a ``\\u`` escape); then the search moves past the end of its string.
    """
    cleaned: list[tuple[int, Any]] = []
    problems: list[str] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    cursor = 0
    for line, data in items:
        item, refused = clean_item(data)
        cleaned.append((line, item))
        code = item.get("code") if isinstance(item, dict) else None
        question = f", question {code}" if isinstance(code, str) else ""
        cursor = max(cursor, line_starts[line - 1])
        for where, problem in refused:
            found = _char_pattern(problem.char).search(text, cursor)
            if found is None:  # not expected; the item's line still guides the referent
                problems.append(f"Ligne {line}{question} : {where} : {problem.message_fr}")
                continue
            at = found.start()
            row = text.count("\n", 0, at) + 1
            problems.append(f"Ligne {row}, colonne {at - line_starts[row - 1] + 1}{question} : "
                            f"{where} : {problem.message_fr}")
            rest = _STRING_REST.match(text, found.end())
            cursor = rest.end() if rest else found.end()
    return cleaned, problems


def check_bank_items(language: Any, items: list[tuple[int, Any]]) -> list[str]:
    """Every problem of the items of a file (validation, language, duplicates, audio)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, data in items:
        code = data.get("code") if isinstance(data, dict) else None
        where = f"Ligne {line}, question {code}" if isinstance(code, str) else f"Ligne {line}"
        for error in validate_item(data):
            problems.append(f"{where} : {error}")
        if not isinstance(data, dict):
            continue
        if language in LANGUAGES and data.get("language") != language:
            problems.append(
                f"{where} : language : « {data.get('language')} » alors que le "
                f"fichier est celui de la langue « {language} »"
            )
        if isinstance(code, str):
            if code in seen:
                problems.append(f"{where} : code : déjà utilisé ligne {seen[code]}")
            else:
                seen[code] = line
        content = data.get("content")
        if data.get("type") == "listening" and isinstance(content, dict):
            audio = content.get("audio")
            if isinstance(audio, str) and audio.endswith(".ogg") and audio_path(audio) is None:
                problems.append(f"{where} : content.audio : fichier « {audio} » introuvable")
    return problems


def import_bank(actor: User | None, text: str) -> ImportResult:
    """Validate a whole bank file, then upsert its items by code — all or nothing.

    A changed item gets ``version + 1``; an existing item keeps its status (a retired item
    stays retired); new items are live.
    """
    language, items, problems = parse_bank_text(text)
    result = ImportResult(language=language if isinstance(language, str) else None)
    items, refused = clean_bank_items(text, items)
    problems += sorted(refused + check_bank_items(language, items), key=_line_of)
    if problems:
        result.problems = problems
        return result
    codes = [data["code"] for _, data in items]
    existing = {
        item.code: item for item in db.session.scalars(db.select(Item).where(Item.code.in_(codes)))
    }
    now = clock.now()
    for _, data in items:
        item = existing.get(data["code"])
        if item is None:
            db.session.add(
                Item(
                    code=data["code"],
                    status="live",
                    version=1,
                    created_at=now,
                    updated_at=now,
                    **_values(data),
                )
            )
            result.created += 1
        elif _apply(item, _values(data)):
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    record(
        actor,
        "item.import",
        object_type="item",
        details={
            "language": language,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result
