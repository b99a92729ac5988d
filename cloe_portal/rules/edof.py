"""Parse a partner's monthly EDOF (Mon Compte Formation) extract.

The extract is what a partner downloads from EDOF and uploads to the portal at the start
of each month (SPEC §5). It feeds France Compétences' *taux de réalisation*.

Decisions (the seeds leave these open):

- Formats: CSV (delimiter ``;``, tab or ``,``, chosen from the header line; UTF-8 with or
  without BOM, UTF-16 with BOM, else Windows-1252) and XLSX (first worksheet). A file is
  XLSX when its content starts with the ZIP magic ``PK``; a ``.xlsx`` name on something
  that is not a ZIP is refused rather than guessed. Legacy ``.xls`` is refused with advice.
- Header: the first non-empty line. Names are matched ignoring case, accents, spaces,
  underscores, slashes and other punctuation (``Numéro dossier`` = ``NUMERO_DOSSIER``).
  Unknown columns are kept, per row, in ``EdofRow.extra``.
- Mandatory columns: NUMERO_DOSSIER, NOM, PRENOM, INTITULE, DATE_DEBUT_SESSION,
  DATE_FIN_SESSION and *the certification*. The seed asks for "la Certification": either
  INTITULE_CERTIF or CODE_CERTIF/THEM identifies it, so at least one of those two columns
  must exist and, on each row, at least one of them must be filled.
- Dates: ``jj/mm/aaaa`` (also ``-`` or ``.`` as separator, one-digit day/month), ``jj/mm/aa``
  read as 20aa (CPF only exists since 2015), ISO ``aaaa-mm-jj``; an optional time part is
  ignored (spreadsheets add ``00:00``). In XLSX, real date cells and date serial numbers
  (years 2000–2099) are accepted. Years outside 2000–2099 are refused as typos. A date
  written right but absent from the calendar (31/02/2026) is reported as « impossible »,
  like everywhere a date is typed in the portal.
- MONTANT (optional): French or English decimal, spaces/NBSP as thousands separators,
  optional ``€``/``EUR``; at most 2 decimals, never negative. Empty → ``None``.
- File numbers keep their text; Excel's scientific notation (``1,23E+11``) is refused because
  the digits have already been lost. A file number appearing twice is a problem.
- A header with no data line is a valid, empty extract (a month without CPF files).
- Line numbers are the spreadsheet row numbers (a quoted multi-line CSV cell is one row);
  ``line == 0`` means the whole file.
- Text cells get the portal's one cleaning (``rules.text``): NFC and stripped; a control,
  bidirectional or invisible character is a problem of its line and column, naming the
  character and its position in the cell. Titles, status and unknown columns may hold
  line breaks (a quoted multi-line cell); names, numbers, codes and dates may not.
- All or nothing: any problem raises :class:`EdofError` listing every problem found.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from cloe_portal.rules.text import clean_text

MAX_ROWS = 200_000
MAX_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000

NUMERO_DOSSIER = "NUMERO_DOSSIER"
NOM = "NOM"
PRENOM = "PRENOM"
MONTANT = "MONTANT"
INTITULE = "INTITULE"
REF_REPERTOIRE = "REF_REPEATITOIRE"  # spelt as in EDOF's own export
CODE_CERTIF = "CODE_CERTIF/THEM"
INTITULE_CERTIF = "INTITULE_CERTIF"
STATUT_DOSSIER = "STATUT_DOSSIER"
ABONDEMENT_PE = "ABONDEMENT_PE"
DATE_DEBUT_SESSION = "DATE_DEBUT_SESSION"
DATE_FIN_SESSION = "DATE_FIN_SESSION"
NUMERO_FORMATION = "NUMERO_FORMATION"
NUMERO_ACTION = "NUMERO_ACTION"
NUMERO_SESSION = "NUMERO_SESSION"

COLUMNS: tuple[str, ...] = (
    NUMERO_DOSSIER,
    NOM,
    PRENOM,
    MONTANT,
    INTITULE,
    REF_REPERTOIRE,
    CODE_CERTIF,
    INTITULE_CERTIF,
    STATUT_DOSSIER,
    ABONDEMENT_PE,
    DATE_DEBUT_SESSION,
    DATE_FIN_SESSION,
    NUMERO_FORMATION,
    NUMERO_ACTION,
    NUMERO_SESSION,
)
# The certification is checked separately: INTITULE_CERTIF or CODE_CERTIF/THEM.
MANDATORY_COLUMNS: tuple[str, ...] = (
    NUMERO_DOSSIER,
    NOM,
    PRENOM,
    INTITULE,
    DATE_DEBUT_SESSION,
    DATE_FIN_SESSION,
)

# Columns whose cells may span several lines (a quoted multi-line CSV cell).
_MULTILINE_COLUMNS = frozenset({INTITULE, INTITULE_CERTIF, STATUT_DOSSIER})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_header(name: str) -> str:
    """Reduce a column name to lowercase ASCII letters and digits (no accents, no separators)."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", ascii_only.casefold())


_ALIASES: dict[str, tuple[str, ...]] = {
    NUMERO_DOSSIER: ("numerodossier", "numerodedossier", "ndossier", "nodossier", "dossier"),
    NOM: ("nom", "nomdefamille", "nomnaissance"),
    PRENOM: ("prenom", "prenoms"),
    MONTANT: ("montant", "montantttc", "prix"),
    INTITULE: ("intitule", "intituleformation", "intituledelaformation"),
    REF_REPERTOIRE: ("refrepeatitoire", "refrepertoire", "referencerepertoire"),
    CODE_CERTIF: ("codecertifthem", "codecertif", "codecertification"),
    INTITULE_CERTIF: ("intitulecertif", "intitulecertification", "certification"),
    STATUT_DOSSIER: ("statutdossier", "statut", "statutdudossier"),
    ABONDEMENT_PE: ("abondementpe", "abondement"),
    DATE_DEBUT_SESSION: ("datedebutsession", "datededebutdesession", "datedebut"),
    DATE_FIN_SESSION: ("datefinsession", "datedefindesession", "datefin"),
    NUMERO_FORMATION: ("numeroformation", "numerodeformation"),
    NUMERO_ACTION: ("numeroaction", "numerodaction"),
    NUMERO_SESSION: ("numerosession", "numerodesession"),
}
_HEADER_TO_COLUMN: dict[str, str] = {
    alias: column for column, aliases in _ALIASES.items() for alias in aliases
}


@dataclass(frozen=True, slots=True)
class EdofProblem:
    """One problem found in an extract; ``line`` 0 means the whole file."""

    line: int
    column: str
    message_fr: str

    def __str__(self) -> str:
        """Render the problem as shown to the user."""
        if self.line <= 0:
            return self.message_fr[:1].upper() + self.message_fr[1:]
        if self.column:
            return f"Ligne {self.line}, colonne {self.column} : {self.message_fr}"
        return f"Ligne {self.line} : {self.message_fr}"


class EdofError(Exception):
    """The extract was refused; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[EdofProblem]) -> None:
        self.problems: tuple[EdofProblem, ...] = tuple(problems)
        count = len(self.problems)
        head = str(self.problems[0]) if count else "extrait EDOF refusé"
        more = f" (et {count - 1} autre(s) problème(s))" if count > 1 else ""
        super().__init__(head + more)


@dataclass(frozen=True, slots=True)
class EdofRow:
    """One CPF training file of the extract; optional text fields are ``None`` when empty."""

    line: int
    file_number: str
    last_name: str
    first_name: str
    amount: Decimal | None
    training_title: str
    certif_code: str | None
    certif_title: str | None
    status: str | None
    abondement: str | None
    start: dt.date
    end: dt.date
    formation_number: str | None
    action_number: str | None
    session_number: str | None
    repertoire_ref: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class EdofParseResult:
    """The accepted rows of an extract and how the file was read."""

    rows: tuple[EdofRow, ...]
    file_format: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    headers: tuple[str, ...]
    extra_columns: tuple[str, ...]


# ---------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INNER_SPACE = re.compile(r"\s")
_DATE_DMY = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
_DATE_HINT = "attendu jj/mm/aaaa"
_MIN_YEAR, _MAX_YEAR = 2000, 2099
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MIN_SERIAL = (dt.date(_MIN_YEAR, 1, 1) - _EXCEL_EPOCH).days
_MAX_SERIAL = (dt.date(_MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days


class _CellError(ValueError):
    """A cell could not be read; the message is French and shown to the user."""


def _clean_text(raw: str) -> str:
    """Strip a cell, undo Excel's ``="..."`` text trick and fold inner whitespace."""
    text = raw.strip()
    if text.startswith('="'):
        match = _EXCEL_TEXT.match(text)
        if match:
            text = match.group(1).strip()
    return text


def _shorten(text: str, limit: int = 40) -> str:
    """Cut a value quoted in a message so that a huge cell never floods the report."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=8192)
def parse_french_date(text: str) -> dt.date:
    """Read a date written jj/mm/aaaa, jj/mm/aa or aaaa-mm-jj; raise ValueError (French)."""
    value = text.strip()
    match = _DATE_DMY.fullmatch(value)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        full_year = 2000 + int(year) if len(year) == 2 else int(year)
    else:
        match = _DATE_ISO.fullmatch(value)
        if not match:
            raise _CellError(f"date « {_shorten(value)} » invalide ({_DATE_HINT})")
        full_year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        result = dt.date(full_year, month, day)
    except ValueError:
        raise _CellError(f"date « {_shorten(value)} » impossible") from None
    if not _MIN_YEAR <= result.year <= _MAX_YEAR:
        raise _CellError(
            f"date « {_shorten(value)} » hors de la période admise ({_MIN_YEAR}–{_MAX_YEAR})"
        )
    return result


def _date_from_cell(value: Any) -> dt.date:
    """Turn a CSV text or an XLSX cell value into a date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if not _MIN_YEAR <= value.year <= _MAX_YEAR:
            raise _CellError(
                f"date « {value:%d/%m/%Y} » hors de la période admise ({_MIN_YEAR}–{_MAX_YEAR})"
            )
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell formatted as a number shows its Excel serial (days since 1899-12-30).
        if value == value and _MIN_SERIAL <= value <= _MAX_SERIAL and value == int(value):
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise _CellError(f"date « {_shorten(_cell_to_text(value))} » invalide ({_DATE_HINT})")
    return parse_french_date(str(value))


def parse_amount(text: str) -> Decimal:
    """Read an amount such as « 1 234,50 € » or « 1234.5 »; raise ValueError (French)."""
    original = text
    value = _SPACES.sub("", text)
    if value.endswith("€"):
        value = value[:-1]
    elif value.upper().endswith("EUR"):
        value = value[:-3]
    if value.startswith("€"):
        value = value[1:]
    comma, dot = value.rfind(","), value.rfind(".")
    if comma >= 0 and dot >= 0:
        # The separator that comes last is the decimal one; the other groups thousands.
        thousands, decimal_sep = (".", ",") if comma > dot else (",", ".")
        value = value.replace(thousands, "").replace(decimal_sep, ".")
    elif comma >= 0:
        value = value.replace(",", ".") if value.count(",") == 1 else value.replace(",", "")
    elif value.count(".") > 1:
        value = value.replace(".", "")
    if not _AMOUNT.fullmatch(value):
        raise _CellError(f"montant « {_shorten(original.strip())} » invalide (ex. 1 234,50)")
    amount = Decimal(value)
    if -amount.as_tuple().exponent > 2:  # type: ignore[operator]
        raise _CellError(f"montant « {_shorten(original.strip())} » invalide (2 décimales au plus)")
    return amount


def _amount_from_cell(value: Any) -> Decimal:
    """Turn a CSV text or an XLSX number into an amount."""
    if isinstance(value, bool):
        raise _CellError(f"montant « {value} » invalide (ex. 1 234,50)")
    if isinstance(value, int):
        if value < 0:
            raise _CellError(f"montant « {value} » invalide (ex. 1 234,50)")
        return Decimal(value)
    if isinstance(value, float):
        try:
            amount = Decimal(repr(value))
        except InvalidOperation:
            raise _CellError("montant invalide (ex. 1 234,50)") from None
        if not amount.is_finite() or amount < 0:
            raise _CellError(f"montant « {_shorten(repr(value))} » invalide (ex. 1 234,50)")
        # Floats carry binary noise (1234.5000000001); Excel shows cents.
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return parse_amount(str(value))


def _cell_to_text(value: Any) -> str:
    """Render an XLSX cell value as the text a user would see."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        if value == value and value not in (float("inf"), float("-inf")) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# ---------------------------------------------------------------------------
# Reading the file into raw rows
# ---------------------------------------------------------------------------

_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"


def _fail(message: str, line: int = 0, column: str = "") -> EdofError:
    """Build a single-problem error."""
    return EdofError([EdofProblem(line, column, message)])


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; return the text and the encoding used."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise _fail(
        "encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou Windows-1252, ou en XLSX"
    )


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter from the first non-empty line (``;``, tab or ``,``)."""
    first_line = ""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            first_line = line
            break
    # Counting outside quotes keeps a quoted "Nom, prénom" header from voting for ",".
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: unquoted.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (spreadsheet row number, cells) for each CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, record
    except csv.Error as exc:
        raise _fail(f"fichier CSV illisible après la ligne {number} ({exc})") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Yield (spreadsheet row number, cell values) from the first worksheet."""
    from openpyxl import load_workbook  # imported here: CSV uploads do not need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken or foreign ZIP
        raise _fail("fichier XLSX illisible ou corrompu : réenregistrez-le depuis Excel") from None
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise _fail("le classeur XLSX ne contient aucune feuille de données")
        number = 0
        try:
            for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
                yield number, list(values)
        except EdofError:
            raise
        except Exception:
            raise _fail(f"fichier XLSX illisible après la ligne {number}") from None
    finally:
        workbook.close()


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Layout:
    """Where each known column sits, and the extra columns to keep."""

    positions: dict[str, int]
    extra: list[tuple[int, str]]
    headers: tuple[str, ...]


def _read_header(line: int, cells: Sequence[Any], problems: list[EdofProblem]) -> _Layout:
    """Map header cells to known columns; record missing or duplicated columns."""
    headers = tuple(_clean_text(_cell_to_text(c)) for c in cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        problems.append(
            EdofProblem(line, "", f"trop de colonnes ({len(headers)}, maximum {MAX_COLUMNS})")
        )
        headers = headers[:MAX_COLUMNS]
    positions: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    used_extra: set[str] = set()
    for index, header in enumerate(headers):
        column = _HEADER_TO_COLUMN.get(normalize_header(header))
        if column is None:
            name = header or f"Colonne {index + 1}"
            base, suffix = name, 2
            while name in used_extra:
                name, suffix = f"{base} ({suffix})", suffix + 1
            used_extra.add(name)
            extra.append((index, name))
        elif column in positions:
            problems.append(
                EdofProblem(line, column, f"colonne en double (« {_shorten(header)} »)")
            )
        else:
            positions[column] = index
    for column in MANDATORY_COLUMNS:
        if column not in positions:
            problems.append(EdofProblem(line, column, "colonne obligatoire absente"))
    if INTITULE_CERTIF not in positions and CODE_CERTIF not in positions:
        problems.append(
            EdofProblem(
                line,
                INTITULE_CERTIF,
                f"colonne obligatoire absente (ou, à défaut, {CODE_CERTIF})",
            )
        )
    return _Layout(positions, extra, headers)


def _row_from_cells(
    line: int,
    cells: Sequence[Any],
    layout: _Layout,
    problems: list[EdofProblem],
    seen: dict[str, int],
) -> EdofRow | None:
    """Build one row, appending every problem of the line; ``None`` if any."""
    positions = layout.positions
    width = len(cells)
    before = len(problems)
    # Clean each known cell once: empty text becomes None, XLSX values keep their type.
    values: dict[str, Any] = {}
    refused: set[str] = set()  # cells with a forbidden character, already reported
    for column, index in positions.items():
        if index < width:
            value = cells[index]
            if isinstance(value, str):
                value, problem = clean_text(_clean_text(value), column in _MULTILINE_COLUMNS)
                if problem is not None:
                    problems.append(EdofProblem(line, column, str(problem)))
                    refused.add(column)
                    continue
                if not value:
                    continue
            elif value is None:
                continue
            values[column] = value

    def text(column: str) -> str | None:
        value = values.get(column)
        if value is None:
            return None
        if not isinstance(value, str):
            value = _cell_to_text(value).strip() or None
            if value is None:
                return None
        if len(value) > MAX_CELL_CHARS:
            problems.append(
                EdofProblem(line, column, f"valeur trop longue (plus de {MAX_CELL_CHARS} car.)")
            )
            return None
        return value

    def required(column: str) -> str:
        value = text(column)
        if value is None:
            if column not in refused:
                problems.append(EdofProblem(line, column, "valeur obligatoire manquante"))
            return ""
        return value

    def converted(column: str, convert: Callable[[Any], Any], mandatory: bool = False) -> Any:
        value = values.get(column)
        if value is None:
            if mandatory and column not in refused:
                problems.append(EdofProblem(line, column, "valeur obligatoire manquante"))
            return None
        try:
            return convert(value)
        except _CellError as exc:
            problems.append(EdofProblem(line, column, str(exc)))
            return None

    file_number = required(NUMERO_DOSSIER)
    if file_number and _SCIENTIFIC.fullmatch(file_number):
        problems.append(
            EdofProblem(
                line,
                NUMERO_DOSSIER,
                f"numéro « {_shorten(file_number)} » en notation scientifique : le tableur "
                "l'a arrondi ; exportez la colonne au format texte",
            )
        )
    elif file_number and _INNER_SPACE.search(file_number):
        problems.append(
            EdofProblem(line, NUMERO_DOSSIER, f"numéro « {_shorten(file_number)} » invalide")
        )
    elif file_number:
        first = seen.get(file_number)
        if first is None:
            seen[file_number] = line
        else:
            problems.append(
                EdofProblem(
                    line,
                    NUMERO_DOSSIER,
                    f"dossier « {_shorten(file_number)} » déjà présent ligne {first}",
                )
            )
    last_name = required(NOM)
    first_name = required(PRENOM)
    training_title = required(INTITULE)
    certif_code = text(CODE_CERTIF)
    certif_title = text(INTITULE_CERTIF)
    if certif_code is None and certif_title is None and not refused & {CODE_CERTIF, INTITULE_CERTIF}:
        column = INTITULE_CERTIF if INTITULE_CERTIF in positions else CODE_CERTIF
        problems.append(EdofProblem(line, column, "certification manquante"))

    start = converted(DATE_DEBUT_SESSION, _date_from_cell, mandatory=True)
    end = converted(DATE_FIN_SESSION, _date_from_cell, mandatory=True)
    if start is not None and end is not None and end < start:
        problems.append(
            EdofProblem(
                line,
                DATE_FIN_SESSION,
                f"la date de fin ({end:%d/%m/%Y}) précède la date de début ({start:%d/%m/%Y})",
            )
        )
    amount = converted(MONTANT, _amount_from_cell)

    extra: dict[str, str] = {}
    for index, name in layout.extra:
        if index < width:
            value = cells[index]
            cleaned, problem = clean_text(
                _clean_text(value if isinstance(value, str) else _cell_to_text(value)), True)
            if problem is not None:
                problems.append(EdofProblem(line, name, str(problem)))
            elif cleaned:
                extra[name] = cleaned[:MAX_CELL_CHARS]
    if width > len(layout.headers):
        overflow = [c for c in cells[len(layout.headers) :] if _cell_to_text(c).strip()]
        if overflow:
            problems.append(
                EdofProblem(
                    line,
                    "",
                    f"{len(overflow)} valeur(s) au-delà de la dernière colonne de l'en-tête",
                )
            )

    if len(problems) != before:
        return None
    return EdofRow(
        line=line,
        file_number=file_number,
        last_name=last_name,
        first_name=first_name,
        amount=amount,
        training_title=training_title,
        certif_code=certif_code,
        certif_title=certif_title,
        status=text(STATUT_DOSSIER),
        abondement=text(ABONDEMENT_PE),
        start=start,
        end=end,
        formation_number=text(NUMERO_FORMATION),
        action_number=text(NUMERO_ACTION),
        session_number=text(NUMERO_SESSION),
        repertoire_ref=text(REF_REPERTOIRE),
        extra=extra,
    )


def _is_blank(cells: Sequence[Any]) -> bool:
    """True when a record has no visible content."""
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell.strip():
                return False
        else:
            return False
    return True


def parse_edof(data: bytes, filename: str) -> EdofParseResult:
    """Parse an EDOF extract (CSV or XLSX); raise EdofError listing every problem."""
    try:
        return _parse(data, filename)
    except EdofError:
        raise
    except Exception as exc:  # the contract: callers only ever see EdofError
        raise _fail(f"fichier illisible ({type(exc).__name__})") from exc


def _parse(data: bytes, filename: str) -> EdofParseResult:
    """Do the work of :func:`parse_edof`."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _fail("fichier illisible")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise _fail(f"fichier trop volumineux (maximum {MAX_BYTES // (1024 * 1024)} Mo)")
    name = (filename or "").strip().lower()
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE):
        raise _fail("le fichier est vide")
    if data.startswith(_XLS_MAGIC) or name.endswith(".xls"):
        raise _fail("format Excel 97-2003 (.xls) non pris en charge : enregistrez en .xlsx ou .csv")

    encoding: str | None = None
    delimiter: str | None = None
    records: Iterator[tuple[int, list[Any]]]
    if data.startswith(_ZIP_MAGIC):
        file_format: Literal["csv", "xlsx"] = "xlsx"
        records = _xlsx_rows(data)
    elif name.endswith((".xlsx", ".xlsm")):
        raise _fail("le fichier porte l'extension .xlsx mais n'est pas un classeur Excel valide")
    else:
        file_format = "csv"
        text, encoding = _decode(data)
        if "\x00" in text:
            raise _fail("ce fichier n'est ni un CSV ni un XLSX")
        if not text.strip():
            raise _fail("le fichier est vide")
        delimiter = _sniff_delimiter(text)
        records = _csv_rows(text, delimiter)

    problems: list[EdofProblem] = []
    rows: list[EdofRow] = []
    layout: _Layout | None = None
    seen: dict[str, int] = {}
    data_rows = 0
    for line, cells in records:
        if _is_blank(cells):
            continue
        if layout is None:
            layout = _read_header(line, cells, problems)
            if problems:
                # Without a usable header every data line would only repeat the problem.
                break
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _fail(f"trop de lignes : {MAX_ROWS} dossiers au plus par extrait")
        row = _row_from_cells(line, cells, layout, problems, seen)
        if row is not None:
            rows.append(row)
    if layout is None and not problems:
        raise _fail("le fichier est vide")
    if problems:
        raise EdofError(problems)
    assert layout is not None  # noqa: S101 - narrowed for the type checker
    return EdofParseResult(
        rows=tuple(rows),
        file_format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        headers=layout.headers,
        extra_columns=tuple(name for _, name in layout.extra),
    )


# ---------------------------------------------------------------------------
# Taux de réalisation
# ---------------------------------------------------------------------------

_CANCELLED_PREFIXES = ("annul", "refus", "rejet")


@dataclass(frozen=True, slots=True)
class RealisationRate:
    """France Compétences' taux de réalisation for a set of CPF files."""

    ended: int
    taken: int

    @property
    def rate(self) -> Decimal | None:
        """Share of ended files whose certification was taken (0–1, 4 decimals), or None."""
        if not self.ended:
            return None
        return (Decimal(self.taken) / Decimal(self.ended)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> Decimal | None:
        """The rate as a percentage with one decimal, or None when no file has ended."""
        rate = self.rate
        if rate is None:
            return None
        return (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def realisation_rate(
    rows: Iterable[EdofRow],
    taken_file_numbers: Collection[str],
    as_of: dt.date,
) -> RealisationRate:
    """Count CPF files ended by ``as_of`` and, among them, those whose certification was taken.

    France Compétences measures, for a certification, how many CPF-funded trainees actually
    sit the exam: *taux de réalisation = dossiers dont la certification a été passée /
    dossiers dont la formation est terminée*. Here:

    - the denominator is every file whose DATE_FIN_SESSION is on or before ``as_of``, except
      files whose STATUT_DOSSIER says they were cancelled or refused (``Annulé…``,
      ``Refusé…``, ``Rejeté…``): no training took place;
    - the numerator is those files whose number is in ``taken_file_numbers`` (the files
      linked to a CLOE registration with a completed written test — sitting counts, passing
      is not required);
    - a file number is counted once even if the rows repeat it.
    """
    taken_set = {number.strip() for number in taken_file_numbers}
    ended_numbers: set[str] = set()
    for row in rows:
        if row.end > as_of:
            continue
        status = normalize_header(row.status or "")
        if status.startswith(_CANCELLED_PREFIXES):
            continue
        ended_numbers.add(row.file_number)
    return RealisationRate(ended=len(ended_numbers), taken=len(ended_numbers & taken_set))
