"""The base of every form: one cleaning of typed text, one reading of typed dates.

Every form of the portal inherits ``BaseForm`` (a test walks them all). Its ``Meta`` gives
each text field (``StringField`` and its kinds: text area, e-mail, URL, search…) the rules
of ``rules.text``: NFC, surrounding whitespace stripped, line breaks made LF in text areas,
and a refusal beside the field, naming the character, for control, bidirectional and
invisible characters. Passwords are left exactly as typed (they are only hashed, and a
space may be part of one); hidden fields carry tokens, not typed text.

``DateField`` reads what people type (jj/mm/aaaa) and what ``<input type="date">`` sends
(aaaa-mm-jj), and says what is wrong: a date that is not in the calendar is « Date
impossible. », a text that is not a date gets the expected format, and the field's own
"required" message only ever means that it was left empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as WTFormsDateField
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from cloe_portal.rules.dates import MAX_YEAR, MIN_YEAR, DateProblem, parse_date
from cloe_portal.rules.text import TextProblem, find_problem, normalize_text

_TEXT_MESSAGES = {
    "control": _l("Caractère de contrôle %(code)s non autorisé (position %(position)s)."),
    "line_break": _l("Retour à la ligne non autorisé dans ce champ (position %(position)s)."),
    "tab": _l("Tabulation non autorisée dans ce champ (position %(position)s)."),
    "bidi": _l("Caractère de contrôle de direction du texte %(code)s non autorisé "
               "(position %(position)s)."),
    "invisible": _l("Caractère invisible %(code)s non autorisé (position %(position)s)."),
    "invalid": _l("Caractère invalide %(code)s non autorisé (position %(position)s)."),
}


def text_problem_message(problem: TextProblem) -> str:
    """The translated message for a refused character, shown beside its field."""
    return str(_TEXT_MESSAGES[problem.kind] % {"code": problem.code, "position": problem.position})


def is_text_field(field_class: type) -> bool:
    """True for the fields whose value is typed text (not passwords, not hidden tokens)."""
    return issubclass(field_class, StringField) and not issubclass(
        field_class, PasswordField | HiddenField)


class _Normalize:
    """Filter: the text as ``rules.text`` normalises it (other values pass unchanged)."""

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> Any:
        return normalize_text(value, self.multiline) if isinstance(value, str) else value


class _RefuseForbidden:
    """Validator: stop at the first refused character and say which one, beside the field."""

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str):
            problem = find_problem(field.data, self.multiline)
            if problem is not None:
                raise StopValidation(text_problem_message(problem))


class BaseForm(FlaskForm):
    """FlaskForm with the portal's text cleaning on every text field."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict) -> Any:
            field = unbound_field.bind(form=form, **options)
            if is_text_field(unbound_field.field_class):
                multiline = issubclass(unbound_field.field_class, TextAreaField)
                field.filters = (_Normalize(multiline), *field.filters)
                field.validators = [_RefuseForbidden(multiline), *field.validators]
            return field


_DATE_MESSAGES = {
    "format": _l("Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    "impossible": _l("Date impossible."),
    "range": _l("Date hors de la période admise (années %(min)s à %(max)s).",
                min=MIN_YEAR, max=MAX_YEAR),
}


class DateField(WTFormsDateField):
    """A date typed jj/mm/aaaa or sent aaaa-mm-jj by a date input; precise messages."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        raw = valuelist[0]
        text = normalize_text(raw) if isinstance(raw, str) else ""
        if not text:
            return  # empty: the field's own required/optional rule decides
        if find_problem(text) is not None:
            raise ValueError(str(_DATE_MESSAGES["format"]))
        try:
            self.data = parse_date(text)
        except DateProblem as problem:
            raise ValueError(str(_DATE_MESSAGES[problem.kind])) from None

    def pre_validate(self, form: Any) -> None:
        # A date that could not be read has said why; "required" would only contradict it.
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        # A date read from « 29/02/2000 » goes back to the date input in the only form it shows.
        if isinstance(self.data, dt.date) and not self.process_errors:
            return self.data.isoformat()
        return super()._value()
