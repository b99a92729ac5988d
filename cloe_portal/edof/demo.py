"""Two months of EDOF extracts for the first two demo partners, matched to their candidates."""

from __future__ import annotations

from datetime import timedelta

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.demo import DemoContext
from cloe_portal.edof.services import upload_extract
from cloe_portal.extensions import db
from cloe_portal.rules.windows import add_calendar_months

ORDER = 15

HEADER = ("NUMERO_DOSSIER;NOM;PRENOM;MONTANT;INTITULE;INTITULE_CERTIF;STATUT_DOSSIER;"
          "DATE_DEBUT_SESSION;DATE_FIN_SESSION\r\n")


def seed(ctx: DemoContext) -> None:
    """Last month's and this month's extract for partners[0] and [1] (CSV, like EDOF's export)."""
    today = clock.today_paris()
    registrations = ctx.extra.get("registrations", [])
    for partner in ctx.partners[:2]:
        admin = db.session.scalars(db.select(User).where(
            User.organisation_id == partner.id, User.role == "partner").order_by(User.id)).first()
        regs = [r for r in registrations if r.partner_id == partner.id and r.cpf_file_number]
        for months_back in (1, 0):
            month = add_calendar_months(today.replace(day=1), -months_back)
            lines = [HEADER]
            for i, reg in enumerate(regs):
                if (i + months_back) % 2:
                    continue
                start = reg.session.written_date - timedelta(days=45)
                end = reg.session.written_date - timedelta(days=2)
                lines.append(f"{reg.cpf_file_number};{reg.candidate.last_name};{reg.candidate.first_name};"
                             f"1 290,00;Formation {reg.session.name};CLOE;Terminé;"
                             f"{start:%d/%m/%Y};{end:%d/%m/%Y}\r\n")
            # A file whose trainee was never enrolled in CLOE (shows as unmatched / not taken).
            lines.append(f"79{partner.id:02d}{months_back:07d};Moreau;Alice;990,00;Anglais général;CLOE;"
                         f"Terminé;{month - timedelta(days=60):%d/%m/%Y};{month - timedelta(days=5):%d/%m/%Y}\r\n")
            data = "".join(lines).encode("utf-8")
            upload_extract(admin, partner, month, data, f"extraction-edof-{month:%Y-%m}.csv")
