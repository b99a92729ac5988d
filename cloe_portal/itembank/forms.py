"""Item bank forms: one form whose visible fields depend on the item type, and the import form.

The form only gathers input; `rules.scoring.validate_item` decides what is valid, and
`field_errors` puts each of its French messages beside the field it is about.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from cloe_portal.core.forms import BaseForm
from cloe_portal.itembank.models import ITEM_POOLS
from cloe_portal.reference.domains import DOMAINS
from cloe_portal.reference.languages import LANGUAGES as LANGUAGE_NAMES
from cloe_portal.rules.cefr import SECTION_ORDER, SKILL_LABELS_FR
from cloe_portal.rules.scoring import MAX_PLAYS

COMMON_FIELDS = (
    "code",
    "language",
    "skill",
    "difficulty",
    "time_limit",
    "pool",
    "domains",
    "explanation",
)
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "mcq": ("prompt", "text", "options", "answer"),
    "gap_free": ("prompt", "text", "roots", "gap_answers"),
    "gap_dropdown": ("prompt", "text", "choices"),
    "word_order": ("prompt", "words"),
    "sentence_order": ("prompt", "sentences"),
    "word_bank": ("prompt", "text", "bank_answers", "distractors"),
    "listening": (
        "prompt",
        "transcript",
        "audio",
        "audio_upload",
        "question_kind",
        "options",
        "answer",
        "text",
        "gap_answers",
    ),
}
_GAP = re.compile(r"\{(\d+)\}")
_INDEX = re.compile(r"\[\d+\]")


class ItemForm(BaseForm):
    """Every field an item may have; the page shows those of the item's type."""

    code = StringField(
        _l("Code"), description=_l("Identifiant stable, ex. en-voc-101 (langue-compétence-numéro).")
    )
    language = SelectField(_l("Langue"), choices=dict(LANGUAGE_NAMES), validate_choice=False)
    skill = SelectField(
        _l("Compétence"),
        choices={s: SKILL_LABELS_FR[s] for s in SECTION_ORDER},
        validate_choice=False,
    )
    difficulty = StringField(
        _l("Difficulté (0 à 100)"),
        render_kw={"inputmode": "numeric"},
        description=_l("50 ≈ frontière B1/B2."),
    )
    time_limit = StringField(
        _l("Temps limite en secondes"),
        render_kw={"inputmode": "numeric"},
        description=_l("Laisser vide pour le temps calculé selon le type et la difficulté."),
    )
    pool = SelectField(_l("Usage"), choices=dict(ITEM_POOLS), validate_choice=False)
    domains = SelectMultipleField(
        _l("Domaines de spécialisation"),
        choices={d: d for d in DOMAINS},
        validate_choice=False,
        description=_l("Facultatif ; Ctrl ou Cmd pour en choisir plusieurs."),
    )
    explanation = TextAreaField(
        _l("Explication (entraînement)"),
        description=_l("Affichée après une question d'entraînement ; obligatoire pour l'usage « Entraînement »."),
    )
    status = SelectField(
        _l("État à la création"),
        choices=[SelectChoice("draft", _l("Brouillon")), SelectChoice("live", _l("En service"))],
        validate_choice=False,
    )

    prompt = StringField(_l("Consigne"))
    text = TextAreaField(_l("Texte"), description=_l("Les trous s'écrivent {0}, {1}… dans l'ordre."))
    options = TextAreaField(_l("Options"), description=_l("Une option par ligne (3 ou 4)."))
    answer = StringField(
        _l("Numéro de la bonne option"),
        render_kw={"inputmode": "numeric"},
        description=_l("1 pour la première option de la liste."),
    )
    roots = TextAreaField(
        _l("Mots racines"),
        description=_l("Une ligne par trou : le mot à accorder, ou « - » s'il n'y en a pas. Vide : aucun."),
    )
    gap_answers = TextAreaField(
        _l("Réponses acceptées"),
        description=_l("Une ligne par trou ; plusieurs réponses acceptées séparées par « | »."),
    )
    choices = TextAreaField(
        _l("Choix par trou"),
        description=_l("Une ligne par trou, choix séparés par « | », la bonne réponse précédée de « * » (ex. in | *at | on)."),
    )
    words = TextAreaField(
        _l("Mots dans le bon ordre"),
        description=_l("Un mot (ou groupe) par ligne ; le premier est donné au candidat."),
    )
    sentences = TextAreaField(
        _l("Phrases dans le bon ordre"),
        description=_l("Une phrase par ligne (3 à 6) ; la première est donnée."),
    )
    bank_answers = TextAreaField(
        _l("Réponses (un mot par trou)"), description=_l("Un mot par ligne, dans l'ordre des trous.")
    )
    distractors = TextAreaField(
        _l("Mots en plus (distracteurs)"), description=_l("Facultatif, un mot par ligne.")
    )
    transcript = TextAreaField(
        _l("Transcription"), description=_l("Ce que dit l'enregistrement ; jamais montrée au candidat.")
    )
    audio = SelectField(_l("Fichier audio existant"), choices={}, validate_choice=False)
    audio_upload = FileField(
        _l("Ou envoyer un fichier audio"), description=_l("Ogg ou MP3 (converti en Ogg).")
    )
    question_kind = SelectField(
        _l("Forme de la question"),
        choices=[SelectChoice("mcq", _l("Choix multiple")), SelectChoice("gap", _l("Texte à trous"))],
        validate_choice=False,
    )

    def fields_for(self, item_type: str) -> tuple[str, ...]:
        """Names of the content fields shown for a type."""
        return TYPE_FIELDS.get(item_type, ())


class ImportForm(BaseForm):
    """Upload of a bank file in the FORMAT.md shape."""

    file = FileField(
        _l("Fichier JSON de la banque"),
        description=_l("Format décrit dans itembank/FORMAT.md ; un fichier par langue."),
    )


# ---------------------------------------------------------------------------
# Form values <-> FORMAT.md item
# ---------------------------------------------------------------------------


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _alternatives(line: str) -> list[str]:
    return [part.strip() for part in line.split("|") if part.strip()]


def _number(value: str | None) -> Any:
    """An int from a text field; other text is kept so that validation reports it."""
    text = (value or "").strip()
    if re.fullmatch(r"-?\d{1,6}", text):
        return int(text)
    return text or None


def _gap_count(text: str | None) -> int:
    return len(_GAP.findall(text or ""))


def _roots(value: str | None, gaps: int) -> list[str | None]:
    raw = (value or "").rstrip().splitlines()
    if not any(line.strip() for line in raw):
        return [None] * gaps
    return [None if line.strip() in ("", "-") else line.strip() for line in raw]


def _choices(value: str | None) -> tuple[list[list[str]], list[int | None]]:
    choices, answers = [], []
    for line in _lines(value):
        options, right = [], None
        for i, part in enumerate(_alternatives(line)):
            if part.startswith("*"):
                right = i
                part = part[1:].strip()
            options.append(part)
        choices.append(options)
        answers.append(right)
    return choices, answers


def _one_based(value: str | None) -> Any:
    number = _number(value)
    return number - 1 if isinstance(number, int) else number


def content_from_form(form: ItemForm, item_type: str, audio_name: str | None = None) -> dict:
    """Build an item's `content` from the form, in the FORMAT.md shape."""
    f = form
    content: dict[str, Any] = {"prompt": (f.prompt.data or "").strip()}
    if item_type == "mcq":
        if (f.text.data or "").strip():
            content["text"] = f.text.data.strip()
        content["options"] = _lines(f.options.data)
        content["answer"] = _one_based(f.answer.data)
    elif item_type == "gap_free":
        content["text"] = (f.text.data or "").strip()
        content["roots"] = _roots(f.roots.data, _gap_count(f.text.data))
        content["answers"] = [_alternatives(line) for line in _lines(f.gap_answers.data)]
    elif item_type == "gap_dropdown":
        content["text"] = (f.text.data or "").strip()
        content["choices"], content["answers"] = _choices(f.choices.data)
    elif item_type == "word_order":
        content["words"] = _lines(f.words.data)
    elif item_type == "sentence_order":
        content["sentences"] = _lines(f.sentences.data)
    elif item_type == "word_bank":
        content["text"] = (f.text.data or "").strip()
        content["answers"] = _lines(f.bank_answers.data)
        content["bank"] = content["answers"] + _lines(f.distractors.data)
    elif item_type == "listening":
        content["transcript"] = (f.transcript.data or "").strip()
        content["audio"] = audio_name if audio_name is not None else (f.audio.data or "")
        content["max_plays"] = MAX_PLAYS
        if f.question_kind.data == "gap":
            content["question"] = {
                "kind": "gap",
                "text": (f.text.data or "").strip(),
                "answers": [_alternatives(line) for line in _lines(f.gap_answers.data)],
            }
        else:
            content["question"] = {
                "kind": "mcq",
                "options": _lines(f.options.data),
                "answer": _one_based(f.answer.data),
            }
    return content


def item_from_form(
    form: ItemForm, item_type: str, code: str, language: str, audio_name: str | None = None
) -> dict:
    """Build a whole item (FORMAT.md shape) from the form; code and language come from the caller."""
    f = form
    data: dict[str, Any] = {
        "code": code,
        "language": language,
        "skill": f.skill.data,
        "type": item_type,
        "difficulty": _number(f.difficulty.data),
        "time_limit": _number(f.time_limit.data),
        "domains": [d for d in (f.domains.data or []) if d],
        "pool": f.pool.data or "certification",
        "content": content_from_form(form, item_type, audio_name),
    }
    explanation = (f.explanation.data or "").strip()
    if explanation:
        data["explanation"] = explanation
    return data


def form_values(data: dict) -> dict[str, Any]:
    """The form's field values for an item (FORMAT.md shape): the inverse of item_from_form."""
    content = data.get("content") or {}
    values: dict[str, Any] = {
        "code": data.get("code", ""),
        "language": data.get("language", ""),
        "skill": data.get("skill", ""),
        "difficulty": str(data.get("difficulty", "")),
        "time_limit": "" if data.get("time_limit") is None else str(data["time_limit"]),
        "pool": data.get("pool", "certification"),
        "domains": list(data.get("domains") or []),
        "explanation": data.get("explanation") or "",
        "prompt": content.get("prompt", ""),
    }
    item_type = data.get("type")
    question = content.get("question") or {}
    mcq = content if item_type == "mcq" else question
    if item_type in ("mcq", "listening"):
        values["options"] = "\n".join(mcq.get("options", []))
        answer = mcq.get("answer")
        values["answer"] = str(answer + 1) if isinstance(answer, int) else ""
    values["text"] = (
        question.get("text", "") if item_type == "listening" else content.get("text", "")
    )
    answers = question.get("answers") if item_type == "listening" else content.get("answers")
    if item_type in ("gap_free", "listening") and isinstance(answers, list):
        values["gap_answers"] = "\n".join(" | ".join(a) for a in answers if isinstance(a, list))
    if item_type == "gap_free":
        values["roots"] = "\n".join(r or "-" for r in content.get("roots", []))
        if not any(content.get("roots", [])):
            values["roots"] = ""
    if item_type == "gap_dropdown":
        lines = []
        for i, options in enumerate(content.get("choices", [])):
            right = answers[i] if isinstance(answers, list) and i < len(answers) else None
            lines.append(" | ".join(("*" if j == right else "") + o for j, o in enumerate(options)))
        values["choices"] = "\n".join(lines)
    if item_type == "word_order":
        values["words"] = "\n".join(content.get("words", []))
    if item_type == "sentence_order":
        values["sentences"] = "\n".join(content.get("sentences", []))
    if item_type == "word_bank":
        bank_answers = list(content.get("answers", []))
        rest = list(content.get("bank", []))
        for word in bank_answers:
            if word in rest:
                rest.remove(word)
        values["bank_answers"] = "\n".join(bank_answers)
        values["distractors"] = "\n".join(rest)
    if item_type == "listening":
        values["transcript"] = content.get("transcript", "")
        values["audio"] = content.get("audio", "")
        values["question_kind"] = question.get("kind", "mcq")
    return values


# ---------------------------------------------------------------------------
# validate_item messages -> fields
# ---------------------------------------------------------------------------

_PATHS = {
    "code": "code",
    "language": "language",
    "skill": "skill",
    "difficulty": "difficulty",
    "time_limit": "time_limit",
    "domains": "domains",
    "pool": "pool",
    "explanation": "explanation",
    "content.prompt": "prompt",
    "content.text": "text",
    "content.options": "options",
    "content.answer": "answer",
    "content.roots": "roots",
    "content.choices": "choices",
    "content.words": "words",
    "content.sentences": "sentences",
    "content.bank": "bank_answers",
    "content.transcript": "transcript",
    "content.audio": "audio",
    "content.question": "question_kind",
    "content.question.kind": "question_kind",
    "content.question.options": "options",
    "content.question.answer": "answer",
    "content.question.text": "text",
    "content.question.answers": "gap_answers",
}
_ANSWERS_FIELD = {"gap_free": "gap_answers", "gap_dropdown": "choices", "word_bank": "bank_answers"}


def field_errors(errors: list[str], item_type: str) -> tuple[dict[str, list[str]], list[str]]:
    """Split validate_item messages into {field name: [messages]} and page-level messages."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    shown = set(COMMON_FIELDS) | set(TYPE_FIELDS.get(item_type, ()))
    for error in errors:
        path, sep, message = error.partition(" : ")
        path = _INDEX.sub("", path.strip())
        name = _ANSWERS_FIELD.get(item_type) if path == "content.answers" else _PATHS.get(path)
        if name == "answer":
            message = gettext("indiquez le numéro de la bonne option (1 pour la première)")
        if sep and name in shown:
            by_field.setdefault(name, []).append(message[:1].upper() + message[1:])
        else:
            general.append(error)
    return by_field, general
