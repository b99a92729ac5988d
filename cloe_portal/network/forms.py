"""Forms of the coordinator's network management."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from cloe_portal.accounts.models import email_exists
from cloe_portal.core.forms import BaseForm

REQUIRED = _l("Ce champ est obligatoire.")


class CentreForm(BaseForm):
    name = StringField(_l("Nom du centre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=300)])
    postcode = StringField(_l("Code postal"), validators=[DataRequired(REQUIRED), Regexp(r"^\d{5}$", message=_l("Le code postal comporte 5 chiffres."))])
    city = StringField(_l("Ville"), validators=[DataRequired(REQUIRED), Length(max=120)])
    contact_email = EmailField(_l("E-mail de contact"), validators=[Optional(), Email(_l("Adresse e-mail invalide."))])


class ReferentForm(BaseForm):
    centre_id = SelectField(_l("Centre CEL"), coerce=int, validators=[DataRequired(_l("Choisissez le centre."))])
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")), Length(max=254)])

    def validate_email(self, field: EmailField) -> None:
        if email_exists(field.data):
            raise ValidationError(_l("Un compte existe déjà avec cette adresse."))


class ReasonForm(BaseForm):
    reason = TextAreaField("Motif", validators=[DataRequired("Le motif est obligatoire."), Length(max=1000)])
