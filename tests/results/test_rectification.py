"""Identity rectification after the fact: the civil status is corrected with a reason and
evidence, the documents are reissued under a new number, the ledger and /verify follow."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from cloe_portal.audit.models import AuditEntry
from cloe_portal.candidates.models import CandidateIdentity
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.results import rectification, services
from cloe_portal.results.models import Certificate, IdentityRectification, LedgerEntry, Result
from tests.conftest import csrf_token
from tests.results.factories import publish_one as publish
from tests.results.factories import with_identity

EVIDENCE = b"%PDF-1.4\n% acte de naissance\n" + b"0" * 200


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def civil(identity: CandidateIdentity, **changes) -> dict:
    data = {name: getattr(identity, name) for name in rectification.CIVIL_STATUS_FIELDS}
    return {**data, **changes}


def snapshot() -> dict:
    """Row counts and the identity: what a refused rectification must leave unchanged."""
    return {
        "results": db.session.scalar(select(func.count(Result.id))),
        "certificates": db.session.scalar(select(func.count(Certificate.id))),
        "ledger": db.session.scalar(select(func.count(LedgerEntry.id))),
        "rectifications": db.session.scalar(select(func.count(IdentityRectification.id))),
        "mails": db.session.scalar(select(func.count(OutboxMessage.id))),
        "names": sorted(db.session.scalars(select(CandidateIdentity.first_names))),
        "revoked": db.session.scalar(select(func.count(Certificate.id)).where(
            Certificate.revoked_at.is_not(None))),
    }


def test_rectification_reissues_the_certificate_under_a_new_number(
        client, runner, make_ready, world):
    reg = make_ready(score=42, criterion="B1-")
    identity = with_identity(reg)
    old = publish(world, reg)
    old_number = old.certificate.number
    assert "Camile DURAND" in pdf_text(old.certificate.pdf)

    done = rectification.rectify_identity(
        world.referent, reg.candidate, civil(identity, first_names="Camille"),
        "Prénom mal orthographié à l'inscription", ("acte.pdf", EVIDENCE))
    db.session.commit()

    new = services.current_result(reg)
    assert new.id != old.id and db.session.get(Result, old.id).replaced
    new_number = new.certificate.number
    assert new_number != old_number and new_number.startswith("CLOE-")
    assert done.reissued == [{"result_id": old.id, "new_result_id": new.id,
                              "old_number": old_number, "new_number": new_number}]
    assert "Camille DURAND" in pdf_text(new.certificate.pdf)
    assert "Camille DURAND" in pdf_text(new.attestation_pdf)
    # The certification date stays the jury's.
    assert new.certificate.certified_on == old.certificate.certified_on
    # Ledger: issue (old), issue (new), revocation of the old "reissued as <new>".
    entries = list(db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)))
    assert [(e.kind, e.certificate_number) for e in entries] == [
        ("issue", old_number), ("issue", new_number), ("revoke", old_number)]
    old_cert = db.session.scalar(select(Certificate).where(Certificate.number == old_number))
    assert old_cert.revoked and old_cert.replaced_by_number == new_number
    assert old_cert.revoked_reason.startswith(f"Réédité sous le n° {new_number}")
    assert services.verify_ledger().ok
    assert runner.invoke(args=["verify-ledger"]).exit_code == 0
    # /verify: the old number says it was replaced and links the new one.
    page = client.get(f"/verify/{old_number}").get_data(as_text=True)
    assert "a été remplacé" in page and f'href="/verify/{new_number}"' in page
    assert "Certificat authentique" not in page
    fresh = client.get(f"/verify/{new_number}").get_data(as_text=True)
    assert "Certificat authentique" in fresh and "Camille DURAND" in fresh
    # The evidence is kept privately with its SHA-256.
    assert done.evidence_mime == "application/pdf"
    stored = Path(client.application.config["UPLOAD_DIR"]) / "rectifications" / done.evidence_stored
    assert stored.read_bytes() == EVIDENCE
    # The candidate and the partner get the new PDFs attached.
    mails = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "results-reissued")))
    assert {m.to_email for m in mails} == {reg.candidate.email, world.partner_admin.email}
    for mail in mails:
        assert new_number in mail.body_text and old_number in mail.body_text
        names = [a["filename"] for a in mail.attachments]
        assert f"certificat-{new_number}.pdf" in names
        pdf = base64.b64decode(mail.attachments[-1]["content"])
        assert "Camille DURAND" in pdf_text(pdf)
    # Audit: the rectification and the reissue with before → after.
    rectified = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "candidate.identity.rectified"))
    assert rectified.details["before"] == {"first_names": "Camile"}
    assert rectified.details["after"] == {"first_names": "Camille"}
    reissued = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.reissued"))
    assert reissued.object_type == "registration" and reissued.object_id == reg.id
    assert reissued.details["before"]["certificate"] == old_number
    assert reissued.details["after"]["certificate"] == new_number
    assert reissued.details["before"]["holder_name"] == "Camile DURAND"
    assert reissued.details["after"]["holder_name"] == "Camille DURAND"


def test_an_attestation_alone_is_reissued_and_the_old_one_is_history(
        client, login, make_ready, world):
    reg = make_ready(target="C1", score=42, criterion="B1-")
    identity = with_identity(reg, birth_name="Dupond")
    old = publish(world, reg)
    assert old.certificate is None
    rectification.rectify_identity(world.referent, reg.candidate,
                                   civil(identity, birth_name="Dupont"),
                                   "Nom de naissance erroné", ("acte.png",
                                                               b"\x89PNG\r\n\x1a\n" + b"0" * 99))
    db.session.commit()
    new = services.current_result(reg)
    assert new.certificate is None and "Camile DUPONT" in pdf_text(new.attestation_pdf)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0
    login(reg.candidate)
    page = client.get("/resultats").get_data(as_text=True)
    assert f"/resultats/{new.id}/attestation.pdf" in page
    assert f"/resultats/{old.id}/attestation.pdf" not in page
    gone = client.get(f"/resultats/{old.id}/attestation.pdf")
    assert gone.status_code == 410 and "a été remplacé" in gone.get_data(as_text=True)
    assert client.get(f"/resultats/{new.id}/attestation.pdf").status_code == 200


@pytest.fixture
def certified(make_ready, world):
    """A candidate with an identity whose certificate is published."""
    reg = make_ready(score=42, criterion="B1-")
    identity = with_identity(reg)
    publish(world, reg)
    return reg, identity


def _post(client, candidate_id: int, **data):
    path = f"/resultats/candidats/{candidate_id}/etat-civil"
    form = {"csrf_token": csrf_token(client, "/resultats/registre"), **data}
    return client.post(path, data=form, content_type="multipart/form-data")


def _form(identity: CandidateIdentity, **changes) -> dict:
    data = {"birth_name": identity.birth_name, "usage_name": identity.usage_name or "",
            "first_names": identity.first_names, "gender": identity.gender,
            "birth_date": identity.birth_date.strftime("%d/%m/%Y"),
            "birth_city": identity.birth_city, "birth_country": identity.birth_country,
            "birth_department": identity.birth_department or ""}
    return {**data, **changes}


def test_the_referent_rectifies_over_http(client, login, make_ready, world):
    reg = make_ready(score=42, criterion="B1-")
    identity = with_identity(reg)
    old = publish(world, reg)
    login(world.referent)
    page = client.get(f"/suivi/candidats/{reg.candidate_id}").get_data(as_text=True)
    assert f"/resultats/candidats/{reg.candidate_id}/etat-civil" in page
    form_page = client.get(f"/resultats/candidats/{reg.candidate_id}/etat-civil")
    assert form_page.status_code == 200
    assert old.certificate.number in form_page.get_data(as_text=True)
    response = _post(client, reg.candidate_id, **_form(identity, first_names="Camille"),
                     reason="Prénom mal orthographié",
                     evidence=(io.BytesIO(EVIDENCE), "acte.pdf"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    new_number = services.current_result(reg).certificate.number
    assert "État civil rectifié" in page and new_number in page
    done = db.session.scalar(select(IdentityRectification))
    evidence = client.get(f"/resultats/rectifications/{done.id}/justificatif")
    assert evidence.status_code == 200 and evidence.data == EVIDENCE
    assert evidence.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("changes", "field_message"), [
    ({"reason": ""}, "Indiquez le motif de la rectification."),
    ({"evidence": None}, "Joignez le justificatif"),
    ({"evidence": (io.BytesIO(b"MZ not a document"), "acte.pdf")}, "Format refusé"),
    ({"first_names": "Camile"}, "Aucun champ de l'état civil n'a changé"),
    ({"first_names": ""}, "Ce champ est obligatoire."),
])
def test_refused_rectifications_say_why_and_change_nothing(
        client, login, certified, world, changes, field_message):
    reg, identity = certified
    before = snapshot()
    login(world.referent)
    data = {**_form(identity, first_names="Camille"), "reason": "Prénom mal orthographié",
            "evidence": (io.BytesIO(EVIDENCE), "acte.pdf"), **changes}
    if data["evidence"] is None:
        del data["evidence"]
    response = _post(client, reg.candidate_id, **data)
    assert response.status_code == 422
    assert field_message in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert snapshot() == before


def test_another_centre_cannot_rectify_and_a_partner_is_refused(
        client, login, certified, world, make_org, make_user):
    reg, identity = certified
    before = snapshot()
    other = make_user("referent", org=make_org("cel", name="CEL Bretagne"))
    login(other)
    path = f"/resultats/candidats/{reg.candidate_id}/etat-civil"
    assert client.get(path).status_code == 404
    response = _post(client, reg.candidate_id, **_form(identity, first_names="Camille"),
                     reason="x", evidence=(io.BytesIO(EVIDENCE), "acte.pdf"))
    assert response.status_code == 404
    db.session.expire_all()
    assert snapshot() == before
    client.post("/logout", data={"csrf_token": csrf_token(client, "/resultats/registre")})
    login(world.partner_admin)
    assert client.get(path).status_code == 403


def test_a_candidate_without_identity_has_nothing_to_rectify(client, login, make_ready, world):
    reg = make_ready(score=42, criterion="B1-")
    login(world.referent)
    page = client.get(f"/resultats/candidats/{reg.candidate_id}/etat-civil")
    assert page.status_code == 200
    assert "n'a pas encore rempli son identité" in html.unescape(page.get_data(as_text=True))
    with pytest.raises(rectification.RectificationError, match="rien à rectifier"):
        rectification.rectify_identity(world.referent, reg.candidate, {}, "motif",
                                       ("a.pdf", EVIDENCE))


def test_a_replaced_result_cannot_be_reissued_twice(make_ready, world):
    reg = make_ready(score=42, criterion="B1-")
    with_identity(reg)
    old = publish(world, reg)
    services.reissue(world.referent, old, "Première réédition")
    db.session.commit()
    with pytest.raises(services.ResultsError, match="déjà été remplacé"):
        services.reissue(world.referent, old, "Seconde réédition")
    with pytest.raises(services.ResultsError, match="motif"):
        services.reissue(world.referent, services.current_result(reg), "  ")
