"""EDOF uploads: problems with line/column, all or nothing, month replaced, matching, rates."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from cloe_portal.edof.models import EdofFile, EdofUpload
from cloe_portal.extensions import db
from tests.conftest import csrf_token

HEADER = ("NUMERO_DOSSIER;NOM;PRENOM;MONTANT;INTITULE;INTITULE_CERTIF;STATUT_DOSSIER;"
          "DATE_DEBUT_SESSION;DATE_FIN_SESSION\n")


def _line(number, last, first, start, end, status="Terminé"):
    return f"{number};{last};{first};1 200,00;Anglais professionnel;CLOE Anglais;{status};{start};{end}\n"


def _post(client, content: str, month: str = "2026-03", name: str = "edof-mars.csv"):
    return client.post("/edof/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/edof/"), "month": month,
        "file": (io.BytesIO(content.encode("utf-8")), name)})


def test_a_bad_date_is_reported_with_line_and_column_and_nothing_is_stored(client, make_user, login):
    login(make_user("partner"))
    content = (HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026")
               + _line("222", "Durand", "Paul", "31/02/2026", "15/03/2026"))
    response = _post(client, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ligne 3, colonne DATE_DEBUT_SESSION" in html and "31/02/2026" in html
    assert db.session.scalar(db.select(db.func.count(EdofUpload.id))) == 0
    assert db.session.scalar(db.select(db.func.count(EdofFile.id))) == 0


def test_rows_are_matched_by_cpf_number_then_by_name_and_dates(client, make_user, login, make_session,
                                                               make_registration, frozen_clock):
    frozen_clock(datetime(2026, 4, 2, 9, tzinfo=UTC))
    admin = make_user("partner")
    session = make_session(admin.organisation, written_date=date(2026, 3, 10))
    by_cpf = make_registration(session, cpf_file_number="111", status="written_done", last_name="Martin")
    by_name = make_registration(session, first_name="Paul", last_name="Durand", status="enrolled")
    login(admin)
    content = (HEADER + _line("111", "Autre", "Nom", "01/02/2026", "28/02/2026")
               + _line("222", "DURAND", "paul", "01/03/2026", "20/03/2026")
               + _line("333", "Inconnu", "Zoé", "01/03/2026", "20/03/2026"))
    response = _post(client, content)
    assert response.status_code == 303
    rows = {r.file_number: r for r in db.session.scalars(db.select(EdofFile))}
    assert (rows["111"].registration_id, rows["111"].match_kind) == (by_cpf.id, "cpf")
    assert (rows["222"].registration_id, rows["222"].match_kind) == (by_name.id, "name")
    assert rows["333"].registration_id is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dossiers non rapprochés (1)" in page and "Ligne 4 : dossier 333" in page


def test_reupload_of_a_month_replaces_its_rows_and_keeps_the_history(client, make_user, login):
    login(make_user("partner"))
    first = HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026")
    second = first + _line("222", "Durand", "Paul", "01/02/2026", "28/02/2026")
    assert _post(client, first).status_code == 303
    assert _post(client, second, name="edof-mars-v2.csv").status_code == 303
    assert _post(client, first, month="2026-04", name="edof-avril.csv").status_code == 303
    uploads = list(db.session.scalars(db.select(EdofUpload).order_by(EdofUpload.id)))
    assert [u.is_current for u in uploads] == [False, True, True]
    assert [u.row_count for u in uploads] == [1, 2, 1]
    assert len(uploads[0].sha256) == 64 and uploads[0].sha256 != uploads[1].sha256
    march_rows = db.session.scalars(db.select(EdofFile).join(EdofUpload)
                                    .where(EdofUpload.month == date(2026, 3, 1))).all()
    assert sorted(r.file_number for r in march_rows) == ["111", "222"]
    history = client.get("/edof/").get_data(as_text=True)
    assert "edof-mars.csv" in history and "edof-mars-v2.csv" in history and "Remplacé le" in history


def test_realisation_rate_and_files_without_cloe(client, make_user, login, make_session,
                                                 make_registration, frozen_clock):
    frozen_clock(datetime(2026, 4, 2, 9, tzinfo=UTC))
    admin = make_user("partner")
    session = make_session(admin.organisation, written_date=date(2026, 3, 10))
    make_registration(session, cpf_file_number="111", status="oral_booked")
    make_registration(session, cpf_file_number="222", status="enrolled")
    login(admin)
    content = (HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026")
               + _line("222", "Durand", "Paul", "01/02/2026", "28/02/2026")
               + _line("444", "Annulé", "Zoé", "01/02/2026", "28/02/2026", status="Annulé")
               + _line("555", "Futur", "Léo", "01/02/2026", "30/06/2026"))
    _post(client, content)
    page = client.get("/edof/").get_data(as_text=True)
    assert "50,0\u00a0%" in page  # 1 taken of 2 ended (cancelled and unfinished files left out)
    not_taken = page.split("Dossiers CPF terminés sans CLOE passée")[1]
    assert "222" in not_taken and "inscrit, écrit non passé" in not_taken
    assert "111" not in not_taken.split("Historique")[0] and "555" not in not_taken.split("Historique")[0]


def test_uploads_of_other_partners_are_404_and_referents_see_only_theirs(client, app, make_org, make_user, login):
    cel = make_org("cel")
    followed = make_org("partner", referent_centre=cel)
    stranger = make_org("partner")
    owner = make_user("partner", org=followed)
    login(owner)
    _post(client, HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026"))
    upload = db.session.scalars(db.select(EdofUpload)).one()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/edof/")})

    outsider = app.test_client()
    login(make_user("partner", org=stranger), test_client=outsider)
    assert outsider.get(f"/edof/envois/{upload.id}").status_code == 404
    assert "Martin" not in outsider.get("/edof/").get_data(as_text=True)

    referent = app.test_client()
    login(make_user("referent", org=cel), test_client=referent)
    assert referent.get(f"/edof/envois/{upload.id}").status_code == 200
    other_referent = app.test_client()
    login(make_user("referent", org=make_org("cel")), test_client=other_referent)
    assert other_referent.get(f"/edof/envois/{upload.id}").status_code == 404
    assert other_referent.get(f"/edof/?partner={followed.id}").status_code == 404


def test_referent_sees_which_partners_have_not_sent_this_months_extract(client, make_org, make_user,
                                                                        login, frozen_clock):
    frozen_clock(datetime(2026, 3, 5, 9, tzinfo=UTC))
    cel = make_org("cel")
    sent = make_org("partner", name="Envoyé Formation", referent_centre=cel)
    make_org("partner", name="Retard Langues", referent_centre=cel)
    login(make_user("partner", org=sent))
    _post(client, HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/edof/")})
    login(make_user("referent", org=cel))
    for page in (client.get("/edof/"), client.get("/suivi/organismes")):
        html = page.get_data(as_text=True)
        alert = html.split("non reçue")[1].split("</div>")[0]
        assert "Retard Langues" in alert and "Envoyé Formation" not in alert
