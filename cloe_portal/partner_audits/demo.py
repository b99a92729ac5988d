"""Demo follow-up audits: one partner due for its audit within 60 days (on the referent's
home), another audited a year ago (its page shows the closed audit and its next date)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cloe_portal import clock
from cloe_portal.applications.checks import clean_checklist
from cloe_portal.partner_audits import services
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS
from cloe_portal.rules.calendar import PARIS
from cloe_portal.rules.partner_audits import anniversary

ORDER = 25


def _listed_on(org, day) -> None:  # noqa: ANN001
    org.listed_at = org.created_at = datetime.combine(day, time(10, 0), tzinfo=PARIS)


def seed(ctx) -> None:  # noqa: ANN001
    today = clock.today_paris()
    years = services.audit_years()
    _due, audited = ctx.partners[1], ctx.partners[2]
    # Accredited almost `years` ago: its first audit falls 45 days from now.
    _listed_on(_due, anniversary(today, -years) + timedelta(days=45))
    _listed_on(audited, anniversary(today, -years - 1) - timedelta(days=30))
    audit, _created = services.open_audit(ctx.referent, audited)
    grid = {key: {"ok": True, "note": ""} for key, _label in ACCREDITATION_AUDIT_POINTS}
    grid["offer_quality"]["note"] = "Satisfaction des stagiaires à 94 % (enquête 2025)."
    services.save_audit(
        ctx.referent, audit, clean_checklist(grid), "compliant",
        audit_date=today - timedelta(days=365),
        summary="Offre conforme ; programmes à jour et formateurs en nombre suffisant.",
    )
