"""Pure checks on what an applicant sends (SIRET, postcode, the refusal rules, file types)
and on the referent's audit grid (accreditation and follow-up audits)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS

# The file checks are shared with other private uploads (rules.uploads).
from cloe_portal.rules.uploads import (  # noqa: F401 - re-exported
    ALLOWED_TYPES,
    MAX_UPLOAD_BYTES,
    sniff,
    upload_problem,
)

# Seed 000 §4.2, quoted to the applicant when a rule refuses the application.
RULE_FOREIGN = (
    "« Aucun partenariat ne peut être validé avec des organismes installés à l'étranger ou "
    "qui utilisent des centres d'appels à l'étranger. » (règlement CLOE, § 4.2)"
)
RULE_ELEARNING = (
    "« La Certification CLOE ne peut se préparer avec une offre 100 % e-learning. » "
    "(règlement CLOE, § 4.2 et § 4.3.1 : les offres 100 % e-learning sont interdites)"
)

# La Poste's establishments share one SIREN and do not follow Luhn (INSEE rule).
LA_POSTE_SIREN = "356000000"

def luhn_ok(digits: str) -> bool:
    """Luhn checksum of a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_siret(value: str) -> str:
    """Digits only (applicants type spaces between groups)."""
    return re.sub(r"[\s.\-]", "", value or "")


def siret_problem(value: str) -> str | None:
    """Why a SIRET is invalid, or None: 14 digits passing the Luhn check."""
    siret = normalise_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        return "Le SIRET comporte exactement 14 chiffres."
    if siret.startswith(LA_POSTE_SIREN):
        ok = siret == "35600000000048" or sum(int(c) for c in siret) % 5 == 0
    else:
        ok = luhn_ok(siret)
    if not ok:
        return "Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez-le sur votre extrait Kbis ou l'avis de situation INSEE."
    return None


def postcode_ok(value: str) -> bool:
    """French postcode: 5 digits."""
    return bool(re.fullmatch(r"\d{5}", (value or "").strip()))


def is_france(country: str) -> bool:
    """True when the country typed is France (accents and case ignored)."""
    text = unicodedata.normalize("NFKD", country or "").encode("ascii", "ignore").decode()
    return text.strip().lower() in {"france", "fr", "france metropolitaine"}


def clean_checklist(checklist: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The audit grid as stored: each point of the accreditation checklist (seed §4.2 ② ③),
    conforming or not, with its note; unknown keys are dropped. The follow-up audits
    (seed §4.1) check the same points."""
    return {
        key: {"ok": bool((checklist.get(key) or {}).get("ok")),
              "note": ((checklist.get(key) or {}).get("note") or "").strip()}
        for key, _label in ACCREDITATION_AUDIT_POINTS
    }


def conforming_count(checklist: dict[str, dict[str, Any]]) -> int:
    """How many points of a cleaned grid are conforming."""
    return sum(1 for point in checklist.values() if point["ok"])


def all_conforming(checklist: dict[str, dict[str, Any]]) -> bool:
    """True when every point of the checklist is conforming."""
    return conforming_count(checklist) == len(ACCREDITATION_AUDIT_POINTS)
