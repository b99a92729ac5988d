"""Appeals forms: filing, and the referent's decisions (input checks only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from cloe_portal.appeals.models import APPEAL_GROUNDS
from cloe_portal.core.forms import BaseForm


class AppealForm(BaseForm):
    """The candidate's or the partner's appeal."""

    ground = RadioField(_l("Motif du recours"),
                        choices=[SelectChoice(k, _l(v)) for k, v in APPEAL_GROUNDS.items()],
                        validators=[InputRequired(_l("Choisissez le motif du recours."))])
    text = TextAreaField(_l("Exposé du recours"), validators=[
        DataRequired(_l("Exposez les faits et ce que vous demandez.")), Length(max=5000)],
        description=_l("Ce qui s'est passé, quand, et ce que vous demandez (5 000 caractères "
                       "au plus)."))
    attachment = FileField(_l("Pièce jointe (facultative : PDF, PNG ou JPEG, 5 Mo au plus)"),
                           description=_l("Capture d'écran, certificat médical, courriel…"))


class DecisionForm(BaseForm):
    """A referent's decision on an appeal: the reason is compulsory (audit log, emails)."""

    reason = TextAreaField(_l("Motif de la décision"), validators=[
        DataRequired(_l("Indiquez le motif de la décision.")), Length(max=2000)],
        description=_l("Il est communiqué au candidat et à l'organisme."))


class AssignForm(DecisionForm):
    """Give the oral to a second accredited assessor."""

    assessor_id = SelectField(_l("Second évaluateur"), coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Choisissez le second évaluateur."))],
                              description=_l("Habilité aujourd'hui dans la langue ; "
                                             "l'évaluateur de l'oral est exclu."))
