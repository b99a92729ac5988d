"""What partners type or upload: dates, control characters, Unicode, the adults-only rule."""

from __future__ import annotations

import re
from datetime import date, timedelta

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration
from tests.conftest import csrf_token
from tests.sessions.test_sessions import CSV_HEADER, HX, _enrol_data, _upload


def _error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


def _eighteenth_birthday_minus(day: date, days: int) -> date:
    return date(day.year - 18, day.month, day.day if (day.month, day.day) != (2, 29) else 28) \
        + timedelta(days=days)


def test_session_date_typed_in_french_or_impossible(client, make_user, login):
    login(make_user("partner"))
    day = clock.today_paris() + timedelta(days=10)

    def create(written_date: str):
        return client.post("/sessions/new", data={
            "csrf_token": csrf_token(client, "/sessions/new"), "name": "Anglais", "kind": "group",
            "language": "en", "written_date": written_date})

    impossible = create(f"31/02/{day.year + 1}")
    assert _error(impossible.get_data(as_text=True), "written_date") == "Date impossible."
    assert create(f"{day:%d/%m/%Y}").status_code == 303
    assert db.session.scalars(db.select(ExamSession)).one().written_date == day


def test_partner_cannot_enrol_a_minor_on_the_day_of_the_test(client, make_user, login, make_session):
    admin = make_user("partner")
    test_day = clock.today_paris() + timedelta(days=30)
    session = make_session(admin.organisation, written_date=test_day)
    login(admin)
    minor = _eighteenth_birthday_minus(test_day, 1)  # 18 the day after the test
    response = client.post(f"/sessions/{session.id}/enrol", headers=HX,
                           data=_enrol_data(client, session.id, birth_date=minor.strftime("%d/%m/%Y")))
    error = _error(response.get_data(as_text=True), "birth_date")
    assert error is not None and "majeures" in error and f"{test_day:%d/%m/%Y}" in error
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    adult = _eighteenth_birthday_minus(test_day, 0)  # 17 today, 18 on the day of the test
    response = client.post(f"/sessions/{session.id}/enrol", headers=HX,
                           data=_enrol_data(client, session.id, birth_date=adult.isoformat()))
    assert "est inscrit(e)" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Registration)).one().birth_date == adult


def test_control_character_in_enrolment_is_refused_beside_the_field(client, make_user, login,
                                                                     make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    response = client.post(f"/sessions/{session.id}/enrol", headers=HX,
                           data=_enrol_data(client, session.id, last_name="Lef\x00èvre"))
    assert _error(response.get_data(as_text=True), "last_name") == (
        "Caractère de contrôle U+0000 non autorisé (position 4).")
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0


def test_bulk_import_reports_forbidden_characters_by_line_and_column(client, make_user, login,
                                                                     make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation, written_date=clock.today_paris() + timedelta(days=30))
    login(admin)
    minor = _eighteenth_birthday_minus(session.written_date, 1)
    content = (CSV_HEADER
               + "Martin;Julie;julie@example.fr;29/02/2000;B1;20;111;CPF;\n"
               + "Dur\x1band;Paul;paul@example.fr;31/02/1985;B2;20;;Autre;\n"
               + "Petit;L\u202eéa;lea@example.fr;01/01/1990;B1;20;222;CPF;\n"
               + f"Roux;Tom;tom@example.fr;{minor:%d/%m/%Y};B1;20;333;CPF;\n").encode()
    response = _upload(client, session.id, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for expected in (
        "Ligne 3, colonne NOM : caractère de contrôle U+001B non autorisé (position 4)",
        "Ligne 3, colonne DATE_NAISSANCE : date « 31/02/1985 » impossible",
        "Ligne 4, colonne PRENOM : caractère de contrôle de direction du texte U+202E non "
        "autorisé (position 2)",
        "Ligne 5, colonne DATE_NAISSANCE : la certification est réservée aux personnes majeures",
    ):
        assert expected in html, expected
    assert "Ligne 2" not in html
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "candidate")) == 0


def test_bulk_import_stores_names_in_nfc(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    content = (CSV_HEADER + "Le\u0301vy;Zoe\u0308;zoe@example.fr;29/02/2000;B1;20;;CPF;\n").encode()
    assert _upload(client, session.id, content).status_code == 303
    registration = db.session.scalars(db.select(Registration)).one()
    assert (registration.candidate.last_name, registration.candidate.first_name) == ("Lévy", "Zoë")
    assert registration.birth_date == date(2000, 2, 29)
