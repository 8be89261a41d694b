"""The central Mahngerichte (court directory, ``reference/data/mahngerichte.csv``) and which
one is competent for an applicant (§ 689 Abs. 2 ZPO: the Amtsgericht of the applicant's
general place of jurisdiction, concentrated per Land under § 689 Abs. 3 ZPO; applicants
without a German seat: AG Wedding).

The applicant's Land must be given (``land`` in the creditor's court settings), or the court
named (``mahngericht``, its XJustiz id). It is not taken from the postcode alone: the postcode
regions do not follow the Länder borders (21335 Lüneburg is in Niedersachsen, the region "21"
mostly Hamburg), and a Mahnantrag at the wrong court is rejected, so the postcode's Land is
only offered as a hint. North Rhine-Westphalia has two Mahngerichte, split by OLG-Bezirk, and
no postcode table of the OLG-Bezirke is available: there the court must be named. A named
court always wins; an applicant seated abroad goes to AG Wedding.

In the records the court is addressed by postcode and town only (C01 ``MGPLZ``/``MGO``); the
**house** postcode is used where the court has one (1.8: "70154 Stuttgart" was monited).

>>> court, problem = mahngericht_for("21335", land="NI")
>>> court.name, court.record_postcode, court.record_city, problem
('Amtsgericht Uelzen', '29525', 'Uelzen', None)
>>> print(mahngericht_for("21335")[1])  # doctest: +ELLIPSIS
Bundesland des Mandanten fehlt (nach der Postleitzahl vermutlich HH: Amtsgericht Hamburg-Altona)...
>>> print(mahngericht_for("50667", land="NW")[1])  # doctest: +ELLIPSIS
Nordrhein-Westfalen hat zwei Mahngerichte (Hagen, Euskirchen, nach OLG-Bezirk): bitte...
>>> mahngericht_for("1010", country="AT")[0].id
'F1102'
>>> courts()["B2609"].record_postcode
'70190'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mahnwerk.domain.contact_rules import land_for_postcode
from mahnwerk.reference import read_rows

__all__ = ["Mahngericht", "courts", "mahngericht_for"]


@dataclass(frozen=True)
class Mahngericht:
    id: str  # XJustiz id (code list gds.gerichte)
    name: str
    laender: tuple[str, ...]
    abroad: bool
    postal_street: str
    postal_postcode: str
    postal_city: str
    house_street: str
    house_postcode: str
    house_city: str

    @property
    def record_postcode(self) -> str:
        return self.house_postcode or self.postal_postcode

    @property
    def record_city(self) -> str:
        return self.house_city or self.postal_city

    @property
    def land(self) -> str:
        """The Land of the court's seat (its public holidays end periods, § 222 ZPO)."""
        seats = {"W1101": "ST", "R3203": "NW", "R2602": "NW", "K1102": "HH", "T2213": "RP",
                 "F1102": "BE"}  # fmt: skip
        return seats.get(self.id, self.laender[0].split("-")[0])

    @property
    def short(self) -> str:
        return self.name.replace("Amtsgericht", "AG")


@cache
def courts() -> dict[str, Mahngericht]:
    """The directory by XJustiz id."""
    return {
        row["id"]: Mahngericht(
            id=row["id"],
            name=row["name"],
            laender=tuple(row["laender"].split()),
            abroad=bool(row["abroad"].strip()),
            postal_street=row["postal_street"],
            postal_postcode=row["postal_postcode"],
            postal_city=row["postal_city"],
            house_street=row["house_street"],
            house_postcode=row["house_postcode"],
            house_city=row["house_city"],
        )
        for row in read_rows("mahngerichte.csv")
    }


LAENDER = (
    "BW",
    "BY",
    "BE",
    "BB",
    "HB",
    "HH",
    "HE",
    "MV",
    "NI",
    "NW",
    "RP",
    "SL",
    "SN",
    "ST",
    "SH",
    "TH",
)


def _by_land(land: str) -> Mahngericht | None:
    for court in courts().values():
        if land in court.laender:
            return court
    return None


def mahngericht_for(
    postcode: str, country: str = "DE", named: str | None = None, land: str | None = None
) -> tuple[Mahngericht | None, str | None]:
    """The competent Mahngericht for an applicant seated at ``postcode`` / ``country`` in
    ``land``, or ``None`` and the reason (German). ``named`` (an XJustiz id) wins."""
    if named:
        court = courts().get(named.strip().upper())
        if court is None:
            return None, f"Mahngericht {named!r} ist nicht im Verzeichnis"
        return court, None
    if country.strip().upper() not in ("", "DE"):
        return next(c for c in courts().values() if c.abroad), None
    if not land:
        guess = land_for_postcode(postcode)
        hint = ""
        if guess is not None:
            court = _by_land(guess)
            hint = f" (nach der Postleitzahl vermutlich {guess}" + (
                f": {court.name})" if court is not None and guess != "NW" else ")"
            )
        return (
            None,
            f'Bundesland des Mandanten fehlt{hint}: bitte "land" oder "mahngericht" angeben',
        )
    code = land.strip().upper()
    if code not in LAENDER:
        return None, f"unbekanntes Bundesland {land!r} ({', '.join(LAENDER)})"
    if code == "NW":
        return None, (
            "Nordrhein-Westfalen hat zwei Mahngerichte (Hagen, Euskirchen, nach OLG-Bezirk): "
            'bitte "mahngericht" angeben'
        )
    return _by_land(code), None
