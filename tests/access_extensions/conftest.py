"""Two CEL centres, partners they follow, their admins and referents; registrations to order.

Shared by the access-extension, accommodation-after-enrolment and problem-report tests
(imported by their conftest files)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration
from tests.orals.conftest import make_assessor, make_slot  # noqa: F401 - fixtures of the browser test

UTC = dt.UTC


def token(client, path: str) -> str:
    """The CSRF token of a page (its <meta> tag)."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def world(app, make_org, make_user, login):
    """cel follows partners a and b; other_cel follows partner c. One admin per partner."""
    cel = make_org("cel", name="CEL Lyon")
    other_cel = make_org("cel", name="CEL Brest")
    w = SimpleNamespace(cel=cel, other_cel=other_cel)
    w.a = make_org("partner", name="Alpha Langues", referent_centre=cel)
    w.b = make_org("partner", name="Beta Formation", referent_centre=cel)
    w.c = make_org("partner", name="Cap Ouest", referent_centre=other_cel)
    w.referent = make_user("referent", org=cel, first_name="Rémi")
    w.other_referent = make_user("referent", org=other_cel, first_name="Odile")
    w.coordinator = make_user("coordinator", org=cel)
    w.admin_a = make_user("partner", org=w.a, first_name="Anne")
    w.admin_b = make_user("partner", org=w.b, first_name="Bruno")
    w.admin_c = make_user("partner", org=w.c, first_name="Carole")

    def registration(partner=None, status="written_done", written_date=dt.date(2026, 3, 2),
                     written_done_at=None, last_name="Durand", language="en"):
        partner = partner or w.a
        candidate = make_user("candidate", org=partner, first_name="Camille", last_name=last_name)
        session = ExamSession(partner_id=partner.id, name=f"Session {last_name}", language=language,
                              written_date=written_date)
        db.session.add(session)
        db.session.flush()
        if written_done_at is None and status not in ("enrolled", "identity_done"):
            written_done_at = dt.datetime.combine(written_date, dt.time(9), UTC)
        reg = Registration(session_id=session.id, candidate_id=candidate.id, partner_id=partner.id,
                           target_level="B1", training_hours=Decimal("20"), status=status,
                           written_done_at=written_done_at, first_name="Camille", last_name=last_name)
        db.session.add(reg)
        db.session.commit()
        return reg

    def client_for(user):
        c = app.test_client()
        login(user, test_client=c)
        return c

    w.registration = registration
    w.client_for = client_for
    return w
