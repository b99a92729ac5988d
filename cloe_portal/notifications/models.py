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
    def status_label(self) -> str:
        return OUTBOX_STATUSES.get(self.status, self.status)


class SchedulerLease(db.Model):
    """A lease row: only the process holding an unexpired lease runs the scheduled jobs."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
