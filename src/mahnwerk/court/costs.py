"""The cost record shared by the Kosten- und Erlassnachricht MB (03 ``AUSGB``, L02) and the
Erlass-/Kostennachricht VB (22 ``AUSGB``, "Stand 01.08.2021"; same layout, 1.6), and the
charges it gives the case.

>>> record = LAYOUT_03.render({"GERGEB": Decimal("38.00"), "RAGEB": Decimal("93.00"),
...     "RAAUSL": Decimal("18.60"), "ZUAUSL": Decimal("0")})
>>> record[17:24], record[28:37]
('0003800', '000009300')
>>> [(c.code, c.amount) for c in charges(LAYOUT_03.parse(record), vb=False)]
[('KV 1100', Decimal('38.00')), ('VV 3305', Decimal('93.00')), ('VV 7002', Decimal('18.60'))]
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtCharge

__all__ = ["LAYOUT_03", "LAYOUT_22", "charges"]


def _layout(satzart: str, name: str) -> Layout:
    return Layout(
        f"{satzart}AUSGB00",
        name,
        (
            Field("ASAUSL", 10, 8, "c"),
            Field("GERGEB", 18, 7, "c"),
            Field("ZUAUSL", 25, 4, "c"),
            Field("RAGEB", 29, 9, "c"),
            Field("RAAUSL", 38, 7, "c"),
            Field("RAMWST", 45, 8, "c"),
            Field("AUSGZI", 53, 10, "c"),
            Field("NEBF", 63, 10, "c"),
        ),
    )


LAYOUT_03 = _layout("03", "L02 Kosten MB")
LAYOUT_22 = _layout("22", "L02 Kosten VB")


def charges(values: Mapping[str, object], *, vb: bool) -> tuple[CourtCharge, ...]:
    """The court's charges of the procedure, to be booked to the case (amounts > 0 only).
    The applicant's own Auslagen (``ASAUSL``), the computed interest and the Nebenforderungen
    were claimed in the application and are not new costs."""
    step = "Vollstreckungsbescheid" if vb else "Mahnbescheid"
    rows = (
        ("GERGEB", "GKG VB" if vb else "KV 1100", f"Gerichtskosten {step}"
         + ("" if vb else " (Nr. 1100 KV GKG)")),
        ("ZUAUSL", "KV 9002", f"Zustellungsauslagen {step} (Nr. 9002 KV GKG)"),
        ("RAGEB", "VV 3308" if vb else "VV 3305",
         f"Verfahrensgebühr {step} (Nr. {'3308' if vb else '3305'} VV RVG)"),
        ("RAAUSL", "VV 7002", f"Auslagenpauschale {step} (Nr. 7002 VV RVG)"),
        ("RAMWST", "VV 7008", f"Umsatzsteuer {step} (Nr. 7008 VV RVG)"),
    )  # fmt: skip
    out = []
    for name, code, label in rows:
        amount = values.get(name)
        if isinstance(amount, Decimal) and amount > 0:
            out.append(CourtCharge(code, label, amount))
    return tuple(out)
