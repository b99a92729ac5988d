"""The follow-up audit form: the accreditation grid, then the outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from cloe_portal.applications.forms import ChecklistForm
from cloe_portal.core.forms import DateField
from cloe_portal.rules.partner_audits import OUTCOMES


class FollowUpAuditForm(ChecklistForm):
    """The grid, and optionally the outcome that closes the audit (checked by the service)."""

    outcome = RadioField(
        _l("Résultat de l'audit"),
        choices=[SelectChoice("", _l("Pas encore de résultat (enregistrer la grille)")),
                 *(SelectChoice(k, _l(v)) for k, v in OUTCOMES.items())],
        default="", validators=[Optional()],
    )
    audit_date = DateField(_l("Date de l'audit"), validators=[Optional()],
                           description=_l("Jour du contrôle (jj/mm/aaaa). Obligatoire pour enregistrer le résultat."))
    summary = TextAreaField(_l("Observations ou motif"), validators=[Optional(), Length(max=4000)],
                            description=_l("Obligatoire pour une proposition de suspension. Envoyé au partenaire."))
    actions = TextAreaField(_l("Actions correctives attendues"), validators=[Optional(), Length(max=4000)],
                            description=_l("Si des actions correctives sont demandées."))
    actions_deadline = DateField(_l("Échéance des actions"), validators=[Optional()],
                                 description=_l("Au plus un an après l'audit ; le prochain audit est fixé à cette date."))
