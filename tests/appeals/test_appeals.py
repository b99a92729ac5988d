"""Appeals: filing within the deadline, the referent's four decisions, the second assessor's
blind re-marking, the way back through the jury, and every refusal changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cloe_portal.appeals import services
from cloe_portal.appeals.models import Appeal
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.jury import services as jury
from cloe_portal.jury.models import JuryReview
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.results.models import Certificate, LedgerEntry, Result
from cloe_portal.sessions.models import Registration
from tests.appeals.conftest import TEXT, real_attempt, state
from tests.results.factories import CHECKS_OK, sign


def kinds_to(email: str) -> list[str]:
    return [m.kind for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_email == email).order_by(OutboxMessage.id))]


def file(actor, reg, ground="score", text=TEXT, attachment=None) -> Appeal:
    appeal = services.file_appeal(actor, reg, ground, text, attachment)
    db.session.commit()
    return appeal


# --- filing -------------------------------------------------------------------------------------


def test_the_candidate_files_and_everyone_concerned_is_told(published, world):
    reg = published()
    appeal = file(reg.candidate, reg, "written_incident",
                  attachment=("capture.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64))
    assert appeal.status == "filed" and appeal.partner_id == world.partner.id
    assert appeal.result_id == services.results.current_result(reg).id
    assert appeal.attachment_mime == "image/png" and len(appeal.attachment_sha256) == 64
    assert "appeal-filed" in kinds_to(reg.candidate.email)
    assert "appeal-filed" in kinds_to(world.partner_admin.email)
    assert "appeal-filed-referent" in kinds_to(world.referent.email)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "appeal.filed"))
    assert (entry.object_type, entry.object_id) == ("registration", reg.id)
    assert entry.details["ground"] == "written_incident"
    assert entry.details["before"] == {"appeal": None}
    assert entry.details["after"] == {"appeal": "filed"}


def test_the_partner_files_for_its_candidate(published, world):
    reg = published()
    appeal = file(world.partner_admin, reg, "oral_conduct")
    assert appeal.filed_by_id == world.partner_admin.id


def test_too_late_wrong_status_twice_and_other_people_are_refused(
        published, make_ready, world, make_user, frozen_clock, app):
    reg = published()
    not_published = make_ready()
    other = make_user("candidate", org=world.partner)
    before = state()
    frozen_clock(services.deadline(reg) + dt.timedelta(seconds=1))
    with pytest.raises(services.AppealError, match="délai de recours est dépassé"):
        services.file_appeal(reg.candidate, reg, "score", TEXT)
    db.session.rollback()
    frozen_clock(services.deadline(reg) - dt.timedelta(minutes=1))
    with pytest.raises(services.AppealError, match="ne pouvez pas"):
        services.file_appeal(other, reg, "score", TEXT)
    db.session.rollback()
    with pytest.raises(services.AppealError, match="Seuls des résultats publiés"):
        services.file_appeal(not_published.candidate, not_published, "score", TEXT)
    db.session.rollback()
    with pytest.raises(services.AppealError, match="Exposez les faits") as missing:
        services.file_appeal(reg.candidate, reg, "score", "   ")
    assert missing.value.field == "text"
    db.session.rollback()
    assert state() == before
    file(reg.candidate, reg)
    with pytest.raises(services.AppealError, match="déjà été déposé"):
        services.file_appeal(world.partner_admin, reg, "score", TEXT)


def test_the_deadline_follows_the_configuration(published, app, frozen_clock):
    reg = published()
    app.config["APPEAL_DAYS"] = 10
    frozen_clock(services.results.first_results_at(reg) + dt.timedelta(days=10, minutes=1))
    assert "10 jours" in services.filing_blocker(reg)


# --- rejection and retake -------------------------------------------------------------------------


def test_rejection_needs_a_reason_and_closes_the_appeal(published, world):
    reg = published()
    appeal = file(reg.candidate, reg)
    before = state()
    with pytest.raises(services.AppealError, match="motif de la décision"):
        services.reject(world.referent, appeal, " ")
    db.session.rollback()
    assert state() == before
    services.reject(world.referent, appeal, "Aucun incident dans le journal d'intégrité.")
    db.session.commit()
    assert (appeal.status, appeal.outcome, appeal.result_changed) == ("closed", "rejected", False)
    assert "appeal-decided" in kinds_to(reg.candidate.email)
    assert "appeal-decided" in kinds_to(world.partner_admin.email)
    decided = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "appeal.decided"))
    assert decided.details["before"] == {"status": "filed"}
    assert decided.details["after"] == {"status": "closed", "outcome": "rejected"}
    before = state()
    with pytest.raises(services.AppealError, match="n'est plus à instruire"):
        services.grant_retake(world.referent, appeal, "Trop tard")
    db.session.rollback()
    assert state() == before


def test_a_free_retake_is_a_new_registration_with_the_same_partner(published, world, app):
    reg = published(target="B2")
    appeal = file(world.partner_admin, reg, "written_incident")
    with app.test_request_context("/"):  # the enrolment email links the login page
        retake = services.grant_retake(world.referent, appeal, "Coupure réseau avérée")
    db.session.commit()
    assert retake.partner_id == reg.partner_id and retake.candidate_id == reg.candidate_id
    assert retake.session_id != reg.session_id and retake.session.kind == "individual"
    assert retake.session.language == reg.session.language
    assert (retake.funding, retake.cpf_file_number, retake.status) == ("other", None, "enrolled")
    assert retake.target_level == "B2"
    assert services.retake_appeals([retake.id]) == {retake.id: appeal}
    assert (appeal.status, appeal.outcome) == ("closed", "retake")
    # The published result stays in force.
    assert db.session.get(Registration, reg.id).status == "results_issued"
    assert {"enrolment", "appeal-decided"} <= set(kinds_to(reg.candidate.email))


def test_the_retake_is_flagged_on_the_candidate_page(published, world, app, client, login):
    reg = published()
    appeal = file(reg.candidate, reg, "written_incident")
    with app.test_request_context("/"):
        services.grant_retake(world.referent, appeal, "Coupure réseau avérée")
    db.session.commit()
    login(world.partner_admin)
    page = client.get(f"/suivi/candidats/{reg.candidate_id}").get_data(as_text=True)
    assert f"Accordée sur recours (n° {appeal.id})" in page
    assert f"Reprise sur recours n° {appeal.id}" in page


# --- written re-scoring ---------------------------------------------------------------------------


def test_rescoring_replays_the_attempt_and_a_change_goes_through_the_jury(
        published, make_ready, world, client, runner):
    reg = make_ready(score=None, criterion="B1-")
    real_attempt(reg)
    from cloe_portal.written.services import attempt_for

    attempt = attempt_for(reg)
    true_scores = dict(attempt.section_scores)
    # A scoring defect stored a wrong grammar score: the published result is too low.
    attempt.section_scores = {**true_scores, "grammar": max(0, true_scores["grammar"] - 30)}
    db.session.commit()
    from tests.results.factories import publish_one, with_identity

    with_identity(reg, first_names="Camille")
    old = publish_one(world, reg)
    appeal = file(reg.candidate, reg, "score")

    preview = services.rescore_preview(appeal)
    assert preview.path_matches and preview.changed
    rows = {r.skill: (r.before, r.after) for r in preview.rows}
    assert rows["grammar"] == (true_scores["grammar"] - 30, true_scores["grammar"])
    assert rows["vocabulary"][0] == rows["vocabulary"][1]

    services.rescore(world.referent, appeal, "Recorrection demandée par le candidat")
    db.session.commit()
    assert appeal.status == "jury" and appeal.scores_after["grammar"] == true_scores["grammar"]
    assert attempt_for(reg).section_scores == true_scores
    assert reg.status == "awaiting_jury"
    rescored = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "written.rescored"))
    assert rescored.details["before"]["grammar"] == true_scores["grammar"] - 30
    assert rescored.details["after"]["grammar"] == true_scores["grammar"]
    # The jury's queue holds it again, and a new review is taken (history kept).
    assert reg.id in [i.registration.id for i in jury.jury_queue(world.referent)]
    jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    db.session.commit()
    reviews = jury.reviews_of(reg)
    assert len(reviews) == 2 and reviews[0].frozen and not reviews[1].frozen
    pv = sign(world, reg.session)
    assert pv.number == 2
    new = services.results.current_result(reg)
    assert new.id != old.id and new.review_id == reviews[1].id
    assert new.levels["scores"]["grammar"] == true_scores["grammar"]
    assert (appeal.status, appeal.outcome, appeal.result_changed) == ("closed", "rescored", True)
    assert appeal.new_result_id == new.id and reg.status == "results_issued"
    assert "results-reissued" in kinds_to(reg.candidate.email)
    assert services.results.verify_ledger().ok


def test_rescoring_without_change_closes_the_appeal_and_the_result_stands(published, make_ready,
                                                                          world):
    reg = make_ready(score=None, criterion="B1-")
    real_attempt(reg)
    from tests.results.factories import publish_one, with_identity

    with_identity(reg)
    old = publish_one(world, reg)
    appeal = file(reg.candidate, reg)
    services.rescore(world.referent, appeal, "Vérification")
    db.session.commit()
    assert (appeal.status, appeal.outcome, appeal.result_changed) == ("closed", "rescored", False)
    assert services.results.current_result(reg).id == old.id
    assert reg.status == "results_issued"
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "written.rescored")) is None


# --- oral re-marking ---------------------------------------------------------------------------


def test_the_first_assessor_cannot_be_second_and_nothing_changes(published, world, accredit,
                                                                  make_user):
    reg = published()
    appeal = file(reg.candidate, reg, "oral_conduct")
    first = db.session.get(type(world.assessor), services.first_assessor_id(appeal))
    unaccredited = make_user("assessor", org=world.cel, last_name="Sansagrement")
    before = state()
    with pytest.raises(services.AppealError, match="a fait passer cet oral") as refused:
        services.assign_second_assessor(world.referent, appeal, first, "Seconde évaluation")
    assert refused.value.field == "assessor_id"
    db.session.rollback()
    with pytest.raises(services.AppealError, match="n'est pas habilité"):
        services.assign_second_assessor(world.referent, appeal, unaccredited, "Seconde éval.")
    db.session.rollback()
    with pytest.raises(services.AppealError, match="motif"):
        services.assign_second_assessor(world.referent, appeal, None, "")
    db.session.rollback()
    assert state() == before
    assert first not in services.second_assessor_choices(appeal)


def test_a_remark_that_changes_the_levels_goes_through_the_jury_and_is_reissued(
        published, world, accredit, make_user, client):
    reg = published(target="B2", criterion="B1-")
    old = services.results.current_result(reg)
    assert old.certificate is None
    appeal = file(reg.candidate, reg, "oral_conduct")
    second = accredit(make_user("assessor", org=world.cel, last_name="Second"))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Contestation")
    db.session.commit()
    assert appeal.status == "remark" and remark.assessor_id == second.id
    assert "appeal-remark" in kinds_to(second.email)
    # Blind: the grid starts empty; a partial save keeps the appeal open.
    assert all(getattr(remark, c) is None for c in ("range", "fluency"))
    services.save_remark(second, remark, {"range": "B2"}, None)
    with pytest.raises(services.AppealError, match="incomplète"):
        services.validate_remark(second, remark)
    db.session.rollback()
    levels = {c: "B2+" for c in ("range", "accuracy", "fluency", "pronunciation", "interaction")}
    from tests.results.factories import REPORT

    services.save_remark(second, remark, levels, REPORT)
    services.validate_remark(second, remark)
    db.session.commit()
    assert appeal.status == "jury" and appeal.scores_before["range"] == "B1-"
    assert appeal.scores_after["range"] == "B2+"
    file_ = jury.candidate_file(reg)
    assert file_.appeal == appeal and file_.review is None and len(file_.history) == 1
    assert file_.outcome.remarked and file_.outcome.first_criteria["range"] == "B1-"
    assert file_.outcome.criteria["range"] == "B2+"
    jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    sign(world, reg.session)
    new = services.results.current_result(reg)
    assert new.id != old.id and new.levels["criteria"]["range"] == "B2+"
    assert db.session.get(Result, old.id).replaced_by_id == new.id
    assert (appeal.status, appeal.outcome, appeal.result_changed) == ("closed", "remarked", True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "appeal.closed"))


def test_a_remark_with_the_same_grid_closes_the_appeal_unchanged(published, world, accredit,
                                                                 make_user):
    reg = published()
    old = services.results.current_result(reg)
    appeal = file(reg.candidate, reg, "score")
    second = accredit(make_user("assessor", org=world.cel))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Contestation")
    from tests.results.factories import REPORT

    services.save_remark(second, remark, {c: "B1-" for c in (
        "range", "accuracy", "fluency", "pronunciation", "interaction")}, REPORT)
    services.validate_remark(second, remark)
    db.session.commit()
    assert (appeal.status, appeal.result_changed) == ("closed", False)
    assert services.results.current_result(reg).id == old.id
    assert reg.status == "results_issued"
    assert "appeal-decided" in kinds_to(reg.candidate.email)


def test_a_certificate_lost_on_appeal_is_revoked_as_replaced_by_an_attestation(
        published, world, accredit, make_user):
    reg = published(target="B1", criterion="B1-")
    old = services.results.current_result(reg)
    number = old.certificate.number
    appeal = file(world.partner_admin, reg, "other")
    second = accredit(make_user("assessor", org=world.cel))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Signalement")
    from tests.results.factories import REPORT

    services.save_remark(second, remark, {c: "A2" for c in (
        "range", "accuracy", "fluency", "pronunciation", "interaction")}, REPORT)
    services.validate_remark(second, remark)
    jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    sign(world, reg.session)
    new = services.results.current_result(reg)
    assert new.certificate is None
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    assert cert.revoked and cert.replaced_by_number is None
    assert cert.revoked_reason.startswith("Remplacé par une attestation")
    kinds = [e.kind for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
    assert kinds == ["issue", "revoke"] and services.results.verify_ledger().ok


def test_the_jury_cannot_change_a_signed_decision_without_an_appeal(published, world):
    reg = published()
    reg.status = "awaiting_jury"  # as if moved back by hand: no appeal sent it
    db.session.commit()
    with pytest.raises(jury.JuryError, match="procès-verbal est signé"):
        jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    assert db.session.scalar(select(JuryReview.id).where(JuryReview.pv_id.is_(None))) is None


# --- dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_counts_by_ground_outcome_partner_and_session(
        published, world, make_org, make_user):
    first, second, third = published(), published(), published()
    file(first.candidate, first, "score")
    rejected = file(second.candidate, second, "score")
    services.reject(world.referent, rejected, "Non fondé")
    file(third.candidate, third, "oral_conduct")
    db.session.commit()
    board = services.dashboard(world.referent)
    assert board.total.total == 3
    assert board.matrix["score"].outcomes == {"open": 1, "rejected": 1}
    assert board.matrix["oral_conduct"].outcomes == {"open": 1}
    assert [r.total for r in board.partners] == [3]
    assert sorted(r.total for r in board.sessions) == [1, 1, 1]
    other_centre = make_user("referent", org=make_org("cel"))
    assert services.dashboard(other_centre).total.total == 0


# --- personal data --------------------------------------------------------------------------------


def test_evidence_stays_while_an_appeal_is_open_then_is_purged_once(
        published, world, accredit, make_user, frozen_clock, app):
    from cloe_portal.privacy import services as privacy
    from cloe_portal.privacy.models import EvidencePurge

    reg = published()
    appeal = file(reg.candidate, reg, "oral_conduct")
    second = accredit(make_user("assessor", org=world.cel))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Contestation")
    from tests.results.factories import REPORT

    services.save_remark(second, remark, dict.fromkeys(
        ("range", "accuracy", "fluency", "pronunciation", "interaction"), "B2"), REPORT)
    services.validate_remark(second, remark)
    db.session.commit()
    later = services.results.first_results_at(reg) + dt.timedelta(days=200)
    frozen_clock(later)
    assert privacy.purge_due(later) == 0  # the appeal is before the jury: evidence kept
    jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    sign(world, reg.session)
    frozen_clock(later + dt.timedelta(days=200))
    assert privacy.purge_due(later + dt.timedelta(days=200)) == 1  # two signed reviews, one purge
    db.session.commit()
    assert db.session.scalar(select(EvidencePurge.pv_id)) == jury.reviews_of(reg)[-1].pv_id


def test_decisions_refused_in_the_wrong_status_change_nothing(published, world, accredit,
                                                               make_user, app):
    reg = published()
    appeal = file(reg.candidate, reg, "oral_conduct")
    second = accredit(make_user("assessor", org=world.cel))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Contestation")
    db.session.commit()
    before = state()
    for decide in (lambda: services.reject(world.referent, appeal, "Non fondé"),
                   lambda: services.rescore(world.referent, appeal, "Recorrection"),
                   lambda: services.grant_retake(world.referent, appeal, "Reprise")):
        with pytest.raises(services.AppealError, match="n'est plus à instruire"):
            decide()
        db.session.rollback()
    other = accredit(make_user("assessor", org=world.cel))
    with pytest.raises(services.AppealError, match="ne vous est pas confiée"):
        services.save_remark(other, remark, {"range": "C2"}, None)
    db.session.rollback()
    assert state() == before
    from tests.results.factories import REPORT

    services.save_remark(second, remark, dict.fromkeys(
        ("range", "accuracy", "fluency", "pronunciation", "interaction"), "B1-"), REPORT)
    services.validate_remark(second, remark)
    db.session.commit()
    before = state()
    with pytest.raises(services.AppealError, match="validée"):
        services.save_remark(second, remark, {"range": "C2"}, None)
    db.session.rollback()
    with pytest.raises(services.AppealError, match="n'est plus à instruire"):
        services.assign_second_assessor(world.referent, appeal, other, "Encore")
    db.session.rollback()
    assert state() == before


def test_the_first_grid_cannot_be_reopened_while_an_appeal_is_open(published, world, accredit,
                                                                   make_user):
    """The oral is re-marked by a second assessor on appeal: reopening the first grid from
    the orals page would put a second, competing grid before the jury."""
    from cloe_portal.orals import services as orals

    reg = published(target="B2", criterion="B1-")
    appeal = file(reg.candidate, reg, "oral_conduct")
    second = accredit(make_user("assessor", org=world.cel, last_name="Second"))
    remark = services.assign_second_assessor(world.referent, appeal, second, "Contestation")
    levels = {c: "B2+" for c in ("range", "accuracy", "fluency", "pronunciation", "interaction")}
    from tests.results.factories import REPORT

    services.save_remark(second, remark, levels, REPORT)
    services.validate_remark(second, remark)
    db.session.commit()
    assert reg.status == "awaiting_jury" and appeal.status == "jury"
    booking = orals.latest_booking(reg)
    assert "contestation" in orals.reopen_blocker(booking)
    with pytest.raises(orals.OralError, match="contestation"):
        orals.reopen_assessment(world.referent, booking, "Erreur de saisie")
    db.session.rollback()
    assert booking.assessment.validated_at is not None
