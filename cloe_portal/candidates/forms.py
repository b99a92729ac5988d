"""Identity form (data required by the Caisse des Dépôts) and the photo upload fallback."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, FileField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from cloe_portal import clock
from cloe_portal.candidates.models import GENDERS
from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.formatting import fr_date
from cloe_portal.rules.dates import age_on, is_adult_on

REQUIRED = _l("Ce champ est obligatoire.")
MAX_AGE = 100
# Metropolitan departments 01–95 (with 2A/2B for Corsica) and overseas 971–976.
DEPARTMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$")
FR_POSTCODE = re.compile(r"^\d{5}$")


def _is_france(value: str | None) -> bool:
    return (value or "").strip().casefold() in {"france", "fr"}


class IdentityForm(BaseForm):
    """The candidate's civil status; ``test_day`` is the written test's date (adults only)."""

    birth_name = StringField(_l("Nom de naissance"),
                             validators=[DataRequired(REQUIRED), Length(max=120)],
                             render_kw={"autocomplete": "family-name"})
    usage_name = StringField(_l("Nom d'usage"), validators=[Optional(), Length(max=120)],
                             description=_l("Si différent du nom de naissance (nom marital…)."))
    first_names = StringField(_l("Prénom(s)"), validators=[DataRequired(REQUIRED), Length(max=200)],
                              description=_l("Tous vos prénoms, dans l'ordre de l'état civil."),
                              render_kw={"autocomplete": "given-name"})
    gender = SelectField(_l("Sexe"), choices=[SelectChoice("", _l("— Choisir —")),
                                         *(SelectChoice(k, _l(v)) for k, v in GENDERS.items())],
                         validators=[DataRequired(REQUIRED)])
    birth_date = DateField(_l("Date de naissance"), validators=[DataRequired(
        _l("Date de naissance obligatoire (jj/mm/aaaa)."))], render_kw={"autocomplete": "bday"})
    birth_city = StringField(_l("Commune de naissance"),
                             validators=[DataRequired(REQUIRED), Length(max=120)])
    birth_country = StringField(_l("Pays de naissance"), default="France",
                                validators=[DataRequired(REQUIRED), Length(max=80)])
    birth_department = StringField(
        _l("Département de naissance"), validators=[Optional(), Length(max=3)],
        description=_l("Obligatoire si vous êtes né(e) en France : numéro du département "
                       "(ex. 69, 2A, 974)."))
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED),
                       Email(_l("Adresse e-mail invalide.")), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    address = StringField(_l("Adresse postale"), validators=[DataRequired(REQUIRED), Length(max=300)],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField(_l("Code postal"), validators=[DataRequired(REQUIRED), Length(max=10)],
                           render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("Ville"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "address-level2"})
    country = StringField(_l("Pays de résidence"), default="France",
                          validators=[DataRequired(REQUIRED), Length(max=80)],
                          render_kw={"autocomplete": "country-name"})

    def __init__(self, *args, test_day: dt.date | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.test_day = test_day

    def validate_birth_date(self, field) -> None:  # noqa: ANN001
        # Seed 000 §1.1: CLOE is for adults (« personnes majeures »), on the day of the test.
        test_day = self.test_day or clock.today_paris()
        if not is_adult_on(field.data, test_day):
            raise ValidationError(
                _l("La certification est réservée aux personnes majeures : vous devez avoir "
                   "18 ans le jour du test écrit (%(day)s).", day=fr_date(test_day)))
        if age_on(field.data, clock.today_paris()) > MAX_AGE:
            raise ValidationError(_l("Date de naissance invraisemblable (plus de %(max)s ans).",
                                     max=MAX_AGE))

    def validate_birth_department(self, field) -> None:  # noqa: ANN001
        value = (field.data or "").strip().upper()
        field.data = value or None
        if _is_france(self.birth_country.data):
            if not value:
                raise ValidationError(_l("Indiquez le département de naissance (né(e) en France)."))
            if not DEPARTMENT.match(value):
                raise ValidationError(_l("Département inconnu : indiquez son numéro (01 à 95, "
                                         "2A, 2B, 971 à 976)."))

    def validate_postcode(self, field) -> None:  # noqa: ANN001
        field.data = (field.data or "").strip()
        if _is_france(self.country.data) and not FR_POSTCODE.match(field.data):
            raise ValidationError(_l("Code postal français : 5 chiffres."))


class PhotoUploadForm(BaseForm):
    photo = FileField(_l("Fichier (JPEG ou PNG, 5 Mo au plus)"),
                      validators=[DataRequired(_l("Choisissez un fichier."))])
