"""Every form inherits the one text cleaning and reads dates with the one date field."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField as WTFormsDateField
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import cloe_portal


def _all_form_classes() -> list[type]:
    """Import every module of the package and return the form classes defined in it."""
    for info in pkgutil.walk_packages(cloe_portal.__path__, "cloe_portal."):
        importlib.import_module(info.name)
    found, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("cloe_portal."):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


FORMS = _all_form_classes()


def test_the_walk_finds_the_forms_of_every_feature():
    modules = {form.__module__.split(".")[1] for form in FORMS}
    assert {"accounts", "candidates", "sessions", "itembank", "orals", "results"} <= modules
    assert len(FORMS) >= 30


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_form_inherits_the_base_form(form_class):
    from cloe_portal.core.forms import BaseForm

    assert issubclass(form_class, BaseForm), (
        f"{form_class.__module__}.{form_class.__qualname__} must inherit "
        "cloe_portal.core.forms.BaseForm (one text cleaning for every form)")


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_date_field_is_the_portal_date_field(form_class):
    from cloe_portal.core.forms import DateField

    for name in dir(form_class):
        attr = getattr(form_class, name, None)
        if isinstance(attr, UnboundField) and issubclass(attr.field_class, WTFormsDateField):
            assert issubclass(attr.field_class, DateField), (
                f"{form_class.__qualname__}.{name} must use cloe_portal.core.forms.DateField")


# --- the cleaning itself, on a form of the test's own --------------------------------------


def _form(app, data: dict):
    from cloe_portal.core.forms import BaseForm, DateField

    class Sample(BaseForm):
        name = StringField()
        notes = TextAreaField()
        day = DateField()

    with app.test_request_context():
        form = Sample(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return form, {k: list(map(str, v)) for k, v in form.errors.items()}


def test_text_is_nfc_stripped_and_text_areas_get_lf(app):
    form, errors = _form(app, {"name": "  Le\u0301a  ", "notes": " ligne 1\r\nligne 2\rligne 3\t! \n"})
    assert errors == {}
    assert form.name.data == "Léa" and len(form.name.data) == 3
    assert form.notes.data == "ligne 1\nligne 2\nligne 3\t!"


@pytest.mark.parametrize(("value", "expected"), [
    ("Dur\x00and", "Caractère de contrôle U+0000 non autorisé (position 4)."),
    ("\x1b[31mRouge", "Caractère de contrôle U+001B non autorisé (position 1)."),
    ("abc\x7f", "Caractère de contrôle U+007F non autorisé (position 4)."),
    ("abc\x85def", "Caractère de contrôle U+0085 non autorisé (position 4)."),
    ("\u202eevil\u202c", "Caractère de contrôle de direction du texte U+202E non autorisé (position 1)."),
    ("a\u2066b", "Caractère de contrôle de direction du texte U+2066 non autorisé (position 2)."),
    ("zero\u200bwidth", "Caractère invisible U+200B non autorisé (position 5)."),
    ("un\r\ndeux", "Retour à la ligne non autorisé dans ce champ (position 3)."),
    ("un\tdeux", "Tabulation non autorisée dans ce champ (position 3)."),
])
def test_single_line_text_refuses_and_names_the_character(app, value, expected):
    _form_, errors = _form(app, {"name": value, "notes": value.replace("\r\n", "").replace("\t", "")})
    assert errors["name"] == [expected]


def test_text_areas_keep_line_breaks_and_tabs_but_not_controls(app):
    _f, errors = _form(app, {"notes": "a\n\tb"})
    assert errors == {}
    _f, errors = _form(app, {"notes": "a\n\x00b"})
    assert errors["notes"] == ["Caractère de contrôle U+0000 non autorisé (position 3)."]


def test_emoji_and_joiners_are_text(app):
    form, errors = _form(app, {"name": "🇫🇷 👩\u200d💻 Zoé", "notes": "🙂"})
    assert errors == {} and form.name.data == "🇫🇷 👩\u200d💻 Zoé"


@pytest.mark.parametrize(("typed", "expected"), [
    ("29/02/2000", "2000-02-29"), ("2000-02-29", "2000-02-29"), ("1/3/1990", "1990-03-01"),
    (" 29.02.2000 ", "2000-02-29"), ("29-02-2000", "2000-02-29"),
])
def test_dates_in_french_and_iso(app, typed, expected):
    form, errors = _form(app, {"day": typed})
    assert errors == {} and form.day.data.isoformat() == expected
    assert form.day._value() == expected  # what the date input shows back


@pytest.mark.parametrize(("typed", "message"), [
    ("31/02/2000", "Date impossible."),
    ("29/02/2001", "Date impossible."),
    ("2000-13-01", "Date impossible."),
    ("hier", "Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    ("29/02/00", "Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    ("٢٩/٠٢/٢٠٠٠", "Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    ("29/02/2000\x00", "Date non reconnue : écrivez-la jj/mm/aaaa (par exemple 29/02/2000)."),
    ("01/01/0990", "Date hors de la période admise (années 1900 à 2100)."),
])
def test_a_wrong_date_says_what_is_wrong(app, typed, message):
    form, errors = _form(app, {"day": typed})
    assert errors == {"day": [message]} and form.day.data is None
