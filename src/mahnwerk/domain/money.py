"""Money: ``Decimal`` amounts in euro and the one rounding rule of the project.

Every amount is a :class:`decimal.Decimal`; floats are refused. Rounding to the cent is
done in exactly one place, :func:`round_cents` (kaufmännische Rundung, half-up), which
matches § 2 Abs. 2 RVG and § 34 Abs. 2 GKG ("0,5 Cent aufgerundet") and the practice of
interest calculators.

>>> round_cents(Decimal("2.345"))
Decimal('2.35')
>>> round_cents(Decimal("-2.345"))
Decimal('-2.35')
>>> parse_amount("1250.5")
Decimal('1250.50')
>>> format_eur(Decimal("1234.5"))
'1.234,50 €'
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")


def round_cents(amount: Decimal) -> Decimal:
    """Round to the cent, half away from zero (the project's only rounding rule)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class AmountError(ValueError):
    """A text or number that is not an amount of money."""


def parse_amount(value: object) -> Decimal:
    """Read an amount given as a string with a decimal point, an int or a Decimal.

    Floats are refused because they cannot hold cents exactly; a decimal comma
    (``"12,50"``) is refused because in a machine format it is ambiguous.
    More than two decimals are refused: an amount of money has cents, not fractions of them.
    """
    if isinstance(value, bool | float):
        raise AmountError('Gleitkommazahl statt Betrag; bitte als Text wie "12.50" angeben')
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise AmountError(f"kein Betrag ({type(value).__name__})")
    if "," in text:
        raise AmountError(f'"{text}" hat ein Dezimalkomma; bitte mit Dezimalpunkt schreiben')
    if not _AMOUNT.match(text):
        raise AmountError(f'"{text}" ist kein Betrag')
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise AmountError(f'"{text}" ist kein Betrag') from exc
    if amount != amount.quantize(CENT):
        raise AmountError(f'"{text}" hat mehr als zwei Nachkommastellen')
    return amount.quantize(CENT)


def parse_rate(value: object) -> Decimal:
    """Read a percentage rate (e.g. ``"8.5"``); up to six decimals are kept."""
    if isinstance(value, bool | float):
        raise AmountError('Gleitkommazahl statt Zinssatz; bitte als Text wie "8.5" angeben')
    if isinstance(value, int):
        return Decimal(value)
    text = format(value, "f") if isinstance(value, Decimal) else str(value).strip()
    if "," in text:
        raise AmountError(f'"{text}" hat ein Dezimalkomma; bitte mit Dezimalpunkt schreiben')
    if not _AMOUNT.match(text):
        raise AmountError(f'"{text}" ist kein Zinssatz')
    return Decimal(text)


def format_amount(amount: Decimal) -> str:
    """Machine form: two decimals, decimal point (``"1234.50"``)."""
    return str(round_cents(amount))


def format_eur(amount: Decimal) -> str:
    """German form for people: ``1.234,50 €``."""
    text = f"{round_cents(amount):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " €"


def format_rate(rate: Decimal) -> str:
    """German form of a percentage: ``6,27 %``."""
    text = f"{rate.normalize():f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.ljust(2, "0")
    else:
        whole, frac = text, "00"
    return f"{whole},{frac} %"
