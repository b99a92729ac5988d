"""Results forms: certificate verification, revocation, CDC export period."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from cloe_portal.core.forms import BaseForm, DateField


class VerifyForm(BaseForm):
    """A certificate number typed by anyone (GET form, no CSRF)."""

    numero = StringField("Numéro du certificat", validators=[
        DataRequired("Indiquez le numéro inscrit sur le certificat."), Length(max=40)],
        description="Par exemple CLOE-2026-EN-000123-K7QFZ.")


class RevokeForm(BaseForm):
    number = StringField("Numéro du certificat", validators=[
        DataRequired("Indiquez le numéro du certificat."), Length(max=40)])
    reason = TextAreaField("Motif de la révocation", validators=[
        DataRequired("Indiquez le motif de la révocation."), Length(max=2000)])


class CdcExportForm(BaseForm):
    debut = DateField("Certifiés à partir du", validators=[DataRequired("Indiquez une date.")])
    fin = DateField("Jusqu'au (inclus)", validators=[DataRequired("Indiquez une date.")])
    format = RadioField("Format", choices={"csv": "CSV (tableur)", "xml": "XML"},
                        default="csv")

    def validate_fin(self, field: DateField) -> None:
        if self.debut.data and field.data and field.data < self.debut.data:
            raise ValidationError("La date de fin doit suivre la date de début.")
