"""After enrolment: edit a session, edit an enrolment, withdraw a candidate (issue 18).

Who may change what, decided here once:

- **Before the written test** (no candidate of the session, or not this candidate, has
  started a written attempt — even one later cancelled for force majeure) the partner edits
  its session and its enrolments and withdraws candidates.
- **After that** only the referent following the partner (or the coordinator) edits the
  session or the enrolment, always with a reason; a withdrawal is no longer possible (the
  referent's force-majeure decisions cover a candidate who cannot go on). The session's
  language is then fixed for everyone: written attempts were taken in it.
- The **target level** belongs to each registration. A session edit may set one level for
  every registration of the session that has not started (a group enrolled at the wrong
  level); started registrations keep theirs (the enrolment edit changes one).
- The **email** is the person's login, shared by every registration of the account (two
  partners may have enrolled the same person). A partner changes it only on an account it
  created, that no other partner's registration uses and that was never logged in to (the
  first-login link went to a wrong address); anything else goes to the referent, who may
  change it when following every partner of the person (else the coordinator). A change
  kills the links already emailed, tells the new address, and the old one if the account
  was activated.
- The **account's names** follow the partner's typing only on an account that partner
  alone uses (it is named by the first enrolment; each partner sees its own typing).
- Identifying values (names, email, birth date, CPF number) reach the audit log masked:
  the log is never purged, even by an erasure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app

from cloe_portal import clock
from cloe_portal.accounts.models import User, normalise_email
from cloe_portal.accounts.services import password_link
from cloe_portal.audit.services import record
from cloe_portal.core.access import STAFF
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email
from cloe_portal.reference.domains import is_domain
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.dates import is_adult_on
from cloe_portal.rules.windows import booking_window, written_window
from cloe_portal.sessions.candidate_import import LEVELS
from cloe_portal.sessions.models import (
    ACCOMMODATION_KINDS,
    REGISTRATION_STATUS_LABELS_FR,
    SESSION_KINDS,
    WITHDRAWAL_REASONS,
    AccommodationRequest,
    ExamSession,
    Registration,
)
from cloe_portal.sessions.services import NOT_TAKEN_STATUSES, Enrolment, fr_hours, rule_problems
from cloe_portal.sessions.status import set_status

# Registrations told about a moved written date: before the written test (new window) and
# just after it (the booking deadline follows the session's date).
TOLD_OF_SESSION_CHANGES = (*NOT_TAKEN_STATUSES, "written_done")

SESSION_STARTED = (
    "Un candidat de cette session a commencé le test écrit : seul votre CEL référent peut "
    "désormais modifier la session. Écrivez-lui en indiquant la modification voulue et son motif."
)
REGISTRATION_STARTED = (
    "Ce candidat a commencé le test écrit : son inscription ne peut plus être modifiée par "
    "votre organisme. Demandez la modification à votre CEL référent, avec son motif."
)
WITHDRAWAL_TOO_LATE = (
    "Ce candidat a commencé le test écrit : il ne peut plus être retiré. En cas de force "
    "majeure (maladie…), contactez votre CEL référent, qui peut annuler le test."
)
LANGUAGE_FIXED = (
    "Des candidats ont commencé le test écrit dans cette langue : elle ne peut plus changer."
)
PARTNER_EMAIL_REFUSED = (
    "L'adresse e-mail est l'identifiant de connexion du candidat. Votre organisme ne peut la "
    "modifier que sur un compte qu'il a créé et qui n'a jamais été utilisé pour se connecter. "
    "Demandez la modification à votre CEL référent."
)
REASON_REQUIRED = "Indiquez le motif de la modification : il est inscrit au journal d'audit."
NOTHING_CHANGED = "Aucune modification : rien n'a été enregistré."


class ChangeRefused(Exception):
    """Refused; ``problems`` maps a form field (or "" for the whole form) to a French message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def _is_staff(user: User) -> bool:
    return user.role in STAFF


def _reason(reason: str | None) -> str | None:
    return (reason or "").strip() or None


def partner_admins(partner_id: int) -> list[User]:
    """The active admins of a partner organisation (who hear about changes to its candidates)."""
    return list(db.session.scalars(db.select(User).where(
        User.role == "partner", User.active.is_(True), User.organisation_id == partner_id,
    ).order_by(User.id)))


# --- has the written test started? -------------------------------------------------------


def _attempted(registration_ids: list[int]) -> set[int]:
    from cloe_portal.written.models import WrittenAttempt

    if not registration_ids:
        return set()
    return set(db.session.scalars(db.select(WrittenAttempt.registration_id).where(
        WrittenAttempt.registration_id.in_(registration_ids))))


def _started(registration: Registration, attempted: set[int]) -> bool:
    # Withdrawn registrations never started (a withdrawal needs that); cancelled ones did.
    return (registration.status not in (*NOT_TAKEN_STATUSES, "withdrawn")
            or registration.id in attempted)


def started_registrations(session: ExamSession) -> list[Registration]:
    """The session's registrations whose written test has started (once is enough)."""
    registrations = list(session.registrations)
    attempted = _attempted([r.id for r in registrations])
    return [r for r in registrations if _started(r, attempted)]


def registration_started(registration: Registration) -> bool:
    """True once a written attempt of this registration started (even one cancelled later)."""
    return _started(registration, _attempted([registration.id]))


def session_lock(user: User, session: ExamSession) -> str | None:
    """Why the user may not edit the session now (None when it may; staff always may)."""
    if _is_staff(user) or not started_registrations(session):
        return None
    return SESSION_STARTED


def registration_lock(user: User, registration: Registration) -> str | None:
    """Why the user may not edit this enrolment now (None when it may)."""
    if registration.is_closed:
        label = REGISTRATION_STATUS_LABELS_FR.get(registration.status, registration.status)
        return f"Cette inscription est close (« {label} ») : elle ne peut plus être modifiée."
    if not _is_staff(user) and registration_started(registration):
        return REGISTRATION_STARTED
    return None


def withdrawal_lock(registration: Registration) -> str | None:
    """Why this candidate cannot be withdrawn (None when it can: before the written test)."""
    if registration.is_closed:
        label = REGISTRATION_STATUS_LABELS_FR.get(registration.status, registration.status)
        return f"Cette inscription est déjà close (« {label} »)."
    if registration_started(registration):
        return WITHDRAWAL_TOO_LATE
    return None


# --- what the audit log keeps of identifying values -------------------------------------------


def masked(name: str, value: Any) -> str | None:
    """A value as the audit log keeps it: identifying ones masked, the others as they are."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value)
    if name == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}…@{domain}"
    if name in ("first_name", "last_name"):
        return text[:1] + "…" if len(text) > 1 else text
    if name == "birth_date":
        return text[:4] + "-…"
    if name == "cpf_file_number":
        return "…" + text[-3:]
    return text


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str | None]]:
    return {name: [masked(name, before[name]), masked(name, after[name])]
            for name in after if before[name] != after[name]}


# --- 1. edit a session --------------------------------------------------------------------------


@dataclass
class SessionChanges:
    """The session as the form sends it back; ``target_level`` None leaves each level as it is."""

    name: str
    kind: str
    language: str
    domain: str | None
    written_date: dt.date
    target_level: str | None = None


@dataclass(frozen=True)
class SessionEdited:
    """What a session edit changed: fields (before, after), levels set, candidates emailed."""

    changes: dict[str, list[str | None]]
    levels_changed: int
    levels_kept: int
    emailed: int


SESSION_FIELDS = ("name", "kind", "language", "domain", "written_date")


def _session_problems(session: ExamSession, data: SessionChanges, started: list[Registration],
                      open_regs: list[Registration]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind not in SESSION_KINDS:
        problems["kind"] = "Choisissez le type de session."
    if data.language not in LANGUAGES:
        problems["language"] = "Choisissez la langue évaluée."
    elif data.language != session.language and started:
        problems["language"] = LANGUAGE_FIXED
    if data.domain and not is_domain(data.domain):
        problems["domain"] = "Spécialisation inconnue."
    if data.target_level is not None and data.target_level not in LEVELS:
        problems["target_level"] = "Choisissez un niveau visé : A2, B1, B2, C1 ou C2."
    if data.written_date != session.written_date:
        if data.written_date < clock.today_paris():
            problems["written_date"] = "La date du test écrit ne peut pas être passée."
        else:
            minors = [r.candidate_name for r in open_regs
                      if r.birth_date and not is_adult_on(r.birth_date, data.written_date)]
            if minors:
                problems["written_date"] = (
                    "La certification est réservée aux personnes majeures : "
                    f"{', '.join(minors)} n'aurai(en)t pas 18 ans le {data.written_date:%d/%m/%Y}.")
    return problems


def edit_session(actor: User, session: ExamSession, data: SessionChanges,
                 reason: str | None = None) -> SessionEdited:
    """Change a session (see the module's rules); audit-logged, candidates whose dates move
    are emailed, and the partner too when the referent made the change."""
    reason = _reason(reason)
    lock = session_lock(actor, session)
    if lock:
        raise ChangeRefused({"": lock})
    started = started_registrations(session)
    open_regs = [r for r in session.registrations if not r.is_closed]
    problems = _session_problems(session, data, started, open_regs)
    if _is_staff(actor) and not reason:
        problems["reason"] = REASON_REQUIRED
    before = {name: getattr(session, name) for name in SESSION_FIELDS}
    after = {"name": data.name.strip(), "kind": data.kind, "language": data.language,
             "domain": data.domain or None, "written_date": data.written_date}
    changes = _diff(before, after)
    started_ids = {r.id for r in started}
    relevelled = [] if data.target_level is None else [
        r for r in open_regs if r.id not in started_ids and r.target_level != data.target_level]
    kept = 0 if data.target_level is None else sum(
        1 for r in open_regs if r.id in started_ids and r.target_level != data.target_level)
    if not problems and not changes and not relevelled:
        problems[""] = NOTHING_CHANGED
    if problems:
        raise ChangeRefused(problems)

    for name, value in after.items():
        setattr(session, name, value)
    if "written_date" in changes:
        session.date_version += 1
    entry = record(actor, "session.edited", session, reason=reason, details={
        "changes": changes, "after_start": bool(started),
        "target_level": {str(r.id): [r.target_level, data.target_level] for r in relevelled},
    })
    for registration in relevelled:
        record(actor, "registration.edited", registration, reason=reason, details={
            "changes": {"target_level": [registration.target_level, data.target_level]},
            "session_edit": entry.id})
        registration.target_level = data.target_level
    db.session.flush()
    emailed = 0
    if {"written_date", "language", "domain"} & changes.keys():
        for registration in open_regs:
            if registration.status in TOLD_OF_SESSION_CHANGES:
                _send_session_changed(registration, changes, entry.id)
                emailed += 1
    if _is_staff(actor):
        for admin in partner_admins(session.partner_id):
            queue_email(admin.email, "session_changed_partner", kind="session-changed-partner",
                        key=f"session-changed:audit-{entry.id}:partner-{admin.id}",
                        recipient_id=admin.id, session=session, changes=changes,
                        labels=_session_labels(changes), reason=reason, actor=actor,
                        relevelled=len(relevelled), emailed=emailed,
                        link=_absolute("sessions.detail", session_id=session.id))
    db.session.flush()
    return SessionEdited(changes, len(relevelled), kept, emailed)


def _absolute(endpoint: str, **values: Any) -> str:
    from cloe_portal.orals.services import absolute_url

    return absolute_url(endpoint, **values)


SESSION_FIELD_LABELS = {"name": "Nom", "kind": "Type", "language": "Langue",
                        "domain": "Spécialisation", "written_date": "Date du test écrit"}


def _shown(name: str, value: str | None) -> str:
    if value is None:
        return "aucune"
    if name == "written_date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if name == "language":
        return LANGUAGES.get(value, value)
    if name == "kind":
        return SESSION_KINDS.get(value, value)
    return value


def _session_labels(changes: dict[str, list[str | None]]) -> list[tuple[str, str, str]]:
    """The changes as French lines (label, before, after) for emails."""
    return [(SESSION_FIELD_LABELS[name], _shown(name, old), _shown(name, new))
            for name, (old, new) in changes.items()]


def _send_session_changed(registration: Registration, changes: dict[str, list[str | None]],
                          entry_id: int) -> None:
    session = registration.session
    candidate = registration.candidate
    written = registration.status in NOT_TAKEN_STATUSES
    window = written_window(session.written_date, registration.window_extension_days)
    booking = None
    if not written and registration.written_done_at is not None:
        booking = booking_window(registration.written_done_at, session.written_date,
                                 registration.booking_extension_days)
    queue_email(candidate.email, "session_changed", kind="session-changed",
                key=f"session-changed:audit-{entry_id}:registration-{registration.id}",
                recipient_id=candidate.id, candidate=candidate, registration=registration,
                session=session, partner=session.partner, date_moved="written_date" in changes,
                labels=_session_labels({k: v for k, v in changes.items()
                                        if k in ("written_date", "language", "domain")}),
                written=written, window=window, booking=booking,
                link=_absolute("candidates.home"))


# --- 2. edit an enrolment --------------------------------------------------------------------


def _other_partner_registrations(person: User, partner_id: int) -> bool:
    return db.session.scalar(db.select(db.func.count(Registration.id)).where(
        Registration.candidate_id == person.id, Registration.partner_id != partner_id)) > 0


def account_is_partners_alone(registration: Registration) -> bool:
    """The account was created by this registration's partner and no other partner uses it."""
    person = registration.candidate
    return (person.organisation_id == registration.partner_id
            and not _other_partner_registrations(person, registration.partner_id))


def email_refusal(actor: User, registration: Registration, new_email: str) -> str | None:
    """Why the actor may not change this candidate's login address to ``new_email``."""
    from cloe_portal.privacy.services import may_manage_candidate

    person = registration.candidate
    taken = db.session.scalar(db.select(User.id).where(User.email == new_email,
                                                       User.id != person.id))
    if taken is not None:
        return ("Cette adresse est déjà l'identifiant d'un autre compte du portail : choisissez "
                "l'adresse personnelle du candidat.")
    if _is_staff(actor):
        if not may_manage_candidate(actor, person):
            return ("Ce candidat est aussi inscrit auprès d'un organisme que votre CEL ne suit "
                    "pas : seul le coordinateur peut changer son adresse de connexion.")
        return None
    if (not account_is_partners_alone(registration) or person.password_hash is not None
            or person.last_login_at is not None):
        return PARTNER_EMAIL_REFUSED
    return None


@dataclass(frozen=True)
class EnrolmentEdited:
    """What an enrolment edit changed (masked before → after) and what it asked or withdrew."""

    changes: dict[str, list[str | None]]
    accommodations_added: list[str] = field(default_factory=list)
    accommodations_withdrawn: list[str] = field(default_factory=list)


def _registration_values(registration: Registration) -> dict[str, Any]:
    return {
        "first_name": registration.candidate_first_name,
        "last_name": registration.candidate_last_name,
        "email": registration.candidate.email,
        "birth_date": registration.birth_date,
        "target_level": registration.target_level,
        "training_hours": fr_hours(registration.training_hours),
        "funding": registration.funding,
        "cpf_file_number": registration.cpf_file_number,
    }


def _wanted_values(data: Enrolment) -> dict[str, Any]:
    return {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "email": normalise_email(data.email),
        "birth_date": data.birth_date,
        "target_level": data.target_level,
        "training_hours": fr_hours(data.training_hours) if data.training_hours is not None else None,
        "funding": data.funding,
        "cpf_file_number": (data.cpf_file_number or "").strip() or None,
    }


def active_accommodations(registration: Registration) -> dict[str, AccommodationRequest]:
    """The registration's accommodation requests still standing (pending or approved), by kind."""
    return {a.kind: a for a in registration.accommodations if a.status in ("pending", "approved")}


def edit_enrolment(actor: User, registration: Registration, data: Enrolment,
                   reason: str | None = None) -> EnrolmentEdited:
    """Change an enrolment (see the module's rules for who, when and the email); audit-logged."""
    reason = _reason(reason)
    lock = registration_lock(actor, registration)
    if lock:
        raise ChangeRefused({"": lock})
    problems = rule_problems(data, registration.session.written_date)
    if _is_staff(actor) and not reason:
        problems["reason"] = REASON_REQUIRED
    before = _registration_values(registration)
    after = _wanted_values(data)
    if after["email"] != before["email"] and "email" not in problems:
        refusal = email_refusal(actor, registration, after["email"])
        if refusal:
            problems["email"] = refusal
    standing = active_accommodations(registration)
    wanted = list(dict.fromkeys(data.accommodations))
    if any(kind not in ACCOMMODATION_KINDS for kind in wanted):
        problems["accommodations"] = "Aménagement inconnu."
    added = [k for k in wanted if k not in standing]
    dropped = [k for k in standing if k not in wanted]
    details = (data.accommodation_details or "").strip() or None
    pending_details = [a for k, a in standing.items()
                       if k in wanted and a.status == "pending" and a.details != details]
    changes = _diff(before, after)
    if not problems and not changes and not added and not dropped and not pending_details:
        problems[""] = NOTHING_CHANGED
    if problems:
        raise ChangeRefused(problems)

    person = registration.candidate
    names_follow = bool({"first_name", "last_name"} & changes.keys()
                        and account_is_partners_alone(registration))
    if names_follow:
        person.first_name, person.last_name = after["first_name"], after["last_name"]
    registration.first_name, registration.last_name = after["first_name"], after["last_name"]
    registration.birth_date = after["birth_date"]
    registration.target_level = after["target_level"]
    registration.training_hours = Decimal(str(data.training_hours))
    registration.funding = after["funding"]
    registration.cpf_file_number = after["cpf_file_number"]
    now = clock.now()
    for kind in added:
        db.session.add(AccommodationRequest(registration_id=registration.id, kind=kind,
                                            status="pending", details=details, created_at=now))
    for kind in dropped:
        standing[kind].status = "withdrawn"
    for request in pending_details:
        request.details = details
    email_changed = "email" in changes
    activated = person.password_hash is not None
    if email_changed:
        old_email = person.email
        person.email = after["email"]
        # The first-login and reset links already emailed (maybe to a wrong address) die.
        person.password_changed_at = clock.real_now()
    db.session.flush()
    entry = record(actor, "registration.edited", registration, reason=reason, details={
        "changes": changes, "after_start": registration_started(registration),
        "accommodations_added": added, "accommodations_withdrawn": dropped,
        "accommodation_details_changed": bool(pending_details),
        "account_names_follow": names_follow,
    })
    if email_changed:
        _send_login_email_changed(actor, registration, old_email, activated, entry.id)
    if _is_staff(actor):
        for admin in partner_admins(registration.partner_id):
            queue_email(admin.email, "registration_changed_partner",
                        kind="registration-changed-partner",
                        key=f"registration-changed:audit-{entry.id}:partner-{admin.id}",
                        recipient_id=admin.id, registration=registration, reason=reason,
                        fields=[ENROLMENT_FIELD_LABELS[name] for name in changes],
                        added=[ACCOMMODATION_KINDS[k] for k in added],
                        dropped=[ACCOMMODATION_KINDS[k] for k in dropped],
                        link=_absolute("partners.candidate", candidate_id=person.id))
    db.session.flush()
    return EnrolmentEdited(changes, added, dropped)


ENROLMENT_FIELD_LABELS = {
    "first_name": "prénom", "last_name": "nom", "email": "adresse e-mail de connexion",
    "birth_date": "date de naissance", "target_level": "niveau visé",
    "training_hours": "heures de formation", "funding": "financement",
    "cpf_file_number": "n° de dossier CPF",
}


def _send_login_email_changed(actor: User, registration: Registration, old_email: str,
                              activated: bool, entry_id: int) -> None:
    """The new address gets its login (or first-login) link; the old one, if it was in use,
    is told where the login went (masked), so a hijack cannot go unnoticed."""
    person = registration.candidate
    session = registration.session
    link = (password_link(person, "welcome") if not activated
            else _absolute("accounts.login"))
    common = {"person": person, "registration": registration, "session": session,
              "partner": session.partner, "by_partner": not _is_staff(actor)}
    queue_email(person.email, "login_email_changed", kind="login-email-changed",
                key=f"login-email-changed:audit-{entry_id}", recipient_id=person.id,
                to_old=False, link=link, first_login=not activated,
                window=written_window(session.written_date, registration.window_extension_days),
                hours=current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600, **common)
    if activated:
        queue_email(old_email, "login_email_changed", kind="login-email-changed-old",
                    key=f"login-email-changed:audit-{entry_id}:old", recipient_id=person.id,
                    to_old=True, new_email=masked("email", person.email), **common)


# --- 2b. withdraw a candidate -------------------------------------------------------------------


def withdraw(actor: User, registration: Registration, reason: str | None,
             note: str | None = None) -> Registration:
    """Withdraw a candidate before the written test: status "retirée", oral holds and
    pending accommodation requests released, nothing deleted; candidate and partner emailed."""
    from cloe_portal.orals.services import release_registration

    note = _reason(note)
    lock = withdrawal_lock(registration)
    if lock:
        raise ChangeRefused({"": lock})
    problems: dict[str, str] = {}
    if reason not in WITHDRAWAL_REASONS:
        problems["reason"] = "Choisissez le motif du retrait."
    elif reason == "other" and not note:
        problems["note"] = "Précisez le motif du retrait (motif « Autre »)."
    if problems:
        raise ChangeRefused(problems)
    label = WITHDRAWAL_REASONS[reason]
    previous = registration.status
    registration.withdrawal_reason = reason
    registration.withdrawal_note = note
    set_status(registration, "withdrawn", actor, reason=f"{label} — {note}" if note else label)
    released = release_registration(registration, "Inscription retirée par l'organisme")
    withdrawn_requests = [a for a in registration.accommodations if a.status == "pending"]
    for request in withdrawn_requests:
        request.status = "withdrawn"
    entry = record(actor, "registration.withdrawn", registration, reason=note or label, details={
        "reason": reason, "previous_status": previous,
        "accommodations_withdrawn": [a.id for a in withdrawn_requests], **released,
    })
    candidate = registration.candidate
    common = {"registration": registration, "session": registration.session,
              "partner": registration.partner, "reason_label": label, "note": note,
              "language": LANGUAGES.get(registration.session.language, "")}
    queue_email(candidate.email, "registration_withdrawn", kind="withdrawal",
                key=f"withdrawal:registration-{registration.id}", recipient_id=candidate.id,
                to_partner=False, **common)
    for admin in partner_admins(registration.partner_id):
        queue_email(admin.email, "registration_withdrawn", kind="withdrawal-partner",
                    key=f"withdrawal:registration-{registration.id}:partner-{admin.id}",
                    recipient_id=admin.id, to_partner=True, actor=actor,
                    link=_absolute("partners.candidate", candidate_id=candidate.id),
                    audit_id=entry.id, **common)
    db.session.flush()
    return registration

