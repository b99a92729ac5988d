"""Login, logout, first-login password, password reset, language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from cloe_portal.accounts import second_factor, services, user_sessions
from cloe_portal.accounts.account_routes import bp as account_bp
from cloe_portal.accounts.account_routes import enrolment_page
from cloe_portal.accounts.forms import CodeForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from cloe_portal.accounts.login_flow import (
    after_password,
    drop_pending,
    finish_pending,
    login_limit,
    pending_user,
    safe_next,
)
from cloe_portal.accounts.tokens import read_password_token
from cloe_portal.core.access import ANY_ROLE, public, role_required
from cloe_portal.core.nav import home_endpoint
from cloe_portal.extensions import db, limiter
from cloe_portal.notifications.mail import deliver_after_response

bp = Blueprint("accounts", __name__)
blueprints = [bp, account_bp]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Show the login form and check the password (then the second factor, if any)."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginRefused as refused:
            error = _(str(refused))
        else:
            return after_password(user, safe_next(request.args.get("next")))
    status = 401 if error else 200
    return deliver_after_response(
        current_app.make_response((render_template("accounts/login.html", form=form, error=error),
                                   status)))


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login_code():
    """Second step of a login: a code from the app, or a single-use recovery code."""
    user = pending_user("code")
    if user is None:
        return redirect(url_for(".login"), 303)
    if services.is_locked(user):
        drop_pending()
        flash(_(services.LOGIN_REFUSED), "error")
        return redirect(url_for(".login"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        used = second_factor.verify(user, form.code.data)
        if used is not None:
            target = finish_pending(user)
            if used == "recovery":
                flash(_("Code de secours utilisé : il ne servira plus. Il vous en reste %(n)s.",
                        n=second_factor.recovery_codes_left(user)), "warning")
            return redirect(target, 303)
        services.register_failure(user)
        db.session.commit()
        if services.is_locked(user):
            drop_pending()
            flash(_("Trop de codes incorrects : le compte est temporairement verrouillé. "
                    "Un e-mail vous a été envoyé."), "error")
            return deliver_after_response(redirect(url_for(".login"), 303))
        form.code.errors.append(_("Code incorrect."))
    status = 422 if form.errors else 200
    return render_template("accounts/login_code.html", form=form), status


@bp.route("/login/double-authentification", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login_enrol():
    """Forced enrolment after the password (production referents and coordinators)."""
    user = pending_user("enrol")
    if user is None:
        return redirect(url_for(".login"), 303)
    return enrolment_page(user, pending=True)


@bp.route("/logout", methods=["POST"])
@role_required(*ANY_ROLE)
def logout():
    """Log out: the server-side session ends, then the cookie."""
    if current_user.login_session is not None:
        user_sessions.revoke(current_user.login_session, "logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("accounts.login"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link by email (same answer whether or not the account exists)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("Si un compte existe pour cette adresse, un e-mail avec un lien de "
              "réinitialisation vient d'être envoyé."),
            "success",
        )
        # The mail leaves once the answer is sent: its timing tells nothing either.
        return deliver_after_response(redirect(url_for("accounts.login"), 303))
    return render_template("accounts/forgot.html", form=form)


def _password_page(token: str, purpose: str, title: str):  # noqa: ANN202
    user, problem = read_password_token(token, purpose)
    if user is None:
        return render_template("accounts/link_invalid.html", message=problem), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)  # every other session ends
        db.session.commit()
        flash(_("Votre mot de passe est enregistré."), "success")
        return after_password(user, None)
    return render_template("accounts/set_password.html", form=form, title=title, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from an emailed reset link."""
    return _password_page(token, "reset", _("Réinitialiser mon mot de passe"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def welcome(token: str):
    """First login: choose a password from the enrolment / account email."""
    return _password_page(token, "welcome", _("Bienvenue : choisissez votre mot de passe"))


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Switch the interface language (French by default, English available)."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("core.index"), 303)
