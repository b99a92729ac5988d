"""Time parse_edof on a 100 000-row extract against a bare csv.reader pass over the same bytes.

Run: ``.venv/bin/python benchmarks/edof_import.py [rows] [runs]``.
Both timings include decoding the bytes, so the ratio is the cost of our checks.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cloe_portal.rules.edof import parse_edof  # noqa: E402

HEADER = (
    "NUMERO_DOSSIER;NOM;PRENOM;MONTANT;INTITULE;REF_REPEATITOIRE;CODE_CERTIF/THEM;"
    "INTITULE_CERTIF;STATUT_DOSSIER;ABONDEMENT_PE;DATE_DEBUT_SESSION;DATE_FIN_SESSION;"
    "NUMERO_FORMATION;NUMERO_ACTION;NUMERO_SESSION"
)
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "Bégué",
]
FIRST_NAMES = [
    "Zoé",
    "Léa",
    "Chloé",
    "Hélène",
    "Jérôme",
    "François",
    "Anaïs",
    "Gaëlle",
    "Noël",
    "Inès",
    "Lucas",
    "Hugo",
    "Emma",
    "Louis",
    "Camille",
    "Maëlys",
]
TITLES = [
    "Anglais professionnel – préparation CLOE",
    "Espagnol des affaires (CLOE)",
    "Allemand : communication en entreprise",
    "Français langue étrangère – CLOE",
    "Italien pour l'hôtellerie-restauration",
]
STATUSES = [
    "Service fait validé",
    "Service fait déclaré",
    "En formation",
    "Accepté",
    "Annulé par le titulaire",
]


def make_extract(rows: int, encoding: str, seed: int = 7) -> bytes:
    """Build a realistic EDOF CSV export with ``rows`` files."""
    rng = random.Random(seed)
    lines = [HEADER]
    base = date(2025, 1, 1)
    for index in range(rows):
        start = base + timedelta(days=rng.randrange(500))
        end = start + timedelta(days=rng.randrange(7, 120))
        cents = rng.randrange(40_000, 300_000)
        amount = f"{cents // 100:,}".replace(",", " ") + f",{cents % 100:02d}"
        lines.append(
            ";".join(
                (
                    str(100_000_000_000 + index),
                    rng.choice(LAST_NAMES),
                    rng.choice(FIRST_NAMES),
                    amount,
                    rng.choice(TITLES),
                    "RS",
                    "RS5427",
                    "Certification CLOE",
                    rng.choice(STATUSES),
                    "0,00" if rng.random() < 0.9 else "150,00",
                    start.strftime("%d/%m/%Y"),
                    end.strftime("%d/%m/%Y"),
                    f"FOR-{rng.randrange(1, 40)}",
                    f"ACT-{rng.randrange(1, 80)}",
                    f"SES-{rng.randrange(1, 400)}",
                )
            )
        )
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    return data


def bare_csv(data: bytes, encoding: str) -> int:
    """Decode and split the bytes with csv.reader, nothing else."""
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=";")
    return sum(1 for _ in reader)


def median_time(func: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    """Print parse_edof vs csv.reader timings for UTF-8 and Windows-1252 extracts."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"EDOF extract, {rows} rows, median of {runs} runs")
    for label, encoding, decode_as in (
        ("UTF-8 (BOM)", "utf-8-sig", "utf-8-sig"),
        ("UTF-8", "utf-8", "utf-8"),
        ("Windows-1252", "cp1252", "cp1252"),
    ):
        data = make_extract(rows, encoding)
        parsed = parse_edof(data, "extrait.csv")
        assert len(parsed.rows) == rows, len(parsed.rows)
        t_parse = median_time(lambda data=data: parse_edof(data, "extrait.csv"), runs)
        t_csv = median_time(lambda data=data, enc=decode_as: bare_csv(data, enc), runs)
        print(
            f"  {label:<13} {len(data) / 1e6:6.1f} MB  parse_edof {t_parse:6.3f} s  "
            f"csv.reader {t_csv:6.3f} s  ratio {t_parse / t_csv:5.1f}x  "
            f"({rows / t_parse:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
