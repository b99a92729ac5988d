#!/usr/bin/env python3
"""Quick structural check of an item bank file against itembank/FORMAT.md (dev tool).

Usage::

    python scripts/check_item_bank.py [--min-per-band N] [--min-per-skill N] <lang|path> ...

Checks every item's fields and per-type content (gaps vs answers, indexes in range,
word bank holds every answer, unique codes, audio file present), then prints counts
per pool / skill / type / 10-point difficulty band and whether each certification
skill has at least ``--min-per-band`` items in every band (0-9, 10-19, ..., 90-100).
Exit status 1 if any error was found.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "cloe_portal" / "itembank" / "content"
AUDIO_DIR = ROOT / "cloe_portal" / "itembank" / "audio"

LANGS = {"en", "fr", "de", "es", "it"}
SKILLS = ["vocabulary", "grammar", "expressions", "reading", "listening"]
SKILL3 = {s: s[:3] for s in SKILLS}
TYPES = [
    "mcq",
    "gap_free",
    "gap_dropdown",
    "word_order",
    "sentence_order",
    "word_bank",
    "listening",
]
POOLS = {"certification", "demo", "practice"}
sys.path.insert(0, str(ROOT))
from cloe_portal.reference.domains import DOMAINS as _REF_DOMAINS  # noqa: E402

DOMAINS = set(_REF_DOMAINS)
FIELDS = {
    "code",
    "language",
    "skill",
    "type",
    "difficulty",
    "time_limit",
    "domains",
    "pool",
    "explanation",
    "content",
}
GAP_RE = re.compile(r"\{(\d+)\}")


def band(difficulty: int) -> int:
    return min(difficulty // 10, 9)


def band_label(b: int) -> str:
    return f"{b * 10}-{b * 10 + 9 if b < 9 else 100}"


def gaps_of(text: str) -> list[int]:
    return [int(g) for g in GAP_RE.findall(text)]


def is_str_list(value, min_len=1) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= min_len
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def check_gaps(text, n_expected, err) -> int:
    if not isinstance(text, str):
        err("text missing")
        return 0
    gaps = gaps_of(text)
    if not gaps:
        err("text has no gap {0}")
    elif gaps != list(range(len(gaps))):
        err(f"gaps not numbered {{0}}, {{1}}, ... in order: {gaps}")
    if n_expected is not None and len(gaps) != n_expected:
        err(f"{len(gaps)} gap(s) in text but {n_expected} answer(s)")
    return len(gaps)


def check_content(item, err) -> None:  # noqa: C901 - a flat list of rules reads best
    t = item.get("type")
    c = item.get("content")
    if not isinstance(c, dict):
        err("content is not an object")
        return
    if t != "listening" and not (isinstance(c.get("prompt"), str) and c["prompt"].strip()):
        err("prompt missing")
    if t == "mcq":
        opts = c.get("options")
        if not is_str_list(opts, 3) or len(opts) > 4:
            err("options must be 3-4 non-empty strings")
        elif len(set(o.strip().lower() for o in opts)) != len(opts):
            err("duplicate options")
        if not isinstance(c.get("answer"), int) or not 0 <= c["answer"] < len(opts or []):
            err("answer index out of range")
        if "text" in c and not (isinstance(c["text"], str) and c["text"].strip()):
            err("text empty")
    elif t == "gap_free":
        answers = c.get("answers")
        if not isinstance(answers, list) or not all(is_str_list(a) for a in answers):
            err("answers must be a list of non-empty lists of strings")
            answers = []
        check_gaps(c.get("text"), len(answers), err)
        roots = c.get("roots")
        if not isinstance(roots, list) or len(roots) != len(answers):
            err("roots must be a list with one entry (str or null) per gap")
        elif not all(r is None or (isinstance(r, str) and r.strip()) for r in roots):
            err("roots entries must be str or null")
    elif t == "gap_dropdown":
        choices, answers = c.get("choices"), c.get("answers")
        if not isinstance(choices, list) or not all(
            is_str_list(ch, 2) and len(ch) <= 4 for ch in choices
        ):
            err("choices must be a list of 2-4 strings per gap")
            choices = []
        if not isinstance(answers, list) or len(answers) != len(choices):
            err("answers must have one index per gap")
        else:
            for i, (a, ch) in enumerate(zip(answers, choices, strict=True)):
                if not isinstance(a, int) or not 0 <= a < len(ch):
                    err(f"gap {i}: answer index out of range")
                if len(set(ch)) != len(ch):
                    err(f"gap {i}: duplicate choices")
        check_gaps(c.get("text"), len(choices), err)
    elif t == "word_order":
        words = c.get("words")
        if not is_str_list(words, 3):
            err("words must be at least 3 non-empty strings")
        elif any(" " in w.strip() for w in words):
            err("a word contains a space")
    elif t == "sentence_order":
        s = c.get("sentences")
        if not is_str_list(s, 3) or len(s) > 6:
            err("sentences must be 3-6 non-empty strings")
        elif len(set(s)) != len(s):
            err("duplicate sentences")
    elif t == "word_bank":
        bank, answers = c.get("bank"), c.get("answers")
        if not is_str_list(bank, 2) or not is_str_list(answers):
            err("bank and answers must be lists of strings")
        else:
            missing = Counter(answers) - Counter(bank)
            if missing:
                err(f"answers not in bank: {sorted(missing)}")
            if len(set(bank)) != len(bank):
                err("duplicate words in bank")
            check_gaps(c.get("text"), len(answers), err)
    elif t == "listening":
        if not (isinstance(c.get("prompt"), str) and c["prompt"].strip()):
            err("prompt missing")
        if not (isinstance(c.get("transcript"), str) and c["transcript"].strip()):
            err("transcript missing")
        if c.get("max_plays") != 2:
            err("max_plays must be 2")
        audio = c.get("audio")
        if not isinstance(audio, str) or not audio.endswith(".ogg"):
            err("audio must be a .ogg file name")
        elif not (AUDIO_DIR / audio).is_file():
            err(f"audio file missing: {audio}")
        q = c.get("question")
        if not isinstance(q, dict) or q.get("kind") not in ("mcq", "gap"):
            err("question.kind must be mcq or gap")
        elif q["kind"] == "mcq":
            opts = q.get("options")
            if not is_str_list(opts, 3) or len(opts) > 4:
                err("question options must be 3-4 strings")
            elif not isinstance(q.get("answer"), int) or not 0 <= q["answer"] < len(opts):
                err("question answer index out of range")
        else:
            answers = q.get("answers")
            if not isinstance(answers, list) or not all(is_str_list(a) for a in answers):
                err("question answers must be a list of lists of strings")
                answers = []
            check_gaps(q.get("text"), len(answers), err)
    else:
        err(f"unknown type {t!r}")


def check_bank(path: Path, min_per_band: int, min_per_skill: int) -> int:
    errors: list[str] = []
    try:
        bank = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{path}: cannot load: {exc}")
        return 1
    lang = bank.get("language")
    if lang not in LANGS:
        errors.append(f"bank language {lang!r} unknown")
    items = bank.get("items")
    if not isinstance(items, list):
        print(f"{path}: 'items' is not a list")
        return 1

    codes = Counter(i.get("code") for i in items)
    for code, n in codes.items():
        if n > 1:
            errors.append(f"{code}: code used {n} times")

    by_pool = Counter()
    cert = defaultdict(Counter)  # skill -> band -> n
    cert_types = defaultdict(Counter)  # skill -> type -> n
    pool_types = defaultdict(Counter)
    listening_kinds = Counter()
    with_domain = 0
    roots_used = 0
    for item in items:
        code = item.get("code", "?")

        def err(msg, code=code):
            errors.append(f"{code}: {msg}")

        extra = set(item) - FIELDS
        if extra:
            err(f"unknown field(s) {sorted(extra)}")
        for f in ("code", "language", "skill", "type", "difficulty", "content"):
            if f not in item:
                err(f"field {f} missing")
        if item.get("language") != lang:
            err(f"language {item.get('language')!r} differs from bank {lang!r}")
        skill, typ = item.get("skill"), item.get("type")
        if skill not in SKILLS:
            err(f"unknown skill {skill!r}")
        if typ not in TYPES:
            err(f"unknown type {typ!r}")
        if (skill == "listening") != (typ == "listening"):
            err("listening items (and only they) must have skill listening")
        d = item.get("difficulty")
        if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 100:
            err("difficulty must be an int 0-100")
            d = 0
        tl = item.get("time_limit")
        if tl is not None and (not isinstance(tl, int) or tl <= 0):
            err("time_limit must be null or a positive int")
        doms = item.get("domains", [])
        if not isinstance(doms, list) or any(x not in DOMAINS for x in doms):
            err(f"unknown domain(s) {doms}")
        pool = item.get("pool", "certification")
        if pool not in POOLS:
            err(f"unknown pool {pool!r}")
        expl = item.get("explanation")
        if pool == "practice" and not (isinstance(expl, str) and expl.strip()):
            err("practice item without explanation")
        if expl is not None and not isinstance(expl, str):
            err("explanation must be a string")
        # code pattern
        if isinstance(code, str) and lang:
            if pool == "demo":
                ok = re.fullmatch(rf"{lang}-demo-\d+", code)
            elif pool == "practice":
                ok = re.fullmatch(rf"{lang}-pra-{SKILL3.get(skill, '???')}-\d+", code)
            else:
                ok = re.fullmatch(rf"{lang}-{SKILL3.get(skill, '???')}-\d+", code)
            if not ok:
                err("code does not follow the <lang>-<skill3>-<nnn> pattern of its pool")
        check_content(item, err)

        by_pool[pool] += 1
        pool_types[pool][typ] += 1
        if pool == "certification":
            cert[skill][band(d)] += 1
            cert_types[skill][typ] += 1
            if doms:
                with_domain += 1
            if typ == "gap_free" and any(item["content"].get("roots") or []):
                roots_used += 1
            if typ == "listening":
                listening_kinds[(item["content"].get("question") or {}).get("kind")] += 1

    # report
    print(f"== {path} ({lang}): {len(items)} items, pools {dict(by_pool)}")
    header = "skill        " + " ".join(f"{band_label(b):>6}" for b in range(10)) + "  total"
    print("certification items per 10-point difficulty band:")
    print(header)
    for s in SKILLS:
        row = cert.get(s, Counter())
        print(
            f"{s:<12} " + " ".join(f"{row[b]:>6}" for b in range(10)) + f"  {sum(row.values()):>5}"
        )
        for b in range(10):
            if row[b] < min_per_band:
                errors.append(
                    f"certification {s}: band {band_label(b)} has {row[b]} item(s) "
                    f"(< {min_per_band})"
                )
        if sum(row.values()) < min_per_skill:
            errors.append(f"certification {s}: {sum(row.values())} items (< {min_per_skill})")
    print("certification items per type:")
    for s in SKILLS:
        print(f"  {s:<12} " + ", ".join(f"{t} {n}" for t, n in sorted(cert_types[s].items())))
    n_cert = by_pool["certification"]
    print(f"  listening question kinds: {dict(listening_kinds)}; gap_free with roots: {roots_used}")
    if n_cert:
        print(f"  with a domain: {with_domain} ({100 * with_domain / n_cert:.0f} %)")
    for pool in ("demo", "practice"):
        print(f"{pool}: " + ", ".join(f"{t} {n}" for t, n in sorted(pool_types[pool].items())))
    unused = set(TYPES) - set(pool_types["certification"])
    if unused:
        errors.append(f"type(s) never used in certification: {sorted(unused)}")
    if errors:
        print(f"{len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("banks", nargs="+", help="language code (en, fr, ...) or path to a bank")
    parser.add_argument("--min-per-band", type=int, default=5)
    parser.add_argument("--min-per-skill", type=int, default=60)
    args = parser.parse_args(argv)
    status = 0
    for b in args.banks:
        path = Path(b) if b.endswith(".json") else CONTENT_DIR / f"{b}.json"
        status |= check_bank(path, args.min_per_band, args.min_per_skill)
    return status


if __name__ == "__main__":
    sys.exit(main())
