"""Simulate written-test candidates through the CAT engine and compare it with catsim.

Run: ``.venv/bin/python benchmarks/cat_simulation.py [--bank path/to/en.json]``.

Each simulated candidate has one true ability, uniform over 10–95 points, used for all
five skills; answers follow the Rasch model the engine assumes. The target level (the
prior) comes from a simulated positioning by the partner: the true score plus a normal
error of ``--positioning-sd`` points, mapped to its major level, clipped to A2…C2.
Each skill is a section of 10 items drawn from that skill's certification pool.

The same candidates, with the same uniform draws deciding each answer (the n-th answer
of a section is right when u[n] < P(right)), also go through catsim's
RandomesqueSelector (same bin size) and NumericalSearchEstimator (maximum likelihood
with Dodd's heuristic), started at the same ability: the reference.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cloe_portal.rules import cat, cefr  # noqa: E402

DEFAULT_BANK = ROOT / "cloe_portal" / "itembank" / "content" / "en.json"
MIN_ITEMS_PER_SKILL = 30
SKILLS = cefr.SECTION_ORDER


def load_pools(path: Path) -> tuple[dict[str, cat.ItemPool], str]:
    """Return one pool per skill from a bank file, or a synthetic bank when unusable."""
    note = ""
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        pools = {}
        for skill in SKILLS:
            items = [
                i
                for i in data.get("items", [])
                if i.get("skill") == skill and i.get("pool", "certification") == "certification"
            ]
            pools[skill] = cat.ItemPool(
                [i["code"] for i in items], [i["difficulty"] for i in items]
            )
        small = [s for s, p in pools.items() if len(p) < MIN_ITEMS_PER_SKILL]
        if not small:
            sizes = ", ".join(f"{s} {len(p)}" for s, p in pools.items())
            return (
                pools,
                f"bank {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({sizes})",
            )
        note = f"{path} has fewer than {MIN_ITEMS_PER_SKILL} items for {', '.join(small)}; "
    else:
        note = f"{path} not found; "
    return synthetic_pools(60), note + "SYNTHETIC bank: 60 items per skill, uniform over 0–100"


def synthetic_pools(per_skill: int) -> dict[str, cat.ItemPool]:
    """Return a synthetic bank: per skill, difficulties evenly spread over 0–100."""
    difficulties = np.round(np.linspace(0, 100, per_skill))
    return {
        s: cat.ItemPool([f"{s[:3]}-{i:03d}" for i in range(per_skill)], difficulties)
        for s in SKILLS
    }


def positioning(true_scores: np.ndarray, rng: np.random.Generator, sd: float) -> list[str]:
    """Return each candidate's target level from a noisy positioning of the true score."""
    noisy = np.clip(true_scores + rng.normal(0.0, sd, true_scores.size), 0, 100)
    targets = []
    for score in noisy:
        major = cefr.major_level(cefr.sublevel_for_score(float(score)))
        targets.append(major if major in cefr.TARGET_LEVELS else "A2")
    return targets


def p_right(theta: float, b: float) -> float:
    """Rasch probability of a right answer."""
    return 1.0 / (1.0 + np.exp(-(theta - b)))


def run_ours(pool, theta_true, target, uniforms, seed, cand, skill_no, top_k, opening, prior_sd):
    """Run one section through our engine; return (score, positions used)."""
    prior = cat.start_theta(target)
    used: set = set()
    responses: list[tuple[float, float]] = []
    for step in range(cat.SECTION_LENGTH):
        rng = cat.step_rng(seed * 1_000_003 + cand, skill_no, step)
        item = cat.next_item(
            pool, responses, prior, used, rng, top_k=top_k, opening_top_k=opening, prior_sd=prior_sd
        )
        used.add(item)
        b = pool.b_of(item)
        responses.append((b, 1.0 if uniforms[step] < p_right(theta_true, b) else 0.0))
    return cat.section_score(responses, prior, prior_sd), [pool.index[i] for i in used]


def run_catsim(bank, b_values, theta_true, target, uniforms, rng, selector, estimator):
    """Run one section through catsim's selector and estimator; return (score, used)."""
    theta = cat.start_theta(target)
    administered: list[int] = []
    answers: list[bool] = []
    for step in range(cat.SECTION_LENGTH):
        idx = int(
            selector.select(
                item_bank=bank, administered_items=administered, est_theta=theta, rng=rng
            )
        )
        administered.append(idx)
        answers.append(bool(uniforms[step] < p_right(theta_true, b_values[idx])))
        theta = float(
            estimator.estimate(
                item_bank=bank,
                administered_items=administered,
                response_vector=answers,
                est_theta=theta,
            )
        )
    return cefr.round_half_up(cat.theta_to_score(theta)), administered


def summarise(est: np.ndarray, true_scores: np.ndarray) -> dict[str, float]:
    """Return RMSE, bias and right-major-level share of estimated against true scores."""
    err = est - true_scores
    right = [
        cefr.major_level(cefr.sublevel_for_score(float(e)))
        == cefr.major_level(cefr.sublevel_for_score(float(t)))
        for e, t in zip(est, true_scores, strict=True)
    ]
    return {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "bias": float(np.mean(err)),
        "major": float(np.mean(right)),
    }


def time_selection(top_k: int, n_items: int = 5000, calls: int = 3000) -> tuple[float, float]:
    """Return median µs to pick the next item on a big synthetic bank: ours, catsim's."""
    rng = np.random.default_rng(7)
    difficulties = rng.uniform(0, 100, n_items)
    pool = cat.ItemPool([f"x{i}" for i in range(n_items)], difficulties)
    thetas = rng.uniform(-4, 4, calls)
    used_sets = [
        {f"x{j}" for j in rng.choice(n_items, size=rng.integers(0, 10), replace=False)}
        for _ in range(calls)
    ]
    ours = []
    for theta, used in zip(thetas, used_sets, strict=True):
        start = time.perf_counter()
        cat.select_next(pool, theta, used, rng, top_k)
        ours.append(time.perf_counter() - start)
    theirs = []
    try:
        from catsim.item_bank import ItemBank
        from catsim.selection import RandomesqueSelector
    except ImportError:
        return statistics.median(ours) * 1e6, float("nan")
    bank = ItemBank(
        np.column_stack([np.ones(n_items), pool.b, np.zeros(n_items), np.ones(n_items)]),
        validate=False,
    )
    selector = RandomesqueSelector(bin_size=top_k)
    for theta, used in zip(thetas[:500], used_sets[:500], strict=True):
        administered = [pool.index[u] for u in used]
        start = time.perf_counter()
        selector.select(item_bank=bank, administered_items=administered, est_theta=theta, rng=rng)
        theirs.append(time.perf_counter() - start)
    return statistics.median(ours) * 1e6, statistics.median(theirs) * 1e6


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=Path, default=DEFAULT_BANK)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--top-k", type=int, default=cat.TOP_K)
    parser.add_argument("--opening-top-k", type=int, default=cat.OPENING_TOP_K)
    parser.add_argument("--prior-sd", type=float, default=cat.PRIOR_SD)
    parser.add_argument("--positioning-sd", type=float, default=10.0)
    parser.add_argument("--no-catsim", action="store_true", help="skip the catsim reference")
    args = parser.parse_args(argv)

    pools, note = load_pools(args.bank)
    print(f"Bank: {note}")
    rng = np.random.default_rng(args.seed)
    n = args.candidates
    true_scores = rng.uniform(10, 95, n)
    thetas = (true_scores - 50) / 10
    targets = positioning(true_scores, rng, args.positioning_sd)
    uniforms = rng.random((n, len(SKILLS), cat.SECTION_LENGTH))
    print(
        f"{n} candidates, seed {args.seed}, top_k {args.top_k} "
        f"(opening item {args.opening_top_k}), prior SD {args.prior_sd} logits, "
        f"positioning error SD {args.positioning_sd} points"
    )

    catsim_parts = None
    if not args.no_catsim:
        try:
            from catsim.estimation import NumericalSearchEstimator
            from catsim.item_bank import ItemBank
            from catsim.selection import RandomesqueSelector

            catsim_parts = (ItemBank, RandomesqueSelector, NumericalSearchEstimator)
        except ImportError:
            print("catsim is not installed: reference skipped")

    ours_scores = np.zeros((n, len(SKILLS)))
    ref_scores = np.zeros((n, len(SKILLS)))
    ours_exposure = {s: np.zeros(len(pools[s])) for s in SKILLS}
    ref_exposure = {s: np.zeros(len(pools[s])) for s in SKILLS}
    t_ours = t_ref = 0.0
    for skill_no, skill in enumerate(SKILLS):
        pool = pools[skill]
        start = time.perf_counter()
        for c in range(n):
            score, used = run_ours(
                pool,
                thetas[c],
                targets[c],
                uniforms[c, skill_no],
                args.seed,
                c,
                skill_no,
                args.top_k,
                args.opening_top_k,
                args.prior_sd,
            )
            ours_scores[c, skill_no] = score
            ours_exposure[skill][used] += 1
        t_ours += time.perf_counter() - start
        if catsim_parts is None:
            continue
        item_bank_cls, selector_cls, estimator_cls = catsim_parts
        b_values = np.asarray(pool.b)
        bank = item_bank_cls(
            np.column_stack(
                [np.ones(len(pool)), b_values, np.zeros(len(pool)), np.ones(len(pool))]
            ),
            validate=False,  # catsim prints an empty line when validating; ours are valid
        )
        selector = selector_cls(bin_size=args.top_k)
        estimator = estimator_cls()
        ref_rng = np.random.default_rng([args.seed, skill_no])
        start = time.perf_counter()
        for c in range(n):
            score, used = run_catsim(
                bank,
                b_values,
                thetas[c],
                targets[c],
                uniforms[c, skill_no],
                ref_rng,
                selector,
                estimator,
            )
            ref_scores[c, skill_no] = score
            ref_exposure[skill][used] += 1
        t_ref += time.perf_counter() - start

    have_ref = catsim_parts is not None
    rows = []
    for skill_no, skill in enumerate(SKILLS):
        ours = summarise(ours_scores[:, skill_no], true_scores)
        ours["exposure"] = float(ours_exposure[skill].max() / n)
        ref = None
        if have_ref:
            ref = summarise(ref_scores[:, skill_no], true_scores)
            ref["exposure"] = float(ref_exposure[skill].max() / n)
        rows.append((skill, ours, ref))
    written = [SKILLS.index(s) for s in cefr.WRITTEN_SKILLS]

    def ecrit(scores: np.ndarray) -> np.ndarray:
        return np.array([cefr.round_half_up(v) for v in scores[:, written].mean(axis=1)])

    ecrit_ours = summarise(ecrit(ours_scores), true_scores)
    ecrit_ref = summarise(ecrit(ref_scores), true_scores) if have_ref else None

    def fmt(ours: float, ref: float | None, unit: str, pct: bool = False) -> str:
        def show(v: float) -> str:
            return f"{100 * v:6.1f} %" if pct else f"{v:6.2f}{unit}"

        if ref is None:
            return show(ours)
        ratio = abs(ours) / abs(ref) if ref else float("nan")
        return f"{show(ours)} | {show(ref)} | ×{ratio:5.2f}"

    header = "ours | catsim | ratio" if have_ref else "ours"
    print(f"\nPer skill ({header}; ratios of absolute values)")
    for skill, ours, ref in rows:
        print(f"  {skill:<12} RMSE      {fmt(ours['rmse'], ref and ref['rmse'], ' pt')}")
        print(f"  {'':<12} bias      {fmt(ours['bias'], ref and ref['bias'], ' pt')}")
        print(f"  {'':<12} major ok  {fmt(ours['major'], ref and ref['major'], '', pct=True)}")
        print(
            f"  {'':<12} max expo  {fmt(ours['exposure'], ref and ref['exposure'], '', pct=True)}"
        )
    print(f"\nÉcrit (mean of the 4 written skills; {header})")
    print(f"  RMSE      {fmt(ecrit_ours['rmse'], ecrit_ref and ecrit_ref['rmse'], ' pt')}")
    print(f"  major ok  {fmt(ecrit_ours['major'], ecrit_ref and ecrit_ref['major'], '', pct=True)}")

    ours_us, ref_us = time_selection(args.top_k)
    print(f"\nNext item on a 5 000-item bank, median: ours {ours_us:.0f} µs", end="")
    print(f" | catsim {ref_us:.0f} µs | ×{ours_us / ref_us:.2f}" if have_ref else "")
    print(
        f"Simulation wall time: ours {t_ours:.1f} s"
        + (f", catsim {t_ref:.1f} s" if have_ref else "")
    )

    checks = {
        "RMSE ≤ 7 points on every skill": all(o["rmse"] <= 7 for _, o, _ in rows),
        "Écrit right major level ≥ 80 %": ecrit_ours["major"] >= 0.80,
        "max exposure ≤ 35 %": all(o["exposure"] <= 0.35 for _, o, _ in rows),
        "next item < 1 ms": ours_us < 1000,
    }
    if have_ref:
        # Max exposure is a proportion over n candidates: differences within twice its
        # binomial standard error are simulation noise, not a worse engine.
        def expo_ok(o: dict, r: dict) -> bool:
            noise = 2 * np.sqrt(r["exposure"] * (1 - r["exposure"]) / n)
            return o["exposure"] <= r["exposure"] + noise

        checks["no worse than catsim: RMSE on every skill"] = all(
            o["rmse"] <= r["rmse"] for _, o, r in rows
        )
        checks["no worse than catsim: Écrit right major level"] = (
            ecrit_ours["major"] >= ecrit_ref["major"]
        )
        checks["no worse than catsim: max exposure (± 2 binomial SE)"] = all(
            expo_ok(o, r) for _, o, r in rows
        )
        checks["no worse than catsim: next-item time"] = ours_us <= ref_us
    print("\nTargets")
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
