"""Search the audit log (who, what, which object, when) and export it as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select

from cloe_portal import clock
from cloe_portal.accounts.models import ROLE_LABELS_FR, User
from cloe_portal.audit.labels import ACTION_LABELS, action_label, object_type_label
from cloe_portal.audit.models import AuditEntry
from cloe_portal.audit.scope import visible_to
from cloe_portal.extensions import db
from cloe_portal.formatting import paris
from cloe_portal.rules.calendar import paris_midnight_utc

PAGE_SIZE = 50
# An action filter ending in ".*" selects a whole family (« oral.* »: every oral action).
FAMILY_SUFFIX = ".*"


@dataclass(frozen=True)
class LogFilters:
    """What the person searches for; empty values do not filter."""

    who: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    start: date | None = None
    end: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as the page's query-string arguments (for links and the export)."""
        values = {"qui": self.who, "action": self.action, "objet": self.object_type,
                  "numero": self.object_id, "du": self.start, "au": self.end}
        return {k: (v.isoformat() if isinstance(v, date) else str(v))
                for k, v in values.items() if v not in ("", None)}


def _matching_actors(text: str) -> Select:
    """Accounts whose first name, last name or email contain every word typed."""
    words = [w for w in text.split() if w][:5]
    stmt = select(User.id)
    for word in words:
        like = f"%{word}%"
        stmt = stmt.where(or_(User.first_name.ilike(like), User.last_name.ilike(like),
                              User.email.ilike(like)))
    return stmt


def log_statement(viewer: User, filters: LogFilters) -> Select:
    """Entries `viewer` may read that match `filters`, newest first."""
    conditions = [visible_to(viewer)]
    if filters.who:
        conditions.append(AuditEntry.actor_id.in_(_matching_actors(filters.who)))
    if filters.action.endswith(FAMILY_SUFFIX):
        family = filters.action.removesuffix(FAMILY_SUFFIX)
        conditions.append(AuditEntry.action.startswith(f"{family}.", autoescape=True))
    elif filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.object_type:
        conditions.append(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        conditions.append(AuditEntry.object_id == filters.object_id)
    # Dates are Paris days: from 00:00 on the first to 00:00 the day after the last.
    if filters.start:
        conditions.append(AuditEntry.at >= paris_midnight_utc(filters.start))
    if filters.end:
        conditions.append(AuditEntry.at < paris_midnight_utc(filters.end + timedelta(days=1)))
    return (
        select(AuditEntry).where(and_(*conditions))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )


@dataclass
class LogPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def log_page(viewer: User, filters: LogFilters, page: int) -> LogPage:
    """One page of matching entries with their actors (two queries whatever the log's size)."""
    stmt = log_statement(viewer, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = list(db.session.scalars(
        stmt.options(db.joinedload(AuditEntry.actor).joinedload(User.organisation))
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    return LogPage(entries, total, page, pages)


def known_actions() -> list[tuple[str, str]]:
    """Every action code with its label: the table's, and any other found in the log."""
    stored = db.session.scalars(select(AuditEntry.action).distinct())
    codes = set(ACTION_LABELS) | set(stored)
    return sorted(((code, action_label(code)) for code in codes), key=lambda c: (c[1], c[0]))


# --- CSV --------------------------------------------------------------------------------

CSV_HEADERS = ("Date (heure de Paris)", "Qui", "Rôle", "Organisme", "Action", "Code de l'action",
               "Objet", "N° de l'objet", "Motif", "Détails")


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ or a
    tab/carriage return gets a leading apostrophe, as in the portal's other exports."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def entry_row(entry: AuditEntry) -> list[str]:
    """One CSV line: who, when, what, on which object, why, and the details as JSON."""
    actor = entry.actor
    return [
        f"{paris(entry.at):%d/%m/%Y %H:%M}",  # a date and time French Excel reads as such
        actor.full_name if actor else "Système ou personne non connectée",
        ROLE_LABELS_FR.get(actor.role, actor.role) if actor else "",
        actor.organisation.name if actor and actor.organisation else "",
        action_label(entry.action),
        entry.action,
        object_type_label(entry.object_type),
        "" if entry.object_id is None else str(entry.object_id),
        entry.reason or "",
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True, default=str)
        if entry.details else "",
    ]


def export_statement(viewer: User, filters: LogFilters, before_id: int | None = None) -> Select:
    """The export's query, built while the request still holds `viewer`: entries up to
    `before_id` (excluded: the export's own entry), actors and their organisations joined."""
    stmt = log_statement(viewer, filters).options(
        db.joinedload(AuditEntry.actor).joinedload(User.organisation))
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return stmt


def csv_lines(stmt: Select) -> Iterator[str]:
    """The entries as CSV text for French Excel: UTF-8 with a BOM, `;` separated, in chunks
    of 500 lines read in batches (one query whatever the number of entries)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADERS)
    yield "\ufeff" + flush()
    for n, entry in enumerate(db.session.scalars(stmt.execution_options(yield_per=500)), 1):
        writer.writerow([safe_cell(v) for v in entry_row(entry)])
        if n % 500 == 0:
            yield flush()
    yield flush()


def export_stamp() -> str:
    """The export file's date stamp (Paris time)."""
    return f"{clock.now().astimezone(clock.PARIS):%Y%m%d-%H%M}"


def filters_details(filters: LogFilters) -> dict:
    """The filters as the export's audit entry records them."""
    return {k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in asdict(filters).items() if v not in ("", None)}
