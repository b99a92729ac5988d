"""The audit log's search form (sent by GET: no CSRF token, nothing changes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp, ValidationError

from cloe_portal.audit.labels import OBJECT_TYPE_LABELS
from cloe_portal.audit.search import FAMILY_SUFFIX, LogFilters
from cloe_portal.core.forms import BaseForm, DateField
from cloe_portal.core.params import MAX_ID


class AuditLogForm(BaseForm):
    """Who, what, which object, which days (Paris)."""

    class Meta:
        csrf = False

    qui = SearchField(_l("Qui"), validators=[Optional(), Length(max=100)],
                      description=_l("Nom, prénom ou adresse e-mail de la personne."))
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    objet = SelectField(_l("Type d'objet"), validators=[Optional()], validate_choice=False,
                        choices=[SelectChoice("", _l("Tous")),
                                 *(SelectChoice(k, _l(v)) for k, v in OBJECT_TYPE_LABELS.items())])
    numero = StringField(_l("N° de l'objet"), validators=[
        Optional(), Regexp(r"^\d{1,10}$", message=_l("Indiquez un numéro (chiffres seulement)."))],
        render_kw={"inputmode": "numeric"})
    du = DateField(_l("Du"), validators=[Optional()], description=_l("jj/mm/aaaa, heure de Paris"))
    au = DateField(_l("Au (inclus)"), validators=[Optional()], description=_l("jj/mm/aaaa, heure de Paris"))

    def set_actions(self, actions: list[tuple[str, str]], families: dict[str, str]) -> None:
        """The action list: each family (« toutes les actions ») then each action."""
        self.action.choices = [
            SelectChoice("", _l("Toutes")),
            *(SelectChoice(f"{code}{FAMILY_SUFFIX}",
                           _l("%(family)s : toutes les actions", family=_l(label)))
              for code, label in families.items()),
            *(SelectChoice(code, _l(label)) for code, label in actions),
        ]

    def validate_numero(self, field: StringField) -> None:
        if field.data and field.data.isdecimal() and int(field.data) > MAX_ID:
            raise ValidationError(_l("Ce numéro n'existe pas."))

    def validate_au(self, field: DateField) -> None:
        if self.du.data and field.data and field.data < self.du.data:
            raise ValidationError(_l("La date de fin doit suivre la date de début."))

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Action inconnue."))

    def validate_objet(self, field: SelectField) -> None:
        if field.data and field.data not in OBJECT_TYPE_LABELS:
            raise ValidationError(_l("Type d'objet inconnu."))

    def filters(self) -> LogFilters:
        """The search as typed (call after validate())."""
        return LogFilters(
            who=(self.qui.data or "").strip(), action=self.action.data or "",
            object_type=self.objet.data or "", object_id=int(self.numero.data) if self.numero.data else None,
            start=self.du.data, end=self.au.data,
        )
