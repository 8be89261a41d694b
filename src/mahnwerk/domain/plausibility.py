"""Plausibility of what a creditor hands over (imports and the API): the checks that keep an
implausible or deceptive claim out of the books.

- A claim's amount must be above 0 and at most the creditor's ceiling (``max_claim`` in the
  creditor's settings; default :data:`DEFAULT_MAX_CLAIM`, 1,000,000 €): a larger amount is
  far more often a typing or unit error (cents as euros) than a real consumer claim, and
  would start letters, fees and a court step over it.
- Default (``default_from``) cannot begin in the future: interest and steps would run from
  a day that has not come.
- Names and other text: zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are invisible
  and only split words or identities; they are removed. Characters that override the
  direction of text (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) can make a name
  or reference read differently from what is stored (“Trojan Source”); text with them is
  refused.

>>> clean_text("Mül\\u200bler")
'Müller'
>>> text_problem("Anna \\u202eredleM")
'enthält Steuerzeichen für die Schreibrichtung (U+202E)'
>>> claim_problems(Decimal("0"), date(2026, 1, 1), today=date(2026, 2, 1))
['Betrag ist 0']
>>> for p in claim_problems(Decimal("1000000.01"), date(2026, 3, 1), today=date(2026, 2, 1)):
...     print(p)
Betrag 1.000.000,01 € liegt über der Obergrenze 1.000.000,00 €
Verzugsbeginn 01.03.2026 liegt in der Zukunft
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from mahnwerk.domain.money import format_eur

DEFAULT_MAX_CLAIM = Decimal("1000000.00")

INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: either kind, for a quick test of a whole row
SUSPECT = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """``text`` without zero-width characters."""
    return INVISIBLE.sub("", text)


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused (direction overrides), or ``None``."""
    found = BIDI.search(text)
    if found is None:
        return None
    return f"enthält Steuerzeichen für die Schreibrichtung (U+{ord(found.group()):04X})"


def claim_problems(
    amount: Decimal,
    default_from: date | None,
    *,
    today: date,
    ceiling: Decimal = DEFAULT_MAX_CLAIM,
) -> list[str]:
    problems = []
    if amount <= 0:
        problems.append("Betrag ist 0" if amount == 0 else "Betrag ist negativ")
    elif amount > ceiling:
        problems.append(
            f"Betrag {format_eur(amount)} liegt über der Obergrenze {format_eur(ceiling)}"
        )
    if default_from is not None and default_from > today:
        problems.append(f"Verzugsbeginn {default_from:%d.%m.%Y} liegt in der Zukunft")
    return problems


def ceiling_of(settings: dict[str, object] | None) -> Decimal:
    """The creditor's ceiling from its settings (``max_claim``), else the default."""
    value = (settings or {}).get("max_claim")
    if value in (None, ""):
        return DEFAULT_MAX_CLAIM
    return Decimal(str(value))
