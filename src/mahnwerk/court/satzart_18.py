"""Satzart 18: Widerspruchsnachricht, from the court (1.6).

O01 ``18KS   00``: ``KEZI`` 10–17, ``GNR`` 18–28, ``ASGZ`` 29–63, ``AGGZ`` 64–98, ``WISTW``
(Streitwert) 99–109, ``PKH2`` 110–118, ``ZUAUSL`` 119–124, ``ASTRVM`` 125.
O02 ``18WIPG 00``: ``WIARTM`` 10 (Gesamt/Teil), ``WIANZ`` 11, ``WIBEGR`` 12, ``WIHFBET``
13–22 (contested main claim), ``WIZIM`` 23, ``WIZIARTM`` 24–25, ``WIZISA`` 26–30, ``WIVKOM``
31, ``WINEBBET`` 32–41, ``PGM`` 42, ``PGPLZ`` 43–47, ``PGO`` 48–77 (Prozessgericht), ``WIEFD``
78–83 (day the Widerspruch was received). Defendant, representative and Rechtsmittel records
O03–O08 are kept as they are. The paper copy is the decisive one (Konditionen 7.2).

Meaning: the debtor objected; a person decides on the contentious proceedings.

>>> ks = KS.render({"GNR": "26123456701", "ASGZ": "MW-00000001-97"})
>>> wi = WIPG.render({"WIEFD": date(2026, 3, 12), "PGM": 1, "PGPLZ": "80333", "PGO": "München"})
>>> m = interpret([(ks, KS.parse(ks)), (wi, WIPG.parse(wi))])
>>> m.event, m.day
(<Event.WIDERSPRUCH: 'widerspruch'>, datetime.date(2026, 3, 12))
>>> print(m.text)  # doctest: +ELLIPSIS
Widerspruch gegen den Mahnbescheid eingegangen am 12.03.2026; Streitgericht: Amtsgericht 80333...
"""

from __future__ import annotations

from datetime import date

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtMessage, plain_fields
from mahnwerk.domain.court import Event

SATZART = "18"
KS = Layout(
    "18KS   00",
    "O01 Kennsatz Widerspruchsnachricht",
    (
        Field("KEZI", 10, 8),
        Field("GNR", 18, 11),
        Field("ASGZ", 29, 35),
        Field("AGGZ", 64, 35),
        Field("WISTW", 99, 11, "c"),
        Field("PKH2", 110, 9),
        Field("ZUAUSL", 119, 6, "c"),
        Field("ASTRVM", 125, 1),
    ),
)
WIPG = Layout(
    "18WIPG 00",
    "O02 Widerspruch und Prozessgericht",
    (
        Field("WIARTM", 10, 1),
        Field("WIANZ", 11, 1),
        Field("WIBEGR", 12, 1),
        Field("WIHFBET", 13, 10, "c"),
        Field("WIZIM", 23, 1),
        Field("WIZIARTM", 24, 2),
        Field("WIZISA", 26, 5, "r"),
        Field("WIVKOM", 31, 1),
        Field("WINEBBET", 32, 10, "c"),
        Field("PGM", 42, 1, "n"),
        Field("PGPLZ", 43, 5),
        Field("PGO", 48, 30),
        Field("WIEFD", 78, 6, "d"),
    ),
)
LAYOUTS = {KS.key: KS, WIPG.key: WIPG}
OPAQUE = ("18AG   00", "18AGGV 01", "18AGGV 02", "18AGPV 01", "18AGPV 02", "18RM   00")
COURT_TYPES = {1: "Amtsgericht", 2: "Landgericht", 3: "Landgericht (Kammer für Handelssachen)"}


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    fields = {k: v for _, values in records for k, v in values.items()}
    day = fields.get("WIEFD")
    court = " ".join(
        str(p)
        for p in (
            COURT_TYPES.get(fields["PGM"], "") if isinstance(fields.get("PGM"), int) else "",  # type: ignore[call-overload]
            fields.get("PGPLZ"),
            fields.get("PGO"),
        )
        if p
    )
    when = f" am {day:%d.%m.%Y}" if isinstance(day, date) else ""
    text = f"Widerspruch gegen den Mahnbescheid eingegangen{when}" + (
        f"; Streitgericht: {court}." if court else "."
    )
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        str(head["GNR"] or ""),
        Event.WIDERSPRUCH,
        day if isinstance(day, date) else None,
        text,
        task="Widerspruch gegen den Mahnbescheid: über das streitige Verfahren entscheiden "
        "(Mandant fragen, Kosten nennen; Papiernachricht maßgeblich)",
        details=plain_fields(fields),
        raw="\n".join(r for r, _ in records),
    )
