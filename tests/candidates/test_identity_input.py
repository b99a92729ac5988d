"""What real people type in the identity form: control characters, Unicode, dates, age."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from cloe_portal import clock
from cloe_portal.candidates.models import CandidateIdentity
from cloe_portal.extensions import db
from tests.candidates.test_candidate_pages import _form


def _error(html: str, field: str) -> str | None:
    """The error paragraph shown beside a field, or None."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


def _stored() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(CandidateIdentity.id)))


@pytest.fixture
def candidate(client, login, make_registration):
    registration = make_registration(written_date=clock.today_paris() + timedelta(days=20))
    login(registration.candidate)
    return registration


@pytest.mark.parametrize(("field", "value", "message"), [
    ("birth_name", "Dur\x00and", "Caractère de contrôle U+0000 non autorisé (position 4)."),
    ("first_names", "\x1b[2JCamille", "Caractère de contrôle U+001B non autorisé (position 1)."),
    ("address", "3 rue \u202eeuveN", "Caractère de contrôle de direction du texte U+202E non "
                                     "autorisé (position 7)."),
    ("city", "Lyon\r\nSet-Cookie: x=1", "Retour à la ligne non autorisé dans ce champ (position 5)."),
    ("birth_city", "Lyon\x7f", "Caractère de contrôle U+007F non autorisé (position 5)."),
])
def test_control_characters_are_refused_beside_the_field_and_nothing_is_stored(
        client, csrf, candidate, field, value, message):
    response = client.post("/candidat/identite",
                           data=_form(**{field: value}, csrf_token=csrf("/candidat/identite")))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _error(html, field) == message
    assert _stored() == 0


def test_names_are_stored_in_nfc_without_surrounding_spaces(client, csrf, candidate):
    response = client.post("/candidat/identite", data=_form(
        birth_name="  Le\u0301vy ", first_names="Zoe\u0308\u00a0", csrf_token=csrf("/candidat/identite")))
    assert response.status_code == 303
    identity = db.session.scalars(db.select(CandidateIdentity)).one()
    assert (identity.birth_name, identity.first_names) == ("Lévy", "Zoë")


@pytest.mark.parametrize("typed", ["29/02/2000", "2000-02-29"])
def test_a_leap_day_birth_date_is_accepted_in_both_formats(client, csrf, candidate, typed):
    response = client.post("/candidat/identite",
                           data=_form(birth_date=typed, csrf_token=csrf("/candidat/identite")))
    assert response.status_code == 303, _error(response.get_data(as_text=True), "birth_date")
    assert db.session.scalars(db.select(CandidateIdentity)).one().birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(("typed", "message"), [
    ("31/02/2000", "Date impossible."),
    ("2000-02-31", "Date impossible."),
    ("le 3 mars", "Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    ("", "Date de naissance obligatoire (jj/mm/aaaa)."),
])
def test_a_wrong_birth_date_says_what_is_wrong(client, csrf, candidate, typed, message):
    response = client.post("/candidat/identite",
                           data=_form(birth_date=typed, csrf_token=csrf("/candidat/identite")))
    assert _error(response.get_data(as_text=True), "birth_date") == message
    assert _stored() == 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def test_candidates_must_be_18_on_the_day_of_the_written_test(client, csrf, candidate):
    test_day = candidate.session.written_date
    eighteen_on_test_day = _years_before(test_day, 18)
    one_day_short = eighteen_on_test_day + timedelta(days=1)
    assert one_day_short < _years_before(clock.today_paris(), 16)  # 16 today: accepted on main

    response = client.post("/candidat/identite", data=_form(
        birth_date=one_day_short.isoformat(), csrf_token=csrf("/candidat/identite")))
    error = _error(response.get_data(as_text=True), "birth_date")
    assert error is not None and "majeures" in error and f"{test_day:%d/%m/%Y}" in error
    assert _stored() == 0

    # 17 today, 18 on the day of the test: accepted.
    assert eighteen_on_test_day > _years_before(clock.today_paris(), 18)
    response = client.post("/candidat/identite", data=_form(
        birth_date=eighteen_on_test_day.isoformat(), csrf_token=csrf("/candidat/identite")))
    assert response.status_code == 303, _error(response.get_data(as_text=True), "birth_date")
    assert db.session.scalars(db.select(CandidateIdentity)).one().birth_date == eighteen_on_test_day


def test_the_messages_are_translated_in_the_english_interface(client, csrf, candidate):
    client.post("/lang/en", data={"csrf_token": csrf("/candidat/identite")})
    response = client.post("/candidat/identite", data=_form(
        birth_name="Dur\x00and", birth_date="31/02/2000", csrf_token=csrf("/candidat/identite")))
    html = response.get_data(as_text=True)
    assert _error(html, "birth_name") == "Control character U+0000 is not allowed (position 4)."
    assert _error(html, "birth_date") == "This date does not exist."
