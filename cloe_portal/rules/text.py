"""Text that people type or import: one cleaning for forms and files — pure, no Flask.

Decisions:

- Every text is normalised to Unicode NFC (an « é » typed as e + combining accent and one
  typed as a single character are the same name) and stripped of surrounding whitespace.
- Multi-line text (text areas, item passages) turns CRLF, CR and the Unicode line and
  paragraph separators (U+2028, U+2029) into LF, and keeps LF and tab.
- Single-line text (names, addresses, codes…) refuses any line break and the tab: a
  browser never sends them from a one-line input, so they come from a paste or a script.
- Refused everywhere, each named by its code point in the message:
  * control characters (Unicode category Cc: C0 U+0000–U+001F, DEL U+007F, C1
    U+0080–U+009F) other than the line break and tab allowed above — NUL, for one, is
    not even storable in PostgreSQL;
  * bidirectional controls (Unicode's Bidi_Control property: U+061C, U+200E, U+200F,
    U+202A–U+202E, U+2066–U+2069), which reorder what is displayed ("Trojan Source") and
    can make a name or an answer read differently from what is stored;
  * the other invisible format characters (category Cf: zero-width space U+200B, word
    joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, tag characters U+E0000–U+E007F…),
    which make two identical-looking texts differ. Zero-width joiner and non-joiner
    (U+200C, U+200D) stay: emoji sequences and several scripts need them;
  * surrogate code points and noncharacters, which are not text (a lone surrogate from
    a JSON ``\\ud800`` escape cannot even be encoded in UTF-8).
- Nothing is removed silently: a refused character is reported, so the person sees
  what was wrong and the stored text is what they meant.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

ProblemKind = Literal["control", "line_break", "tab", "bidi", "invisible", "invalid"]

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ALLOWED_FORMAT = frozenset("\u200c\u200d")
LINE_BREAKS = frozenset("\n\r\u2028\u2029")
_MULTILINE_BREAKS = {ord("\r"): "\n", ord("\u2028"): "\n", ord("\u2029"): "\n"}

_LABELS: dict[ProblemKind, str] = {
    "control": "caractère de contrôle {code} non autorisé",
    "line_break": "retour à la ligne non autorisé dans ce champ",
    "tab": "tabulation non autorisée dans ce champ",
    "bidi": "caractère de contrôle de direction du texte {code} non autorisé",
    "invisible": "caractère invisible {code} non autorisé",
    "invalid": "caractère invalide {code} non autorisé",
}


@dataclass(frozen=True, slots=True)
class TextProblem:
    """A refused character: what it is and where (1-based position in the cleaned text)."""

    kind: ProblemKind
    char: str
    position: int

    @property
    def code(self) -> str:
        """The character's code point as written in messages, e.g. « U+001B »."""
        return f"U+{ord(self.char):04X}"

    @property
    def message_fr(self) -> str:
        """The French message, e.g. « caractère de contrôle U+001B non autorisé »."""
        return _LABELS[self.kind].format(code=self.code)

    def __str__(self) -> str:
        """The French message with the position, as shown in import reports."""
        return f"{self.message_fr} (position {self.position})"


def normalize_text(value: str, multiline: bool = False) -> str:
    """NFC, surrounding whitespace stripped, and (multi-line) every line break made LF."""
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").translate(_MULTILINE_BREAKS)
    return text.strip()


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _kind_of(char: str, multiline: bool) -> ProblemKind | None:
    """Why this character is refused, or None when it is allowed."""
    if char == "\n" or char == "\t":
        if multiline:
            return None
        return "line_break" if char == "\n" else "tab"
    if char in LINE_BREAKS:
        return "line_break"
    if char in BIDI_CONTROLS:
        return "bidi"
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "control"
    if code < 0xA0:
        return None  # printable ASCII, the fast path
    category = unicodedata.category(char)
    if category == "Cf" and char not in ALLOWED_FORMAT:
        return "invisible"
    if category == "Cs" or _is_noncharacter(code):
        return "invalid"
    return None


def find_problem(text: str, multiline: bool = False) -> TextProblem | None:
    """The first refused character of an already normalised text, or None."""
    if text.isascii() and text.isprintable():
        return None
    for index, char in enumerate(text):
        kind = _kind_of(char, multiline)
        if kind is not None:
            return TextProblem(kind, char, index + 1)
    return None


def clean_text(value: str, multiline: bool = False) -> tuple[str, TextProblem | None]:
    """Normalise a typed or imported text; return it with the first refused character, if any."""
    text = normalize_text(value, multiline)
    return text, find_problem(text, multiline)


def clean_tree(value: Any, multiline_keys: frozenset[str] = frozenset(),
               path: str = "") -> tuple[Any, list[tuple[str, TextProblem]]]:
    """Clean every string of a JSON value (object keys too); return it and the problems by path.

    A string is multi-line when the key it sits under (directly or through lists) is in
    ``multiline_keys``. Paths read like ``content.options[1]``; a problem in a key itself
    is reported at the path that key would have.
    """
    problems: list[tuple[str, TextProblem]] = []

    def walk(node: Any, where: str, multiline: bool) -> Any:
        if isinstance(node, str):
            text, problem = clean_text(node, multiline)
            if problem is not None:
                problems.append((where, problem))
            return text
        if isinstance(node, list):
            return [walk(item, f"{where}[{i}]", multiline) for i, item in enumerate(node)]
        if isinstance(node, dict):
            cleaned = {}
            for key, item in node.items():
                inner = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    problem = find_problem(key)
                    if problem is not None:
                        problems.append((inner, problem))
                cleaned[key] = walk(item, inner, key in multiline_keys)
            return cleaned
        return node

    return walk(value, path, False), problems


def clean_labelled(value: str | None, label: str,
                   multiline: bool = True) -> tuple[str, str | None]:
    """Clean a text posted outside a form; return it and the French refusal, or None.

    The refusal names the field: « Motif : caractère de contrôle U+0000 non autorisé
    (position 7). »
    """
    text, problem = clean_text(value or "", multiline)
    return text, (f"{label} : {problem}." if problem is not None else None)


def clean_filename(name: str | None) -> str:
    """An uploaded file's name as shown to staff: NFC, refused characters dropped.

    A file name is not typed in the portal, so it is not refused: its control and
    direction characters are removed (« \\u202egpj.exe » would otherwise read « exe.jpg »).
    """
    text = unicodedata.normalize("NFC", name or "")
    return "".join(c for c in text if _kind_of(c, multiline=False) is None).strip()
