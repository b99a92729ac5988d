"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from cloe_portal.accounts.models import ROLE_LABELS_FR
from cloe_portal.accounts.passwords import password_problems
from cloe_portal.core.forms import BaseForm

REQUIRED = _l("Ce champ est obligatoire.")


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class SetPasswordForm(BaseForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("Au moins 10 caractères, en mélangeant lettres et chiffres ou symboles."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "")
        if problems:
            raise ValidationError(" ".join(problems))


class CreateUserForm(BaseForm):
    """Used by the CLI and by staff screens to create an account."""

    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Email()])
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    role = SelectField(_l("Rôle"), choices=list(ROLE_LABELS_FR.items()))


class CodeForm(BaseForm):
    """A second-factor code: 6 digits from the app, or a recovery code."""

    code = StringField(
        _l("Code de vérification"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                   "autocapitalize": "off"},
    )


class StaffAccountForm(BaseForm):
    """A referent's or the coordinator's action on someone's account: the reason is required."""

    reason = StringField(_l("Motif"), validators=[DataRequired(REQUIRED), Length(max=1000)])
