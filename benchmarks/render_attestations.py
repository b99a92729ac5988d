"""Render 1 000 attestations with xhtml2pdf and compare with a minimal one-line document.

Run: ``.venv/bin/python benchmarks/render_attestations.py [--count 1000]``.

Both are rendered in the same process and run, through the same offline ``html_to_pdf``
(link_callback, no network), so the ratio shows what the attestation's layout and embedded
DejaVu fonts cost over xhtml2pdf's fixed cost per document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cloe_portal import create_app  # noqa: E402
from cloe_portal.config import TestConfig  # noqa: E402
from cloe_portal.reference.cefr_text import LEVEL_NAMES, sublevel_descriptor  # noqa: E402
from cloe_portal.results.pdf import html_to_pdf  # noqa: E402
from cloe_portal.results.services import render_attestation  # noqa: E402
from cloe_portal.rules.cefr import (  # noqa: E402
    CRITERION_LABELS_FR,
    ORAL_CRITERIA,
    SKILL_LABELS_FR,
    SUBLEVELS,
    WRITTEN_SKILLS,
    major_level,
)

MINIMAL = "<html><body><p>Attestation CLOE</p></body></html>"


def attestation_doc(i: int) -> dict:
    """A plausible attestation whose levels change with i."""
    level = SUBLEVELS[4 + i % 12]
    return {
        "holder_name": f"Candidat{i} DURAND-LEFÈVRE", "birth_date": "17/05/1990",
        "centre_name": "CEL CCI Paris Île-de-France", "partner_name": "Lingua Pro Formation",
        "test_date": "02/03/2026", "language": "en", "language_name": "Anglais",
        "domain": "Hôtellerie Restauration", "target_level": "B1", "global": level,
        "ecrit": level, "oral": level, "level_name": LEVEL_NAMES[major_level(level)],
        "descriptor": sublevel_descriptor(level),
        "written_rows": [(SKILL_LABELS_FR[s], level) for s in WRITTEN_SKILLS],
        "oral_rows": [(SKILL_LABELS_FR["listening"], level)]
        + [(CRITERION_LABELS_FR[c], level) for c in ORAL_CRITERIA],
        "certificate_number": None if i % 2 else f"CLOE-2026-EN-{i:06d}-ABCDE",
        "jury_date": "09/03/2026", "issued_on": "09/03/2026", "available_until": "09/03/2029",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    app = create_app(TestConfig(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    with app.test_request_context("/"):
        render_attestation(attestation_doc(0))  # warm-up: fonts, templates
        html_to_pdf(MINIMAL)
        full: list[float] = []
        tiny: list[float] = []
        size = 0
        for i in range(args.count):
            # Interleaved so that both see the same machine state.
            t0 = time.perf_counter()
            size += len(render_attestation(attestation_doc(i)))
            t1 = time.perf_counter()
            html_to_pdf(MINIMAL)
            t2 = time.perf_counter()
            full.append(t1 - t0)
            tiny.append(t2 - t1)
    mean_full, mean_tiny = statistics.fmean(full), statistics.fmean(tiny)
    print(f"attestations rendered : {args.count} ({size / args.count / 1024:.1f} KiB each)")
    print(f"attestation           : {mean_full * 1000:8.1f} ms/doc (median "
          f"{statistics.median(full) * 1000:.1f} ms, total {sum(full):.1f} s)")
    print(f"minimal one-line doc  : {mean_tiny * 1000:8.1f} ms/doc (median "
          f"{statistics.median(tiny) * 1000:.1f} ms)")
    print(f"ratio                 : {mean_full / mean_tiny:8.1f}×")


if __name__ == "__main__":
    main()
