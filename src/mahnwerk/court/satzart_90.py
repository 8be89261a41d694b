"""Satzart 90: Eingangsbestätigung / Quittung zur DFÜ, from the court (1.6).

P01 ``90QU   00``: ``TEXT`` 10–125, free text. The receipt carries **no** case reference: only
its file name (``ABC021QU.EDA`` for ``ABC021.EDA``) ties it to what was sent.

>>> qu = QU.render({"TEXT": "Datei ABC021 eingegangen, 12 Anträge"})
>>> interpret([(qu, QU.parse(qu))]).text
'Eingangsbestätigung des Gerichts: Datei ABC021 eingegangen, 12 Anträge'
"""

from __future__ import annotations

from mahnwerk.court.fields import Field, Layout
from mahnwerk.court.message import CourtMessage

SATZART = "90"
QU = Layout("90QU   00", "P01 Quittung", (Field("TEXT", 10, 116),))
LAYOUTS = {QU.key: QU}
OPAQUE: tuple[str, ...] = ()


def interpret(records: list[tuple[str, dict[str, object]]]) -> CourtMessage:
    text = " ".join(str(v["TEXT"]) for _, v in records if v.get("TEXT"))
    return CourtMessage(
        SATZART,
        "",
        "",
        None,
        None,
        f"Eingangsbestätigung des Gerichts: {text}".strip(),
        details={"text": text},
        raw="\n".join(r for r, _ in records),
    )
