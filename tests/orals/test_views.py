"""What people see and may do: candidate/partner booking pages, assessor scoring, access."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.models import OralBooking
from cloe_portal.sessions.models import AccommodationRequest

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
SLOT_START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 Paris
REPORT = ("Le candidat se présente avec aisance et développe ses réponses. Vocabulaire "
          "professionnel adapté, quelques erreurs de temps sans gêne pour la compréhension. "
          "Bonne interaction pendant la mise en situation ; la discussion reste un peu "
          "descriptive. Prononciation claire, intonation naturelle.")


@pytest.fixture
def world(app, frozen_clock, make_assessor, make_registration, make_slot):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    assessor = make_assessor(("en",))
    registration = make_registration("en", domain="Tourisme")
    slot = make_slot(assessor, SLOT_START)
    return assessor, registration, slot


def _booked(world):
    assessor, registration, slot = world
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    return booking


def test_candidate_books_through_a_real_confirmation_step(world, client, login):
    assessor, registration, slot = world
    login(registration.candidate)
    page = client.get("/oral/reservation").get_data(as_text=True)
    assert "PRISE DE RENDEZ-VOUS".lower() in page.lower()
    assert "10:00 – 10:30" in page
    assert "Quitter sans prendre de rendez-vous" in page
    confirm_url = f"/oral/reservation/{registration.id}/creneau/{slot.id}"
    assert confirm_url in page
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert "Voulez-vous sélectionner un créneau" in confirm and "Réserver" in confirm
    assert db.session.scalar(db.select(db.func.count(OralBooking.id))) == 0  # GET books nothing
    response = client.post(confirm_url)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rendez-vous pris avec un évaluateur" in page
    assert "Modifier le RDV" in page and "Confirmer et quitter" in page
    db.session.refresh(registration)
    assert registration.status == "oral_booked"


def test_second_candidate_on_a_taken_slot_sees_refreshed_calendar(world, client, login,
                                                                  make_registration):
    assessor, registration, slot = world
    _booked(world)
    other = make_registration("en")
    login(other.candidate)
    response = client.post(f"/oral/reservation/{other.id}/creneau/{slot.id}")
    assert response.status_code == 303
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "vient d'être réservé par un autre candidat" in page
    assert f"/creneau/{slot.id}" not in page


def test_calendar_week_navigation_answers_a_fragment_for_htmx(world, client, login):
    assessor, registration, slot = world
    login(registration.candidate)
    response = client.get(f"/oral/reservation?inscription={registration.id}&semaine=2026-03-16",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="booking-panel"' in html and "16/03/2026" in html


def test_locked_booking_page_says_why(world, client, login, frozen_clock):
    assessor, registration, slot = world
    _booked(world)
    frozen_clock(SLOT_START - dt.timedelta(hours=23))
    login(registration.candidate)
    page = client.get("/oral/reservation").get_data(as_text=True)
    assert "verrouillé" in page and "moins de 24 heures" in page
    assert "Modifier le RDV" not in page
    response = client.post(f"/oral/reservation/{registration.id}/annuler")
    assert response.status_code == 303
    db.session.refresh(registration)
    assert registration.status == "oral_booked"  # not cancelled without the late flag


def test_partner_books_only_for_its_own_candidates(world, client, login, make_user,
                                                   make_registration, make_org):
    assessor, registration, slot = world
    own_partner = make_user("partner", org=registration.partner)
    login(own_partner)
    assert client.get(f"/partenaire/oral/{registration.id}").status_code == 200
    stranger = make_registration("en", partner=make_org("partner"))
    assert client.get(f"/partenaire/oral/{stranger.id}").status_code == 404
    assert client.post(f"/partenaire/oral/{stranger.id}/creneau/{slot.id}").status_code == 404
    assert db.session.scalar(db.select(db.func.count(OralBooking.id))) == 0
    response = client.post(f"/partenaire/oral/{registration.id}/creneau/{slot.id}")
    assert response.status_code == 303
    booking = db.session.scalar(db.select(OralBooking))
    assert booking.booked_by_id == own_partner.id


def test_candidate_cannot_open_another_candidates_booking(world, client, login, make_registration):
    assessor, registration, slot = world
    other = make_registration("en")
    login(other.candidate)
    assert client.get(f"/oral/reservation?inscription={registration.id}").status_code == 404
    assert client.post(f"/oral/reservation/{registration.id}/creneau/{slot.id}").status_code == 404


def test_assessor_cannot_open_another_assessors_oral(world, client, login, make_assessor):
    booking = _booked(world)
    other = make_assessor(("en",))
    login(other)
    assert client.get(f"/evaluateur/oraux/{booking.id}").status_code == 404
    assert client.post(f"/evaluateur/oraux/{booking.id}/presence",
                       data={"attendance": "absent"}).status_code == 404


def test_expired_assessor_cannot_score(world, client, login, frozen_clock, make_assessor, make_slot,
                                       make_registration):
    expired = make_assessor(("en",), valid_until=dt.date(2026, 3, 10))
    slot = make_slot(expired, SLOT_START + dt.timedelta(hours=3))
    registration = make_registration("en")
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    frozen_clock(dt.datetime(2026, 3, 11, 9, 0, tzinfo=UTC))  # the day after expiry
    login(expired)
    page = client.get(f"/evaluateur/oraux/{booking.id}").get_data(as_text=True)
    assert "pas habilité" in page
    response = client.post(f"/evaluateur/oraux/{booking.id}/presence",
                           data={"attendance": "present", "identity_checked": "yes"})
    assert response.status_code == 403
    assert client.post("/evaluateur/disponibilites/ponctuel", data={
        "ponctuel-language": "en", "ponctuel-day": "2026-03-20", "ponctuel-start": "09:00",
        "ponctuel-end": "10:00"}).status_code == 422


@pytest.mark.parametrize(("late", "allowed"), [(dt.timedelta(minutes=10), True),
                                                (dt.timedelta(minutes=10, seconds=1), False),
                                                (dt.timedelta(minutes=11), False)])
def test_lateness_rule_uses_the_arrival_time(world, client, login, frozen_clock, late, allowed):
    booking = _booked(world)
    assessor = world[0]
    frozen_clock(SLOT_START + late)  # arrival defaults to now
    login(assessor)
    admitted = client.post(f"/evaluateur/oraux/{booking.id}/presence",
                           data={"attendance": "late_admitted", "identity_checked": "yes"})
    if allowed:
        assert admitted.status_code == 303
        assert booking.assessment.attendance == "late_admitted"
    else:
        assert admitted.status_code == 422
        assert "plus de 10 minutes" in admitted.get_data(as_text=True)
        refused = client.post(f"/evaluateur/oraux/{booking.id}/presence",
                              data={"attendance": "late_refused", "identity_checked": "yes"})
        assert refused.status_code == 303
        db.session.refresh(booking.registration)
        assert booking.registration.status == "oral_done"
        outcome = services.oral_outcome(booking.registration)
        assert outcome.attendance == "late_refused" and not outcome.taken


def test_late_refusal_is_rejected_when_within_ten_minutes(world, client, login, frozen_clock):
    booking = _booked(world)
    frozen_clock(SLOT_START + dt.timedelta(minutes=20))
    login(world[0])
    response = client.post(f"/evaluateur/oraux/{booking.id}/presence",
                           data={"attendance": "late_refused", "arrival": "10:10:00"})
    assert response.status_code == 422
    assert "doit être admis" in response.get_data(as_text=True)


def test_scoring_form_autosaves_validates_and_becomes_read_only(world, client, login, frozen_clock):
    booking = _booked(world)
    registration = booking.registration
    db.session.add(AccommodationRequest(registration_id=registration.id,
                                        kind="written_oral_questions", status="approved"))
    db.session.commit()
    assessor = world[0]
    frozen_clock(SLOT_START + dt.timedelta(minutes=2))
    login(assessor)
    page = client.get(f"/evaluateur/oraux/{booking.id}").get_data(as_text=True)
    for text in ("3 à 5 min", "4 à 6 min", "Questions remises par écrit", "visio.example.fr",
                 "Tourisme"):
        assert text in page
    client.post(f"/evaluateur/oraux/{booking.id}/presence",
                data={"attendance": "present", "identity_checked": "yes"})
    save = client.post(f"/evaluateur/oraux/{booking.id}/grille", data={"range": "B1"},
                       headers={"HX-Request": "true"})
    assert save.status_code == 200
    assert save.get_data(as_text=True).strip() == "Enregistré à 10:02"
    descriptor = client.get("/evaluateur/descripteur?critere=range&range=B1",
                            headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in descriptor and "B1" in descriptor and "Vocabulaire" in descriptor
    incomplete = client.post(f"/evaluateur/oraux/{booking.id}/valider",
                             data={"accuracy": "B1", "report": "Trop court."})
    assert incomplete.status_code == 422
    text = incomplete.get_data(as_text=True)
    assert "Choisissez un niveau pour ce critère" in text and "au moins 200 caractères" in text
    assert booking.assessment.validated_at is None
    assert booking.assessment.range == "B1"  # kept from the autosave
    data = {"range": "B1", "accuracy": "A2+", "fluency": "B1", "pronunciation": "B1+",
            "interaction": "B1", "report": REPORT}
    assert client.post(f"/evaluateur/oraux/{booking.id}/valider", data=data).status_code == 303
    db.session.refresh(registration)
    assert registration.status == "oral_done"
    outcome = services.oral_outcome(registration)
    assert outcome.criteria == {"range": "B1", "accuracy": "A2+", "fluency": "B1",
                                "pronunciation": "B1+", "interaction": "B1"}
    assert outcome.taken and outcome.identity_checked and outcome.report == REPORT
    assert outcome.assessor == assessor.full_name and outcome.slot_start == SLOT_START
    # read-only now
    assert client.post(f"/evaluateur/oraux/{booking.id}/grille",
                       data={"range": "C2"}).status_code == 303
    db.session.refresh(booking.assessment)
    assert booking.assessment.range == "B1"
    page = client.get(f"/evaluateur/oraux/{booking.id}").get_data(as_text=True)
    assert "Grille validée" in page and 'id="grid-form"' not in page


def test_referent_reopens_a_grid_with_a_reason(world, client, login, make_user, frozen_clock):
    booking = _booked(world)
    frozen_clock(SLOT_START + dt.timedelta(minutes=1))
    assessor = world[0]
    services.record_attendance(assessor, booking, True, "present")
    services.save_grid(assessor, booking, {c: "B2" for c in ("range", "accuracy", "fluency",
                                                              "pronunciation", "interaction")},
                       REPORT)
    services.validate_grid(assessor, booking)
    db.session.commit()
    referent = make_user("referent", org=booking.registration.partner.referent_centre)
    login(referent)
    url = f"/referent/oraux/inscription/{booking.registration_id}/rouvrir"
    assert client.post(url, data={"reopen-reason": ""}).status_code == 422
    assert client.post(url, data={"reopen-reason": "Erreur de saisie signalée"}).status_code == 303
    db.session.refresh(booking.assessment)
    assert booking.assessment.validated_at is None
    assert services.oral_outcome(booking.registration) is None


def test_assessor_publishes_and_sees_week(app, client, login, frozen_clock, make_assessor):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    assessor = make_assessor(("en", "fr"))
    login(assessor)
    response = client.post("/evaluateur/disponibilites/hebdomadaire", data={
        "hebdo-language": "fr", "hebdo-first_day": "2026-03-10", "hebdo-start": "09:00",
        "hebdo-end": "12:00", "hebdo-weeks": "6"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("slot-open") == 6
    assert "09:00 – 09:30" in page
    assert re.search(r"6 créneau\(x\) libre\(s\)", page)


def test_referent_sees_orals_whose_assessor_is_no_longer_accredited(
        client, login, make_user, make_assessor, make_registration, make_slot, frozen_clock):
    import datetime as dt

    from cloe_portal.extensions import db
    from cloe_portal.orals import services

    frozen_clock(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    from cloe_portal.assessors.models import Accreditation

    expiring = make_assessor(("en",))
    valid = make_assessor(("en",))
    flagged_reg, fine_reg = make_registration("en"), make_registration("en")
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    services.book_slot(flagged_reg.candidate, flagged_reg, make_slot(expiring, start).id)
    services.book_slot(fine_reg.candidate, fine_reg, make_slot(valid, start).id)
    # After the booking, the accreditation turns out to end the day before the oral.
    db.session.scalars(db.select(Accreditation).where(
        Accreditation.assessor_id == expiring.id)).one().valid_until = dt.date(2026, 3, 9)
    db.session.commit()
    login(make_user("referent", org=flagged_reg.partner.referent_centre))
    page = client.get("/referent/oraux").get_data(as_text=True)
    assert "1 oral à réattribuer" in page
    warning = page.split('role="alert"')[1].split("</div>")[0]
    assert flagged_reg.candidate.full_name in warning
    assert fine_reg.candidate.full_name not in warning


def test_assessor_day_lists_own_booked_orals_with_grid_state(client, login, frozen_clock, make_assessor,
                                                             make_registration, make_slot, make_user):
    from cloe_portal.orals.models import OralAssessment

    frozen_clock(NOW)
    assessor, other = make_assessor(("en",)), make_assessor(("en",))
    day = dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 Paris

    def booked(who, start, status="booked", grid=None, **reg):
        registration = make_registration("en", **reg)
        slot = make_slot(who, start)
        holds = status == "booked"
        booking = OralBooking(slot_id=slot.id, registration_id=registration.id, status=status,
                              active_slot_id=slot.id if holds else None,
                              active_registration_id=registration.id if holds else None)
        db.session.add(booking)
        db.session.flush()
        if grid:
            db.session.add(OralAssessment(booking_id=booking.id, assessor_id=who.id, **grid))
        db.session.commit()
        return registration, booking

    saved = dict(saved_at=NOW)
    done = dict(saved_at=NOW, validated_at=NOW, attendance="present")
    absent = dict(saved_at=NOW, validated_at=NOW, attendance="absent")
    late, late_b = booked(assessor, day + dt.timedelta(hours=2), grid=absent, domain="Tourisme",
                          candidate=make_user("candidate", first_name="Léa", last_name="Absente"))
    first, first_b = booked(assessor, day, grid=saved, target_level="C1",
                            candidate=make_user("candidate", first_name="Éric", last_name="Lefèvre"))
    mid, mid_b = booked(assessor, day + dt.timedelta(hours=1), grid=done,
                        candidate=make_user("candidate", first_name="Ana", last_name="Faite"))
    db.session.add(AccommodationRequest(registration_id=mid.id, kind="written_oral_questions",
                                        status="approved"))
    db.session.add(AccommodationRequest(registration_id=first.id, kind="written_oral_questions",
                                        status="pending"))
    db.session.commit()
    booked(assessor, day + dt.timedelta(hours=3), status="cancelled",
           candidate=make_user("candidate", first_name="Yves", last_name="Annule"))
    booked(assessor, day + dt.timedelta(days=1),
           candidate=make_user("candidate", first_name="Jean", last_name="Demain"))
    booked(other, day, candidate=make_user("candidate", first_name="Paul", last_name="Autre"))

    login(assessor)
    page = client.get("/evaluateur/oraux?jour=2026-03-10").get_data(as_text=True)
    rows = page[page.index("<tbody>"):page.index("</tbody>")].split("<tr>")[1:]
    assert len(rows) == 3, rows
    assert "LEFÈVRE" in rows[0] and "FAITE" in rows[1] and "ABSENTE" in rows[2]
    assert "09:00 – 09:30" in rows[0] and "Général" in rows[0] and "C1" in rows[0]
    assert "En cours" in rows[0] and "Ouvrir la grille" in rows[0] and "Questions remises" not in rows[0]
    assert f'href="/evaluateur/oraux/{first_b.id}"' in rows[0]
    assert "de Éric LEFÈVRE" in rows[0]
    assert "Validée" in rows[1] and "Voir la grille" in rows[1] and "Questions remises par écrit" in rows[1]
    assert "Absent" in rows[2] and "Validée" not in rows[2] and "Tourisme" in rows[2]
    assert f'href="/evaluateur/oraux/{late_b.id}"' in rows[2]
    for name in ("ANNULE", "DEMAIN", "AUTRE"):
        assert name not in page
