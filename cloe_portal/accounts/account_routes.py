"""My account (sessions) and staff actions on someone else's account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.accounts import services, user_sessions
from cloe_portal.accounts.forms import StaffAccountForm
from cloe_portal.accounts.login_flow import safe_next
from cloe_portal.accounts.models import User
from cloe_portal.core.access import ANY_ROLE, role_required
from cloe_portal.extensions import db

bp = Blueprint("account", __name__)


@bp.route("/compte")
@role_required(*ANY_ROLE)
def account():
    """My account: who I am, my open sessions."""
    user = current_user._get_current_object()  # noqa: SLF001
    return render_template("accounts/account.html", user=user,
                           sessions=user_sessions.live_sessions(user), current=user.login_session)


@bp.route("/compte/sessions/<int:session_id>/terminer", methods=["POST"])
@role_required(*ANY_ROLE)
def end_session(session_id: int):
    """End one of my other sessions (another browser, a forgotten computer)."""
    if session_id == current_user.login_session.id:
        abort(404)  # this one ends with "Se déconnecter"
    if not user_sessions.end_own_session(current_user, session_id):
        abort(404)
    db.session.commit()
    flash(_("Session terminée."), "success")
    return redirect(url_for(".account"), 303)


@bp.route("/compte/sessions/terminer-autres", methods=["POST"])
@role_required(*ANY_ROLE)
def end_other_sessions():
    """End every session of mine but this one."""
    count = user_sessions.end_other_sessions(current_user, current_user.login_session)
    db.session.commit()
    flash(_("Autres sessions terminées : %(n)s.", n=count), "success")
    return redirect(url_for(".account"), 303)


# --- staff: someone else's account -----------------------------------------------------------


def _managed(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not services.may_manage_account(current_user, user):
        abort(404)
    return user


def _back():  # noqa: ANN202
    return redirect(safe_next(request.form.get("next")) or url_for("core.dashboard"), 303)


@bp.route("/comptes/<int:user_id>/sessions/terminer", methods=["POST"])
@role_required("referent")
def end_user_sessions(user_id: int):
    """End every session of a person (reason required, audit-logged)."""
    user = _managed(user_id)
    form = StaffAccountForm()
    if not form.validate_on_submit() or not form.reason.data.strip():
        flash(_("Indiquez le motif."), "error")
        return _back()
    count = user_sessions.end_all_by_staff(current_user, user, form.reason.data.strip())
    db.session.commit()
    flash(_("Sessions de %(name)s terminées : %(n)s.", name=user.full_name, n=count), "success")
    return _back()
