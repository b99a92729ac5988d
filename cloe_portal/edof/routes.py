"""EDOF extracts: upload (partner), history, taux de réalisation and files with no CLOE taken."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.edof import services
from cloe_portal.edof.forms import EdofUploadForm
from cloe_portal.edof.models import MATCH_KINDS, EdofFile, EdofUpload
from cloe_portal.extensions import db
from cloe_portal.partners.scope import may_see_partner, visible_partners
from cloe_portal.rules.edof import EdofError

bp = Blueprint("edof", __name__, url_prefix="/edof")
register_nav(("partner", "referent"), "Extractions EDOF", "edof.index", order=40)


def may_see_upload(user, upload: EdofUpload) -> bool:  # noqa: ANN001
    """Partners see their uploads, referents those of the partners they follow."""
    return may_see_partner(user, upload.partner_id)


def _partner_arg() -> int | None:
    if current_user.role == "partner":
        return None
    value = request.args.get("partner", "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


def _index_context(form: EdofUploadForm | None = None, **extra) -> dict:  # noqa: ANN003
    today = clock.today_paris()
    partner_id = _partner_arg()
    if partner_id and not may_see_partner(current_user, partner_id):
        abort(404)
    if form is None:
        form = EdofUploadForm(formdata=None)
        form.month.data = today.strftime("%Y-%m")
    context = {
        "form": form,
        "rates": services.month_rates(current_user, today, partner_id),
        "history": services.upload_history(current_user, partner_id),
        "today": today,
        "partner_id": partner_id,
        "partners": visible_partners(current_user) if current_user.role != "partner" else [],
        "missing": (services.partners_missing_month(current_user, today)
                    if current_user.role != "partner" else []),
    }
    context.update(extra)
    return context


@bp.route("/")
@role_required("partner", "referent")
def index():
    """Upload form (partner), rates per month, CPF files with no CLOE taken, upload history."""
    return render_template("edof/index.html", **_index_context())


@bp.route("/upload", methods=["POST"])
@role_required("partner")
def upload():
    """Import a monthly extract: every problem listed with line and column, all or nothing."""
    form = EdofUploadForm()
    if not form.validate_on_submit():
        return render_template("edof/index.html", **_index_context(form)), 422
    file = form.file.data
    try:
        stored = services.upload_extract(current_user, current_user.organisation,
                                         form.month.month_date, file.read(), file.filename or "")
    except EdofError as refused:
        db.session.rollback()
        return render_template("edof/index.html", **_index_context(
            form, problems=refused.problems, filename=file.filename)), 422
    db.session.commit()
    flash(_("Extraction « %(name)s » importée : %(rows)s dossier(s), %(matched)s rapproché(s) d'un candidat.",
            name=stored.filename, rows=stored.row_count, matched=stored.matched_count), "success")
    return redirect(url_for(".upload_detail", upload_id=stored.id), 303)


@bp.route("/envois/<int:upload_id>")
@role_required("partner", "referent")
def upload_detail(upload_id: int):
    """One upload: its rows, matched or not to an enrolled candidate."""
    stored = load_or_404(EdofUpload, upload_id, may_see_upload)
    stmt = (db.select(EdofFile).where(EdofFile.upload_id == stored.id)
            .options(db.joinedload(EdofFile.registration)).order_by(EdofFile.line))
    rows = list(db.session.scalars(stmt))
    return render_template("edof/upload.html", upload=stored, rows=rows,
                           unmatched=[r for r in rows if r.registration_id is None],
                           match_kinds=MATCH_KINDS)
