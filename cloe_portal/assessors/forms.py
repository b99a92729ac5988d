"""Forms of the referent's assessor management."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from cloe_portal.accounts.models import email_exists
from cloe_portal.assessors.services import TRAINING_MODES, video_link_problem
from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.reference.languages import LANGUAGES

REQUIRED = _l("Ce champ est obligatoire.")


class VideoLinkMixin:
    def validate_video_link(self, field: StringField) -> None:
        problem = video_link_problem(field.data)
        if problem:
            raise ValidationError(problem)


class AssessorForm(VideoLinkMixin, BaseForm):
    """Create an assessor account."""

    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")), Length(max=254)])
    languages = SelectMultipleField(_l("Langues évaluées"), option_widget=widgets.CheckboxInput(), choices=[SelectChoice(k, _l(v)) for k, v in LANGUAGES.items()],
                                    validators=[DataRequired(_l("Cochez au moins une langue."))])
    video_link = StringField(_l("Lien de visioconférence"), validators=[Optional(), Length(max=500)],
                             description=_l("Adresse https:// de la salle virtuelle où l'évaluateur reçoit les candidats."))

    def validate_email(self, field: EmailField) -> None:
        if email_exists(field.data):
            raise ValidationError(_l("Un compte existe déjà avec cette adresse."))


class VideoLinkForm(VideoLinkMixin, BaseForm):
    video_link = StringField(_l("Lien de visioconférence"), validators=[Optional(), Length(max=500)],
                             description=_l("Adresse https:// ; laissez vide pour l'effacer."))


class LanguageForm(BaseForm):
    language = SelectField(_l("Langue"), choices=[SelectChoice(k, _l(v)) for k, v in LANGUAGES.items()])


class TrainingForm(BaseForm):
    training_date = DateField(_l("Date de la formation"), validators=[InputRequired(_l("Indiquez la date."))])
    training_mode = RadioField(_l("Mode"), choices=[SelectChoice(k, _l(v)) for k, v in TRAINING_MODES.items()],
                               validators=[InputRequired(_l("Choisissez le mode."))])


class AttemptForm(BaseForm):
    attempted_on = DateField(_l("Date de la mise en situation"), validators=[InputRequired(_l("Indiquez la date."))])
    result = RadioField(_l("Résultat"), choices=[SelectChoice("passed", _l("Réussie")), SelectChoice("failed", _l("Échouée"))],
                        validators=[InputRequired(_l("Choisissez le résultat."))])
    notes = TextAreaField(_l("Observations"), validators=[Optional(), Length(max=2000)])
