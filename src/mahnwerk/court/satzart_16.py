"""Satzart 16: Abgabenachricht, from the court (1.6): the case went to the Prozessgericht
(after a Widerspruch, or an Einspruch against the Vollstreckungsbescheid).

N01 ``16KS   00`` (UNVERIFIED, pyeda-mahn ``kezi_16_abn_parser.py`` only): ``GNR`` 18–28,
``ASGZ`` 29–63, ``ABD`` (day of the Abgabe) 64–69, ``PGM`` (court type) 79, ``PGPLZ`` 80–84,
``PGO`` 85–114. The defendant and representative records N02–N06 are kept as they are. The
paper copy is the decisive one (Konditionen 7.2): the message opens a task.

>>> ks = KS.render({"GNR": "26123456701", "ASGZ": "MW-00000001-97", "ABD": date(2026, 4, 9),
...     "PGM": 1, "PGPLZ": "80333", "PGO": "München"})
>>> interpret([(ks, KS.parse(ks))]).text
'An das Streitgericht abgegeben am 09.04.2026: Amtsgericht 80333 München.'
"""

from __future__ import annotations

from datetime import date

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtMessage, plain_fields
from mahnwerk.domain.court import Event

SATZART = "16"
KS = Layout(
    "16KS   00",
    "N01 Kennsatz Abgabenachricht",
    (
        Field("KEZI", 10, 8),
        Field("GNR", 18, 11),
        Field("ASGZ", 29, 35),
        Field("ABD", 64, 6, "d"),
        Field("PGM", 79, 1, "n"),
        Field("PGPLZ", 80, 5),
        Field("PGO", 85, 30),
    ),
)
LAYOUTS = {KS.key: KS}
OPAQUE = ("16AG   00", "16AGGV 01", "16AGGV 02", "16AGPV 01", "16AGPV 02")
COURT_TYPES = {1: "Amtsgericht", 2: "Landgericht", 3: "Landgericht (Kammer für Handelssachen)"}


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    day = head["ABD"]
    court = " ".join(
        str(p)
        for p in (COURT_TYPES.get(head["PGM"], "Gericht"), head["PGPLZ"], head["PGO"])  # type: ignore[call-overload]
        if p
    )
    when = f" am {day:%d.%m.%Y}" if isinstance(day, date) else ""
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        str(head["GNR"] or ""),
        Event.ABGABE,
        day if isinstance(day, date) else None,
        f"An das Streitgericht abgegeben{when}: {court}.",
        task=f"Abgabe an das Streitgericht ({court}): Anspruchsbegründung und Vertretung klären "
        "(Papiernachricht maßgeblich)",
        details=plain_fields({k: v for _, values in records for k, v in values.items()}),
        raw="\n".join(r for r, _ in records),
    )
