"""Personal data pages: purges done and upcoming, a candidate's export and erasure."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.privacy import services
from cloe_portal.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__, url_prefix="/donnees-personnelles")

register_nav(("referent",), "Données personnelles", "privacy.index", order=90)


@bp.app_template_global("evidence_purge")
def evidence_purge(registration_id: int | None):  # noqa: ANN201 - an EvidencePurge or None
    """For other features' templates (jury review, written attempt): the purge of a file."""
    if registration_id is None:
        return None
    return services.evidence_purge_for(registration_id)


@bp.route("/")
@role_required("referent")
def index():
    """Purges done and upcoming, erasures done, for the candidates the referent follows."""
    return render_template(
        "privacy/index.html", done=services.purges_done(current_user),
        upcoming=services.purges_upcoming(current_user),
        erasures=services.erasures_done(current_user),
        days=services.retention_days(), now=clock.now())


def _candidate(candidate_id: int) -> User:
    return load_or_404(User, candidate_id, services.may_manage_candidate)


@bp.route("/candidats/<int:candidate_id>")
@role_required("referent")
def candidate(candidate_id: int):
    """A candidate's personal data: export, evidence purges, erasure."""
    person = _candidate(candidate_id)
    return _render_candidate(person, EraseForm())


def _render_candidate(person: User, form: EraseForm, status: int = 200):  # noqa: ANN202
    from sqlalchemy import select

    from cloe_portal.privacy.models import EvidencePurge

    purges = list(db.session.scalars(select(EvidencePurge).where(
        EvidencePurge.candidate_id == person.id).order_by(EvidencePurge.id)))
    return render_template(
        "privacy/candidate.html", person=person, form=form, purges=purges,
        erasure=services.erasure_of(person), status=services.erasure_status(person),
    ), status


@bp.route("/candidats/<int:candidate_id>/export.json")
@role_required("referent")
def export(candidate_id: int):
    """Every piece of data held about the candidate, as a JSON download (audit-logged)."""
    person = _candidate(candidate_id)
    data = services.candidate_export(current_user, person)
    db.session.commit()
    response = Response(services.export_json(data), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="cloe-donnees-candidat-{person.id}-'
        f'{clock.today_paris():%Y%m%d}.json"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/candidats/<int:candidate_id>/effacer", methods=["POST"])
@role_required("referent")
def erase(candidate_id: int):
    """Erase the candidate's personal data once its results' 3 years are over."""
    person = _candidate(candidate_id)
    form = EraseForm()
    if not form.validate_on_submit():
        return _render_candidate(person, form, 422)
    try:
        services.erase_candidate(current_user, person, form.reason.data)
    except services.PrivacyError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _render_candidate(person, form, 422)
    db.session.commit()
    flash(_("Les données personnelles du candidat sont effacées. Ses certificats restent "
            "vérifiables."), "success")
    return redirect(url_for("privacy.candidate", candidate_id=person.id), 303)
