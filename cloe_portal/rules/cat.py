"""The adaptive engine of the written test: item selection and ability estimation (SPEC §6).

Scale (fixed by the spec): an item of difficulty ``d`` (0–100) has the Rasch difficulty
``b = (d − 50) / 10`` logits, and an ability ``θ`` is reported as the score
``50 + 10·θ`` clipped to 0–100, so one logit is ten points and 50 is the B1+ / B2-
region. Each of the five sections (10 items) is estimated on its own.

Method, and why:

- **Model.** Rasch (1PL): the bank only has one design-time difficulty per item, so
  there is nothing to fit a discrimination or a guessing parameter from. A response is a
  score ``s`` in [0, 1]; partial credit (gap items) enters the likelihood as a fractional
  Bernoulli, ``P^s · (1 − P)^(1 − s)``, which is the ordinary Rasch likelihood when
  ``s`` is 0 or 1.
- **Estimator.** EAP (posterior mean) on a fixed grid of 641 points over [−8, 8] logits,
  with a normal prior centred on the middle of the candidate's *target* major level
  (``start_theta``; the target comes from the partner's positioning, SPEC §4). Unlike
  maximum likelihood, EAP is finite after all-right or all-wrong answers, needs no
  iteration (so it is fast and exactly reproducible) and, over only ten items, has a
  lower mean squared error. ``PRIOR_SD`` = 2.0 logits (20 points) was chosen with
  ``benchmarks/cat_simulation.py``: a narrower prior (1.25–1.5) lowers each skill's
  error a little (5.9 instead of 6.3 points) but pulls all four written skills towards
  the same target, an error that does not average out in the Écrit (3.8 instead of 3.4
  points) and that grows when the positioning was off; a wider one (≥ 2.5) lets the
  first answers throw the estimate far (6.6–6.8 points per skill).
- **Selection.** Maximum Fisher information ``P(1 − P)`` among items not yet used,
  which under Rasch is the item whose ``b`` is closest to the current ``θ``, with
  *randomesque* exposure control: one item is drawn uniformly among the ``TOP_K`` = 5
  most informative. Every candidate with the same target opens at the same ``θ``, so
  ``next_item`` widens the bin at the start of a section (``OPENING_TOP_K`` = 10 for the
  first item, then one less per answer down to ``TOP_K``). On the English bank (about
  60 items per skill) this keeps the most used item near 22–24 % of candidates, close
  to the ~20 % floor that any precise 10-item test of a uniform population reaches on
  60 items, at no measurable cost in precision. Ties are broken by position in the
  pool, so a selection depends only on the inputs and on ``rng``.
- **Earlier attempts.** Items a candidate saw in an earlier attempt (``exclude``) are
  avoided while at least one other unused item remains, then allowed again.
- **Short pools.** Incident restarts draw a section again from items not yet used in
  it; on a small bank (25–30 items per skill) the pool can run out. Given an
  ``Exposure``, ``next_item`` then reuses an item instead of failing: never one already
  served in the current round, and among the others the one served the fewest times to
  this candidate, then the fewest times overall, then the closest to ``θ``, then the first
  in the pool. No randomness there, so the replay finds the same item. Without an
  ``Exposure`` a section fails (``BankExhausted``) when every item of the pool was used.
- **Reproducibility** (SPEC §6, scores must be recomputable): everything is a pure
  function of its arguments and of the ``numpy.random.Generator`` it is given. Derive
  that generator with ``step_rng(attempt_seed, section, step)`` and store the seed, and
  a referent can replay an attempt's CAT path exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from cloe_portal.rules.cefr import (
    SKILL_LABELS_FR,
    TARGET_LEVELS,
    major_band,
    round_half_up,
    sublevel_for_score,
)

SECTION_LENGTH = 10
PRIOR_SD = 2.0
TOP_K = 5
OPENING_TOP_K = 10
POINTS_PER_LOGIT = 10.0
CENTRE_SCORE = 50.0

_GRID = np.linspace(-8.0, 8.0, 641)
_GRID.setflags(write=False)


class BankExhausted(Exception):
    """No unused item remains in the pool of a section."""

    def __init__(self, skill: str | None = None, pool_size: int = 0) -> None:
        """Build the exception with a French message meant for the referent."""
        where = f" pour la compétence « {SKILL_LABELS_FR.get(skill, skill)} »" if skill else ""
        self.skill = skill
        self.pool_size = pool_size
        super().__init__(
            f"Banque de questions épuisée{where} : les {pool_size} questions disponibles "
            "ont toutes déjà été posées dans cette section. Ajoutez des questions à la "
            "banque avant de relancer le test."
        )


def difficulty_to_b(difficulty: float) -> float:
    """Convert a 0–100 item difficulty to a Rasch difficulty in logits."""
    return (float(difficulty) - CENTRE_SCORE) / POINTS_PER_LOGIT


def theta_to_score(theta: float) -> float:
    """Convert an ability in logits to a score on the 0–100 scale (not rounded)."""
    return float(np.clip(CENTRE_SCORE + POINTS_PER_LOGIT * theta, 0.0, 100.0))


def score_to_theta(score: float) -> float:
    """Convert a 0–100 score to an ability in logits."""
    return (float(score) - CENTRE_SCORE) / POINTS_PER_LOGIT


def start_theta(target_level: str) -> float:
    """Return the starting ability (and prior mean): the middle of the target major level."""
    if target_level not in TARGET_LEVELS:
        raise ValueError(f"Target level must be one of {TARGET_LEVELS}, got {target_level!r}")
    low, high = major_band(target_level)
    return score_to_theta((low + high) / 2)


def item_information(theta: float, b: float | np.ndarray) -> float | np.ndarray:
    """Return the Rasch Fisher information P(1 − P) of items of difficulty b at theta."""
    p = 1.0 / (1.0 + np.exp(-(theta - np.asarray(b, dtype=float))))
    return p * (1.0 - p)


def step_rng(attempt_seed: int, section: int, step: int) -> np.random.Generator:
    """Return the generator for one selection step, so a stored seed replays the path."""
    return np.random.default_rng([int(attempt_seed), int(section), int(step)])


@lru_cache(maxsize=128)
def _log_prior(prior_mean: float, prior_sd: float) -> np.ndarray:
    log_prior = -0.5 * ((_GRID - prior_mean) / prior_sd) ** 2
    log_prior.setflags(write=False)
    return log_prior


def estimate(
    responses: Sequence[tuple[float, float]],
    prior_mean: float,
    prior_sd: float = PRIOR_SD,
) -> tuple[float, float]:
    """Return the EAP ability and its posterior SD from (b, score in [0, 1]) responses."""
    if not prior_sd > 0:
        raise ValueError("prior_sd must be positive")
    log_post = _log_prior(float(prior_mean), float(prior_sd))
    if len(responses):
        data = np.asarray(responses, dtype=float).reshape(-1, 2)
        if not np.all(np.isfinite(data)):
            raise ValueError("Responses must be finite (b, score) pairs")
        b = data[:, 0]
        s = np.clip(data[:, 1], 0.0, 1.0)
        z = _GRID[:, None] - b[None, :]
        # log P = −log(1 + e^−z), log(1 − P) = −log(1 + e^z), computed without overflow.
        loglik = -(s * np.logaddexp(0.0, -z) + (1.0 - s) * np.logaddexp(0.0, z)).sum(axis=1)
        log_post = log_post + loglik
    weights = np.exp(log_post - log_post.max())
    weights /= weights.sum()
    mean = float(weights @ _GRID)
    sd = float(np.sqrt(weights @ (_GRID - mean) ** 2))
    return mean, sd


class ItemPool:
    """The items one section may draw from, indexed once for fast selection."""

    def __init__(self, item_ids: Sequence[Hashable], difficulties: Sequence[float]) -> None:
        """Index item ids and their 0–100 difficulties."""
        ids = tuple(item_ids)
        d = np.asarray(difficulties, dtype=float).reshape(-1)
        if len(ids) != d.size:
            raise ValueError("item_ids and difficulties must have the same length")
        if not np.all(np.isfinite(d)) or np.any((d < 0) | (d > 100)):
            raise ValueError("Difficulties must be numbers between 0 and 100")
        self.ids: tuple[Hashable, ...] = ids
        self.index: dict[Hashable, int] = {item_id: i for i, item_id in enumerate(ids)}
        if len(self.index) != len(ids):
            raise ValueError("Item ids must be unique")
        self.b = (d - CENTRE_SCORE) / POINTS_PER_LOGIT
        self.b.setflags(write=False)

    def __len__(self) -> int:
        """Return the number of items in the pool."""
        return len(self.ids)

    def b_of(self, item_id: Hashable) -> float:
        """Return the Rasch difficulty of one item."""
        return float(self.b[self.index[item_id]])

    def positions(self, item_ids: Iterable[Hashable]) -> np.ndarray:
        """Return the positions of the given ids that belong to the pool."""
        idx = [self.index[i] for i in item_ids if i in self.index]
        return np.fromiter(idx, dtype=np.intp, count=len(idx))


def select_next(
    pool: ItemPool,
    theta: float,
    used_ids: set[Hashable],
    rng: np.random.Generator,
    top_k: int = TOP_K,
    exclude: Iterable[Hashable] = (),
    skill: str | None = None,
) -> Hashable:
    """Pick the next item: random among the top_k most informative unused items."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    # Rasch information P(1 − P) only decreases with |θ − b|: rank by distance, which is
    # exact (no rounding of nearly equal informations) and cheaper.
    distance = np.abs(pool.b - float(theta))
    distance[pool.positions(used_ids)] = np.inf
    available = int(np.isfinite(distance).sum())
    if available == 0:
        raise BankExhausted(skill, len(pool))
    excluded = pool.positions(exclude)
    if excluded.size:
        fresh = distance.copy()
        fresh[excluded] = np.inf
        if np.isfinite(fresh).any():
            distance = fresh
            available = int(np.isfinite(distance).sum())
    k = min(top_k, available)
    kth = np.partition(distance, k - 1)[k - 1]
    closer = np.flatnonzero(distance < kth)
    tied = np.flatnonzero(distance == kth)[: k - closer.size]
    candidates = np.concatenate((closer, tied))
    candidates = candidates[np.lexsort((candidates, distance[candidates]))]
    return pool.ids[int(candidates[int(rng.integers(k))])]


@dataclass(frozen=True)
class Exposure:
    """How often items were served, to reuse the least exposed when a pool runs short."""

    in_round: frozenset = frozenset()  # served in the current round: never twice in a round
    to_candidate: Mapping[Hashable, int] = field(default_factory=dict)
    overall: Mapping[Hashable, int] = field(default_factory=dict)


def least_exposed(pool: ItemPool, theta: float, exposure: Exposure,
                  skill: str | None = None) -> Hashable:
    """Pick an item to serve again: fewest times to this candidate, then overall, then closest."""
    best_key: tuple | None = None
    best: Hashable = None
    for position, item_id in enumerate(pool.ids):
        if item_id in exposure.in_round:
            continue
        key = (exposure.to_candidate.get(item_id, 0), exposure.overall.get(item_id, 0),
               abs(float(pool.b[position]) - float(theta)), position)
        if best_key is None or key < best_key:
            best_key, best = key, item_id
    if best_key is None:
        raise BankExhausted(skill, len(pool))
    return best


def next_item(
    pool: ItemPool,
    responses: Sequence[tuple[float, float]],
    prior_mean: float,
    used_ids: set[Hashable],
    rng: np.random.Generator,
    exclude: Iterable[Hashable] = (),
    skill: str | None = None,
    top_k: int = TOP_K,
    opening_top_k: int = OPENING_TOP_K,
    prior_sd: float = PRIOR_SD,
    reuse: Exposure | None = None,
) -> Hashable:
    """Pick a section's next item from the responses so far (one CAT step).

    With ``reuse``, a pool with no unused item left serves its least exposed item again
    (``least_exposed``) instead of raising ``BankExhausted``.
    """
    theta, _ = estimate(responses, prior_mean, prior_sd)
    # Every candidate with the same target opens at the same θ: the first items are drawn
    # from a wider bin (one item narrower per answer) so they are not over-exposed.
    k = max(top_k, opening_top_k - len(responses))
    try:
        return select_next(pool, theta, used_ids, rng, k, exclude, skill)
    except BankExhausted:
        if reuse is None:
            raise
        return least_exposed(pool, theta, reuse, skill)


@dataclass(frozen=True)
class SectionResult:
    """A section's outcome: 0–100 score, its sub-level, and the ability estimate."""

    score: int
    sublevel: str
    theta: float
    standard_error: float


def section_score(
    responses: Sequence[tuple[float, float]],
    prior_mean: float,
    prior_sd: float = PRIOR_SD,
) -> int:
    """Return a section's 0–100 score from its (b, score) responses."""
    theta, _ = estimate(responses, prior_mean, prior_sd)
    return round_half_up(theta_to_score(theta))


def section_result(
    responses: Sequence[tuple[float, float]],
    prior_mean: float,
    prior_sd: float = PRIOR_SD,
) -> SectionResult:
    """Return a section's score, CEFR sub-level, ability and its standard error (logits)."""
    theta, sd = estimate(responses, prior_mean, prior_sd)
    score = round_half_up(theta_to_score(theta))
    return SectionResult(score, sublevel_for_score(score), theta, sd)
