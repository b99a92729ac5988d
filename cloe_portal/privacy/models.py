"""What the privacy feature keeps: one row per purged candidate file, one per erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration


class EvidencePurge(db.Model):
    """The proctoring evidence of one registration was deleted after the jury decided.

    Kept: the SHA-256 of every photo (also on ``candidate_photo``) and of the integrity log
    as it stood, so the decision taken on them stays provable. Unique per registration:
    the job never purges the same file twice.
    """

    __tablename__ = "evidence_purge"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    pv_id: Mapped[int | None] = mapped_column(ForeignKey("jury_pv.id"))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    retention_days: Mapped[int] = mapped_column()
    # [{"id", "kind", "sha256", "size_bytes", "created_at", "file_found"}]
    photos: Mapped[list] = mapped_column(JSON, default=list)
    integrity_events: Mapped[int] = mapped_column(default=0)
    integrity_sha256: Mapped[str | None] = mapped_column(String(64))

    registration: Mapped[Registration] = relationship()

    @property
    def photo_count(self) -> int:
        return len(self.photos or [])


class CandidateErasure(db.Model):
    """A candidate's personal data was erased (after the 3 years of results online)."""

    __tablename__ = "candidate_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    # Counts of what was deleted or anonymised (no personal data).
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    erased_by: Mapped[User | None] = relationship(foreign_keys=[erased_by_id])
