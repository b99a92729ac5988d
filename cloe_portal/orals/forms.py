"""Orals forms: input checks only (rules live in services and rules.windows)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from cloe_portal.orals.models import ATTENDANCE
from cloe_portal.orals.services import MAX_WEEKS
from cloe_portal.reference.languages import LANGUAGES


def language_choices(codes: list[str]) -> list[SelectChoice]:
    """Select options for the given language codes, with their French names."""
    return [SelectChoice(code, LANGUAGES.get(code, code)) for code in codes]


class OneOffForm(FlaskForm):
    """A one-off block of availability on one day."""

    language = SelectField("Langue", validators=[DataRequired()])
    day = DateField("Date", validators=[DataRequired(message="Indiquez la date.")])
    start = TimeField("De", validators=[DataRequired(message="Indiquez l'heure de début.")])
    end = TimeField("À", validators=[DataRequired(message="Indiquez l'heure de fin.")])


class WeeklyForm(FlaskForm):
    """A block repeated every week, with an optional exception (holidays)."""

    language = SelectField("Langue", validators=[DataRequired()])
    first_day = DateField("Premier jour", validators=[DataRequired(message="Indiquez le premier jour.")],
                          description="Le bloc se répète chaque semaine le même jour.")
    start = TimeField("De", validators=[DataRequired(message="Indiquez l'heure de début.")])
    end = TimeField("À", validators=[DataRequired(message="Indiquez l'heure de fin.")])
    weeks = IntegerField("Nombre de semaines", default=6, validators=[
        InputRequired(message="Indiquez le nombre de semaines."),
        NumberRange(1, MAX_WEEKS, message=f"Entre 1 et {MAX_WEEKS} semaines."),
    ])
    except_from = DateField("Sauf du (facultatif)", validators=[Optional()])
    except_to = DateField("au (facultatif)", validators=[Optional()])


class AbsenceForm(FlaskForm):
    """Holidays: remove the free slots of a date range."""

    from_day = DateField("Du", validators=[DataRequired(message="Indiquez la date de début.")])
    to_day = DateField("Au", validators=[DataRequired(message="Indiquez la date de fin.")])


class AttendanceForm(FlaskForm):
    """Identity check and attendance, first thing in the oral."""

    identity_checked = RadioField(
        "Pièce d'identité vérifiée", choices=[SelectChoice("yes", "Oui"), SelectChoice("no", "Non")],
        validators=[Optional()],
    )
    attendance = RadioField(
        "Présence", choices=[SelectChoice(k, v) for k, v in ATTENDANCE.items()],
        validators=[DataRequired(message="Choisissez la présence du candidat.")],
    )
    arrival = TimeField(
        "Heure d'arrivée (heure de Paris)", format=["%H:%M:%S", "%H:%M"], validators=[Optional()],
        description="Laissez vide pour l'heure actuelle. Entrée refusée plus de 10 minutes "
        "après le début du créneau.",
        render_kw={"step": "1"},
    )


class ReasonForm(FlaskForm):
    """A referent decision that needs a reason (audit log)."""

    reason = TextAreaField("Motif", validators=[
        DataRequired(message="Indiquez le motif."), Length(max=2000)])


class ForceMajeureForm(ReasonForm):
    """Force-majeure rebooking: reason with proof, optional extension of the booking period."""

    extension_days = IntegerField(
        "Prolonger la période de réservation de (jours)", default=0,
        validators=[InputRequired(message="Indiquez 0 ou plus."),
                    NumberRange(0, 90, message="Entre 0 et 90 jours.")],
    )


class ReassignForm(ReasonForm):
    """Move a booked oral to another accredited assessor."""

    assessor_id = SelectField("Nouvel évaluateur", coerce=int, validators=[
        DataRequired(message="Choisissez un évaluateur.")])
