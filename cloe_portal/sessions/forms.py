"""Session creation, one-candidate enrolment and bulk import forms (input checks only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
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
from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.reference.domains import DOMAINS
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.sessions.candidate_import import LEVELS
from cloe_portal.sessions.models import (
    ACCOMMODATION_KINDS,
    FUNDINGS,
    SESSION_KINDS,
    WITHDRAWAL_REASONS,
)
from cloe_portal.sessions.services import Enrolment

REQUIRED = _l("Ce champ est obligatoire.")


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SessionForm(BaseForm):
    name = StringField(_l("Nom de la session"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       description=_l("Par exemple : « Anglais B1 — groupe de mars »."))
    kind = RadioField(_l("Type de session"), choices=_choices(SESSION_KINDS), default="group",
                      validators=[InputRequired(REQUIRED)])
    language = SelectField(_l("Langue évaluée"), choices=[SelectChoice("", _l("— Choisir —")), *_choices(LANGUAGES)],
                           validators=[DataRequired(REQUIRED)])
    domain = SelectField(_l("Spécialisation (facultatif)"),
                         choices=[SelectChoice("", _l("Aucune (langue professionnelle générale)")),
                                  *(SelectChoice(d, d) for d in DOMAINS)],
                         validators=[Optional()])
    written_date = DateField(
        _l("Date du test écrit"), validators=[DataRequired(_l("Indiquez une date valide (jj/mm/aaaa)."))],
        description=_l("Le candidat dispose ensuite de 30 jours au plus pour passer le test écrit."),
    )

    def validate_written_date(self, field: DateField) -> None:
        from wtforms.validators import ValidationError

        if field.data and field.data < clock.today_paris():
            raise ValidationError(_l("La date du test écrit ne peut pas être passée."))


class EnrolmentForm(BaseForm):
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                            render_kw={"autocomplete": "off"})
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                             render_kw={"autocomplete": "off"})
    email = EmailField(_l("Adresse e-mail du candidat"),
                       validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")),
                                   Length(max=254)],
                       description=_l("Le candidat y reçoit ses identifiants."),
                       render_kw={"autocomplete": "off"})
    birth_date = DateField(_l("Date de naissance"),
                           validators=[DataRequired(_l("Indiquez une date valide (jj/mm/aaaa)."))])
    target_level = RadioField(_l("Niveau visé (CECRL)"), choices=[SelectChoice(lv, lv) for lv in LEVELS],
                              validators=[InputRequired(_l("Choisissez un niveau visé."))])
    training_hours = DecimalField(
        _l("Heures de formation suivies"), places=1,
        validators=[InputRequired(_l("Indiquez le nombre d'heures (0 si aucune).")),
                    NumberRange(min=0, max=9999, message=_l("Nombre d'heures invalide."))],
        description=_l("Financement CPF : 7 heures au moins (20 à 30 heures conseillées)."),
        render_kw={"inputmode": "decimal"},
    )
    funding = SelectField(_l("Financement"), choices=_choices(FUNDINGS), default="cpf")
    cpf_file_number = StringField(_l("N° de dossier CPF (facultatif)"),
                                  validators=[Optional(), Length(max=40)],
                                  description=_l("Permet de rapprocher l'extraction EDOF."))
    accommodations = MultiCheckboxField(
        _l("Aménagements demandés (situation de handicap)"), choices=_choices(ACCOMMODATION_KINDS),
        description=_l("Soumis à l'accord du CEL référent ; ils ne changent ni le résultat ni sa validité."),
    )
    accommodation_details = TextAreaField(_l("Précisions sur les aménagements (facultatif)"),
                                          validators=[Optional(), Length(max=2000)])

    def enrolment(self) -> Enrolment:
        """What the partner typed, as the enrolment services take it."""
        return Enrolment(
            last_name=self.last_name.data, first_name=self.first_name.data, email=self.email.data,
            birth_date=self.birth_date.data, target_level=self.target_level.data,
            training_hours=self.training_hours.data, funding=self.funding.data,
            cpf_file_number=self.cpf_file_number.data,
            accommodations=self.accommodations.data or [],
            accommodation_details=self.accommodation_details.data,
        )


class CandidateImportForm(BaseForm):
    file = FileField(
        _l("Fichier des candidats (CSV ou XLSX)"),
        validators=[FileRequired(_l("Choisissez un fichier.")),
                    FileAllowed(["csv", "xlsx", "txt"], _l("Format accepté : CSV ou XLSX."))],
    )


# --- after enrolment: edit a session or an enrolment, withdraw a candidate -----------------------

REASON_HINT = _l("Obligatoire pour le CEL référent : inscrit au journal d'audit et transmis à "
                 "l'organisme.")


class _ReasonMixin:
    """A reason, required when a referent acts (``reason_required``)."""

    reason_required = False

    def validate_reason(self, field: TextAreaField) -> None:
        from wtforms.validators import ValidationError

        if self.reason_required and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez le motif de la modification : il est inscrit au "
                                     "journal d'audit."))


class SessionEditForm(_ReasonMixin, SessionForm):
    target_level = SelectField(
        _l("Niveau visé des candidats qui n'ont pas commencé"),
        choices=[SelectChoice("", _l("Inchangé (chaque candidat garde le sien)")),
                 *(SelectChoice(lv, lv) for lv in LEVELS)],
        validators=[Optional()],
        description=_l("Appliqué à toutes les inscriptions de la session dont le test écrit "
                       "n'a pas commencé ; un candidat se modifie aussi un par un."))
    reason = TextAreaField(_l("Motif de la modification"), validators=[Optional(), Length(max=2000)],
                           description=REASON_HINT)

    def __init__(self, *args, current_date=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.current_date = current_date

    def validate_written_date(self, field: DateField) -> None:
        # The date a session already has may lie in the past (its window is open): keeping it
        # is allowed; a new date may not be past.
        if field.data and field.data == self.current_date:
            return
        super().validate_written_date(field)


class EnrolmentEditForm(_ReasonMixin, EnrolmentForm):
    reason = TextAreaField(_l("Motif de la modification"), validators=[Optional(), Length(max=2000)],
                           description=REASON_HINT)


class WithdrawalForm(BaseForm):
    reason = RadioField(_l("Motif du retrait"), choices=_choices(WITHDRAWAL_REASONS),
                        validators=[InputRequired(_l("Choisissez le motif du retrait."))])
    note = TextAreaField(_l("Précisions"), validators=[Optional(), Length(max=2000)],
                         description=_l("Obligatoires pour le motif « Autre » ; transmises au "
                                        "candidat et au CEL référent."))

    def validate_note(self, field: TextAreaField) -> None:
        from wtforms.validators import ValidationError

        if self.reason.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Précisez le motif du retrait (motif « Autre »)."))
