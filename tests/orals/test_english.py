"""Orals pages in English: a candidate of a French-as-a-foreign-language session books in English,
an assessor reads the day view in English (language switch, session["lang"] = "en")."""

from __future__ import annotations

import datetime as dt

import pytest

from cloe_portal.extensions import db
from cloe_portal.orals import services

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
SLOT_START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 Paris


@pytest.fixture
def world(frozen_clock, make_assessor, make_registration, make_slot):
    frozen_clock(NOW)
    assessor = make_assessor(("fr",))
    registration = make_registration("fr")  # French as a foreign language, written test done
    slot = make_slot(assessor, SLOT_START, language="fr")
    return assessor, registration, slot


def _switch_to_english(client, csrf, next_url):
    response = client.post("/lang/en", data={"csrf_token": csrf(next_url), "next": next_url})
    assert response.status_code == 303


def test_candidate_books_the_oral_in_english(world, client, login, csrf):
    assessor, registration, slot = world
    login(registration.candidate)
    _switch_to_english(client, csrf, "/oral/reservation")

    page = client.get("/oral/reservation").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Booking an appointment" in page and "Oral interview" in page
    assert "Your written assessment is complete." in page
    assert "Leave without booking an appointment" in page and "Next week →" in page
    assert "10:00 – 10:30" in page
    assert "Prise de rendez-vous" not in page and "Votre évaluation écrite est terminée" not in page
    assert "Quitter sans prendre de rendez-vous" not in page and "Semaine suivante" not in page
    assert "Aucun créneau" not in page

    confirm_url = f"/oral/reservation/{registration.id}/creneau/{slot.id}"
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert "Do you want to book a slot with an assessor on" in confirm
    assert ">Book<" in confirm and "Choose another slot" in confirm
    assert "Voulez-vous sélectionner" not in confirm and "Réserver" not in confirm

    response = client.post(confirm_url, data={"csrf_token": csrf(confirm_url)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your appointment is booked." in page
    assert "Appointment booked with an assessor" in page and "Change the appointment" in page
    assert "Rendez-vous pris avec un évaluateur" not in page and "Modifier le RDV" not in page


def test_assessor_day_view_in_english(world, client, login, csrf):
    assessor, registration, slot = world
    services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    login(assessor)
    url = "/evaluateur/oraux?jour=2026-03-10"
    _switch_to_english(client, csrf, url)

    page = client.get(url).get_data(as_text=True)
    page = page[page.index("<main"):page.index("</main>")]  # the menu (base.html) is not ours
    assert "My orals — Tuesday 10 March 2026" in page
    assert "Next day →" in page and "My availability" in page
    assert "Your video-conference link:" in page and "Open the grid" in page
    assert ">Candidate<" in page and ">Target level<" in page
    assert registration.candidate.full_name in page
    assert "Mes oraux" not in page and "Jour suivant" not in page
    assert "Mes disponibilités" not in page and "Ouvrir" not in page


def test_oral_states_in_english(world, client, login, csrf, frozen_clock):
    """The grid's opening time (assessor) and a closed oral (candidate) read in English."""
    assessor, registration, slot = world
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    login(assessor)
    url = f"/evaluateur/oraux/{booking.id}"
    _switch_to_english(client, csrf, url)
    page = client.get(url).get_data(as_text=True)
    assert "can be entered from the start of the slot, on Tuesday 10 March 2026 at 10:00" in page
    assert "ouvre au début du créneau" not in page

    frozen_clock(SLOT_START + dt.timedelta(minutes=15))
    services.record_attendance(assessor, booking, None, "absent")
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf(url)})
    login(registration.candidate)
    _switch_to_english(client, csrf, "/oral/reservation")
    page = client.get("/oral/reservation").get_data(as_text=True)
    assert "You were recorded as absent from the oral interview of Tuesday 10 March 2026" in page
    assert "Contact your training organisation" in page and "absent(e)" not in page
