"""Forms of the coordinator's network management."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from cloe_portal.accounts.models import email_exists

REQUIRED = "Ce champ est obligatoire."


class CentreForm(FlaskForm):
    name = StringField("Nom du centre", validators=[DataRequired(REQUIRED), Length(max=200)])
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])
    postcode = StringField("Code postal", validators=[DataRequired(REQUIRED), Regexp(r"^\d{5}$", message="Le code postal comporte 5 chiffres.")])
    city = StringField("Ville", validators=[DataRequired(REQUIRED), Length(max=120)])
    contact_email = EmailField("E-mail de contact", validators=[Optional(), Email("Adresse e-mail invalide.")])


class ReferentForm(FlaskForm):
    centre_id = SelectField("Centre CEL", coerce=int, validators=[DataRequired("Choisissez le centre.")])
    first_name = StringField("Prénom", validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide."), Length(max=254)])

    def validate_email(self, field: EmailField) -> None:
        if email_exists(field.data):
            raise ValidationError("Un compte existe déjà avec cette adresse.")


class ReasonForm(FlaskForm):
    reason = TextAreaField("Motif", validators=[DataRequired("Le motif est obligatoire."), Length(max=1000)])
