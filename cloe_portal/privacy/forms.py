"""The erasure form."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from cloe_portal.core.forms import BaseForm


class EraseForm(BaseForm):
    reason = TextAreaField(
        "Motif de l'effacement",
        validators=[DataRequired("Indiquez le motif de l'effacement."), Length(max=2000)],
        description="Par exemple : demande du candidat du 12/03/2029 (article 17 du RGPD).")
