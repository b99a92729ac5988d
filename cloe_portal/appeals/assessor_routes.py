"""The second assessor's side: the re-markings assigned to it and the blind grid."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.appeals import services
from cloe_portal.appeals.blueprint import bp
from cloe_portal.appeals.models import AppealRemark
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.orals.assessor_routes import ORAL_PARTS, autosave_response, posted_grid
from cloe_portal.orals.models import OralBooking
from cloe_portal.orals.services import REPORT_MIN_LENGTH
from cloe_portal.reference.cefr_text import oral_criterion_descriptor
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.reference.oral_prompts import prompts_for
from cloe_portal.rules.cefr import CRITERION_LABELS_FR, ORAL_CRITERIA, SUBLEVELS

register_nav(("assessor",), "Secondes évaluations", "appeals.assessor_remarks", order=15)


@bp.route("/evaluateur/recours")
@role_required("assessor")
def assessor_remarks():
    """The orals the referent gave this assessor to re-mark on appeal."""
    return render_template("appeals/assessor_list.html",
                           remarks=services.remarks_of(current_user), languages=LANGUAGES)


def _grid_context(remark: AppealRemark, **extra: object) -> dict:
    appeal = remark.appeal
    registration = appeal.registration
    levels = {c: getattr(remark, c) for c in ORAL_CRITERIA}
    context = dict(
        remark=remark, appeal=appeal, registration=registration,
        booking=db.session.get(OralBooking, remark.booking_id),
        blocker=services.remark_blocker(current_user, remark),
        prompts=prompts_for(appeal.session.language, registration.target_level,
                            appeal.session.domain),
        parts=ORAL_PARTS, criteria=ORAL_CRITERIA, criterion_labels=CRITERION_LABELS_FR,
        sublevels=SUBLEVELS, levels=levels,
        descriptors={c: oral_criterion_descriptor(c, v) if v else None
                     for c, v in levels.items()},
        report_min=REPORT_MIN_LENGTH,
        language_name=LANGUAGES.get(appeal.session.language, appeal.session.language),
        errors={})
    context.update(extra)
    return context


def _own(user, remark: AppealRemark) -> bool:  # noqa: ANN001
    return services.may_remark(user, remark)


@bp.route("/evaluateur/recours/<int:remark_id>")
@role_required("assessor")
def assessor_remark(remark_id: int):
    """The blind grid: the candidate and the oral, never the first grid or report."""
    remark = load_or_404(AppealRemark, remark_id, _own)
    return render_template("appeals/remark.html", **_grid_context(remark))


@bp.route("/evaluateur/recours/<int:remark_id>/grille", methods=["POST"])
@role_required("assessor")
def assessor_remark_save(remark_id: int):
    """Autosave the second grid (htmx answers the "Enregistré à HH:MM" status)."""
    remark = load_or_404(AppealRemark, remark_id, _own)
    levels, report = posted_grid()
    return autosave_response(
        lambda: services.save_remark(current_user, remark, levels, report),
        services.AppealError, url_for("appeals.assessor_remark", remark_id=remark.id))


@bp.route("/evaluateur/recours/<int:remark_id>/valider", methods=["POST"])
@role_required("assessor")
def assessor_remark_validate(remark_id: int):
    """Save, check the grid is complete, validate it (read-only afterwards)."""
    remark = load_or_404(AppealRemark, remark_id, _own)
    levels, report = posted_grid()
    try:
        services.save_remark(current_user, remark, levels, report)
        errors = services.remark_errors(remark)
        if errors:
            db.session.commit()  # keep what was typed
            return render_template("appeals/remark.html",
                                   **_grid_context(remark, errors=errors)), 422
        services.validate_remark(current_user, remark)
    except services.AppealError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("appeals.assessor_remark", remark_id=remark.id), 303)
    db.session.commit()
    flash(_("Seconde évaluation validée et transmise au centre."), "success")
    return redirect(url_for("appeals.assessor_remark", remark_id=remark.id), 303)
