"""Satzart 03: Kosten- und Erlassnachricht MB (Kostenrechnung), from the court (1.6).

L01 ``03KS   00``: ``KEZI`` 10–17, ``GNR1``–``GNR5`` 18–72 (one per defendant), ``ASGZ`` 73–107,
``ELD`` (Erlassdatum) 108–113, ``ASPBET`` 114–123. L02 ``03AUSGB00``: the costs
(:mod:`mahnwerk.court.costs`). L03/L04 ``03ZAW`` (how to pay) and L05 ``03RM`` (Rechtsmittel-
belehrung) are kept as they are (their positions are not all given).

Meaning: the Mahnbescheid was issued on ``ELD``; its costs are booked.

>>> ks = KS.render({"KEZI": "07774512", "GNR1": "26123456701", "ASGZ": "MW-00000001-97",
...     "ELD": date(2026, 3, 4), "ASPBET": Decimal("1250.00")})
>>> m = interpret([(ks, KS.parse(ks))])
>>> m.event, m.day, m.gnr
(<Event.MB_ISSUED: 'mb_issued'>, datetime.date(2026, 3, 4), '26123456701')
>>> m.text
'Mahnbescheid erlassen am 04.03.2026 (Geschäftsnummer 26123456701).'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mahnwerk.court import costs
from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtCharge, CourtMessage, plain_fields
from mahnwerk.domain.court import Event

SATZART = "03"
KS = Layout(
    "03KS   00",
    "L01 Kennsatz Kostennachricht MB",
    (
        Field("KEZI", 10, 8),
        *(Field(f"GNR{i}", 18 + (i - 1) * 11, 11) for i in range(1, 6)),
        Field("ASGZ", 73, 35),
        Field("ELD", 108, 6, "d", required=True),
        Field("ASPBET", 114, 10, "c"),
    ),
)
LAYOUTS = {KS.key: KS, costs.LAYOUT_03.key: costs.LAYOUT_03}
OPAQUE = ("03ZAW  01", "03ZAW  02", "03RM   00")


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    fields: dict[str, object] = {}
    charges: tuple[CourtCharge, ...] = ()
    for raw, values in records:
        if raw.startswith(costs.LAYOUT_03.key):
            charges = costs.charges(values, vb=False)
        fields.update(values)
    gnr = str(head["GNR1"] or "")
    day = head["ELD"]
    assert isinstance(day, date)
    total = sum((c.amount for c in charges), Decimal("0.00"))
    text = f"Mahnbescheid erlassen am {day:%d.%m.%Y} (Geschäftsnummer {gnr})."
    if charges:
        text = text[:-1] + f"; Kosten {total} € gebucht."
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        gnr,
        Event.MB_ISSUED,
        day,
        text,
        charges,
        details=plain_fields(fields),
        raw="\n".join(r for r, _ in records),
    )
