"""Tests of the CEFR sub-level table, the level combination and the certificate rule."""

import pytest

from cloe_portal.rules import cefr

BOUNDARIES = [
    (0, "A0"),
    (4, "A0"),
    (5, "A1-"),
    (9, "A1-"),
    (10, "A1"),
    (15, "A1"),
    (16, "A1+"),
    (22, "A1+"),
    (23, "A2-"),
    (30, "A2-"),
    (31, "A2"),
    (35, "A2"),
    (36, "A2+"),
    (39, "A2+"),
    (40, "B1-"),
    (44, "B1-"),
    (45, "B1"),
    (49, "B1"),
    (50, "B1+"),
    (53, "B1+"),
    (54, "B2-"),
    (57, "B2-"),
    (58, "B2"),
    (62, "B2"),
    (63, "B2+"),
    (69, "B2+"),
    (70, "C1-"),
    (78, "C1-"),
    (79, "C1"),
    (84, "C1"),
    (85, "C1+"),
    (90, "C1+"),
    (91, "C2-"),
    (95, "C2-"),
    (96, "C2"),
    (100, "C2"),
]


@pytest.mark.parametrize(("score", "expected"), BOUNDARIES)
def test_sublevel_on_every_boundary(score, expected):
    assert cefr.sublevel_for_score(score) == expected


def test_sublevels_are_18_in_ascending_order():
    assert len(cefr.SUBLEVELS) == 18
    assert cefr.SUBLEVELS[0] == "A0"
    assert cefr.SUBLEVELS[-1] == "C2"
    assert [cefr.sublevel_index(c) for c in cefr.SUBLEVELS] == list(range(18))


def test_bands_cover_0_to_100_without_gap_or_overlap():
    covered = []
    for code in cefr.SUBLEVELS:
        low, high = cefr.score_band(code)
        covered.extend(range(low, high + 1))
        assert all(cefr.sublevel_for_score(p) == code for p in range(low, high + 1))
    assert covered == list(range(101))


@pytest.mark.parametrize("score", [-1, 101, -0.6, 100.5, 1000, float("nan"), "50", None, True])
def test_out_of_range_or_non_numeric_scores_are_rejected(score):
    with pytest.raises(ValueError):
        cefr.sublevel_for_score(score)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(44.5, "B1"), (44.49, "B1-"), (69.5, "C1-"), (-0.4, "A0"), (100.4, "C2"), (4.5, "A1-")],
)
def test_float_scores_are_rounded_half_up(score, expected):
    assert cefr.sublevel_for_score(score) == expected


def test_round_half_up_differs_from_bankers_rounding():
    assert cefr.round_half_up(44.5) == 45
    assert cefr.round_half_up(43.5) == 44
    assert cefr.round_half_up(37.58) == 38
    assert cefr.round_half_up(44.375) == 44


def test_band_midpoint_and_major_level():
    assert cefr.band_midpoint("A2") == 33.0
    assert cefr.band_midpoint("B1+") == 51.5
    assert cefr.band_midpoint("C2") == 98.0
    assert cefr.major_level("A2-") == cefr.major_level("A2+") == "A2"
    assert cefr.major_level("A0") == "A0"
    assert cefr.major_band("B1") == (40, 53)
    with pytest.raises(ValueError):
        cefr.major_level("D1")
    with pytest.raises(ValueError):
        cefr.score_band("B3")


def test_seed_sample_reproduces_exactly():
    summary = cefr.combine_sublevels(
        {"vocabulary": "A2", "grammar": "B2", "expressions": "B1+", "reading": "A2"},
        "B1",
        {
            "range": "A2+",
            "accuracy": "A2",
            "fluency": "A2",
            "pronunciation": "A2+",
            "interaction": "A2+",
        },
    )
    assert summary.ecrit_score == 44
    assert summary.ecrit == "B1-"
    assert summary.oral_score == 38
    assert summary.oral == "A2+"
    assert summary.global_level == "A2+"
    assert summary.listening_sublevel == "B1"
    assert summary.written_sublevels["grammar"] == "B2"


def test_combine_uses_written_scores_and_takes_the_lower_level():
    oral = dict.fromkeys(cefr.ORAL_CRITERIA, "C1")  # midpoint 81.5
    summary = cefr.combine(
        {"vocabulary": 60, "grammar": 61, "expressions": 62, "reading": 62.5},
        80,
        oral,
    )
    # (60 + 61 + 62 + 62.5) / 4 = 61.375 → 61 → B2
    assert (summary.ecrit_score, summary.ecrit) == (61, "B2")
    # (80 + 5 × 81.5) / 6 = 81.25 → 81 → C1
    assert (summary.oral_score, summary.oral) == (81, "C1")
    assert summary.global_level == "B2"
    swapped = cefr.combine(
        dict.fromkeys(cefr.WRITTEN_SKILLS, 90), 30, dict.fromkeys(cefr.ORAL_CRITERIA, "A2")
    )
    assert swapped.global_level == swapped.oral == "A2"


def test_combine_rounds_the_mean_half_up():
    # mean exactly 44.5 → 45 → B1 (banker's rounding would give 44 → B1-)
    summary = cefr.combine(
        {"vocabulary": 44, "grammar": 45, "expressions": 44, "reading": 45},
        50,
        dict.fromkeys(cefr.ORAL_CRITERIA, "B1+"),
    )
    assert summary.ecrit_score == 45
    assert summary.ecrit == "B1"


def test_combine_rejects_missing_skills():
    with pytest.raises(ValueError):
        cefr.combine({"vocabulary": 50}, 50, dict.fromkeys(cefr.ORAL_CRITERIA, "B1"))
    with pytest.raises(ValueError):
        cefr.combine(dict.fromkeys(cefr.WRITTEN_SKILLS, 50), 50, {"range": "B1"})


@pytest.mark.parametrize(
    ("global_level", "target", "expected"),
    [
        ("B1-", "B1", True),
        ("A2+", "B1", False),
        ("A2-", "A2", True),
        ("A1+", "A2", False),
        ("A0", "A2", False),
        ("B2+", "C1", False),
        ("C1-", "C1", True),
        ("C2", "C2", True),
        ("C2-", "C2", True),
        ("C1+", "C2", False),
        ("C2", "A2", True),
        ("B2", "B1", True),
    ],
)
def test_certificate_rule(global_level, target, expected):
    assert cefr.earns_certificate(global_level, target) is expected


def test_a1_never_earns_and_c2_always_earns():
    for target in cefr.TARGET_LEVELS:
        for code in ("A0", "A1-", "A1", "A1+"):
            assert cefr.earns_certificate(code, target) is False
        assert cefr.earns_certificate("C2", target) is True


def test_certificate_rejects_targets_below_a2():
    with pytest.raises(ValueError):
        cefr.earns_certificate("B1", "A1")


def test_labels_cover_every_key():
    assert set(cefr.SKILL_LABELS_FR) == set(cefr.SECTION_ORDER)
    assert set(cefr.CRITERION_LABELS_FR) == set(cefr.ORAL_CRITERIA)
    assert cefr.SECTION_ORDER[-1] == cefr.LISTENING
