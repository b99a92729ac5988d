"""Personal data: evidence purge after the PV, candidate export, erasure after 3 years."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from sqlalchemy import func, select

from cloe_portal.audit.models import AuditEntry
from cloe_portal.candidates import services as candidates
from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto
from cloe_portal.extensions import db
from cloe_portal.jury import services as jury
from cloe_portal.jury.models import JuryReview
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.notifications.schedule import tick
from cloe_portal.privacy import services
from cloe_portal.privacy.models import CandidateErasure, EvidencePurge
from cloe_portal.results.models import Certificate, Result
from cloe_portal.written.models import IntegrityEvent, WrittenAttempt, WrittenResponse
from tests.conftest import PASSWORD

SIGNED_AT = dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)
CHECKS_OK = {"identity_ok": True, "written_ok": True, "oral_ok": True, "fraud": False,
             "fraud_description": None}
FACE = b"\xff\xd8\xff\xe0" + b"visage" * 50
ID_DOC = b"\x89PNG\r\n\x1a\n" + b"piece-identite" * 50


def with_evidence(reg, first_names: str, birth_name: str) -> list[CandidatePhoto]:
    """Identity form, face and ID photos, an integrity log and one scored response."""
    user = reg.candidate
    candidates.save_identity(user, {
        "birth_name": birth_name, "first_names": first_names, "gender": "F",
        "birth_date": dt.date(1990, 5, 17), "birth_city": "Lyon", "birth_country": "France",
        "email": user.email, "address": "3 rue des Lilas", "postcode": "69003",
        "city": "Lyon", "country": "France"})
    photos = [candidates.save_photo(user, None, "face", FACE, "webcam"),
              candidates.save_photo(user, None, "id_document", ID_DOC, "upload")]
    for photo in photos:
        photo.registration_id = reg.id
    attempt = db.session.scalar(select(WrittenAttempt).where(
        WrittenAttempt.registration_id == reg.id))
    db.session.add_all([
        IntegrityEvent(attempt_id=attempt.id, kind="started",
                       at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)),
        IntegrityEvent(attempt_id=attempt.id, kind="tab_hidden", sequence=4,
                       at=dt.datetime(2026, 3, 2, 9, 12, tzinfo=dt.UTC)),
        WrittenResponse(attempt_id=attempt.id, sequence=1, section=0, skill="vocabulary",
                        item_code="EN-VOC-001", item_version=1, item_difficulty=40,
                        item_type="mcq", content={"answer": "CLE-SECRETE-DE-L-ITEM"},
                        shown={"options": ["a", "b"]}, time_limit=30, response=1, score=1.0,
                        status="answered", served_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)),
    ])
    db.session.commit()
    return photos


def sign(world, *regs, frozen_clock) -> None:
    frozen_clock(SIGNED_AT)
    for reg in regs:
        jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    jury.sign_pv(world.referent, regs[0].session, "Julien Moreau", "JE CERTIFIE")
    db.session.commit()


def purge_audits() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "privacy.evidence_purge")))


def test_evidence_is_purged_90_days_after_the_pv_keeping_hashes_and_decision(
        app, client, login, make_ready, world, frozen_clock):
    reg = make_ready(first_name="Camille", last_name="Martin")
    photos = with_evidence(reg, "Camille", "Martin")
    paths = [candidates.photo_path(p) for p in photos]
    hashes = {p.id: hashlib.sha256(data).hexdigest() for p, data in zip(photos, (FACE, ID_DOC), strict=True)}
    sign(world, reg, frozen_clock=frozen_clock)

    frozen_clock(SIGNED_AT + dt.timedelta(days=89, hours=23))
    login(world.referent)
    assert tick(deliver=False)["evidence-purge"] == 0
    assert all(p.exists() for p in paths)
    page = client.get(f"/jury/candidat/{reg.id}").get_data(as_text=True)
    assert f"/candidat/photos/{photos[0].id}" in page and "Photo supprimée" not in page

    frozen_clock(SIGNED_AT + dt.timedelta(days=90))
    assert tick(deliver=False)["evidence-purge"] == 1
    assert not any(p.exists() for p in paths)
    db.session.expire_all()
    for photo in db.session.scalars(select(CandidatePhoto)):
        assert photo.sha256 == hashes[photo.id] and photo.purged_at is not None
    assert db.session.scalar(select(func.count(IntegrityEvent.id))) == 0
    purge = db.session.scalar(select(EvidencePurge))
    assert purge.integrity_events == 2 and len(purge.integrity_sha256) == 64
    assert db.session.scalar(select(JuryReview.decision)) == "validated"
    assert db.session.scalar(select(WrittenAttempt.section_scores)) is not None
    [entry] = purge_audits()
    assert entry.object_type == "registration" and entry.object_id == reg.id
    assert entry.details["kept_hashes"]["photos"] == {str(k): v for k, v in hashes.items()}
    assert entry.details["kept_hashes"]["integrity_log"] == purge.integrity_sha256

    page = client.get(f"/jury/candidat/{reg.id}").get_data(as_text=True)
    assert page.count("Photo supprimée le") == 2
    assert all(h in page for h in hashes.values())
    assert f"/candidat/photos/{photos[0].id}" not in page
    assert "Journal d'intégrité (2 événements) supprimé" in page
    assert client.get(f"/candidat/photos/{photos[0].id}").status_code == 404
    attempt_id = db.session.scalar(select(WrittenAttempt.id))
    written_page = client.get(f"/ecrit/referent/tentative/{attempt_id}").get_data(as_text=True)
    assert "Photo supprimée le" in written_page and purge.integrity_sha256 in written_page

    frozen_clock(SIGNED_AT + dt.timedelta(days=91))
    assert tick(deliver=False)["evidence-purge"] == 0
    assert len(purge_audits()) == 1
    cert = db.session.scalar(select(Certificate))
    assert client.get(f"/verify/{cert.number}").status_code == 200


def test_retention_is_configurable_and_the_command_purges(app, runner, make_ready, world,
                                                          frozen_clock):
    reg = make_ready()
    photos = with_evidence(reg, "Camille", "Martin")
    sign(world, reg, frozen_clock=frozen_clock)
    app.config["EVIDENCE_RETENTION_DAYS"] = 30
    frozen_clock(SIGNED_AT + dt.timedelta(days=29))
    assert "pour 0 dossier" in runner.invoke(args=["purge-evidence"]).output
    frozen_clock(SIGNED_AT + dt.timedelta(days=30))
    result = runner.invoke(args=["purge-evidence"])
    assert result.exit_code == 0 and "pour 1 dossier" in result.output
    assert not candidates.photo_path(photos[0]).exists()


def test_referent_page_lists_upcoming_then_done_purges(client, login, make_ready, world,
                                                       frozen_clock):
    reg = make_ready(first_name="Camille", last_name="Martin")
    with_evidence(reg, "Camille", "Martin")
    sign(world, reg, frozen_clock=frozen_clock)
    login(world.referent)
    page = client.get("/donnees-personnelles/").get_data(as_text=True)
    upcoming = page.split('id="a-venir"')[1].split('id="faites"')[0]
    assert "Camille MARTIN" in upcoming and "03/06/2026" in upcoming  # 5 March + 90 days
    frozen_clock(SIGNED_AT + dt.timedelta(days=90))
    services.purge_due()
    db.session.commit()
    page = client.get("/donnees-personnelles/").get_data(as_text=True)
    done = page.split('id="faites"')[1].split('id="effacements"')[0]
    assert "Camille MARTIN" in done and "2 photos" in done
    assert "Aucune suppression en attente." in page


def _export(client, candidate_id):
    return client.get(f"/donnees-personnelles/candidats/{candidate_id}/export.json")


def test_export_has_every_section_and_nothing_of_another_candidate(
        client, login, make_ready, world, frozen_clock):
    mine = make_ready(first_name="Camille", last_name="Martin")
    other = make_ready(session=mine.session, first_name="Bastien", last_name="Petit")
    with_evidence(mine, "Camille", "Martin")
    with_evidence(other, "Bastien", "Petit")
    sign(world, mine, other, frozen_clock=frozen_clock)
    login(world.referent)
    response = _export(client, mine.candidate_id)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    data = json.loads(body)
    for section in ("compte", "identite", "photos", "inscriptions", "tests_ecrits", "oraux",
                    "decisions_jury", "resultats", "certificats", "emails", "journal_audit"):
        assert data[section], section
    assert data["compte"]["email"] == mine.candidate.email
    assert "password_hash" not in data["compte"]
    assert data["identite"]["birth_name"] == "Martin"
    assert {p["kind"] for p in data["photos"]} == {"face", "id_document"}
    assert all(p["contenu_base64"] for p in data["photos"])
    test = data["tests_ecrits"][0]
    assert [e["kind"] for e in test["journal_integrite"]] == ["started", "tab_hidden"]
    assert test["reponses"][0]["response"] == 1
    assert "CLE-SECRETE-DE-L-ITEM" not in body  # the item's answer key is not personal data
    assert data["oraux"][0]["grille"]["fluency"] == "B1-"
    assert data["decisions_jury"][0]["decision"] == "validated"
    assert data["certificats"][0]["holder_name"] == "Camille MARTIN"
    assert {m["kind"] for m in data["emails"]} >= {"results"}
    assert all(m["to_email"] == mine.candidate.email for m in data["emails"])
    assert {"candidate.identity_saved", "jury.decision"} <= {
        e["action"] for e in data["journal_audit"]}
    # Nothing about the other candidate of the same session and PV.
    for leak in (other.candidate.email, "Bastien", "Petit", "PETIT"):
        assert leak not in body, leak
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export"))
    assert entry.actor_id == world.referent.id and entry.object_id == mine.candidate_id


@pytest.mark.parametrize("role", ["partner", "candidate", "assessor"])
def test_export_and_erasure_are_refused_to_non_staff(client, login, make_ready, world, role):
    reg = make_ready()
    user = {"partner": world.partner_admin, "candidate": reg.candidate,
            "assessor": world.assessor}[role]
    login(user)
    assert _export(client, reg.candidate_id).status_code == 403
    assert client.get(f"/donnees-personnelles/candidats/{reg.candidate_id}").status_code == 403


def test_referent_of_another_centre_gets_404_and_coordinator_may_export(
        client, login, make_ready, make_org, make_user, world):
    reg = make_ready()
    other_cel = make_org("cel", name="CEL Bretagne")
    stranger = make_user("referent", org=other_cel)
    login(stranger)
    assert _export(client, reg.candidate_id).status_code == 404
    assert client.get(f"/donnees-personnelles/candidats/{reg.candidate_id}").status_code == 404
    # A staff account is not a candidate: no export of it here.
    assert _export(client, world.referent.id).status_code == 404
    coordinator = make_user("coordinator")
    coordinator_client = client.application.test_client()
    login(coordinator, test_client=coordinator_client)
    assert _export(coordinator_client, reg.candidate_id).status_code == 200


def _erase(client, candidate_id, reason="Demande du candidat (article 17 RGPD)"):
    path = f"/donnees-personnelles/candidats/{candidate_id}"
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return client.post(f"{path}/effacer", data={"csrf_token": token, "reason": reason})


def test_erasure_refused_before_three_years_then_keeps_only_certificate_data(
        app, client, login, runner, make_ready, world, frozen_clock):
    reg = make_ready(first_name="Camille", last_name="Martin")
    other = make_ready(session=reg.session, first_name="Bastien", last_name="Petit")
    photos = with_evidence(reg, "Camille", "Martin")
    with_evidence(other, "Bastien", "Petit")
    sign(world, reg, other, frozen_clock=frozen_clock)
    candidate = reg.candidate
    old_email = candidate.email
    cert_number = db.session.scalar(select(Certificate.number).where(
        Certificate.registration_id == reg.id))
    until = db.session.scalar(select(Result.available_until).where(
        Result.registration_id == reg.id))

    frozen_clock(until - dt.timedelta(days=1))
    login(world.referent)
    refused = _erase(client, candidate.id)
    assert refused.status_code == 422
    assert "restent en ligne 3 ans après leur publication, jusqu&#39;au 05/03/2029" in (
        refused.get_data(as_text=True))
    db.session.expire_all()
    assert candidate.email == old_email
    assert db.session.scalar(select(func.count(CandidateErasure.id))) == 0

    frozen_clock(until + dt.timedelta(minutes=1))
    missing_reason = _erase(client, candidate.id, reason="  ")
    assert missing_reason.status_code == 422
    assert "Indiquez le motif" in missing_reason.get_data(as_text=True)
    done = _erase(client, candidate.id)
    assert done.status_code == 303

    db.session.expire_all()
    assert candidate.email.endswith("@efface.invalid") and not candidate.active
    assert "Martin" not in candidate.full_name and candidate.password_hash is None
    assert db.session.scalar(select(CandidateIdentity).where(
        CandidateIdentity.user_id == candidate.id)) is None
    assert not any(candidates.photo_path(p).exists() for p in photos)
    assert db.session.scalar(select(WrittenAttempt.identity_snapshot).where(
        WrittenAttempt.registration_id == reg.id)) is None
    assert reg.birth_date is None and reg.cpf_file_number is None
    mails = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.key.like(f"results:registration-{reg.id}%"))))
    assert len(mails) == 2  # candidate and partner admin
    for mail in mails:
        assert "Martin" not in mail.body_text and "MARTIN" not in mail.body_text
        assert mail.body_html is None and "effacé" in mail.body_text
        assert old_email != mail.to_email
    erasure = db.session.scalar(select(CandidateErasure))
    assert erasure.erased_by_id == world.referent.id
    assert erasure.reason == "Demande du candidat (article 17 RGPD)"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "privacy.candidate_erased"))
    assert entry.actor_id == world.referent.id and entry.reason == erasure.reason
    assert old_email not in json.dumps(entry.details)

    # The other candidate of the session is untouched.
    assert other.candidate.email.endswith("@test.cloe.fr")
    assert db.session.scalar(select(CandidateIdentity).where(
        CandidateIdentity.user_id == other.candidate_id)) is not None

    # The certificate is still verifiable and the ledger intact.
    page = client.get(f"/verify/{cert_number}")
    assert page.status_code == 200 and "Camille MARTIN" in page.get_data(as_text=True)
    ledger = runner.invoke(args=["verify-ledger"])
    assert ledger.exit_code == 0, ledger.output
    assert "Registre intègre" in ledger.output

    # The erased candidate can no longer log in; a second erasure is refused.
    fresh = app.test_client()
    response = fresh.post("/login", data={"email": old_email, "password": PASSWORD,
                                          "csrf_token": re.search(
                                              r'name="csrf-token" content="([^"]+)"',
                                              fresh.get("/login").get_data(as_text=True)).group(1)})
    assert response.status_code != 303
    again = _erase(client, candidate.id)
    assert again.status_code == 422 and "Données effacées le" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CandidateErasure.id))) == 1


def test_erasure_refused_while_a_registration_is_open(make_ready, world):
    reg = make_ready()
    status = services.erasure_status(reg.candidate)
    assert not status.allowed and "inscription en cours" in status.message
    with pytest.raises(services.PrivacyError):
        services.erase_candidate(world.referent, reg.candidate, "Demande du candidat")


def test_referent_candidate_page_links_to_personal_data(client, login, make_ready, world):
    reg = make_ready()
    login(world.referent)
    page = client.get(f"/suivi/candidats/{reg.candidate_id}").get_data(as_text=True)
    assert f"/donnees-personnelles/candidats/{reg.candidate_id}" in page
