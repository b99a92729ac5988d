"""The demo data set: plausible French data that lets a newcomer see every screen.

The core creates the organisations and one account per role; each feature adds its own
data from `cloe_portal/<feature>/demo.py` (a `seed(ctx)` function and an `ORDER` number).
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from cloe_portal import clock, feature_packages
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import create_user
from cloe_portal.extensions import db

DEMO_PASSWORD = "cloe-demo-2026"  # noqa: S105 - documented demo password
DEMO_LOGINS = (
    ("coordinator", "coordinateur@demo.cloe.fr"),
    ("referent", "referent@demo.cloe.fr"),
    ("partner", "partenaire@demo.cloe.fr"),
    ("assessor", "evaluateur@demo.cloe.fr"),
    ("candidate", "candidat@demo.cloe.fr"),
)


@dataclass
class DemoContext:
    """What feature seeders build on."""

    cel: Organisation
    coordinator: User
    referent: User
    partners: list[Organisation]
    partner_admin: User
    assessor: User
    candidate: User
    rng: random.Random
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, email: str, role: str, first: str, last: str, org: Organisation | None) -> User:
        """Create a demo account with the demo password."""
        return create_user(email, role, first, last, org, DEMO_PASSWORD)


def demo_logins() -> tuple[tuple[str, str], ...]:
    """(role, email) of the printed demo logins."""
    return DEMO_LOGINS


def seed_demo() -> bool:
    """Load the demo data unless it is already there; return True when loaded."""
    exists = db.session.scalars(db.select(User).where(User.email == DEMO_LOGINS[0][1])).first()
    if exists is not None:
        return False
    now = clock.now()
    cel = Organisation(kind="cel", name="CEL CCI Paris Île-de-France", city="Paris",
                       postcode="75008", address="27 avenue de Friedland", status="active",
                       contact_email="cel@demo.cloe.fr", created_at=now)
    db.session.add(cel)
    partners = [
        Organisation(kind="partner", name="Lingua Pro Formation", siret="81234567800019",
                     address="12 rue de la République", postcode="69002", city="Lyon",
                     website="https://linguapro.example.fr", status="active",
                     referent_centre=cel, listed_at=now, created_at=now),
        Organisation(kind="partner", name="Atlantique Langues", siret="79876543200027",
                     address="4 quai de la Fosse", postcode="44000", city="Nantes",
                     website="https://atlantique-langues.example.fr", status="active",
                     referent_centre=cel, listed_at=now, created_at=now),
        Organisation(kind="partner", name="Provence Compétences", siret="88345678900031",
                     address="8 cours Mirabeau", postcode="13100", city="Aix-en-Provence",
                     website="https://provence-competences.example.fr", status="active",
                     referent_centre=cel, listed_at=now, created_at=now),
    ]
    db.session.add_all(partners)
    db.session.flush()
    ctx = DemoContext(
        cel=cel,
        coordinator=create_user(DEMO_LOGINS[0][1], "coordinator", "Claire", "Martin", cel, DEMO_PASSWORD),
        referent=create_user(DEMO_LOGINS[1][1], "referent", "Julien", "Moreau", cel, DEMO_PASSWORD),
        partners=partners,
        partner_admin=create_user(DEMO_LOGINS[2][1], "partner", "Sophie", "Bernard", partners[0], DEMO_PASSWORD),
        assessor=create_user(DEMO_LOGINS[3][1], "assessor", "David", "Thompson", cel, DEMO_PASSWORD),
        candidate=create_user(DEMO_LOGINS[4][1], "candidate", "Camille", "Durand", partners[0], DEMO_PASSWORD),
        rng=random.Random(2026),  # noqa: S311 - reproducible demo data, not security
    )
    for org, (first, last) in zip(partners[1:], [("Yann", "Le Goff"), ("Léa", "Fabre")], strict=True):
        slug = org.name.split()[0].lower()
        ctx.user(f"admin@{slug}.demo.cloe.fr", "partner", first, last, org)
    for _order, module in _seeders():
        module.seed(ctx)
        db.session.flush()
    db.session.commit()
    return True


def _seeders() -> list[tuple[int, Any]]:
    found = []
    for name in feature_packages():
        try:
            module = importlib.import_module(f"cloe_portal.{name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"cloe_portal.{name}.demo":
                raise
            continue
        found.append((getattr(module, "ORDER", 50), module))
    return sorted(found, key=lambda pair: pair[0])
