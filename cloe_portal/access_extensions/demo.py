"""Demo access extensions: one granted (written test), one waiting for the referent (oral booking)."""

from __future__ import annotations

from cloe_portal.access_extensions import services
from cloe_portal.demo import DemoContext

ORDER = 55  # after the orals seeder: the registrations have their final statuses


def seed(ctx: DemoContext) -> None:
    """Requests by the demo partner's admin on two of its candidates."""
    own = [r for r in ctx.extra.get("registrations", [])
           if r.partner_id == ctx.partner_admin.organisation_id and r.candidate_id != ctx.candidate.id]
    before_written = next((r for r in own if r.status == "enrolled"), None)
    to_book = next((r for r in own if r.status == "written_done"), None)
    if before_written is not None:
        granted = services.request_extension(
            ctx.partner_admin, before_written, "written", 10,
            "Candidat hospitalisé une semaine : bulletin d'hospitalisation reçu.")
        services.decide(ctx.referent, granted, True, 7, "Accordé sur justificatif, 7 jours suffisent.")
    if to_book is not None:
        services.request_extension(
            ctx.partner_admin, to_book, "booking", 14,
            "Déplacement professionnel à l'étranger jusqu'à la fin du mois : le candidat ne peut "
            "pas passer l'oral avant son retour.")
