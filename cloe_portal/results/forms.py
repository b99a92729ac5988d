"""Results forms: certificate verification, revocation, CDC export period, identity
rectification."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from cloe_portal.candidates.forms import IdentityForm
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


class RectifyIdentityForm(IdentityForm):
    """The civil-status part of the identity form, with the reason and the evidence.

    Contact details are the candidate's own (not printed on documents): not shown here.
    """

    email = None
    address = None
    postcode = None
    city = None
    country = None
    reason = TextAreaField(_l("Motif de la rectification"), validators=[
        DataRequired(_l("Indiquez le motif de la rectification.")), Length(max=2000)],
        description=_l("Par exemple : nom mal orthographié à l'inscription. Il figure au "
                       "journal et dans l'e-mail envoyé au candidat."))
    evidence = FileField(_l("Justificatif (PDF, PNG ou JPEG, 5 Mo au plus)"),
                         validators=[FileRequired(_l("Joignez le justificatif (pièce "
                                                     "d'identité, acte d'état civil…)."))],
                         description=_l("Pièce d'identité ou acte d'état civil : il est "
                                        "conservé et seuls les référents peuvent l'ouvrir."))
