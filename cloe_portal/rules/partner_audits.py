"""Follow-up audits of accredited partners (seed 000 §4.1) — pure, no Flask.

Seed 000 §4.1: « La Commission d'audit CLOE Connect organise des contrôles réguliers des
organismes partenaires ». The seeds give no period; the portal's choices:

- A partner is due for an audit every ``PARTNER_AUDIT_YEARS`` years (2 by default, like
  the assessors' accreditation) after its listing, then after its last audit: on the
  anniversary of that day (29 February → 28 February, so an audit is never due later
  than the anniversary).
- An audit that asks for corrective actions sets the next audit on the actions' deadline:
  that is when the referent checks they were done.
- An audit is "due" 60 days ahead (the referent's home lists it), and "overdue" once
  its date has passed.
- The outcome is one of three: compliant (every point of the grid conforming), corrective
  actions required (the actions and a deadline after the audit, at most a year later), or
  suspension proposed (with its reason, which then goes through the partnership's
  suspension action). An audit cannot be dated in the future nor before the partner's
  listing.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_AUDIT_YEARS = 2
DUE_WITHIN_DAYS = 60
MAX_ACTIONS_DAYS = 366

OUTCOMES = {
    "compliant": "Conforme",
    "actions_required": "Actions correctives demandées",
    "suspension_proposed": "Suspension proposée",
}


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def next_audit_date(last: dt.date, years: int, outcome: str | None = None,
                    deadline: dt.date | None = None) -> dt.date:
    """When the next audit is due after the listing or an audit on `last`."""
    if outcome == "actions_required" and deadline is not None:
        return deadline
    return anniversary(last, years)


def due_state(next_date: dt.date, today: dt.date, within_days: int = DUE_WITHIN_DAYS) -> str | None:
    """"overdue" when the date has passed, "due" within `within_days`, else None."""
    if next_date < today:
        return "overdue"
    if next_date <= today + dt.timedelta(days=within_days):
        return "due"
    return None


def outcome_problems(
    outcome: str,
    *,
    all_conforming: bool,
    audit_date: dt.date | None,
    today: dt.date,
    earliest: dt.date | None,
    summary: str | None,
    actions: str | None,
    deadline: dt.date | None,
) -> dict[str, str]:
    """Why an outcome cannot be recorded, per field (empty when it can)."""
    problems: dict[str, str] = {}
    if outcome not in OUTCOMES:
        return {"outcome": "Choisissez le résultat de l'audit."}
    if audit_date is None:
        problems["audit_date"] = "Indiquez la date de l'audit."
    elif audit_date > today:
        problems["audit_date"] = "La date de l'audit ne peut pas être dans le futur."
    elif earliest is not None and audit_date < earliest:
        problems["audit_date"] = (
            f"L'audit ne peut pas précéder l'inscription du partenaire ({earliest:%d/%m/%Y})."
        )
    if outcome == "compliant" and not all_conforming:
        problems["outcome"] = (
            "Un audit conforme suppose que chaque point de la grille soit conforme : "
            "sinon, demandez des actions correctives."
        )
    if outcome == "actions_required":
        if not (actions or "").strip():
            problems["actions"] = "Décrivez les actions correctives attendues."
        if deadline is None:
            problems["actions_deadline"] = "Indiquez l'échéance des actions correctives."
        elif deadline <= max(today, audit_date or today):
            problems["actions_deadline"] = "L'échéance des actions doit être postérieure à aujourd'hui."
        elif deadline > (audit_date or today) + dt.timedelta(days=MAX_ACTIONS_DAYS):
            problems["actions_deadline"] = "L'échéance ne peut pas dépasser un an après l'audit."
    if outcome == "suspension_proposed" and not (summary or "").strip():
        problems["summary"] = "Motivez la proposition de suspension : le motif est envoyé au partenaire."
    return problems
