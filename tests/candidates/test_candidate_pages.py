"""Candidate pages: home, identity form, photos (private), practice."""

from __future__ import annotations

from datetime import date, timedelta

from cloe_portal import clock
from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto, PracticeAnswer
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.rules.scoring import display_seed, shuffle_for_display
from tests.written.conftest import JPEG, PNG


def _form(**overrides):
    data = {"birth_name": "Durand", "usage_name": "", "first_names": "Camille",
            "gender": "F", "birth_date": "1990-05-17", "birth_city": "Lyon",
            "birth_country": "France", "birth_department": "69", "email": "c@example.fr",
            "address": "3 rue Neuve", "postcode": "69001", "city": "Lyon", "country": "France"}
    data.update(overrides)
    return data


def test_home_shows_window_and_days_left(client, login, make_registration):
    registration = make_registration(written_date=clock.today_paris() - timedelta(days=10))
    login(registration.candidate)
    html = client.get("/candidat/").get_data(as_text=True)
    assert "Votre certification CLOE" in html
    # Day 11 of the 30-day window (the test date is day 1).
    assert "20 jours restants" in html
    assert "Compléter le formulaire" in html
    assert "Mini-test démo" in html and "Réussir CLOE" in html


def test_home_says_when_window_is_closed(client, login, make_registration):
    registration = make_registration(written_date=clock.today_paris() - timedelta(days=40))
    login(registration.candidate)
    html = client.get("/candidat/").get_data(as_text=True)
    assert 'data-window-state="closed"' in html and "prolonger" in html


def test_identity_form_validates_age_and_department(client, login, csrf, make_registration):
    registration = make_registration()
    login(registration.candidate)
    token = csrf("/candidat/identite")
    too_young = (clock.today_paris() - timedelta(days=365 * 10)).isoformat()
    response = client.post("/candidat/identite",
                           data=_form(birth_date=too_young, birth_department="99",
                                      csrf_token=token))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "réservée aux personnes majeures" in html and "Département inconnu" in html
    assert db.session.scalar(db.select(db.func.count(CandidateIdentity.id))) == 0

    response = client.post("/candidat/identite", data=_form(csrf_token=token))
    assert response.status_code == 303
    identity = db.session.scalars(db.select(CandidateIdentity)).one()
    assert identity.birth_date == date(1990, 5, 17) and identity.birth_department == "69"
    db.session.refresh(registration)
    assert registration.status == "identity_done"


def test_identity_is_read_only_once_the_test_started(app, client, login, csrf, bank,
                                                     make_registration):
    from cloe_portal.written import services

    registration = make_registration(ready=True)
    services.start_certification(registration, registration.candidate)
    db.session.commit()
    login(registration.candidate)
    token = csrf("/candidat/identite")
    response = client.post("/candidat/identite", data=_form(birth_name="Autre", csrf_token=token))
    assert "ne peuvent plus être modifiées" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(db.select(CandidateIdentity)).one().birth_name == "Durand"


def test_photo_upload_checks_magic_bytes_and_stays_private(app, client, login, csrf, make_user,
                                                           make_registration):
    registration = make_registration()
    login(registration.candidate)
    token = csrf("/candidat/materiel")
    refused = client.post("/candidat/photos/face", data=b"GIF89a" + b"\0" * 50,
                          headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"})
    assert refused.status_code == 400 and "JPEG ou PNG" in refused.get_json()["error"]
    ok = client.post("/candidat/photos/face", data=JPEG,
                     headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"})
    assert ok.status_code == 200
    photo = db.session.scalars(db.select(CandidatePhoto)).one()
    assert photo.sha256 and photo.stored_name != "face.jpg"
    assert client.get(ok.get_json()["url"]).data == JPEG

    from io import BytesIO

    upload = client.post("/candidat/photos/id_document", data={
        "csrf_token": token, "photo": (BytesIO(PNG), "carte.png")},
        content_type="multipart/form-data")
    assert upload.status_code == 303

    other = make_registration()
    other_client = app.test_client()
    login(other.candidate, test_client=other_client)
    assert other_client.get(f"/candidat/photos/{photo.id}").status_code == 404
    partner_client = app.test_client()
    login(make_user("partner"), test_client=partner_client)
    assert partner_client.get(f"/candidat/photos/{photo.id}").status_code == 403


def test_referent_of_the_partner_sees_photos_other_referents_do_not(app, make_user, login,
                                                                    make_registration):
    from cloe_portal.candidates import services

    registration = make_registration()
    photo = services.save_photo(registration.candidate, registration, "face", JPEG, "webcam")
    db.session.commit()
    centre = registration.candidate.organisation.referent_centre
    own = app.test_client()
    login(make_user("referent", org=centre), test_client=own)
    assert own.get(f"/candidat/photos/{photo.id}").status_code == 200
    stranger = app.test_client()
    login(make_user("referent"), test_client=stranger)
    assert stranger.get(f"/candidat/photos/{photo.id}").status_code == 404


def test_practice_shows_answer_and_explanation_and_counts_progress(client, login, csrf, bank,
                                                                   make_registration):
    registration = make_registration()
    login(registration.candidate)
    item = db.session.scalars(db.select(Item).where(
        Item.pool == "practice", Item.language == "en", Item.skill == "vocabulary",
        Item.type == "mcq")).first()
    token = csrf("/candidat/entrainement")
    # The options are shown in this candidate's own order: the right one by its position.
    shown = shuffle_for_display(item.type, item.content,
                                display_seed(registration.candidate_id, item.id))
    response = client.post(f"/candidat/entrainement/vocabulary/{item.id}", data={
        "csrf_token": token, "choice": str(shown["order"].index(item.content["answer"]))})
    html = response.get_data(as_text=True)
    assert "Bonne réponse" in html and item.explanation[:30] in html
    answer = db.session.scalars(db.select(PracticeAnswer)).one()
    assert answer.score == 1.0
    summary = client.get("/candidat/entrainement").get_data(as_text=True)
    assert "100 %" in summary
    certification = db.session.scalars(db.select(Item).where(
        Item.pool == "certification", Item.skill == "vocabulary")).first()
    assert client.post(f"/candidat/entrainement/vocabulary/{certification.id}",
                       data={"csrf_token": token}).status_code == 404


def test_every_practice_skill_and_the_demo_start(client, login, csrf, bank, make_registration):
    registration = make_registration()
    login(registration.candidate)
    for skill in ("vocabulary", "grammar", "expressions", "reading", "listening"):
        page = client.get(f"/candidat/entrainement/{skill}")
        assert page.status_code == 200 and "Valider" in page.get_data(as_text=True)
    response = client.post("/candidat/demo", data={"csrf_token": csrf("/candidat/demo")})
    assert response.status_code == 303 and "/ecrit/tentative/" in response.headers["Location"]
    item = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mini-test démo" in item and "Question 1" in item
