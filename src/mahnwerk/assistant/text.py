"""The normalisation every message gets before the model and the rules see it.

Lower case; umlauts and ß folded to their two-letter spellings (``ä`` → ``ae``), since
debtors write both; typographic quotes and dashes made plain; three or more repeated
letters cut to two (``biiiitte`` → ``biitte``); whitespace collapsed.

>>> normalize("  Mein VATER ist   verstörben!!!  ")
'mein vater ist verstoerben!!'
>>> normalize("Straße – „Grüße“")
'strasse - "gruesse"'
>>> fold("Müller")
'mueller'
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_PLAIN = str.maketrans(
    {
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "€": " € ",
    }
)
_REPEATS = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case with umlauts and ß spelled out."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def normalize(text: str) -> str:
    """The form the model and the rules read (see the module docstring)."""
    folded = fold(text).translate(_PLAIN)
    folded = _REPEATS.sub(r"\1\1", folded)
    return _SPACES.sub(" ", folded).strip()
