"""Filing and following an appeal: the candidate and its partner (the referent's case page
shares the follow URL, see referent_routes)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.appeals import services
from cloe_portal.appeals.blueprint import bp
from cloe_portal.appeals.forms import AppealForm
from cloe_portal.appeals.models import Appeal
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.extensions import db
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results.services import current_result
from cloe_portal.results.uploads import send_private
from cloe_portal.sessions.models import Registration


def results_page() -> str:
    """Where the person came from: its results page."""
    return url_for("results.candidate_results" if current_user.role == "candidate"
                   else "results.partner_results")


@bp.route("/recours/nouveau/<int:registration_id>", methods=["GET", "POST"])
@role_required("candidate", "partner")
def new(registration_id: int):
    """File an appeal against a published result (within APPEAL_DAYS of the results)."""
    registration = load_or_404(Registration, registration_id, services.may_file)
    form = AppealForm()
    blocker = services.filing_blocker(registration)
    status = 200
    if form.is_submitted():
        status = 422
    if blocker is None and form.validate_on_submit():
        upload = form.attachment.data
        try:
            appeal = services.file_appeal(
                current_user, registration, form.ground.data, form.text.data,
                (upload.filename or "", upload.read()) if upload else None)
            db.session.commit()
        except services.AppealError as exc:
            db.session.rollback()
            if exc.field:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                blocker = exc.message
        except IntegrityError:  # filed at the same instant by the candidate and the partner
            db.session.rollback()
            blocker = services.filing_blocker(registration)
        else:
            flash(_("Recours n° %(n)s déposé. Le centre l'instruit ; vous serez prévenu(e) par "
                    "e-mail de chaque décision.", n=appeal.id), "success")
            return redirect(url_for("appeals.follow", appeal_id=appeal.id), 303)
    return render_template(
        "appeals/new.html", registration=registration, form=form, blocker=blocker,
        result=current_result(registration), deadline=services.deadline(registration),
        languages=LANGUAGES, back=results_page(),
    ), status


@bp.route("/recours/<int:appeal_id>")
@role_required("candidate", "partner", "referent")
def follow(appeal_id: int):
    """An appeal: the person who filed it follows it; a referent instructs it."""
    appeal = load_or_404(Appeal, appeal_id, services.may_see_appeal)
    if current_user.role in ("referent", "coordinator"):
        from cloe_portal.appeals.referent_routes import render_case

        return render_case(appeal)
    return render_template("appeals/follow.html", appeal=appeal, languages=LANGUAGES,
                           back=results_page(), now=clock.now())


@bp.route("/recours/<int:appeal_id>/piece-jointe")
@role_required("candidate", "partner", "referent")
def attachment(appeal_id: int):
    """The appeal's attachment (the people who may see the appeal)."""
    appeal = load_or_404(Appeal, appeal_id, services.may_see_appeal)
    if appeal.attachment_stored is None:
        abort(404)
    return send_private(services.ATTACHMENT_FOLDER, appeal.attachment_stored,
                        appeal.attachment_mime, f"recours-{appeal.id}-piece-jointe")
