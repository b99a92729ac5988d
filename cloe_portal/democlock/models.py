"""The demo clock's one row: how far ahead of the real time the instance runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db


class DemoClock(db.Model):
    """A single row (id 1): the offset every process adds to the real time."""

    __tablename__ = "demo_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The CLOE_FAKE_NOW value the clock was started from: a restart with the same value
    # keeps the clock where it is (and several workers starting together agree).
    origin: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())  # real time of the change
