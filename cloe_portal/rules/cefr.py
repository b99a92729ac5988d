"""CEFR sub-levels, score bands and how skill levels combine into a result (SPEC §6, §9).

The 18 sub-levels and their point bands are those of the partner rules (§3.2). The seed
lists B2+ as 63–70 and C1- as 70–78; 70 is taken as C1- (SPEC §6).

Choices written down here (SPEC §9):
- ``MAJOR_LEVELS`` includes ``A0``: it is the major level of the ``A0`` sub-level, so
  that ``major_level`` is total over the 18 codes.
- "C2 always earns the certificate" is applied to the *major* level C2, so ``C2-`` earns
  it too (the certificate states major levels; the seed says "niveau C2").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

SUBLEVELS: tuple[str, ...] = (
    "A0",
    "A1-",
    "A1",
    "A1+",
    "A2-",
    "A2",
    "A2+",
    "B1-",
    "B1",
    "B1+",
    "B2-",
    "B2",
    "B2+",
    "C1-",
    "C1",
    "C1+",
    "C2-",
    "C2",
)

# Lowest score of each sub-level, in the order of SUBLEVELS; the band ends one point
# below the next sub-level's lower bound (C2 ends at 100).
_LOWER_BOUNDS: tuple[int, ...] = (
    0,
    5,
    10,
    16,
    23,
    31,
    36,
    40,
    45,
    50,
    54,
    58,
    63,
    70,
    79,
    85,
    91,
    96,
)

SCORE_BANDS: MappingProxyType[str, tuple[int, int]] = MappingProxyType(
    {
        code: (low, (_LOWER_BOUNDS[i + 1] - 1) if i + 1 < len(_LOWER_BOUNDS) else 100)
        for i, (code, low) in enumerate(zip(SUBLEVELS, _LOWER_BOUNDS, strict=True))
    }
)

MAJOR_LEVELS: tuple[str, ...] = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
TARGET_LEVELS: tuple[str, ...] = ("A2", "B1", "B2", "C1", "C2")

WRITTEN_SKILLS: tuple[str, ...] = ("vocabulary", "grammar", "expressions", "reading")
LISTENING = "listening"
SECTION_ORDER: tuple[str, ...] = (*WRITTEN_SKILLS, LISTENING)
ORAL_CRITERIA: tuple[str, ...] = ("range", "accuracy", "fluency", "pronunciation", "interaction")

SKILL_LABELS_FR: MappingProxyType[str, str] = MappingProxyType(
    {
        "vocabulary": "Vocabulaire",
        "grammar": "Grammaire et syntaxe",
        "expressions": "Expressions",
        "reading": "Compréhension écrite",
        "listening": "Compréhension orale",
    }
)
CRITERION_LABELS_FR: MappingProxyType[str, str] = MappingProxyType(
    {
        "range": "Étendue et maîtrise du vocabulaire",
        "accuracy": "Grammaire et syntaxe",
        "fluency": "Aisance",
        "pronunciation": "Prononciation et intonation",
        "interaction": "Interaction",
    }
)

_INDEX = {code: i for i, code in enumerate(SUBLEVELS)}


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves going up (44.5 → 45), unlike Python's round()."""
    return math.floor(x + 0.5)


def sublevel_index(code: str) -> int:
    """Return the rank of a sub-level code (A0 = 0 … C2 = 17) for comparisons."""
    try:
        return _INDEX[code]
    except KeyError:
        raise ValueError(f"Unknown CEFR sub-level: {code!r}") from None


def sublevel_for_score(score: int | float) -> str:
    """Map a 0–100 score to its CEFR sub-level; floats are rounded half up first."""
    if isinstance(score, bool) or not isinstance(score, int | float) or math.isnan(score):
        raise ValueError(f"Score must be a number, got {score!r}")
    points = round_half_up(score) if isinstance(score, float) else score
    if points < 0 or points > 100:
        raise ValueError(f"Score must be between 0 and 100, got {score!r}")
    code = SUBLEVELS[0]
    for candidate, low in zip(SUBLEVELS, _LOWER_BOUNDS, strict=True):
        if points >= low:
            code = candidate
        else:
            break
    return code


def score_band(sublevel: str) -> tuple[int, int]:
    """Return the inclusive (low, high) point band of a sub-level."""
    sublevel_index(sublevel)
    return SCORE_BANDS[sublevel]


def band_midpoint(sublevel: str) -> float:
    """Return the middle of a sub-level's band (an oral criterion's score, SPEC §9)."""
    low, high = score_band(sublevel)
    return (low + high) / 2


def major_level(sublevel: str) -> str:
    """Return the major level of a sub-level (A2-/A2/A2+ → A2)."""
    sublevel_index(sublevel)
    return sublevel.rstrip("+-")


def major_band(level: str) -> tuple[int, int]:
    """Return the inclusive point band covered by a major level (B1 → 40–53)."""
    if level not in MAJOR_LEVELS:
        raise ValueError(f"Unknown CEFR major level: {level!r}")
    bands = [SCORE_BANDS[code] for code in SUBLEVELS if major_level(code) == level]
    return bands[0][0], bands[-1][1]


@dataclass(frozen=True)
class LevelSummary:
    """The levels printed on an attestation: Écrit, Oral, Global and each skill."""

    ecrit_score: int
    ecrit: str
    oral_score: int
    oral: str
    global_level: str
    written_sublevels: dict[str, str]
    listening_sublevel: str
    oral_sublevels: dict[str, str]


def _check_keys(given: dict, expected: tuple[str, ...], what: str) -> None:
    if set(given) != set(expected):
        raise ValueError(f"{what} must have exactly the keys {expected}, got {sorted(given)}")


def combine(
    written_scores: dict[str, float],
    listening_score: float,
    oral_sublevels: dict[str, str],
) -> LevelSummary:
    """Combine skill scores into Écrit, Oral and Global levels (SPEC §9)."""
    _check_keys(written_scores, WRITTEN_SKILLS, "written_scores")
    _check_keys(oral_sublevels, ORAL_CRITERIA, "oral_sublevels")
    written_sublevels = {s: sublevel_for_score(written_scores[s]) for s in WRITTEN_SKILLS}
    listening_sublevel = sublevel_for_score(listening_score)
    oral_points = [float(listening_score)] + [
        band_midpoint(oral_sublevels[c]) for c in ORAL_CRITERIA
    ]
    ecrit_score = round_half_up(sum(float(written_scores[s]) for s in WRITTEN_SKILLS) / 4)
    oral_score = round_half_up(sum(oral_points) / len(oral_points))
    ecrit = sublevel_for_score(ecrit_score)
    oral = sublevel_for_score(oral_score)
    global_level = ecrit if sublevel_index(ecrit) <= sublevel_index(oral) else oral
    return LevelSummary(
        ecrit_score=ecrit_score,
        ecrit=ecrit,
        oral_score=oral_score,
        oral=oral,
        global_level=global_level,
        written_sublevels=written_sublevels,
        listening_sublevel=listening_sublevel,
        oral_sublevels={c: oral_sublevels[c] for c in ORAL_CRITERIA},
    )


def combine_sublevels(
    written_sublevels: dict[str, str],
    listening_sublevel: str,
    oral_sublevels: dict[str, str],
) -> LevelSummary:
    """Combine levels given as sub-levels only, each taken at its band midpoint."""
    _check_keys(written_sublevels, WRITTEN_SKILLS, "written_sublevels")
    return combine(
        {s: band_midpoint(written_sublevels[s]) for s in WRITTEN_SKILLS},
        band_midpoint(listening_sublevel),
        oral_sublevels,
    )


def earns_certificate(global_sublevel: str, target: str) -> bool:
    """Decide whether the global result earns the Certificat CLOE for a target (SPEC §9)."""
    if target not in TARGET_LEVELS:
        raise ValueError(f"Target level must be one of {TARGET_LEVELS}, got {target!r}")
    major = major_level(global_sublevel)
    if major == "C2":
        return True
    if MAJOR_LEVELS.index(major) < MAJOR_LEVELS.index("A2"):
        return False
    return MAJOR_LEVELS.index(major) >= MAJOR_LEVELS.index(target)
