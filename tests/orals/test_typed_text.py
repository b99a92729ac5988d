"""The assessor's report gets the portal's text cleaning (a control character is refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from cloe_portal.extensions import db
from cloe_portal.orals import services
from tests.orals.test_views import REPORT, SLOT_START, _booked, world  # noqa: F401


def test_report_with_a_control_character_is_refused_and_not_stored(world, frozen_clock):  # noqa: F811
    booking = _booked(world)
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    assessor = world[0]
    services.record_attendance(assessor, booking, True, "present")
    db.session.commit()
    with pytest.raises(services.OralError) as refused:
        services.save_grid(assessor, booking, {}, "Bon\x1b[2J entretien")
    assert refused.value.message == (
        "Rapport : caractère de contrôle U+001B non autorisé (position 4).")
    db.session.rollback()
    services.save_grid(assessor, booking, {}, "  Entretien\r\nfluide.  ")
    db.session.commit()
    db.session.refresh(booking.assessment)
    assert booking.assessment.report == "Entretien\nfluide."
