"""Satzart 01: Antrag auf Erlass eines Mahnbescheids (format 4000), records C01–C34.

Positions from ``court-and-enforcement.md`` 1.4 (confirmed on the Online-Mahnantrag's own
files unless marked). mahnwerk writes the records whose positions are known:

- C01 ``KS`` Kennsatz; C02–C04 ``AS`` applicant (``AS 02`` only when the designation needs
  name parts 3 and 4); C05 ``ASGV 01`` its gesetzliche Vertreter (function + name; the address
  record C06 is needed only for a represented natural person, a party kraft Amtes or a WEG,
  which mahnwerk does not file);
- no C07–C09: the agency's PV-Kennziffer (``PVKEZI``) closes them; C10 ``ASPVA`` with the
  agency's own reference and the mandate date (pos. 10–50; the amounts after it are left
  blank: a blank ``IKUBET`` asks for the statutory fee, and their positions are not all
  known);
- C13–C16 ``AG`` defendant with the Streitgericht (C16), C17 ``AGGV 01`` representatives;
- C19 ``ZIAUS`` computed interest (once, before the first claim);
- per claim C20 ``ASPK`` or C23/C24 ``ASPS`` (C24 only when the reasoning needs more than 93
  characters), C21 ``ASPZM`` / C22 ``ASPZV`` where the catalogue number requires them, then
  one C26 ``ZINS`` per interest line;
- Nebenforderungen C28 ``AUSL``, C29 ``MAHNK``, C33 ``VV23`` (the three whose positions are
  confirmed), in this order.

No empty record is written (the trailer counts every record).

>>> KS.field("TGZ").start, KS.field("MGPLZ").start, KS.field("ASTRVM").start
(10, 61, 115)
>>> ASPK.field("ASPBET").label
'ASPBET (Pos. 104–113)'
"""

from __future__ import annotations

from collections.abc import Iterator

from mahnwerk.court import catalogue
from mahnwerk.court.application import Application, InterestLine, MainClaim, Party
from mahnwerk.court.fields import Field, Layout

__all__ = ["FORMAT", "LAYOUTS", "SATZART", "records"]

SATZART = "01"
FORMAT = "4000"

KS = Layout(
    "01KS   00",
    "C01 Kennsatz",
    (
        Field("TGZ", 10, 35, required=True),
        Field("ASKEZI", 45, 8),
        Field("PVKEZI", 53, 8),
        Field("MGPLZ", 61, 5, required=True),
        Field("MGO", 66, 30, required=True),
        Field("MGGNR", 96, 11),
        Field("SWUM", 107, 1),
        Field("AGGMM", 108, 1),
        Field("VGLM1", 109, 1),
        Field("VGLM2", 110, 1),
        Field("ASTRVM", 115, 1),
    ),
)


def _party_layouts(prefix: str, code: tuple[str, str, str]) -> tuple[Layout, Layout, Layout]:
    p = prefix
    return (
        Layout(
            f"01{p}   01",
            f"{code[0]} {'Antragsteller' if p == 'AS' else 'Antragsgegner'} Name",
            (
                Field(f"{p}ANR", 10, 1),
                Field(f"{p}RF", 11, 35),
                Field(f"{p}N1", 46, 35, required=True),
                Field(f"{p}N2", 81, 35),
            ),
        ),
        Layout(
            f"01{p}   02",
            f"{code[1]} {'Antragsteller' if p == 'AS' else 'Antragsgegner'} Name 3/4",
            (Field(f"{p}N3", 10, 35), Field(f"{p}N4", 45, 35)),
        ),
        Layout(
            f"01{p}   03",
            f"{code[2]} {'Antragsteller' if p == 'AS' else 'Antragsgegner'} Anschrift",
            (
                Field(f"{p}SH", 10, 35, required=True),
                Field(f"{p}PLZ", 45, 5, required=True),
                Field(f"{p}O", 50, 27, required=True),
                Field(f"{p}AL", 77, 3),
            ),
        ),
    )


AS1, AS2, AS3 = _party_layouts("AS", ("C02", "C03", "C04"))
AG1, AG2, AG3 = _party_layouts("AG", ("C13", "C14", "C15"))
ASGV = Layout(
    "01ASGV 01",
    "C05 gesetzlicher Vertreter Antragsteller",
    (Field("ASGVFU", 10, 35, required=True), Field("ASGVN", 45, 35)),
)
AGGV = Layout(
    "01AGGV 01",
    "C17 gesetzlicher Vertreter Antragsgegner",
    (Field("AGGVFU", 10, 35, required=True), Field("AGGVN", 45, 35)),
)
AG4 = Layout(
    "01AG   04",
    "C16 Streitgericht",
    (
        Field("PGM", 10, 1, "n", required=True),
        Field("PGPLZ", 11, 5, required=True),
        Field("PGO", 16, 30, required=True),
    ),
)
ASPVA = Layout(
    "01ASPVA00",
    "C10 Prozessbevollmächtigter, antragsbezogen",
    (Field("ASPVGZ", 10, 35), Field("ASPVAUFD", 45, 6, "d")),
)
ZIAUS = Layout(
    "01ZIAUS00",
    "C19 ausgerechnete Zinsen",
    (
        Field("AZIVD", 10, 6, "d", required=True),
        Field("AZIBD", 16, 6, "d", required=True),
        Field("AZIAUBET", 22, 10, "c", required=True),
        Field("AZISATZ", 32, 5, "r"),
    ),
)
ASPK = Layout(
    "01ASPK 00",
    "C20 Katalog-Anspruch",
    (
        Field("ASPKAT1", 10, 2, "n", required=True),
        Field("ASPGR", 22, 35),
        Field("ASPRNR", 57, 35),
        Field("ASPVD", 92, 6, "d"),
        Field("ASPBD", 98, 6, "d"),
        Field("ASPBET", 104, 10, "c", required=True),
    ),
)
ASPZM = Layout(
    "01ASPZM00",
    "C21 Wohnung/Objekt",
    (
        Field("ASPZMPLZ", 10, 5, required=True),
        Field("ASPZMO", 15, 27, required=True),
        Field("ASPZMSH", 45, 35),
    ),
)
ASPZV = Layout("01ASPZV00", "C22 Vertragsart", (Field("ASPZV", 10, 35, required=True),))
ASPS1 = Layout(
    "01ASPS 01",
    "C23 sonstiger Anspruch",
    (
        Field("ASPSOBET", 10, 10, "c", required=True),
        Field("ASPSOVD", 20, 6, "d"),
        Field("ASPSOBD", 26, 6, "d"),
        Field("ASPSOBG1", 32, 93, required=True),
    ),
)
ASPS2 = Layout("01ASPS 02", "C24 sonstiger Anspruch, Fortsetzung", (Field("ASPSOBG2", 10, 70),))
ZINS = Layout(
    "01ZINS 00",
    "C26 laufende Zinsen",
    (
        Field("ZISATZ", 10, 5, "r", required=True),
        Field("ZISAM", 15, 1, required=True),
        Field("ZIARTM", 16, 1, required=True),
        Field("ZIVD", 17, 6, "d"),
        Field("ZIBD", 23, 6, "d"),
        Field("ZIRGBET", 29, 10, "c"),
    ),
)
AUSL = Layout("01AUSL 00", "C28 Auslagen", (Field("VPBET", 10, 8, "c", required=True),))
MAHNK = Layout("01MAHNK00", "C29 Mahnkosten", (Field("MAHNK", 10, 7, "c", required=True),))
VV23 = Layout(
    "01VV23 00",
    "C33 vorgerichtliche Geschäftsgebühr",
    (Field("VV2300BET", 10, 10, "c", required=True),),
)

LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        KS, AS1, AS2, AS3, ASGV, ASPVA, AG1, AG2, AG3, AG4, AGGV, ZIAUS, ASPK, ASPZM,
        ASPZV, ASPS1, ASPS2, ZINS, AUSL, MAHNK, VV23,
    )
}  # fmt: skip
_ANCILLARY = {"AUSL": (AUSL, "VPBET"), "MAHNK": (MAHNK, "MAHNK"), "VV23": (VV23, "VV2300BET")}


def _party(prefix: str, party: Party, layouts: tuple[Layout, Layout, Layout]) -> Iterator[str]:
    one, two, three = layouts
    names = list(party.names) + [""] * (4 - len(party.names))
    yield one.render(
        {
            f"{prefix}ANR": party.anrede,
            f"{prefix}RF": party.legal_form,
            f"{prefix}N1": names[0],
            f"{prefix}N2": names[1],
        }
    )
    if names[2] or names[3]:
        yield two.render({f"{prefix}N3": names[2], f"{prefix}N4": names[3]})
    yield three.render(
        {
            f"{prefix}SH": party.street,
            f"{prefix}PLZ": party.postcode,
            f"{prefix}O": party.city,
            f"{prefix}AL": party.country,
        }
    )


def _interest(line: InterestLine) -> str:
    return ZINS.render(
        {
            "ZISATZ": line.rate,
            "ZISAM": line.marker,
            "ZIARTM": line.period,
            "ZIVD": line.since,
            "ZIBD": line.until,
            "ZIRGBET": line.base,
        }
    )


def _claim(claim: MainClaim) -> Iterator[str]:
    if claim.catalogue is None:
        text = claim.free_text
        yield ASPS1.render(
            {
                "ASPSOBET": claim.amount,
                "ASPSOVD": claim.date_from,
                "ASPSOBD": claim.date_to,
                "ASPSOBG1": text[:93],
            }
        )
        if len(text) > 93:
            yield ASPS2.render({"ASPSOBG2": text[93:]})
    else:
        kind = catalogue.addition_kind(claim.catalogue)
        number = claim.addition if kind == "reference" else claim.number
        yield ASPK.render(
            {
                "ASPKAT1": claim.catalogue,
                "ASPGR": claim.document,
                "ASPRNR": number,
                "ASPVD": claim.date_from,
                "ASPBD": claim.date_to,
                "ASPBET": claim.amount,
            }
        )
        if kind == "property":
            place, _, street = claim.addition.partition(",")
            postcode, _, city = place.strip().partition(" ")
            yield ASPZM.render(
                {"ASPZMPLZ": postcode, "ASPZMO": city.strip(), "ASPZMSH": street.strip()}
            )
        elif kind == "contract":
            yield ASPZV.render({"ASPZV": claim.addition})
    for line in claim.interest:
        yield _interest(line)


def records(app: Application, kennziffer: str) -> list[str]:
    """The records of one application in the order the courts read (1.4), each 128
    characters; :class:`~mahnwerk.court.fields.FieldError` if a value does not fit (the
    service calls :func:`mahnwerk.court.application.validate` first)."""
    out = [
        KS.render(
            {
                "TGZ": app.reference,
                "ASKEZI": app.applicant.askezi,
                "PVKEZI": kennziffer,
                "MGPLZ": app.court_postcode,
                "MGO": app.court_city,
                "VGLM1": "X" if app.counter_performance == "rendered" else "",
                "VGLM2": "X" if app.counter_performance == "none" else "",
                "ASTRVM": "X" if app.streitig else "",
            }
        )
    ]
    out.extend(_party("AS", app.applicant, (AS1, AS2, AS3)))
    out.extend(
        ASGV.render({"ASGVFU": r.function, "ASGVN": r.name}) for r in app.applicant.representatives
    )
    out.append(ASPVA.render({"ASPVGZ": app.reference, "ASPVAUFD": app.mandate_date}))
    out.extend(_party("AG", app.defendant, (AG1, AG2, AG3)))
    s = app.streitgericht
    out.append(AG4.render({"PGM": s.kind, "PGPLZ": s.postcode, "PGO": s.city}))
    out.extend(
        AGGV.render({"AGGVFU": r.function, "AGGVN": r.name}) for r in app.defendant.representatives
    )
    if app.computed_interest is not None:
        ci = app.computed_interest
        out.append(
            ZIAUS.render(
                {"AZIVD": ci.since, "AZIBD": ci.until, "AZIAUBET": ci.amount, "AZISATZ": ci.rate}
            )
        )
    for claim in app.claims:
        out.extend(_claim(claim))
    order = {kind: i for i, kind in enumerate(_ANCILLARY)}
    for extra in sorted(app.ancillaries, key=lambda a: order.get(a.kind, 99)):
        layout, name = _ANCILLARY[extra.kind]
        out.append(layout.render({name: extra.amount}))
    return out
