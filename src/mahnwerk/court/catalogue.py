"""The Katalog der Anspruchsbezeichnungen (``reference/data/katalog.csv``) and the additions
some numbers require (2 of ``court-and-enforcement.md``; JL ``CatalogueAddition.java``).

A catalogued claim goes as C20 ``ASPK`` with its number; some numbers need more:

- 19, 20, 90: postcode and town of the flat or property (record C21 ``ASPZM``);
- 28: the contract type from the courts' closed list *Vertragsarten zu Katalog-Nr. 28*, in
  capitals and without the word "Vertrag" (record C22 ``ASPZV``). The list itself is not in
  the reference (j-lawyer bundles 278 entries); only the form is checked (UNVERIFIED);
- 36, 42, 61: account number, meter number or kind of Wahlleistung in ``ASPRNR`` instead of
  the invoice number;
- 70: the period from–to in the claim's own ``ASPVD``/``ASPBD``.

A claim without a catalogue number goes as "sonstiger Anspruch" (C23/C24) with a reasoning of
at most 163 characters that identifies it (invoice number and date, § 690 Abs. 1 Nr. 3 ZPO).

>>> entry(42)
'Versorgungsleistung – Strom, Wasser, Gas, Wärme –'
>>> entry(50) is None, addition_kind(19), addition_kind(11)
(True, 'property', None)
>>> addition_problems(28, "Kaufvertrag")
['Katalog-Nr. 28: Vertragsart in Großbuchstaben ohne das Wort „Vertrag“ (z. B. KAUF)']
>>> print(addition_problems(19, None)[0])  # doctest: +ELLIPSIS
Katalog-Nr. 19 (Miete für Wohnraum einschl. Nebenkosten) verlangt Postleitzahl und Ort...
>>> addition_problems(19, "21335 Lüneburg, Am Sande 4")
[]
"""

from __future__ import annotations

from functools import cache

from mahnwerk.reference import read_rows

__all__ = ["FREE_TEXT_MAX", "addition_kind", "addition_problems", "entries", "entry"]

#: C23 ``ASPSOBG1`` (93) + C24 ``ASPSOBG2`` (70).
FREE_TEXT_MAX = 163

_PROPERTY = frozenset({19, 20, 90})
_CONTRACT = frozenset({28})
_REFERENCE = {36: "Kontonummer", 42: "Abnehmer-/Zählernummer", 61: "Art der Wahlleistung"}
_PERIOD = frozenset({70})


@cache
def entries() -> dict[int, str]:
    """Catalogue number → designation (the unassigned ranges left out)."""
    return {
        int(row["nr"]): row["bezeichnung"]
        for row in read_rows("katalog.csv")
        if row["nr"].isdigit()
    }


def entry(nr: int) -> str | None:
    return entries().get(nr)


def addition_kind(nr: int) -> str | None:
    """``property`` (C21), ``contract`` (C22), ``reference`` (in ASPRNR), ``period`` or
    ``None``."""
    if nr in _PROPERTY:
        return "property"
    if nr in _CONTRACT:
        return "contract"
    if nr in _REFERENCE:
        return "reference"
    if nr in _PERIOD:
        return "period"
    return None


def addition_problems(nr: int, addition: str | None) -> list[str]:
    """What is wrong with catalogue number ``nr`` and its ``addition`` (German)."""
    name = entry(nr)
    if name is None:
        return [f"Katalog-Nr. {nr} gibt es nicht"]
    kind = addition_kind(nr)
    text = (addition or "").strip()
    if kind == "property":
        if not text:
            return [f"Katalog-Nr. {nr} ({name}) verlangt Postleitzahl und Ort der Wohnung"]
        postcode, _, city = text.partition(",")[0].strip().partition(" ")
        if not (len(postcode) == 5 and postcode.isdigit() and city.strip()):
            return [f"Katalog-Nr. {nr}: Angabe „PLZ Ort[, Straße]“ erwartet, nicht {text!r}"]
    if kind == "contract":
        if not text:
            return [f"Katalog-Nr. {nr} verlangt die Vertragsart (z. B. KAUF)"]
        if text != text.upper() or "VERTRAG" in text:
            return [
                f"Katalog-Nr. {nr}: Vertragsart in Großbuchstaben ohne das Wort „Vertrag“ "
                "(z. B. KAUF)"
            ]
    if kind == "reference" and not text:
        return [f"Katalog-Nr. {nr} verlangt die Angabe „{_REFERENCE[nr]}“"]
    if kind == "period" and not text:
        return [f"Katalog-Nr. {nr} verlangt den Zeitraum von–bis"]
    return []


def reference_label(nr: int) -> str | None:
    """What goes into ``ASPRNR`` instead of the invoice number, for 36, 42 and 61."""
    return _REFERENCE.get(nr)
