"""Problem reports: the partner reports (with an optional private attachment), both sides reply
in a thread, the referent moves the status; emails go to the other side; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from cloe_portal.audit.models import AuditEntry
from cloe_portal.core import uploads
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.problem_reports import services
from cloe_portal.problem_reports.models import ProblemReport, ProblemReportMessage
from tests.access_extensions.conftest import token

NOW = dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
TEXT = "La candidate a été vue avec un téléphone pendant le test écrit (capture jointe)."


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _report(client, attachment=None, **data):
    form = {"kind": "fraud", "registration_id": "", "session_id": "", "text": TEXT, **data}
    form["csrf_token"] = token(client, "/signalements/nouveau")
    if attachment is not None:
        name, content = attachment
        form["attachment"] = (io.BytesIO(content), name)
    return client.post("/signalements/nouveau", data=form, content_type="multipart/form-data")


def _reply(client, report, **data):
    path = f"/signalements/{report.id}"
    return client.post(path, data={"csrf_token": token(client, path), **data})


def _reports() -> list[ProblemReport]:
    return list(db.session.scalars(db.select(ProblemReport).order_by(ProblemReport.id)))


def _outbox(kind: str) -> list[str]:
    return sorted(db.session.scalars(db.select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "problem_reports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_partner_reports_with_an_attachment_the_referent_receives_it(app, world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration(last_name="Martin")
    partner = world.client_for(world.admin_a)
    form = _page(partner.get(f"/signalements/nouveau?inscription={reg.id}"))
    assert f'<option selected value="{reg.id}">Camille MARTIN' in form
    assert "PDF, PNG ou JPEG, 10 Mo au plus." in form
    response = _report(partner, ("capture.pdf", PDF), registration_id=str(reg.id))
    assert response.status_code == 303
    report = _reports()[0]
    assert response.headers["Location"].endswith(f"/signalements/{report.id}")
    assert (report.kind, report.status, report.partner_id, report.author_id) == ("fraud", "new", world.a.id, world.admin_a.id)
    assert report.registration_id == reg.id and report.session_id == reg.session_id  # the session follows
    assert report.attachment_name == "capture.pdf" and report.attachment_mimetype == "application/pdf"
    assert report.attachment_sha256 == hashlib.sha256(PDF).hexdigest()
    stored = uploads.upload_dir("problem_reports") / report.attachment_stored_name
    assert stored.read_bytes() == PDF and "static" not in str(stored)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "problem_report.created")).one()
    assert entry.actor_id == world.admin_a.id and entry.details["status"] == {"from": None, "to": "new"}
    assert _outbox("problem-report-new") == [world.referent.email]  # not the other centre's referent
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "problem-report-new")).one()
    assert "Alpha Langues" in mail.subject and TEXT in mail.body_text and f"/signalements/{report.id}" in mail.body_text

    referent = world.client_for(world.referent)
    home = _page(referent.get("/reseau/accueil"))
    assert "Signalements ouverts" in home and f"/signalements/{report.id}" in home
    queue = _page(referent.get("/signalements/"))
    assert "Comportement du candidat / suspicion de fraude" in queue and "Camille MARTIN" in queue
    detail = _page(referent.get(f"/signalements/{report.id}"))
    assert TEXT in detail and "capture.pdf" in detail
    for client in (partner, referent):
        download = client.get(f"/signalements/{report.id}/piece-jointe")
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(("attachment", "message"), [
    (("notes.txt", b"just some text"), "Format refusé : seuls les fichiers PDF, PNG ou JPEG sont acceptés."),
    (("virus.exe", b"MZ\x90\x00" + b"\x00" * 100), "Format refusé"),
    (("photo.pdf", PNG), "ne correspond pas à son extension"),
    (("vide.pdf", b""), "Le fichier est vide."),
])
def test_attachment_of_the_wrong_type_is_refused_beside_the_field(app, world, frozen_clock, attachment, message):
    frozen_clock(NOW)
    before = _stored_files(app)
    response = _report(world.client_for(world.admin_a), attachment)
    assert response.status_code == 422
    page = _page(response)
    assert message in page and 'id="attachment-error"' in page
    assert _reports() == [] and _stored_files(app) == before and _outbox("problem-report-new") == []


def test_a_report_needs_no_attachment(world, frozen_clock):
    frozen_clock(NOW)
    assert _report(world.client_for(world.admin_a)).status_code == 303
    report = _reports()[0]
    assert report.attachment_name is None
    assert world.client_for(world.admin_a).get(f"/signalements/{report.id}/piece-jointe").status_code == 404


def test_attachment_above_the_size_limit_is_refused(app, world, frozen_clock):
    frozen_clock(NOW)
    before = _stored_files(app)
    with pytest.raises(services.ReportError, match="dépasse 1 Mo"):
        services.create_report(world.admin_a, "technical", TEXT,
                               attachment=("gros.pdf", PDF + b"0" * (1024 * 1024)), max_bytes=1024 * 1024)
    db.session.rollback()
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # MAX_UPLOAD_MB=1: the request itself is refused
    client = world.client_for(world.admin_a)
    # Encoded here so that the test client does not spool the body to a temp file.
    boundary, body = encode_multipart(MultiDict({
        "csrf_token": token(client, "/signalements/nouveau"), "kind": "fraud", "text": TEXT,
        "attachment": FileStorage(io.BytesIO(PDF + b"0" * (2 * 1024 * 1024)), filename="gros.pdf",
                                  content_type="application/pdf")}))
    response = client.post("/signalements/nouveau", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413 and "Fichier trop volumineux" in _page(response)
    assert _reports() == [] and _stored_files(app) == before


@pytest.mark.parametrize(("data", "message"), [
    ({"text": "  "}, "Décrivez le problème."),
    ({"kind": ""}, "Choisissez le type de problème."),
    ({"kind": "weather"}, "N'est pas un choix valide."),
])
def test_incomplete_reports_say_why_and_change_nothing(world, frozen_clock, data, message):
    frozen_clock(NOW)
    response = _report(world.client_for(world.admin_a), **data)
    assert response.status_code == 422 and message in _page(response)
    assert _reports() == [] and _outbox("problem-report-new") == []


def test_another_partners_candidate_or_session_cannot_be_named(world, frozen_clock):
    frozen_clock(NOW)
    mine = world.registration(world.a, last_name="Alphonse")
    theirs = world.registration(world.b, last_name="Bertrand")
    partner = world.client_for(world.admin_a)
    page = _page(partner.get("/signalements/nouveau"))
    assert "ALPHONSE" in page and "BERTRAND" not in page
    assert partner.get(f"/signalements/nouveau?inscription={theirs.id}").status_code == 404
    assert partner.get(f"/signalements/nouveau?session={theirs.session_id}").status_code == 404
    assert partner.get(f"/signalements/nouveau?session={mine.session_id}").status_code == 200
    response = _report(partner, registration_id=str(theirs.id))
    assert response.status_code == 422 and "Choisissez un de vos candidats." in _page(response)
    response = _report(partner, session_id=str(theirs.session_id))
    assert response.status_code == 422 and "Choisissez une de vos sessions." in _page(response)
    other_session = world.registration(world.a, last_name="Autre").session_id
    response = _report(partner, registration_id=str(mine.id), session_id=str(other_session))
    assert response.status_code == 422 and "Ce candidat n'est pas inscrit à cette session." in _page(response)
    assert _reports() == []


def test_thread_status_and_emails_to_the_other_side(world, frozen_clock):
    frozen_clock(NOW)
    partner = world.client_for(world.admin_a)
    referent = world.client_for(world.referent)
    _report(partner, kind="technical")
    report = _reports()[0]

    # The referent's reply takes a new report up; the partner is emailed.
    response = _reply(referent, report, text="Nous regardons le journal du test.", status="new")
    assert response.status_code == 303
    db.session.expire_all()
    report = _reports()[0]
    assert report.status == "in_progress" and [m.from_staff for m in report.messages] == [True]
    assert _outbox("problem-report-reply") == [world.admin_a.email]
    change = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "problem_report.status")).one()
    assert change.actor_id == world.referent.id and change.details["status"] == {"from": "new", "to": "in_progress"}
    page = _page(partner.get(f"/signalements/{report.id}"))
    assert "Nous regardons le journal du test." in page and "Centre référent" in page and "En cours" in page

    # The partner answers; the referents of its centre are emailed.
    assert _reply(partner, report, text="Merci, le candidat confirme l'écran figé.").status_code == 303
    assert _outbox("problem-report-reply") == sorted([world.admin_a.email, world.referent.email])
    assert "le candidat confirme" in _page(referent.get(f"/signalements/{report.id}"))

    # The referent closes it (no text needed); the partner can no longer reply.
    assert _reply(referent, report, text="", status="closed").status_code == 303
    db.session.expire_all()
    report = _reports()[0]
    assert report.status == "closed" and report.closed_at == NOW
    assert [e.details["status"] for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "problem_report.status").order_by(AuditEntry.id))] == [
        {"from": "new", "to": "in_progress"}, {"from": "in_progress", "to": "closed"}]
    closed_page = _page(partner.get(f"/signalements/{report.id}"))
    assert "Ce signalement est clos" in closed_page and "Votre réponse" not in closed_page
    refused = _reply(partner, report, text="Encore une chose.")
    assert refused.status_code == 422 and "Ce signalement est clos" in _page(refused)
    refused = _reply(referent, report, text="Un ajout.", status="closed")
    assert refused.status_code == 422 and "rouvrez-le" in _page(refused)
    db.session.expire_all()
    assert len(_reports()[0].messages) == 2 and _reports()[0].status == "closed"
    # Reopening is a status change too.
    assert _reply(referent, report, text="Nous rouvrons : nouvel élément.", status="in_progress").status_code == 303
    db.session.expire_all()
    assert _reports()[0].status == "in_progress" and _reports()[0].closed_at is None


def test_empty_replies_are_refused(world, frozen_clock):
    frozen_clock(NOW)
    partner = world.client_for(world.admin_a)
    _report(partner)
    report = _reports()[0]
    response = _reply(partner, report, text=" ")
    assert response.status_code == 422 and "Écrivez votre réponse." in _page(response)
    response = _reply(world.client_for(world.referent), report, text="", status="new")
    assert response.status_code == 422 and "Écrivez une réponse ou changez le statut." in _page(response)
    # A partner cannot change the status, even by posting one.
    _reply(partner, report, text="Précision.", status="closed")
    db.session.expire_all()
    assert _reports()[0].status == "new"
    assert db.session.scalar(db.select(db.func.count(ProblemReportMessage.id))) == 1
    assert db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "problem_report.status")).all() == []


def test_another_partner_or_centre_gets_404_and_nothing_changes(world, frozen_clock):
    frozen_clock(NOW)
    _report(world.client_for(world.admin_a), ("capture.pdf", PDF))
    report = _reports()[0]
    for intruder in (world.admin_b, world.other_referent):
        client = world.client_for(intruder)
        assert client.get(f"/signalements/{report.id}").status_code == 404
        assert client.get(f"/signalements/{report.id}/piece-jointe").status_code == 404
        assert client.post(f"/signalements/{report.id}", data={
            "csrf_token": token(client, "/signalements/"), "text": "Intrusion", "status": "closed"}).status_code == 404
        assert f"/signalements/{report.id}" not in client.get("/signalements/").get_data(as_text=True)
    assert world.client_for(world.referent).get(f"/signalements/?partner={world.c.id}").status_code == 404
    db.session.expire_all()
    report = _reports()[0]
    assert report.status == "new" and report.messages == []
    assert world.client_for(world.coordinator).get(f"/signalements/{report.id}").status_code == 200
