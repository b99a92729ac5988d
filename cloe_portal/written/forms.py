"""Forms of the referent's decisions on a suspended written test (input checks only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from cloe_portal.core.forms import BaseForm


class GrantRestartForm(BaseForm):
    """Let the candidate go on: the suspended section restarts."""

    reason = TextAreaField(_l("Motif"), validators=[
        DataRequired(message=_l("Indiquez le motif.")), Length(max=1000)])


class CancelAttemptForm(GrantRestartForm):
    """Cancel the attempt for force majeure; the candidate may take a new test."""

    extension_days = IntegerField(
        _l("Prolonger en plus la période du test écrit de (jours)"), default=0,
        validators=[InputRequired(message=_l("Indiquez 0 ou plus.")),
                    NumberRange(0, 90, message=_l("Entre 0 et 90 jours."))],
    )
