"""Tests for the reference data (domains, languages, CEFR texts, oral prompts, charter)."""

from __future__ import annotations

import ast
import pathlib

import pytest

import cloe_portal.reference as reference_pkg
from cloe_portal.reference.cefr_text import (
    LEVEL_DESCRIPTORS,
    ORAL_CRITERIA,
    ORAL_CRITERION_DESCRIPTORS,
    SUBLEVEL_DESCRIPTORS,
    TARGET_LEVEL_HELP,
    oral_criterion_descriptor,
    sublevel_descriptor,
)
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS, CPF_CHARTER_CRITERIA
from cloe_portal.reference.domains import DOMAINS, is_domain
from cloe_portal.reference.languages import LANGUAGES, language_name
from cloe_portal.reference.oral_prompts import (
    INTRO_LEVELS,
    INTRO_QUESTIONS,
    ROLE_PLAYS,
    TARGET_LEVELS,
    THEMES,
    bank_language,
    prompts_for,
)
from cloe_portal.rules.cefr import SUBLEVELS

SEED_000 = pathlib.Path("/work/shared/seeds/000_77f16a3b5eafa63c.txt")


def test_33_domains_unique_and_as_in_the_seed() -> None:
    assert len(DOMAINS) == 33
    assert len(set(DOMAINS)) == 33
    assert DOMAINS[0] == "Achats" and DOMAINS[-1] == "Viti-vinicole"
    assert is_domain("Droit & Justice") and not is_domain("Droit")
    if SEED_000.exists():  # the seeds live outside the repository
        seed = SEED_000.read_text(encoding="utf-8")
        missing = [d for d in DOMAINS if d not in seed]
        assert missing == []


def test_languages() -> None:
    assert LANGUAGES == {
        "en": "Anglais",
        "fr": "Français langue étrangère (FLE)",
        "de": "Allemand",
        "es": "Espagnol",
        "it": "Italien",
    }
    assert language_name("de") == "Allemand"
    with pytest.raises(KeyError):
        language_name("pt")


def test_18_sublevel_descriptors_and_major_levels() -> None:
    assert tuple(SUBLEVEL_DESCRIPTORS) == SUBLEVELS
    assert len(SUBLEVEL_DESCRIPTORS) == 18
    for text in SUBLEVEL_DESCRIPTORS.values():
        sentences = [s for s in text.replace("!", ".").split(".") if s.strip()]
        assert 1 <= len(sentences) <= 3
    assert set(LEVEL_DESCRIPTORS) == {"A0", "A1", "A2", "B1", "B2", "C1", "C2"}
    assert sublevel_descriptor("A2+") == SUBLEVEL_DESCRIPTORS["A2+"]
    with pytest.raises(ValueError):
        sublevel_descriptor("D1")


def test_descriptors_are_not_copied_from_the_seed_attestation() -> None:
    seed_sentence = "Peut comprendre des phrases isolées et des expressions fréquemment utilisées"
    assert all(seed_sentence not in text for text in SUBLEVEL_DESCRIPTORS.values())
    assert all(seed_sentence not in text for text in LEVEL_DESCRIPTORS.values())


def test_target_level_help_for_a2_to_c2() -> None:
    assert tuple(TARGET_LEVEL_HELP) == ("A2", "B1", "B2", "C1", "C2")
    for level, help_ in TARGET_LEVEL_HELP.items():
        assert help_.level == level
        assert help_.title and len(help_.uses) >= 3 and len(help_.typical_jobs) >= 4
    assert "Réceptionniste" in TARGET_LEVEL_HELP["B1"].typical_jobs


def test_oral_criteria_descriptors_per_major_level() -> None:
    assert tuple(ORAL_CRITERIA) == ("range", "accuracy", "fluency", "pronunciation", "interaction")
    for criterion in ORAL_CRITERIA:
        assert set(ORAL_CRITERION_DESCRIPTORS[criterion]) == set(LEVEL_DESCRIPTORS)
    assert (
        oral_criterion_descriptor("fluency", "B2+") == ORAL_CRITERION_DESCRIPTORS["fluency"]["B2"]
    )
    with pytest.raises(ValueError):
        oral_criterion_descriptor("charisma", "B2")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_prompt_bank_sizes(language: str) -> None:
    for level in INTRO_LEVELS:
        assert sum(q.level == level for q in INTRO_QUESTIONS[language]) >= 6
    assert len(ROLE_PLAYS[language]) >= 10
    assert len(THEMES[language]) >= 10
    for role_play in ROLE_PLAYS[language]:
        assert role_play.level in TARGET_LEVELS
        assert role_play.domain is None or role_play.domain in DOMAINS
        assert role_play.situation and role_play.candidate_role and role_play.assessor_role
    for theme in THEMES[language]:
        assert theme.domain is None or theme.domain in DOMAINS
        assert set(theme.questions) == set(TARGET_LEVELS)
        assert all(theme.questions[level] for level in TARGET_LEVELS)
    keys = [rp.key for rp in ROLE_PLAYS[language]] + [t.key for t in THEMES[language]]
    assert len(keys) == len(set(keys))
    # Every target level has at least one general role-play to fall back on.
    for level in TARGET_LEVELS:
        assert any(rp.level == level and rp.domain is None for rp in ROLE_PLAYS[language])


def test_other_languages_fall_back_to_english() -> None:
    assert bank_language("de") == "en"
    assert bank_language("fr") == "fr"
    assert prompts_for("it", "B1").intro == prompts_for("en", "B1").intro


def test_prompts_for_filters_by_level() -> None:
    prompts = prompts_for("fr", "B1")
    assert prompts.target_level == "B1"
    assert {q.level for q in prompts.intro} == {"A1", "A2", "B1", "B2"}
    levels = [INTRO_LEVELS.index(q.level) for q in prompts.intro]
    assert levels == sorted(levels)  # easiest first
    assert prompts.role_plays and all(rp.level == "B1" for rp in prompts.role_plays)
    assert all(rp.domain is None for rp in prompts.role_plays)  # no domain asked
    assert all(set(t.questions) == {"A2", "B1", "B2"} for t in prompts.themes)
    assert all(t.domain is None for t in prompts.themes)
    top = prompts_for("en", "C2")
    assert {q.level for q in top.intro} == set(INTRO_LEVELS)
    assert all(set(t.questions) == set(TARGET_LEVELS) for t in top.themes)


def test_prompts_for_puts_domain_items_first_and_drops_other_domains() -> None:
    prompts = prompts_for("en", "B1+", domain="Logistique & Transport")
    assert prompts.target_level == "B1"
    assert prompts.role_plays[0].domain == "Logistique & Transport"
    assert {rp.domain for rp in prompts.role_plays} == {"Logistique & Transport", None}
    assert prompts.themes[0].domain == "Logistique & Transport"
    assert {t.domain for t in prompts.themes} == {"Logistique & Transport", None}
    assert "Construction, architecture" not in {rp.domain for rp in prompts.role_plays}


def test_prompts_for_refuses_levels_below_a2() -> None:
    with pytest.raises(ValueError):
        prompts_for("fr", "A1")


def test_cpf_charter_and_audit_points() -> None:
    assert len(CPF_CHARTER_CRITERIA) == 10
    keys = [key for key, _ in ACCREDITATION_AUDIT_POINTS]
    assert len(keys) == len(set(keys)) == 12
    assert "qualiopi_certificate" in keys and "human_led_training" in keys
    assert all(label for _, label in ACCREDITATION_AUDIT_POINTS)


def test_reference_and_rules_do_not_import_flask_or_a_database() -> None:
    package_dirs = [pathlib.Path(reference_pkg.__file__).parent]
    files = [p for d in package_dirs for p in d.glob("*.py")]
    rules = pathlib.Path(reference_pkg.__file__).parent.parent / "rules"
    files += [rules / name for name in ("edof.py", "calendar.py", "windows.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("flask", "sqlalchemy", "flask_")), (path, name)
