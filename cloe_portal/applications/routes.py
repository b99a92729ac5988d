"""Public application form and partner list; the referent's audit and the commission."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.applications import checks, services
from cloe_portal.applications.forms import ApplicationForm, AuditForm, CommissionForm
from cloe_portal.applications.models import (
    APPLICATION_STATUSES,
    DOCUMENT_KINDS,
    TEACHING_FORMATS,
    ApplicationDocument,
    PartnerApplication,
)
from cloe_portal.audit.services import history
from cloe_portal.core import uploads
from cloe_portal.core.access import public, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db, limiter
from cloe_portal.reference.charter import (
    ACCREDITATION_AUDIT_POINTS,
    CPF_CHARTER_CRITERIA,
    QUALIOPI_PREREQUISITE,
)
from cloe_portal.reference.languages import LANGUAGES

bp = Blueprint("applications", __name__)
register_nav(("coordinator", "referent"), "Candidatures partenaires", "applications.index", order=20)

# Four documents of up to 5 MB each plus the typed answers.
APPLY_MAX_BYTES = len(DOCUMENT_KINDS) * checks.MAX_UPLOAD_BYTES + 1024 * 1024


@bp.record_once
def _raise_upload_limit_for_apply(state) -> None:  # noqa: ANN001
    """The application form carries four files: lift the request size limit for it alone.

    Runs before CSRF protection reads the form, which is why it is an app-level hook.
    """

    def hook() -> None:
        if request.endpoint == "applications.apply":
            request.max_content_length = APPLY_MAX_BYTES

    state.app.before_request_funcs.setdefault(None, []).insert(0, hook)


# --- public -----------------------------------------------------------------------------


@bp.route("/candidature-partenaire", methods=["GET", "POST"])
@public
@limiter.limit("30 per hour", methods=["POST"])
def apply():
    """The public application form of a training organisation (seed §4.2 ①)."""
    form = ApplicationForm()
    if form.validate_on_submit():
        files: dict[str, tuple[str, bytes]] = {}
        for f in form.document_fields():
            storage = f.data
            content = storage.read(checks.MAX_UPLOAD_BYTES + 1)
            problem = checks.upload_problem(storage.filename or "", content)
            if problem:
                f.errors.append(problem)
            else:
                files[f.name] = (storage.filename or f.name, content)
        if len(files) == len(DOCUMENT_KINDS):
            data = {
                name: getattr(form, name).data
                for name in (
                    "org_name", "siret", "address", "postcode", "city", "country", "website",
                    "founded_year", "staff_count", "contact_first_name", "contact_last_name",
                    "contact_role", "contact_email", "contact_phone", "elearning_share",
                    "teaching_formats", "trainer_count", "satisfaction_rate",
                    "positioning_process", "certified_rate", "follow_up_process",
                )
            }
            data["volumes"] = {code: getattr(form, f"volume_{code}").data
                               for code in LANGUAGES if getattr(form, f"volume_{code}").data}
            data["human_led_commitment"] = True
            data["charter_acknowledged"] = list(range(1, len(CPF_CHARTER_CRITERIA) + 1))
            try:
                application = services.submit_application(data, files)
            except services.ApplicationError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                session["application_reference"] = application.reference
                return redirect(url_for(".sent"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "applications/apply.html", form=form, qualiopi=_(QUALIOPI_PREREQUISITE),
        rule_foreign=_(checks.RULE_FOREIGN), rule_elearning=_(checks.RULE_ELEARNING),
    ), status


@bp.route("/candidature-partenaire/envoyee")
@public
def sent():
    """Confirmation with the reference (only to the browser that just applied)."""
    reference = session.get("application_reference")
    if not reference:
        return redirect(url_for(".apply"))
    return render_template("applications/sent.html", reference=reference)


@bp.route("/partenaires")
@public
def partner_list():
    """The public list of CLOE partners (seed §4.2 ⑥, §4.3)."""
    return render_template("applications/partner_list.html", partners=services.listed_partners())


# --- referent / coordinator ------------------------------------------------------------


@bp.route("/candidatures/")
@role_required("referent")
def index():
    """Applications by status: to audit, awaiting the commission, decided."""
    status = request.args.get("status", "")
    stmt = db.select(PartnerApplication).order_by(PartnerApplication.submitted_at.desc())
    if status in APPLICATION_STATUSES:
        stmt = stmt.where(PartnerApplication.status == status)
    applications = list(db.session.scalars(stmt))
    return render_template("applications/index.html", applications=applications,
                           status=status, statuses=APPLICATION_STATUSES)


def _load(application_id: int) -> PartnerApplication:
    return db.session.get(PartnerApplication, application_id) or abort(404)


def _detail(application: PartnerApplication, audit_form=None, commission_form=None, status=200):  # noqa: ANN001, ANN202
    if audit_form is None:
        audit_form = AuditForm(formdata=None)
        audit_form.fill_checklist(application.audit_checklist)
    if commission_form is None:
        commission_form = CommissionForm(formdata=None)
    return render_template(
        "applications/detail.html", application=application, audit_form=audit_form,
        commission_form=commission_form, languages=LANGUAGES, charter=CPF_CHARTER_CRITERIA,
        audit_points=ACCREDITATION_AUDIT_POINTS, formats=TEACHING_FORMATS,
        entries=history("partner_application", application.id),
    ), status


@bp.route("/candidatures/<int:application_id>")
@role_required("referent")
def detail(application_id: int):
    """An application: answers, documents, audit grid, decisions and history."""
    return _detail(_load(application_id))


@bp.route("/candidatures/<int:application_id>/audit", methods=["POST"])
@role_required("referent")
def audit(application_id: int):
    """Save the audit grid and, optionally, give the opinion."""
    application = _load(application_id)
    form = AuditForm()
    if not form.validate_on_submit():
        return _detail(application, audit_form=form, status=422)
    try:
        services.save_audit(current_user, application, form.checklist_data(), form.opinion.data or None,
                            form.opinion_reason.data)
    except services.ApplicationError as exc:
        db.session.rollback()
        form.opinion.errors.append(str(exc))
        return _detail(_load(application_id), audit_form=form, status=422)
    db.session.commit()
    flash(_("Avis enregistré : l'organisme en est informé.") if form.opinion.data
          else _("Grille d'audit enregistrée."), "success")
    return redirect(url_for(".detail", application_id=application.id), 303)


@bp.route("/candidatures/<int:application_id>/commission", methods=["POST"])
@role_required("referent")
def commission(application_id: int):
    """Record the commission's decision."""
    application = _load(application_id)
    form = CommissionForm()
    if not form.validate_on_submit():
        return _detail(application, commission_form=form, status=422)
    try:
        services.record_commission(current_user, application, form.decision.data,
                                   form.decision_date.data, form.decision_reason.data)
    except services.ApplicationError as exc:
        db.session.rollback()
        form.decision.errors.append(str(exc))
        return _detail(_load(application_id), commission_form=form, status=422)
    db.session.commit()
    flash(_("Décision de la commission enregistrée : l'organisme en est informé."), "success")
    return redirect(url_for(".detail", application_id=application.id), 303)


@bp.route("/candidatures/<int:application_id>/liste", methods=["POST"])
@role_required("coordinator")
def add_to_list(application_id: int):
    """Coordinator: add the validated organisation to the partner list."""
    application = _load(application_id)
    try:
        org = services.add_to_partner_list(current_user, application)
    except services.ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".detail", application_id=application_id), 303)
    db.session.commit()
    flash(_("%(name)s est inscrit sur la liste des partenaires ; son administrateur a reçu "
            "un lien de première connexion.", name=org.name), "success")
    return redirect(url_for("network.partner", org_id=org.id), 303)


@bp.route("/candidatures/documents/<int:document_id>")
@role_required("referent")
def document(document_id: int):
    """Download an application document (staff only; always as an attachment)."""
    doc = db.session.get(ApplicationDocument, document_id) or abort(404)
    return uploads.send_private(services.DOCUMENT_FOLDER, doc.stored_name, doc.mimetype,
                                services.download_name(doc))
