"""pain.008 / pain.001 files, validated independently against sepaxml's bundled XSDs."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from mahnwerk.banking.camt import schema_errors
from mahnwerk.banking.sepa import (
    Creditor,
    CreditTransfer,
    DirectDebit,
    Mandate,
    SepaError,
    SequenceType,
    collection_files,
    credit_transfer_file,
    direct_debit_file,
    pre_notification_text,
    sepaxml_schema_path,
    validate_creditor_id,
)

AGENCY = Creditor("Inkasso Nord GmbH", "DE02120300000000202051", "DE98ZZZ09999999999")
M1 = Mandate(
    "MW-M-2025-000123",
    date(2025, 10, 1),
    "Jürgen Müßig",
    "DE89370400440532013000",
    SequenceType.FIRST,
)
M2 = Mandate(
    "MW-M-2024-000200",
    date(2024, 3, 5),
    "Eva Ost",
    "AT611904300234573201",
    SequenceType.RECURRING,
    debtor_bic="BKAUATWWXXX",
)


def _debits():
    return [
        DirectDebit(
            M1, Decimal("145.96"), date(2025, 11, 3), "MW-2025-000123-R01", "MW-2025-000123 Rate 1"
        ),
        DirectDebit(
            M2, Decimal("50.00"), date(2025, 11, 3), "MW-2024-000200-R07", "MW-2024-000200 Rate 7"
        ),
        DirectDebit(
            M1,
            Decimal("145.96"),
            date(2025, 12, 3),
            "MW-2025-000123-R02",
            "MW-2025-000123 Rate 2",
            SequenceType.RECURRING,
        ),
        DirectDebit(
            M2,
            Decimal("50.00"),
            date(2025, 12, 3),
            "MW-2024-000200-R08",
            "MW-2024-000200 Rate 8",
            SequenceType.FINAL,
        ),
    ]


NS = {"p": None}


def _texts(xml: bytes, local: str) -> list[str]:
    root = etree.fromstring(xml)
    return [el.text for el in root.iter() if etree.QName(el).localname == local]


@pytest.mark.parametrize("schema", ["pain.008.001.02", "pain.008.001.08"])
def test_collection_files_per_due_date_validate(schema):
    files = collection_files(AGENCY, _debits(), schema=schema)
    assert sorted(files) == [date(2025, 11, 3), date(2025, 12, 3)]
    for due, xml in files.items():
        assert schema_errors(xml, sepaxml_schema_path(schema)) == []
        assert _texts(xml, "ReqdColltnDt") or _texts(xml, "Dt")
        assert _texts(xml, "MsgId") == [f"MW-DD-{due:%Y%m%d}"]
        assert _texts(xml, "CtrlSum")[0] == "195.96"
    nov = files[date(2025, 11, 3)]
    assert sorted(_texts(nov, "SeqTp")) == ["FRST", "RCUR"]
    assert "MW-M-2025-000123" in _texts(nov, "MndtId")
    assert "2025-10-01" in _texts(nov, "DtOfSgntr")
    assert "DE98ZZZ09999999999" in _texts(nov, "Id")
    assert "Jurgen Mussig" in _texts(nov, "Nm")  # transliterated for the bank
    dec = files[date(2025, 12, 3)]
    assert sorted(_texts(dec, "SeqTp")) == ["FNAL", "RCUR"]


def test_umlauts_kept_when_asked():
    xml = direct_debit_file(AGENCY, _debits()[:1], clean=False)
    assert "Jürgen Müßig" in _texts(xml, "Nm")
    assert schema_errors(xml, sepaxml_schema_path("pain.008.001.08")) == []


@pytest.mark.parametrize("schema", ["pain.001.001.03", "pain.001.001.09"])
def test_payout_file_validates(schema):
    payouts = [
        CreditTransfer(
            "Stadtwerke Köln GmbH",
            "DE89370400440532013000",
            Decimal("1234.56"),
            "Auskehrung Oktober 2025 Abrechnung 2025-10",
            "PO-2025-10-0001",
        ),
        CreditTransfer(
            "Versandhaus Süd AG",
            "NL91ABNA0417164300",
            Decimal("0.01"),
            "Auskehrung Oktober 2025",
            "PO-2025-10-0002",
        ),
    ]
    xml = credit_transfer_file(
        AGENCY, payouts, date(2025, 11, 5), schema=schema, message_id="PO-2025-10"
    )
    assert schema_errors(xml, sepaxml_schema_path(schema)) == []
    assert _texts(xml, "CtrlSum")[0] == "1234.57"
    assert _texts(xml, "NbOfTxs")[0] == "2"


def test_invalid_input_is_refused_before_sepaxml():
    bad_iban = Mandate("M-1", date(2025, 1, 1), "Max", "DE00370400440532013000")
    late = Mandate("M-2", date(2025, 12, 1), "Max", "DE89370400440532013000")
    with pytest.raises(SepaError) as err:
        direct_debit_file(
            Creditor("Inkasso Nord GmbH", "DE02120300000000202051", "DE97ZZZ09999999999"),
            [
                DirectDebit(bad_iban, Decimal("10.00"), date(2025, 11, 3), "E-1", "Rate"),
                DirectDebit(late, Decimal("10.001"), date(2025, 11, 3), "E-1", "Rate"),
                DirectDebit(late, Decimal("0"), date(2025, 12, 3), "E 2 ü", ""),
            ],
        )
    text = str(err.value)
    for expected in (
        "Prüfziffer der Gläubiger-ID",
        "Prüfziffer der IBAN",
        "nach dem Fälligkeitstag",
        "zwei Nachkommastellen",
        "zwischen 0,01",
        "Ende-zu-Ende-Referenz",
        "Verwendungszweck fehlt",
        "nicht eindeutig",
    ):
        assert expected in text, expected
    with pytest.raises(SepaError):
        credit_transfer_file(AGENCY, [], date(2025, 11, 5))
    with pytest.raises(SepaError):
        direct_debit_file(AGENCY, _debits(), schema="pain.008.001.99")


def test_creditor_id():
    assert validate_creditor_id("DE98ZZZ09999999999") == []
    assert validate_creditor_id("DE98 ZZZ 09999999999") == []
    assert validate_creditor_id("DE98ZZZ0999999999") != []
    assert validate_creditor_id("") != []


def test_pre_notification_names_amount_date_mandate_and_creditor_id():
    text = pre_notification_text(_debits()[0], AGENCY)
    for part in (
        "145,96 €",
        "03.11.2025",
        "MW-M-2025-000123",
        "DE98ZZZ09999999999",
        "DE89 **** **** **** **30 00",
    ):
        assert part in text
