"""Item checks, item scoring, time limits and what a candidate is shown (itembank/FORMAT.md).

Every function here takes plain JSON-like data. ``validate_item`` and ``score_response``
never raise, whatever they are given: they face hand-written bank files and responses
that come from a browser. Errors are returned in French because referents read them.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from cloe_portal.rules.cefr import LISTENING, SECTION_ORDER

ITEM_TYPES: tuple[str, ...] = (
    "mcq",
    "gap_free",
    "gap_dropdown",
    "word_order",
    "sentence_order",
    "word_bank",
    "listening",
)
ITEM_TYPE_LABELS_FR: MappingProxyType[str, str] = MappingProxyType(
    {
        "mcq": "Choix multiple",
        "gap_free": "Texte à trous (saisie libre)",
        "gap_dropdown": "Texte à trous (liste déroulante)",
        "word_order": "Remise en ordre de mots",
        "sentence_order": "Remise en ordre de phrases",
        "word_bank": "Texte à trous (banque de mots)",
        "listening": "Compréhension orale",
    }
)
LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it")
POOLS: tuple[str, ...] = ("certification", "demo", "practice")
MAX_PLAYS = 2

# Responses bigger than this do not come from our pages: they score 0 without being
# normalised, so a hostile client cannot make scoring slow.
MAX_RESPONSE_ITEMS = 50
MAX_TEXT_LENGTH = 200

_GAP = re.compile(r"\{(\d+)\}")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# ---------------------------------------------------------------------------
# Time limits
# ---------------------------------------------------------------------------

# (seconds at difficulty 0, seconds at difficulty 100). The spec gives 40, 45 and 60 s as
# examples: a plain MCQ goes from 40 s (A1 items) to 60 s (C2 items); typing or
# dragging takes a little longer; ordering sentences means reading them all; a listening
# item must leave time to play the clip twice before answering.
_TIME_RANGES: MappingProxyType[str, tuple[int, int]] = MappingProxyType(
    {
        "mcq": (40, 60),
        "gap_dropdown": (40, 60),
        "gap_free": (45, 75),
        "word_bank": (45, 75),
        "word_order": (50, 75),
        "sentence_order": (60, 90),
        "listening": (75, 105),
    }
)


def default_time_limit(item_type: str, difficulty: int) -> int:
    """Return an item's time limit in seconds from its type and difficulty (multiple of 5)."""
    if item_type not in _TIME_RANGES:
        raise ValueError(f"Unknown item type: {item_type!r}")
    low, high = _TIME_RANGES[item_type]
    level = min(max(float(difficulty), 0.0), 100.0)
    seconds = low + (high - low) * level / 100
    return 5 * math.floor(seconds / 5 + 0.5)


def scaled_time_limit(seconds: int, extra_third: bool) -> int:
    """Return the time limit with the +1/3 accommodation applied (rounded up) when granted."""
    if not extra_third:
        return int(seconds)
    return -(-int(seconds) * 4 // 3)


# ---------------------------------------------------------------------------
# Normalisation and small type checks
# ---------------------------------------------------------------------------


def normalize_text(value: str) -> str:
    """Normalise free text for comparison: case, accents, apostrophes, spaces, final stop."""
    folded = unicodedata.normalize("NFKD", value.casefold().translate(_APOSTROPHES))
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    collapsed = _SPACES.sub(" ", stripped).strip()
    if collapsed.endswith("."):
        collapsed = collapsed[:-1].rstrip()
    return collapsed


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_text(v) for v in value)


def _gap_numbers(text: str) -> list[int]:
    return [int(n) for n in _GAP.findall(text)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def validate_item(data: Any) -> list[str]:
    """Check one item against FORMAT.md and return French error messages (empty if valid)."""
    if not isinstance(data, dict):
        return ["L'élément doit être un objet JSON (dictionnaire)."]
    errors: list[str] = []

    code = data.get("code")
    if not _is_text(code):
        errors.append("code : identifiant obligatoire (texte non vide)")

    language = data.get("language")
    if language not in LANGUAGES:
        errors.append(f"language : doit être l'une des langues {', '.join(LANGUAGES)}")
    elif _is_text(code) and not code.startswith(f"{language}-"):
        errors.append(f"code : doit commencer par « {language}- »")

    skill = data.get("skill")
    if skill not in SECTION_ORDER:
        errors.append(f"skill : doit être l'une des compétences {', '.join(SECTION_ORDER)}")

    item_type = data.get("type")
    if item_type not in ITEM_TYPES:
        errors.append(f"type : doit être l'un des types {', '.join(ITEM_TYPES)}")
    elif skill in SECTION_ORDER and (item_type == "listening") != (skill == LISTENING):
        if item_type == "listening":
            errors.append("skill : une question d'écoute doit avoir la compétence listening")
        else:
            errors.append(
                "type : la compétence listening n'accepte que des questions de type listening"
            )

    difficulty = data.get("difficulty")
    if not _is_int(difficulty) or not 0 <= difficulty <= 100:
        errors.append("difficulty : entier entre 0 et 100 obligatoire")

    time_limit = data.get("time_limit")
    if time_limit is not None and (not _is_int(time_limit) or not 5 <= time_limit <= 600):
        errors.append("time_limit : nombre entier de secondes (5 à 600) ou null")

    domains = data.get("domains", [])
    if not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
        errors.append("domains : liste de noms de domaines (textes)")

    pool = data.get("pool", "certification")
    if pool not in POOLS:
        errors.append(f"pool : doit valoir {', '.join(POOLS)}")

    explanation = data.get("explanation")
    if explanation is not None and not isinstance(explanation, str):
        errors.append("explanation : doit être un texte")
    elif pool == "practice" and not _is_text(explanation):
        errors.append("explanation : obligatoire pour une question d'entraînement (pool practice)")

    content = data.get("content")
    if not isinstance(content, dict):
        errors.append("content : objet obligatoire")
    elif isinstance(item_type, str) and item_type in _CONTENT_CHECKS:
        errors.extend(_CONTENT_CHECKS[item_type](content, "content"))
    return errors


def _check_prompt(content: dict, where: str) -> list[str]:
    if not _is_text(content.get("prompt")):
        return [f"{where}.prompt : consigne obligatoire (texte non vide)"]
    return []


def _check_gap_text(content: dict, where: str) -> tuple[list[str], int | None]:
    """Check a text with {0}, {1}… gaps; return errors and the gap count (None if unusable)."""
    text = content.get("text")
    if not _is_text(text):
        return [f"{where}.text : texte à trous obligatoire"], None
    numbers = _gap_numbers(text)
    if not numbers:
        return [f"{where}.text : aucun trou {{0}} dans le texte"], None
    if numbers != list(range(len(numbers))):
        return [
            f"{where}.text : les trous doivent être {{0}}, {{1}}… chacun une fois, dans l'ordre"
        ], (None)
    return [], len(numbers)


def _count_mismatch(where: str, gaps: int, given: int, word: str) -> str:
    return f"{where} : {_plural(gaps, 'trou')} dans le texte mais {_plural(given, word)}"


def _check_options(options: Any, answer: Any, where: str) -> list[str]:
    errors = []
    if not _is_text_list(options) or not 3 <= len(options) <= 4:
        errors.append(f"{where}.options : 3 ou 4 options (textes non vides)")
        return errors
    if len({normalize_text(o) for o in options}) != len(options):
        errors.append(f"{where}.options : deux options identiques")
    if not _is_int(answer) or not 0 <= answer < len(options):
        errors.append(f"{where}.answer : indice de la bonne option entre 0 et {len(options) - 1}")
    return errors


def _check_accepted_answers(answers: Any, gaps: int | None, where: str) -> list[str]:
    if not isinstance(answers, list):
        return [f"{where}.answers : liste (une liste de réponses acceptées par trou)"]
    errors = []
    if gaps is not None and len(answers) != gaps:
        errors.append(_count_mismatch(f"{where}.answers", gaps, len(answers), "réponse"))
    for i, accepted in enumerate(answers):
        if not _is_text_list(accepted) or not accepted:
            errors.append(f"{where}.answers[{i}] : liste non vide de réponses acceptées (textes)")
    return errors


def _check_mcq(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    text = content.get("text")
    if text is not None and not isinstance(text, str):
        errors.append(f"{where}.text : doit être un texte")
    errors.extend(_check_options(content.get("options"), content.get("answer"), where))
    return errors


def _check_gap_free(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    gap_errors, gaps = _check_gap_text(content, where)
    errors.extend(gap_errors)
    roots = content.get("roots")
    if not isinstance(roots, list) or not all(r is None or _is_text(r) for r in roots):
        errors.append(f"{where}.roots : liste d'un mot racine (ou null) par trou")
    elif gaps is not None and len(roots) != gaps:
        errors.append(_count_mismatch(f"{where}.roots", gaps, len(roots), "racine"))
    errors.extend(_check_accepted_answers(content.get("answers"), gaps, where))
    return errors


def _check_gap_dropdown(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    gap_errors, gaps = _check_gap_text(content, where)
    errors.extend(gap_errors)
    choices = content.get("choices")
    answers = content.get("answers")
    if not isinstance(choices, list):
        errors.append(f"{where}.choices : liste (2 à 4 choix par trou)")
        choices = None
    else:
        if gaps is not None and len(choices) != gaps:
            errors.append(_count_mismatch(f"{where}.choices", gaps, len(choices), "liste"))
        for i, options in enumerate(choices):
            if not _is_text_list(options) or not 2 <= len(options) <= 4:
                errors.append(f"{where}.choices[{i}] : 2 à 4 choix (textes non vides)")
    if not isinstance(answers, list):
        errors.append(f"{where}.answers : liste d'indices, un par trou")
        return errors
    if gaps is not None and len(answers) != gaps:
        errors.append(_count_mismatch(f"{where}.answers", gaps, len(answers), "réponse"))
    for i, answer in enumerate(answers):
        options = choices[i] if choices is not None and i < len(choices) else None
        if not _is_int(answer):
            errors.append(f"{where}.answers[{i}] : indice entier obligatoire")
        elif isinstance(options, list) and not 0 <= answer < len(options):
            errors.append(f"{where}.answers[{i}] : indice hors des choix (0 à {len(options) - 1})")
    return errors


def _check_word_order(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    words = content.get("words")
    if not _is_text_list(words) or len(words) < 3:
        errors.append(f"{where}.words : au moins 3 mots (textes non vides) dans le bon ordre")
    elif len(words) > 20:
        errors.append(f"{where}.words : 20 mots au plus")
    return errors


def _check_sentence_order(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    sentences = content.get("sentences")
    if not _is_text_list(sentences) or not 3 <= len(sentences) <= 6:
        errors.append(f"{where}.sentences : 3 à 6 phrases (textes non vides) dans le bon ordre")
    return errors


def _check_word_bank(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    gap_errors, gaps = _check_gap_text(content, where)
    errors.extend(gap_errors)
    bank = content.get("bank")
    answers = content.get("answers")
    if not _is_text_list(bank) or not bank:
        errors.append(f"{where}.bank : liste non vide de mots proposés")
        bank = None
    if not _is_text_list(answers):
        errors.append(f"{where}.answers : liste de mots, un par trou")
        return errors
    if gaps is not None and len(answers) != gaps:
        errors.append(_count_mismatch(f"{where}.answers", gaps, len(answers), "réponse"))
    if bank is not None:
        for i, answer in enumerate(answers):
            if answer not in bank:
                errors.append(f"{where}.answers[{i}] : « {answer} » absent de la banque de mots")
        for word in set(answers):
            if answers.count(word) > bank.count(word):
                errors.append(
                    f"{where}.bank : « {word} » doit figurer autant de fois que dans les réponses"
                )
    return errors


def _check_listening(content: dict, where: str) -> list[str]:
    errors = _check_prompt(content, where)
    if not _is_text(content.get("transcript")):
        errors.append(f"{where}.transcript : transcription obligatoire")
    audio = content.get("audio")
    if (
        not _is_text(audio)
        or not audio.endswith(".ogg")
        or "/" in audio
        or "\\" in audio
        or audio.startswith(".")
    ):
        errors.append(f"{where}.audio : nom de fichier .ogg sans dossier (ex. en-lis-001.ogg)")
    max_plays = content.get("max_plays")
    if not _is_int(max_plays) or max_plays != MAX_PLAYS:
        errors.append(f"{where}.max_plays : doit valoir {MAX_PLAYS}")
    question = content.get("question")
    qwhere = f"{where}.question"
    if not isinstance(question, dict):
        errors.append(f"{qwhere} : objet obligatoire (kind mcq ou gap)")
        return errors
    kind = question.get("kind")
    if kind == "mcq":
        errors.extend(_check_options(question.get("options"), question.get("answer"), qwhere))
    elif kind == "gap":
        gap_errors, gaps = _check_gap_text(question, qwhere)
        errors.extend(gap_errors)
        errors.extend(_check_accepted_answers(question.get("answers"), gaps, qwhere))
    else:
        errors.append(f"{qwhere}.kind : doit valoir mcq ou gap")
    return errors


_CONTENT_CHECKS = MappingProxyType(
    {
        "mcq": _check_mcq,
        "gap_free": _check_gap_free,
        "gap_dropdown": _check_gap_dropdown,
        "word_order": _check_word_order,
        "sentence_order": _check_sentence_order,
        "word_bank": _check_word_bank,
        "listening": _check_listening,
    }
)


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _as_list(response: Any) -> list | None:
    """Return a list response, or None when it is not a list or too big to come from us."""
    if isinstance(response, list | tuple) and len(response) <= MAX_RESPONSE_ITEMS:
        return list(response)
    return None


def _text_matches(given: Any, accepted: Sequence[Any]) -> bool:
    if not isinstance(given, str) or len(given) > MAX_TEXT_LENGTH:
        return False
    target = normalize_text(given)
    if not target:
        return False
    return any(isinstance(a, str) and normalize_text(a) == target for a in accepted)


def _score_index(answer: Any, response: Any) -> float:
    return 1.0 if _is_int(response) and _is_int(answer) and response == answer else 0.0


def _share(hits: int, total: int) -> float:
    return hits / total if total > 0 else 0.0


def _score_gaps_free(answers: Any, response: Any) -> float:
    given = _as_list(response)
    if given is None or not isinstance(answers, list):
        return 0.0
    hits = sum(
        1
        for i, accepted in enumerate(answers)
        if i < len(given) and isinstance(accepted, list) and _text_matches(given[i], accepted)
    )
    return _share(hits, len(answers))


def _score_mcq(content: dict, response: Any) -> float:
    return _score_index(content.get("answer"), response)


def _score_gap_free(content: dict, response: Any) -> float:
    return _score_gaps_free(content.get("answers"), response)


def _score_gap_dropdown(content: dict, response: Any) -> float:
    answers = content.get("answers")
    given = _as_list(response)
    if given is None or not isinstance(answers, list):
        return 0.0
    hits = sum(
        1 for i, answer in enumerate(answers) if i < len(given) and _score_index(answer, given[i])
    )
    return _share(hits, len(answers))


def _word_matches(given: Any, word: Any) -> bool:
    if _text_matches(given, [word]):
        return True
    # A punctuation token (the final "." of a sentence) normalises to nothing: compare it
    # as written, or no answer could ever be right.
    return (isinstance(given, str) and isinstance(word, str) and len(given) <= MAX_TEXT_LENGTH
            and word.strip() != "" and not normalize_text(word)
            and given.strip() == word.strip())


def _score_word_order(content: dict, response: Any) -> float:
    words = content.get("words")
    given = _as_list(response)
    if given is None or not isinstance(words, list) or len(given) != len(words) or not words:
        return 0.0
    ok = all(_word_matches(g, w) for g, w in zip(given, words, strict=True))
    return 1.0 if ok else 0.0


def _score_sentence_order(content: dict, response: Any) -> float:
    sentences = content.get("sentences")
    given = _as_list(response)
    if given is None or not isinstance(sentences, list) or not sentences:
        return 0.0
    ok = all(_is_int(g) for g in given) and given == list(range(len(sentences)))
    return 1.0 if ok else 0.0


def _score_word_bank(content: dict, response: Any) -> float:
    answers = content.get("answers")
    given = _as_list(response)
    if given is None or not isinstance(answers, list):
        return 0.0
    hits = sum(
        1
        for i, answer in enumerate(answers)
        if i < len(given) and _text_matches(given[i], [answer])
    )
    return _share(hits, len(answers))


def _score_listening(content: dict, response: Any) -> float:
    question = content.get("question")
    if not isinstance(question, dict):
        return 0.0
    if question.get("kind") == "mcq":
        return _score_index(question.get("answer"), response)
    if question.get("kind") == "gap":
        return _score_gaps_free(question.get("answers"), response)
    return 0.0


_SCORERS = MappingProxyType(
    {
        "mcq": _score_mcq,
        "gap_free": _score_gap_free,
        "gap_dropdown": _score_gap_dropdown,
        "word_order": _score_word_order,
        "sentence_order": _score_sentence_order,
        "word_bank": _score_word_bank,
        "listening": _score_listening,
    }
)


def score_response(item_type: str, content: dict, response: Any) -> float:
    """Score a candidate's response between 0.0 and 1.0 (share of gaps right where partial)."""
    scorer = _SCORERS.get(item_type) if isinstance(item_type, str) else None
    if scorer is None or not isinstance(content, dict):
        return 0.0
    try:
        return float(scorer(content, response))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError):
        # Only reachable with a malformed item (validate_item catches those at import);
        # a candidate must never see an error page because of it.
        return 0.0


# ---------------------------------------------------------------------------
# What the candidate is shown
# ---------------------------------------------------------------------------


def _shuffled_rest(values: list, rng: random.Random) -> list:
    """Shuffle a list, avoiding its original order whenever two values differ."""
    shuffled = list(values)
    rng.shuffle(shuffled)
    if shuffled == values:
        # Rotating by one changes the order unless every value is the same.
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


def _gap_count(text: Any) -> int:
    return len(_gap_numbers(text)) if isinstance(text, str) else 0


def _permutation(size: int, rng: random.Random) -> list[int]:
    """A uniformly random order of ``range(size)``: where the key lands says nothing."""
    order = list(range(size))
    rng.shuffle(order)
    return order


def display_seed(attempt_seed: int, item_key: int) -> int:
    """The seed of one item's display order in one attempt (or for one practising user)."""
    digest = hashlib.sha256(f"{int(attempt_seed)}:{int(item_key)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def shuffle_for_display(item_type: str, content: dict, seed: int) -> dict:
    """Return what the candidate is shown for an item: no keys, options shuffled by seed.

    MCQ options (also a listening item's), each drop-down's choices and the sentences to
    order are shown in a random order kept as ``order`` / ``orders``: position i shows the
    bank's element ``order[i]``. The form sends the positions shown (a word to order is
    sent by its position in ``words``), and ``written.services.parse_answer`` maps them back
    to the response format of FORMAT.md, so the page says nothing of the key and the key is
    unchanged. Word-bank gaps are sent as the words themselves."""
    # Display order only, no security role: a seeded PRNG keeps a replay identical.
    rng = random.Random(seed)  # noqa: S311
    shown: dict[str, Any] = {"type": item_type, "prompt": content.get("prompt", "")}
    if item_type == "mcq":
        if content.get("text"):
            shown["text"] = content["text"]
        options = list(content.get("options", []))
        shown["order"] = _permutation(len(options), rng)
        shown["options"] = [options[i] for i in shown["order"]]
    elif item_type == "gap_free":
        shown["text"] = content.get("text", "")
        shown["roots"] = list(content.get("roots", []))
        shown["gaps"] = _gap_count(content.get("text"))
    elif item_type == "gap_dropdown":
        shown["text"] = content.get("text", "")
        choices = [list(c) for c in content.get("choices", [])]
        shown["orders"] = [_permutation(len(c), rng) for c in choices]
        shown["choices"] = [[c[i] for i in order]
                            for c, order in zip(choices, shown["orders"], strict=True)]
        shown["gaps"] = _gap_count(content.get("text"))
    elif item_type == "word_order":
        words = list(content.get("words", []))
        shown["first"] = words[0] if words else ""
        shown["words"] = _shuffled_rest(words[1:], rng)
    elif item_type == "sentence_order":
        sentences = list(content.get("sentences", []))
        shown["first"] = sentences[0] if sentences else ""
        shown["order"] = _shuffled_rest(list(range(1, len(sentences))), rng)
        shown["sentences"] = [sentences[i] for i in shown["order"]]
    elif item_type == "word_bank":
        shown["text"] = content.get("text", "")
        shown["bank"] = _shuffled_rest(list(content.get("bank", [])), rng)
        shown["gaps"] = _gap_count(content.get("text"))
    elif item_type == "listening":
        shown["audio"] = content.get("audio", "")
        shown["max_plays"] = content.get("max_plays", MAX_PLAYS)
        question = content.get("question") or {}
        kind = question.get("kind")
        if kind == "mcq":
            options = list(question.get("options", []))
            order = _permutation(len(options), rng)
            shown["question"] = {"kind": "mcq", "options": [options[i] for i in order],
                                 "order": order}
        else:
            shown["question"] = {
                "kind": "gap",
                "text": question.get("text", ""),
                "gaps": _gap_count(question.get("text")),
            }
    else:
        raise ValueError(f"Unknown item type: {item_type!r}")
    return shown
