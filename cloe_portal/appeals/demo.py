"""Demo data for appeals (ORDER 65): the partner contests one published result, so that the
referent finds a case to examine in its queue (and the results pages link it)."""

from __future__ import annotations

from sqlalchemy import select

from cloe_portal.demo import DemoContext
from cloe_portal.extensions import db
from cloe_portal.results.models import Result

ORDER = 65

TEXT = ("La candidate signale que la connexion de l'évaluateur a été coupée pendant la mise en "
        "situation et que l'entretien a repris sans le temps perdu. Nous demandons une "
        "seconde évaluation de l'oral.")


def seed(ctx: DemoContext) -> None:
    """One appeal to examine, filed by the demo partner's admin."""
    from cloe_portal.appeals.services import file_appeal, filing_blocker

    results = db.session.scalars(select(Result).where(
        Result.partner_id == ctx.partner_admin.organisation_id,
        Result.replaced_at.is_(None)).order_by(Result.id))
    for result in results:
        if filing_blocker(result.registration) is None:
            file_appeal(ctx.partner_admin, result.registration, "oral_conduct", TEXT)
            db.session.flush()
            return
