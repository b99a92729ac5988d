"""Partners create sessions and enrol candidates (htmx form or file); other partners get 404."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import Workbook

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def _enrol_data(client, session_id, **over):
    data = {
        "csrf_token": csrf_token(client, f"/sessions/{session_id}"),
        "last_name": "Lefèvre", "first_name": "Inès", "email": "ines.lefevre@example.fr",
        "birth_date": "1991-05-04", "target_level": "B2", "training_hours": "24",
        "funding": "cpf", "cpf_file_number": "70123456789",
    }
    data.update(over)
    return data


def test_accredited_partner_creates_a_session_with_its_window(client, make_user, login):
    admin = make_user("partner")
    login(admin)
    day = clock.today_paris() + timedelta(days=10)
    response = client.post("/sessions/new", data={
        "csrf_token": csrf_token(client, "/sessions/new"), "name": "Allemand B1 — mars",
        "kind": "individual", "language": "de", "domain": "Logistique & Transport",
        "written_date": day.isoformat()})
    assert response.status_code == 303
    session = db.session.scalars(db.select(ExamSession)).one()
    assert (session.partner_id, session.language, session.kind) == (admin.organisation_id, "de", "individual")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    closes = day + timedelta(days=29)  # 30 days, the test date included
    assert f"au {closes:%d/%m/%Y} (30 jours)" in page and "Logistique &amp; Transport" in page


def test_suspended_partner_sees_why_and_cannot_create(client, make_org, make_user, login):
    org = make_org("partner", status="suspended")
    org.status_reason = "Manquement à la charte CPF"
    admin = make_user("partner", org=org)
    login(admin)
    page = client.get("/sessions/new").get_data(as_text=True)
    assert "suspendu" in page and "Manquement à la charte CPF" in page and "<form method=\"post\" novalidate>" not in page
    response = client.post("/sessions/new", data={
        "csrf_token": csrf_token(client, "/sessions/"), "name": "X", "kind": "group",
        "language": "en", "written_date": (clock.today_paris() + timedelta(days=3)).isoformat()})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(ExamSession.id))) == 0


def test_htmx_enrolment_creates_account_and_emails_a_first_login_link(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation, written_date=date(2030, 3, 1))
    login(admin)
    response = client.post(f"/sessions/{session.id}/enrol", headers=HX, data=_enrol_data(
        client, session.id, accommodations=["extra_time", "interpreter"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Inès LEFÈVRE est inscrit(e)" in html and "ines.lefevre@example.fr" in html
    user = db.session.scalars(db.select(User).where(User.email == "ines.lefevre@example.fr")).one()
    assert user.role == "candidate" and user.password_hash is None
    registration = db.session.scalars(db.select(Registration)).one()
    assert registration.target_level == "B2" and registration.birth_date == date(1991, 5, 4)
    kinds = {a.kind: a.status for a in db.session.scalars(db.select(AccommodationRequest))}
    assert kinds == {"extra_time": "pending", "interpreter": "pending"}
    mail = db.session.scalars(db.select(OutboxMessage)).one()
    assert mail.key == f"enrolment:registration-{registration.id}" and mail.to_email == user.email
    assert "/welcome/" in mail.body_text and "1 mars 2030" in mail.body_text
    assert "30 mars 2030" in mail.body_text  # end of the 30-day window
    assert "mini-test de démonstration" in mail.body_text and "guides" in mail.body_text


def test_cpf_enrolment_under_seven_hours_is_refused_beside_the_field(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    response = client.post(f"/sessions/{session.id}/enrol", headers=HX,
                           data=_enrol_data(client, session.id, training_hours="5"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    error = re.search(r'<p class="error" id="training_hours-error">(.*?)</p>', html, re.S).group(1)
    assert "au moins 7 heures" in error and "7 à 10 heures de formation préalable" in error
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    # the same hours with another funding are accepted
    ok = client.post(f"/sessions/{session.id}/enrol", headers=HX,
                     data=_enrol_data(client, session.id, training_hours="5", funding="other"))
    assert "est inscrit(e)" in ok.get_data(as_text=True)


def test_returning_candidate_gets_a_new_registration_not_a_new_account(client, make_user, login, make_session):
    admin = make_user("partner")
    first = make_session(admin.organisation)
    retake = make_session(admin.organisation)
    known = make_user("candidate", org=admin.organisation, email="ines.lefevre@example.fr")
    login(admin)
    client.post(f"/sessions/{first.id}/enrol", headers=HX, data=_enrol_data(client, first.id))
    client.post(f"/sessions/{retake.id}/enrol", headers=HX, data=_enrol_data(client, retake.id))
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "candidate")) == 1
    assert {r.session_id for r in db.session.scalars(
        db.select(Registration).where(Registration.candidate_id == known.id))} == {first.id, retake.id}
    mail = db.session.scalars(db.select(OutboxMessage)).first()
    assert "/welcome/" not in mail.body_text and "/login" in mail.body_text
    again = client.post(f"/sessions/{first.id}/enrol", headers=HX, data=_enrol_data(client, first.id))
    assert "déjà inscrit(e) à cette session" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 2


def test_enrolment_without_javascript_redirects_or_shows_errors(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    bad = client.post(f"/sessions/{session.id}/enrol", data=_enrol_data(client, session.id, email="pas-un-email"))
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)
    assert "Adresse e-mail invalide." in bad.get_data(as_text=True)
    good = client.post(f"/sessions/{session.id}/enrol", data=_enrol_data(client, session.id))
    assert good.status_code == 303


CSV_HEADER = "NOM;PRENOM;EMAIL;DATE_NAISSANCE;NIVEAU_VISE;HEURES_FORMATION;NUMERO_DOSSIER_CPF;FINANCEMENT;AMENAGEMENTS\n"


def _upload(client, session_id, content: bytes, name: str = "candidats.csv"):
    return client.post(f"/sessions/{session_id}/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, f"/sessions/{session_id}"),
        "file": (io.BytesIO(content), name)})


def test_bulk_import_reports_every_problem_and_imports_nothing(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    content = (CSV_HEADER
               + "Martin;Julie;julie@example.fr;14/03/1990;B1;20;111;CPF;tiers-temps\n"
               + "Durand;Paul;paul@example.fr;31/02/1985;B2;20;;Autre;\n"
               + "Petit;Léa;lea@example.fr;01/01/1999;B1;5;222;CPF;\n"
               + "Roux;Tom;julie@example.fr;01/01/1999;D4;20;;CPF;lévitation\n").encode()
    response = _upload(client, session.id, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for expected in ("Ligne 3, colonne DATE_NAISSANCE", "Ligne 4, colonne HEURES_FORMATION",
                     "Ligne 5, colonne EMAIL", "Ligne 5, colonne NIVEAU_VISE", "Ligne 5, colonne AMENAGEMENTS"):
        assert expected in html, expected
    assert "aucun candidat n&#39;a été inscrit" in html or "aucun candidat n'a été inscrit" in html
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "candidate")) == 0


def test_bulk_import_of_a_clean_csv_enrols_everyone(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    content = (CSV_HEADER
               + "Martin;Julie;julie@example.fr;14/03/1990;B1;20;111;CPF;\"tiers-temps, secrétaire\"\n"
               + "Durand;Paul;paul@example.fr;1985-02-03;C1;3;;Autre;\n").encode("cp1252")
    response = _upload(client, session.id, content)
    assert response.status_code == 303
    regs = {r.candidate.email: r for r in db.session.scalars(db.select(Registration))}
    assert set(regs) == {"julie@example.fr", "paul@example.fr"}
    assert {a.kind for a in regs["julie@example.fr"].accommodations} == {"extra_time", "secretary"}
    assert regs["paul@example.fr"].funding == "other"
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2


def test_bulk_import_reads_xlsx(client, make_user, login, make_session):
    admin = make_user("partner")
    session = make_session(admin.organisation)
    login(admin)
    wb = Workbook()
    ws = wb.active
    ws.append(CSV_HEADER.strip().split(";"))
    ws.append(["Martin", "Julie", "julie@example.fr", date(1990, 3, 14), "b2", 12.5, "111", "CPF", None])
    ws.append(["Durand", "Paul", "paul@example.fr", "31/13/1990", "B2", 12, None, "CPF", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    refused = _upload(client, session.id, buffer.getvalue(), "candidats.xlsx")
    assert refused.status_code == 422 and "Ligne 3, colonne DATE_NAISSANCE" in refused.get_data(as_text=True)
    ws.delete_rows(3)
    buffer = io.BytesIO()
    wb.save(buffer)
    assert _upload(client, session.id, buffer.getvalue(), "candidats.xlsx").status_code == 303
    registration = db.session.scalars(db.select(Registration)).one()
    assert registration.target_level == "B2" and float(registration.training_hours) == 12.5


def test_another_partners_session_answers_404_on_every_route(client, make_user, login, make_session, make_org):
    mine = make_user("partner")
    other_session = make_session(make_org("partner"))
    login(mine)
    sid = other_session.id
    assert client.get(f"/sessions/{sid}").status_code == 404
    assert client.post(f"/sessions/{sid}/enrol", headers=HX, data=_enrol_data(client, "")).status_code == 404
    assert _upload(client, sid, (CSV_HEADER + "A;B;c@d.fr;01/01/1990;B1;20;;CPF;\n").encode()).status_code == 404
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    assert other_session.name not in client.get("/sessions/").get_data(as_text=True)


def test_referent_sees_followed_partners_sessions_only(client, make_org, make_user, login, make_session):
    cel = make_org("cel")
    followed = make_session(make_org("partner", referent_centre=cel), name="Suivie")
    other = make_session(make_org("partner"), name="Pas suivie")
    login(make_user("referent", org=cel))
    listing = client.get("/sessions/").get_data(as_text=True)
    assert "Suivie" in listing and "Pas suivie" not in listing
    assert client.get(f"/sessions/{followed.id}").status_code == 200
    assert client.get(f"/sessions/{other.id}").status_code == 404
