"""Orals forms: input checks only (rules live in services and rules.windows)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.orals.models import ATTENDANCE
from cloe_portal.orals.services import MAX_WEEKS
from cloe_portal.reference.languages import LANGUAGES


def language_choices(codes: list[str]) -> list[SelectChoice]:
    """Select options for the given language codes, with their French names."""
    return [SelectChoice(code, LANGUAGES.get(code, code)) for code in codes]


class OneOffForm(BaseForm):
    """A one-off block of availability on one day."""

    language = SelectField(_l("Langue"), validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Indiquez la date."))])
    start = TimeField(_l("De"), validators=[DataRequired(message=_l("Indiquez l'heure de début."))])
    end = TimeField(_l("À"), validators=[DataRequired(message=_l("Indiquez l'heure de fin."))])


class WeeklyForm(BaseForm):
    """A block repeated every week, with an optional exception (holidays)."""

    language = SelectField(_l("Langue"), validators=[DataRequired()])
    first_day = DateField(_l("Premier jour"), validators=[DataRequired(message=_l("Indiquez le premier jour."))],
                          description=_l("Le bloc se répète chaque semaine le même jour."))
    start = TimeField(_l("De"), validators=[DataRequired(message=_l("Indiquez l'heure de début."))])
    end = TimeField(_l("À"), validators=[DataRequired(message=_l("Indiquez l'heure de fin."))])
    weeks = IntegerField(_l("Nombre de semaines"), default=6, validators=[
        InputRequired(message=_l("Indiquez le nombre de semaines.")),
        NumberRange(1, MAX_WEEKS, message=_l("Entre 1 et %(n)s semaines.", n=MAX_WEEKS)),
    ])
    except_from = DateField(_l("Sauf du (facultatif)"), validators=[Optional()])
    except_to = DateField(_l("au (facultatif)"), validators=[Optional()])


class AbsenceForm(BaseForm):
    """Holidays: remove the free slots of a date range."""

    from_day = DateField(_l("Du"), validators=[DataRequired(message=_l("Indiquez la date de début."))])
    to_day = DateField(_l("Au"), validators=[DataRequired(message=_l("Indiquez la date de fin."))])


class AttendanceForm(BaseForm):
    """Identity check and attendance, first thing in the oral."""

    identity_checked = RadioField(
        _l("Pièce d'identité vérifiée"), choices=[SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non"))],
        validators=[Optional()],
    )
    attendance = RadioField(
        _l("Présence"), choices=[SelectChoice(k, v) for k, v in ATTENDANCE.items()],
        validators=[DataRequired(message=_l("Choisissez la présence du candidat."))],
    )
    arrival = TimeField(
        _l("Heure d'arrivée (heure de Paris)"), format=["%H:%M:%S", "%H:%M"], validators=[Optional()],
        description=_l("Laissez vide pour l'heure actuelle. Entrée refusée plus de 10 minutes "
                       "après le début du créneau."),
        render_kw={"step": "1"},
    )


class ReasonForm(BaseForm):
    """A referent decision that needs a reason (audit log)."""

    reason = TextAreaField(_l("Motif"), validators=[
        DataRequired(message=_l("Indiquez le motif.")), Length(max=2000)])


class ForceMajeureForm(ReasonForm):
    """Force-majeure rebooking: reason with proof, optional extension of the booking period."""

    extension_days = IntegerField(
        _l("Prolonger la période de réservation de (jours)"), default=0,
        validators=[InputRequired(message=_l("Indiquez 0 ou plus.")),
                    NumberRange(0, 90, message=_l("Entre 0 et 90 jours."))],
    )


class ReassignForm(ReasonForm):
    """Move a booked oral to another accredited assessor."""

    assessor_id = SelectField(_l("Nouvel évaluateur"), coerce=int, validators=[
        DataRequired(message=_l("Choisissez un évaluateur."))])
