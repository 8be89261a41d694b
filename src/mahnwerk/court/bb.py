"""BB, the Dateinachsatz (file trailer) with the counts and checksums (1.2, "Stand
01.12.2008"; confirmed on JL-REF; pyeda-mahn's ``notice_trailer.py`` has the same layout, its
MB trailer ``bb_satz.py`` a wrong one).

- ``ANTANZ``: applications (Kennsätze) or messages in the file;
- ``SANZ``: body records, AA and BB not counted;
- ``SKATNR``: the sum of all catalogue numbers (0 for a free-text claim);
- ``SUASP``: the sum of the main claims in cents (catalogued and free text; no interest, no
  Nebenforderungen);
- ``SUGNR``: 0 for Mahnbescheid applications; for follow-up applications the sum of
  positions 3–9 of each 11-digit GNR (UNVERIFIED: pyeda-mahn only);
- ``ASPANZ``: the number of main claims.

>>> t = Trailer("07774512", applications=2, records=11, catalogue_sum=53, claims_cents=190050,
...     gnr_sum=0, claims=3)
>>> record = render(t)
>>> record[:67]
'BB07774512000000200000110000053000000001900500000000000000000000003'
>>> parse(record) == t
True
>>> gnr_checksum(["26-1234567-0-1"]), gnr_checksum(["26123456701", "26000000102"])
(1234567, 1234568)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mahnwerk.court.fields import Field, Layout

__all__ = ["LAYOUT", "Trailer", "gnr_checksum", "parse", "render", "validate"]

LAYOUT = Layout(
    "BB",
    "BB Dateinachsatz",
    (
        Field("TKEZI", 3, 8, required=True),
        Field("ANTANZ", 11, 7, "n", required=True),
        Field("SANZ", 18, 7, "n", required=True),
        Field("SKATNR", 25, 7, "n", required=True),
        Field("SUASP", 32, 14, "n", required=True),
        Field("SUGNR", 46, 15, "n", required=True),
        Field("ASPANZ", 61, 7, "n", required=True),
    ),
)


@dataclass(frozen=True)
class Trailer:
    kennziffer: str
    applications: int
    records: int
    catalogue_sum: int = 0
    claims_cents: int = 0
    gnr_sum: int = 0
    claims: int = 0


def _values(t: Trailer) -> dict[str, object]:
    return {
        "TKEZI": t.kennziffer,
        "ANTANZ": t.applications,
        "SANZ": t.records,
        "SKATNR": t.catalogue_sum,
        "SUASP": t.claims_cents,
        "SUGNR": t.gnr_sum,
        "ASPANZ": t.claims,
    }


def gnr_checksum(gnrs: Iterable[str]) -> int:
    """SUGNR of follow-up applications: the sum of positions 3–9 of each GNR, its 11 digits
    taken without separators. UNVERIFIED (pyeda-mahn only, 1.2)."""
    total = 0
    for gnr in gnrs:
        digits = "".join(c for c in gnr if c.isdigit())
        if len(digits) != 11:
            raise ValueError(f"GNR {gnr!r} hat nicht 11 Ziffern")
        total += int(digits[2:9])
    return total


def validate(t: Trailer) -> list[str]:
    return LAYOUT.validate(_values(t))


def render(t: Trailer) -> str:
    return LAYOUT.render(_values(t))


def parse(record: str) -> Trailer:
    v = LAYOUT.parse(record)
    return Trailer(
        kennziffer=str(v["TKEZI"]),
        applications=int(v["ANTANZ"]),  # type: ignore[call-overload]
        records=int(v["SANZ"]),  # type: ignore[call-overload]
        catalogue_sum=int(v["SKATNR"]),  # type: ignore[call-overload]
        claims_cents=int(v["SUASP"]),  # type: ignore[call-overload]
        gnr_sum=int(v["SUGNR"]),  # type: ignore[call-overload]
        claims=int(v["ASPANZ"]),  # type: ignore[call-overload]
    )
