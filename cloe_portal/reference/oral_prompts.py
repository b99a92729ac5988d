"""The oral prompt bank (SPEC §8): introduction questions, role-plays, discussion themes.

Original content, written for CLOE Portal, in French (for FLE candidates, key ``"fr"``) and
English (key ``"en"``). German, Spanish and Italian orals fall back to the English bank:
the assessors of those languages are trained to put the prompt in the target language,
and an English prompt is the one they are most likely to read. ``prompts_for`` returns
the part of the bank fitting a candidate's target level and domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from cloe_portal.rules.cefr import major_level

INTRO_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
TARGET_LEVELS: tuple[str, ...] = ("A2", "B1", "B2", "C1", "C2")
BANK_LANGUAGES: tuple[str, ...] = ("fr", "en")
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class IntroQuestion:
    """An open introduction question (part 1) and the CEFR level it probes."""

    level: str
    text: str


@dataclass(frozen=True, slots=True)
class RolePlay:
    """A role-play situation (part 2) for one major level, optionally tied to a domain."""

    key: str
    level: str
    domain: str | None
    title: str
    situation: str
    candidate_role: str
    assessor_role: str


@dataclass(frozen=True, slots=True)
class DiscussionTheme:
    """A discussion theme (part 3) with questions per major level A2–C2."""

    key: str
    title: str
    domain: str | None
    questions: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class PromptSet:
    """The prompts an assessor sees for one candidate."""

    language: str
    target_level: str
    domain: str | None
    intro: tuple[IntroQuestion, ...]
    role_plays: tuple[RolePlay, ...]
    themes: tuple[DiscussionTheme, ...]


def _intro(bank: dict[str, tuple[str, ...]]) -> tuple[IntroQuestion, ...]:
    """Flatten a level → questions mapping into ranked IntroQuestion objects."""
    return tuple(IntroQuestion(level, text) for level in INTRO_LEVELS for text in bank[level])


INTRO_QUESTIONS: dict[str, tuple[IntroQuestion, ...]] = {
    "fr": _intro(
        {
            "A1": (
                "Comment vous appelez-vous ?",
                "Où habitez-vous ?",
                "Quel est votre métier ?",
                "Vous travaillez dans quelle entreprise ?",
                "Vous commencez le travail à quelle heure ?",
                "Vous parlez quelles langues ?",
            ),
            "A2": (
                "Décrivez une journée de travail habituelle.",
                "Comment venez-vous au travail le matin ?",
                "Qu'est-ce que vous aimez dans votre travail ?",
                "Avec qui travaillez-vous au quotidien ?",
                "Qu'avez-vous fait le week-end dernier ?",
                "Parlez-moi de votre ville : qu'est-ce qu'on peut y faire ?",
            ),
            "B1": (
                "Pourquoi avez-vous choisi ce métier ?",
                "Racontez-moi votre parcours professionnel.",
                "Pourquoi apprenez-vous le français ? Dans quelles situations l'utilisez-vous ?",
                "Quel projet vous a particulièrement plu récemment ? Pourquoi ?",
                "Comment voyez-vous votre poste dans cinq ans ?",
                "Quelle difficulté avez-vous rencontrée au travail et comment l'avez-vous réglée ?",
            ),
            "B2": (
                "Quels sont, selon vous, les atouts et les limites du télétravail dans votre "
                "secteur ?",
                "Qu'est-ce qui fait un bon responsable, à votre avis ?",
                "Comment votre métier a-t-il évolué ces dernières années ?",
                "Si vous pouviez changer une chose dans votre entreprise, que feriez-vous ?",
                "Comment gérez-vous les désaccords avec un collègue ou un client ?",
                "Quelles compétences faudra-t-il dans votre domaine dans dix ans ?",
            ),
            "C1": (
                "Dans quelle mesure la réussite professionnelle dépend-elle du réseau plutôt que "
                "des compétences ?",
                "Comment concilier exigence de rentabilité et responsabilité sociale de "
                "l'entreprise ?",
                "Que pensez-vous de l'idée selon laquelle la formation doit durer toute la vie ?",
                "Quel regard portez-vous sur la place de l'intelligence artificielle dans votre "
                "métier ?",
                "Comment une entreprise peut-elle préserver sa culture en grandissant vite ?",
                "Quelle décision difficile avez-vous dû prendre, et avec le recul, la "
                "referiez-vous ?",
            ),
            "C2": (
                "La mondialisation uniformise-t-elle les cultures d'entreprise ou les "
                "enrichit-elle ?",
                "Peut-on encore distinguer vie privée et vie professionnelle ? Nuancez.",
                "Quelle responsabilité les entreprises portent-elles dans la transition "
                "écologique ?",
                "Le consensus est-il toujours souhaitable dans une prise de décision collective ?",
                "Dans quelle mesure la langue que l'on parle façonne-t-elle notre manière de "
                "travailler ?",
                "Comment évaluer la valeur d'un travail qui ne se mesure pas en chiffres ?",
            ),
        }
    ),
    "en": _intro(
        {
            "A1": (
                "What is your name?",
                "Where do you live?",
                "What is your job?",
                "What company do you work for?",
                "What time do you start work?",
                "What languages do you speak?",
            ),
            "A2": (
                "Tell me about a normal day at work.",
                "How do you travel to work?",
                "What do you like about your job?",
                "Who do you work with every day?",
                "What did you do last weekend?",
                "Tell me about your town. What can people do there?",
            ),
            "B1": (
                "Why did you choose your job?",
                "Can you tell me about your career so far?",
                "Why are you learning English? When do you use it?",
                "Which recent project did you enjoy most, and why?",
                "Where do you see yourself in five years?",
                "Tell me about a problem at work and how you solved it.",
            ),
            "B2": (
                "What are the pros and cons of remote work in your sector?",
                "In your opinion, what makes a good manager?",
                "How has your job changed over the last few years?",
                "If you could change one thing in your company, what would it be?",
                "How do you deal with disagreements with a colleague or a client?",
                "What skills will people in your field need in ten years' time?",
            ),
            "C1": (
                "To what extent does career success depend on networking rather than skills?",
                "How can a company balance profitability with social responsibility?",
                "What do you make of the idea that learning should last a lifetime?",
                "How do you view the role of artificial intelligence in your profession?",
                "How can a fast-growing company keep its culture?",
                "Describe a difficult decision you had to make. Would you make it again?",
            ),
            "C2": (
                "Does globalisation make corporate cultures more alike or richer?",
                "Can work and private life still be told apart? Discuss the nuances.",
                "How much responsibility should businesses bear for the ecological transition?",
                "Is consensus always desirable in group decision-making?",
                "To what extent does the language we speak shape the way we work?",
                "How should we value work whose results cannot be measured in figures?",
            ),
        }
    ),
}


def _rp(
    key: str,
    level: str,
    domain: str | None,
    title: str,
    situation: str,
    candidate_role: str,
    assessor_role: str,
) -> RolePlay:
    """Build a role-play (short positional helper for the tables below)."""
    return RolePlay(key, level, domain, title, situation, candidate_role, assessor_role)


ROLE_PLAYS: dict[str, tuple[RolePlay, ...]] = {
    "fr": (
        _rp(
            "fr-a2-reunion",
            "A2",
            None,
            "Déplacer une réunion",
            "Vous ne pouvez pas venir à une réunion prévue demain. Vous appelez votre collègue "
            "pour l'expliquer et proposer un autre jour.",
            "L'employé qui doit déplacer la réunion",
            "Le collègue qui organise la réunion",
        ),
        _rp(
            "fr-a2-hotel",
            "A2",
            "Hôtellerie Restauration",
            "Un client arrive à l'hôtel",
            "Un client arrive à la réception sans réservation. Vous lui présentez les chambres "
            "libres, les prix et l'heure du petit-déjeuner.",
            "Le réceptionniste",
            "Le client",
        ),
        _rp(
            "fr-b1-formation",
            "B1",
            None,
            "Organiser une formation",
            "Vous commencez un nouveau poste qui demande un logiciel que vous ne connaissez "
            "pas. Vous appelez le service informatique pour expliquer votre besoin et fixer "
            "une demi-journée de formation.",
            "Le nouvel employé",
            "Le technicien du service informatique",
        ),
        _rp(
            "fr-b1-livraison",
            "B1",
            "Logistique & Transport",
            "Une livraison en retard",
            "Une livraison attendue par un client important n'est pas arrivée. Vous appelez le "
            "transporteur pour comprendre le problème et obtenir une nouvelle date.",
            "Le responsable des expéditions",
            "L'agent du transporteur",
        ),
        _rp(
            "fr-b2-budget",
            "B2",
            None,
            "Défendre un budget",
            "Vous voulez obtenir un budget pour un projet de votre service. Votre directeur "
            "hésite. Présentez le projet, ses bénéfices et répondez à ses objections.",
            "Le chef de projet",
            "Le directeur",
        ),
        _rp(
            "fr-b2-reclamation",
            "B2",
            "Relation clientèle",
            "Une réclamation délicate",
            "Un client mécontent appelle pour la troisième fois au sujet d'une facture erronée. "
            "Vous devez le calmer, comprendre l'erreur et proposer une solution acceptable.",
            "Le conseiller clientèle",
            "Le client mécontent",
        ),
        _rp(
            "fr-c1-negociation",
            "C1",
            None,
            "Renégocier un contrat",
            "Votre principal fournisseur annonce une hausse de prix de 12 %. Vous le rencontrez "
            "pour renégocier les conditions sans rompre une relation de longue date.",
            "Le responsable des achats",
            "Le directeur commercial du fournisseur",
        ),
        _rp(
            "fr-c1-reorganisation",
            "C1",
            "Ressources Humaines & Management",
            "Annoncer une réorganisation",
            "Votre service va être réorganisé et certains postes vont changer. Vous recevez un "
            "collaborateur inquiet pour lui expliquer la situation et le rassurer.",
            "Le responsable d'équipe",
            "Le collaborateur inquiet",
        ),
        _rp(
            "fr-c2-crise",
            "C2",
            None,
            "Gérer une crise médiatique",
            "Un article de presse met en cause la sécurité d'un produit de votre entreprise. "
            "Vous répondez aux questions d'un journaliste lors d'une interview en direct.",
            "Le porte-parole de l'entreprise",
            "Le journaliste",
        ),
        _rp(
            "fr-c2-audit",
            "C2",
            "Banque & Finance",
            "Convaincre un comité d'investissement",
            "Vous présentez à un comité d'investissement sceptique un projet d'acquisition "
            "dans un marché étranger. Vous devez défendre vos hypothèses et vos chiffres.",
            "Le directeur financier",
            "Le président du comité",
        ),
        _rp(
            "fr-b1-chantier",
            "B1",
            "Construction, architecture",
            "Un problème sur le chantier",
            "Le matériel prévu pour demain sur le chantier ne correspond pas à la commande. "
            "Vous appelez le fournisseur pour trouver une solution rapide.",
            "Le chef de chantier",
            "Le fournisseur de matériaux",
        ),
    ),
    "en": (
        _rp(
            "en-a2-meeting",
            "A2",
            None,
            "Moving a meeting",
            "You cannot attend a meeting planned for tomorrow. You phone your colleague to "
            "explain and suggest another day.",
            "The employee who has to move the meeting",
            "The colleague who organised the meeting",
        ),
        _rp(
            "en-a2-hotel",
            "A2",
            "Hôtellerie Restauration",
            "A guest arrives at the hotel",
            "A guest arrives at reception without a booking. Tell them which rooms are free, "
            "the prices and the breakfast times.",
            "The receptionist",
            "The guest",
        ),
        _rp(
            "en-b1-training",
            "B1",
            None,
            "Arranging a training session",
            "You have just started a new job that needs software you don't know. Call the IT "
            "department, explain what you need and arrange half a day of training.",
            "The new employee",
            "The IT technician",
        ),
        _rp(
            "en-b1-delivery",
            "B1",
            "Logistique & Transport",
            "A late delivery",
            "A delivery for an important customer has not arrived. Phone the carrier to find "
            "out what happened and agree on a new delivery date.",
            "The shipping manager",
            "The carrier's agent",
        ),
        _rp(
            "en-b2-budget",
            "B2",
            None,
            "Defending a budget",
            "You want funding for a project in your department. Your director is not "
            "convinced. Present the project and its benefits and answer the objections.",
            "The project manager",
            "The director",
        ),
        _rp(
            "en-b2-complaint",
            "B2",
            "Relation clientèle",
            "A difficult complaint",
            "An unhappy customer calls for the third time about a wrong invoice. Calm them "
            "down, find out what went wrong and offer an acceptable solution.",
            "The customer adviser",
            "The unhappy customer",
        ),
        _rp(
            "en-c1-negotiation",
            "C1",
            None,
            "Renegotiating a contract",
            "Your main supplier has announced a 12% price rise. Meet them to renegotiate the "
            "terms without damaging a long-standing relationship.",
            "The purchasing manager",
            "The supplier's sales director",
        ),
        _rp(
            "en-c1-reorganisation",
            "C1",
            "Ressources Humaines & Management",
            "Announcing a reorganisation",
            "Your department is being reorganised and some roles will change. Meet a worried "
            "team member to explain the situation and reassure them.",
            "The team leader",
            "The worried team member",
        ),
        _rp(
            "en-c2-crisis",
            "C2",
            None,
            "Handling a media crisis",
            "A newspaper article questions the safety of one of your company's products. "
            "Answer a journalist's questions in a live interview.",
            "The company spokesperson",
            "The journalist",
        ),
        _rp(
            "en-c2-investment",
            "C2",
            "Banque & Finance",
            "Convincing an investment committee",
            "Present an acquisition in a foreign market to a sceptical investment committee "
            "and defend your assumptions and figures.",
            "The chief financial officer",
            "The committee chair",
        ),
        _rp(
            "en-b1-site",
            "B1",
            "Construction, architecture",
            "A problem on site",
            "The materials delivered for tomorrow's work on site do not match the order. "
            "Phone the supplier to find a quick solution.",
            "The site manager",
            "The building supplier",
        ),
    ),
}


def _theme(
    key: str, title: str, domain: str | None, a2: str, b1: str, b2: str, c1: str, c2: str
) -> DiscussionTheme:
    """Build a discussion theme with one question per level A2–C2."""
    questions = {"A2": (a2,), "B1": (b1,), "B2": (b2,), "C1": (c1,), "C2": (c2,)}
    return DiscussionTheme(key, title, domain, questions)


THEMES: dict[str, tuple[DiscussionTheme, ...]] = {
    "fr": (
        _theme(
            "fr-teletravail",
            "Le télétravail",
            None,
            "Vous travaillez parfois chez vous ? Qu'est-ce que vous aimez ?",
            "Quels sont les avantages et les inconvénients du télétravail pour vous ?",
            "Le télétravail change-t-il la relation entre un manager et son équipe ?",
            "Comment une entreprise peut-elle garder un esprit d'équipe à distance ?",
            "Le travail hybride est-il un progrès social ou une nouvelle forme de pression ?",
        ),
        _theme(
            "fr-formation",
            "Se former tout au long de sa vie",
            None,
            "Quelle formation avez-vous suivie récemment ?",
            "Qu'est-ce qu'une bonne formation, selon vous ?",
            "La formation en ligne peut-elle remplacer un formateur ?",
            "Qui doit payer la formation : le salarié, l'entreprise ou l'État ?",
            "La course aux certifications valorise-t-elle vraiment les compétences ?",
        ),
        _theme(
            "fr-environnement",
            "L'entreprise et l'environnement",
            "Environnement",
            "Que faites-vous pour l'environnement au travail ?",
            "Quelles actions simples une entreprise peut-elle mettre en place ?",
            "Les clients sont-ils prêts à payer plus cher un produit plus responsable ?",
            "Comment éviter qu'une démarche écologique ne soit qu'un argument marketing ?",
            "La croissance économique est-elle compatible avec la sobriété ?",
        ),
        _theme(
            "fr-numerique",
            "Le numérique au travail",
            "Informatique & télécommunication",
            "Quels outils numériques utilisez-vous chaque jour ?",
            "Un outil numérique vous a-t-il simplifié le travail ? Lequel ?",
            "Faut-il un droit à la déconnexion ? Pourquoi ?",
            "Quels risques la cybersécurité fait-elle peser sur les petites entreprises ?",
            "L'automatisation va-t-elle libérer ou appauvrir le travail humain ?",
        ),
        _theme(
            "fr-tourisme",
            "Accueillir des visiteurs étrangers",
            "Tourisme",
            "Quels touristes viennent dans votre région ?",
            "Que conseillez-vous à un visiteur qui a une seule journée chez vous ?",
            "Comment le tourisme transforme-t-il une ville ?",
            "Comment concilier tourisme de masse et qualité de vie des habitants ?",
            "Le tourisme peut-il encore être un facteur de rencontre entre cultures ?",
        ),
        _theme(
            "fr-sante",
            "La santé au travail",
            "Santé",
            "Que faites-vous pour être en forme au travail ?",
            "Qu'est-ce qui cause du stress dans votre métier ?",
            "Quel rôle l'employeur doit-il jouer dans la santé des salariés ?",
            "Comment prévenir l'épuisement professionnel dans une équipe sous pression ?",
            "La quête de performance est-elle compatible avec le bien-être au travail ?",
        ),
        _theme(
            "fr-international",
            "Travailler avec l'étranger",
            "Commerce international",
            "Avez-vous déjà travaillé avec des personnes d'un autre pays ?",
            "Quelles difficultés peut-on rencontrer avec des partenaires étrangers ?",
            "Comment les différences culturelles influencent-elles une négociation ?",
            "Faut-il adapter son produit à chaque marché ou garder une offre unique ?",
            "L'anglais comme langue commune appauvrit-il les échanges internationaux ?",
        ),
        _theme(
            "fr-consommation",
            "Les nouvelles façons de consommer",
            "Vente, Commerce & Distribution",
            "Vous achetez plutôt en magasin ou sur Internet ?",
            "Comment les magasins peuvent-ils attirer les clients aujourd'hui ?",
            "Le commerce en ligne menace-t-il les centres-villes ?",
            "Comment fidéliser un client qui compare tout en un clic ?",
            "La société de consommation peut-elle se réinventer sans renoncer à la croissance ?",
        ),
        _theme(
            "fr-egalite",
            "Égalité et diversité dans l'entreprise",
            None,
            "Votre équipe est-elle variée (âges, parcours, pays) ?",
            "Pourquoi est-ce utile d'avoir des profils différents dans une équipe ?",
            "Que peut faire une entreprise pour l'égalité entre femmes et hommes ?",
            "Les quotas sont-ils un bon outil pour favoriser la diversité ?",
            "La diversité se décrète-t-elle ou se construit-elle ?",
        ),
        _theme(
            "fr-mobilite",
            "Se déplacer pour travailler",
            "Logistique & Transport",
            "Combien de temps mettez-vous pour aller au travail ?",
            "Quel moyen de transport préférez-vous et pourquoi ?",
            "Comment rendre les déplacements professionnels moins polluants ?",
            "Les visioconférences vont-elles remplacer les voyages d'affaires ?",
            "Quel avenir pour les villes si la mobilité change radicalement ?",
        ),
    ),
    "en": (
        _theme(
            "en-remote",
            "Remote work",
            None,
            "Do you sometimes work from home? What do you like about it?",
            "What are the advantages and disadvantages of remote work for you?",
            "Does remote work change the relationship between managers and teams?",
            "How can a company keep team spirit when people work remotely?",
            "Is hybrid work social progress or a new kind of pressure?",
        ),
        _theme(
            "en-learning",
            "Lifelong learning",
            None,
            "What training have you done recently?",
            "In your opinion, what makes a good training course?",
            "Can online learning replace a trainer?",
            "Who should pay for training: the employee, the company or the state?",
            "Does the race for certificates really reward skills?",
        ),
        _theme(
            "en-environment",
            "Business and the environment",
            "Environnement",
            "What do you do for the environment at work?",
            "What simple actions can a company take?",
            "Are customers ready to pay more for a greener product?",
            "How can a company stop its green policy from being just marketing?",
            "Is economic growth compatible with using fewer resources?",
        ),
        _theme(
            "en-digital",
            "Digital tools at work",
            "Informatique & télécommunication",
            "Which digital tools do you use every day?",
            "Has a digital tool made your work easier? Which one?",
            "Should employees have a right to disconnect? Why?",
            "What cyber-security risks do small businesses face?",
            "Will automation free human work or make it poorer?",
        ),
        _theme(
            "en-tourism",
            "Welcoming foreign visitors",
            "Tourisme",
            "Which tourists come to your region?",
            "What would you suggest to a visitor who has only one day in your town?",
            "How does tourism change a town?",
            "How can mass tourism and residents' quality of life be reconciled?",
            "Can tourism still bring cultures together?",
        ),
        _theme(
            "en-health",
            "Health at work",
            "Santé",
            "What do you do to stay fit at work?",
            "What causes stress in your job?",
            "What role should employers play in their staff's health?",
            "How can burnout be prevented in a team under pressure?",
            "Is the pursuit of performance compatible with well-being at work?",
        ),
        _theme(
            "en-international",
            "Working across borders",
            "Commerce international",
            "Have you ever worked with people from another country?",
            "What problems can you have with foreign partners?",
            "How do cultural differences affect a negotiation?",
            "Should a product be adapted to each market or stay the same everywhere?",
            "Does English as a common language make international exchanges poorer?",
        ),
        _theme(
            "en-shopping",
            "New ways of shopping",
            "Vente, Commerce & Distribution",
            "Do you prefer shopping in stores or online?",
            "How can shops attract customers today?",
            "Is online shopping a threat to town centres?",
            "How do you keep customers loyal when they can compare everything in one click?",
            "Can consumer society reinvent itself without giving up growth?",
        ),
        _theme(
            "en-diversity",
            "Equality and diversity at work",
            None,
            "Is your team varied (ages, backgrounds, countries)?",
            "Why is it useful to have different profiles in a team?",
            "What can a company do for equality between women and men?",
            "Are quotas a good way to encourage diversity?",
            "Can diversity be imposed, or must it be built?",
        ),
        _theme(
            "en-commuting",
            "Travelling for work",
            "Logistique & Transport",
            "How long does it take you to get to work?",
            "Which kind of transport do you prefer, and why?",
            "How can business travel become less polluting?",
            "Will video calls replace business trips?",
            "What future for cities if mobility changes radically?",
        ),
    ),
}


_Item = TypeVar("_Item", RolePlay, DiscussionTheme)


def bank_language(language: str) -> str:
    """Return the bank used for a language: its own for fr/en, English otherwise."""
    return language if language in BANK_LANGUAGES else FALLBACK_LANGUAGE


def _domain_first(items: tuple[_Item, ...], domain: str | None) -> tuple[_Item, ...]:
    """Keep items of ``domain`` (first) and general items (after); drop other domains."""
    specific = tuple(item for item in items if domain is not None and item.domain == domain)
    general = tuple(item for item in items if item.domain is None)
    return specific + general


def prompts_for(language: str, target_level: str, domain: str | None = None) -> PromptSet:
    """Return the prompts for a candidate: by bank language, target level and domain.

    - introduction questions from A1 up to one level above the target (the assessor climbs
      step by step and checks whether the candidate can go further), easiest first;
    - role-plays of the target's major level: the domain's own first, then general ones;
    - themes: the domain's own first, then general ones, each keeping only its questions
      from A2 up to one level above the target.
    A sub-level target (``B1+``) counts as its major level; targets below A2 are refused.
    """
    level = major_level(target_level)
    if level not in TARGET_LEVELS:
        raise ValueError(f"Target level must be A2..C2, got {target_level!r}")
    bank = bank_language(language)
    ceiling = INTRO_LEVELS[min(INTRO_LEVELS.index(level) + 1, len(INTRO_LEVELS) - 1)]
    intro_levels = INTRO_LEVELS[: INTRO_LEVELS.index(ceiling) + 1]
    intro = tuple(q for q in INTRO_QUESTIONS[bank] if q.level in intro_levels)
    role_plays = _domain_first(tuple(rp for rp in ROLE_PLAYS[bank] if rp.level == level), domain)
    theme_levels = [lvl for lvl in TARGET_LEVELS if lvl in intro_levels]
    themes = tuple(
        DiscussionTheme(t.key, t.title, t.domain, {lvl: t.questions[lvl] for lvl in theme_levels})
        for t in _domain_first(THEMES[bank], domain)
    )
    return PromptSet(bank, level, domain, intro, role_plays, themes)
