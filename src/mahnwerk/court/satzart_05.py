"""Satzart 05: Zustellungs-/Nichtzustellungsnachricht for the Mahnbescheid **and** the
Vollstreckungsbescheid, from the court (1.6).

M01 ``05KS   00``: ``KEZI`` 10–17, ``GNR`` 18–28, ``ASGZ`` 29–63, ``NAM`` 64–65, ``ZUD``
(Zustelldatum) 66–71. ``NAM``: 05 = MB served, 06 = MB not served, 08 = VB served, 09 = VB not
served. The defendant records M02–M05 and the reasons for non-service M06/M07 (``05NZUG``) are
kept as they are; the reason's text is shown to the person who researches the address.

>>> ks = KS.render({"GNR": "26123456701", "ASGZ": "MW-00000001-97", "NAM": 5,
...     "ZUD": date(2026, 3, 6)})
>>> m = interpret([(ks, KS.parse(ks))])
>>> m.event, m.day
(<Event.MB_SERVED: 'mb_served'>, datetime.date(2026, 3, 6))
>>> print(m.text)  # doctest: +ELLIPSIS
Mahnbescheid zugestellt am 06.03.2026: die Widerspruchsfrist von zwei Wochen und die ...
"""

from __future__ import annotations

from datetime import date

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtMessage, plain_fields
from mahnwerk.domain.court import Event

SATZART = "05"
KS = Layout(
    "05KS   00",
    "M01 Kennsatz Zustellungsnachricht",
    (
        Field("KEZI", 10, 8),
        Field("GNR", 18, 11),
        Field("ASGZ", 29, 35),
        Field("NAM", 64, 2, "n", required=True),
        Field("ZUD", 66, 6, "d"),
    ),
)
LAYOUTS = {KS.key: KS}
OPAQUE = ("05AG   01", "05AG   02", "05AG   03", "05AGGV 00", "05NZUG 01", "05NZUG 02")

_MEANING = {
    5: (Event.MB_SERVED, "Mahnbescheid zugestellt"),
    6: (Event.MB_NOT_SERVED, "Mahnbescheid nicht zustellbar"),
    8: (Event.VB_SERVED, "Vollstreckungsbescheid zugestellt"),
    9: (Event.VB_NOT_SERVED, "Vollstreckungsbescheid nicht zustellbar"),
}


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    head = records[0][1]
    nam = head["NAM"]
    if nam not in _MEANING:
        raise ValueError(f"NAM (Pos. 64–65): unbekannte Nachrichtenart {nam!r} (05, 06, 08, 09)")
    event, what = _MEANING[int(str(nam))]
    day = head["ZUD"]
    reason = " ".join(raw[9:].strip() for raw, _ in records if raw.startswith("05NZUG")).strip()
    fields = {k: v for _, values in records for k, v in values.items()}
    task = ""
    if event is Event.MB_SERVED:
        text = (
            f"{what} am {day:%d.%m.%Y}: die Widerspruchsfrist von zwei Wochen und die "
            "Sechsmonatsfrist des § 701 ZPO laufen."
        )
    elif event is Event.VB_SERVED:
        text = f"{what} am {day:%d.%m.%Y}: die Einspruchsfrist von zwei Wochen läuft; tituliert."
    else:
        when = f" (Nachricht vom {day:%d.%m.%Y})" if isinstance(day, date) else ""
        text = f"{what}{when}." + (f" Grund laut Gericht: {reason}." if reason else "")
        task = f"{what}: Anschrift ermitteln und neue Zustellung beantragen" + (
            f" (Grund laut Gericht: {reason})" if reason else ""
        )
    if event in (Event.MB_SERVED, Event.VB_SERVED) and not isinstance(day, date):
        raise ValueError("ZUD (Pos. 66–71): Zustelldatum fehlt")
    return CourtMessage(
        SATZART,
        str(head["ASGZ"]),
        str(head["GNR"] or ""),
        event,
        day if isinstance(day, date) else None,
        text,
        task=task,
        details=plain_fields(fields) | ({"reason": reason} if reason else {}),
        raw="\n".join(r for r, _ in records),
    )
