"""Monthly EDOF emails: due on the 1st to each active partner; on the 10th a reminder to
those without this month's extract, copied to the referents of their centre."""

from __future__ import annotations

import datetime as dt

from cloe_portal.edof.models import EdofUpload
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.notifications.schedule import tick

UTC = dt.UTC


def _sent(kind_prefix: str) -> list[str]:
    return list(db.session.scalars(db.select(OutboxMessage.to_email).where(
        OutboxMessage.kind.like(f"{kind_prefix}%")).order_by(OutboxMessage.id)))


def test_due_on_the_first_and_reminder_on_the_tenth(app, make_org, make_user, frozen_clock):
    frozen_clock(dt.datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    cel = make_org("cel")
    referent = make_user("referent", org=cel, email="ref@cel.fr")
    diligent = make_org("partner", referent_centre=cel)
    late = make_org("partner", referent_centre=cel)
    suspended = make_org("partner", status="suspended", referent_centre=cel)
    a = make_user("partner", org=diligent, email="a@diligent.fr")
    b = make_user("partner", org=late, email="b@late.fr")
    make_user("partner", org=suspended, email="c@suspended.fr")
    tick()
    tick()
    assert sorted(_sent("edof-due")) == ["a@diligent.fr", "b@late.fr"]

    db.session.add(EdofUpload(partner_id=diligent.id, month=dt.date(2026, 12, 1),
                              uploaded_by_id=a.id, filename="edof.csv", sha256="0" * 64, file_format="csv",
                              row_count=3))
    db.session.commit()
    frozen_clock(dt.datetime(2026, 12, 9, 22, 0, tzinfo=UTC))  # 23:00 Paris on the 9th
    tick()
    assert _sent("edof-reminder") == []
    frozen_clock(dt.datetime(2026, 12, 10, 7, 0, tzinfo=UTC))
    tick()
    tick()
    assert _sent("edof-reminder") == [b.email, referent.email]
