"""CSV and XLSX exports of a partner's candidates with status and results."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy.orm import selectinload

from cloe_portal.extensions import db
from cloe_portal.formatting import fr_date
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results.models import Result
from cloe_portal.sessions.models import FUNDINGS, Registration

HEADERS = (
    "Organisme", "Session", "Langue", "Spécialisation", "Date du test écrit", "Nom", "Prénom",
    "E-mail", "Date de naissance", "Niveau visé", "Heures de formation", "Financement",
    "N° dossier CPF", "Statut", "Écrit terminé le",
)
RESULT_HEADERS = ("Niveau écrit", "Niveau oral", "Niveau global", "Certificat")


def results_by_registration(registrations: list[Registration]) -> dict[int, Result]:
    """Published results in force of these registrations, with their certificates, in one
    query (a reissued result's predecessor is history)."""
    ids = [r.id for r in registrations]
    if not ids:
        return {}
    stmt = (db.select(Result).where(Result.registration_id.in_(ids),
                                    Result.replaced_at.is_(None))
            .options(selectinload(Result.certificate)))
    return {r.registration_id: r for r in db.session.scalars(stmt)}


def result_values(result: Result | None) -> list[str]:
    """Results columns: written, oral and global sub-levels and the certificate (if any)."""
    if result is None:
        return ["" for _ in RESULT_HEADERS]
    certificate = result.certificate
    if certificate is None:
        cert = "Attestation seule"
    elif certificate.revoked_at is not None:
        cert = f"{certificate.number} (révoqué)"
    else:
        cert = f"{certificate.number} — {certificate.level}"
    return [result.ecrit_level, result.oral_level, result.global_level, cert]


def export_row(registration: Registration, result: Result | None = None) -> list[str]:
    """One export line for a registration (session and candidate loaded)."""
    s, c = registration.session, registration.candidate
    return [
        registration.partner.name if registration.partner else "",
        s.name, LANGUAGES.get(s.language, s.language), s.domain or "", fr_date(s.written_date),
        registration.candidate_last_name.upper(), registration.candidate_first_name, c.email,
        fr_date(registration.birth_date) if registration.birth_date else "",
        registration.target_level, str(registration.training_hours).replace(".", ","),
        FUNDINGS.get(registration.funding, registration.funding),
        registration.cpf_file_number or "", registration.status_label,
        fr_date(registration.written_done_at) if registration.written_done_at else "",
        *result_values(result),
    ]


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in exported text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(registrations: list[Registration]) -> str:
    """A ';'-separated CSV with a BOM, as French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*HEADERS, *RESULT_HEADERS])
    results = results_by_registration(registrations)
    for registration in registrations:
        writer.writerow([_safe(v) for v in export_row(registration, results.get(registration.id))])
    return "\ufeff" + buffer.getvalue()


def to_xlsx(registrations: list[Registration]) -> bytes:
    """An XLSX workbook with one sheet of candidates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Candidats")
    sheet.append([*HEADERS, *RESULT_HEADERS])
    results = results_by_registration(registrations)
    for registration in registrations:
        sheet.append([_safe(v) for v in export_row(registration, results.get(registration.id))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
