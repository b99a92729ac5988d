"""Partner sessions: list, create, enrol candidates one by one (htmx) or from a file."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from cloe_portal import clock
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.htmx import is_htmx
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.partners.scope import may_see_partner, partner_filter
from cloe_portal.reference.cefr_text import TARGET_LEVEL_HELP
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.windows import written_window
from cloe_portal.sessions import services
from cloe_portal.sessions.candidate_import import CandidateFileError
from cloe_portal.sessions.forms import CandidateImportForm, EnrolmentForm, SessionForm
from cloe_portal.sessions.models import (
    DROPPED_STATUSES,
    SESSION_KINDS,
    ExamSession,
    Registration,
)

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
register_nav(("partner", "referent"), "Sessions", "sessions.index", order=20)


def may_see_session(user, session: ExamSession) -> bool:  # noqa: ANN001
    """Partners see their own sessions, referents those of the partners they follow."""
    return may_see_partner(user, session.partner_id)


def _own_session(session_id: int) -> ExamSession:
    """A session of the current partner (404 for anyone else's)."""
    return load_or_404(ExamSession, session_id, may_see_session)


@bp.route("/")
@role_required("partner", "referent")
def index():
    """List the sessions the user may see, newest test date first, with candidate counts."""
    counts = (
        db.select(Registration.session_id, func.count(Registration.id).label("n"))
        .where(Registration.status.notin_(DROPPED_STATUSES))
        .group_by(Registration.session_id)
        .subquery()
    )
    stmt = (
        db.select(ExamSession, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.session_id == ExamSession.id)
        .where(partner_filter(current_user, ExamSession.partner_id))
        .options(db.joinedload(ExamSession.partner))
        .order_by(ExamSession.written_date.desc(), ExamSession.id.desc())
    )
    rows = db.session.execute(stmt).all()
    refusal = (services.partner_refusal(current_user.organisation)
               if current_user.role == "partner" and current_user.organisation else None)
    return render_template("sessions/index.html", rows=rows, languages=LANGUAGES,
                           kinds=SESSION_KINDS, refusal=refusal, windows=_windows(r[0] for r in rows))


def _windows(sessions) -> dict[int, object]:  # noqa: ANN001
    return {s.id: written_window(s.written_date) for s in sessions}


@bp.route("/new", methods=["GET", "POST"])
@role_required("partner")
def new():
    """Create an individual or group session (accredited partners only)."""
    partner = current_user.organisation
    if partner is None:
        abort(404)
    refusal = services.partner_refusal(partner)
    form = SessionForm()
    if refusal is None and form.validate_on_submit():
        session = services.create_session(
            current_user, partner, name=form.name.data, kind=form.kind.data,
            language=form.language.data, domain=form.domain.data or None,
            written_date=form.written_date.data,
        )
        db.session.commit()
        flash(_("Session créée. Inscrivez maintenant vos candidats."), "success")
        return redirect(url_for(".detail", session_id=session.id), 303)
    status = 422 if form.errors else (403 if refusal and request.method == "POST" else 200)
    return render_template("sessions/new.html", form=form, refusal=refusal), status


def _session_registrations(session: ExamSession) -> list[Registration]:
    stmt = (
        db.select(Registration)
        .where(Registration.session_id == session.id)
        .options(db.joinedload(Registration.candidate),
                 db.selectinload(Registration.accommodations))
        .order_by(Registration.id.desc())
    )
    return list(db.session.scalars(stmt))


def _detail_context(session: ExamSession, **extra) -> dict:  # noqa: ANN003
    window = written_window(session.written_date)
    context = {
        "session": session,
        "window": window,
        "registrations": _session_registrations(session),
        "languages": LANGUAGES,
        "kinds": SESSION_KINDS,
        "level_help": TARGET_LEVEL_HELP,
        "refusal": services.partner_refusal(session.partner),
        "can_enrol": current_user.role == "partner",
        "form": extra.pop("form", None) or EnrolmentForm(formdata=None),
        "import_form": extra.pop("import_form", None) or CandidateImportForm(formdata=None),
        "today": clock.today_paris(),
    }
    context.update(extra)
    return context


@bp.route("/<int:session_id>")
@role_required("partner", "referent")
def detail(session_id: int):
    """A session: its test date and window, the enrolment form and the enrolled candidates."""
    session = _own_session(session_id)
    return render_template("sessions/detail.html", **_detail_context(session))


@bp.route("/<int:session_id>/enrol", methods=["POST"])
@role_required("partner")
def enrol(session_id: int):
    """Enrol one candidate; htmx gets the form (with errors beside the fields) and the list."""
    session = _own_session(session_id)
    form = EnrolmentForm()
    general_error = None
    enrolled = None
    if form.validate_on_submit():
        try:
            enrolled = services.enrol(current_user, session, form.enrolment())
        except services.EnrolmentRefused as refused:
            db.session.rollback()
            for name, message in refused.problems.items():
                if name and hasattr(form, name):
                    getattr(form, name).errors.append(message)
                else:
                    general_error = message
        else:
            db.session.commit()
            message = _enrolled_message(enrolled)
            if not is_htmx():
                flash(message, "success")
                return redirect(url_for(".detail", session_id=session.id), 303)
            context = _detail_context(session, enrolled_message=message)
            return _fragment("sessions/_enrolment.html", context)
    context = _detail_context(session, form=form, general_error=general_error, has_errors=True)
    if is_htmx():
        # 200 so that htmx swaps the form in place with its errors.
        return _fragment("sessions/_enrolment.html", context)
    return render_template("sessions/detail.html", **context), 422


def _enrolled_message(enrolled: services.Enrolled) -> str:
    """What the partner hears: the name it typed, and only whether the address had an account."""
    name = enrolled.registration.candidate_name
    if enrolled.existing_account:
        return _("Un compte existe déjà pour cette adresse : l'inscription de %(name)s y a été "
                 "ajoutée. Le candidat se connecte avec ses identifiants habituels ; un e-mail "
                 "l'informe de cette nouvelle inscription.", name=name)
    return _("%(name)s est inscrit(e) ; un e-mail lui a été envoyé.", name=name)


def _fragment(template: str, context: dict) -> Response:
    response = Response(render_template(template, **context))
    response.headers.add("Vary", "HX-Request")
    return response


@bp.route("/<int:session_id>/import", methods=["POST"])
@role_required("partner")
def import_file(session_id: int):
    """Enrol every candidate of a CSV/XLSX file, or none, listing every problem."""
    session = _own_session(session_id)
    form = CandidateImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = services.import_candidates(current_user, session, upload.read(),
                                                 upload.filename or "")
        except CandidateFileError as refused:
            db.session.rollback()
            context = _detail_context(session, import_form=form, import_problems=refused.problems,
                                      import_filename=upload.filename)
            return render_template("sessions/detail.html", **context), 422
        db.session.commit()
        flash(_("%(n)s candidat(s) inscrit(s) depuis « %(name)s » ; chacun a reçu un e-mail.",
                n=len(created), name=upload.filename), "success")
        existing = [e.registration.candidate.email for e in created if e.existing_account]
        if existing:
            flash(_("Un compte existait déjà pour %(n)s adresse(s) : %(emails)s. L'inscription y "
                    "a été ajoutée ; ces candidats se connectent avec leurs identifiants "
                    "habituels.", n=len(existing), emails=", ".join(existing)), "info")
        return redirect(url_for(".detail", session_id=session.id), 303)
    context = _detail_context(session, import_form=form)
    return render_template("sessions/detail.html", **context), 422


@bp.route("/modele-candidats.csv")
@role_required("partner")
def import_template():
    """Download an example candidate file with the expected columns."""
    data = "\ufeff" + services.candidate_template_csv()
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="modele-candidats-cloe.csv"'})



# The after-enrolment changes (edit a session or an enrolment, withdraw) have their own module.
from cloe_portal.sessions.change_routes import bp as changes_bp  # noqa: E402

blueprints = [bp, changes_bp]
