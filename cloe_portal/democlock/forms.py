"""Forms of the demo clock page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from cloe_portal.core.forms import BaseForm, DateField

UNITS = [SelectChoice("minutes", _l("minutes")), SelectChoice("hours", _l("heures")),
         SelectChoice("days", _l("jours"))]


class AdvanceForm(BaseForm):
    amount = IntegerField(
        _l("Avancer de"),
        validators=[InputRequired(_l("Indiquez une durée.")),
                    NumberRange(1, 9999, _l("Entre 1 et 9 999."))])
    unit = SelectField(_l("Unité"), choices=UNITS)


class MoveToForm(BaseForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date."))])
    at = TimeField(_l("Heure (Paris)"), validators=[InputRequired(_l("Indiquez l'heure."))])
