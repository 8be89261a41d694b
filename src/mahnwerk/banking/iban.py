"""IBAN checks wherever an account enters the system (Kontoverbindung prüfen).

All checks come from schwifty, which bundles the IBAN registry and the Bundesbank's
Bankleitzahlendatei, so they work offline:

- the IBAN check digits (Prüfziffer, ISO 13616, mod 97),
- the country's length and BBAN format,
- for German IBANs: the bank code (Bankleitzahl) must be known, and the account number's
  national check digit (Prüfzifferberechnungsmethode of that bank) must be right.

:func:`validate_iban` returns a list of problems (German, for people); empty means valid.

>>> validate_iban("DE89 3704 0044 0532 0130 00")
[]
>>> validate_iban("DE00370400440532013000")
['Prüfziffer der IBAN stimmt nicht']
>>> validate_iban("DE44999999990532013000")
['Bankleitzahl 99999999 ist nicht bekannt']
>>> normalize_iban(" de89 3704-0044 0532 0130 00 ")
'DE89370400440532013000'
>>> bic_for("DE89370400440532013000")
'COBADEFFXXX'
>>> format_iban("DE89370400440532013000")
'DE89 3704 0044 0532 0130 00'
>>> mask_iban("DE89370400440532013000")
'DE89 **** **** **** **30 00'
"""

from __future__ import annotations

import re
import warnings

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)

_SEPARATORS = re.compile(r"[\s\-./]+")


def normalize_iban(text: str) -> str:
    """Upper case without blanks, dashes, dots or slashes (the electronic form)."""
    return _SEPARATORS.sub("", text or "").upper()


def validate_iban(text: str) -> list[str]:
    """Problems of an IBAN, in German; an empty list means it is valid.

    Checked: characters, country code, the country's length and format, the check digits,
    and for ``DE`` the Bankleitzahl (known in the Bundesbank file) and the account's
    national check digit by the bank's method.
    """
    value = normalize_iban(text)
    if not value:
        return ["IBAN fehlt"]
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", value):
        return [f"{value!r} ist keine IBAN (Form: Ländercode, zwei Prüfziffern, Kontonummer)"]
    try:
        iban = IBAN(value)
    except InvalidCountryCode:
        return [f"Ländercode {value[:2]} ist unbekannt oder hat keine IBAN"]
    except InvalidLength:
        return [f"Länge der IBAN stimmt nicht für {value[:2]} ({len(value)} Zeichen)"]
    except InvalidChecksumDigits:
        return ["Prüfziffer der IBAN stimmt nicht"]
    except InvalidStructure:
        return [f"Aufbau der Kontonummer passt nicht zum Format für {value[:2]}"]
    except SchwiftyException as exc:  # pragma: no cover - other schwifty checks
        return [f"IBAN ungültig: {exc}"]
    problems: list[str] = []
    if iban.country_code == "DE":
        if iban.bank is None:
            problems.append(f"Bankleitzahl {iban.bank_code} ist nicht bekannt")
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    iban.validate(validate_bban=True)
            except InvalidBBANChecksum:
                problems.append(
                    f"Kontonummer {iban.account_code} besteht die Prüfziffernrechnung der "
                    f"Bank {iban.bank_code} nicht"
                )
            except SchwiftyException as exc:  # pragma: no cover - defensive
                problems.append(f"Kontonummer ungültig: {exc}")
    return problems


def is_valid_iban(text: str) -> bool:
    return not validate_iban(text)


def bic_for(iban: str) -> str | None:
    """The BIC of the IBAN's bank from the offline registry, or ``None`` if unknown."""
    try:
        bic = IBAN(normalize_iban(iban)).bic
    except SchwiftyException:
        return None
    return str(bic) if bic is not None else None


def bank_name_for(iban: str) -> str | None:
    try:
        return IBAN(normalize_iban(iban)).bank_name
    except SchwiftyException:
        return None


def format_iban(iban: str) -> str:
    """Paper form in groups of four (DIN 5008)."""
    value = normalize_iban(iban)
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def mask_iban(iban: str) -> str:
    """The IBAN with all but country, check digits and the last four characters hidden."""
    value = normalize_iban(iban)
    if len(value) <= 8:
        return format_iban(value)
    masked = value[:4] + "*" * (len(value) - 8) + value[-4:]
    return format_iban(masked)


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits for a BBAN (ISO 7064 MOD 97-10); used by the generator.

    >>> iban_check_digits("DE", "370400440532013000")
    '89'
    """
    rearranged = (bban + country + "00").upper()
    number = int("".join(str(int(ch, 36)) for ch in rearranged))
    return f"{98 - number % 97:02d}"
