"""Staff home, followed partners (suspend / end / reactivate), CEL centres and referents."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.accounts.models import PARTNER_STATUS_LABELS_FR, Organisation, User
from cloe_portal.applications.models import PartnerApplication
from cloe_portal.applications.services import ApplicationError, change_partnership
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav, set_home
from cloe_portal.extensions import db
from cloe_portal.network import services
from cloe_portal.network.forms import CentreForm, ReasonForm, ReferentForm
from cloe_portal.partner_audits import services as partner_audits
from cloe_portal.rules.partner_audits import due_state

bp = Blueprint("network", __name__, url_prefix="/reseau")
set_home("referent", "network.home")
set_home("coordinator", "network.home")
register_nav(("coordinator", "referent"), "Partenaires suivis", "network.partners", order=30)
register_nav(("coordinator",), "Centres et référents", "network.centres", order=85)

PARTNER_ACTIONS = {
    "suspend": "Suspendre le partenariat",
    "end": "Mettre fin au partenariat",
    "reactivate": "Réactiver le partenariat",
}


@bp.route("/accueil")
@role_required("referent")
def home():
    """What needs action: applications, accommodations, assessors expiring, followed partners."""
    return render_template("network/home.html", summary=services.home_summary(current_user),
                           base_url_mismatch=_base_url_mismatch())


def _base_url_mismatch() -> str | None:
    """The address this request came in on, when BASE_URL (used in emails) points elsewhere."""
    configured = urlsplit(current_app.config["BASE_URL"])
    used = urlsplit(request.host_url)
    if _netloc(configured) == _netloc(used):
        return None
    return request.host_url.rstrip("/")


def _netloc(url: SplitResult) -> tuple[str, int]:
    default = 443 if url.scheme == "https" else 80
    return (url.hostname or "").lower(), url.port or default


@bp.route("/partenaires")
@role_required("referent")
def partners():
    """Partners the referent's centre follows (all of them for the coordinator)."""
    return render_template("network/partners.html", partners=services.followed_partners(current_user),
                           labels=PARTNER_STATUS_LABELS_FR)


def _partner_page(org: Organisation, form: ReasonForm | None = None, action: str | None = None,
                  status: int = 200):  # noqa: ANN202
    application = db.session.scalars(
        db.select(PartnerApplication).where(PartnerApplication.organisation_id == org.id)
    ).first()
    admins = list(db.session.scalars(
        db.select(User).where(User.organisation_id == org.id, User.role == "partner")
    ))
    entries = history("organisation", org.id)
    audits = partner_audits.partner_audits(org)
    next_audit = partner_audits.next_audit_dates([org])[org.id]
    return render_template(
        "network/partner.html", org=org, application=application, admins=admins,
        labels=PARTNER_STATUS_LABELS_FR, actions=PARTNER_ACTIONS, form=form or ReasonForm(formdata=None),
        failed_action=action, entries=entries, audits=audits, next_audit=next_audit,
        due_state=due_state(next_audit, clock.today_paris()),
        proposal=partner_audits.pending_suspension(org, audits, entries),
    ), status


@bp.route("/partenaires/<int:org_id>")
@role_required("referent")
def partner(org_id: int):
    """A followed partner: status, admin accounts, status changes and their history."""
    return _partner_page(load_or_404(Organisation, org_id, services.follows))


@bp.route("/partenaires/<int:org_id>/<action>", methods=["POST"])
@role_required("referent")
def change_status(org_id: int, action: str):
    """Suspend, end or reactivate a partnership (reason required)."""
    if action not in PARTNER_ACTIONS:
        abort(404)
    org = load_or_404(Organisation, org_id, services.follows)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _partner_page(org, form, action, 422)
    try:
        change_partnership(current_user, org, action, form.reason.data)
    except ApplicationError as exc:
        db.session.rollback()
        form.reason.errors.append(str(exc))
        return _partner_page(org, form, action, 422)
    db.session.commit()
    flash(_("%(name)s : %(status)s. Ses administrateurs sont prévenus par e-mail.",
            name=org.name, status=_(PARTNER_STATUS_LABELS_FR[org.status]).lower()),
          "success")
    return redirect(url_for(".partner", org_id=org.id), 303)


@bp.route("/centres", methods=["GET", "POST"])
@role_required("coordinator")
def centres():
    """CEL centres and their referents; create a centre."""
    form = CentreForm()
    if form.validate_on_submit():
        org = services.create_centre(current_user, form.name.data, form.city.data, form.postcode.data,
                                     form.address.data, form.contact_email.data)
        db.session.commit()
        flash(_("Centre créé : %(name)s.", name=org.name), "success")
        return redirect(url_for(".centres"), 303)
    referents = list(db.session.scalars(
        db.select(User).where(User.role.in_(("referent", "coordinator"))).order_by(User.last_name)
    ))
    return render_template("network/centres.html", centres=services.centres(), referents=referents,
                           form=form, referent_form=_referent_form(formdata=None),
                           reason_form=ReasonForm(formdata=None)), 422 if form.errors else 200


def _referent_form(**kwargs) -> ReferentForm:  # noqa: ANN003
    form = ReferentForm(**kwargs)
    form.centre_id.choices = {c.id: c.name for c in services.centres()}
    return form


@bp.route("/referents", methods=["POST"])
@role_required("coordinator")
def create_referent():
    """Create a referent account of a centre (first-login email)."""
    form = _referent_form()
    if form.validate_on_submit():
        centre = db.session.get(Organisation, form.centre_id.data) or abort(404)
        try:
            user = services.create_referent(current_user, centre, form.email.data,
                                            form.first_name.data, form.last_name.data)
        except services.NetworkError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Référent créé : %(name)s a reçu un lien de première connexion.", name=user.full_name), "success")
            return redirect(url_for(".centres"), 303)
    referents = list(db.session.scalars(
        db.select(User).where(User.role.in_(("referent", "coordinator"))).order_by(User.last_name)
    ))
    return render_template("network/centres.html", centres=services.centres(), referents=referents,
                           form=CentreForm(formdata=None), referent_form=form,
                           reason_form=ReasonForm(formdata=None)), 422


@bp.route("/comptes/<int:user_id>/actif", methods=["POST"])
@role_required("referent")
def set_active(user_id: int):
    """Deactivate or reactivate an account (reason required)."""
    user = db.session.get(User, user_id) or abort(404)
    if not services.may_set_active(current_user, user):
        abort(404)
    form = ReasonForm()
    active = request.form.get("active") == "1"
    if not form.validate_on_submit():
        flash(_("Indiquez le motif."), "error")
    else:
        services.set_active(current_user, user, active, form.reason.data)
        db.session.commit()
        flash(_("Compte de %(name)s réactivé.", name=user.full_name) if active
              else _("Compte de %(name)s désactivé.", name=user.full_name), "success")
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for(".home")
    return redirect(target, 303)
