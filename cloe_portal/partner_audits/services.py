"""Follow-up audits of accredited partners (seed 000 §4.1): when they are due, opening one,
saving its grid and recording its outcome.

The rules (periods, outcomes, what each outcome needs) are in
`cloe_portal.rules.partner_audits`; the grid is the accreditation checklist of
`cloe_portal.applications.checks`. Every step is logged on the partner (object
``organisation``) so that the partner page's history shows it; the entry's details name
the audit (``audit_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.applications import checks
from cloe_portal.audit.models import AuditEntry
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.network.services import follows
from cloe_portal.notifications.mail import queue_email
from cloe_portal.partner_audits.models import PartnerAudit
from cloe_portal.rules import partner_audits as rules
from cloe_portal.rules.calendar import paris_date


class AuditError(Exception):
    """A step refused; French messages, per form field ("" for the whole form)."""

    def __init__(self, problems: dict[str, str] | str) -> None:
        self.problems = {"": problems} if isinstance(problems, str) else problems
        super().__init__(" ".join(self.problems.values()))


def may_see(user: User, audit: PartnerAudit) -> bool:
    """The referents of the partner's centre, and the coordinator."""
    return follows(user, audit.organisation)


def audit_years() -> int:
    """Years between two audits (PARTNER_AUDIT_YEARS)."""
    return int(current_app.config.get("PARTNER_AUDIT_YEARS", rules.DEFAULT_AUDIT_YEARS))


def accreditation_day(org: Organisation) -> date:
    """The day the partner was accredited (listed); its creation for older records."""
    return paris_date(clock.as_utc(org.listed_at or org.created_at))


def next_audit_dates(orgs: Iterable[Organisation]) -> dict[int, date]:
    """Each partner's next-audit date: set by its last closed audit, else counted from its
    accreditation with the configured period (one query for all of them)."""
    orgs = list(orgs)
    if not orgs:
        return {}
    ids = [o.id for o in orgs]
    last_closed = (
        db.select(db.func.max(PartnerAudit.id))
        .where(PartnerAudit.status == "closed", PartnerAudit.organisation_id.in_(ids))
        .group_by(PartnerAudit.organisation_id)
    )
    set_by_audit = dict(db.session.execute(
        db.select(PartnerAudit.organisation_id, PartnerAudit.next_audit_on)
        .where(PartnerAudit.id.in_(last_closed))
    ).all())
    years = audit_years()
    return {
        o.id: set_by_audit.get(o.id) or rules.anniversary(accreditation_day(o), years)
        for o in orgs
    }


def open_audits(org_ids: Iterable[int]) -> dict[int, PartnerAudit]:
    """The audit in progress of each of these partners, if any (one query)."""
    ids = list(org_ids)
    if not ids:
        return {}
    stmt = db.select(PartnerAudit).where(PartnerAudit.status == "open",
                                         PartnerAudit.organisation_id.in_(ids))
    return {a.organisation_id: a for a in db.session.scalars(stmt)}


@dataclass
class DueAudit:
    """A partner whose audit is due soon or overdue."""

    partner: Organisation
    due_on: date
    state: str  # "due" or "overdue"
    open_audit: PartnerAudit | None


def audits_due(user: User, today: date) -> list[DueAudit]:
    """Accredited partners the user follows whose audit falls within 60 days or has passed,
    soonest first (three queries whatever the number of partners)."""
    stmt = db.select(Organisation).where(Organisation.kind == "partner",
                                         Organisation.status == "active")
    if user.role != "coordinator":
        stmt = stmt.where(Organisation.referent_centre_id == user.organisation_id)
    partners = list(db.session.scalars(stmt))
    dates = next_audit_dates(partners)
    due = [(p, dates[p.id], rules.due_state(dates[p.id], today)) for p in partners]
    due = [(p, d, s) for p, d, s in due if s is not None]
    in_progress = open_audits(p.id for p, _d, _s in due)
    return sorted((DueAudit(p, d, s, in_progress.get(p.id)) for p, d, s in due),
                  key=lambda a: (a.due_on, a.partner.name))


def partner_audits(org: Organisation) -> list[PartnerAudit]:
    """A partner's audits, the one in progress first, then the closed ones newest first."""
    stmt = (
        db.select(PartnerAudit).where(PartnerAudit.organisation_id == org.id)
        .options(db.joinedload(PartnerAudit.opened_by), db.joinedload(PartnerAudit.closed_by))
        .order_by((PartnerAudit.status == "open").desc(), PartnerAudit.audit_date.desc(),
                  PartnerAudit.id.desc())
    )
    return list(db.session.scalars(stmt))


def pending_suspension(org: Organisation, audits: list[PartnerAudit],
                       entries: list[AuditEntry]) -> PartnerAudit | None:
    """The last closed audit when it proposed a suspension that has not been acted on yet
    (the partner is still active and no suspension or end was recorded since)."""
    closed = [a for a in audits if not a.is_open]
    if org.status != "active" or not closed or closed[0].outcome != "suspension_proposed":
        return None
    proposal = closed[0]
    since = clock.as_utc(proposal.closed_at)
    acted = any(e.action in ("partner.suspend", "partner.end") and clock.as_utc(e.at) >= since
                for e in entries)
    return None if acted else proposal


def open_audit(actor: User, org: Organisation) -> tuple[PartnerAudit, bool]:
    """Open a follow-up audit of an accredited partner, or return the one in progress
    (second value False)."""
    if not org.is_partner or org.status != "active":
        raise AuditError(
            "Seul un partenaire habilité (partenariat actif) fait l'objet d'un audit de suivi."
        )
    existing = open_audits([org.id]).get(org.id)
    if existing is not None:
        return existing, False
    audit = PartnerAudit(organisation=org, status="open", checklist=checks.clean_checklist({}),
                         opened_by_id=actor.id, opened_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(audit)
    except IntegrityError:  # another referent opened one at the same moment
        return open_audits([org.id])[org.id], False
    record(actor, "partner_audit.opened", org, details={"audit_id": audit.id})
    db.session.flush()
    return audit, True


def save_audit(
    actor: User,
    audit: PartnerAudit,
    checklist: dict,
    outcome: str | None,
    *,
    audit_date: date | None = None,
    summary: str | None = None,
    actions: str | None = None,
    deadline: date | None = None,
) -> None:
    """Save the grid; with an outcome, close the audit, set the next-audit date and email
    the partner's admins. A closed audit is read-only."""
    if not audit.is_open:
        raise AuditError("Cet audit est clos : il n'est plus modifiable.")
    clean = checks.clean_checklist(checklist)
    tally = {"conforming": checks.conforming_count(clean), "points": len(clean)}
    if not outcome:
        audit.checklist = clean
        record(actor, "partner_audit.saved", audit.organisation,
               details={"audit_id": audit.id, **tally})
        db.session.flush()
        return
    org = audit.organisation
    summary = (summary or "").strip() or None
    actions = (actions or "").strip() or None
    problems = rules.outcome_problems(
        outcome, all_conforming=checks.all_conforming(clean), audit_date=audit_date,
        today=clock.today_paris(), earliest=accreditation_day(org), summary=summary,
        actions=actions, deadline=deadline,
    )
    if outcome == "suspension_proposed" and org.status != "active":
        problems["outcome"] = "Ce partenariat n'est plus actif : il n'y a pas de suspension à proposer."
    if problems:
        raise AuditError(problems)
    previous_next = next_audit_dates([org])[org.id]
    if outcome != "actions_required":
        actions, deadline = None, None
    audit.checklist = clean
    audit.status = "closed"
    audit.outcome = outcome
    audit.audit_date = audit_date
    audit.summary = summary
    audit.actions = actions
    audit.actions_deadline = deadline
    audit.next_audit_on = rules.next_audit_date(audit_date, audit_years(), outcome, deadline)
    audit.closed_by_id = actor.id
    audit.closed_at = clock.now()
    line = f"Audit du {audit_date:%d/%m/%Y} — prochain audit le {audit.next_audit_on:%d/%m/%Y}"
    if deadline is not None:
        line += f" — actions à réaliser avant le {deadline:%d/%m/%Y} : {actions}"
    record(actor, f"partner_audit.{outcome}", org, reason=summary, details={
        "audit_id": audit.id, "audit_date": audit_date.isoformat(), **tally,
        "actions": actions, "actions_deadline": deadline.isoformat() if deadline else None,
        "next_audit": {"from": previous_next.isoformat(), "to": audit.next_audit_on.isoformat()},
        "summary": line,
    })
    admins = db.session.scalars(
        db.select(User).where(User.organisation_id == org.id, User.role == "partner", User.active)
    )
    for admin in admins:
        queue_email(admin.email, "partner_audit_outcome", kind="partner-audit",
                    key=f"partner-audit-{audit.id}-{admin.id}", recipient_id=admin.id,
                    audit=audit, organisation=org, user=admin)
    db.session.flush()
