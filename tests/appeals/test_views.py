"""Appeals over HTTP: what each person sees, the French refusals beside their fields, and
other organisations trying objects by id (404, nothing changes)."""

from __future__ import annotations

import datetime as dt
import html
import io

from sqlalchemy import select

from cloe_portal.appeals import services
from cloe_portal.appeals.models import Appeal
from cloe_portal.extensions import db
from tests.appeals.conftest import TEXT, state
from tests.conftest import csrf_token
from tests.results.factories import REPORT

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
CRITERIA = ("range", "accuracy", "fluency", "pronunciation", "interaction")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, path: str, data: dict, page: str = "/compte"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data},
                       content_type="multipart/form-data")


def logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/compte")})


def test_the_candidate_files_from_its_results_page(client, login, published, world):
    reg = published()
    login(reg.candidate)
    page = client.get("/resultats").get_data(as_text=True)
    assert f"/recours/nouveau/{reg.id}" in page and "Déposer un recours" in page
    form = client.get(f"/recours/nouveau/{reg.id}")
    assert form.status_code == 200 and "Motif du recours" in text_of(form)
    response = post(client, f"/recours/nouveau/{reg.id}", {
        "ground": "written_incident", "text": TEXT,
        "attachment": (io.BytesIO(PNG), "capture.png")}, "/resultats")
    assert response.status_code == 303
    appeal = db.session.scalar(select(Appeal))
    followed = client.get(response.headers["Location"])
    assert f"Recours n° {appeal.id} déposé" in text_of(followed)
    assert "Incident pendant le test écrit" in text_of(followed)
    attachment = client.get(f"/recours/{appeal.id}/piece-jointe")
    assert attachment.status_code == 200 and attachment.data == PNG
    # The results page now links the appeal instead of the form.
    page = client.get("/resultats").get_data(as_text=True)
    assert f"/recours/{appeal.id}" in page and f"/recours/nouveau/{reg.id}" not in page


def test_refusals_are_french_beside_the_field_and_change_nothing(
        client, login, published, world, frozen_clock):
    reg = published()
    login(reg.candidate)
    before = state()
    missing = post(client, f"/recours/nouveau/{reg.id}", {"ground": "score", "text": ""},
                   "/resultats")
    assert missing.status_code == 422
    assert 'id="text-error"' in missing.get_data(as_text=True)
    assert "Exposez les faits et ce que vous demandez." in text_of(missing)
    no_ground = post(client, f"/recours/nouveau/{reg.id}", {"text": TEXT}, "/resultats")
    assert no_ground.status_code == 422 and "Choisissez le motif du recours." in text_of(no_ground)
    bad_file = post(client, f"/recours/nouveau/{reg.id}", {
        "ground": "score", "text": TEXT, "attachment": (io.BytesIO(b"MZ.exe"), "x.pdf")},
        "/resultats")
    assert bad_file.status_code == 422 and "Format refusé" in text_of(bad_file)
    frozen_clock(services.deadline(reg) + dt.timedelta(minutes=1))
    late = client.get(f"/recours/nouveau/{reg.id}")
    assert "Le délai de recours est dépassé" in text_of(late)
    late_post = post(client, f"/recours/nouveau/{reg.id}", {"ground": "score", "text": TEXT},
                     "/resultats")
    assert late_post.status_code == 422 and "délai de recours est dépassé" in text_of(late_post)
    db.session.expire_all()
    assert state() == before


def test_another_partner_or_candidate_gets_404_and_nothing_changes(
        client, login, published, world, make_org, make_user):
    reg = published()
    appeal = services.file_appeal(reg.candidate, reg, "score", TEXT, ("a.png", PNG))
    db.session.commit()
    other_partner = make_org("partner", referent_centre=world.cel)
    intruders = [make_user("partner", org=other_partner), make_user("candidate", org=world.partner)]
    before = state()
    for intruder in intruders:
        login(intruder)
        assert client.get(f"/recours/nouveau/{reg.id}").status_code == 404
        assert post(client, f"/recours/nouveau/{reg.id}",
                    {"ground": "score", "text": TEXT}).status_code == 404
        assert client.get(f"/recours/{appeal.id}").status_code == 404
        assert client.get(f"/recours/{appeal.id}/piece-jointe").status_code == 404
        logout(client)
    other_referent = make_user("referent", org=make_org("cel", name="CEL Bretagne"))
    login(other_referent)
    assert client.get(f"/recours/{appeal.id}").status_code == 404
    for action, prefix in (("rejeter", "reject"), ("recorriger", "rescore"),
                           ("reprise", "retake"), ("second-evaluateur", "assign")):
        assert post(client, f"/recours/{appeal.id}/{action}",
                    {f"{prefix}-reason": "x", "assign-assessor_id": "1"}).status_code == 404
    assert "Recours n°" not in client.get("/recours/?statut=all").get_data(as_text=True)
    db.session.expire_all()
    assert state() == before


def test_the_referent_instructs_the_case_with_the_jury_file(client, login, published, world):
    reg = published()
    appeal = services.file_appeal(world.partner_admin, reg, "score", TEXT)
    db.session.commit()
    login(world.referent)
    queue = client.get("/recours/").get_data(as_text=True)
    assert f"/recours/{appeal.id}" in queue
    case = text_of(client.get(f"/recours/{appeal.id}"))
    for part in ("1. Identité", "2. Écrit surveillé", "3. Oral", "4. Niveaux calculés",
                 "Recorriger l'écrit", "second évaluateur", "Rejeter le recours", TEXT):
        assert part in case
    before = state()
    empty = post(client, f"/recours/{appeal.id}/rejeter", {"reject-reason": ""}, "/recours/")
    assert empty.status_code == 422
    assert 'id="reject-reason-error"' in empty.get_data(as_text=True)
    db.session.expire_all()
    assert state() == before
    done = post(client, f"/recours/{appeal.id}/rejeter", {"reject-reason": "Non fondé"},
                "/recours/")
    assert done.status_code == 303
    assert "Recours rejeté" in text_of(client.get(done.headers["Location"]))
    again = post(client, f"/recours/{appeal.id}/rejeter", {"reject-reason": "Encore"},
                 "/recours/")
    assert again.status_code == 422 and "n'est plus à instruire" in text_of(again)
    board = text_of(client.get("/recours/tableau-de-bord"))
    assert "Contestation de la note" in board and "Rejeté" in board


def test_first_assessor_refused_over_http_then_the_second_scores_blind(
        client, login, published, world, accredit, make_user):
    reg = published()
    appeal = services.file_appeal(reg.candidate, reg, "oral_conduct", TEXT)
    db.session.commit()
    first_id = services.first_assessor_id(appeal)
    second = accredit(make_user("assessor", org=world.cel, last_name="Second"))
    login(world.referent)
    before = state()
    refused = post(client, f"/recours/{appeal.id}/second-evaluateur",
                   {"assign-assessor_id": str(first_id), "assign-reason": "Recours"}, "/recours/")
    assert refused.status_code == 422
    assert "a fait passer cet oral" in text_of(refused)
    assert 'id="assign-assessor_id-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert state() == before
    ok = post(client, f"/recours/{appeal.id}/second-evaluateur",
              {"assign-assessor_id": str(second.id), "assign-reason": "Recours"}, "/recours/")
    assert ok.status_code == 303
    logout(client)

    remark = db.session.get(Appeal, appeal.id).remark
    login(second)
    listing = client.get("/evaluateur/recours").get_data(as_text=True)
    assert f"/evaluateur/recours/{remark.id}" in listing
    grid = text_of(client.get(f"/evaluateur/recours/{remark.id}"))
    assert "Évaluation à l'aveugle" in grid
    assert REPORT not in grid  # not the first report…
    assert "selected" not in grid and 'badge">B1-' not in grid  # …nor its levels
    saved = client.post(f"/evaluateur/recours/{remark.id}/grille",
                        data={"csrf_token": csrf_token(client, "/evaluateur/recours"),
                              "range": "B2"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "<html" not in saved.get_data(as_text=True)
    incomplete = client.post(f"/evaluateur/recours/{remark.id}/valider", data={
        "csrf_token": csrf_token(client, "/evaluateur/recours"), "report": "Trop court"})
    assert incomplete.status_code == 422
    assert "Choisissez un niveau pour ce critère." in text_of(incomplete)
    valid = client.post(f"/evaluateur/recours/{remark.id}/valider", data={
        "csrf_token": csrf_token(client, "/evaluateur/recours"), "report": REPORT,
        **{c: "B2" for c in CRITERIA}})
    assert valid.status_code == 303
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "jury"
    logout(client)
    # The first assessor (and any other) cannot open the second grid.
    login(db.session.get(type(second), first_id))
    assert client.get(f"/evaluateur/recours/{remark.id}").status_code == 404
    assert client.post(f"/evaluateur/recours/{remark.id}/grille", data={
        "csrf_token": csrf_token(client, "/evaluateur/recours"), "range": "C2"}).status_code == 404
