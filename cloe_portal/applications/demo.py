"""Demo partner applications (awaiting audit, awaiting commission, rejected) and a suspended partner."""

from __future__ import annotations

from datetime import timedelta

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation
from cloe_portal.applications import services
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS, CPF_CHARTER_CRITERIA

ORDER = 20

# A minimal but real PDF: the documents open in a viewer.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

_APPLICANTS = (
    # name, SIRET (valid Luhn), address, postcode, city, contact, volumes, e-learning %
    ("Bretagne Langues Pro", "73282932000074", "14 rue de Siam", "29200", "Brest",
     ("Maël", "Kerouac", "contact@bretagne-langues.example.fr"), {"en": 80, "es": 15}, 20),
    ("Alsace Idiomes", "40483304800022", "3 place Kléber", "67000", "Strasbourg",
     ("Anne", "Schmitt", "anne.schmitt@alsace-idiomes.example.fr"), {"de": 140, "en": 60}, 35),
    ("Click&Speak Online", "51435108700010", "80 avenue de la Gare", "59000", "Lille",
     ("Kevin", "Lambert", "direction@clickspeak.example.fr"), {"en": 900}, 85),
)


def _application(ctx, name, siret, address, postcode, city, contact, volumes, elearning):  # noqa: ANN001, ANN202
    first, last, email = contact
    slug = name.split()[0].lower().replace("&", "")
    data = {
        "org_name": name, "siret": siret, "address": address, "postcode": postcode, "city": city,
        "country": "France", "website": f"https://{slug}.example.fr", "founded_year": 2008 + len(name) % 10,
        "staff_count": 6 + len(name), "contact_first_name": first, "contact_last_name": last,
        "contact_role": "Responsable formation", "contact_email": email, "contact_phone": "01 23 45 67 89",
        "volumes": volumes, "elearning_share": elearning,
        "teaching_formats": ["group", "virtual_class"] if elearning < 50 else ["elearning", "virtual_class"],
        "trainer_count": 4 + len(volumes) * 3, "satisfaction_rate": 91, "certified_rate": 84,
        "positioning_process": "Test de positionnement en ligne puis entretien oral de 20 minutes avec un formateur.",
        "follow_up_process": "Relance par e-mail à J+7 et J+15, puis appel du formateur référent.",
        "human_led_commitment": True,
        "charter_acknowledged": list(range(1, len(CPF_CHARTER_CRITERIA) + 1)),
    }
    files = {
        "qualiopi": ("certificat-qualiopi.pdf", _PDF),
        "programme": ("programme-anglais-professionnel.pdf", _PDF),
        "establishment": ("extrait-kbis.pdf", _PDF),
        "agreement": ("convention-partenariat-signee.pdf", _PDF),
    }
    application = services.submit_application(data, files)
    application.submitted_at = clock.now() - timedelta(days=ctx.rng.randint(3, 20))
    return application


def seed(ctx) -> None:  # noqa: ANN001
    """Three applications at different steps and a suspended fourth partner."""
    waiting, audited, rejected = (_application(ctx, *spec) for spec in _APPLICANTS)
    all_ok = {key: {"ok": True, "note": ""} for key, _ in ACCREDITATION_AUDIT_POINTS}
    all_ok["positioning"]["note"] = "Test en ligne et entretien oral : processus solide."
    services.save_audit(ctx.referent, audited, all_ok, "favourable",
                        "Organisme implanté depuis 2011, équipe de formateurs stable.")
    weak = {key: {"ok": key not in ("offer_quality", "human_led_training"), "note": ""}
            for key, _ in ACCREDITATION_AUDIT_POINTS}
    weak["offer_quality"]["note"] = "85 % des heures en e-learning, un seul formateur pour 900 candidats."
    services.save_audit(ctx.referent, rejected, weak, "unfavourable",
                        "Offre quasi entièrement en e-learning, accompagnement humain insuffisant.")
    services.record_commission(ctx.coordinator, rejected, "rejected", clock.today_paris(),
                               "Accompagnement par formateur insuffisant (règlement § 4.2).")
    ctx.extra["applications"] = [waiting, audited, rejected]

    now = clock.now()
    suspended = Organisation(
        kind="partner", name="Horizon Langues Express", siret="80295478500027",
        address="21 rue Sainte-Catherine", postcode="33000", city="Bordeaux",
        website="https://horizon-langues.example.fr", status="active", referent_centre=ctx.cel,
        listed_at=now - timedelta(days=400), created_at=now - timedelta(days=420),
    )
    db.session.add(suspended)
    db.session.flush()
    ctx.user("admin@horizon.demo.cloe.fr", "partner", "Nicolas", "Perrin", suspended)
    record(ctx.coordinator, "partner.listed", suspended)
    services.change_partnership(ctx.referent, suspended, "suspend",
                                "Démarchage téléphonique abusif signalé par trois candidats (charte CPF, critère 4).")
    ctx.extra["suspended_partner"] = suspended
