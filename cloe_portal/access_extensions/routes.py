"""Access extensions: the partner's request and withdrawal, the referent's queue and decision."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.access_extensions import services
from cloe_portal.access_extensions.forms import ExtensionDecisionForm, ExtensionRequestForm
from cloe_portal.access_extensions.models import (
    EXTENSION_STATUSES,
    EXTENSION_WINDOWS,
    AccessExtensionRequest,
)
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.partners.scope import may_see_partner, visible_partners
from cloe_portal.sessions.models import Registration

bp = Blueprint("access_extensions", __name__, url_prefix="/prolongations")
register_nav(("partner",), "Prolongations", "access_extensions.index", order=45)
register_nav(("coordinator", "referent"), "Prolongations", "access_extensions.index", order=51)


def own_registration(user, registration: Registration) -> bool:  # noqa: ANN001
    """A partner admin's own registration (what it may ask an extension for)."""
    return user.role == "partner" and user.organisation_id == registration.partner_id


@bp.app_template_global("extension_requests_for")
def extension_requests_for(registration: Registration) -> list[AccessExtensionRequest]:
    """The registration's extension requests, for the partner's candidate page."""
    return services.requests_for(registration)


@bp.app_template_global("booking_deadline")
def booking_deadline(registration: Registration) -> tuple[datetime, bool] | None:
    """When the registration's oral booking closes, and whether it is still open (None before
    the written test)."""
    closes = services.closes_at(registration, "booking")
    return None if closes is None else (closes, clock.now() <= closes)


@bp.app_template_global("can_request_extension")
def can_request_extension(registration: Registration) -> bool:
    """True when one of the registration's windows can still be extended."""
    return any(services.window_problem(registration, w) is None for w in EXTENSION_WINDOWS)


@bp.app_template_global("pending_extensions")
def pending_extensions() -> list[AccessExtensionRequest]:
    """The requests waiting for the current referent, for its home page."""
    return services.pending_for_user(current_user)


def _windows(registration: Registration) -> dict[str, object]:
    return {w: services.closes_at(registration, w) for w in EXTENSION_WINDOWS}


def _new_page(registration: Registration, form: ExtensionRequestForm, status: int = 200):  # noqa: ANN202
    return render_template(
        "access_extensions/new.html", registration=registration, form=form,
        closes=_windows(registration), problems={w: services.window_problem(registration, w)
                                                 for w in EXTENSION_WINDOWS},
        requests=services.requests_for(registration)), status


@bp.route("/inscription/<int:registration_id>", methods=["GET", "POST"])
@role_required("partner")
def new(registration_id: int):
    """The partner asks for more days on the written test or the oral booking of a registration."""
    registration = load_or_404(Registration, registration_id, own_registration)
    form = ExtensionRequestForm()
    if request.method == "GET":
        wanted = request.args.get("acces")
        form.window.data = wanted if wanted in EXTENSION_WINDOWS else (
            "booking" if registration.status in services.BOOKING_OPEN else "written")
    if form.validate_on_submit():
        try:
            services.request_extension(current_user, registration, form.window.data,
                                       form.days.data, form.reason.data)
        except services.ExtensionError as exc:
            db.session.rollback()
            getattr(form, exc.field or "window").errors.append(str(exc))
            return _new_page(registration, form, 422)
        db.session.commit()
        flash(_("Demande de prolongation envoyée au centre référent : vous serez prévenu par "
                "e-mail de sa décision."), "success")
        return redirect(url_for("partners.candidate", candidate_id=registration.candidate_id), 303)
    return _new_page(registration, form, 422 if form.errors else 200)


@bp.route("/")
@role_required("partner", "referent")
def index():
    """The partner's requests, or the referent's queue: pending first, filter by status and partner."""
    status = request.args.get("statut") or None
    if status not in EXTENSION_STATUSES:
        status = None
    partner_id = int_arg("partner") if current_user.role != "partner" else None
    if partner_id and not may_see_partner(current_user, partner_id):
        abort(404)
    return render_template(
        "access_extensions/index.html", items=services.queue(current_user, status, partner_id),
        status=status, partner_id=partner_id, statuses=EXTENSION_STATUSES,
        partners=visible_partners(current_user) if current_user.role != "partner" else [])


def _detail_page(item: AccessExtensionRequest, form: ExtensionDecisionForm | None = None,
                 status: int = 200):  # noqa: ANN202
    if form is None and services.may_decide(current_user, item) and item.status == "pending":
        form = ExtensionDecisionForm(formdata=None, most=item.days_requested,
                                     data={"days": item.days_requested})
    return render_template(
        "access_extensions/detail.html", item=item, form=form,
        registration=item.registration, closes=services.closes_at(item.registration, item.window),
        problem=services.window_problem(item.registration, item.window),
        statuses=EXTENSION_STATUSES, entries=history("access_extension_request", item.id)), status


@bp.route("/<int:request_id>")
@role_required("partner", "referent")
def detail(request_id: int):
    """One request: who, which access, days, reason, the decision (form for the referent)."""
    return _detail_page(load_or_404(AccessExtensionRequest, request_id, services.may_see))


@bp.route("/<int:request_id>/decision", methods=["POST"])
@role_required("referent")
def decide(request_id: int):
    """The referent grants (maybe fewer days) or refuses with a comment."""
    item = load_or_404(AccessExtensionRequest, request_id, services.may_see)
    form = ExtensionDecisionForm(most=item.days_requested)
    if not form.validate_on_submit():
        return _detail_page(item, form, 422)
    try:
        services.decide(current_user, item, form.decision.data == "grant", form.days.data,
                        form.comment.data)
    except services.ExtensionError as exc:
        db.session.rollback()
        getattr(form, exc.field or "decision").errors.append(str(exc))
        return _detail_page(item, form, 422)
    db.session.commit()
    flash(_("Décision enregistrée : le partenaire et, si la prolongation est accordée, le "
            "candidat sont prévenus par e-mail."), "success")
    return redirect(url_for(".index"), 303)


@bp.route("/<int:request_id>/retrait", methods=["POST"])
@role_required("partner")
def withdraw(request_id: int):
    """The partner withdraws a request still waiting for the referent."""
    item = load_or_404(AccessExtensionRequest, request_id, services.may_see)
    try:
        services.withdraw(current_user, item)
    except services.ExtensionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".detail", request_id=item.id), 303)
    db.session.commit()
    flash(_("Demande retirée."), "success")
    return redirect(url_for(".detail", request_id=item.id), 303)
