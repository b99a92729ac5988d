"""EDOF extract uploads: parse (all or nothing), replace the month's rows, match, rates.

Decisions:
- An upload is for a month (first day stored); the month's current upload is the latest.
  A new upload for the same month deletes the previous one's rows and marks it superseded;
  the upload records themselves (who, when, file name, SHA-256, row count) stay as history.
- Matching, per row, among the partner's registrations: first the CPF file number; else the
  same last and first names (case and accents ignored) with a session whose written test
  date lies within the row's training start–end dates.
- Taux de réalisation per month: `rules.edof.realisation_rate` over the month's current rows,
  as of today; a file counts as taken when its matched registration's written test is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.services import record
from cloe_portal.edof.models import EdofFile, EdofUpload
from cloe_portal.extensions import db
from cloe_portal.partners.scope import partner_filter
from cloe_portal.partners.services import FIRST_NAME, LAST_NAME
from cloe_portal.rules.edof import (
    EdofParseResult,
    RealisationRate,
    normalize_header,
    parse_edof,
    realisation_rate,
)
from cloe_portal.rules.text import clean_filename
from cloe_portal.sessions.models import ExamSession, Registration
from cloe_portal.sessions.services import TAKEN_STATUSES


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _name_key(last: str, first: str) -> tuple[str, str]:
    return normalize_header(last), normalize_header(first)


def upload_extract(actor: User, partner: Organisation, month: dt.date, data: bytes,
                   filename: str) -> EdofUpload:
    """Parse and store an extract for the month, replacing that month's rows (raises EdofError)."""
    parsed: EdofParseResult = parse_edof(data, filename)
    month = first_of_month(month)
    now = clock.now()
    previous = list(db.session.scalars(
        db.select(EdofUpload).where(EdofUpload.partner_id == partner.id,
                                    EdofUpload.month == month,
                                    EdofUpload.superseded_at.is_(None))))
    for old in previous:
        db.session.execute(db.delete(EdofFile).where(EdofFile.upload_id == old.id))
        old.superseded_at = now
    upload = EdofUpload(partner_id=partner.id, month=month, uploaded_by_id=actor.id,
                        uploaded_at=now, filename=clean_filename(filename)[:255] or "extrait",
                        sha256=hashlib.sha256(data).hexdigest(), file_format=parsed.file_format,
                        row_count=len(parsed.rows))
    db.session.add(upload)
    db.session.flush()
    by_cpf, by_name = _partner_registrations(partner.id)
    rows = []
    for row in parsed.rows:
        registration_id, kind = None, None
        match = by_cpf.get(row.file_number)
        if match is not None:
            registration_id, kind = match, "cpf"
        else:
            for reg_id, written in by_name.get(_name_key(row.last_name, row.first_name), ()):
                if row.start <= written <= row.end:
                    registration_id, kind = reg_id, "name"
                    break
        rows.append({
            "upload_id": upload.id, "line": row.line, "file_number": row.file_number[:40],
            "last_name": row.last_name[:120], "first_name": row.first_name[:120],
            "training_title": row.training_title[:300], "certif_code": (row.certif_code or "")[:60] or None,
            "certif_title": (row.certif_title or "")[:300] or None, "status": (row.status or "")[:80] or None,
            "amount": row.amount, "start": row.start, "end": row.end,
            "registration_id": registration_id, "match_kind": kind,
        })
    if rows:
        db.session.execute(db.insert(EdofFile), rows)
    upload.matched_count = sum(1 for r in rows if r["registration_id"])
    record(actor, "edof.uploaded", upload, details={
        "month": month.isoformat(), "rows": len(rows), "matched": upload.matched_count,
        "replaced_uploads": [u.id for u in previous]})
    db.session.flush()
    return upload


def _partner_registrations(partner_id: int):  # noqa: ANN202
    """Indexes of the partner's registrations: by CPF number, and by names → written dates.

    Names are those this partner typed at enrolment (another partner may have enrolled the
    same person under another spelling)."""
    stmt = (
        db.select(Registration.id, Registration.cpf_file_number, LAST_NAME, FIRST_NAME,
                  ExamSession.written_date)
        .join(User, Registration.candidate_id == User.id)
        .join(ExamSession, Registration.session_id == ExamSession.id)
        .where(Registration.partner_id == partner_id, Registration.status != "cancelled")
        .order_by(Registration.id.desc())
    )
    by_cpf: dict[str, int] = {}
    by_name: dict[tuple[str, str], list[tuple[int, dt.date]]] = defaultdict(list)
    for reg_id, cpf, last, first, written in db.session.execute(stmt):
        if cpf:
            by_cpf.setdefault(cpf.strip(), reg_id)
        by_name[_name_key(last, first)].append((reg_id, written))
    return by_cpf, by_name


@dataclass
class MonthRate:
    """The taux de réalisation of one partner's month."""

    partner: Organisation
    month: dt.date
    upload: EdofUpload
    rate: RealisationRate
    not_taken: list[EdofFile]
    unmatched: int


def _current_uploads(user: User, partner_id: int | None = None):  # noqa: ANN202
    stmt = (db.select(EdofUpload)
            .where(EdofUpload.superseded_at.is_(None), partner_filter(user, EdofUpload.partner_id))
            .options(db.joinedload(EdofUpload.partner), db.joinedload(EdofUpload.uploaded_by)))
    if partner_id:
        stmt = stmt.where(EdofUpload.partner_id == partner_id)
    return list(db.session.scalars(stmt.order_by(EdofUpload.month.desc(), EdofUpload.partner_id)))


def month_rates(user: User, today: dt.date, partner_id: int | None = None) -> list[MonthRate]:
    """Per partner and month (current uploads): rate, and the ended CPF files with no CLOE taken."""
    uploads = _current_uploads(user, partner_id)
    if not uploads:
        return []
    stmt = (db.select(EdofFile, Registration.status)
            .outerjoin(Registration, EdofFile.registration_id == Registration.id)
            .where(EdofFile.upload_id.in_([u.id for u in uploads]))
            .order_by(EdofFile.line))
    files: dict[int, list[tuple[EdofFile, str | None]]] = defaultdict(list)
    for edof_file, status in db.session.execute(stmt):
        files[edof_file.upload_id].append((edof_file, status))
    out = []
    for upload in uploads:
        rows = files.get(upload.id, [])
        taken = {f.file_number for f, status in rows if status in TAKEN_STATUSES}
        rate = realisation_rate([f for f, _ in rows], taken, today)  # type: ignore[arg-type]
        not_taken = [f for f, status in rows
                     if f.end <= today and f.file_number not in taken
                     and not normalize_header(f.status or "").startswith(("annul", "refus", "rejet"))]
        out.append(MonthRate(upload.partner, upload.month, upload, rate, not_taken,
                             sum(1 for f, _ in rows if f.registration_id is None)))
    return out


def upload_history(user: User, partner_id: int | None = None, limit: int = 100) -> list[EdofUpload]:
    """Every upload (current and replaced), newest first."""
    stmt = (db.select(EdofUpload).where(partner_filter(user, EdofUpload.partner_id))
            .options(db.joinedload(EdofUpload.partner), db.joinedload(EdofUpload.uploaded_by))
            .order_by(EdofUpload.uploaded_at.desc(), EdofUpload.id.desc()).limit(limit))
    if partner_id:
        stmt = stmt.where(EdofUpload.partner_id == partner_id)
    return list(db.session.scalars(stmt))


def partners_missing_month(user: User, month: dt.date) -> list[Organisation]:
    """Active partners the user follows with no extract uploaded for the month."""
    uploaded = (db.select(EdofUpload.partner_id)
                .where(EdofUpload.month == first_of_month(month))
                .distinct().scalar_subquery())
    stmt = (db.select(Organisation)
            .where(Organisation.kind == "partner", Organisation.status == "active",
                   partner_filter(user, Organisation.id), Organisation.id.not_in(uploaded))
            .order_by(Organisation.name))
    return list(db.session.scalars(stmt))


def upload_counts(upload_ids: list[int]) -> dict[int, int]:
    """Rows per upload (current rows only)."""
    if not upload_ids:
        return {}
    stmt = (db.select(EdofFile.upload_id, func.count(EdofFile.id))
            .where(EdofFile.upload_id.in_(upload_ids)).group_by(EdofFile.upload_id))
    return dict(db.session.execute(stmt).all())
