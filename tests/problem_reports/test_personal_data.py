"""A candidate's personal-data export lists the partner's requests about it; erasure blanks their
texts, deletes a report's attachment and redacts the emails that named the candidate."""

from __future__ import annotations

import datetime as dt

from cloe_portal.access_extensions import services as extensions
from cloe_portal.access_extensions.models import AccessExtensionRequest
from cloe_portal.core import uploads
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.privacy import services as privacy
from cloe_portal.problem_reports import services as reports
from cloe_portal.problem_reports.models import ProblemReport

NOW = dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC)
ILLNESS = "Hospitalisation du candidat (pneumonie), bulletin reçu."


def test_export_then_erasure_of_the_requests_about_a_candidate(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration(last_name="Perrin")
    extensions.request_extension(world.admin_a, reg, "booking", 10, ILLNESS)
    report = reports.create_report(world.admin_a, "fraud", "Camille PERRIN a utilisé un téléphone.",
                                   registration_id=reg.id, attachment=("photo.pdf", b"%PDF-1.4 preuve"))
    reports.respond(world.referent, report, "Nous transmettons au jury.")
    other = world.registration(last_name="Autre")
    reports.create_report(world.admin_a, "technical", "Autre candidat.", registration_id=other.id)
    db.session.commit()

    data = privacy.candidate_export(world.referent, reg.candidate)
    assert [e["reason"] for e in data["prolongations_acces"]] == [ILLNESS]
    assert [r["text"] for r in data["signalements"]] == ["Camille PERRIN a utilisé un téléphone."]
    assert data["signalements"][0]["echanges"][0]["text"] == "Nous transmettons au jury."
    assert "attachment_stored_name" not in data["signalements"][0]

    reg.status, reg.status_changed_at = "cancelled", NOW - dt.timedelta(days=4 * 366)
    db.session.commit()
    stored = uploads.upload_dir("problem_reports") / report.attachment_stored_name
    assert stored.exists()
    erasure = privacy.erase_candidate(world.referent, reg.candidate, "Demande du candidat")
    db.session.commit()
    assert erasure.summary["extension_requests_erased"] == 1 and erasure.summary["problem_reports_erased"] == 1
    db.session.expire_all()
    item = db.session.scalars(db.select(AccessExtensionRequest)).one()
    assert item.reason == extensions.ERASED
    kept = db.session.get(ProblemReport, report.id)
    assert kept.text == reports.ERASED and [m.text for m in kept.messages] == [reports.ERASED]
    assert kept.attachment_name is None and kept.attachment_sha256 is not None and not stored.exists()
    assert db.session.scalars(db.select(ProblemReport).where(
        ProblemReport.registration_id == other.id)).one().text == "Autre candidat."
    named = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind.in_(
        ("extension-requested", "problem-report-new", "problem-report-reply")))).all()
    about_erased = [m for m in named if f"registration-{reg.id}:" in m.key]
    assert len(about_erased) == 3 and all(m.subject == "[Message effacé]" for m in about_erased)
    assert all("PERRIN" not in (m.body_text + m.subject) for m in about_erased)
