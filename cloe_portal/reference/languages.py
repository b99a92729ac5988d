"""The five languages CLOE assesses, keyed by ISO 639-1 code, with their French names."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "en": "Anglais",
    "fr": "Français langue étrangère (FLE)",
    "de": "Allemand",
    "es": "Espagnol",
    "it": "Italien",
}


def language_name(code: str) -> str:
    """Return the French name of a language code; raise KeyError if it is not assessed."""
    return LANGUAGES[code]
