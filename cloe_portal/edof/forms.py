"""The EDOF extract upload form."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from cloe_portal.core.forms import BaseForm


class EdofUploadForm(BaseForm):
    month = StringField(_l("Mois de l'extraction"), validators=[DataRequired(_l("Indiquez le mois."))],
                        description=_l("Format aaaa-mm. Un nouvel envoi pour le même mois remplace le précédent."),
                        render_kw={"type": "month"})
    file = FileField(_l("Extraction EDOF (CSV ou XLSX)"), validators=[FileRequired(_l("Choisissez un fichier."))],
                     render_kw={"accept": ".csv,.xlsx,.txt"})

    def validate_month(self, field: StringField) -> None:
        try:
            field.month_date = dt.date.fromisoformat((field.data or "").strip()[:7] + "-01")
        except ValueError:
            raise ValidationError(_l("Mois invalide (format aaaa-mm).")) from None
