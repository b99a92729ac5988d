#!/usr/bin/env python3
"""Generate the listening audio of an item bank (espeak-ng + ffmpeg, Opus in Ogg).

Usage::

    python scripts/make_item_audio.py [--force] [lang ...]

For every ``listening`` item (any pool) of ``cloe_portal/itembank/content/<lang>.json``
whose ``content.audio`` file is missing under ``cloe_portal/itembank/audio/``, the
transcript is spoken by ``espeak-ng`` into a temporary WAV file which ``ffmpeg``
encodes to mono Ogg/Opus at a low bit rate.  ``--force`` regenerates existing files.
Without a language argument every ``content/*.json`` bank is processed.

The generated files are committed: running the portal needs no speech engine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "cloe_portal" / "itembank" / "content"
AUDIO_DIR = ROOT / "cloe_portal" / "itembank" / "audio"

VOICES = {"en": "en-gb", "fr": "fr-fr", "de": "de", "es": "es", "it": "it"}
BITRATE = "20k"
SAMPLE_RATE = "16000"


def speed_for(difficulty: int) -> int:
    """espeak-ng words per minute: slower for easy items (default speed is 175)."""
    if difficulty < 23:  # A0-A1
        return 125
    if difficulty < 40:  # A2
        return 140
    if difficulty < 54:  # B1
        return 150
    if difficulty < 70:  # B2
        return 160
    return 170  # C1-C2


def clean_text(text: str) -> str:
    """Plain text for espeak-ng (no SSML); collapse whitespace."""
    return " ".join(text.split())


def make_one(transcript: str, voice: str, speed: int, out: Path) -> None:
    espeak, ffmpeg = shutil.which("espeak-ng"), shutil.which("ffmpeg")
    if espeak is None or ffmpeg is None:
        raise RuntimeError("espeak-ng and ffmpeg are required")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        txt = Path(tmp) / "speech.txt"
        txt.write_text(clean_text(transcript), encoding="utf-8")
        subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [espeak, "-v", voice, "-s", str(speed), "-g", "4", "-f", str(txt), "-w", str(wav)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        tmp_out = Path(tmp) / out.name
        subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                ffmpeg,
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(wav),
                "-ac",
                "1",
                "-ar",
                SAMPLE_RATE,
                "-c:a",
                "libopus",
                "-b:a",
                BITRATE,
                "-flags:a",
                "+bitexact",
                "-map_metadata",
                "-1",
                "-application",
                "voip",
                "-fflags",
                "+bitexact",
                str(tmp_out),
            ],
            check=True,
        )
        shutil.move(str(tmp_out), out)


def process(lang: str, force: bool) -> tuple[int, int, int]:
    """Return (files made, files skipped, bytes of the files made)."""
    path = CONTENT_DIR / f"{lang}.json"
    bank = json.loads(path.read_text(encoding="utf-8"))
    voice = VOICES.get(lang, lang)
    made = skipped = size = 0
    for item in bank["items"]:
        if item.get("type") != "listening":
            continue
        content = item["content"]
        out = AUDIO_DIR / content["audio"]
        if out.exists() and not force:
            skipped += 1
            continue
        make_one(content["transcript"], voice, speed_for(int(item.get("difficulty", 50))), out)
        made += 1
        size += out.stat().st_size
        print(f"  {out.name}", flush=True)
    return made, skipped, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("langs", nargs="*", help="language codes (default: every bank)")
    parser.add_argument("--force", action="store_true", help="regenerate existing files")
    args = parser.parse_args(argv)
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (apt-get install {tool})", file=sys.stderr)
            return 2
    langs = args.langs or sorted(p.stem for p in CONTENT_DIR.glob("*.json"))
    AUDIO_DIR.mkdir(parents=True, exist_ok=True)
    total_made = total_size = 0
    for lang in langs:
        if not (CONTENT_DIR / f"{lang}.json").exists():
            print(f"{lang}: no bank file, skipped", file=sys.stderr)
            continue
        made, skipped, size = process(lang, args.force)
        total_made += made
        total_size += size
        all_size = sum(p.stat().st_size for p in AUDIO_DIR.glob(f"{lang}-*.ogg"))
        print(
            f"{lang}: {made} file(s) made ({size / 1024:.0f} KiB), {skipped} already present; "
            f"{lang}-*.ogg total {all_size / 1024:.0f} KiB"
        )
    print(f"total: {total_made} file(s) made, {total_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
