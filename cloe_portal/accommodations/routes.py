"""The referent's accommodation queue and decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from cloe_portal.accommodations import services
from cloe_portal.accounts.models import Organisation
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.forms import BaseForm
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ACCOMMODATION_STATUSES, AccommodationRequest

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
