"""Written test attempts, the responses as served and scored, and the integrity log."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration

ATTEMPT_MODES = {"certification": "Certification", "demo": "Mini-test démo"}
ATTEMPT_STATUSES = {"in_progress": "En cours", "finished": "Terminé", "abandoned": "Abandonné",
                    "suspended": "Suspendu (incidents)", "cancelled": "Annulé (force majeure)"}
RESPONSE_STATUSES = {"pending": "Affichée", "answered": "Répondue", "timed_out": "Temps écoulé",
                     "discarded": "Annulée (incident)"}
VERDICTS = {"compliant": "Conforme", "doubtful": "Douteux", "non_compliant": "Non conforme"}
EVENT_LABELS = {
    "started": "Début du test",
    "resumed": "Reprise (page rechargée ou retour du candidat)",
    "incident_restart": "Incident technique : section recommencée",
    "tab_hidden": "Onglet masqué",
    "window_blur": "Fenêtre quittée",
    "fullscreen_exit": "Sortie du plein écran",
    "finished": "Fin du test",
    "verdict": "Avis de surveillance",
    "suspended": "Test suspendu : incidents répétés, décision du référent attendue",
    "restart_granted": "Relance de la section accordée par le référent",
    "cancelled": "Test annulé pour force majeure",
}


def _random_seed() -> int:
    return secrets.randbelow(2**31 - 1)


def _same_registration(context) -> int | None:  # noqa: ANN001 - SQLAlchemy's default context
    """A new attempt holds its registration (released when a referent cancels it)."""
    return context.get_current_parameters().get("registration_id")


class WrittenAttempt(db.Model):
    """One run of the written test (certification, one per registration) or of the demo."""

    __tablename__ = "written_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    # One live attempt per registration; a cancelled one (force majeure) keeps
    # ``registration_id`` for the history and sets this to NULL, so a new attempt can start.
    active_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id"), unique=True, default=_same_registration)
    mode: Mapped[str] = mapped_column(String(16), default="certification")
    language: Mapped[str] = mapped_column(String(2))
    target_level: Mapped[str] = mapped_column(String(2))
    # Everything the adaptive path depends on, frozen at start so it can be replayed.
    seed: Mapped[int] = mapped_column()
    # The order options are shown in (rules.scoring.display_seed with each item): drawn per
    # attempt apart from ``seed`` (the adaptive path), so "the answer is B" does not travel.
    display_seed: Mapped[int] = mapped_column(default=_random_seed)
    pool_snapshot: Mapped[dict] = mapped_column(JSON)
    excluded_item_ids: Mapped[list] = mapped_column(JSON, default=list)
    extra_time: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="in_progress", index=True)
    current_section: Mapped[int] = mapped_column(default=0)
    current_round: Mapped[int] = mapped_column(default=0)
    identity_snapshot: Mapped[dict | None] = mapped_column(JSON)
    section_scores: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proctoring_verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_source: Mapped[str | None] = mapped_column(String(16))
    verdict_comment: Mapped[str | None] = mapped_column(Text)
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    registration: Mapped[Registration | None] = relationship(foreign_keys=[registration_id])
    responses: Mapped[list[WrittenResponse]] = relationship(
        back_populates="attempt", order_by="WrittenResponse.sequence"
    )
    events: Mapped[list[IntegrityEvent]] = relationship(
        back_populates="attempt", order_by="IntegrityEvent.id"
    )

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.proctoring_verdict or "", "Non renseigné")

    @property
    def status_label(self) -> str:
        return ATTEMPT_STATUSES.get(self.status, self.status)

    @property
    def declared_birth_date(self) -> date | None:
        """The birth date of the identity snapshot (stored as ISO text), as a date."""
        value = (self.identity_snapshot or {}).get("birth_date")
        try:
            return date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None


class WrittenResponse(db.Model):
    """One item served in an attempt, with everything it was scored with."""

    __tablename__ = "written_response"
    __table_args__ = (UniqueConstraint("attempt_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("written_attempt.id"), index=True)
    sequence: Mapped[int] = mapped_column()  # question number shown (never reset)
    section: Mapped[int] = mapped_column()
    skill: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(default=0)  # incident restarts of the section
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    item_code: Mapped[str] = mapped_column(String(40))
    item_version: Mapped[int] = mapped_column()
    item_difficulty: Mapped[int] = mapped_column()
    item_type: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict] = mapped_column(JSON)  # as served, key included
    shown: Mapped[dict] = mapped_column(JSON)  # what the candidate saw (shuffled, no key)
    time_limit: Mapped[int] = mapped_column()
    response: Mapped[object | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    served_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_taken: Mapped[float | None] = mapped_column(Float)
    submitted_by_timer: Mapped[bool] = mapped_column(default=False)
    audio_plays: Mapped[int] = mapped_column(default=0)
    displays: Mapped[int] = mapped_column(default=0)

    attempt: Mapped[WrittenAttempt] = relationship(back_populates="responses")

    @property
    def status_label(self) -> str:
        return RESPONSE_STATUSES.get(self.status, self.status)


class IntegrityEvent(db.Model):
    """The integrity log the jury reads: restarts, tab/window/fullscreen exits, resumptions."""

    __tablename__ = "written_integrity_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("written_attempt.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    kind: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int | None] = mapped_column()
    details: Mapped[dict | None] = mapped_column(JSON)

    attempt: Mapped[WrittenAttempt] = relationship(back_populates="events")

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)

    @property
    def details_text(self) -> str:
        """The event's details as a French sentence for the jury (empty when none)."""
        return describe_details(self.kind, self.details)


def _number(value: object) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, int | float) else str(value)


def describe_details(kind: str, details: dict | None) -> str:
    """Say what an integrity event's details mean, in French (never the raw dict)."""
    from flask_babel import gettext, ngettext

    details = details or {}
    try:
        if kind in ("incident_restart", "suspended", "restart_granted"):
            section = int(details["section"]) + 1
            parts = []
            if kind == "incident_restart":
                parts.append(gettext("Section %(section)s relancée (incident n° %(n)s)",
                                     section=section, n=int(details["round"]) + 1))
            elif kind == "suspended":
                parts.append(gettext("Section %(section)s : incident n° %(n)s, test suspendu",
                                     section=section, n=int(details["incident"])))
            else:
                parts.append(gettext("Section %(section)s relancée par le référent",
                                     section=section))
            if "discarded" in details:
                parts.append(ngettext("%(num)d question annulée", "%(num)d questions annulées",
                                      int(details["discarded"])))
            if details.get("reason"):
                parts.append(gettext("motif : %(reason)s", reason=details["reason"]))
            return ", ".join(parts)
        if kind == "cancelled" and details.get("reason"):
            return gettext("Motif : %(reason)s", reason=details["reason"])
        if kind == "resumed" and "remaining_seconds" in details:
            return gettext("Temps restant sur la question : %(seconds)s s",
                           seconds=_number(details["remaining_seconds"]))
        if kind == "verdict" and "verdict" in details:
            source = (gettext("référent") if details.get("source") == "referent"
                      else gettext("service de surveillance"))
            return f"{gettext(VERDICTS.get(details['verdict'], details['verdict']))} ({source})"
    except (KeyError, TypeError, ValueError):
        pass  # an older or unexpected shape: shown plainly below
    return ", ".join(f"{key} : {_number(value)}" for key, value in details.items())
