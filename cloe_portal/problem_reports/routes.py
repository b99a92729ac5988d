"""Problem reports: the partner's form and list, the referent's queue, the shared thread."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from cloe_portal.audit.services import history
from cloe_portal.core import uploads
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.formatting import fr_date
from cloe_portal.partners.scope import may_see_partner, visible_partners
from cloe_portal.problem_reports import services
from cloe_portal.problem_reports.forms import ProblemReportForm, ReplyForm, StaffReplyForm
from cloe_portal.problem_reports.models import REPORT_KINDS, REPORT_STATUSES, ProblemReport
from cloe_portal.sessions.models import ExamSession, Registration

bp = Blueprint("problem_reports", __name__, url_prefix="/signalements")
register_nav(("partner",), "Signalements", "problem_reports.index", order=50)
register_nav(("coordinator", "referent"), "Signalements", "problem_reports.index", order=53)


@bp.app_template_global("open_problem_reports")
def open_problem_reports() -> list[ProblemReport]:
    """Reports not closed yet, for the referent's home page."""
    return services.open_for_user(current_user)


@bp.route("/")
@role_required("partner", "referent")
def index():
    """The partner's reports, or the referent's queue (new first); filter by status and partner."""
    status = request.args.get("statut") or None
    if status not in REPORT_STATUSES:
        status = None
    partner_id = int_arg("partner") if current_user.role != "partner" else None
    if partner_id and not may_see_partner(current_user, partner_id):
        abort(404)
    return render_template(
        "problem_reports/index.html", reports=services.queue(current_user, status, partner_id),
        status=status, partner_id=partner_id, statuses=REPORT_STATUSES,
        partners=visible_partners(current_user) if current_user.role != "partner" else [])


def _report_form() -> ProblemReportForm:
    form = ProblemReportForm()
    partner_id = current_user.organisation_id
    form.registration_id.choices = [SelectChoice("", _("— Aucun en particulier —"))] + [
        SelectChoice(r.id, _("%(name)s — %(session)s (écrit le %(date)s)", name=r.candidate_name,
                             session=r.session.name, date=fr_date(r.session.written_date)))
        for r in services.registration_choices(partner_id)]
    form.session_id.choices = [SelectChoice("", _("— Aucune en particulier —"))] + [
        SelectChoice(s.id, _("%(session)s (écrit le %(date)s)", session=s.name,
                             date=fr_date(s.written_date)))
        for s in services.session_choices(partner_id)]
    return form


def _own(user, obj) -> bool:  # noqa: ANN001
    """A registration or session of the partner admin's own organisation."""
    return user.role == "partner" and obj.partner_id == user.organisation_id


@bp.route("/nouveau", methods=["GET", "POST"])
@role_required("partner")
def new():
    """The partner reports a problem or a non-conformity to its referent (seed 000 §2.2)."""
    if current_user.organisation_id is None:
        abort(404)
    form = _report_form()
    if request.method == "GET":
        # Prefilled from a candidate's or a session's page: only the partner's own (else 404).
        for field, model, name in ((form.registration_id, Registration, "inscription"),
                                   (form.session_id, ExamSession, "session")):
            if request.args.get(name):
                field.data = load_or_404(model, int_arg(name, 0), _own).id
    limit = uploads.request_limit_bytes()
    if form.validate_on_submit():
        upload = form.attachment.data
        attachment = None
        if upload is not None and getattr(upload, "filename", ""):
            attachment = (upload.filename, upload.read(limit + 1))
        try:
            report = services.create_report(
                current_user, form.kind.data, form.text.data, form.registration_id.data,
                form.session_id.data, attachment, max_bytes=limit)
        except services.ReportError as exc:
            db.session.rollback()
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Signalement envoyé au centre référent. Sa réponse s'affichera ici et vous "
                    "sera envoyée par e-mail."), "success")
            return redirect(url_for(".detail", report_id=report.id), 303)
    return render_template("problem_reports/new.html", form=form, kinds=REPORT_KINDS,
                           limit_mb=limit // (1024 * 1024)), 422 if form.errors else 200


def _detail_page(report: ProblemReport, form: ReplyForm | None = None, status: int = 200):  # noqa: ANN202
    staff = services.is_staff(current_user)
    if form is None:
        form = (StaffReplyForm(formdata=None, data={"status": report.status}) if staff
                else ReplyForm(formdata=None))
    return render_template(
        "problem_reports/detail.html", report=report, form=form, staff=staff,
        statuses=REPORT_STATUSES, entries=history("problem_report", report.id)), status


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@role_required("partner", "referent")
def detail(report_id: int):
    """The report and its thread; a reply (and, for the referent, the status)."""
    report = load_or_404(ProblemReport, report_id, services.may_see)
    if request.method == "GET":
        return _detail_page(report)
    staff = services.is_staff(current_user)
    form = StaffReplyForm() if staff else ReplyForm()
    if not form.validate_on_submit():
        return _detail_page(report, form, 422)
    try:
        services.respond(current_user, report, form.text.data,
                         form.status.data if staff else None)
    except services.ReportError as exc:
        db.session.rollback()
        getattr(form, exc.field or "text").errors.append(str(exc))
        return _detail_page(report, form, 422)
    db.session.commit()
    flash(_("Réponse enregistrée : l'autre partie est prévenue par e-mail."), "success")
    return redirect(url_for(".detail", report_id=report.id), 303)


@bp.route("/<int:report_id>/piece-jointe")
@role_required("partner", "referent")
def attachment(report_id: int):
    """Download the report's attachment (the reporting partner and its referents only)."""
    report = load_or_404(ProblemReport, report_id, services.may_see)
    if not report.attachment_stored_name:
        abort(404)
    return services.send_attachment(report)
