"""Demo assessors in the five languages: valid, expiring within 60 days, expired."""

from __future__ import annotations

from datetime import timedelta

from cloe_portal import clock
from cloe_portal.assessors import services
from cloe_portal.assessors.models import Accreditation, AssessorProfile
from cloe_portal.extensions import db

ORDER = 21


def _accredit(ctx, assessor, language: str, validated_days_ago: int, mode: str = "remote") -> None:  # noqa: ANN001
    today = clock.today_paris()
    acc = Accreditation(assessor_id=assessor.id, language=language, status="in_training",
                        created_at=clock.now() - timedelta(days=validated_days_ago + 30))
    db.session.add(acc)
    db.session.flush()
    validated = today - timedelta(days=validated_days_ago)
    services.record_training(ctx.referent, acc, validated - timedelta(days=14), mode)
    services.record_attempt(ctx.referent, acc, validated, passed=True,
                            notes="Mise en situation conforme aux exigences du GT CLOE.")


def seed(ctx) -> None:  # noqa: ANN001
    """ctx.assessor accredited in English and French today; others in de, es, it; one expiring, one expired."""
    db.session.add(AssessorProfile(user_id=ctx.assessor.id,
                                   video_link="https://visio.cel-paris.example.fr/david-thompson"))
    _accredit(ctx, ctx.assessor, "en", 200)
    _accredit(ctx, ctx.assessor, "fr", 150, "in_person")
    people = {
        "de": ctx.user("ingrid.weber@demo.cloe.fr", "assessor", "Ingrid", "Weber", ctx.cel),
        "es": ctx.user("lucia.fernandez@demo.cloe.fr", "assessor", "Lucía", "Fernández", ctx.cel),
        "it": ctx.user("giulia.rossi@demo.cloe.fr", "assessor", "Giulia", "Rossi", ctx.cel),
        "expired": ctx.user("helene.girard@demo.cloe.fr", "assessor", "Hélène", "Girard", ctx.cel),
    }
    for user in people.values():
        slug = user.email.split("@")[0].replace(".", "-")
        db.session.add(AssessorProfile(user_id=user.id, video_link=f"https://visio.cel-paris.example.fr/{slug}"))
    _accredit(ctx, people["de"], "de", 300)
    _accredit(ctx, people["es"], "es", 690)  # valid ~40 more days: on the referent's watch list
    _accredit(ctx, people["it"], "it", 90, "in_person")
    _accredit(ctx, people["expired"], "en", 760)  # lapsed a month ago
    ctx.extra["assessors"] = {
        "en": [ctx.assessor], "fr": [ctx.assessor], "de": [people["de"]],
        "es": [people["es"]], "it": [people["it"]],
    }
    ctx.extra["expired_assessor"] = people["expired"]
