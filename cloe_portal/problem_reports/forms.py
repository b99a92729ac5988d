"""Forms of problem reports: the partner's report, a reply (and the referent's status)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from cloe_portal.core.forms import BaseForm
from cloe_portal.problem_reports.models import REPORT_KINDS, REPORT_STATUSES

TEXT_MAX = 5000


def optional_id(value: object) -> int | None:
    """A select's value as an id; the empty choice is None."""
    if value in (None, "", "None"):
        return None
    return int(value)  # a tampered value raises ValueError: WTForms reports an invalid choice


class ProblemReportForm(BaseForm):
    """Kind, what it is about (optional), what happened, one optional attachment."""

    kind = SelectField(_l("Type de problème"),
                       choices=[SelectChoice("", _l("Choisissez…"))]
                       + [SelectChoice(k, _l(v)) for k, v in REPORT_KINDS.items()],
                       validators=[DataRequired(_l("Choisissez le type de problème."))])
    # Choices are the partner's own registrations and sessions (set by the view); the service
    # checks ownership again.
    registration_id = SelectField(_l("Candidat concerné (facultatif)"), coerce=optional_id,
                                  validate_choice=False, validators=[Optional()])
    session_id = SelectField(_l("Session concernée (facultatif)"), coerce=optional_id,
                             validate_choice=False, validators=[Optional()])
    text = TextAreaField(_l("Description"), validators=[
        DataRequired(_l("Décrivez le problème.")), Length(max=TEXT_MAX)],
        description=_l("Ce qui s'est passé, quand, ce qui a déjà été fait."))
    attachment = FileField(_l("Pièce jointe (facultatif)"))


class ReplyForm(BaseForm):
    """A reply in the thread (the partner's must have text)."""

    text = TextAreaField(_l("Votre réponse"), validators=[Optional(), Length(max=TEXT_MAX)])


class StaffReplyForm(ReplyForm):
    """The referent's reply: text and/or a new status."""

    status = SelectField(_l("Statut du signalement"),
                         choices=[SelectChoice(k, _l(v)) for k, v in REPORT_STATUSES.items()],
                         validators=[DataRequired(_l("Choisissez le statut."))])
