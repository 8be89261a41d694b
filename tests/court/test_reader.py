"""The reader: both framings, several logical files, and every kind of broken file refused
whole with its record number and field."""

from __future__ import annotations

from datetime import date

import pytest
from court_support import (
    court_file,
    msg_abgabe,
    msg_mb_issued,
    msg_monierung,
    msg_receipt,
    msg_service,
    msg_vb_issued,
    msg_widerspruch,
)

from mahnwerk.court.reader import EdaReadError, messages, read
from mahnwerk.domain.court import Event

REF, GNR = "MW-00000001-97", "26123456701"
ALL = [
    ("03", [msg_mb_issued(REF, GNR, date(2026, 3, 4))], Event.MB_ISSUED),
    ("05", [msg_service(REF, GNR, 5, date(2026, 3, 6))], Event.MB_SERVED),
    ("05", [msg_service(REF, GNR, 6, date(2026, 3, 6), "unbekannt")], Event.MB_NOT_SERVED),
    ("05", [msg_service(REF, GNR, 8, date(2026, 3, 27))], Event.VB_SERVED),
    ("05", [msg_service(REF, GNR, 9, date(2026, 3, 27))], Event.VB_NOT_SERVED),
    ("16", [msg_abgabe(REF, GNR, date(2026, 4, 9))], Event.ABGABE),
    ("18", [msg_widerspruch(REF, GNR, date(2026, 3, 12))], Event.WIDERSPRUCH),
    ("20", [msg_monierung(REF, GNR, date(2026, 3, 5))], None),
    ("22", [msg_vb_issued(REF, GNR, date(2026, 3, 25))], Event.VB_ISSUED),
    ("90", [msg_receipt("eingegangen")], None),
]


@pytest.mark.parametrize("framing", ["stream", "crlf"])
@pytest.mark.parametrize(
    ("satzart", "body", "event"), ALL, ids=[f"{a[0]}-{i}" for i, a in enumerate(ALL)]
)
def test_every_message_in_both_framings(framing, satzart, body, event):
    result = read(court_file(satzart, body, framing=framing))
    assert result.framing == framing
    (message,) = messages(result)
    assert message.satzart == satzart and message.event == event
    if satzart != "90":
        assert (message.reference, message.gnr) == (REF, GNR)


def test_several_messages_and_logical_files_in_one_physical_file():
    one = court_file("05", [msg_service(REF, GNR, 5, date(2026, 3, 6)),
                            msg_service("MW-2", "26000000202", 6, date(2026, 3, 6))])  # fmt: skip
    two = court_file("03", [msg_mb_issued(REF, GNR, date(2026, 3, 4))])
    result = read(one + two)
    assert [f.header.satzart for f in result.files] == ["05", "03"]
    assert [m.reference for m in messages(result)] == [REF, "MW-2", REF]


def _records(data: bytes) -> list[bytes]:
    return [data[i : i + 128] for i in range(0, len(data), 128)]


def _broken(change) -> bytes:
    recs = _records(court_file("05", [msg_service(REF, GNR, 5, date(2026, 3, 6))]))
    change(recs)
    return b"".join(recs)


def _set(recs, n, pos, text):
    recs[n] = recs[n][: pos - 1] + text + recs[n][pos - 1 + len(text) :]


@pytest.mark.parametrize(
    ("change", "record", "field", "text"),
    [
        (lambda r: r.pop(), 2, "BB", "Dateinachsatz BB fehlt"),
        (lambda r: r.pop(0), 1, "AA", "Dateivorsatz AA erwartet"),
        (lambda r: _set(r, 1, 66, b"261399"), 2, "ZUD (Pos. 66–71)", "kein Datum"),
        (lambda r: _set(r, 1, 64, b"5X"), 2, "NAM (Pos. 64–65)", "keine Zahl"),
        (lambda r: _set(r, 1, 64, b"07"), 2, "", "unbekannte Nachrichtenart"),
        (lambda r: _set(r, 2, 18, b"0000002"), 3, "SANZ", "Dateinachsatz SANZ"),
        (lambda r: _set(r, 2, 11, b"0000009"), 3, "ANTANZ", "Dateinachsatz ANTANZ"),
        (lambda r: _set(r, 2, 3, b"99999999"), 3, "TKEZI", "ungleich Dateivorsatz"),
        (lambda r: _set(r, 1, 1, b"03"), 2, "", "Satzart '03' in einer Datei der Satzart '05'"),
        (lambda r: _set(r, 0, 17, b"77"), 1, "BELART", "unbekannte Satzart"),
        (lambda r: _set(r, 1, 30, b"\x07"), 2, "", "Steuerzeichen 0x07"),
        (lambda r: _set(r, 1, 1, b"01"), 2, "", "Satzart '01'"),
    ],
)  # fmt: skip
def test_broken_files_are_refused_whole(change, record, field, text):
    with pytest.raises(EdaReadError) as err:
        messages(read(_broken(change)))
    assert text in str(err.value)
    assert err.value.record == record
    assert err.value.field == field


def test_broken_framings():
    data = court_file("05", [msg_service(REF, GNR, 5, date(2026, 3, 6))], framing="crlf")
    with pytest.raises(EdaReadError, match="kein Vielfaches"):
        read(data[:-2])
    mixed = data[:128] + data[128:254] + b"  "  # the second line lost its CR LF
    with pytest.raises(EdaReadError, match="Satz 2: Zeile endet nicht mit CR LF"):
        read(mixed + data[256:])
    with pytest.raises(EdaReadError, match="leer"):
        read(b"")


def test_a_file_of_applications_is_not_a_reply():
    from test_eda_format import WHO, app

    from mahnwerk.court.writer import write_mb_file

    data = write_mb_file([app()], WHO, "ABC021", date(2026, 3, 2))
    assert read(data).files[0].header.satzart == "01"
    with pytest.raises(EdaReadError, match="keine Nachricht des Gerichts"):
        messages(read(data))
