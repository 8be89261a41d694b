"""Fuzzing (hypothesis) of the parsers of every uploaded file: portfolio CSV, XLSX and JSON,
bank statements in CAMT and MT940, the court's EDA replies. Random bytes and mutations of
valid files must end in a clear refusal (the parser's own error type, with the file's problem) or a parsed result,
never in another exception (which would be a crash of the command or a 500 of the API).

Each test is bounded by its number of examples (``FUZZ``) and derandomised, so the suite
stays deterministic; set ``MAHNWERK_FUZZ_EXAMPLES`` to fuzz longer and with fresh inputs.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from mahnwerk.banking.generator import to_camt053, to_mt940
from mahnwerk.banking.statement import BankEntry, Sign, StatementError
from mahnwerk.importing.headers import resolve_headers
from mahnwerk.importing.source import FileProblem, open_table
from mahnwerk.importing.validation import RowValidator
from mahnwerk.services.banking.statements import parse_statement_file

EXAMPLES = int(os.environ.get("MAHNWERK_FUZZ_EXAMPLES") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 120,
    deadline=None,
    derandomize=not EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADER = (
    "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Verzug seit;Betrag;Schuldnerart;"
    "Vorname;Nachname;Firma;Geburtsdatum;Straße;PLZ;Ort;Land;E-Mail;Telefon;IBAN"
)
ROW = (
    "K-1;R-1;01.02.2025;15.02.2025;;1.234,56;Verbraucher;Jürgen;Müller;;17.05.1980;"
    "Hauptstraße 5;10115;Berlin;DE;j.mueller@example.org;030 1234567;DE89370400440532013000"
)
VALID_CSV = f"{HEADER}\r\n{ROW}\r\n".encode()
VALID_JSON = json.dumps(
    [dict(zip(HEADER.split(";"), ROW.split(";"), strict=True))], ensure_ascii=False
).encode()


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append([*ROW.split(";")[:5], 1234.56, *ROW.split(";")[6:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _entry(amount: str, remittance: str, ref: str) -> BankEntry:
    return BankEntry(
        amount=Decimal(amount), sign=Sign.CREDIT, booking_date=date(2026, 3, 2),
        value_date=date(2026, 3, 2), counterparty_name="Jürgen Müller", remittance=remittance,
        bank_reference=ref, bank_transaction_code="PMNT/RCDT/ESCT",
    )  # fmt: skip


ENTRIES = [_entry("120.00", "Az. MW-00000001-95", "B1"), _entry("0.01", "RE 4711", "B2")]
VALID_CAMT = to_camt053(ENTRIES, statement_id="STMT-1")
VALID_MT940 = to_mt940(ENTRIES)
if isinstance(VALID_MT940, str):
    VALID_MT940 = VALID_MT940.encode()


@st.composite
def mutated(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` with a few bytes flipped, inserted, deleted, or cut off."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "cut", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete" and data:
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "cut":
            del data[at:]
        elif op == "repeat" and data:
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _text_bytes() -> st.SearchStrategy[bytes]:
    """Text made of the characters that matter to the parsers, in UTF-8 or cp1252."""
    chars = st.sampled_from(list(';,"\r\n\t:{}[]<>/=-+.0123456789äöüß€ aZ\u202e\u200b\x00'))
    text = st.lists(chars, max_size=400).map("".join)
    return st.tuples(text, st.sampled_from(["utf-8", "cp1252"])).map(
        lambda t: t[0].encode(t[1], errors="replace")
    )


def _portfolio(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"bestand{suffix}"
    path.write_bytes(data)
    try:
        table = open_table(path)
        with table:
            header_map = resolve_headers(table.headers, None)
            validate = RowValidator(header_map, today=date(2026, 3, 2), row_word=table.row_word)
            for row_no, cells in table.rows:
                validate(row_no, cells)
    except FileProblem as exc:
        assert str(exc)


@FUZZ
@given(data=st.one_of(mutated(VALID_CSV), _text_bytes(), st.binary(max_size=300)))
def test_portfolio_csv(tmp_path, data):
    _portfolio(tmp_path, data, ".csv")


@FUZZ
@given(
    data=st.one_of(
        mutated(VALID_JSON),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.sampled_from([*HEADER.split(";"), "x"]), inner, max_size=6)
            ),
            max_leaves=30,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_portfolio_json(tmp_path, data):
    _portfolio(tmp_path, data, ".json")


VALID_XLSX = _xlsx()


@FUZZ
@given(data=st.one_of(mutated(VALID_XLSX), st.binary(max_size=300)))
def test_portfolio_xlsx(tmp_path, data):
    _portfolio(tmp_path, data, ".xlsx")


def _statement(data: bytes) -> None:
    try:
        parse_statement_file(data, source="auszug")
    except StatementError as exc:
        assert str(exc)


@FUZZ
@given(data=st.one_of(mutated(VALID_CAMT), st.binary(max_size=300)))
def test_camt(data):
    _statement(data)


@FUZZ
@given(data=st.one_of(mutated(VALID_MT940), _text_bytes()))
def test_mt940(data):
    _statement(data)


@pytest.mark.parametrize(
    ("data", "suffix"),
    [(VALID_CSV, ".csv"), (VALID_JSON, ".json"), (VALID_XLSX, ".xlsx")],
)
def test_the_seed_files_are_valid(tmp_path, data, suffix):
    """The mutations start from files that parse, so they probe the parsers' depth."""
    path = tmp_path / f"bestand{suffix}"
    path.write_bytes(data)
    with open_table(path) as table:
        rows = list(table.rows)
    assert len(rows) == 1


def test_the_seed_statements_are_valid():
    assert [len(s.entries) for s in parse_statement_file(VALID_CAMT)] == [2]
    assert [len(s.entries) for s in parse_statement_file(VALID_MT940)] == [2]


def _eda_reply() -> bytes:
    from mahnwerk.court import aa, bb, satzart_90

    header = aa.render(aa.FileHeader("07774512", date(2026, 3, 2), "90", "4000", "ABC021"))
    body = satzart_90.QU.render({"TEXT": "eingegangen"})
    return "".join([header, body, bb.render(bb.Trailer("07774512", 1, 1))]).encode("cp850")


VALID_EDA = _eda_reply()
VALID_EDA_CRLF = b"".join(VALID_EDA[i : i + 126] + b"\r\n" for i in range(0, len(VALID_EDA), 128))


@FUZZ
@given(data=st.one_of(mutated(VALID_EDA), mutated(VALID_EDA_CRLF), st.binary(max_size=400)))
def test_court_replies(data):
    from mahnwerk.court.reader import EdaReadError, messages, read

    try:
        messages(read(data))
    except EdaReadError as exc:
        assert str(exc)


def test_the_seed_court_reply_is_valid():
    from mahnwerk.court.reader import messages, read

    assert [m.text for m in messages(read(VALID_EDA_CRLF))] == [
        "Eingangsbestätigung des Gerichts: eingegangen"
    ]
