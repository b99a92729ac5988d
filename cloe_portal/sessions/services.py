"""Session and enrolment use cases: create a session, enrol one candidate or a whole file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, url_for

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User, normalise_email
from cloe_portal.accounts.services import create_user, password_link
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email
from cloe_portal.reference.domains import is_domain
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.dates import is_adult_on
from cloe_portal.rules.edof import EdofProblem
from cloe_portal.rules.windows import written_window
from cloe_portal.sessions.candidate_import import (
    FIELD_COLUMNS,
    LEVELS,
    CandidateFileError,
    collect_candidates,
)
from cloe_portal.sessions.models import (
    ACCOMMODATION_KINDS,
    CPF_MIN_TRAINING_HOURS,
    FUNDINGS,
    SESSION_KINDS,
    AccommodationRequest,
    ExamSession,
    Registration,
)

# Registrations whose written test is done: they count as "certification taken" (EDOF).
TAKEN_STATUSES = ("written_done", "oral_booked", "oral_done", "awaiting_jury", "results_issued")
NOT_TAKEN_STATUSES = ("enrolled", "identity_done")

CPF_RULE_QUOTE = (
    "Règlement CLOE, §1.3 : « une certification CLOE peut être financée par le CPF uniquement "
    "dans le cadre d'une formation et ne peut en aucun cas être proposée sans un minimum de "
    "7 à 10 heures de formation préalable »."
)


class SessionRefused(Exception):
    """The partner may not create sessions; the message is French and safe to show."""


class EnrolmentRefused(Exception):
    """Enrolment refused; ``problems`` maps a form field (or "" for the whole form) to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


@dataclass
class Enrolment:
    """What a partner says about a candidate it enrols."""

    last_name: str
    first_name: str
    email: str
    birth_date: dt.date | None
    target_level: str
    training_hours: Decimal | float | None
    funding: str
    cpf_file_number: str | None = None
    accommodations: list[str] = field(default_factory=list)
    accommodation_details: str | None = None


def partner_refusal(partner: Organisation) -> str | None:
    """Why this organisation may not create sessions or enrol, or None when it may."""
    if partner.can_create_sessions:
        return None
    if partner.status == "suspended":
        reason = f" Motif : {partner.status_reason}" if partner.status_reason else ""
        return (
            "Votre partenariat CLOE est suspendu : vous ne pouvez plus créer de session ni "
            f"inscrire de candidats jusqu'à sa levée par votre CEL référent.{reason}"
        )
    if partner.status == "applicant":
        return "Votre habilitation est en cours d'instruction : les sessions s'ouvriront une fois le partenariat validé."
    return "Votre organisme n'est pas habilité CLOE : il ne peut pas créer de sessions."


def create_session(actor: User, partner: Organisation, *, name: str, kind: str, language: str,
                   domain: str | None, written_date: dt.date) -> ExamSession:
    """Create a partner's session (refused unless the partner is accredited)."""
    refusal = partner_refusal(partner)
    if refusal:
        raise SessionRefused(refusal)
    if kind not in SESSION_KINDS or language not in LANGUAGES:
        raise ValueError("unknown session kind or language")
    if domain and not is_domain(domain):
        raise ValueError(f"unknown domain {domain!r}")
    session = ExamSession(partner_id=partner.id, name=name.strip(), kind=kind, language=language,
                          domain=domain or None, written_date=written_date,
                          created_by_id=actor.id, created_at=clock.now())
    db.session.add(session)
    db.session.flush()
    record(actor, "session.created", session,
           details={"language": language, "written_date": written_date.isoformat()})
    return session


def rule_problems(data: Enrolment, test_day: dt.date | None = None) -> dict[str, str]:
    """Business-rule problems of an enrolment, by field (adults, CPF minimum, level, accommodations)."""
    problems: dict[str, str] = {}
    # Seed 000 §1.1: CLOE is for adults (« personnes majeures »), on the day of the written test.
    if data.birth_date is not None and test_day is not None and not is_adult_on(data.birth_date, test_day):
        problems["birth_date"] = (
            "La certification est réservée aux personnes majeures : le candidat doit avoir "
            f"18 ans le jour du test écrit ({test_day:%d/%m/%Y})."
        )
    if data.target_level not in LEVELS:
        problems["target_level"] = "Choisissez un niveau visé : A2, B1, B2, C1 ou C2."
    if data.funding not in FUNDINGS:
        problems["funding"] = "Choisissez le financement : CPF ou autre."
    hours = data.training_hours
    if hours is None or Decimal(str(hours)) < 0:
        problems["training_hours"] = "Indiquez le nombre d'heures de formation suivies."
    elif data.funding == "cpf" and Decimal(str(hours)) < CPF_MIN_TRAINING_HOURS:
        problems["training_hours"] = (
            f"Un financement CPF exige au moins {CPF_MIN_TRAINING_HOURS} heures de formation "
            f"préalable ({fr_hours(hours)} h déclarées). {CPF_RULE_QUOTE}"
        )
    unknown = [k for k in data.accommodations if k not in ACCOMMODATION_KINDS]
    if unknown:
        problems["accommodations"] = "Aménagement inconnu."
    return problems


def fr_hours(hours: Decimal | float) -> str:
    """7.5 → « 7,5 », 5.0 → « 5 »."""
    value = Decimal(str(hours)).normalize()
    return format(value, "f").replace(".", ",")


def _existing_candidate(email: str) -> User | None:
    return db.session.scalars(db.select(User).where(User.email == normalise_email(email))).first()


@dataclass(frozen=True)
class Enrolled:
    """A registration just made, and whether its address already had an account.

    An existing account is reused as it is (its organisation, names and password stay): the
    partner is told only that it exists, the candidate that a registration was added."""

    registration: Registration
    existing_account: bool


def _session_registrations_by_candidate(session: ExamSession) -> dict[int, Registration]:
    stmt = db.select(Registration).where(Registration.session_id == session.id)
    return {r.candidate_id: r for r in db.session.scalars(stmt)}


def _already_here(registration: Registration) -> str:
    # The name this partner typed for that registration: never another partner's data.
    return f"{registration.candidate_name} est déjà inscrit(e) à cette session."


def _identity_problems(session: ExamSession, user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    if user.role != "candidate":
        return {"email": "Cette adresse appartient à un compte qui n'est pas un compte candidat : "
                         "utilisez l'adresse personnelle du candidat."}
    existing = _session_registrations_by_candidate(session).get(user.id)
    if existing is not None:
        return {"email": _already_here(existing)}
    return {}


def enrol(actor: User, session: ExamSession, data: Enrolment) -> Enrolled:
    """Enrol a candidate (new account, or a new registration for a returning one) and email them."""
    refusal = partner_refusal(session.partner)
    if refusal:
        raise EnrolmentRefused({"": refusal})
    user = _existing_candidate(data.email)
    problems = rule_problems(data, session.written_date) | _identity_problems(session, user)
    if problems:
        raise EnrolmentRefused(problems)
    return _create_registration(actor, session, data, user)


def _create_registration(actor: User, session: ExamSession, data: Enrolment,
                         user: User | None) -> Enrolled:
    new_account = user is None
    if user is None:
        user = create_user(data.email, "candidate", data.first_name, data.last_name,
                           session.partner, password=None)
    registration = Registration(
        session=session, candidate=user, partner_id=session.partner_id,
        first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        target_level=data.target_level, training_hours=Decimal(str(data.training_hours)),
        funding=data.funding, cpf_file_number=(data.cpf_file_number or "").strip() or None,
        birth_date=data.birth_date, status="enrolled", status_changed_at=clock.now(),
        created_at=clock.now(),
    )
    db.session.add(registration)
    db.session.flush()
    for kind in data.accommodations:
        db.session.add(AccommodationRequest(
            registration_id=registration.id, kind=kind, status="pending",
            details=(data.accommodation_details or "").strip() or None, created_at=clock.now(),
        ))
    record(actor, "registration.enrolled", registration,
           details={"session_id": session.id, "new_account": new_account,
                    "accommodations": list(data.accommodations)})
    db.session.flush()
    send_enrolment_email(registration, existing_account=not new_account)
    return Enrolled(registration, existing_account=not new_account)


def send_enrolment_email(registration: Registration, existing_account: bool = False) -> None:
    """Email the candidate: first-login (or login) link, test date, window, guides and demo.

    To an existing account it says a new registration was added; the first-login link is
    sent only while no password has been chosen."""
    user = registration.candidate
    session = registration.session
    first_login = user.password_hash is None
    link = (password_link(user, "welcome") if first_login
            else current_app.config["BASE_URL"] + url_for("accounts.login"))
    window = written_window(session.written_date, registration.window_extension_days)
    queue_email(
        user.email, "enrolment", kind="enrolment",
        key=f"enrolment:registration-{registration.id}", recipient_id=user.id,
        user=user, registration=registration, session=session, partner=session.partner,
        language=LANGUAGES.get(session.language, session.language), link=link,
        first_login=first_login, existing_account=existing_account,
        window_closes=window.closes_at,
        hours=current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600,
    )


def import_candidates(actor: User, session: ExamSession, data: bytes,
                      filename: str) -> list[Enrolled]:
    """Enrol every candidate of a CSV/XLSX file, or none: raise CandidateFileError otherwise."""
    refusal = partner_refusal(session.partner)
    if refusal:
        raise CandidateFileError([EdofProblem(0, "", refusal)])
    lines, problems = collect_candidates(data, filename, clock.today_paris())
    emails = [line.email for line in lines]
    users = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.in_(emails)))}
    registered = _session_registrations_by_candidate(session)
    enrolments: list[tuple[Enrolment, User | None]] = []
    for line in lines:
        data_ = Enrolment(
            last_name=line.last_name, first_name=line.first_name, email=line.email,
            birth_date=line.birth_date, target_level=line.target_level,
            training_hours=line.training_hours, funding=line.funding,
            cpf_file_number=line.cpf_file_number, accommodations=line.accommodations,
        )
        user = users.get(line.email)
        found = rule_problems(data_, session.written_date)
        if user is not None and user.role != "candidate":
            found["email"] = "adresse d'un compte qui n'est pas un compte candidat"
        elif user is not None and user.id in registered:
            found["email"] = _already_here(registered[user.id]).rstrip(".")
        for name, message in found.items():
            problems.append(EdofProblem(line.line, FIELD_COLUMNS[name], _lower_first(message)))
        enrolments.append((data_, user))
    if problems:
        raise CandidateFileError(sorted(problems, key=lambda p: p.line))
    return [_create_registration(actor, session, d, u) for d, u in enrolments]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def candidate_template_csv() -> str:
    """A CSV with the expected header and one example line (download from the import form)."""
    return (
        "NOM;PRENOM;EMAIL;DATE_NAISSANCE;NIVEAU_VISE;HEURES_FORMATION;NUMERO_DOSSIER_CPF;"
        "FINANCEMENT;AMENAGEMENTS\r\n"
        "Martin;Julie;julie.martin@example.fr;14/03/1990;B1;20;7012345678;CPF;\r\n"
    )
