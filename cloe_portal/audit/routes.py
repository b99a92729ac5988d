"""The audit log's pages: search it, export it as CSV; and the `action_label` filter every
history template uses."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user

from cloe_portal.audit import search
from cloe_portal.audit.forms import AuditLogForm
from cloe_portal.audit.labels import FAMILY_LABELS, action_label, object_type_label
from cloe_portal.audit.services import record
from cloe_portal.core.access import role_required
from cloe_portal.core.htmx import page_or_fragment
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.formatting import label

bp = Blueprint("audit", __name__, url_prefix="/journal")
register_nav(("coordinator", "referent"), "Journal d'audit", "audit.log", order=92)


@bp.app_template_filter("action_label")
def action_label_filter(action: str) -> str:
    """An action code as a label in the interface's language (French table, English catalogue)."""
    return label(action_label(action))


@bp.app_template_filter("object_type_label")
def object_type_label_filter(object_type: str) -> str:
    """An object type as a noun in the interface's language."""
    return label(object_type_label(object_type))


def _search_form() -> AuditLogForm:
    form = AuditLogForm(request.args)
    form.set_actions(search.known_actions(), FAMILY_LABELS)
    return form


@bp.route("/")
@role_required("referent")
def log():
    """Audit entries the referent may read (its centre's partners and its own centre's
    actions; everything for the coordinator), filtered and paginated."""
    form = _search_form()
    valid = form.validate()
    filters = form.filters() if valid else search.LogFilters()
    result = (search.log_page(current_user, filters, int_arg("page", 1)) if valid
              else search.LogPage([], 0, 1, 1))
    return page_or_fragment(
        "audit/log.html", "audit/_log_rows.html", 200 if valid else 422,
        form=form, result=result, args=filters.as_args(), valid=valid,
    )


@bp.route("/export.csv")
@role_required("referent")
def export():
    """The filtered entries as CSV for French Excel (UTF-8 with BOM, `;`); the export itself
    is logged."""
    form = _search_form()
    if not form.validate():
        return page_or_fragment("audit/log.html", "audit/_log_rows.html", 422, form=form,
                                result=search.LogPage([], 0, 1, 1), args={}, valid=False)
    filters = form.filters()
    entry = record(current_user, "audit.exported", object_type="audit_entry",
                   details={"filters": search.filters_details(filters)})
    stmt = search.export_statement(current_user, filters, entry.id)
    db.session.commit()
    # Built whole while the request holds the database session (the rows are read in
    # batches): a streamed body would need the request context kept alive after the view,
    # and a file handle would outlive a response nobody reads to the end. A year of a
    # centre's log is a few megabytes.
    body = "".join(search.csv_lines(stmt)).encode("utf-8")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="journal-audit-{search.export_stamp()}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
