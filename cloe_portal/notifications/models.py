"""Outbox: every email the portal sends (or would send), with its delivery status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloe_portal import clock
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

OUTBOX_STATUSES = {
    "pending": "En attente d'envoi",
    "sending": "Envoi en cours",
    "sent": "Envoyé",
    "failed": "Échec (nouvel essai prévu)",
    "abandoned": "Échec définitif",
    "recorded": "Enregistré (pas de serveur SMTP configuré)",
}

# What each kind of message is, as the outbox shows it (kinds are queue_email's `kind`,
# or the template name when none is given). tests/notifications/test_outbox_kinds.py checks
# that every kind the code can queue has a label here.
OUTBOX_KINDS = {
    "welcome": "Création de compte (première connexion)",
    "password-reset": "Réinitialisation du mot de passe",
    "account-locked": "Compte verrouillé après plusieurs essais",
    "enrolment": "Inscription du candidat",
    "access-open": "Accès au test écrit ouvert",
    "window-closing": "Fin d'accès au test écrit proche (candidat)",
    "window-closing-partner": "Fin d'accès au test écrit proche (partenaire)",
    "oral_booked": "Réservation de l'oral",
    "oral_reassigned": "Oral confié à un autre évaluateur",
    "oral-cancelled": "Annulation de l'oral (candidat)",
    "oral-cancelled-partner": "Annulation de l'oral (partenaire)",
    "oral_slot_offered": "Créneau d'oral libéré (liste d'attente)",
    "oral-unbooked-reminder": "Relance : oral non réservé",
    "oral-reminder": "Rappel de l'oral (24 h avant)",
    "oral-assessor-digest": "Oraux du lendemain (évaluateur)",
    "written-suspended-referent": "Test écrit suspendu après incidents (référent)",
    "written-suspended-partner": "Test écrit suspendu après incidents (partenaire)",
    "written-decision": "Décision sur un test écrit suspendu",
    "results": "Résultats publiés",
    "results-reissued": "Résultats réédités (état civil rectifié, recours)",
    "appeal-filed": "Recours déposé (candidat, partenaire)",
    "appeal-filed-referent": "Recours déposé (référent)",
    "appeal-decided": "Décision sur un recours",
    "appeal-remark": "Seconde évaluation d'un oral sur recours (évaluateur)",
    "jury-overdue": "Jury en retard sur le délai de 3 jours ouvrés",
    "edof-due": "Extrait EDOF attendu",
    "edof-reminder": "Relance : extrait EDOF (partenaire)",
    "edof-reminder-referent": "Relance : extrait EDOF (référent)",
    "accreditation-expiring": "Habilitation bientôt échue (évaluateur)",
    "accreditation-expiring-referent": "Habilitation bientôt échue (référent)",
    "application": "Candidature de partenariat",
    "partnership": "Statut du partenariat",
    "partner-audit": "Résultat d'un audit de suivi (partenaire)",
    # Issue 18: session and enrolment edits, withdrawals.
    "session-changed": "Session modifiée : nouvelles dates (candidat)",
    "session-changed-partner": "Session modifiée par le CEL référent (partenaire)",
    "registration-changed-partner": "Inscription modifiée par le CEL référent (partenaire)",
    "login-email-changed": "Nouvelle adresse de connexion (candidat)",
    "login-email-changed-old": "Adresse de connexion remplacée (ancienne adresse)",
    "withdrawal": "Inscription retirée (candidat)",
    "withdrawal-partner": "Candidat retiré (partenaire)",
    # Partner requests to the referent (issue 18: extensions, accommodations, problem reports)
    "extension-requested": "Demande de prolongation d'accès (référent)",
    "extension-decision": "Décision sur une prolongation d'accès (partenaire)",
    "extension-granted": "Accès prolongé (candidat)",
    "accommodation-requested": "Demande d'aménagement après l'inscription (référent)",
    "accommodation-decision": "Décision sur un aménagement (partenaire et candidat)",
    "problem-report-new": "Nouveau signalement d'un partenaire (référent)",
    "problem-report-reply": "Réponse à un signalement",
}


class OutboxMessage(db.Model):
    """One email. `key` is unique: inserting it first makes each notification happen once."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    to_email: Mapped[str] = mapped_column(String(254), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename": ..., "mimetype": ..., "content": <base64>}]
    attachments: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    # Stable across retries, so a message re-sent after a crash can be recognised.
    message_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def kind_label(self) -> str:
        return OUTBOX_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return OUTBOX_STATUSES.get(self.status, self.status)


class SchedulerLease(db.Model):
    """A lease row: only the process holding an unexpired lease runs the scheduled jobs."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
