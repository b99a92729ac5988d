"""Assessor accreditation (seed §4.5): training, role-play validation, two-year validity, renewal.

Validity: "valid 2 years from the successful validation" is read as a duration "de date à
date": an assessor validated on 10 January 2026 is accredited up to and including
9 January 2028, and no longer on the second anniversary. That is 730 days counting the
validation day (731 when the span holds a 29 February). Validated on 29 February, the
anniversary falls on 1 March, so the last valid day is 28 February.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.accounts.services import create_user, send_welcome
from cloe_portal.assessors.models import (
    ACCREDITATION_YEARS,
    Accreditation,
    AssessorProfile,
    ValidationAttempt,
    is_accredited,
)
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.reference.languages import LANGUAGES

MAX_ATTEMPTS_PER_TRAINING = 2
EXPIRY_WARNING_DAYS = 60
TRAINING_MODES = {"in_person": "En présentiel", "remote": "À distance"}


class AccreditationError(Exception):
    """A step refused; the message is French and safe to show."""


def valid_until_for(validated_on: date) -> date:
    """Last accredited day: the day before the second anniversary of the validation."""
    year = validated_on.year + ACCREDITATION_YEARS
    try:
        anniversary = validated_on.replace(year=year)
    except ValueError:  # 29 February → 1 March
        anniversary = date(year, 3, 1)
    return anniversary - timedelta(days=1)


def video_link_problem(link: str | None) -> str | None:
    """Why a video-conference link is refused (https only), or None."""
    link = (link or "").strip()
    if not link:  # blank (even whitespace only) clears the link
        return None
    if not link.lower().startswith("https://") or len(link) <= len("https://") or " " in link:
        return "Le lien de visioconférence doit être une adresse sécurisée commençant par https://."
    return None


def profile_for(assessor: User, create: bool = True) -> AssessorProfile | None:
    """The assessor's profile (created on first use when `create`)."""
    profile = db.session.scalars(
        db.select(AssessorProfile).where(AssessorProfile.user_id == assessor.id)
    ).first()
    if profile is None and create:
        profile = AssessorProfile(user_id=assessor.id)
        db.session.add(profile)
        db.session.flush()
    return profile


def create_assessor(
    actor: User, email: str, first_name: str, last_name: str, languages: list[str],
    video_link: str | None = None,
) -> User:
    """Create an assessor of the actor's centre, open a training cycle per language, send the welcome."""
    problem = video_link_problem(video_link)
    if problem:
        raise AccreditationError(problem)
    if not languages or any(code not in LANGUAGES for code in languages):
        raise AccreditationError("Choisissez au moins une langue évaluée.")
    assessor = create_user(email, "assessor", first_name, last_name, actor.organisation)
    profile = AssessorProfile(user_id=assessor.id, video_link=(video_link or "").strip() or None)
    db.session.add(profile)
    for code in languages:
        db.session.add(Accreditation(assessor_id=assessor.id, language=code, status="in_training",
                                     created_at=clock.now()))
    record(actor, "assessor.created", assessor, details={"summary": "Langues : " + ", ".join(LANGUAGES[c] for c in languages)})
    send_welcome(assessor)
    db.session.flush()
    return assessor


def set_video_link(actor: User, assessor: User, link: str | None) -> None:
    """Change the assessor's video-conference link (https only)."""
    problem = video_link_problem(link)
    if problem:
        raise AccreditationError(problem)
    profile_for(assessor).video_link = (link or "").strip() or None
    record(actor, "assessor.profile_updated", assessor, details={"summary": "Lien de visioconférence modifié"})
    db.session.flush()


def cycles(assessor_id: int) -> list[Accreditation]:
    """All accreditation cycles of an assessor, by language then newest first."""
    stmt = (
        db.select(Accreditation)
        .where(Accreditation.assessor_id == assessor_id)
        .order_by(Accreditation.language, Accreditation.id.desc())
    )
    return list(db.session.scalars(stmt))


def attempts(accreditation: Accreditation) -> list[ValidationAttempt]:
    """The cycle's validation attempts, oldest first."""
    stmt = (
        db.select(ValidationAttempt)
        .where(ValidationAttempt.accreditation_id == accreditation.id)
        .order_by(ValidationAttempt.attempted_on, ValidationAttempt.id)
    )
    return list(db.session.scalars(stmt))


def attempt_block(accreditation: Accreditation) -> str | None:
    """Why no validation attempt may be recorded now, or None."""
    if accreditation.status == "accredited":
        return "Cette habilitation est déjà validée : ouvrez un renouvellement."
    if accreditation.training_date is None:
        return "Enregistrez d'abord la formation suivie."
    since = [a for a in attempts(accreditation) if a.attempted_on >= accreditation.training_date]
    if sum(not a.passed for a in since) >= MAX_ATTEMPTS_PER_TRAINING:
        return (
            "Deux validations échouées depuis la dernière formation : l'évaluateur doit refaire "
            "la formation avant une nouvelle tentative (règlement CLOE, § 4.5)."
        )
    return None


def add_language(actor: User, assessor: User, language: str) -> Accreditation:
    """Open a training cycle in a new language."""
    if language not in LANGUAGES:
        raise AccreditationError("Langue inconnue.")
    if any(c.language == language for c in cycles(assessor.id)):
        raise AccreditationError("Cette langue est déjà suivie pour cet évaluateur.")
    acc = Accreditation(assessor_id=assessor.id, language=language, status="in_training",
                        created_at=clock.now())
    db.session.add(acc)
    record(actor, "assessor.language_added", assessor, details={"summary": LANGUAGES[language]})
    db.session.flush()
    return acc


def record_training(actor: User, accreditation: Accreditation, day: date, mode: str) -> None:
    """Record the training (first, or redone after two failures) of a cycle."""
    if mode not in TRAINING_MODES:
        raise AccreditationError("Choisissez le mode de formation.")
    if day > clock.today_paris():
        raise AccreditationError("La date de formation ne peut pas être dans le futur.")
    if accreditation.status == "accredited":
        raise AccreditationError("Cette habilitation est validée : ouvrez un renouvellement.")
    previous = attempts(accreditation)
    if previous and day <= previous[-1].attempted_on:
        raise AccreditationError(
            "La nouvelle formation doit être postérieure à la dernière tentative de validation."
        )
    accreditation.training_date = day
    accreditation.training_mode = mode
    record(actor, "assessor.training", accreditation.assessor,
           details={"summary": f"{LANGUAGES[accreditation.language]} — formation du "
                               f"{day:%d/%m/%Y} ({TRAINING_MODES[mode].lower()})"})
    db.session.flush()


def record_attempt(
    actor: User, accreditation: Accreditation, day: date, passed: bool, notes: str | None = None
) -> ValidationAttempt:
    """Record a role-play validation; success accredits for two years (see module docstring)."""
    block = attempt_block(accreditation)
    if block:
        raise AccreditationError(block)
    if day > clock.today_paris():
        raise AccreditationError("La date de validation ne peut pas être dans le futur.")
    if day < accreditation.training_date:
        raise AccreditationError("La validation ne peut pas précéder la formation.")
    attempt = ValidationAttempt(accreditation_id=accreditation.id, attempted_on=day, passed=passed,
                                notes=(notes or "").strip() or None, recorded_by_id=actor.id,
                                created_at=clock.now())
    db.session.add(attempt)
    language = LANGUAGES[accreditation.language]
    if passed:
        accreditation.status = "accredited"
        accreditation.validated_on = day
        accreditation.valid_until = valid_until_for(day)
        record(actor, "assessor.validation_passed", accreditation.assessor, reason=attempt.notes,
               details={"summary": f"{language} — validée le {day:%d/%m/%Y}, habilitation "
                                   f"jusqu'au {accreditation.valid_until:%d/%m/%Y} inclus"})
    else:
        record(actor, "assessor.validation_failed", accreditation.assessor, reason=attempt.notes,
               details={"summary": f"{language} — échec le {day:%d/%m/%Y}"})
    db.session.flush()
    return attempt


def start_renewal(actor: User, assessor: User, language: str) -> Accreditation:
    """Open a new cycle (same procedure: training then validation) in a language already held."""
    existing = [c for c in cycles(assessor.id) if c.language == language]
    if not any(c.status == "accredited" for c in existing):
        raise AccreditationError("Aucune habilitation à renouveler dans cette langue.")
    if any(c.status == "in_training" for c in existing):
        raise AccreditationError("Un cycle de formation est déjà ouvert dans cette langue.")
    acc = Accreditation(assessor_id=assessor.id, language=language, status="in_training",
                        created_at=clock.now())
    db.session.add(acc)
    record(actor, "assessor.renewal_started", assessor, details={"summary": LANGUAGES[language]})
    db.session.flush()
    return acc


@dataclass(frozen=True)
class LanguageStatus:
    """Where an assessor stands in one language on a day."""

    language: str
    state: str  # accredited / expiring / expired / in_training
    valid_until: date | None

    @property
    def language_name(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    @property
    def expired_on(self) -> date | None:
        """The first day without accreditation (the day after the last valid one)."""
        return self.valid_until + timedelta(days=1) if self.valid_until else None

    @property
    def label(self) -> str:
        """French text of the standing (templates: assessors/_status_list.html translates)."""
        if self.state == "accredited":
            return f"Habilité jusqu'au {self.valid_until:%d/%m/%Y}"
        if self.state == "expiring":
            return f"Habilité jusqu'au {self.valid_until:%d/%m/%Y} — renouvellement à prévoir"
        if self.state == "expired":
            return f"Habilitation expirée le {self.expired_on:%d/%m/%Y}"
        return "En formation / validation à passer"


def language_statuses(assessor_id: int, day: date | None = None) -> list[LanguageStatus]:
    """Per language: accredited (or expiring within 60 days), expired, or in training."""
    day = day or clock.today_paris()
    by_language: dict[str, list[Accreditation]] = {}
    for acc in cycles(assessor_id):
        by_language.setdefault(acc.language, []).append(acc)
    out = []
    for code, accs in sorted(by_language.items()):
        valid = [a for a in accs if a.is_valid_on(day)]
        ended = [a for a in accs if a.status == "accredited" and a.valid_until and a.valid_until < day]
        if valid:
            until = max(a.valid_until for a in valid)
            state = "expiring" if until <= day + timedelta(days=EXPIRY_WARNING_DAYS) else "accredited"
            out.append(LanguageStatus(code, state, until))
        elif ended:
            out.append(LanguageStatus(code, "expired", max(a.valid_until for a in ended)))
        else:
            out.append(LanguageStatus(code, "in_training", None))
    return out


def _assessors(centre_id: int | None) -> list[User]:
    stmt = db.select(User).where(User.role == "assessor").order_by(User.last_name, User.first_name)
    if centre_id is not None:
        stmt = stmt.where(User.organisation_id == centre_id)
    return list(db.session.scalars(stmt))


def expiry_watch(day: date | None = None, centre_id: int | None = None) -> tuple[list, list]:
    """(expiring within 60 days, expired): lists of (assessor, LanguageStatus)."""
    day = day or clock.today_paris()
    expiring, expired = [], []
    for assessor in _assessors(centre_id):
        for status in language_statuses(assessor.id, day):
            if status.state == "expiring":
                expiring.append((assessor, status))
            elif status.state == "expired":
                expired.append((assessor, status))
    expiring.sort(key=lambda pair: pair[1].valid_until)
    expired.sort(key=lambda pair: pair[1].valid_until, reverse=True)
    return expiring, expired


def expired_assessor_ids(day: date | None = None) -> set[int]:
    """Assessors whose accreditation has lapsed in at least one language on `day` (orals flag their slots)."""
    day = day or clock.today_paris()
    held = db.select(Accreditation.assessor_id, Accreditation.language).where(
        Accreditation.status == "accredited", Accreditation.valid_until < day
    )
    out = set()
    for assessor_id, language in db.session.execute(held):
        if assessor_id not in out and not is_accredited(assessor_id, language, day):
            out.add(assessor_id)
    return out
