"""Forms of access extensions: the partner's request, the referent's decision."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from cloe_portal.access_extensions.models import MAX_EXTENSION_DAYS, MIN_EXTENSION_DAYS
from cloe_portal.core.forms import BaseForm


class ExtensionRequestForm(BaseForm):
    """Which access, how many days (1–90), why."""

    window = RadioField(_l("Accès à prolonger"), choices=[
        SelectChoice("written", _l("Accès au test écrit (30 jours à partir de la date du test)")),
        SelectChoice("booking", _l("Réservation de l'oral (jusqu'à un mois après le début de l'accès)")),
    ], validators=[InputRequired(_l("Choisissez l'accès à prolonger."))])
    days = IntegerField(
        _l("Nombre de jours supplémentaires"),
        validators=[InputRequired(_l("Indiquez le nombre de jours.")),
                    NumberRange(MIN_EXTENSION_DAYS, MAX_EXTENSION_DAYS,
                                message=_l("Indiquez un nombre de jours entre %(min)s et %(max)s.",
                                           min=MIN_EXTENSION_DAYS, max=MAX_EXTENSION_DAYS))],
        description=_l("Entre 1 et 90 jours, ajoutés à la date de fin actuelle."),
        render_kw={"min": MIN_EXTENSION_DAYS, "max": MAX_EXTENSION_DAYS, "inputmode": "numeric"},
    )
    reason = TextAreaField(_l("Motif"), validators=[
        DataRequired(_l("Indiquez le motif de la demande.")), Length(max=2000)],
        description=_l("Par exemple : arrêt maladie du candidat du 3 au 20 mars, justificatif reçu."))


class ExtensionDecisionForm(BaseForm):
    """Grant (maybe fewer days than asked) or refuse with a comment."""

    decision = RadioField(_l("Décision"), choices=[SelectChoice("grant", _l("Accorder")),
                                                   SelectChoice("refuse", _l("Refuser"))],
                          validators=[InputRequired(_l("Choisissez la décision."))])
    days = IntegerField(_l("Jours accordés"), validators=[Optional()],
                        description=_l("Au plus le nombre de jours demandé."),
                        render_kw={"min": MIN_EXTENSION_DAYS, "inputmode": "numeric"})
    comment = TextAreaField(_l("Commentaire"), validators=[Optional(), Length(max=2000)],
                            description=_l("Obligatoire en cas de refus ; transmis au partenaire."))

    def __init__(self, *args, most: int = MAX_EXTENSION_DAYS, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.most = most
        self.days.render_kw = {**self.days.render_kw, "max": most}

    def validate_days(self, field: IntegerField) -> None:
        if self.decision.data != "grant":
            return
        if field.data is None or not MIN_EXTENSION_DAYS <= field.data <= self.most:
            raise ValidationError(_("Indiquez un nombre de jours entre %(min)s et %(max)s.",
                                    min=MIN_EXTENSION_DAYS, max=self.most))

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == "refuse" and not (field.data or "").strip():
            raise ValidationError(_l("Expliquez le refus : le commentaire est obligatoire."))
