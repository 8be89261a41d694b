"""Reading EDA files: the court's replies, and our own applications read back.

Both framings are accepted (1.2): one unbroken stream of 128-byte records (what the
applications are), or lines of 126 characters + CR LF (how the courts sent their messages to
j-lawyer); in the second the record's last two positions, always filler, are blank. The bytes
are CP850.

A file is read whole or refused whole: :class:`EdaReadError` names the record (counted from 1
in the physical file) and the field. Checked: the length and framing, the AA/BB frame of every
logical file (a physical file holds up to 220), that every record belongs to the file's
Satzart, every field of the known records, and the trailer's counts against the records
(``ANTANZ``, ``SANZ``; for applications also ``SKATNR``, ``SUASP``, ``ASPANZ``, ``SUGNR``).
Records of a court message whose positions the reference does not give are kept as text.

>>> from datetime import date
>>> from mahnwerk.court import aa, bb, satzart_90
>>> body = [satzart_90.QU.render({"TEXT": "eingegangen"})]
>>> data = "".join([aa.render(aa.FileHeader("07774512", date(2026, 3, 2), "90", "4000",
...     "ABC021")), *body, bb.render(bb.Trailer("07774512", 1, 1))]).encode("cp850")
>>> read(data).files[0].trailer.records
1
>>> lines = b"".join(data[i:i + 126] + b"\\r\\n" for i in range(0, len(data), 128))
>>> r = read(lines)
>>> r.framing, [m.text for m in messages(r)]
('crlf', ['Eingangsbestätigung des Gerichts: eingegangen'])
>>> read(data[:-1])
Traceback (most recent call last):
...
mahnwerk.court.reader.EdaReadError: Datei: Länge 383 ist kein Vielfaches von 128 Bytes
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

from mahnwerk.court import (
    aa,
    bb,
    satzart_01,
    satzart_03,
    satzart_05,
    satzart_08,
    satzart_16,
    satzart_18,
    satzart_20,
    satzart_22,
    satzart_90,
)
from mahnwerk.court.fields import CHARSET, KEY_LENGTH, RECORD_LENGTH, FieldError, Layout
from mahnwerk.court.message import CourtMessage

__all__ = ["EdaRead", "EdaReadError", "LogicalFile", "Record", "messages", "read"]

#: A physical file holds up to 220 logical files (1.2).
MAX_LOGICAL_FILES = 220
INBOUND: dict[str, ModuleType] = {
    m.SATZART: m
    for m in (satzart_03, satzart_05, satzart_16, satzart_18, satzart_20, satzart_22, satzart_90)
}
OUTBOUND: dict[str, dict[str, Layout]] = {
    satzart_01.SATZART: satzart_01.LAYOUTS,
    satzart_08.SATZART: satzart_08.LAYOUTS,
}


class EdaReadError(ValueError):
    """The file is refused whole; ``record`` (1-based, 0 = the file) and ``field`` say where."""

    def __init__(self, record: int, message: str, field: str = "") -> None:
        where = f"Satz {record}" if record else "Datei"
        super().__init__(f"{where}: {message}")
        self.record = record
        self.field = field


@dataclass(frozen=True)
class Record:
    number: int  # 1-based in the physical file
    key: str
    text: str
    fields: dict[str, object]  # empty for a record kept as text


@dataclass(frozen=True)
class LogicalFile:
    header: aa.FileHeader
    records: tuple[Record, ...]
    trailer: bb.Trailer

    def groups(self) -> list[list[Record]]:
        """The records per application / message: each Kennsatz starts one (a receipt's
        records form one message)."""
        out: list[list[Record]] = []
        for record in self.records:
            starts = record.key[2:7].rstrip() == "KS" or not out
            if starts and not (self.header.satzart == "90" and out):
                out.append([record])
            else:
                out[-1].append(record)
        return out


@dataclass(frozen=True)
class EdaRead:
    framing: str  # "stream" or "crlf"
    files: tuple[LogicalFile, ...]


def _split(data: bytes) -> tuple[str, list[str]]:
    if not data:
        raise EdaReadError(0, "leer")
    if len(data) % RECORD_LENGTH:
        raise EdaReadError(0, f"Länge {len(data)} ist kein Vielfaches von {RECORD_LENGTH} Bytes")
    chunks = [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]
    crlf = chunks[0][-2:] == b"\r\n"
    texts: list[str] = []
    for number, chunk in enumerate(chunks, 1):
        if crlf:
            if chunk[-2:] != b"\r\n":
                raise EdaReadError(number, "Zeile endet nicht mit CR LF (126 Zeichen + CR LF)")
            chunk = chunk[:-2] + b"  "
        bad = next((b for b in chunk if b < 0x20 or b == 0x7F), None)
        if bad is not None:
            raise EdaReadError(number, f"Steuerzeichen 0x{bad:02X} im Satz")
        texts.append(chunk.decode(CHARSET))
    return ("crlf" if crlf else "stream"), texts


def _layouts(satzart: str) -> tuple[dict[str, Layout], tuple[str, ...]]:
    if satzart in OUTBOUND:
        return OUTBOUND[satzart], ()
    module = INBOUND.get(satzart)
    if module is None:
        raise KeyError(satzart)
    return module.LAYOUTS, tuple(module.OPAQUE)


def _check(number: int, stated: int, counted: int, what: str, field: str) -> None:
    if stated != counted:
        raise EdaReadError(
            number, f"Dateinachsatz {field}: {stated} angegeben, {counted} {what}", field
        )


def _cents(value: object) -> int:
    return int(value * 100) if isinstance(value, Decimal) else 0


def _check_trailer(
    number: int, header: aa.FileHeader, records: list[Record], t: bb.Trailer
) -> None:
    if t.kennziffer != header.kennziffer:
        raise EdaReadError(number, f"TKEZI {t.kennziffer!r} ungleich Dateivorsatz", "TKEZI")
    _check(number, t.records, len(records), "Sätze gezählt", "SANZ")
    kennsaetze = sum(1 for r in records if r.key[2:7].rstrip() == "KS")
    if header.satzart != "90":
        _check(number, t.applications, kennsaetze, "Kennsätze gezählt", "ANTANZ")
    if header.satzart == satzart_01.SATZART:
        claims = [r for r in records if r.key in (satzart_01.ASPK.key, satzart_01.ASPS1.key)]
        catalogue_sum = sum(
            int(str(r.fields["ASPKAT1"])) for r in records if r.key == satzart_01.ASPK.key
        )
        cents = sum(_cents(r.fields.get("ASPBET") or r.fields.get("ASPSOBET")) for r in claims)
        _check(number, t.catalogue_sum, catalogue_sum, "als Summe der Katalognummern", "SKATNR")
        _check(number, t.claims_cents, int(cents), "Cent als Summe der Hauptforderungen", "SUASP")
        _check(number, t.claims, len(claims), "Hauptforderungen gezählt", "ASPANZ")
        _check(number, t.gnr_sum, 0, "(Mahnbescheid: 0)", "SUGNR")
    elif header.satzart == satzart_08.SATZART:
        gnrs = [str(r.fields["GNR"]) for r in records if r.key == satzart_08.KS.key]
        _check(number, t.gnr_sum, bb.gnr_checksum(gnrs), "als Prüfsumme der GNR", "SUGNR")


def read(data: bytes) -> EdaRead:
    """Read and check a whole physical file (see the module docstring)."""
    framing, texts = _split(data)
    files: list[LogicalFile] = []
    i = 0
    while i < len(texts):
        number = i + 1
        if not texts[i].startswith("AA"):
            raise EdaReadError(number, "Dateivorsatz AA erwartet", "AA")
        try:
            header = aa.parse(texts[i])
        except FieldError as exc:
            raise EdaReadError(number, str(exc), exc.field) from exc
        try:
            layouts, opaque = _layouts(header.satzart)
        except KeyError:
            raise EdaReadError(number, f"unbekannte Satzart {header.satzart!r}", "BELART") from None
        records: list[Record] = []
        i += 1
        while i < len(texts) and not texts[i].startswith(("BB", "AA")):
            text, number = texts[i], i + 1
            key = text[:KEY_LENGTH]
            if key[:2] != header.satzart:
                raise EdaReadError(
                    number, f"Satzart {key[:2]!r} in einer Datei der Satzart {header.satzart!r}"
                )
            layout = layouts.get(key)
            if layout is not None:
                try:
                    fields = layout.parse(text)
                except FieldError as exc:
                    raise EdaReadError(number, str(exc), exc.field) from exc
            elif key in opaque or (header.satzart in INBOUND and key[2:].strip()):
                fields = {}
            else:
                raise EdaReadError(number, f"unbekannte Satzkennung {key!r}")
            records.append(Record(number, key, text, fields))
            i += 1
        if i >= len(texts) or not texts[i].startswith("BB"):
            raise EdaReadError(min(i + 1, len(texts)), "Dateinachsatz BB fehlt", "BB")
        try:
            trailer = bb.parse(texts[i])
        except FieldError as exc:
            raise EdaReadError(i + 1, str(exc), exc.field) from exc
        _check_trailer(i + 1, header, records, trailer)
        if records and records[0].key[2:7].rstrip() not in ("KS", "QU"):
            raise EdaReadError(records[0].number, "der erste Satz muss ein Kennsatz sein")
        files.append(LogicalFile(header, tuple(records), trailer))
        i += 1
        if len(files) > MAX_LOGICAL_FILES:
            raise EdaReadError(0, f"mehr als {MAX_LOGICAL_FILES} logische Dateien")
    return EdaRead(framing, tuple(files))


def messages(result: EdaRead) -> list[CourtMessage]:
    """The court messages of a read file, in order; :class:`EdaReadError` for a file of
    applications or a message that cannot be understood."""
    out: list[CourtMessage] = []
    for f in result.files:
        module = INBOUND.get(f.header.satzart)
        if module is None:
            raise EdaReadError(0, f"Satzart {f.header.satzart} ist keine Nachricht des Gerichts")
        interpret: Callable[[list[tuple[str, dict[str, object]]]], CourtMessage]
        interpret = module.interpret
        for group in f.groups():
            try:
                out.append(interpret([(r.text, r.fields) for r in group]))
            except ValueError as exc:
                raise EdaReadError(group[0].number, str(exc)) from exc
    return out


def kennsaetze(result: EdaRead) -> Iterable[Record]:
    """Every Kennsatz of every logical file (one per application or message)."""
    for f in result.files:
        for group in f.groups():
            yield group[0]
