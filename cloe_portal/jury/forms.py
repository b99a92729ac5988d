"""Jury forms: the checks and decision for one candidate, and the PV signature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

CHECK_CHOICES = {"1": "✓ Conforme", "0": "✗ Non conforme"}


class ReviewForm(FlaskForm):
    identity_ok = RadioField("Contrôle d'identité", choices=CHECK_CHOICES,
                             validators=[InputRequired("Indiquez le résultat du contrôle.")])
    written_ok = RadioField("Conformité de l'écrit surveillé", choices=CHECK_CHOICES,
                            validators=[InputRequired("Indiquez le résultat du contrôle.")])
    oral_ok = RadioField("Conformité de l'oral", choices=CHECK_CHOICES,
                         validators=[InputRequired("Indiquez le résultat du contrôle.")])
    fraud = BooleanField("Fraude ou tentative de fraude constatée")
    fraud_description = TextAreaField("Description de la fraude", validators=[Length(max=4000)],
                                      description="Obligatoire en cas de fraude ; figure au PV.")
    decision = RadioField("Décision", choices={"validated": "Valider le résultat",
                                               "cancelled": "Annuler le résultat"},
                          validators=[InputRequired("Choisissez une décision.")])
    reason = TextAreaField("Motif", validators=[Length(max=4000)],
                           description="Obligatoire pour annuler ; figure au PV.")


class SignForm(FlaskForm):
    signer_name = StringField("Nom du signataire", validators=[
        DataRequired("Indiquez votre nom."), Length(max=200)])
    confirmation = StringField("Confirmation", validators=[
        DataRequired("Tapez JE CERTIFIE pour signer."), Length(max=40)],
        description="Tapez JE CERTIFIE : la signature fige les décisions et publie les "
                    "résultats immédiatement.")
