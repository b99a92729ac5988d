"""The CPF ethics charter partners commit to (seed 000 §4.4) and the audit checklist (§4.2).

Wording is ours and short; it is shown on the partner application and audit pages.
"""

from __future__ import annotations

QUALIOPI_PREREQUISITE = (
    "Être certifié Qualiopi avant de promouvoir ou de vendre des formations éligibles au CPF."
)

CPF_CHARTER_CRITERIA: tuple[str, ...] = (
    "Détenir la certification préparée, ou l'accord écrit de son propriétaire.",
    "Tout faire pour que chaque stagiaire formé puisse effectivement passer la certification.",
    "Présenter l'offre loyalement sur tous les supports : pas de fausse gratuité, pas de "
    "cadeaux d'appel, respect de la marque MonCompteFormation, aucune imitation des "
    "symboles de l'État.",
    "Garder la maîtrise de la sous-traitance : aucun démarchage agressif ou trompeur, et pas "
    "de sous-traitance en cascade.",
    "Protéger le stagiaire contre l'usurpation de son numéro de sécurité sociale ou de son "
    "compte CPF, et ne jamais utiliser les identifiants d'un tiers.",
    "Annoncer à l'avance ce que le CPF prend en charge et les frais restant éventuellement dus.",
    "Ne pas dupliquer des actions similaires au catalogue pour mieux apparaître dans le "
    "moteur de recherche de MonCompteFormation.",
    "Évaluer les besoins de la personne avant la formation pour adapter la prestation.",
    "Pour une formation à distance : assistance technique et pédagogique, information sur "
    "les activités à distance et leur durée, évaluations en cours ou en fin de parcours.",
    "Offrir à tout consommateur un recours gratuit à la médiation de la consommation en cas "
    "de litige.",
)

# (key, French label): what the referent checks (②) and the documents collected (③).
ACCREDITATION_AUDIT_POINTS: tuple[tuple[str, str], ...] = (
    ("size_seniority", "Taille de l'organisme et ancienneté en formation linguistique"),
    (
        "offer_quality",
        "Qualité de l'offre : part d'e-learning, formats pédagogiques, nombre de formateurs "
        "et d'encadrants, satisfaction des stagiaires",
    ),
    ("positioning", "Processus de positionnement initial des candidats"),
    ("certification_rate", "Pourcentage de candidats certifiés et processus de relance"),
    ("volume_estimate", "Volume estimé de certifications CLOE par langue et par an"),
    (
        "human_led_training",
        "Engagement à privilégier un accompagnement par formateur (offre 100 % e-learning exclue)",
    ),
    ("cpf_charter", "Engagement à respecter la charte déontologique CPF (10 critères)"),
    ("qualiopi_certificate", "Certificat Qualiopi"),
    ("website_offer", "Lien vers le site web et présentation de l'offre de formation"),
    ("sample_programme", "Exemple de programme de formation à visée professionnelle"),
    (
        "french_establishment",
        "Justificatif d'implantation en France (ni organisme ni centre d'appels à l'étranger)",
    ),
    ("signed_agreement", "Convention de partenariat signée"),
)
