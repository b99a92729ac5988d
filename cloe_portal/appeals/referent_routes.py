"""The referent's side of appeals: the queue, a case with everything the jury saw, the four
decisions, and the dashboard."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.appeals import services
from cloe_portal.appeals.blueprint import bp
from cloe_portal.appeals.forms import AssignForm, DecisionForm
from cloe_portal.appeals.models import APPEAL_STATUSES, Appeal
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.jury.routes import file_context
from cloe_portal.jury.services import candidate_file, reviews_of
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results.models import Result
from cloe_portal.results.services import current_result

register_nav(("referent",), "Recours", "appeals.queue", order=57)

# The appeal's story in the registration's audit log.
CASE_ACTIONS = ("appeal.", "written.rescored", "results.reissued", "results.withdrawn",
                "jury.decision", "jury.pv.sign")


@bp.route("/recours/")
@role_required("referent")
def queue():
    """Appeals of the partners the referent follows: open ones first, oldest first."""
    status = request.args.get("statut") or "open"
    if status not in (*APPEAL_STATUSES, "open", "all"):
        status = "open"
    appeals = services.appeal_queue(current_user, None if status == "all" else status)
    return render_template("appeals/queue.html", appeals=appeals, status=status,
                           statuses=APPEAL_STATUSES, languages=LANGUAGES)


@bp.route("/recours/tableau-de-bord")
@role_required("referent")
def dashboard():
    """Appeals by ground and outcome, per partner and per session."""
    return render_template("appeals/dashboard.html", board=services.dashboard(current_user))


def _forms(appeal: Appeal, **given: object) -> dict:
    assign = given.get("assign") or AssignForm(prefix="assign")
    assign.assessor_id.choices = [SelectChoice(0, _("— Choisir —"))] + [
        SelectChoice(u.id, u.full_name) for u in services.second_assessor_choices(appeal)]
    return {"reject": given.get("reject") or DecisionForm(prefix="reject"),
            "rescore": given.get("rescore") or DecisionForm(prefix="rescore"),
            "assign": assign,
            "retake": given.get("retake") or DecisionForm(prefix="retake")}


def render_case(appeal: Appeal, status: int = 200, error: str | None = None, **forms: object):
    """The case page: the appeal, the jury's candidate file, the decisions."""
    registration = appeal.registration
    entries = [e for e in history("registration", registration.id)
               if e.action.startswith(CASE_ACTIONS)]
    preview = services.rescore_preview(appeal) if appeal.status == "filed" else None
    stored_rows = (services.score_rows(appeal.scores_before, appeal.scores_after)
                   if appeal.outcome == "rescored" and appeal.scores_before else None)
    return render_template(
        "appeals/case.html", appeal=appeal, reg=registration,
        file=candidate_file(registration), contested=db.session.get(Result, appeal.result_id),
        in_force=current_result(registration), reviews=reviews_of(registration),
        preview=preview, stored_rows=stored_rows, entries=entries, error=error,
        assign_blocker=services.assign_blocker(appeal),
        first_assessor=db.session.get(User, services.first_assessor_id(appeal) or 0),
        now=clock.now(), **_forms(appeal, **forms), **file_context(),
    ), status


def _decide(appeal_id: int, name: str, form: DecisionForm, action, success: str):  # noqa: ANN001, ANN202
    """Validate the decision's form, call the service; refusals re-render the case (422)."""
    appeal = load_or_404(Appeal, appeal_id, services.may_decide)
    if not form.validate_on_submit():
        return render_case(appeal, 422, **{name: form})
    try:
        action(appeal, form)
    except services.AppealError as exc:
        db.session.rollback()
        appeal = db.session.get(Appeal, appeal_id)
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
            return render_case(appeal, 422, **{name: form})
        return render_case(appeal, 422, error=exc.message, **{name: form})
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("appeals.follow", appeal_id=appeal_id), 303)


@bp.route("/recours/<int:appeal_id>/rejeter", methods=["POST"])
@role_required("referent")
def reject(appeal_id: int):
    """Reject the appeal (reason compulsory): the result stands."""
    return _decide(appeal_id, "reject", DecisionForm(prefix="reject"),
                   lambda a, f: services.reject(current_user, a, f.reason.data),
                   _("Recours rejeté. Le candidat et l'organisme sont prévenus par e-mail."))


@bp.route("/recours/<int:appeal_id>/recorriger", methods=["POST"])
@role_required("referent")
def rescore(appeal_id: int):
    """Re-score the written test by replaying the attempt as it was stored."""
    return _decide(appeal_id, "rescore", DecisionForm(prefix="rescore"),
                   lambda a, f: services.rescore(current_user, a, f.reason.data),
                   _("Écrit recorrigé. Si le résultat change, il passe devant le jury ; sinon le "
                     "recours est clos."))


@bp.route("/recours/<int:appeal_id>/second-evaluateur", methods=["POST"])
@role_required("referent")
def assign(appeal_id: int):
    """Give the oral to a second accredited assessor, who scores it blind."""
    form = AssignForm(prefix="assign")
    return _decide(appeal_id, "assign", form,
                   lambda a, f: services.assign_second_assessor(
                       current_user, a, db.session.get(User, f.assessor_id.data or 0),
                       f.reason.data),
                   _("Oral confié au second évaluateur, prévenu par e-mail."))


@bp.route("/recours/<int:appeal_id>/reprise", methods=["POST"])
@role_required("referent")
def retake(appeal_id: int):
    """Grant a free retake: a new registration with the same partner."""
    return _decide(appeal_id, "retake", DecisionForm(prefix="retake"),
                   lambda a, f: services.grant_retake(current_user, a, f.reason.data),
                   _("Reprise gratuite accordée : le candidat est inscrit à une nouvelle "
                     "session et prévenu par e-mail."))
