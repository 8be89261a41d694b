"""Satzart 20: Monierung, from the court (1.6; Satzart 20 is also the Monierungsantwort the
other way, which mahnwerk does not write).

G01 ``20KS   00``: ``TKEZI`` 10–17, ``ASGZ`` 18–52, ``GNR1``–``GNR5`` 53–107, ``MOD`` (day of
the Monierung) 108–113, ``AND`` (day of the monited application) 114–119, ``MOBELART``
120–121. G02 ``20MO   00`` per monited field: ``FSCHL`` 10–12 (error key; the key list was
not found), ``FELDN`` 13–32 (field name), ``INDEX1`` 33–34, ``INDEX2`` 35–36, ``MAS`` 37,
``MAZ`` 38, ``MAZPOS`` 39, ``FORM`` 40, ``INHALT`` 41–75.

Meaning: no change of state; a person corrects and answers.

>>> ks = KS.render({"ASGZ": "MW-00000001-97", "GNR1": "26123456701", "MOD": date(2026, 3, 5)})
>>> mo = MO.render({"FSCHL": "123", "FELDN": "PGPLZ", "INHALT": "70154"})
>>> m = interpret([(ks, KS.parse(ks)), (mo, MO.parse(mo))])
>>> m.event is None
True
>>> print(m.task)
Monierung vom 05.03.2026: Antrag berichtigen und beantworten (PGPLZ: Fehler 123, Inhalt „70154“)
"""

from __future__ import annotations

from datetime import date

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtMessage, plain_fields

SATZART = "20"
KS = Layout(
    "20KS   00",
    "G01 Kennsatz Monierung",
    (
        Field("TKEZI", 10, 8),
        Field("ASGZ", 18, 35),
        *(Field(f"GNR{i}", 53 + (i - 1) * 11, 11) for i in range(1, 6)),
        Field("MOD", 108, 6, "d"),
        Field("AND", 114, 6, "d"),
        Field("MOBELART", 120, 2),
    ),
)
MO = Layout(
    "20MO   00",
    "G02 moniertes Feld",
    (
        Field("FSCHL", 10, 3),
        Field("FELDN", 13, 20),
        Field("INDEX1", 33, 2),
        Field("INDEX2", 35, 2),
        Field("MAS", 37, 1),
        Field("MAZ", 38, 1),
        Field("MAZPOS", 39, 1),
        Field("FORM", 40, 1),
        Field("INHALT", 41, 35),
    ),
)
LAYOUTS = {KS.key: KS, MO.key: MO}
OPAQUE: tuple[str, ...] = ()


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    day = head["MOD"]
    fields = [
        f"{v['FELDN']}: Fehler {v['FSCHL']}" + (f", Inhalt „{v['INHALT']}“" if v["INHALT"] else "")
        for raw, v in records
        if raw.startswith(MO.key)
    ]
    when = f" vom {day:%d.%m.%Y}" if isinstance(day, date) else ""
    listed = f" ({'; '.join(fields)})" if fields else ""
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        str(head["GNR1"] or ""),
        None,
        day if isinstance(day, date) else None,
        f"Monierung des Gerichts{when}{listed}.",
        task=f"Monierung{when}: Antrag berichtigen und beantworten{listed}",
        details={
            **plain_fields(head),
            "fields": [plain_fields(v) for raw, v in records if raw.startswith(MO.key)],
        },
        raw="\n".join(r for r, _ in records),
    )
