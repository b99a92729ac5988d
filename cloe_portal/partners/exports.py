"""CSV and XLSX exports of a partner's candidates with status and results."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from cloe_portal.formatting import fr_date
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.sessions.models import FUNDINGS, Registration

HEADERS = (
    "Organisme", "Session", "Langue", "Spécialisation", "Date du test écrit", "Nom", "Prénom",
    "E-mail", "Date de naissance", "Niveau visé", "Heures de formation", "Financement",
    "N° dossier CPF", "Statut", "Écrit terminé le",
)
RESULT_HEADERS = ("Niveau écrit", "Niveau oral", "Niveau global", "Certificat")


def result_values(registration: Registration) -> list[str]:
    """Results columns of a registration; empty until the jury feature publishes results.

    Extension point: the results feature fills these (écrit, oral, global, certificat).
    """
    return ["" for _ in RESULT_HEADERS]


def export_row(registration: Registration) -> list[str]:
    """One export line for a registration (session and candidate loaded)."""
    s, c = registration.session, registration.candidate
    return [
        registration.partner.name if registration.partner else "",
        s.name, LANGUAGES.get(s.language, s.language), s.domain or "", fr_date(s.written_date),
        c.last_name.upper(), c.first_name, c.email,
        fr_date(registration.birth_date) if registration.birth_date else "",
        registration.target_level, str(registration.training_hours).replace(".", ","),
        FUNDINGS.get(registration.funding, registration.funding),
        registration.cpf_file_number or "", registration.status_label,
        fr_date(registration.written_done_at) if registration.written_done_at else "",
        *result_values(registration),
    ]


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in exported text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(registrations: list[Registration]) -> str:
    """A ';'-separated CSV with a BOM, as French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*HEADERS, *RESULT_HEADERS])
    for registration in registrations:
        writer.writerow([_safe(v) for v in export_row(registration)])
    return "\ufeff" + buffer.getvalue()


def to_xlsx(registrations: list[Registration]) -> bytes:
    """An XLSX workbook with one sheet of candidates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Candidats")
    sheet.append([*HEADERS, *RESULT_HEADERS])
    for registration in registrations:
        sheet.append([_safe(v) for v in export_row(registration)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
