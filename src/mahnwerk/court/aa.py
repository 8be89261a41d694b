"""AA, the Dateivorsatz (file header) of every EDA file (1.2, "Stand 07.02.2013").

Positions confirmed on the Online-Mahnantrag's own files (JL-REF); pyeda-mahn's AA layout
(12-character EDAID, 35-character SWN) is wrong and not used.

>>> from datetime import date
>>> h = FileHeader("07774512", date(2026, 3, 2), "01", "4000", "ABC021", "mahnwerk", "0.1.0")
>>> record = render(h)
>>> record[:36]
'AA0777451226030201        4000ABC021'
>>> record[55:75].rstrip(), len(record)
('mahnwerk', 128)
>>> parse(record) == h
True
>>> validate(FileHeader("07774512", date(2026, 3, 2), "01", "4000", "abc21"))
["EDAID 'abc21': sechs Zeichen, Großbuchstaben oder Ziffern"]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mahnwerk.court.fields import Field, Layout

__all__ = ["LAYOUT", "FileHeader", "parse", "render", "validate"]

LAYOUT = Layout(
    "AA",
    "AA Dateivorsatz",
    (
        Field("TKEZI", 3, 8, required=True),
        Field("DATUM", 11, 6, "d", required=True),
        Field("BELART", 17, 2, required=True),
        Field("EKEZI", 19, 8),
        Field("FORMAT", 27, 4, required=True),
        Field("EDAID", 31, 6, required=True),
        Field("SWN", 56, 20),
        Field("SWV", 76, 10),
    ),
)


@dataclass(frozen=True)
class FileHeader:
    kennziffer: str  # TKEZI
    day: date  # DATUM
    satzart: str  # BELART
    format: str  # FORMAT: 4000 (MB, 20, 25, 29) or 4100 (VB, 07, 10, 30)
    edaid: str  # file name without .EDA
    software: str = ""  # SWN
    version: str = ""  # SWV
    einreicher: str = ""  # EKEZI


def _values(h: FileHeader) -> dict[str, object]:
    return {
        "TKEZI": h.kennziffer,
        "DATUM": h.day,
        "BELART": h.satzart,
        "EKEZI": h.einreicher,
        "FORMAT": h.format,
        "EDAID": h.edaid,
        "SWN": h.software,
        "SWV": h.version,
    }


def _edaid_ok(edaid: str) -> bool:
    return len(edaid) == 6 and edaid.isascii() and all(c.isdigit() or c.isupper() for c in edaid)


def validate(h: FileHeader) -> list[str]:
    """Every problem of the header (German)."""
    problems = LAYOUT.validate(_values(h))
    if not _edaid_ok(h.edaid):
        problems.append(f"EDAID {h.edaid!r}: sechs Zeichen, Großbuchstaben oder Ziffern")
    return problems


def render(h: FileHeader) -> str:
    return LAYOUT.render(_values(h))


def parse(record: str) -> FileHeader:
    values = LAYOUT.parse(record)
    return FileHeader(
        kennziffer=str(values["TKEZI"]),
        day=values["DATUM"],  # type: ignore[arg-type]
        satzart=str(values["BELART"]),
        format=str(values["FORMAT"]),
        edaid=str(values["EDAID"]),
        software=str(values["SWN"]),
        version=str(values["SWV"]),
        einreicher=str(values["EKEZI"]),
    )
