"""Satzart 22: Erlass-/Kostennachricht VB, from the court (1.6).

L01 ``22KS   00``: like 03's Kennsatz with one GNR: ``KEZI`` 10–17, ``GNR1`` 18–28, ``ASGZ``
73–107, ``ELD`` 108–113, ``ASPBET`` 114–123; L02 ``22AUSGB00`` the costs (same layout as 03).

Meaning: the Vollstreckungsbescheid was issued on ``ELD``; its costs are booked.

>>> ks = KS.render({"GNR1": "26123456701", "ASGZ": "MW-00000001-97", "ELD": date(2026, 4, 2)})
>>> interpret([(ks, KS.parse(ks))]).text
'Vollstreckungsbescheid erlassen am 02.04.2026 (Geschäftsnummer 26123456701).'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mahnwerk.court import costs
from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtCharge, CourtMessage, plain_fields
from mahnwerk.domain.court import Event

SATZART = "22"
KS = Layout(
    "22KS   00",
    "L01 Kennsatz Kostennachricht VB",
    (
        Field("KEZI", 10, 8),
        Field("GNR1", 18, 11),
        Field("ASGZ", 73, 35),
        Field("ELD", 108, 6, "d", required=True),
        Field("ASPBET", 114, 10, "c"),
    ),
)
LAYOUTS = {KS.key: KS, costs.LAYOUT_22.key: costs.LAYOUT_22}
OPAQUE: tuple[str, ...] = ()


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    fields: dict[str, object] = {}
    charges: tuple[CourtCharge, ...] = ()
    for raw, values in records:
        if raw.startswith(costs.LAYOUT_22.key):
            charges = costs.charges(values, vb=True)
        fields.update(values)
    gnr = str(head["GNR1"] or "")
    day = head["ELD"]
    assert isinstance(day, date)
    total = sum((c.amount for c in charges), Decimal("0.00"))
    text = f"Vollstreckungsbescheid erlassen am {day:%d.%m.%Y} (Geschäftsnummer {gnr})."
    if charges:
        text = text[:-1] + f"; Kosten {total} € gebucht."
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        gnr,
        Event.VB_ISSUED,
        day,
        text,
        charges,
        details=plain_fields(fields),
        raw="\n".join(r for r, _ in records),
    )
