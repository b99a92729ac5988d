"""The audit log's pages, and the `action_label` filter every history template uses."""

from __future__ import annotations

from flask import Blueprint

from cloe_portal.audit.labels import action_label
from cloe_portal.formatting import label

bp = Blueprint("audit", __name__, url_prefix="/journal")


@bp.app_template_filter("action_label")
def action_label_filter(action: str) -> str:
    """An action code as a label in the interface's language (French table, English catalogue)."""
    return label(action_label(action))
