"""Demo problem reports: one taken up by the referent (with its reply), one new from another partner."""

from __future__ import annotations

from cloe_portal.demo import DemoContext
from cloe_portal.partners.contacts import partner_admins
from cloe_portal.problem_reports import services

ORDER = 56


def seed(ctx: DemoContext) -> None:
    """A technical incident of the demo partner answered by the referent; a new question elsewhere."""
    own = [r for r in ctx.extra.get("registrations", [])
           if r.partner_id == ctx.partner_admin.organisation_id and r.status == "written_done"]
    report = services.create_report(
        ctx.partner_admin, "technical",
        "La candidate signale que la section « Compréhension orale » s'est figée deux fois "
        "pendant son test écrit (écran blanc plus de 30 secondes). Elle a utilisé le bouton "
        "d'incident ; pouvez-vous vérifier que son test est bien comptabilisé ?",
        registration_id=own[0].id if own else None)
    services.respond(ctx.referent, report,
                     "Merci pour le signalement. Les deux reprises de section sont bien "
                     "enregistrées et le test est complet ; nous vérifions le journal de "
                     "surveillance avant le jury.")
    others = partner_admins(ctx.partners[1].id)
    if others:
        services.create_report(
            others[0], "administrative",
            "Nous n'avons pas reçu l'accusé de réception de notre extraction EDOF du mois dernier. "
            "Pouvez-vous confirmer qu'elle est bien arrivée ?")

