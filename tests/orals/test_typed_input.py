"""What assessors type: the report's text cleaning, availability dates in French."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cloe_portal.extensions import db
from cloe_portal.orals import services
from tests.orals.test_views import NOW, SLOT_START, _booked, world  # noqa: F401


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


def test_availability_day_typed_in_french_or_impossible(app, client, login, frozen_clock,
                                                         make_assessor):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    login(make_assessor(("en",)))
    data = {"ponctuel-language": "en", "ponctuel-start": "09:00", "ponctuel-end": "10:00"}
    refused = client.post("/evaluateur/disponibilites/ponctuel",
                          data={**data, "ponctuel-day": "31/02/2026"})
    error = re.search(r'<p class="error" id="ponctuel-day-error">(.*?)</p>',
                      refused.get_data(as_text=True), re.S)
    assert refused.status_code == 422 and error and error.group(1) == "Date impossible."
    accepted = client.post("/evaluateur/disponibilites/ponctuel",
                           data={**data, "ponctuel-day": "12/03/2026"})
    assert accepted.status_code == 303 and "semaine=2026-03-09" in accepted.headers["Location"]
