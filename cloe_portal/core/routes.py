"""Home redirect, per-role dashboards, health check."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from cloe_portal.core.access import ANY_ROLE, public, role_required
from cloe_portal.core.nav import home_endpoint, register_nav
from cloe_portal.extensions import db

bp = Blueprint("core", __name__)

register_nav(ANY_ROLE, "Tableau de bord", "core.dashboard", order=0)


@bp.route("/")
@public
def index():
    """Send visitors to their dashboard, or to the login page."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    return redirect(url_for("accounts.login"))


@bp.route("/dashboard")
@role_required(*ANY_ROLE)
def dashboard():
    """The role's dashboard: what needs doing, and where to go."""
    return render_template("core/dashboard.html", role=current_user.role)


@bp.route("/favicon.ico")
@public
def favicon():
    """The icon browsers ask for on pages without a <link rel="icon"> (PDFs, JSON)."""
    # Read whole (3 KB) so that no file handle outlives the request.
    data = (Path(current_app.static_folder) / "favicon.ico").read_bytes()
    response = Response(data, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


@bp.route("/healthz")
@public
def healthz():
    """Liveness and database check for monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure is "error"
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
