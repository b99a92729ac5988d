"""A candidate enrolled by two partners: each partner sees only its own registration, and
enrolling an existing address says only that an account exists."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import set_password
from cloe_portal.candidates import services as candidate_services
from cloe_portal.candidates.models import CandidatePhoto
from cloe_portal.edof.models import EdofFile
from cloe_portal.extensions import db
from cloe_portal.jury.models import JuryReview
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.results.models import Result
from cloe_portal.sessions.models import ExamSession, Registration
from cloe_portal.written.models import WrittenAttempt
from tests.conftest import PASSWORD, csrf_token
from tests.written.conftest import IDENTITY, JPEG, PNG

HX = {"HX-Request": "true"}
EMAIL = "camille.durand@example.fr"
# What partner A typed, or what exists only because of A: partner B must see none of it.
A_SECRETS = ("Alpha Langues", "Anglais Alpha", "Camille-Anne", "CPF-ALPHA-111", "04/05/1991")


def _logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")})


def _enrol(client, session_id: int, **over) -> object:
    data = {
        "csrf_token": csrf_token(client, f"/sessions/{session_id}"),
        "last_name": "Durand", "first_name": "Camille", "email": EMAIL,
        "birth_date": "1991-05-14", "target_level": "B1", "training_hours": "20",
        "funding": "cpf", "cpf_file_number": "CPF-BETA-222",
    }
    data.update(over)
    return client.post(f"/sessions/{session_id}/enrol", headers=HX, data=data)


@dataclass
class Shared:
    alpha: Organisation
    beta: Organisation
    admin_a: User
    admin_b: User
    referent_a: User
    referent_b: User
    candidate: User
    reg_a: Registration
    session_a: ExamSession
    session_b: ExamSession
    result_a: Result


@pytest.fixture
def shared(app, client, login, make_org, make_user) -> Shared:
    """A enrols Camille (who activates her account and takes A's test up to results); then B
    opens a session in another CEL's network."""
    cel_a, cel_b = make_org("cel", name="CEL Nord"), make_org("cel", name="CEL Sud")
    alpha = make_org("partner", name="Alpha Langues", referent_centre=cel_a)
    beta = make_org("partner", name="Beta Formation", referent_centre=cel_b)
    admin_a = make_user("partner", org=alpha)
    admin_b = make_user("partner", org=beta)
    referent_a = make_user("referent", org=cel_a)
    referent_b = make_user("referent", org=cel_b)
    today = clock.today_paris()
    session_a = ExamSession(partner_id=alpha.id, name="Anglais Alpha", language="en",
                            written_date=today - dt.timedelta(days=20))
    session_b = ExamSession(partner_id=beta.id, name="Français Beta", language="fr",
                            written_date=today + dt.timedelta(days=3))
    db.session.add_all([session_a, session_b])
    db.session.commit()
    login(admin_a)
    response = _enrol(client, session_a.id, last_name="Durand", first_name="Camille-Anne",
                      birth_date="1991-05-04", cpf_file_number="CPF-ALPHA-111")
    assert "est inscrit(e)" in response.get_data(as_text=True)
    _logout(client)
    candidate = db.session.scalars(db.select(User).where(User.email == EMAIL)).one()
    set_password(candidate, PASSWORD)
    candidate.last_login_at = clock.now()
    reg_a = db.session.scalars(db.select(Registration)).one()
    candidate_services.save_identity(candidate, dict(IDENTITY))
    candidate_services.save_photo(candidate, reg_a, "face", JPEG, "webcam")
    reg_a.status = "results_issued"
    review = JuryReview(registration_id=reg_a.id, session_id=session_a.id, identity_ok=True,
                        written_ok=True, oral_ok=True, decision="validated",
                        decided_by_id=referent_a.id)
    db.session.add(review)
    db.session.flush()
    now = clock.now()
    result_a = Result(registration_id=reg_a.id, partner_id=alpha.id, candidate_id=candidate.id,
                      review_id=review.id, global_level="B1", ecrit_level="B1",
                      oral_level="B1", levels={}, issued_at=now,
                      available_until=now + dt.timedelta(days=1000), attestation_pdf=b"%PDF",
                      attestation_sha256="0" * 64)
    db.session.add(result_a)
    db.session.commit()
    return Shared(alpha, beta, admin_a, admin_b, referent_a, referent_b, candidate, reg_a,
                  session_a, session_b, result_a)


def _b_enrols(client, login, shared: Shared) -> Registration:
    login(shared.admin_b)
    response = _enrol(client, shared.session_b.id, email=EMAIL.upper())
    assert response.status_code == 200
    return db.session.scalars(db.select(Registration).where(
        Registration.partner_id == shared.beta.id)).one()


def test_enrolling_an_existing_email_says_only_that_an_account_exists(client, login, shared):
    login(shared.admin_b)
    response = _enrol(client, shared.session_b.id, email=EMAIL.upper())
    html = response.get_data(as_text=True)
    assert "Un compte existe déjà pour cette adresse" in html
    assert "identifiants habituels" in html
    assert "Camille DURAND" in html  # the name B typed …
    for secret in ("Camille-Anne", "Alpha"):  # … and nothing A typed
        assert secret not in html
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "candidate")) == 1
    db.session.expire_all()
    candidate = db.session.get(User, shared.candidate.id)
    assert candidate.organisation_id == shared.alpha.id  # enrolling does not move the account
    reg_b = db.session.scalars(db.select(Registration).where(
        Registration.partner_id == shared.beta.id)).one()
    assert reg_b.candidate_id == candidate.id and reg_b.status == "enrolled"
    mail = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.key == f"enrolment:registration-{reg_b.id}")).one()
    assert "nouvelle inscription" in mail.body_text.lower()
    assert "/welcome/" not in mail.body_text and "/login" in mail.body_text


def test_partner_b_pages_and_exports_show_nothing_of_partner_a(client, login, shared):
    reg_b = _b_enrols(client, login, shared)
    pages = {
        "dashboard": client.get("/suivi/").get_data(as_text=True),
        "search": client.get("/suivi/?q=durand", headers=HX).get_data(as_text=True),
        "candidate": client.get(f"/suivi/candidats/{shared.candidate.id}").get_data(as_text=True),
        "session": client.get(f"/sessions/{shared.session_b.id}").get_data(as_text=True),
        "results": client.get("/resultats/partenaire").get_data(as_text=True),
        "csv": client.get("/suivi/export.csv").get_data(as_text=True),
    }
    workbook = load_workbook(io.BytesIO(client.get("/suivi/export.xlsx").data))
    pages["xlsx"] = "\n".join(";".join(str(c) for c in row if c is not None)
                              for row in workbook.active.iter_rows(values_only=True))
    for name, text in pages.items():
        assert "DURAND" in text or name == "results", name
        for secret in A_SECRETS:
            assert secret not in text, (name, secret)
    candidate_page = pages["candidate"]
    assert "Français Beta" in candidate_page and "Camille DURAND" in candidate_page
    assert "Inscriptions (1)" in candidate_page and "Compte activé" not in candidate_page
    assert "CPF-BETA-222" in pages["csv"] and "14/05/1991" in pages["csv"]
    # Searching for what A typed finds nothing: B's row carries B's own typing.
    probe = client.get("/suivi/?q=Camille-Anne", headers=HX).get_data(as_text=True)
    assert "DURAND" not in probe
    assert reg_b.status == "enrolled"


def test_partner_b_probing_partner_a_ids_gets_404(client, login, shared):
    _b_enrols(client, login, shared)
    photo = db.session.scalars(db.select(CandidatePhoto)).one()
    for path in (f"/sessions/{shared.session_a.id}",
                 f"/partenaire/oral/{shared.reg_a.id}",
                 f"/resultats/{shared.result_a.id}/attestation.pdf"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/candidat/photos/{photo.id}").status_code in (403, 404)
    for path in (f"/suivi/?session={shared.session_a.id}", f"/suivi/?partner={shared.alpha.id}",
                 f"/suivi/export.csv?session={shared.session_a.id}"):
        text = client.get(path).get_data(as_text=True)
        assert "Anglais Alpha" not in text and "CPF-ALPHA-111" not in text, path


def test_partner_a_keeps_its_view_of_its_own_candidate(client, login, shared):
    _b_enrols(client, login, shared)
    _logout(client)
    login(shared.admin_a)
    page = client.get(f"/suivi/candidats/{shared.candidate.id}").get_data(as_text=True)
    assert "Anglais Alpha" in page and "Camille-Anne DURAND" in page and "Compte activé" in page
    assert "Français Beta" not in page and "Beta Formation" not in page
    assert "CPF-BETA-222" not in client.get("/suivi/export.csv").get_data(as_text=True)


def test_the_same_partner_enrolling_again_hears_the_account_exists(client, login, shared):
    retake = ExamSession(partner_id=shared.alpha.id, name="Anglais Alpha bis", language="en",
                         written_date=clock.today_paris())
    db.session.add(retake)
    db.session.commit()
    login(shared.admin_a)
    html = _enrol(client, retake.id, first_name="Camille-Anne").get_data(as_text=True)
    assert "Un compte existe déjà pour cette adresse" in html
    assert db.session.scalar(db.select(db.func.count(Registration.id)).where(
        Registration.candidate_id == shared.candidate.id)) == 2


def test_bulk_import_says_which_addresses_already_had_an_account(client, login, shared):
    login(shared.admin_b)
    content = ("NOM;PRENOM;EMAIL;DATE_NAISSANCE;NIVEAU_VISE;HEURES_FORMATION;NUMERO_DOSSIER_CPF;"
               "FINANCEMENT;AMENAGEMENTS\n"
               f"Durand;Camille;{EMAIL};14/05/1991;B1;20;;CPF;\n"
               "Martin;Julie;julie.martin@example.fr;14/03/1990;B1;20;;CPF;\n").encode()
    response = client.post(f"/sessions/{shared.session_b.id}/import",
                           content_type="multipart/form-data", data={
                               "csrf_token": csrf_token(client, f"/sessions/{shared.session_b.id}"),
                               "file": (io.BytesIO(content), "candidats.csv")})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 candidat(s) inscrit(s)" in html
    assert "Un compte existait déjà pour 1 adresse" in html and EMAIL in html
    assert "julie.martin@example.fr" not in html.split("Un compte existait")[1].split("</")[0]
    for secret in ("Camille-Anne", "Alpha"):
        assert secret not in html
    db.session.expire_all()
    assert db.session.get(User, shared.candidate.id).organisation_id == shared.alpha.id


def test_edof_matching_reads_the_names_each_partner_typed(client, login, shared):
    reg_b = _b_enrols(client, login, shared)
    written = shared.session_b.written_date
    content = ("NUMERO_DOSSIER;NOM;PRENOM;MONTANT;INTITULE;INTITULE_CERTIF;STATUT_DOSSIER;"
               "DATE_DEBUT_SESSION;DATE_FIN_SESSION\n"
               f"999;DURAND;camille;1 200,00;Français pro;CLOE Français;En cours;"
               f"{written - dt.timedelta(days=10):%d/%m/%Y};{written + dt.timedelta(days=10):%d/%m/%Y}\n")
    response = client.post("/edof/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/edof/"), "month": f"{written:%Y-%m}",
        "file": (io.BytesIO(content.encode()), "edof.csv")})
    assert response.status_code == 303
    row = db.session.scalars(db.select(EdofFile)).one()
    assert (row.registration_id, row.match_kind) == (reg_b.id, "name")


def test_referents_see_the_written_test_and_photos_of_the_partners_they_follow(
        client, login, shared, bank):
    from cloe_portal.written import services as written

    reg_b = _b_enrols(client, login, shared)
    _logout(client)
    for kind, data in (("face", JPEG), ("id_document", PNG)):
        candidate_services.save_photo(shared.candidate, reg_b, kind, data, "webcam")
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(days=3))
    attempt_b = written.start_certification(reg_b, shared.candidate)
    attempt_a = WrittenAttempt(candidate_id=shared.candidate.id, registration_id=shared.reg_a.id,
                               mode="certification", language="en", target_level="B1", seed=1,
                               pool_snapshot={}, excluded_item_ids=[],
                               started_at=clock.now() - dt.timedelta(days=10))
    db.session.add(attempt_a)
    db.session.commit()
    photos = {p.registration_id: p.id for p in db.session.scalars(db.select(CandidatePhoto))}
    login(shared.referent_b)
    assert client.get(f"/ecrit/referent/tentative/{attempt_b.id}").status_code == 200
    assert client.get(f"/ecrit/referent/tentative/{attempt_a.id}").status_code == 404
    assert client.get(f"/candidat/photos/{photos[reg_b.id]}").status_code == 200
    assert client.get(f"/candidat/photos/{photos[shared.reg_a.id]}").status_code == 404
    listing = client.get("/ecrit/referent").get_data(as_text=True)
    assert f"/ecrit/referent/tentative/{attempt_b.id}" in listing
    assert f"/ecrit/referent/tentative/{attempt_a.id}" not in listing
    assert client.get(f"/resultats/{shared.result_a.id}/attestation.pdf").status_code == 404
    _logout(client)
    login(shared.referent_a)
    assert client.get(f"/ecrit/referent/tentative/{attempt_a.id}").status_code == 200
    assert client.get(f"/ecrit/referent/tentative/{attempt_b.id}").status_code == 404
    assert client.get(f"/candidat/photos/{photos[reg_b.id]}").status_code == 404


def test_only_staff_who_follow_every_registration_handle_the_persons_data(client, login, shared,
                                                                          make_user):
    """The personal-data export and erasure cover the whole person (every registration): a
    referent following only one of the two partners may not open them; the coordinator may."""
    _b_enrols(client, login, shared)
    cid = shared.candidate.id
    for referent in (shared.referent_b, shared.referent_a):
        _logout(client)
        login(referent)
        assert client.get(f"/donnees-personnelles/candidats/{cid}").status_code == 404
        assert client.get(f"/donnees-personnelles/candidats/{cid}/export.json").status_code == 404
        page = client.get(f"/suivi/candidats/{cid}").get_data(as_text=True)
        assert f"/donnees-personnelles/candidats/{cid}" not in page
    _logout(client)
    login(make_user("coordinator"))
    assert client.get(f"/donnees-personnelles/candidats/{cid}").status_code == 200
    page = client.get(f"/suivi/candidats/{cid}").get_data(as_text=True)
    assert "Français Beta" in page and f"/donnees-personnelles/candidats/{cid}" in page
