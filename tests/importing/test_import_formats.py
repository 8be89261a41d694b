"""Reading portfolio files (CSV as German Excel writes it, XLSX, JSON) and checking rows,
without a database."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from mahnwerk.importing import FileProblem, open_table
from mahnwerk.importing.csv import detect_encoding
from mahnwerk.importing.headers import MappingError, load_mapping, resolve_headers
from mahnwerk.importing.validation import (
    Record,
    RowValidator,
    iban_problem,
    parse_cents,
    parse_date,
)

GERMAN_HEADER = (
    "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Verzug seit;Betrag;Schuldnerart;"
    "Vorname;Nachname;Firma;Geburtsdatum;Straße;PLZ;Ort;Land;E-Mail;Telefon;IBAN"
)
ROW = (
    "K-1;R-1;01.02.2025;15.02.2025;;1.234,56;Verbraucher;Jürgen;Müller;;17.05.1980;"
    "Hauptstraße 5;10115;Berlin;DE;j.mueller@example.org;030 1234567;DE89 3704 0044 0532 0130 00"
)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows_of(path: Path, mapping=None):
    with open_table(path) as table:
        header_map = resolve_headers(table.headers, mapping)
        assert header_map.problems == []
        check = RowValidator(header_map, today=date(2026, 1, 1), row_word=table.row_word)
        return [check(n, cells) for n, cells in table.rows]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
def test_csv_encodings_are_detected_and_umlauts_survive(tmp_path, encoding, detected):
    path = write(tmp_path / "f.csv", f"{GERMAN_HEADER}\r\n{ROW}\r\n", encoding)
    assert detect_encoding(path) == detected
    [record] = rows_of(path)
    assert isinstance(record, Record)
    assert (record.first_name, record.last_name, record.street) == (
        "Jürgen",
        "Müller",
        "Hauptstraße 5",
    )
    assert record.amount == 123456
    assert record.due_date == "2025-02-15"
    assert record.default_from is None  # no ground of default given: not in default (§ 286 BGB)
    assert record.iban == "DE89370400440532013000"
    assert record.consumer is True and record.kind == "natural"


def test_csv_row_numbers_are_line_numbers_and_blank_lines_are_skipped(tmp_path):
    text = f"{GERMAN_HEADER}\n{ROW}\n;;;;;;;;;;;;;;;;;\n\n{ROW.replace('R-1', 'R-2')}\n"
    path = write(tmp_path / "f.csv", text, "utf-8")
    with open_table(path) as table:
        assert [n for n, _ in table.rows] == [2, 5]


def test_a_quoted_cell_may_hold_the_separator_and_a_line_break(tmp_path):
    row = ROW.replace("Hauptstraße 5", '"Hauptstraße 5; Hinterhaus\nAufgang B"')
    path = write(tmp_path / "f.csv", f"{GERMAN_HEADER}\n{row}\n", "utf-8")
    [record] = rows_of(path)
    assert record.street == "Hauptstraße 5; Hinterhaus\nAufgang B"


def test_xlsx_with_real_dates_numbers_and_text(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(GERMAN_HEADER.split(";"))
    sheet.append(
        [
            "K-1",
            4711,
            datetime(2025, 2, 1),
            date(2025, 2, 15),
            None,
            1234.56,
            "consumer",
            "Jürgen",
            "Müller",
            None,
            "17.05.1980",
            "Hauptstraße 5",
            1067,
            "Dresden",
            "Deutschland",
            None,
            None,
            None,
        ]
    )
    sheet.append([None] * 18)
    sheet.append(
        [
            "K-2",
            "R-9",
            "01.03.2025",
            "15.03.2025",
            "20.03.2025",
            "99,90",
            "business",
            None,
            None,
            "Bau GmbH",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "f.xlsx"
    book.save(path)
    first, second = rows_of(path)
    assert first.invoice_no == "4711" and first.amount == 123456
    assert (first.invoice_date, first.due_date) == ("2025-02-01", "2025-02-15")
    assert first.postcode == "01067" and first.country == "DE"
    assert first.row_no == 2 and second.row_no == 4
    assert second.kind == "legal" and second.consumer is False and second.amount == 9990


@pytest.mark.parametrize("shape", ["list", "rows", "lines"])
def test_json_shapes(tmp_path, shape):
    rows = [
        {
            "creditor_ref": "K-1",
            "invoice_no": "R-1",
            "due_date": "2025-02-15",
            "amount": "1234.56",
            "last_name": "Müller",
            "first_name": "Jürgen",
        },
        {
            "creditor_ref": "K-1",
            "invoice_no": "R-2",
            "due_date": "15.03.2025",
            "amount": 99.9,
            "last_name": "Müller",
            "first_name": "Jürgen",
            "iban": "DE89370400440532013000",
        },
    ]
    if shape == "lines":
        path = tmp_path / "f.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    else:
        path = tmp_path / "f.json"
        data = rows if shape == "list" else {"source": "ERP", "rows": rows}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    first, second = rows_of(path)
    assert first.amount == 123456 and second.amount == 9990
    assert first.iban is None and second.iban == "DE89370400440532013000"
    # objects may differ in their keys: first has no iban, still a debtor conflict for the case
    assert first.debtor_fp != second.debtor_fp


def test_json_syntax_error_is_a_file_problem(tmp_path):
    path = tmp_path / "f.json"
    path.write_text('[{"creditor_ref": "K-1"}, {"creditor_ref": ]', "utf-8")
    with pytest.raises(FileProblem, match="Datensatz 2"):
        open_table(path)


def test_german_and_mapped_headers(tmp_path):
    header_map = resolve_headers(
        [
            "Kundennummer",
            "RE-NR",
            "Forderungsbetrag",
            "Fälligkeitsdatum",
            "NACHNAME",
            "Strasse",
            "Bemerkung",
        ]
    )
    assert header_map.columns == {
        "creditor_ref": 0,
        "invoice_no": 1,
        "amount": 2,
        "due_date": 3,
        "last_name": 4,
        "street": 5,
    }
    assert header_map.ignored == ["Bemerkung"]
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "Vorgang-ID: creditor_ref\nBelegNr: invoice_no\nSaldo: amount\n"
        "Kunde: last_name\nZahlbar bis: due_date\nKundennummer: null\n",
        "utf-8",
    )
    header_map = resolve_headers(
        ["Vorgang-ID", "BelegNr", "Saldo", "Kunde", "Zahlbar bis", "Kundennummer"],
        load_mapping(mapping),
    )
    assert header_map.problems == []
    assert header_map.columns["creditor_ref"] == 0 and header_map.columns["last_name"] == 3
    assert header_map.ignored == ["Kundennummer"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"Saldo": "betrag"}', "utf-8")
    with pytest.raises(MappingError, match="keine bekannte Spalte"):
        load_mapping(bad)


def test_missing_required_headers_are_named():
    problems = resolve_headers(["Nachname", "Betrag"]).problems
    assert [str(p) for p in problems] == [
        "Datei: Spalte „Aktenzeichen“ (creditor_ref) fehlt in der Kopfzeile",
        "Datei: Spalte „Rechnungsnummer“ (invoice_no) fehlt in der Kopfzeile",
        "Datei: Spalte „Fälligkeit“ (due_date) oder „Verzug seit“ (default_from) fehlt in der Kopfzeile",
    ]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.234,56", 123456),
        ("1234,5", 123450),
        ("12", 1200),
        ("1.234", 123400),
        ("99.90", 9990),
        ("1.234.567,89 €", 123456789),
        ("EUR 5,00", 500),
        ("12,50-", -1250),
    ],
)
def test_amounts(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["12,345", "abc", "1,2,3", "1.23.4"])
def test_not_amounts(text):
    with pytest.raises(ValueError):
        parse_cents(text)


def test_dates():
    assert parse_date("1.2.2025") == date(2025, 2, 1)
    assert parse_date("2025-02-01T00:00:00") == date(2025, 2, 1)
    for bad in ("31.02.2025", "01.02.25", "morgen", "01.02.1850"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_every_bad_cell_of_a_row_is_reported_in_german(tmp_path):
    bad = (
        "K-1;R-1;01.02.2025;32.13.2025;;-5,00;Verbraucher;Jürgen;;;;Hauptstraße 5;;Berlin;"
        "DE;kein-at;12;DE88 3704 0044 0532 0130 00"
    )
    path = write(tmp_path / "f.csv", f"{GERMAN_HEADER}\n{bad}\n", "utf-8")
    [problems] = rows_of(path)
    assert [str(p) for p in problems] == [
        "Zeile 2, Spalte „Betrag“: Betrag ist negativ (-5,00); Gutschriften werden nicht importiert",
        "Zeile 2, Spalte „Fälligkeit“: „32.13.2025“ ist kein gültiges Datum",
        "Zeile 2, Spalte „Nachname“: Nachname fehlt (Verbraucher: natürliche Person)",
        "Zeile 2, Spalte „PLZ“: Adresse unvollständig: PLZ fehlt (Straße, PLZ und Ort gehören zusammen)",
        "Zeile 2, Spalte „E-Mail“: „kein-at“ ist keine E-Mail-Adresse",
        "Zeile 2, Spalte „Telefon“: „12“ ist keine Telefonnummer",
        "Zeile 2, Spalte „IBAN“: Prüfziffer der IBAN stimmt nicht",
    ]


def test_more_rules(tmp_path):
    header = "creditor_ref;invoice_no;due_date;default_from;amount;debtor_type;last_name;company"
    lines = [
        "K-1;R-1;15.02.2025;10.02.2025;10,00;consumer;Meier;",  # default before due
        "K-2;R-2;15.02.2025;15.02.2025;0,00;consumer;Meier;",  # zero amount; same day is fine
        "K-3;R-3;;;10,00;privat;Meier;",  # no date at all
        "K-4;R-4;15.02.2025;;10,00;Behörde;Meier;",  # unknown type
        "K-5;R-5;15.02.2025;;10,00;business;;",  # business without a name
        ";;15.02.2025;;10,00;;;Bau GmbH",  # refs missing
        "K-7;R-7;15.02.2025;;10,00;;;Bau GmbH",  # no type + only company = business
    ]
    path = write(tmp_path / "f.csv", header + "\n" + "\n".join(lines) + "\n", "utf-8")
    results = rows_of(path)
    messages = [[str(p) for p in r] if isinstance(r, list) else r for r in results]
    assert messages[0] == [
        "Zeile 2, Spalte „default_from“: Verzugsbeginn 10.02.2025 liegt vor der Fälligkeit 15.02.2025"
    ]
    assert messages[1] == ["Zeile 3, Spalte „amount“: Betrag ist 0"]
    assert messages[2] == [
        "Zeile 4, Spalte „due_date“: Fälligkeit fehlt (oder „Verzug seit“ angeben)"
    ]
    assert messages[3] == [
        "Zeile 5, Spalte „debtor_type“: Schuldnerart „Behörde“ ist unbekannt (erlaubt: consumer/Verbraucher, business/Unternehmer)"
    ]
    assert messages[4] == ["Zeile 6, Spalte „company“: Firma (oder Nachname) fehlt"]
    assert messages[5] == [
        "Zeile 7, Spalte „creditor_ref“: Aktenzeichen fehlt",
        "Zeile 7, Spalte „invoice_no“: Rechnungsnummer fehlt",
    ]
    last = results[6]
    assert isinstance(last, Record) and last.kind == "legal" and last.consumer is False


def _schwifty_verdict(value: str) -> bool:
    try:
        IBAN(value, validate_bban=False)
    except SchwiftyException:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(
    check=st.integers(0, 99),
    account=st.text("0123456789", min_size=16, max_size=20),
    country=st.sampled_from(["DE", "DE", "DE", "AT", "NL", "XX"]),
)
def test_the_fast_german_iban_check_agrees_with_schwifty(check, account, country):
    value = f"{country}{check:02d}{account}"
    assert (iban_problem(value) is None) == _schwifty_verdict(value)


def test_a_valid_german_iban_on_the_fast_path_and_its_wrong_check_digits():
    assert iban_problem("DE89370400440532013000") is None
    assert iban_problem("DE88370400440532013000") == "Prüfziffer der IBAN stimmt nicht"
    # 00, 01 and 99 can pass the mod-97 test but are no valid check digits (ISO 13616)
    assert iban_problem("DE00939072836715422522") == "Prüfziffer der IBAN stimmt nicht"


def test_repeated_dates_short_rows_and_missing_columns(tmp_path):
    header = "creditor_ref;invoice_no;due_date;amount;last_name;city;street;postcode"
    lines = [
        "K-1;R-1;31.02.2025;10,00;Meier",  # a bad date, and the row ends early
        "K-2;R-2;31.02.2025;10,00;Meier;;;",  # the same bad date is reported again
        "K-3;R-3;15.02.2025;10,00;Meier",
        "K-4;R-4;15.02.2025;11,00;Meier;Berlin",  # address incomplete
    ]
    path = write(tmp_path / "f.csv", header + "\n" + "\n".join(lines) + "\n", "utf-8")
    first, second, third, fourth = rows_of(path)
    assert [str(p) for p in first] == [
        "Zeile 2, Spalte „due_date“: „31.02.2025“ ist kein gültiges Datum"
    ]
    assert [str(p) for p in second] == [
        "Zeile 3, Spalte „due_date“: „31.02.2025“ ist kein gültiges Datum"
    ]
    assert isinstance(third, Record)
    assert (third.due_date, third.default_from, third.invoice_date) == (
        "2025-02-15",
        None,  # no ground of default (§ 286 BGB)
        None,
    )
    assert (third.street, third.city, third.country, third.iban) == (None, None, "DE", None)
    assert [p.column for p in fourth] == ["street", "postcode"]
