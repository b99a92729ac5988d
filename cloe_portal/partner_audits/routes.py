"""Referent: open a follow-up audit of a partner, fill in its grid, record its outcome."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.accounts.models import Organisation
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.extensions import db
from cloe_portal.formatting import fr_date
from cloe_portal.network.services import follows
from cloe_portal.partner_audits import services
from cloe_portal.partner_audits.forms import FollowUpAuditForm
from cloe_portal.partner_audits.models import PartnerAudit
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS

bp = Blueprint("partner_audits", __name__, url_prefix="/reseau")


@bp.route("/partenaires/<int:org_id>/audits", methods=["POST"])
@role_required("referent")
def open_audit(org_id: int):
    """Open a follow-up audit of a followed partner (or go to the one in progress)."""
    org = load_or_404(Organisation, org_id, follows)
    try:
        audit, created = services.open_audit(current_user, org)
    except services.AuditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("network.partner", org_id=org.id), 303)
    db.session.commit()
    if not created:
        flash(_("Un audit de suivi est déjà en cours pour ce partenaire : le voici."), "info")
    return redirect(url_for(".audit", audit_id=audit.id), 303)


def _page(audit: PartnerAudit, form: FollowUpAuditForm | None = None, status: int = 200):  # noqa: ANN202
    if form is None:
        form = FollowUpAuditForm(formdata=None)
        form.fill_checklist(audit.checklist)
    return render_template(
        "partner_audits/audit.html", audit=audit, org=audit.organisation, form=form,
        audit_points=ACCREDITATION_AUDIT_POINTS,
        next_audit=services.next_audit_dates([audit.organisation])[audit.organisation_id],
    ), status


@bp.route("/audits/<int:audit_id>", methods=["GET", "POST"])
@role_required("referent")
def audit(audit_id: int):
    """A follow-up audit: its grid and outcome form while open, read-only once closed."""
    audit = load_or_404(PartnerAudit, audit_id, services.may_see)
    form = FollowUpAuditForm()
    if not form.is_submitted():
        return _page(audit)
    if not audit.is_open:
        flash(_("Cet audit est clos : il n'est plus modifiable."), "error")
        return _page(audit, status=409)
    if not form.validate():
        return _page(audit, form, 422)
    try:
        services.save_audit(
            current_user, audit, form.checklist_data(), form.outcome.data or None,
            audit_date=form.audit_date.data, summary=form.summary.data,
            actions=form.actions.data, deadline=form.actions_deadline.data,
        )
    except services.AuditError as exc:
        db.session.rollback()
        for name, message in exc.problems.items():
            getattr(form, name or "outcome").errors.append(message)
        return _page(db.session.get(PartnerAudit, audit_id), form, 422)
    db.session.commit()
    org = audit.organisation
    if not form.outcome.data:
        flash(_("Grille de l'audit enregistrée."), "success")
        return redirect(url_for(".audit", audit_id=audit.id), 303)
    if audit.outcome == "suspension_proposed":
        flash(_("Audit clos : suspension proposée. Confirmez la suspension ci-dessous, avec son "
                "motif ; les administrateurs du partenaire ont reçu le résultat de l'audit."),
              "success")
        return redirect(url_for("network.partner", org_id=org.id, _anchor="statut"), 303)
    flash(_("Audit clos : %(outcome)s. Prochain audit le %(date)s ; les administrateurs du "
            "partenaire ont reçu le résultat par e-mail.", outcome=_(audit.outcome_label).lower(),
            date=fr_date(audit.next_audit_on)), "success")
    return redirect(url_for("network.partner", org_id=org.id, _anchor="audits"), 303)
