"""Satzart 08: Antrag auf Erlass eines Vollstreckungsbescheids (format 4100), records E01–E11.

Positions from ``court-and-enforcement.md`` 1.5 (transcribed from JL-EDA
``EdaVollstreckungsbescheidLayouts.java``; pyeda-mahn has the same order and lengths):

- E01 ``KS`` Kennsatz (Stand 01.12.2008): the court's GNR and our reference ``ASGZ`` (30
  characters), the application date, ``VBZAM`` 1 = no payments / 2 = payments follow,
  ``VBZUM`` 1 = service by the court; postage and other costs blank, ``KOZIM`` blank (no
  § 104 ZPO interest on costs asked), ``ASPVAUSL`` blank (the flat rate Nr. 7002 VV RVG);
- E02 ``ZAHL`` payments 1–6 and E11 ``ZAHL2`` payments 7–12 (date + amount each), written only
  when there are payments.

The defendant records E03–E05 (a changed address) are not written: their positions are not
given in the reference, and without them the court serves to the address it holds.

>>> KS.field("ASGZ").label, KS.field("ASPVAUSL").label
('ASGZ (Pos. 29–58)', 'ASPVAUSL (Pos. 119–125)')
>>> [f.name for f in ZAHL.fields][:4]
['ZAD1', 'ZABET1', 'ZAD2', 'ZABET2']
"""

from __future__ import annotations

from datetime import date

from mahnwerk.court.application import VbApplication
from mahnwerk.court.fields import Field, Layout

__all__ = ["FORMAT", "LAYOUTS", "SATZART", "records"]

SATZART = "08"
FORMAT = "4100"

KS = Layout(
    "08KS   00",
    "E01 Kennsatz",
    (
        Field("TKEZI", 10, 8),
        Field("GNR", 18, 11, required=True),
        Field("ASGZ", 29, 30, required=True),
        Field("VBAND", 59, 6, "d", required=True),
        Field("VBZAM", 65, 1, "n", required=True),
        Field("VBZUM", 66, 1, "n", required=True),
        Field("VBPTBET", 67, 8, "c"),
        Field("VBSKOBET", 75, 8, "c"),
        Field("VBSKOBG", 83, 35),
        Field("KOZIM", 118, 1),
        Field("ASPVAUSL", 119, 7, "c"),
    ),
)


def _payments(key: str, name: str, first: int) -> Layout:
    fields: list[Field] = []
    for i in range(6):
        start = 10 + i * 16
        fields.append(Field(f"ZAD{first + i}", start, 6, "d"))
        fields.append(Field(f"ZABET{first + i}", start + 6, 10, "c"))
    return Layout(key, name, tuple(fields))


ZAHL = _payments("08ZAHL 00", "E02 Zahlungen 1–6", 1)
ZAHL2 = _payments("08ZAHL200", "E11 Zahlungen 7–12", 7)

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (KS, ZAHL, ZAHL2)}


def records(app: VbApplication, kennziffer: str, applied_on: date) -> list[str]:
    """The records of one VB application, applied for on ``applied_on``."""
    gnr = "".join(c for c in app.gnr if c.isdigit())
    out = [
        KS.render(
            {
                "TKEZI": kennziffer,
                "GNR": gnr,
                "ASGZ": app.reference,
                "VBAND": applied_on,
                "VBZAM": 2 if app.payments else 1,
                "VBZUM": 1 if app.service_by_court else 2,
            }
        )
    ]
    for layout, chunk in ((ZAHL, app.payments[:6]), (ZAHL2, app.payments[6:12])):
        if not chunk:
            continue
        values: dict[str, object] = {}
        offset = 1 if layout is ZAHL else 7
        for i, (day, amount) in enumerate(chunk):
            values[f"ZAD{offset + i}"] = day
            values[f"ZABET{offset + i}"] = amount
        out.append(layout.render(values))
    return out
