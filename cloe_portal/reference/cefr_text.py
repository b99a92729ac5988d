"""French texts for CEFR levels: attestation descriptors, target-level help, oral criteria.

All wording is ours. The sub-level descriptor is printed on the attestation under the
global level; the target-level help is shown where a partner picks a candidate's target
(seed 002 grid, SPEC §4); the oral criterion descriptors sit beside the assessor's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloe_portal.rules.cefr import major_level

LEVEL_NAMES: dict[str, str] = {
    "A0": "Débutant",
    "A1": "Utilisateur élémentaire – découverte",
    "A2": "Utilisateur élémentaire – survie",
    "B1": "Utilisateur indépendant – seuil",
    "B2": "Utilisateur indépendant – avancé",
    "C1": "Utilisateur expérimenté – autonome",
    "C2": "Utilisateur expérimenté – maîtrise",
}

LEVEL_DESCRIPTORS: dict[str, str] = {
    "A0": "N'a pas encore acquis les bases de la langue : quelques mots isolés au mieux.",
    "A1": (
        "Utilise des mots et des formules de tous les jours pour des besoins concrets. Se "
        "présente et répond à des questions simples quand on lui parle lentement."
    ),
    "A2": (
        "Se débrouille dans des échanges courts et prévisibles sur son travail et son "
        "quotidien. Donne et obtient des informations simples avec des moyens limités."
    ),
    "B1": (
        "Saisit l'essentiel d'un message clair sur un sujet connu. Fait face à la plupart des "
        "situations courantes et explique en quelques phrases un projet ou un avis."
    ),
    "B2": (
        "Suit des échanges riches, y compris techniques dans sa spécialité. Discute sans "
        "difficulté avec des locuteurs natifs et défend une position de façon argumentée."
    ),
    "C1": (
        "Travaille dans la langue sur des sujets complexes, en percevant l'implicite. "
        "Construit un discours structuré, précis et adapté à chaque situation."
    ),
    "C2": (
        "Comprend tout ce qui se dit ou s'écrit dans la langue, quel que soit le sujet. "
        "S'exprime avec une aisance et une finesse proches de celles d'un natif cultivé."
    ),
}

SUBLEVEL_DESCRIPTORS: dict[str, str] = {
    "A0": (
        "Ne peut pas encore communiquer dans la langue. Reconnaît tout au plus quelques mots "
        "isolés très proches du français."
    ),
    "A1-": (
        "Reconnaît des mots familiers et quelques formules de politesse. Peut donner son nom "
        "et répondre par un mot à une question très simple."
    ),
    "A1": (
        "Emploie des formules usuelles pour des besoins immédiats. Se présente et pose des "
        "questions simples sur des sujets connus, à condition d'être aidé."
    ),
    "A1+": (
        "Se présente et présente son poste en phrases très simples. Comprend des consignes "
        "courtes et des informations chiffrées (heures, prix, dates) si l'on parle lentement."
    ),
    "A2-": (
        "Échange quelques informations simples sur son travail et son quotidien. Comprend des "
        "messages courts et prévisibles, mais a souvent besoin de reformulations."
    ),
    "A2": (
        "Saisit des phrases courtes et des expressions usuelles sur ce qui le concerne "
        "directement : son poste, ses achats, son entourage. Mène à bien des tâches "
        "routinières qui demandent un échange d'informations bref et direct."
    ),
    "A2+": (
        "Tient un échange simple sur un sujet connu et parle en termes simples de ses "
        "collègues, de son lieu de travail ou de son parcours. Commence à enchaîner ses idées "
        "avec des mots de liaison de base."
    ),
    "B1-": (
        "Comprend l'essentiel d'un message clair et standard sur un sujet professionnel "
        "courant. Prend part à une conversation préparée, avec des hésitations et des "
        "erreurs qui ne gênent pas la compréhension."
    ),
    "B1": (
        "Se débrouille dans la plupart des situations de travail habituelles. Raconte un "
        "événement, décrit un projet et justifie brièvement une opinion ou un choix."
    ),
    "B1+": (
        "Communique avec une certaine assurance sur des sujets familiers ou liés à son "
        "métier. Traite des demandes non complexes de clients ou de partenaires et reformule "
        "pour se faire comprendre."
    ),
    "B2-": (
        "Participe activement à des échanges professionnels et défend son point de vue avec "
        "des arguments simples. Maîtrise l'essentiel du vocabulaire de son domaine."
    ),
    "B2": (
        "Suit l'essentiel d'une discussion concrète ou abstraite, y compris technique dans son "
        "métier. Échange avec naturel avec un locuteur natif, sans que l'un ou l'autre "
        "doive faire d'effort particulier."
    ),
    "B2+": (
        "S'exprime de façon claire et détaillée sur une large gamme de sujets, expose avantages "
        "et inconvénients et mène une négociation simple. Les erreurs restent rares et sont "
        "souvent corrigées."
    ),
    "C1-": (
        "S'exprime couramment sur des sujets complexes et suit des échanges rapides entre "
        "plusieurs interlocuteurs. Cherche encore parfois l'expression la plus juste."
    ),
    "C1": (
        "Lit et écoute des contenus longs et denses en percevant l'implicite. Travaille dans "
        "la langue avec efficacité et construit des propos clairs, structurés et précis."
    ),
    "C1+": (
        "Anime une réunion, conduit une négociation ou une présentation complexe avec aisance. "
        "Adapte son registre à l'interlocuteur et à la situation."
    ),
    "C2-": (
        "Ne rencontre presque plus de difficulté de compréhension, à l'écrit comme à l'oral. "
        "Reste précis et naturel même sur des sujets délicats ou très spécialisés."
    ),
    "C2": (
        "Manie la langue comme un locuteur natif cultivé. Synthétise des sources variées en un "
        "propos cohérent et exprime les nuances les plus fines."
    ),
}


@dataclass(frozen=True, slots=True)
class TargetLevelHelp:
    """Help shown when a partner picks a target level: professional use and typical jobs."""

    level: str
    title: str
    uses: tuple[str, ...]
    typical_jobs: tuple[str, ...]


TARGET_LEVEL_HELP: dict[str, TargetLevelHelp] = {
    "A2": TargetLevelHelp(
        level="A2",
        title="Semi-autonomie dans des situations professionnelles simples",
        uses=(
            "Entretient une conversation courte et de circonstance.",
            "Se rend ponctuellement chez un client ou un partenaire étranger.",
            "Réalise des tâches techniques simples avec des consignes dans la langue.",
            "Écrit de courts messages pratiques.",
        ),
        typical_jobs=(
            "Agent de sécurité",
            "Aide-soignant",
            "Chauffeur routier",
            "Chef de ligne",
            "Conseiller de services",
            "Employé administratif",
            "Intervenant technique",
            "Personnel hôtelier",
            "Personnel technique ou opérationnel",
            "Vendeur",
        ),
    ),
    "B1": TargetLevelHelp(
        level="B1",
        title="Autonomie dans les situations professionnelles habituelles",
        uses=(
            "Tient une conversation simple avec des interlocuteurs étrangers.",
            "Accueille, oriente et renseigne (téléphone, accueil, courrier) et répond à des "
            "demandes sans complexité.",
            "Échange de temps en temps avec des clients ou partenaires sur des sujets précis.",
            "Lit et rédige des documents professionnels simples.",
        ),
        typical_jobs=(
            "Acheteur",
            "Agent immobilier",
            "Agent logistique",
            "Assistant RH",
            "Chef d'équipe",
            "Comptable",
            "Conseiller clientèle",
            "Employé administratif spécialisé",
            "Expert technique",
            "Réceptionniste",
            "Responsable d'unité commerciale",
            "Serveur en restaurant",
        ),
    ),
    "B2": TargetLevelHelp(
        level="B2",
        title="Autonomie dans des situations professionnelles complexes",
        uses=(
            "Participe pleinement à des projets et à des réunions dans la langue.",
            "S'exprime activement avec l'essentiel du vocabulaire de son métier.",
            "Développe et entretient des relations avec clients et partenaires.",
            "Rédige et traite les messages et documents liés à son activité.",
        ),
        typical_jobs=(
            "Responsable des achats",
            "Assistant de direction",
            "Auditeur",
            "Avocat",
            "Cadre commercial",
            "Chef de projet",
            "Conseiller financier",
            "Enseignant ou formateur",
            "Responsable d'établissement hôtelier",
            "Manager",
            "Médecin",
            "Ingénieur, chercheur ou développeur",
            "Responsable marketing",
        ),
    ),
    "C1": TargetLevelHelp(
        level="C1",
        title="Maîtrise de la communication professionnelle",
        uses=(
            "Travaille dans la langue avec aisance dans tout son champ professionnel.",
            "Conduit des réunions techniques ou commerciales et mène des négociations "
            "directement avec clients, fournisseurs et partenaires.",
            "Représente l'entreprise à l'international.",
        ),
        typical_jobs=(
            "Directeur commercial",
            "Directeur des achats à l'international",
            "Directeur de projet ou de contrat",
            "Directeur des ressources humaines à l'international",
            "Responsable de la stratégie internationale",
        ),
    ),
    "C2": TargetLevelHelp(
        level="C2",
        title="Maîtrise experte de la communication professionnelle",
        uses=(
            "Utilise la langue avec la précision et les nuances d'un locuteur natif cultivé.",
            "Anime des conférences et des négociations à fort enjeu, y compris face à un "
            "public expert.",
            "Représente l'entreprise au plus haut niveau à l'international.",
        ),
        typical_jobs=(
            "Conférencier",
            "Dirigeant d'entreprise à l'international",
            "Directeur de la stratégie internationale",
            "Négociateur de contrats internationaux",
        ),
    ),
}

ORAL_CRITERIA: dict[str, str] = {
    "range": "Maîtrise et étendue du vocabulaire",
    "accuracy": "Grammaire et syntaxe",
    "fluency": "Aisance et fluidité",
    "pronunciation": "Prononciation et intonation",
    "interaction": "Qualité de l'interaction",
}

ORAL_CRITERION_DESCRIPTORS: dict[str, dict[str, str]] = {
    "range": {
        "A0": "Quelques mots isolés, insuffisants pour communiquer.",
        "A1": "Répertoire de mots et d'expressions très simples sur soi et son poste.",
        "A2": "Vocabulaire courant suffisant pour des besoins simples et des tâches habituelles.",
        "B1": "Vocabulaire suffisant pour parler de son travail et de sujets familiers, avec "
        "quelques périphrases.",
        "B2": "Vocabulaire étendu dans son domaine ; varie la formulation pour éviter les "
        "répétitions.",
        "C1": "Large répertoire, y compris idiomatique ; trouve vite le mot juste.",
        "C2": "Répertoire très riche et précis, nuances et registres parfaitement maîtrisés.",
    },
    "accuracy": {
        "A0": "Aucune structure de phrase maîtrisée.",
        "A1": "Quelques structures mémorisées, avec de nombreuses erreurs.",
        "A2": "Structures simples correctes, erreurs de base encore systématiques.",
        "B1": "Structures courantes assez bien maîtrisées ; les erreurs ne gênent pas le sens.",
        "B2": "Bon contrôle grammatical ; les erreurs ne causent pas de malentendu.",
        "C1": "Grande correction ; erreurs rares et difficiles à repérer.",
        "C2": "Correction constante, même dans les structures complexes.",
    },
    "fluency": {
        "A0": "Ne parvient pas à produire un énoncé suivi.",
        "A1": "Énoncés très courts et isolés, nombreuses pauses.",
        "A2": "Se fait comprendre en énoncés brefs malgré pauses et faux départs.",
        "B1": "Discours compréhensible et suivi, avec des pauses pour chercher ses mots.",
        "B2": "Rythme assez régulier ; peu de longues pauses.",
        "C1": "S'exprime spontanément et presque sans effort.",
        "C2": "Discours naturel, fluide et sans hésitation perceptible.",
    },
    "pronunciation": {
        "A0": "Prononciation le plus souvent incompréhensible.",
        "A1": "Compréhensible avec effort, pour un interlocuteur habitué.",
        "A2": "Assez claire pour être comprise malgré un accent marqué.",
        "B1": "Clairement intelligible ; l'accent et quelques erreurs subsistent.",
        "B2": "Prononciation et intonation claires et naturelles.",
        "C1": "Varie l'intonation et l'accent de phrase pour nuancer le sens.",
        "C2": "Intonation maîtrisée au service de toutes les nuances.",
    },
    "interaction": {
        "A0": "Ne peut pas répondre aux questions les plus simples.",
        "A1": "Répond à des questions simples si l'interlocuteur répète ou reformule.",
        "A2": "Prend part à un échange bref ; comprend assez pour suivre une conversation simple.",
        "B1": "Engage, soutient et clôt une conversation simple sur un sujet familier.",
        "B2": "Interagit avec aisance, relance et fait avancer la discussion.",
        "C1": "Choisit ses formules pour prendre la parole et rebondir habilement.",
        "C2": "Interagit sans effort, avec finesse et une parfaite adaptation à l'interlocuteur.",
    },
}


def sublevel_descriptor(sublevel: str) -> str:
    """Return the attestation text of a sub-level (A2+ → its descriptor)."""
    try:
        return SUBLEVEL_DESCRIPTORS[sublevel]
    except KeyError:
        raise ValueError(f"Unknown CEFR sub-level: {sublevel!r}") from None


def oral_criterion_descriptor(criterion: str, sublevel: str) -> str:
    """Return the descriptor shown beside an oral criterion for a (sub-)level."""
    if criterion not in ORAL_CRITERION_DESCRIPTORS:
        raise ValueError(f"Unknown oral criterion: {criterion!r}")
    return ORAL_CRITERION_DESCRIPTORS[criterion][major_level(sublevel)]
