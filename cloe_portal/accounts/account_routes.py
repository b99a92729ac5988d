"""My account (sessions, second factor) and staff actions on someone else's account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.accounts import second_factor, services, user_sessions
from cloe_portal.accounts.forms import CodeForm, StaffAccountForm
from cloe_portal.accounts.login_flow import finish_pending, login_limit, safe_next
from cloe_portal.accounts.models import User
from cloe_portal.core.access import ANY_ROLE, role_required
from cloe_portal.extensions import db, limiter

bp = Blueprint("account", __name__)


def _account_page(form: CodeForm | None = None, status: int = 200):  # noqa: ANN202
    user = current_user._get_current_object()  # noqa: SLF001
    return render_template(
        "accounts/account.html", user=user, sessions=user_sessions.live_sessions(user),
        current=user.login_session, offered=second_factor.offered(user),
        required=second_factor.required(user),
        codes_left=second_factor.recovery_codes_left(user) if user.totp_enabled else 0,
        form=form or CodeForm(formdata=None),
    ), status


@bp.route("/compte")
@role_required(*ANY_ROLE)
def account():
    """My account: who I am, my second factor, my open sessions."""
    return _account_page()


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


def enrolment_page(user: User, pending: bool):  # noqa: ANN201
    """Show the QR code and the secret; a right code turns the second factor on (both modes)."""
    if user.totp_enabled:
        flash(_("La double authentification est déjà activée."), "info")
        return redirect(url_for(".account"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, form.code.data)
        except second_factor.SecondFactorError as exc:
            form.code.errors.append(_(str(exc)))
        else:
            next_url = finish_pending(user) if pending else url_for(".account")
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    secret = second_factor.pending_secret(user)
    db.session.commit()  # the secret shown is the one the code will be checked against
    return render_template(
        "accounts/enrol.html", form=form, pending=pending, secret=second_factor.grouped(secret),
        qr=second_factor.qr_data_uri(user, secret), user=user,
    ), 422 if form.errors else 200


@bp.route("/compte/double-authentification", methods=["GET", "POST"])
@role_required(*second_factor.OFFERED_ROLES)
def enrol():
    """Turn the second factor on from my account page (staff, assessors, partners)."""
    return enrolment_page(current_user._get_current_object(), pending=False)  # noqa: SLF001


@bp.route("/compte/double-authentification/desactiver", methods=["POST"])
@role_required(*second_factor.OFFERED_ROLES)
@limiter.limit(login_limit)
def disable_second_factor():
    """Turn an optional second factor off, with a current code."""
    if not current_user.totp_enabled:
        abort(404)
    if second_factor.required(current_user):
        abort(403)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_factor.disable(current_user, form.code.data)
        except second_factor.SecondFactorError as exc:
            form.code.errors.append(_(str(exc)))
        else:
            db.session.commit()
            flash(_("Double authentification désactivée."), "success")
            return redirect(url_for(".account"), 303)
    return _account_page(form, 422)


@bp.route("/compte/double-authentification/codes-de-secours", methods=["POST"])
@role_required(*second_factor.OFFERED_ROLES)
@limiter.limit(login_limit)
def renew_recovery_codes():
    """Replace my recovery codes (the old ones stop working), with a current code."""
    if not current_user.totp_enabled:
        abort(404)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.new_recovery_codes(current_user, form.code.data)
        except second_factor.SecondFactorError as exc:
            form.code.errors.append(_(str(exc)))
        else:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes,
                                   next_url=url_for(".account"))
    return _account_page(form, 422)


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


@bp.route("/comptes/<int:user_id>/double-authentification/reinitialiser", methods=["POST"])
@role_required("referent")
def reset_second_factor(user_id: int):
    """Remove a person's lost second factor (reason required, audit-logged)."""
    user = _managed(user_id)
    form = StaffAccountForm()
    if not form.validate_on_submit() or not form.reason.data.strip():
        flash(_("Indiquez le motif."), "error")
        return _back()
    if not user.totp_enabled:
        flash(_("%(name)s n'a pas de double authentification.", name=user.full_name), "info")
        return _back()
    second_factor.reset_by_staff(current_user, user, form.reason.data.strip())
    db.session.commit()
    flash(_("Double authentification de %(name)s réinitialisée : ses sessions sont terminées.",
            name=user.full_name), "success")
    return _back()
