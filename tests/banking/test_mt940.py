"""MT940 reader: German structured :86: fields, returns, broken files."""

from datetime import date
from decimal import Decimal

import pytest

from mahnwerk.banking.mt940 import parse_mt940
from mahnwerk.banking.statement import Sign, StatementError

MT940 = """:20:STARTUMSE
:25:12030000/0000202051
:28C:00211/001
:60F:C251031EUR1000,00
:61:2511031103CR145,96NTRFNONREF//2025110300001
:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-4711?21SVWZ+MW-2025-000123 Rech
?22nung RE-2025-0815?23ABWA+Tom Krueger?30COBADEFFXXX?31DE89370400440532013000
?32Jürgen Müßig und Erika Müß?33ig
:61:2511031103DR48,00NRTINONREF//2025110300002
:86:109?00RUECKLASTSCHRIFT?109249?20EREF+MW-2023-000777-R03?21MREF+MW-M-2023-000777
?22COAM+3,00?23SVWZ+RUECKGABE AC04 KONTO ?24ERLOSCHEN Rate 3
?30BYLADEM1001?31DE27100777770209299700?32Tom Krueger
:61:2511041104CR80,00NTRFNONREF
:86:166?00SEPA-GUTSCHRIFT?20SVWZ+Zahlung MW 2025 000?21444 Danke?32Karl Lang
:61:2511041104CR80,00NTRFNONREF
:86:166?00SEPA-GUTSCHRIFT?20SVWZ+Zahlung MW 2025 000?21444 Danke?32Karl Lang
:62F:C251104EUR1257,96
-
"""


def test_german_structured_fields():
    [st] = parse_mt940(MT940, source="umsatz.sta")
    assert st.account_iban == "DE02120300000000202051"
    assert st.source_format == "mt940"
    assert st.statement_id == "STARTUMSE/00211/001"
    assert (st.opening_balance, st.closing_balance) == (Decimal("1000.00"), Decimal("1257.96"))
    e = st.entries[0]
    assert (e.amount, e.sign, e.booking_date, e.value_date) == (
        Decimal("145.96"),
        Sign.CREDIT,
        date(2025, 11, 3),
        date(2025, 11, 3),
    )
    assert e.end_to_end_id == "E2E-4711"
    assert e.remittance == "MW-2025-000123 Rechnung RE-2025-0815"
    assert e.counterparty_iban == "DE89370400440532013000"
    assert e.counterparty_bic == "COBADEFFXXX"
    assert e.counterparty_name == "Jürgen Müßig und Erika Müßig"
    assert e.ultimate_party_name == "Tom Krueger"
    assert e.bank_reference == "2025110300001"
    assert "166" in e.bank_transaction_code


def test_return_with_reason_fee_and_mandate():
    [st] = parse_mt940(MT940)
    r = st.entries[1]
    assert r.sign is Sign.DEBIT and r.is_return
    assert r.return_reason == "AC04"
    assert r.charges == Decimal("3.00") and r.returned_amount == Decimal("45.00")
    assert r.mandate_id == "MW-M-2023-000777"
    assert r.end_to_end_id == "MW-2023-000777-R03"


def test_identical_entries_without_reference_get_distinct_keys():
    [st] = parse_mt940(MT940)
    a, b = st.entries[2], st.entries[3]
    assert a.entry_key.startswith("sha256:") and b.entry_key.startswith("sha256:")
    assert a.entry_key != b.entry_key
    assert (a.occurrence, b.occurrence) == (0, 1)
    # re-reading the same file gives the same keys (idempotent import)
    [again] = parse_mt940(MT940.encode("utf-8"))
    assert [e.entry_key for e in again.entries] == [e.entry_key for e in st.entries]


def test_latin1_bytes_are_read():
    [st] = parse_mt940(MT940.encode("latin-1"))
    assert st.entries[0].counterparty_name.startswith("Jürgen")


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        (":61:2511031103CR145,96NTRF", ":61:2511031103CR145.96NTRF", 5, "SWIFT-Form"),
        (":62F:C251104EUR1257,96", ":62F:C251104EUR1257,97", 17, "Saldenprüfung"),
        (":60F:C251031EUR1000,00\n", "", 1, ":60F:"),
        (":28C:00211/001", ":28X:00211/001", 3, "unbekanntes Feld"),
        (
            ":61:2511041104CR80,00NTRFNONREF\n:86:166?00SEPA-GUTSCHRIFT?20SVWZ+Zahlung MW 2025 000?21444 Danke?32Karl Lang\n:62F",
            ":86:166?00SEPA-GUTSCHRIFT\n:62F",
            15,
            ":86: ohne",
        ),
        (":60F:C251031EUR1000,00", ":60F:C251331EUR1000,00", 4, "Datum"),
    ],
)
def test_broken_mt940_names_the_line(old, new, line, expected):
    assert old in MT940
    with pytest.raises(StatementError) as err:
        parse_mt940(MT940.replace(old, new, 1), source="umsatz.sta")
    assert expected in str(err.value)
    assert err.value.line == line
    assert "umsatz.sta" in str(err.value)


def test_text_outside_a_field():
    with pytest.raises(StatementError) as err:
        parse_mt940("Kontoauszug vom 3.11.\n" + MT940)
    assert err.value.line == 1


def test_empty_input():
    with pytest.raises(StatementError):
        parse_mt940("")
