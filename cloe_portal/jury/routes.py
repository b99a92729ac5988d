"""The jury's pages: queue, one candidate's review, the session's PV and its signature."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.audit.labels import action_label
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.jury import services
from cloe_portal.jury.forms import ReviewForm, SignForm
from cloe_portal.jury.models import ProcesVerbal
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.cefr import (
    CRITERION_LABELS_FR,
    ORAL_CRITERIA,
    SKILL_LABELS_FR,
    WRITTEN_SKILLS,
)
from cloe_portal.sessions.models import ExamSession, Registration

bp = Blueprint("jury", __name__, url_prefix="/jury")

register_nav(("referent",), "Jury", "jury.queue", order=55)


def _endpoint(name: str) -> bool:
    """True when another feature provides this endpoint (photos, written attempt page)."""
    return name in current_app.view_functions


@bp.route("/")
@role_required("referent")
def queue():
    """Candidates whose written and oral are complete, oldest first, with the time left."""
    items = services.jury_queue(current_user)
    return render_template("jury/queue.html", items=items, now=clock.now(), languages=LANGUAGES)


@bp.route("/candidat/<int:registration_id>", methods=["GET", "POST"])
@role_required("referent")
def review(registration_id: int):
    """One candidate's file: identity, written, oral, levels; checks and decision."""
    registration = load_or_404(Registration, registration_id, services.may_review)
    file = services.candidate_file(registration)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.decide(
                current_user, registration,
                identity_ok=form.identity_ok.data == "1", written_ok=form.written_ok.data == "1",
                oral_ok=form.oral_ok.data == "1", fraud=form.fraud.data,
                fraud_description=form.fraud_description.data, decision=form.decision.data,
                reason=form.reason.data)
        except services.JuryError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Décision enregistrée. Elle sera publiée à la signature du procès-verbal."),
                  "success")
            return redirect(url_for("jury.session_pv", session_id=registration.session_id), 303)
    elif not form.is_submitted() and file.review is not None:
        rv = file.review
        form.identity_ok.data = "1" if rv.identity_ok else "0"
        form.written_ok.data = "1" if rv.written_ok else "0"
        form.oral_ok.data = "1" if rv.oral_ok else "0"
        form.fraud.data = rv.fraud
        form.fraud_description.data = rv.fraud_description
        form.decision.data = rv.decision
        form.reason.data = rv.reason
    decisions = [e for e in history("registration", registration.id)
                 if e.action.startswith("jury.")]
    return render_template(
        "jury/review.html", file=file, reg=registration, form=form, decisions=decisions,
        now=clock.now(), action_label=action_label, **file_context(),
    ), (422 if form.errors or form.form_errors else 200)


def file_context() -> dict:
    """What templates/jury/_candidate_file.html needs besides ``file`` and ``reg``."""
    return dict(
        languages=LANGUAGES, written_skills=WRITTEN_SKILLS, skill_labels=SKILL_LABELS_FR,
        criteria=ORAL_CRITERIA, criterion_labels=CRITERION_LABELS_FR,
        photo_endpoint=_endpoint("candidates.photo"),
        attempt_endpoint=_endpoint("written.referent_attempt"), event_labels=_event_labels())


def _event_labels() -> dict[str, str]:
    try:
        from cloe_portal.written.models import EVENT_LABELS
    except ImportError:
        return {}
    return EVENT_LABELS


@bp.route("/session/<int:session_id>")
@role_required("referent")
def session_pv(session_id: int):
    """The session's PV: decisions to sign, candidates still to review, signed PVs."""
    session = load_or_404(ExamSession, session_id, services.may_see_session)
    form = SignForm()
    if not form.signer_name.data:
        form.signer_name.data = current_user.full_name
    return _render_pv(session, form)


def _render_pv(session: ExamSession, form: SignForm, status: int = 200):  # noqa: ANN202
    return render_template(
        "jury/pv.html", session=session, drafts=services.draft_reviews(session),
        undecided=services.undecided(session), signed=services.signed_pvs(session), form=form,
        languages=LANGUAGES, today=clock.today_paris(),
    ), status


@bp.route("/session/<int:session_id>/signer", methods=["POST"])
@role_required("referent")
def sign(session_id: int):
    """Sign the PV: decisions are frozen and results published at once."""
    session = load_or_404(ExamSession, session_id, services.may_see_session)
    form = SignForm()
    if not form.validate_on_submit():
        return _render_pv(session, form, 422)
    # Two PVs signed at the same instant compete for the next ledger sequence number: the
    # loser's transaction is rolled back whole and replayed (nothing half-signed remains).
    for attempt in range(3):
        try:
            pv = services.sign_pv(current_user, session, form.signer_name.data,
                                  form.confirmation.data)
            db.session.commit()
            break
        except services.JuryError as exc:
            db.session.rollback()
            form.confirmation.errors = [exc.message]
            return _render_pv(session, form, 422)
        except IntegrityError:
            db.session.rollback()
            session = load_or_404(ExamSession, session_id, services.may_see_session)
            if attempt == 2:
                form.confirmation.errors = [
                    "Un autre procès-verbal a été signé au même instant : rien n'a été "
                    "enregistré, signez à nouveau dans un instant."]
                return _render_pv(session, form, 409)
    flash(_("Procès-verbal n° %(number)s signé : les résultats sont publiés et envoyés.", number=pv.number),
          "success")
    return redirect(url_for("jury.session_pv", session_id=session.id), 303)


@bp.route("/pv/<int:pv_id>.pdf")
@role_required("referent")
def pv_pdf(pv_id: int):
    """The signed PV as stored (its SHA-256 is shown on the session page)."""
    pv = load_or_404(ProcesVerbal, pv_id, services.may_see_pv)
    response = Response(pv.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="PV-session-{pv.session_id}-n{pv.number}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("time_left")
def time_left(delta) -> str:  # noqa: ANN001 - a timedelta or None
    """« 2 j 5 h » left, or « en retard de 1 j 3 h » once the deadline has passed."""
    if delta is None:
        return "—"
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{days} j {hours} h" if days else f"{hours} h {rest // 60:02d} min"
    return f"en retard de {text}" if delta.total_seconds() < 0 else text
