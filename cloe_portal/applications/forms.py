"""Forms of the partner application, the audit, the commission and the partnership status."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    widgets,
)
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
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS, CPF_CHARTER_CRITERIA
from cloe_portal.reference.languages import LANGUAGES

REQUIRED = "Ce champ est obligatoire."
PERCENT = NumberRange(0, 100, "Indiquez un pourcentage entre 0 et 100.")


def _percent(label: str, description: str | None = None) -> IntegerField:
    return IntegerField(
        label,
        validators=[InputRequired(REQUIRED), PERCENT],
        description=description,
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )


class ApplicationForm(FlaskForm):
    """The public application form (seed §4.2 ① to ③)."""

    org_name = StringField("Raison sociale", validators=[DataRequired(REQUIRED), Length(max=200)],
                           render_kw={"autocomplete": "organization"})
    siret = StringField("Numéro SIRET", validators=[DataRequired(REQUIRED), Length(max=20)],
                        description="14 chiffres, sur votre extrait Kbis ou l'avis de situation INSEE.",
                        render_kw={"inputmode": "numeric"})
    address = StringField("Adresse", validators=[DataRequired(REQUIRED), Length(max=300)],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField("Code postal", validators=[DataRequired(REQUIRED), Length(max=10)],
                           render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    city = StringField("Ville", validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "address-level2"})
    country = StringField("Pays", default="France", validators=[DataRequired(REQUIRED), Length(max=60)],
                          render_kw={"autocomplete": "country-name"})
    foreign_call_centre = RadioField(
        "Faites-vous appel à un centre d'appels situé à l'étranger ?",
        choices={"no": "Non", "yes": "Oui"}, default="no",
        validators=[InputRequired(REQUIRED)],
    )
    website = URLField("Site web (présentation de l'offre)",
                       validators=[DataRequired(REQUIRED), URL(message="Adresse web invalide (commencez par https://)."), Length(max=300)],
                       render_kw={"autocomplete": "url", "placeholder": "https://"})
    founded_year = IntegerField("Année de début de l'activité de formation en langues",
                                validators=[InputRequired(REQUIRED)],
                                render_kw={"inputmode": "numeric"})
    staff_count = IntegerField("Effectif total de l'organisme",
                               validators=[InputRequired(REQUIRED), NumberRange(1, 100000, "Indiquez un effectif d'au moins 1.")],
                               render_kw={"inputmode": "numeric"})

    contact_first_name = StringField("Prénom", validators=[DataRequired(REQUIRED), Length(max=120)],
                                     render_kw={"autocomplete": "given-name"})
    contact_last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=120)],
                                    render_kw={"autocomplete": "family-name"})
    contact_role = StringField("Fonction", validators=[Optional(), Length(max=120)],
                               render_kw={"autocomplete": "organization-title"})
    contact_email = EmailField("Adresse e-mail",
                               validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide."), Length(max=254)],
                               description="Elle deviendra l'identifiant du compte administrateur si le partenariat est validé.",
                               render_kw={"autocomplete": "email"})
    contact_phone = StringField("Téléphone", validators=[DataRequired(REQUIRED), Length(max=30)],
                                render_kw={"autocomplete": "tel", "inputmode": "tel"})

    elearning_share = _percent("Part de l'e-learning dans votre offre (%)",
                               "Part des heures suivies en autonomie, sans formateur.")
    teaching_formats = SelectMultipleField("Formules pédagogiques proposées",
                                           option_widget=widgets.CheckboxInput(), choices=dict(TEACHING_FORMATS),
                                           validators=[DataRequired("Cochez au moins une formule.")])
    trainer_count = IntegerField("Nombre de formateurs et d'encadrants pédagogiques",
                                 validators=[InputRequired(REQUIRED), NumberRange(0, 10000, "Nombre invalide.")],
                                 render_kw={"inputmode": "numeric"})
    satisfaction_rate = _percent("Taux de satisfaction des stagiaires (%)")
    positioning_process = TextAreaField("Processus de positionnement des candidats",
                                        validators=[DataRequired(REQUIRED), Length(max=4000)],
                                        description="Comment le niveau visé est-il fixé avant la formation ?")
    certified_rate = _percent("Pourcentage de stagiaires qui passent effectivement la certification (%)")
    follow_up_process = TextAreaField("Processus de relance des stagiaires",
                                      validators=[DataRequired(REQUIRED), Length(max=4000)])

    human_led = BooleanField(
        "Je m'engage à proposer en priorité des formules avec un accompagnement par un formateur, "
        "et à ne pas préparer CLOE avec une offre 100 % e-learning.",
        validators=[DataRequired("Cet engagement est obligatoire.")],
    )

    qualiopi = FileField(DOCUMENT_KINDS["qualiopi"], validators=[FileRequired("Joignez ce document.")])
    programme = FileField(DOCUMENT_KINDS["programme"], validators=[FileRequired("Joignez ce document.")])
    establishment = FileField(DOCUMENT_KINDS["establishment"],
                              description="Kbis, avis de situation INSEE ou bail des locaux en France.",
                              validators=[FileRequired("Joignez ce document.")])
    agreement = FileField(DOCUMENT_KINDS["agreement"], validators=[FileRequired("Joignez ce document.")])

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
            raise ValidationError("Le code postal comporte 5 chiffres.")

    def validate_country(self, field: StringField) -> None:
        if not checks.is_france(field.data):
            raise ValidationError("Candidature impossible : " + checks.RULE_FOREIGN)

    def validate_foreign_call_centre(self, field: RadioField) -> None:
        if field.data == "yes":
            raise ValidationError("Candidature impossible : " + checks.RULE_FOREIGN)

    def validate_website(self, field: URLField) -> None:
        if not (field.data or "").lower().startswith(("https://", "http://")):
            raise ValidationError("Adresse web invalide (commencez par https://).")

    def validate_founded_year(self, field: IntegerField) -> None:
        this_year = clock.today_paris().year
        if field.data is None or not 1900 <= field.data <= this_year:
            raise ValidationError(f"Indiquez une année entre 1900 et {this_year}.")

    def validate_elearning_share(self, field: IntegerField) -> None:
        if field.data == 100:
            raise ValidationError("Candidature impossible : " + checks.RULE_ELEARNING)

    def validate_teaching_formats(self, field: SelectMultipleField) -> None:
        if field.data == ["elearning"]:
            raise ValidationError("Candidature impossible : " + checks.RULE_ELEARNING)

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        volumes = [f.data for f in self.volume_fields() if f.data]
        if not volumes:
            self.volume_en.errors = list(self.volume_en.errors) + [
                "Indiquez un volume estimé pour au moins une langue."
            ]
            ok = False
        return ok


for _code, _name in LANGUAGES.items():
    setattr(
        ApplicationForm,
        f"volume_{_code}",
        IntegerField(
            _name,
            validators=[Optional(), NumberRange(0, 100000, "Indiquez un nombre positif.")],
            render_kw={"inputmode": "numeric", "min": 0},
        ),
    )
for _n, _text in enumerate(CPF_CHARTER_CRITERIA, start=1):
    setattr(
        ApplicationForm,
        f"charter_{_n}",
        BooleanField(
            f"Critère {_n} : {_text}",
            validators=[DataRequired("Cochez ce critère : l'engagement sur les 10 critères est obligatoire.")],
        ),
    )


class AuditForm(FlaskForm):
    """The referent's checklist and opinion (seed §4.2 ② and ④)."""

    opinion = RadioField("Avis du CEL référent", choices={"": "Pas encore d'avis (enregistrer la grille)", **OPINIONS},
                         default="", validators=[Optional()])
    opinion_reason = TextAreaField("Motif de l'avis", validators=[Optional(), Length(max=4000)],
                                   description="Obligatoire pour un avis défavorable ; présenté à la commission.")

    def point_fields(self) -> list[tuple[str, str, object, object]]:
        return [
            (key, label, getattr(self, f"ok_{key}"), getattr(self, f"note_{key}"))
            for key, label in ACCREDITATION_AUDIT_POINTS
        ]

    def validate_opinion_reason(self, field: TextAreaField) -> None:
        if self.opinion.data == "unfavourable" and not (field.data or "").strip():
            raise ValidationError("Motivez l'avis défavorable.")


for _key, _label in ACCREDITATION_AUDIT_POINTS:
    setattr(AuditForm, f"ok_{_key}", BooleanField("Conforme"))
    setattr(AuditForm, f"note_{_key}", TextAreaField("Observations", validators=[Optional(), Length(max=2000)]))


class CommissionForm(FlaskForm):
    """The commission's decision (seed §4.2 ⑤)."""

    decision = RadioField("Décision de la commission", choices=dict(DECISIONS),
                          validators=[InputRequired("Choisissez la décision.")])
    decision_date = DateField("Date de la commission", validators=[InputRequired("Indiquez la date.")])
    decision_reason = TextAreaField("Motif", validators=[Optional(), Length(max=4000)],
                                    description="Obligatoire en cas de rejet ; il est communiqué à l'organisme.")

    def validate_decision_date(self, field: DateField) -> None:
        if field.data and field.data > clock.today_paris():
            raise ValidationError("La date de la commission ne peut pas être dans le futur.")

    def validate_decision_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "rejected" and not (field.data or "").strip():
            raise ValidationError("Motivez le rejet : le motif est envoyé à l'organisme.")

