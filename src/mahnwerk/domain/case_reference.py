"""The agency's case number (Aktenzeichen) with check digits, so that a mistyped number on a
bank transfer is recognised rather than booked to the wrong case.

Format ``MW-`` + eight digits + ``-`` + two check digits (ISO 7064 MOD 97-10, as in IBANs).

>>> case_reference(123)
'MW-00000123-20'
>>> parse_case_reference("mw 00000123 20"), parse_case_reference("MW-00000123-21")
(123, None)
>>> find_case_references("Zahlung Az MW-00000123-20 und MW 00000124-17")
[123, 124]
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"MW[\s\-_./]*([0-9]{8})[\s\-_./]*([0-9]{2})", re.IGNORECASE)


def check_digits(number: int) -> str:
    return f"{98 - (number * 100) % 97:02d}"


def case_reference(number: int) -> str:
    if not 0 < number < 100_000_000:
        raise ValueError(f"case number {number} out of range")
    return f"MW-{number:08d}-{check_digits(number)}"


def parse_case_reference(text: str) -> int | None:
    """The case number if ``text`` is a well-formed reference with correct check digits."""
    match = _PATTERN.fullmatch(text.strip())
    return _checked(match) if match else None


def find_case_references(text: str) -> list[int]:
    """Every valid case number found in a free text (e.g. a remittance line)."""
    found = []
    for match in _PATTERN.finditer(text):
        number = _checked(match)
        if number is not None and number not in found:
            found.append(number)
    return found


def _checked(match: re.Match[str]) -> int | None:
    number = int(match.group(1))
    return number if number and check_digits(number) == match.group(2) else None
