"""Problem reports (seed 000 §2.2: the partner alerts its CEL referent of any problem or
non-conformity): the partner reports, both sides reply in a thread, the referent moves the
status new → in progress → closed (and may reopen)."""

from __future__ import annotations

from sqlalchemy import case

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.core import uploads
from cloe_portal.extensions import db
from cloe_portal.partners.contacts import centre_staff, partner_admins
from cloe_portal.partners.scope import may_see_partner, partner_filter
from cloe_portal.problem_reports.models import (
    ATTACHMENT_FOLDER,
    REPORT_KINDS,
    REPORT_STATUSES,
    ProblemReport,
    ProblemReportMessage,
)
from cloe_portal.rules.text import clean_labelled
from cloe_portal.sessions.models import ExamSession, Registration

OPEN_STATUSES = ("new", "in_progress")


class ReportError(Exception):
    """A report or reply refused; the French message is safe to show (beside ``field``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def is_staff(user: User) -> bool:
    """The CEL side of a report: referents and the coordinator."""
    return user.role in ("referent", "coordinator")


def may_see(user: User, report: ProblemReport) -> bool:
    """The reporting partner, the referents of its centre, the coordinator."""
    return may_see_partner(user, report.partner_id)


def _text(value: str | None, required: str | None) -> str:
    text, refusal = clean_labelled(value, "Texte")
    if refusal:
        raise ReportError(refusal, field="text")
    if not text and required:
        raise ReportError(required, field="text")
    return text


def create_report(actor: User, kind: str, text: str | None, registration_id: int | None = None,
                  session_id: int | None = None, attachment: tuple[str, bytes] | None = None,
                  max_bytes: int = uploads.MAX_UPLOAD_BYTES) -> ProblemReport:
    """A partner reports a problem, about one of its registrations or sessions if it says so."""
    if actor.role != "partner" or actor.organisation_id is None:
        raise ReportError("Seul un organisme partenaire peut faire un signalement.")
    if kind not in REPORT_KINDS:
        raise ReportError("Choisissez le type de problème.", field="kind")
    text = _text(text, "Décrivez le problème.")
    registration = session = None
    if registration_id:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.partner_id != actor.organisation_id:
            raise ReportError("Choisissez un de vos candidats.", field="registration_id")
    if session_id:
        session = db.session.get(ExamSession, session_id)
        if session is None or session.partner_id != actor.organisation_id:
            raise ReportError("Choisissez une de vos sessions.", field="session_id")
    if registration is not None and session is not None and registration.session_id != session.id:
        raise ReportError("Ce candidat n'est pas inscrit à cette session.", field="session_id")
    if registration is not None:
        session = registration.session
    saved = None
    if attachment is not None:
        try:
            saved = uploads.save_private(ATTACHMENT_FOLDER, attachment[0], attachment[1], max_bytes)
        except uploads.UploadRefused as exc:
            raise ReportError(str(exc), field="attachment") from None
    now = clock.now()
    report = ProblemReport(
        partner_id=actor.organisation_id, author_id=actor.id, kind=kind, text=text,
        registration_id=registration.id if registration else None,
        session_id=session.id if session else None, status="new", created_at=now, updated_at=now)
    if saved is not None:
        report.attachment_name = saved.original_name
        report.attachment_stored_name = saved.stored_name
        report.attachment_mimetype = saved.mimetype
        report.attachment_size = saved.size
        report.attachment_sha256 = saved.sha256
    db.session.add(report)
    db.session.flush()
    record(actor, "problem_report.created", report,
           details={"kind": kind, "registration_id": report.registration_id,
                    "session_id": report.session_id, "attachment_sha256": report.attachment_sha256,
                    "status": {"from": None, "to": "new"}})
    _notify(report, None, centre_staff(report.partner), to_partner=False, event="new")
    db.session.flush()
    return report


def respond(actor: User, report: ProblemReport, text: str | None,
            status: str | None = None) -> ProblemReportMessage | None:
    """Add a reply to the thread and, for a referent, change the status; the other side is emailed.

    A partner replies while the report is not closed. A referent's reply to a new report
    takes it up (in progress); a referent may close it, or reopen a closed one.
    """
    if not may_see(actor, report):
        raise ReportError("Ce signalement ne vous concerne pas.")
    staff = is_staff(actor)
    text = _text(text, None if staff else "Écrivez votre réponse.")
    before = report.status
    if not staff:
        if before == "closed":
            raise ReportError("Ce signalement est clos : faites un nouveau signalement si le "
                              "problème continue.", field="text")
        after = before
    else:
        if status is not None and status not in REPORT_STATUSES:
            raise ReportError("Choisissez le statut.", field="status")
        after = status or before
        if text and after == "new":
            after = "in_progress"
        if text and before == "closed" and after == "closed":
            raise ReportError("Ce signalement est clos : rouvrez-le (« En cours ») pour répondre.",
                              field="status")
        if not text and after == before:
            raise ReportError("Écrivez une réponse ou changez le statut.", field="text")
    now = clock.now()
    message = None
    if text:
        message = ProblemReportMessage(report=report, author_id=actor.id, from_staff=staff,
                                       text=text, created_at=now)
        db.session.add(message)
    event_id = None
    if after != before:
        report.status = after
        report.closed_at = now if after == "closed" else None
        entry = record(actor, "problem_report.status", report, reason=text or None,
                       details={"status": {"from": before, "to": after}})
        event_id = f"status-{entry.id}"
    report.updated_at = now
    db.session.flush()
    if message is not None:
        event_id = f"message-{message.id}"
    recipients = partner_admins(report.partner_id) if staff else centre_staff(report.partner)
    _notify(report, message, recipients, to_partner=staff, event=event_id,
            status_changed=(before, after) if after != before else None)
    db.session.flush()
    return message


# --- lists -----------------------------------------------------------------------------------


def queue(user: User, status: str | None = None, partner_id: int | None = None) -> list[ProblemReport]:
    """The reports the user may see: new first, then in progress, then closed; latest activity first."""
    stmt = (
        db.select(ProblemReport)
        .where(partner_filter(user, ProblemReport.partner_id))
        .options(db.joinedload(ProblemReport.partner),
                 db.joinedload(ProblemReport.registration).joinedload(Registration.candidate),
                 db.joinedload(ProblemReport.session))
        .order_by(case((ProblemReport.status == "new", 0), (ProblemReport.status == "in_progress", 1),
                       else_=2),
                  ProblemReport.updated_at.desc(), ProblemReport.id.desc())
    )
    if status:
        stmt = stmt.where(ProblemReport.status == status)
    if partner_id:
        stmt = stmt.where(ProblemReport.partner_id == partner_id)
    return list(db.session.scalars(stmt).unique())


def open_for_user(user: User) -> list[ProblemReport]:
    """Reports not closed yet that this referent follows (all of them for the coordinator)."""
    return [r for r in queue(user) if r.status in OPEN_STATUSES]


def registration_choices(partner_id: int) -> list[Registration]:
    """The partner's registrations, by the names it typed, for the "candidate concerned" list."""
    registrations = db.session.scalars(
        db.select(Registration).where(Registration.partner_id == partner_id)
        .options(db.joinedload(Registration.candidate), db.joinedload(Registration.session)))
    return sorted(registrations, key=lambda r: (r.candidate_last_name.lower(),
                                                r.candidate_first_name.lower(), r.id))


def session_choices(partner_id: int) -> list[ExamSession]:
    """The partner's sessions, latest test date first."""
    return list(db.session.scalars(
        db.select(ExamSession).where(ExamSession.partner_id == partner_id)
        .order_by(ExamSession.written_date.desc(), ExamSession.id.desc())))


def send_attachment(report: ProblemReport):  # noqa: ANN201 - a Flask response
    """The report's attachment as a download (never rendered in the portal's origin)."""
    ext = uploads.EXTENSIONS[report.attachment_mimetype]
    return uploads.send_private(ATTACHMENT_FOLDER, report.attachment_stored_name,
                                report.attachment_mimetype, f"signalement-{report.id}{ext}")


# --- personal data (privacy export and erasure) -----------------------------------------------


ERASED = "[Texte effacé avec les données personnelles du candidat]"


def for_registrations(registration_ids: set[int] | list[int]) -> list[ProblemReport]:
    """The reports about these registrations (a candidate's export)."""
    if not registration_ids:
        return []
    return list(db.session.scalars(db.select(ProblemReport).where(
        ProblemReport.registration_id.in_(registration_ids)).order_by(ProblemReport.id)))


def erase_for(registration_ids: set[int] | list[int]) -> int:
    """Blank the texts and delete the attachments of the reports about an erased candidate
    (the report, its kind, dates and statuses stay for the centre's records)."""
    reports = for_registrations(registration_ids)
    for report in reports:
        report.text = ERASED
        for message in report.messages:
            message.text = ERASED
        if report.attachment_stored_name:
            (uploads.upload_dir(ATTACHMENT_FOLDER) / report.attachment_stored_name).unlink(missing_ok=True)
            report.attachment_name = report.attachment_stored_name = None
            report.attachment_mimetype = report.attachment_size = None
            # the SHA-256 stays: proof of what was received, without the content
    return len(reports)


# --- emails ----------------------------------------------------------------------------------


def _notify(report: ProblemReport, message: ProblemReportMessage | None, recipients: list[User],
            to_partner: bool, event: str | None,
            status_changed: tuple[str, str] | None = None) -> None:
    """Email one side of the report: a new report, a reply or a status change."""
    from cloe_portal.notifications.mail import queue_email
    from cloe_portal.results.services import absolute_url

    link = absolute_url("problem_reports.detail", report_id=report.id)
    template, kind = (("problem_report_new", "problem-report-new") if message is None and event == "new"
                      else ("problem_report_reply", "problem-report-reply"))
    # The registration in the key lets a candidate's erasure find these messages.
    about = f":registration-{report.registration_id}" if report.registration_id else ""
    for person in recipients:
        queue_email(person.email, template, kind=kind,
                    key=f"problem-report:{report.id}{about}:{event}:user-{person.id}",
                    recipient_id=person.id, report=report, message=message, link=link,
                    to_partner=to_partner, status_changed=status_changed,
                    statuses=REPORT_STATUSES)
