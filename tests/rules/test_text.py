"""The one cleaning of typed and imported text (rules.text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloe_portal.rules.text import (
    clean_filename,
    clean_text,
    clean_tree,
    find_problem,
    normalize_text,
)


def test_nfc_and_strip():
    assert normalize_text("  Zoe\u0308 Le\u0301vy \u00a0") == "Zoë Lévy"


def test_multiline_turns_every_line_break_into_lf_and_keeps_tabs():
    assert normalize_text("\r\na\r\nb\rc\u2028d\u2029e\t\n", multiline=True) == "a\nb\nc\nd\ne"
    assert normalize_text("a\tb", multiline=True) == "a\tb"


@pytest.mark.parametrize(("text", "kind", "code", "position"), [
    ("a\x00b", "control", "U+0000", 2),
    ("\x1b[0m", "control", "U+001B", 1),
    ("x\x7f", "control", "U+007F", 2),
    ("x\x9b", "control", "U+009B", 2),
    ("a\u202eb", "bidi", "U+202E", 2),
    ("a\u2067b", "bidi", "U+2067", 2),
    ("a\u200fb", "bidi", "U+200F", 2),
    ("a\u061cb", "bidi", "U+061C", 2),
    ("a\u200bb", "invisible", "U+200B", 2),
    ("a\ufeffb", "invisible", "U+FEFF", 2),
    ("a\u00adb", "invisible", "U+00AD", 2),
    ("a\U000e0041b", "invisible", "U+E0041", 2),
    ("a\ud800b", "invalid", "U+D800", 2),
    ("a\uffffb", "invalid", "U+FFFF", 2),
    ("a\nb", "line_break", "U+000A", 2),
    ("a\u2028b", "line_break", "U+2028", 2),
    ("a\tb", "tab", "U+0009", 2),
])
def test_single_line_problems_are_named(text, kind, code, position):
    problem = find_problem(text)
    assert (problem.kind, problem.code, problem.position) == (kind, code, position)


def test_messages_name_the_character():
    assert find_problem("a\x1b").message_fr == "caractère de contrôle U+001B non autorisé"
    assert str(find_problem("a\u202e")) == (
        "caractère de contrôle de direction du texte U+202E non autorisé (position 2)")


@pytest.mark.parametrize("text", ["Zoë Lévy", "O'Connor-Smith", "Straße 12", "日本語", "🇫🇷🙂",
                                  "👩\u200d💻", "क्\u200dष", "3 rue de la Paix, 75002 Paris",
                                  "Ελληνικά", "\ue000 private use", ""])
def test_real_text_passes(text):
    assert find_problem(text) is None


def test_multiline_allows_lf_and_tab_only():
    assert find_problem("a\n\tb", multiline=True) is None
    assert find_problem("a\n\x00", multiline=True).position == 3
    text, problem = clean_text("a\r\nb\x0bc", multiline=True)
    assert text == "a\nb\x0bc" and (problem.code, problem.position) == ("U+000B", 4)


def test_clean_tree_paths_and_multiline_keys():
    value = {"prompt": "Lis\r\nbien", "options": ["a", "b\u202e"], "x\x00": 1, "n": 3}
    cleaned, problems = clean_tree(value, frozenset({"prompt"}), "content")
    assert cleaned["prompt"] == "Lis\nbien" and cleaned["n"] == 3
    assert [(where, p.code) for where, p in problems] == [
        ("content.options[1]", "U+202E"), ("content.x\x00", "U+0000")]


@given(st.text())
def test_cleaning_is_idempotent_and_never_fails(text):
    for multiline in (False, True):
        once, problem = clean_text(text, multiline)
        assert clean_text(once, multiline) == (once, problem)
        if problem is None:
            assert once == once.strip()


def test_file_names_lose_their_control_and_direction_characters():
    assert clean_filename("\u202egpj.exe") == "gpj.exe"
    assert clean_filename(" rapport\x00\n 2026.pdf ") == "rapport 2026.pdf"
    assert clean_filename("Re\u0301sume\u0301.csv") == "Résumé.csv"
    assert clean_filename(None) == ""
