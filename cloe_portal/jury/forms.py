"""Jury forms: the checks and decision for one candidate, and the PV signature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from cloe_portal.core.forms import BaseForm

CHECK_CHOICES = [SelectChoice("1", _l("✓ Conforme")), SelectChoice("0", _l("✗ Non conforme"))]


class ReviewForm(BaseForm):
    identity_ok = RadioField(_l("Contrôle d'identité"), choices=CHECK_CHOICES,
                             validators=[InputRequired(_l("Indiquez le résultat du contrôle."))])
    written_ok = RadioField(_l("Conformité de l'écrit surveillé"), choices=CHECK_CHOICES,
                            validators=[InputRequired(_l("Indiquez le résultat du contrôle."))])
    oral_ok = RadioField(_l("Conformité de l'oral"), choices=CHECK_CHOICES,
                         validators=[InputRequired(_l("Indiquez le résultat du contrôle."))])
    fraud = BooleanField(_l("Fraude ou tentative de fraude constatée"))
    fraud_description = TextAreaField(_l("Description de la fraude"), validators=[Length(max=4000)],
                                      description=_l("Obligatoire en cas de fraude ; figure au PV."))
    decision = RadioField(_l("Décision"), choices=[SelectChoice("validated", _l("Valider le résultat")),
                                                SelectChoice("cancelled", _l("Annuler le résultat"))],
                          validators=[InputRequired(_l("Choisissez une décision."))])
    reason = TextAreaField("Motif", validators=[Length(max=4000)],
                           description=_l("Obligatoire pour annuler ; figure au PV."))


class SignForm(BaseForm):
    signer_name = StringField(_l("Nom du signataire"), validators=[
        DataRequired(_l("Indiquez votre nom.")), Length(max=200)])
    confirmation = StringField(_l("Confirmation"), validators=[
        DataRequired(_l("Tapez JE CERTIFIE pour signer.")), Length(max=40)],
        description=_l("Tapez JE CERTIFIE : la signature fige les décisions et publie les "
                       "résultats immédiatement."))
