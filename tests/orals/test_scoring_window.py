"""No oral result before the oral: attendance and the grid open at the slot start and close at
the end of the next working day; after that only a referent's reopening (with a reason) lets
the assessor finish the grid. Every route that writes attendance or the grid is checked."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.models import OralAssessment

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
SLOT_START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10 March, 10:00 Paris
DEADLINE = dt.datetime(2026, 3, 11, 22, 59, 59, tzinfo=UTC)  # Wednesday 23:59:59 Paris
REPORT = ("Le candidat se présente avec aisance et développe ses réponses. Vocabulaire "
          "professionnel adapté, quelques erreurs de temps sans gêne pour la compréhension. "
          "Bonne interaction pendant la mise en situation ; la discussion reste un peu "
          "descriptive. Prononciation claire, intonation naturelle.")
GRID = {"range": "B1", "accuracy": "A2+", "fluency": "B1", "pronunciation": "B1+",
        "interaction": "B1", "report": REPORT}
CLOSED = "Le délai de saisie est dépassé : demandez au référent de rouvrir la grille"


@pytest.fixture
def booking(app, frozen_clock, make_assessor, make_registration, make_slot):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    assessor = make_assessor(("en",))
    registration = make_registration("en")
    slot = make_slot(assessor, SLOT_START)
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    return booking


def _text(response, client) -> str:
    """The page a POST ends on (following a 303), unescaped."""
    if response.status_code == 303:
        response = client.get(response.headers["Location"])
    return html.unescape(response.get_data(as_text=True))


def _oral_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.action.like("oral.a%"))))


def _posts(booking_id: int) -> list[tuple[str, dict, dict]]:
    """Every request that writes attendance or the grid."""
    base = f"/evaluateur/oraux/{booking_id}"
    htmx = {"HX-Request": "true"}
    return [
        (f"{base}/presence", {"attendance": "present", "identity_checked": "yes",
                              "arrival": "03:12"}, {}),
        (f"{base}/presence", {"attendance": "present", "identity_checked": "yes"}, {}),
        (f"{base}/presence", {"attendance": "absent"}, {}),
        (f"{base}/grille", {"range": "C2"}, {}),
        (f"{base}/grille", {"range": "C2"}, htmx),
        (f"{base}/valider", GRID, {}),
    ]


@pytest.mark.parametrize("before", [dt.timedelta(hours=18), dt.timedelta(seconds=1)])
def test_every_scoring_route_refuses_before_the_slot_start_then_opens_at_it(
        booking, client, login, frozen_clock, before):
    assessor = booking.slot.assessor
    frozen_clock(SLOT_START - before)
    login(assessor)
    page = html.unescape(client.get(f"/evaluateur/oraux/{booking.id}").get_data(as_text=True))
    assert "ouvre au début du créneau, le mardi 10 mars 2026 à 10:00" in page
    assert "<fieldset disabled" in page
    for url, data, headers in _posts(booking.id):
        response = client.post(url, data=data, headers=headers)
        assert response.status_code in (303, 422), url
        assert "ouvre au début du créneau" in _text(response, client), (url, data)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(OralAssessment.id))) == 0
    assert _oral_actions() == []
    assert booking.registration.status == "oral_booked"

    # Old data: a grid typed before the start (attendance recorded) is refused just the same.
    db.session.add(OralAssessment(booking_id=booking.id, assessor_id=assessor.id,
                                  attendance="present", identity_checked=True))
    db.session.commit()
    for url, data, headers in _posts(booking.id)[3:]:
        response = client.post(url, data=data, headers=headers)
        assert "ouvre au début du créneau" in _text(response, client), url
    db.session.expire_all()
    assert booking.assessment.range is None and booking.assessment.validated_at is None
    assert _oral_actions() == []

    # At the start, to the second, everything works.
    frozen_clock(SLOT_START)
    base = f"/evaluateur/oraux/{booking.id}"
    assert client.post(f"{base}/presence", data={"attendance": "present",
                                                 "identity_checked": "yes"}).status_code == 303
    saved = client.post(f"{base}/grille", data={"range": "B1"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Enregistré à 10:00" in saved.get_data(as_text=True)
    assert client.post(f"{base}/valider", data=GRID).status_code == 303
    db.session.expire_all()
    outcome = services.oral_outcome(booking.registration)
    assert outcome.taken and outcome.validated_at == SLOT_START
    assert booking.assessment.arrival_at == SLOT_START


def test_absence_is_recorded_only_once_the_slot_has_started(booking, frozen_clock):
    assessor = booking.slot.assessor
    frozen_clock(SLOT_START - dt.timedelta(minutes=5))
    with pytest.raises(services.OralError, match="ouvre au début du créneau"):
        services.record_attendance(assessor, booking, None, "absent")
    frozen_clock(SLOT_START + dt.timedelta(minutes=15))
    services.record_attendance(assessor, booking, None, "absent")
    assert booking.registration.status == "oral_done"


def test_arrival_cannot_be_in_the_future_and_an_early_arrival_is_on_time(
        booking, client, login, frozen_clock):
    frozen_clock(SLOT_START + dt.timedelta(minutes=5))  # 10:05 Paris
    login(booking.slot.assessor)
    url = f"/evaluateur/oraux/{booking.id}/presence"
    future = client.post(url, data={"attendance": "present", "identity_checked": "yes",
                                    "arrival": "10:07"})
    assert future.status_code == 422
    assert "ne peut pas être dans le futur" in html.unescape(future.get_data(as_text=True))
    db.session.expire_all()
    assert booking.assessment is None or booking.assessment.attendance is None
    early = client.post(url, data={"attendance": "present", "identity_checked": "yes",
                                   "arrival": "09:50"})
    assert early.status_code == 303
    db.session.expire_all()
    assert booking.assessment.arrival_at == SLOT_START  # waited before the start: on time
    assert booking.assessment.attendance == "present"


def test_after_the_deadline_only_a_referents_reopening_lets_the_assessor_finish(
        booking, client, login, frozen_clock, make_user):
    assessor = booking.slot.assessor
    base = f"/evaluateur/oraux/{booking.id}"
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    login(assessor)
    assert client.post(f"{base}/presence", data={"attendance": "present",
                                                 "identity_checked": "yes"}).status_code == 303
    assert client.post(f"{base}/grille", data={"range": "B1"}).status_code == 303
    frozen_clock(DEADLINE)  # the last second: still open
    assert client.post(f"{base}/grille", data={"accuracy": "A2+"}).status_code == 303
    db.session.expire_all()
    saved_at = booking.assessment.saved_at
    assert booking.assessment.accuracy == "A2+"

    frozen_clock(DEADLINE + dt.timedelta(seconds=1))
    for url, data, headers in _posts(booking.id):
        response = client.post(url, data=data, headers=headers)
        assert response.status_code in (303, 422), url
        assert CLOSED in _text(response, client), (url, data)
    db.session.expire_all()
    grid = booking.assessment
    assert (grid.range, grid.accuracy, grid.fluency, grid.report) == ("B1", "A2+", None, None)
    assert grid.saved_at == saved_at and grid.validated_at is None
    assert grid.attendance == "present" and booking.registration.status == "oral_booked"
    page = html.unescape(client.get(base).get_data(as_text=True))
    assert CLOSED in page and 'id="grid-form"' not in page
    assert "Enregistrer la présence" not in page

    # The referent sees the late grid and reopens it, with a reason.
    referent = make_user("referent", org=booking.registration.partner.referent_centre)
    client.post("/logout")
    login(referent)
    manage = f"/referent/oraux/inscription/{booking.registration_id}"
    page = html.unescape(client.get(manage).get_data(as_text=True))
    assert "Rouvrir la grille" in page and "délai de saisie est dépassé" in page
    assert client.post(f"{manage}/rouvrir", data={"reopen-reason": " "}).status_code == 422
    reopened_at = frozen_clock(dt.datetime(2026, 3, 13, 9, 0, tzinfo=UTC))  # Friday 10:00
    assert client.post(f"{manage}/rouvrir",
                       data={"reopen-reason": "Évaluateur malade mercredi"}).status_code == 303
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "oral.assessment.reopen"))
    assert entry.reason == "Évaluateur malade mercredi" and entry.actor_id == referent.id
    db.session.expire_all()
    assert booking.assessment.reopened_at == reopened_at
    assert "Évaluateur malade mercredi" in html.unescape(client.get(manage).get_data(as_text=True))

    # Until the end of the next working day (Monday 16 March, 23:59:59 Paris).
    frozen_clock(dt.datetime(2026, 3, 16, 22, 59, 59, tzinfo=UTC))
    client.post("/logout")
    login(assessor)
    page = html.unescape(client.get(base).get_data(as_text=True))
    assert 'id="grid-form"' in page and "lundi 16 mars 2026" in page
    assert client.post(f"{base}/valider", data=GRID).status_code == 303
    db.session.expire_all()
    assert services.oral_outcome(booking.registration).criteria["accuracy"] == "A2+"
    assert booking.registration.status == "oral_done"


def test_a_reopening_ends_at_the_next_working_day_too(booking, frozen_clock, make_user):
    assessor = booking.slot.assessor
    referent = make_user("referent")
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    services.record_attendance(assessor, booking, True, "present")
    frozen_clock(dt.datetime(2026, 3, 12, 9, 0, tzinfo=UTC))  # Thursday, past the deadline
    services.reopen_assessment(referent, booking, "Connexion perdue")
    frozen_clock(dt.datetime(2026, 3, 13, 23, 0, tzinfo=UTC))  # Saturday 00:00 Paris
    with pytest.raises(services.OralError, match="délai de saisie est dépassé"):
        services.save_grid(assessor, booking, {"range": "B1"}, None)


def test_a_grid_never_opened_can_be_reopened_after_the_deadline(booking, frozen_clock,
                                                                 make_user):
    assessor = booking.slot.assessor
    referent = make_user("referent")
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    with pytest.raises(services.OralError, match="encore ouverte"):
        services.reopen_assessment(referent, booking, "Trop tôt")
    frozen_clock(dt.datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    with pytest.raises(services.OralError, match="délai de saisie est dépassé"):
        services.record_attendance(assessor, booking, None, "absent")
    services.reopen_assessment(referent, booking, "Présence oubliée")
    services.record_attendance(assessor, booking, True, "present",
                               dt.datetime(2026, 3, 10, 9, 3, tzinfo=UTC))
    services.save_grid(assessor, booking, {k: v for k, v in GRID.items() if k != "report"},
                       REPORT)
    services.validate_grid(assessor, booking)
    assert booking.registration.status == "oral_done"


def test_no_reopening_before_the_oral(booking, frozen_clock, make_user):
    frozen_clock(SLOT_START - dt.timedelta(hours=1))
    with pytest.raises(services.OralError, match="pas encore eu lieu"):
        services.reopen_assessment(make_user("referent"), booking, "Pourquoi pas")
    assert booking.assessment is None


def test_no_reopening_once_results_are_published(booking, frozen_clock, make_user):
    from cloe_portal.sessions.status import set_status

    assessor, referent = booking.slot.assessor, make_user("referent")
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    services.record_attendance(assessor, booking, None, "absent")
    set_status(booking.registration, "results_issued", referent)
    with pytest.raises(services.OralError, match="résultats de ce candidat sont publiés"):
        services.reopen_assessment(referent, booking, "Trop tard")
    assert booking.assessment.validated_at is not None
