"""The specialisation domains a partner can pick for a session (seed 000 §1.5).

Names are exactly those of the seed, read column by column (which is alphabetical order);
the only change is the stray comma after « Agroalimentaire », a layout artefact.
"""

from __future__ import annotations

DOMAINS: tuple[str, ...] = (
    "Achats",
    "Administration & organisation",
    "Aéronautique & aérien",
    "Agroalimentaire",
    "Audiovisuel, Spectacle & Evènementiel",
    "Automobile",
    "Autonomie professionnelle / communiquer en entreprise",
    "Banque & Finance",
    "Commerce international",
    "Comptabilité & Gestion",
    "Construction, architecture",
    "Droit & Justice",
    "Energie",
    "Enseignement & Formation",
    "Environnement",
    "Hôtellerie Restauration",
    "Immobilier",
    "Industrie, Production",
    "Informatique & télécommunication",
    "Logistique & Transport",
    "Marketing et Communication",
    "Mode & Luxe",
    "Nautique",
    "Naval, Maritime & Portuaire",
    "Qualité, Sécurité, Environnement",
    "Relation clientèle",
    "Ressources Humaines & Management",
    "Santé",
    "Sports",
    "Technique, mécanique",
    "Tourisme",
    "Vente, Commerce & Distribution",
    "Viti-vinicole",
)


def is_domain(name: str) -> bool:
    """Tell whether ``name`` is one of the specialisation domains."""
    return name in DOMAINS
