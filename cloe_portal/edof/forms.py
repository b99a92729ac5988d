"""The EDOF extract upload form."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError


class EdofUploadForm(FlaskForm):
    month = StringField("Mois de l'extraction", validators=[DataRequired("Indiquez le mois.")],
                        description="Format aaaa-mm. Un nouvel envoi pour le même mois remplace le précédent.",
                        render_kw={"type": "month"})
    file = FileField("Extraction EDOF (CSV ou XLSX)", validators=[FileRequired("Choisissez un fichier.")],
                     render_kw={"accept": ".csv,.xlsx,.txt"})

    def validate_month(self, field: StringField) -> None:
        try:
            field.month_date = dt.date.fromisoformat((field.data or "").strip()[:7] + "-01")
        except ValueError:
            raise ValidationError("Mois invalide (format aaaa-mm).") from None
