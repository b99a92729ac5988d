"""Items of the written test. Content follows FORMAT.md; edits bump `version`.

Past results never depend on this table: each stored response keeps the item as served
(difficulty, content with key, time limit, version).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloe_portal import clock
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

ITEM_STATUSES = {"draft": "Brouillon", "live": "En service", "retired": "Retiré"}
ITEM_POOLS = {"certification": "Certification", "demo": "Mini-test de démonstration",
              "practice": "Entraînement (Réussir CLOE)"}


class Item(db.Model):
    """One test item (question)."""

    __tablename__ = "item"
    __table_args__ = (Index("ix_item_selection", "language", "skill", "pool", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    skill: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(20))
    difficulty: Mapped[int] = mapped_column()
    time_limit: Mapped[int | None] = mapped_column()
    domains: Mapped[list] = mapped_column(JSON, default=list)
    pool: Mapped[str] = mapped_column(String(16), default="certification")
    status: Mapped[str] = mapped_column(String(10), default="live")
    content: Mapped[dict] = mapped_column(JSON)
    explanation: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def status_label(self) -> str:
        return ITEM_STATUSES.get(self.status, self.status)
