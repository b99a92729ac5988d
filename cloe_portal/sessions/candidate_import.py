"""Read a partner's candidate list (CSV or XLSX) for a bulk enrolment — pure, no Flask.

Decisions: the header is the first non-empty line; column names are matched like the EDOF
parser does (case, accents and separators ignored). Mandatory columns: NOM, PRENOM, EMAIL,
DATE_NAISSANCE, NIVEAU_VISE, HEURES_FORMATION, FINANCEMENT; optional NUMERO_DOSSIER_CPF and
AMENAGEMENTS (several values separated by « , », « | » or « + »). Line numbers are the
spreadsheet's. Every problem is collected; the caller imports all rows or none.

Text cells get the portal's one cleaning (``rules.text``): NFC, stripped, and a control,
bidirectional or invisible character is a problem of its line and column, naming it.
Birth dates are read by ``rules.dates`` (jj/mm/aaaa or aaaa-mm-jj; a time part that a
spreadsheet may add is ignored); 31/02 is reported as impossible, not as badly written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email

from cloe_portal.rules.dates import parse_date
from cloe_portal.rules.edof import EdofProblem, normalize_header
from cloe_portal.rules.text import clean_text

LEVELS = ("A2", "B1", "B2", "C1", "C2")

NOM, PRENOM, EMAIL = "NOM", "PRENOM", "EMAIL"
DATE_NAISSANCE, NIVEAU_VISE = "DATE_NAISSANCE", "NIVEAU_VISE"
HEURES_FORMATION, NUMERO_DOSSIER_CPF = "HEURES_FORMATION", "NUMERO_DOSSIER_CPF"
FINANCEMENT, AMENAGEMENTS = "FINANCEMENT", "AMENAGEMENTS"

COLUMNS = (NOM, PRENOM, EMAIL, DATE_NAISSANCE, NIVEAU_VISE, HEURES_FORMATION,
           NUMERO_DOSSIER_CPF, FINANCEMENT, AMENAGEMENTS)
MANDATORY = (NOM, PRENOM, EMAIL, DATE_NAISSANCE, NIVEAU_VISE, HEURES_FORMATION, FINANCEMENT)
# Which file column reports a problem found on an enrolment field.
FIELD_COLUMNS = {
    "last_name": NOM, "first_name": PRENOM, "email": EMAIL, "birth_date": DATE_NAISSANCE,
    "target_level": NIVEAU_VISE, "training_hours": HEURES_FORMATION,
    "cpf_file_number": NUMERO_DOSSIER_CPF, "funding": FINANCEMENT,
    "accommodations": AMENAGEMENTS,
}

_ALIASES = {
    NOM: ("nom", "nomdefamille"),
    PRENOM: ("prenom", "prenoms"),
    EMAIL: ("email", "courriel", "mail", "adresseemail", "adressemail", "emailcandidat"),
    DATE_NAISSANCE: ("datenaissance", "datedenaissance", "naissance", "nele"),
    NIVEAU_VISE: ("niveauvise", "niveau", "niveaucible", "niveauseuil", "objectifcecrl"),
    HEURES_FORMATION: ("heuresformation", "heuresdeformation", "heures", "nombreheures",
                       "dureeformation"),
    NUMERO_DOSSIER_CPF: ("numerodossiercpf", "dossiercpf", "numerodossier", "numerocpf", "ndossiercpf"),
    FINANCEMENT: ("financement", "modefinancement"),
    AMENAGEMENTS: ("amenagements", "amenagement", "amenagementsdemandes"),
}
_HEADER = {alias: col for col, aliases in _ALIASES.items() for alias in aliases}
_FUNDING = {"cpf": "cpf", "autre": "other", "other": "other", "autres": "other"}
_ACCOMMODATIONS = {
    "tierstemps": "extra_time", "tempsmajore": "extra_time", "extratime": "extra_time",
    "secretaire": "secretary", "secretary": "secretary",
    "interprete": "interpreter", "interpreter": "interpreter",
    "questionsecrites": "written_oral_questions", "questionsoralesecrites": "written_oral_questions",
    "questionsparecrit": "written_oral_questions", "writtenoralquestions": "written_oral_questions",
}
_TIME_PART = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.ASCII)


@dataclass
class CandidateLine:
    """One candidate of the file, as typed values."""

    line: int
    last_name: str
    first_name: str
    email: str
    birth_date: dt.date | None
    target_level: str
    training_hours: Decimal | None
    funding: str
    cpf_file_number: str | None
    accommodations: list[str] = field(default_factory=list)


class CandidateFileError(Exception):
    """The file was refused; ``problems`` lists every problem with its line and column."""

    def __init__(self, problems: list[EdofProblem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "fichier refusé")


def _records(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, cells) from a CSV or XLSX file."""
    if data.startswith(b"PK"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a broken file
            raise CandidateFileError(
                [EdofProblem(0, "", "fichier XLSX illisible : réenregistrez-le depuis Excel")]
            ) from None
        try:
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
                yield number, list(values)
        finally:
            workbook.close()
        return
    if filename.lower().endswith((".xlsx", ".xls")):
        raise CandidateFileError(
            [EdofProblem(0, "", "ce fichier n'est pas un classeur XLSX valide (enregistrez en .xlsx ou .csv)")]
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CandidateFileError(
            [EdofProblem(0, "", "encodage non reconnu : enregistrez en CSV UTF-8 ou en XLSX")])
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max((";", "\t", ","), key=first.count) if first else ";"
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _birth_date(value: Any, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        value = parse_date(_TIME_PART.sub("", _text(value)))
    if value.year < 1900 or value >= today:
        raise ValueError(f"date de naissance « {value:%d/%m/%Y} » invraisemblable")
    return value


def _hours(value: Any) -> Decimal:
    text = _text(value).replace(",", ".").replace(" ", "").lower().removesuffix("h")
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"nombre d'heures « {_text(value)[:40]} » invalide (ex. 12 ou 7,5)") from None
    if not hours.is_finite() or hours < 0 or hours > 9999:
        raise ValueError(f"nombre d'heures « {_text(value)[:40]} » invalide")
    return hours


def read_candidates(data: bytes, filename: str, today: dt.date) -> list[CandidateLine]:
    """Parse the file into candidate lines, or raise CandidateFileError listing every problem."""
    lines, problems = collect_candidates(data, filename, today)
    return lines, problems


def collect_candidates(data: bytes, filename: str,
                       today: dt.date) -> tuple[list[CandidateLine], list[EdofProblem]]:
    """Parse the file: the readable candidate lines and every problem found (line, column)."""
    problems: list[EdofProblem] = []
    positions: dict[str, int] | None = None
    lines: list[CandidateLine] = []
    seen_emails: dict[str, int] = {}
    if not data.strip():
        raise CandidateFileError([EdofProblem(0, "", "le fichier est vide")])
    for number, cells in _records(data, filename):
        if not any(_text(c) for c in cells):
            continue
        if positions is None:
            positions = {}
            for index, header in enumerate(cells):
                column = _HEADER.get(normalize_header(_text(header)))
                if column and column not in positions:
                    positions[column] = index
            missing = [c for c in MANDATORY if c not in positions]
            for column in missing:
                problems.append(EdofProblem(number, column, "colonne obligatoire absente"))
            if missing:
                break
            continue

        refused: set[str] = set()

        def cell(column: str, cells: list[Any] = cells, layout: dict[str, int] = positions,
                 number: int = number, refused: set[str] = refused) -> Any:
            index = layout.get(column)
            value = cells[index] if index is not None and index < len(cells) else None
            if not isinstance(value, str):
                return value
            text, problem = clean_text(value)
            if problem is not None:
                if column not in refused:
                    refused.add(column)
                    problems.append(EdofProblem(number, column, str(problem)))
                return None
            return text

        before = len(problems)

        def required(column: str, number: int = number, refused: set[str] = refused) -> str:
            value = _text(cell(column))
            if not value and column not in refused:
                problems.append(EdofProblem(number, column, "valeur obligatoire manquante"))
            return value

        last_name, first_name = required(NOM), required(PRENOM)
        email = required(EMAIL).lower()
        if email:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problems.append(EdofProblem(number, EMAIL, f"adresse « {email[:60]} » invalide"))
            else:
                if email in seen_emails:
                    problems.append(EdofProblem(
                        number, EMAIL, f"adresse déjà présente ligne {seen_emails[email]}"))
                seen_emails.setdefault(email, number)
        birth = None
        if required(DATE_NAISSANCE):
            try:
                birth = _birth_date(cell(DATE_NAISSANCE), today)
            except ValueError as exc:  # DateProblem or an implausible date
                problems.append(EdofProblem(number, DATE_NAISSANCE, str(exc)))
        level = required(NIVEAU_VISE).upper()
        if level and level not in LEVELS:
            problems.append(EdofProblem(number, NIVEAU_VISE,
                                        f"niveau « {level[:10]} » invalide (A2, B1, B2, C1 ou C2)"))
        hours = None
        if required(HEURES_FORMATION):
            try:
                hours = _hours(cell(HEURES_FORMATION))
            except ValueError as exc:
                problems.append(EdofProblem(number, HEURES_FORMATION, str(exc)))
        funding_text = required(FINANCEMENT)
        funding = _FUNDING.get(normalize_header(funding_text), "")
        if funding_text and not funding:
            problems.append(EdofProblem(number, FINANCEMENT,
                                        f"financement « {funding_text[:40]} » invalide (CPF ou Autre)"))
        accommodations: list[str] = []
        for token in re.split(r"[,|+/]", _text(cell(AMENAGEMENTS))):
            if not token.strip():
                continue
            kind = _ACCOMMODATIONS.get(normalize_header(token))
            if kind is None:
                problems.append(EdofProblem(
                    number, AMENAGEMENTS,
                    f"aménagement « {token.strip()[:40]} » inconnu (tiers-temps, secrétaire, "
                    "interprète ou questions écrites)"))
            elif kind not in accommodations:
                accommodations.append(kind)
        if len(problems) == before:
            lines.append(CandidateLine(
                line=number, last_name=last_name, first_name=first_name, email=email,
                birth_date=birth, target_level=level, training_hours=hours, funding=funding,
                cpf_file_number=_text(cell(NUMERO_DOSSIER_CPF)) or None,
                accommodations=accommodations,
            ))
    if positions is None and not problems:
        problems.append(EdofProblem(0, "", "le fichier est vide"))
    if positions is not None and not problems and not lines:
        problems.append(EdofProblem(0, "", "le fichier ne contient aucun candidat"))
    return lines, problems
