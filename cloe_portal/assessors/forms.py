"""Forms of the referent's assessor management."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from cloe_portal.accounts.models import email_exists
from cloe_portal.assessors.services import TRAINING_MODES, video_link_problem
from cloe_portal.reference.languages import LANGUAGES

REQUIRED = "Ce champ est obligatoire."


class VideoLinkMixin:
    def validate_video_link(self, field: StringField) -> None:
        problem = video_link_problem(field.data)
        if problem:
            raise ValidationError(problem)


class AssessorForm(VideoLinkMixin, FlaskForm):
    """Create an assessor account."""

    first_name = StringField("Prénom", validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide."), Length(max=254)])
    languages = SelectMultipleField("Langues évaluées", option_widget=widgets.CheckboxInput(), choices=dict(LANGUAGES),
                                    validators=[DataRequired("Cochez au moins une langue.")])
    video_link = StringField("Lien de visioconférence", validators=[Optional(), Length(max=500)],
                             description="Adresse https:// de la salle virtuelle où l'évaluateur reçoit les candidats.")

    def validate_email(self, field: EmailField) -> None:
        if email_exists(field.data):
            raise ValidationError("Un compte existe déjà avec cette adresse.")


class VideoLinkForm(VideoLinkMixin, FlaskForm):
    video_link = StringField("Lien de visioconférence", validators=[Optional(), Length(max=500)],
                             description="Adresse https:// ; laissez vide pour l'effacer.")


class LanguageForm(FlaskForm):
    language = SelectField("Langue", choices=dict(LANGUAGES))


class TrainingForm(FlaskForm):
    training_date = DateField("Date de la formation", validators=[InputRequired("Indiquez la date.")])
    training_mode = RadioField("Mode", choices=dict(TRAINING_MODES),
                               validators=[InputRequired("Choisissez le mode.")])


class AttemptForm(FlaskForm):
    attempted_on = DateField("Date de la mise en situation", validators=[InputRequired("Indiquez la date.")])
    result = RadioField("Résultat", choices={"passed": "Réussie", "failed": "Échouée"},
                        validators=[InputRequired("Choisissez le résultat.")])
    notes = TextAreaField("Observations", validators=[Optional(), Length(max=2000)])
