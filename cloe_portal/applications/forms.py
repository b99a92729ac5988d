"""Forms of the partner application, the audit, the commission and the partnership status."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from cloe_portal import clock
from cloe_portal.applications import checks
from cloe_portal.applications.models import DECISIONS, DOCUMENT_KINDS, OPINIONS, TEACHING_FORMATS
from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS, CPF_CHARTER_CRITERIA
from cloe_portal.reference.languages import LANGUAGES

REQUIRED = _l("Ce champ est obligatoire.")
PERCENT = NumberRange(0, 100, _l("Indiquez un pourcentage entre 0 et 100."))


def _doc_label(kind: str):  # noqa: ANN202
    return _l(DOCUMENT_KINDS[kind])


def _percent(label: str, description: str | None = None) -> IntegerField:
    return IntegerField(
        label,
        validators=[InputRequired(REQUIRED), PERCENT],
        description=description,
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )


class ApplicationForm(BaseForm):
    """The public application form (seed §4.2 ① to ③)."""

    org_name = StringField(_l("Raison sociale"), validators=[DataRequired(REQUIRED), Length(max=200)],
                           render_kw={"autocomplete": "organization"})
    siret = StringField(_l("Numéro SIRET"), validators=[DataRequired(REQUIRED), Length(max=20)],
                        description=_l("14 chiffres, sur votre extrait Kbis ou l'avis de situation INSEE."),
                        render_kw={"inputmode": "numeric"})
    address = StringField(_l("Adresse"), validators=[DataRequired(REQUIRED), Length(max=300)],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField(_l("Code postal"), validators=[DataRequired(REQUIRED), Length(max=10)],
                           render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    city = StringField(_l("Ville"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "address-level2"})
    country = StringField(_l("Pays"), default="France", validators=[DataRequired(REQUIRED), Length(max=60)],
                          render_kw={"autocomplete": "country-name"})
    foreign_call_centre = RadioField(
        _l("Faites-vous appel à un centre d'appels situé à l'étranger ?"),
        choices=[SelectChoice("no", _l("Non")), SelectChoice("yes", _l("Oui"))], default="no",
        validators=[InputRequired(REQUIRED)],
    )
    website = URLField(_l("Site web (présentation de l'offre)"),
                       validators=[DataRequired(REQUIRED), URL(message=_l("Adresse web invalide (commencez par https://).")), Length(max=300)],
                       render_kw={"autocomplete": "url", "placeholder": "https://"})
    founded_year = IntegerField(_l("Année de début de l'activité de formation en langues"),
                                validators=[InputRequired(REQUIRED)],
                                render_kw={"inputmode": "numeric"})
    staff_count = IntegerField(_l("Effectif total de l'organisme"),
                               validators=[InputRequired(REQUIRED), NumberRange(1, 100000, _l("Indiquez un effectif d'au moins 1."))],
                               render_kw={"inputmode": "numeric"})

    contact_first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                                     render_kw={"autocomplete": "given-name"})
    contact_last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                                    render_kw={"autocomplete": "family-name"})
    contact_role = StringField(_l("Fonction"), validators=[Optional(), Length(max=120)],
                               render_kw={"autocomplete": "organization-title"})
    contact_email = EmailField(_l("Adresse e-mail"),
                               validators=[DataRequired(REQUIRED), Email(_l("Adresse e-mail invalide.")), Length(max=254)],
                               description=_l("Elle deviendra l'identifiant du compte administrateur si le partenariat est validé."),
                               render_kw={"autocomplete": "email"})
    contact_phone = StringField(_l("Téléphone"), validators=[DataRequired(REQUIRED), Length(max=30)],
                                render_kw={"autocomplete": "tel", "inputmode": "tel"})

    elearning_share = _percent(_l("Part de l'e-learning dans votre offre (%)"),
                               _l("Part des heures suivies en autonomie, sans formateur."))
    teaching_formats = SelectMultipleField(_l("Formules pédagogiques proposées"),
                                           option_widget=widgets.CheckboxInput(), choices=[SelectChoice(k, _l(v)) for k, v in TEACHING_FORMATS.items()],
                                           validators=[DataRequired(_l("Cochez au moins une formule."))])
    trainer_count = IntegerField(_l("Nombre de formateurs et d'encadrants pédagogiques"),
                                 validators=[InputRequired(REQUIRED), NumberRange(0, 10000, _l("Nombre invalide."))],
                                 render_kw={"inputmode": "numeric"})
    satisfaction_rate = _percent(_l("Taux de satisfaction des stagiaires (%)"))
    positioning_process = TextAreaField(_l("Processus de positionnement des candidats"),
                                        validators=[DataRequired(REQUIRED), Length(max=4000)],
                                        description=_l("Comment le niveau visé est-il fixé avant la formation ?"))
    certified_rate = _percent(_l("Pourcentage de stagiaires qui passent effectivement la certification (%)"))
    follow_up_process = TextAreaField(_l("Processus de relance des stagiaires"),
                                      validators=[DataRequired(REQUIRED), Length(max=4000)])

    human_led = BooleanField(
        _l("Je m'engage à proposer en priorité des formules avec un accompagnement par un formateur, "
           "et à ne pas préparer CLOE avec une offre 100 % e-learning."),
        validators=[DataRequired(_l("Cet engagement est obligatoire."))],
    )

    qualiopi = FileField(_doc_label("qualiopi"), validators=[FileRequired(_l("Joignez ce document."))])
    programme = FileField(_doc_label("programme"), validators=[FileRequired(_l("Joignez ce document."))])
    establishment = FileField(_doc_label("establishment"),
                              description=_l("Kbis, avis de situation INSEE ou bail des locaux en France."),
                              validators=[FileRequired(_l("Joignez ce document."))])
    agreement = FileField(_doc_label("agreement"), validators=[FileRequired(_l("Joignez ce document."))])

    def volume_fields(self) -> list:
        return [getattr(self, f"volume_{code}") for code in LANGUAGES]

    def charter_fields(self) -> list:
        return [getattr(self, f"charter_{n}") for n in range(1, len(CPF_CHARTER_CRITERIA) + 1)]

    def document_fields(self) -> list:
        return [getattr(self, kind) for kind in DOCUMENT_KINDS]

    def validate_siret(self, field: StringField) -> None:
        problem = checks.siret_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_postcode(self, field: StringField) -> None:
        if not checks.postcode_ok(field.data):
            raise ValidationError(_l("Le code postal comporte 5 chiffres."))

    def validate_country(self, field: StringField) -> None:
        if not checks.is_france(field.data):
            raise ValidationError(_("Candidature impossible : %(rule)s", rule=_(checks.RULE_FOREIGN)))

    def validate_foreign_call_centre(self, field: RadioField) -> None:
        if field.data == "yes":
            raise ValidationError(_("Candidature impossible : %(rule)s", rule=_(checks.RULE_FOREIGN)))

    def validate_website(self, field: URLField) -> None:
        if not (field.data or "").lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Adresse web invalide (commencez par https://)."))

    def validate_founded_year(self, field: IntegerField) -> None:
        this_year = clock.today_paris().year
        if field.data is None or not 1900 <= field.data <= this_year:
            raise ValidationError(_("Indiquez une année entre 1900 et %(year)s.", year=this_year))

    def validate_elearning_share(self, field: IntegerField) -> None:
        if field.data == 100:
            raise ValidationError(_("Candidature impossible : %(rule)s", rule=_(checks.RULE_ELEARNING)))

    def validate_teaching_formats(self, field: SelectMultipleField) -> None:
        if field.data == ["elearning"]:
            raise ValidationError(_("Candidature impossible : %(rule)s", rule=_(checks.RULE_ELEARNING)))

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        volumes = [f.data for f in self.volume_fields() if f.data]
        if not volumes:
            self.volume_en.errors = list(self.volume_en.errors) + [
                _l("Indiquez un volume estimé pour au moins une langue.")
            ]
            ok = False
        return ok


for _code, _name in LANGUAGES.items():
    setattr(
        ApplicationForm,
        f"volume_{_code}",
        IntegerField(
            _l(_name),
            validators=[Optional(), NumberRange(0, 100000, _l("Indiquez un nombre positif."))],
            render_kw={"inputmode": "numeric", "min": 0},
        ),
    )
for _n, _text in enumerate(CPF_CHARTER_CRITERIA, start=1):
    setattr(
        ApplicationForm,
        f"charter_{_n}",
        BooleanField(
            _l("Critère %(n)s : %(text)s", n=_n, text=_l(_text)),
            validators=[DataRequired(_l("Cochez ce critère : l'engagement sur les 10 critères est obligatoire."))],
        ),
    )


class ChecklistForm(BaseForm):
    """The audit grid: per point of the accreditation checklist, « conforme » and a note.

    The accreditation audit (seed §4.2 ②) and the follow-up audits (§4.1) both use it."""

    def point_fields(self) -> list[tuple[str, str, object, object]]:
        return [
            (key, label, getattr(self, f"ok_{key}"), getattr(self, f"note_{key}"))
            for key, label in ACCREDITATION_AUDIT_POINTS
        ]

    def checklist_data(self) -> dict[str, dict]:
        """The grid as typed: key → {ok, note}."""
        return {key: {"ok": ok.data, "note": note.data} for key, _label, ok, note in self.point_fields()}

    def fill_checklist(self, saved: dict | None) -> None:
        """Show a saved grid in the form."""
        for key, _label, ok, note in self.point_fields():
            point = (saved or {}).get(key, {})
            ok.data = point.get("ok", False)
            note.data = point.get("note", "")


for _key, _label in ACCREDITATION_AUDIT_POINTS:
    setattr(ChecklistForm, f"ok_{_key}", BooleanField(_l("Conforme")))
    setattr(ChecklistForm, f"note_{_key}", TextAreaField(_l("Observations"), validators=[Optional(), Length(max=2000)]))


class AuditForm(ChecklistForm):
    """The referent's checklist and opinion (seed §4.2 ② and ④)."""

    opinion = RadioField(_l("Avis du CEL référent"), choices=[SelectChoice("", _l("Pas encore d'avis (enregistrer la grille)")),
                                                  *(SelectChoice(k, _l(v)) for k, v in OPINIONS.items())],
                         default="", validators=[Optional()])
    opinion_reason = TextAreaField(_l("Motif de l'avis"), validators=[Optional(), Length(max=4000)],
                                   description=_l("Obligatoire pour un avis défavorable ; présenté à la commission."))

    def validate_opinion_reason(self, field: TextAreaField) -> None:
        if self.opinion.data == "unfavourable" and not (field.data or "").strip():
            raise ValidationError(_l("Motivez l'avis défavorable."))


class CommissionForm(BaseForm):
    """The commission's decision (seed §4.2 ⑤)."""

    decision = RadioField(_l("Décision de la commission"), choices=[SelectChoice(k, _l(v)) for k, v in DECISIONS.items()],
                          validators=[InputRequired(_l("Choisissez la décision."))])
    decision_date = DateField(_l("Date de la commission"), validators=[InputRequired(_l("Indiquez la date."))])
    decision_reason = TextAreaField("Motif", validators=[Optional(), Length(max=4000)],
                                    description=_l("Obligatoire en cas de rejet ; il est communiqué à l'organisme."))

    def validate_decision_date(self, field: DateField) -> None:
        if field.data and field.data > clock.today_paris():
            raise ValidationError(_l("La date de la commission ne peut pas être dans le futur."))

    def validate_decision_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "rejected" and not (field.data or "").strip():
            raise ValidationError(_l("Motivez le rejet : le motif est envoyé à l'organisme."))

