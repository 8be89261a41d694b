"""Recognising one person across creditors (Schuldneridentität).

A debtor handed over by two creditors is the same person when the normalised name and the
birth date agree; without a birth date, the normalised name and the address (street and
postcode) must agree. Companies are matched by normalised company name and postcode.
Normalising folds case, umlauts (ä → ae, ß → ss), accents, punctuation, academic titles and
word order, so that "Dr. Müller, Jürgen" and "Juergen Mueller" are one name.

>>> normalize_name("Dr. Müller-Lüdenscheidt, Jürgen")
'juergen luedenscheidt mueller'
>>> identity_key(last_name="Müller", first_name="Jürgen", birth_date=date(1980, 5, 17)) == \\
...     identity_key(last_name="MUELLER", first_name="juergen ", birth_date=date(1980, 5, 17))
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_TITLES = {"dr", "prof", "med", "dipl", "ing", "herr", "frau", "von", "van", "der", "zu"}
_COMPANY_FORMS = {"gmbh", "ag", "kg", "ohg", "ug", "haftungsbeschraenkt", "co", "ev", "mbh", "se"}


def fold(text: str) -> str:
    """Lower case, German umlauts spelled out, other accents removed."""
    text = text.lower().translate(_FOLD)
    if text.isascii():  # most names: nothing left to decompose
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_STREET = re.compile(r"str(asse|\.)?(?=\s|\d|$)")


def _tokens(text: str) -> list[str]:
    folded = fold(text)
    if folded.isascii() and folded.isalnum():  # one plain word, as most names are
        return [folded]
    return [t for t in _NOT_ALNUM.split(folded) if t]


def normalize_name(*parts: str | None) -> str:
    """Name tokens without titles, sorted, so that word order does not matter."""
    tokens = {t for p in parts if p for t in _tokens(p) if t not in _TITLES}
    return " ".join(sorted(tokens))


def normalize_company(name: str) -> str:
    return " ".join(t for t in _tokens(name) if t not in _COMPANY_FORMS)


def normalize_street(street: str) -> str:
    text = _STREET.sub("str ", fold(street))
    return " ".join(_tokens(text))


def identity_key(
    *,
    last_name: str | None = None,
    first_name: str | None = None,
    company: str | None = None,
    birth_date: date | None = None,
    street: str | None = None,
    postcode: str | None = None,
) -> str:
    """A stable hash naming one person or company; equal keys mean the same debtor."""
    if company and not last_name:
        basis = f"legal|{normalize_company(company)}|{(postcode or '').strip()}"
    elif birth_date is not None:
        basis = f"natural|{normalize_name(first_name, last_name)}|{birth_date.isoformat()}"
    else:
        basis = (
            f"natural|{normalize_name(first_name, last_name)}|"
            f"{normalize_street(street or '')}|{(postcode or '').strip()}"
        )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()
