"""Accommodations: the partner's request after enrolment, the referent's queue and decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cloe_portal.accommodations import services
from cloe_portal.accounts.models import Organisation
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.forms import BaseForm
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.sessions.models import (
    ACCOMMODATION_KINDS,
    ACCOMMODATION_STATUSES,
    AccommodationRequest,
    Registration,
)

bp = Blueprint("accommodations", __name__, url_prefix="/amenagements")
register_nav(("coordinator", "referent"), "Aménagements", "accommodations.index", order=50)


class DecisionForm(BaseForm):
    decision = RadioField(_l("Décision"), choices=[SelectChoice("approve", _l("Accorder")),
                                                   SelectChoice("refuse", _l("Refuser"))],
                          validators=[InputRequired(_l("Choisissez la décision."))])
    comment = TextAreaField(_l("Commentaire"), validators=[Optional(), Length(max=2000)],
                            description=_l("Obligatoire en cas de refus."))

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == "refuse" and not (field.data or "").strip():
            raise ValidationError(_l("Expliquez le refus : le commentaire est obligatoire."))


class PartnerRequestForm(BaseForm):
    """An accommodation asked by the partner after enrolment: which one, and why."""

    kind = SelectField(_l("Aménagement demandé"),
                       choices=[SelectChoice("", _l("Choisissez…"))]
                       + [SelectChoice(k, _l(v)) for k, v in ACCOMMODATION_KINDS.items()],
                       validators=[DataRequired(_l("Choisissez l'aménagement demandé."))])
    details = TextAreaField(_l("Justification"), validators=[
        DataRequired(_l("Justifiez la demande (situation du candidat, justificatif reçu).")),
        Length(max=2000)],
        description=_l("La demande écrite du candidat et son justificatif restent dans votre dossier "
                       "(règlement CLOE, § 3.7)."))


def _own_registration(user, registration: Registration) -> bool:  # noqa: ANN001
    return user.role == "partner" and user.organisation_id == registration.partner_id


@bp.app_template_global("can_request_accommodation")
def can_request_accommodation(registration: Registration) -> bool:
    """True while the partner may still ask an accommodation (before the written test)."""
    return services.request_problem(registration) is None


@bp.route("/inscription/<int:registration_id>/demande", methods=["GET", "POST"])
@role_required("partner")
def partner_new(registration_id: int):
    """The partner asks an accommodation for an enrolled candidate, before its written test."""
    registration = load_or_404(Registration, registration_id, _own_registration)
    form = PartnerRequestForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_request(current_user, registration, form.kind.data, form.details.data)
        except services.AccommodationError as exc:
            db.session.rollback()
            form.kind.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Demande d'aménagement envoyée au centre référent : elle sera décidée avant "
                    "le test écrit."), "success")
            return redirect(url_for("partners.candidate", candidate_id=registration.candidate_id), 303)
    if form.errors:
        status = 422
    return render_template("accommodations/partner_new.html", registration=registration, form=form,
                           problem=services.request_problem(registration),
                           statuses=ACCOMMODATION_STATUSES), status


@bp.route("/")
@role_required("referent")
def index():
    """Pending requests first, then decided ones; filter by partner."""
    partner_id = int_arg("partner")
    items = services.queue(current_user, partner_id)
    partners_stmt = db.select(Organisation).where(Organisation.kind == "partner").order_by(Organisation.name)
    if current_user.role != "coordinator":
        partners_stmt = partners_stmt.where(Organisation.referent_centre_id == current_user.organisation_id)
    return render_template("accommodations/index.html", items=items, partner_id=partner_id,
                           partners=list(db.session.scalars(partners_stmt)),
                           statuses=ACCOMMODATION_STATUSES)


def _page(item: AccommodationRequest, form: DecisionForm, status: int = 200):  # noqa: ANN202
    return render_template("accommodations/detail.html", item=item, form=form,
                           statuses=ACCOMMODATION_STATUSES,
                           entries=history("accommodation_request", item.id)), status


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@role_required("referent")
def detail(request_id: int):
    """One request: candidate, session, details, decision form, history."""
    item = load_or_404(AccommodationRequest, request_id, services.may_decide)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(current_user, item, form.decision.data == "approve", form.comment.data)
        except services.AccommodationError as exc:
            db.session.rollback()
            form.decision.errors.append(str(exc))
            return _page(item, form, 422)
        db.session.commit()
        flash(_("Décision enregistrée."), "success")
        return redirect(url_for(".index"), 303)
    return _page(item, form, 422 if form.errors else 200)
