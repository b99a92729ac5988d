"""Session creation, one-candidate enrolment and bulk import forms (input checks only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from cloe_portal import clock
from cloe_portal.reference.domains import DOMAINS
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.sessions.candidate_import import LEVELS
from cloe_portal.sessions.models import ACCOMMODATION_KINDS, FUNDINGS, SESSION_KINDS

REQUIRED = "Ce champ est obligatoire."


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SessionForm(FlaskForm):
    name = StringField("Nom de la session", validators=[DataRequired(REQUIRED), Length(max=200)],
                       description="Par exemple : « Anglais B1 — groupe de mars ».")
    kind = RadioField("Type de session", choices=_choices(SESSION_KINDS), default="group",
                      validators=[InputRequired(REQUIRED)])
    language = SelectField("Langue évaluée", choices=[SelectChoice("", "— Choisir —"), *_choices(LANGUAGES)],
                           validators=[DataRequired(REQUIRED)])
    domain = SelectField("Spécialisation (facultatif)",
                         choices=[SelectChoice("", "Aucune (langue professionnelle générale)"),
                                  *(SelectChoice(d, d) for d in DOMAINS)],
                         validators=[Optional()])
    written_date = DateField(
        "Date du test écrit", validators=[DataRequired("Indiquez une date valide (jj/mm/aaaa).")],
        description="Le candidat dispose ensuite de 30 jours au plus pour passer le test écrit.",
    )

    def validate_written_date(self, field: DateField) -> None:
        from wtforms.validators import ValidationError

        if field.data and field.data < clock.today_paris():
            raise ValidationError("La date du test écrit ne peut pas être passée.")


class EnrolmentForm(FlaskForm):
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=120)],
                            render_kw={"autocomplete": "off"})
    first_name = StringField("Prénom", validators=[DataRequired(REQUIRED), Length(max=120)],
                             render_kw={"autocomplete": "off"})
    email = EmailField("Adresse e-mail du candidat",
                       validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide."),
                                   Length(max=254)],
                       description="Le candidat y reçoit ses identifiants.",
                       render_kw={"autocomplete": "off"})
    birth_date = DateField("Date de naissance",
                           validators=[DataRequired("Indiquez une date valide (jj/mm/aaaa).")])
    target_level = RadioField("Niveau visé (CECRL)", choices=[SelectChoice(lv, lv) for lv in LEVELS],
                              validators=[InputRequired("Choisissez un niveau visé.")])
    training_hours = DecimalField(
        "Heures de formation suivies", places=1,
        validators=[InputRequired("Indiquez le nombre d'heures (0 si aucune)."),
                    NumberRange(min=0, max=9999, message="Nombre d'heures invalide.")],
        description="Financement CPF : 7 heures au moins (20 à 30 heures conseillées).",
        render_kw={"inputmode": "decimal"},
    )
    funding = SelectField("Financement", choices=_choices(FUNDINGS), default="cpf")
    cpf_file_number = StringField("N° de dossier CPF (facultatif)",
                                  validators=[Optional(), Length(max=40)],
                                  description="Permet de rapprocher l'extraction EDOF.")
    accommodations = MultiCheckboxField(
        "Aménagements demandés (situation de handicap)", choices=_choices(ACCOMMODATION_KINDS),
        description="Soumis à l'accord du CEL référent ; ils ne changent ni le résultat ni sa validité.",
    )
    accommodation_details = TextAreaField("Précisions sur les aménagements (facultatif)",
                                          validators=[Optional(), Length(max=2000)])


class CandidateImportForm(FlaskForm):
    file = FileField(
        "Fichier des candidats (CSV ou XLSX)",
        validators=[FileRequired("Choisissez un fichier."),
                    FileAllowed(["csv", "xlsx", "txt"], "Format accepté : CSV ou XLSX.")],
    )
