"""Name normalisation shared by the build, the loader and the query side.

The same function must be used everywhere: the database column `commune.nom_recherche` is filled
with it at load time and search queries are passed through it, so any change here requires a
reload of the geodata (`load_all(..., force=True)`).
"""

from __future__ import annotations

import re
import unicodedata

# Ligatures are not decomposed by NFKD, and French place names do use them (Œuilly, Lætitia).
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Abbreviations found in addresses and user input, expanded as whole words only so that
# "Stenay" or "Estaires" stay untouched.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def strip_accents(value: str) -> str:
    """Remove diacritics (é → e) while keeping base letters."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_name(value: str | None) -> str:
    """Return the comparison form of a place name.

    Lowercase, without accents, every run of punctuation, hyphens, apostrophes or spaces turned
    into a single space, `st`/`ste` expanded to `saint`/`sainte`, trimmed.
    `"ST-DENIS"`, `"Saint-Denis"` and `"st denis"` all give `"saint denis"`.
    """
    if not value:
        return ""
    lowered = strip_accents(value.lower().translate(_LIGATURES))
    words = _NON_ALNUM.sub(" ", lowered).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
