"""CAMT.053/.054 reader on hand-written files with the tricky cases."""

from datetime import date
from decimal import Decimal

import pytest

from mahnwerk.banking.camt import parse_camt
from mahnwerk.banking.matching import MatchIndex, OpenItem, decide
from mahnwerk.banking.statement import Sign, StatementError

OWN = "DE02120300000000202051"

# camt.053.001.02 as a Sparkasse sends it: Sts as text, Dbtr/Nm without Pty, TxAmt in AmtDtls.
CAMT_02 = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>0542-2025-11-03</MsgId><CreDtTm>2025-11-03T20:15:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>0542-2025-11-03-001</Id>
      <ElctrncSeqNb>211</ElctrncSeqNb>
      <CreDtTm>2025-11-03T20:15:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{OWN}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-11-02</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1915.80</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-11-03</Dt></Dt></Bal>
      <!-- 1: mistyped reference (O for 0, one digit swapped) -->
      <Ntry>
        <Amt Ccy="EUR">145.96</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
        <AcctSvcrRef>2025110300001</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>
          <Prtry><Cd>NTRF+166+9310</Cd><Issr>DK</Issr></Prtry></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>Juergen Muessig</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
            <Cdtr><Nm>Inkasso Nord GmbH</Nm></Cdtr><CdtrAcct><Id><IBAN>{OWN}</IBAN></Id></CdtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>Az MW-2025-OOO132 Rate November</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 2: one payment for two cases of one debtor -->
      <Ntry>
        <Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
        <AcctSvcrRef>2025110300002</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>BANKING-APP-99</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>Eva Ost</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>DE75512108001245126199</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>MW-2024-000200 und MW-2025-000301</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 3: third-party payer (the debtor's mother), structured creditor reference -->
      <Ntry>
        <Amt Ccy="EUR">80.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-04</Dt></ValDt>
        <AcctSvcrRef>2025110300003</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Helga Krüger</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>DE12500105170648489890</IBAN></Id></DbtrAcct>
            <UltmtDbtr><Nm>Tom Krüger</Nm></UltmtDbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>MW-2023-000777</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 4: returned direct debit, AC04 (Konto erloschen), 3.00 EUR fee -->
      <Ntry>
        <Amt Ccy="EUR">48.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>false</RvslInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
        <AcctSvcrRef>2025110300004</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <Chrgs><Amt Ccy="EUR">3.00</Amt></Chrgs>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>MW-2023-000777-R03</EndToEndId><MndtId>MW-M-2023-000777</MndtId></Refs>
          <AmtDtls><InstdAmt><Amt Ccy="EUR">45.00</Amt></InstdAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>Tom Krueger</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>DE27100777770209299700</IBAN></Id></DbtrAcct>
            <Cdtr><Nm>Inkasso Nord GmbH</Nm></Cdtr><CdtrAcct><Id><IBAN>{OWN}</IBAN></Id></CdtrAcct></RltdPties>
          <RmtInf><Ustrd>Rate 3 MW-2023-000777</Ustrd></RmtInf>
          <RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Konto erloschen</AddtlInf></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 5: batch booking with three transactions -->
      <Ntry>
        <Amt Ccy="EUR">357.84</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
        <AcctSvcrRef>2025110300005</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch><NbOfTxs>3</NbOfTxs></Btch>
          <TxDtls><Refs><EndToEndId>E2E-A</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>A Eins</Nm></Dbtr></RltdPties><RmtInf><Ustrd>MW-2025-000001</Ustrd></RmtInf></TxDtls>
          <TxDtls><Refs><EndToEndId>E2E-B</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">200.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>B Zwei</Nm></Dbtr></RltdPties><RmtInf><Ustrd>MW-2025-000002</Ustrd></RmtInf></TxDtls>
          <TxDtls><Refs><EndToEndId>E2E-C</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">57.84</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>C Drei</Nm></Dbtr></RltdPties><RmtInf><Ustrd>MW-2025-000003</Ustrd></RmtInf></TxDtls>
        </NtryDtls>
      </Ntry>
      <!-- 6: remittance over three Ustrd lines, the reference split across lines -->
      <Ntry>
        <Amt Ccy="EUR">80.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><DtTm>2025-11-03T10:00:00</DtTm></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
        <AcctSvcrRef>2025110300006</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Karl Lang</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>Zahlung zu Ihrem Aktenzeichen MW-20</Ustrd><Ustrd>25-000444 Rechnung</Ustrd><Ustrd>vom 01.10.2025</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 7: pending entry, not booked: skipped -->
      <Ntry>
        <Amt Ccy="EUR">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
        <BookgDt><Dt>2025-11-04</Dt></BookgDt><ValDt><Dt>2025-11-04</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


@pytest.fixture(scope="module")
def statement():
    [st] = parse_camt(CAMT_02.encode(), source="kontoauszug.xml")
    return st


def test_statement_header_and_balances(statement):
    assert statement.account_iban == OWN
    assert statement.statement_id == "0542-2025-11-03-001"
    assert statement.source_format == "camt.053.001.02"
    assert statement.opening_balance == Decimal("1000.00")
    assert statement.closing_balance == Decimal("1915.80")
    assert statement.balance_problems() == []
    # 6 booked entries, the batch split into 3, the pending one skipped
    assert len(statement.entries) == 8


def test_mistyped_reference_entry(statement):
    e = statement.entries[0]
    assert (e.amount, e.sign, e.booking_date) == (Decimal("145.96"), Sign.CREDIT, date(2025, 11, 3))
    assert e.counterparty_name == "Juergen Muessig"
    assert e.counterparty_iban == "DE89370400440532013000"
    assert e.end_to_end_id == ""  # NOTPROVIDED is no reference
    assert e.remittance == "Az MW-2025-OOO132 Rate November"
    assert e.bank_reference == "2025110300001"
    assert "NTRF+166+9310" in e.bank_transaction_code
    assert e.entry_key == "ref:2025110300001"


def test_third_party_with_structured_reference(statement):
    e = statement.entries[2]
    assert e.counterparty_name == "Helga Krüger"
    assert e.ultimate_party_name == "Tom Krüger"
    assert e.structured_reference == "MW-2023-000777"
    assert e.value_date == date(2025, 11, 4)


def test_return_with_reason_and_fee(statement):
    e = statement.entries[3]
    assert e.sign is Sign.DEBIT and e.is_return
    assert e.return_reason == "AC04"
    assert e.amount == Decimal("48.00")
    assert e.charges == Decimal("3.00")
    assert e.returned_amount == Decimal("45.00")
    # the counterparty is the debtor, not our own account in Cdtr
    assert e.counterparty_name == "Tom Krueger"
    assert e.end_to_end_id == "MW-2023-000777-R03"
    assert e.mandate_id == "MW-M-2023-000777"


def test_batch_entry_becomes_one_entry_per_transaction(statement):
    batch = statement.entries[4:7]
    assert [e.amount for e in batch] == [Decimal("100.00"), Decimal("200.00"), Decimal("57.84")]
    assert [e.counterparty_name for e in batch] == ["A Eins", "B Zwei", "C Drei"]
    assert [e.bank_reference for e in batch] == [f"2025110300005/{i}" for i in (1, 2, 3)]
    assert len({e.entry_key for e in statement.entries}) == len(statement.entries)


def test_ustrd_lines_are_joined(statement):
    e = statement.entries[7]
    assert e.remittance == "Zahlung zu Ihrem Aktenzeichen MW-20 25-000444 Rechnung vom 01.10.2025"
    assert e.booking_date == date(2025, 11, 3)  # from DtTm


def test_hand_written_statement_matches_the_cases(statement):
    items = [
        # the payer wrote ...OOO132 for ...000123: a digit swap that hits another case exactly
        OpenItem(
            "C-123",
            "D1",
            "MW-2025-000123",
            Decimal("145.96"),
            debtor_names=("Jürgen Müßig",),
            ibans=("DE89370400440532013000",),
        ),
        OpenItem("C-132", "D9", "MW-2025-000132", Decimal("999.00"), debtor_names=("Zora Zimmer",)),
        OpenItem("C-200", "D2", "MW-2024-000200", Decimal("120.00"), debtor_names=("Eva Ost",)),
        OpenItem("C-301", "D2", "MW-2025-000301", Decimal("180.00"), debtor_names=("Eva Ost",)),
        OpenItem(
            "C-777",
            "D3",
            "MW-2023-000777",
            Decimal("400.00"),
            debtor_names=("Tom Krüger",),
            payer_names=("Helga Krüger",),
            instalment_due=Decimal("45.00"),
        ),
        OpenItem("C-444", "D4", "MW-2025-000444", Decimal("80.00"), debtor_names=("Karl Lang",)),
    ]
    index = MatchIndex(items)
    e = statement.entries
    action, c = decide(index.match(e[0]))
    assert action == "book" and c.case_ids == ("C-123",)
    assert any("Tippfehler" in r for r in c.reasons)
    trap = next(x for x in index.match(e[0]) if x.case_ids == ("C-132",))
    assert any("Zweifel" in r for r in trap.reasons)
    action, c = decide(index.match(e[1]))
    assert action == "book" and c.case_ids == ("C-200", "C-301")
    assert [a.amount for a in c.allocations] == [Decimal("120.00"), Decimal("180.00")]
    action, c = decide(index.match(e[2]))
    assert action == "book" and c.case_ids == ("C-777",)
    assert any("bekanntem Zahler" in r for r in c.reasons)
    action, c = decide(index.match(e[3]))
    assert action == "book" and c.kind == "return"
    assert c.allocations[0].amount == Decimal("-45.00") and c.fee == Decimal("3.00")
    action, c = decide(index.match(e[7]))
    assert action == "book" and c.case_ids == ("C-444",)


def test_camt_054_and_version_08_layout():
    xml = """<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>N1</MsgId><CreDtTm>2025-11-03T10:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1-1</Id><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">12.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2025-11-03</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E1</EndToEndId></Refs><Amt Ccy="EUR">12.50</Amt>
<RltdPties><Dbtr><Pty><Nm>Anna Berg</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>MW-2025-000009</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""
    [st] = parse_camt(xml.encode())
    assert st.source_format == "camt.054.001.08"
    [e] = st.entries
    assert (e.counterparty_name, e.end_to_end_id, e.value_date) == ("Anna Berg", "E1", None)
    assert e.entry_key.startswith("sha256:")


def _broken(old: str, new: str) -> bytes:
    assert old in CAMT_02
    return CAMT_02.replace(old, new, 1).encode()


def test_unclosed_tag_names_line_and_element():
    data = _broken("<Ustrd>Rate 3 MW-2023-000777</Ustrd>", "<Ustrd>Rate 3 MW-2023-000777")
    with pytest.raises(StatementError) as err:
        parse_camt(data, source="kaputt.xml")
    assert "Ustrd" in str(err.value) and "kaputt.xml" in str(err.value)
    assert err.value.line is not None and err.value.line > 60


def test_missing_amount_names_the_entry():
    data = _broken(
        '<Amt Ccy="EUR">80.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\n        '
        "<BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-04</Dt></ValDt>",
        "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\n        "
        "<BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-04</Dt></ValDt>",
    )
    with pytest.raises(StatementError) as err:
        parse_camt(data, validate=False)
    assert err.value.where == "/Document/BkToCstmrStmt/Stmt/Ntry[3]/Amt"
    assert "Amt" in err.value.message and err.value.line is not None
    # with the packaged XSD (the default) the schema names the entry and the line
    with pytest.raises(StatementError) as err:
        parse_camt(data)
    assert err.value.where == "/Document/BkToCstmrStmt/Stmt/Ntry[3]"
    assert "Schemaverletzung" in err.value.message and "Amt" in err.value.message
    assert err.value.line is not None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("camt.053.001.02", "camt.052.001.02", "keine CAMT.053/054"),
        (
            "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>",
            "<CdtDbtInd>CRDX</CdtDbtInd><Sts>BOOK</Sts>",
            "CRDX",
        ),
        ('<Amt Ccy="EUR">145.96</Amt>', '<Amt Ccy="EUR">145,96</Amt>', "Dezimalpunkt"),
        (
            "<Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>\n        <AcctSvcrRef>2025110300001",
            "<Dt>2025-13-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>\n        <AcctSvcrRef>2025110300001",
            "Datum",
        ),
        ('<Amt Ccy="EUR">1915.80</Amt>', '<Amt Ccy="EUR">1915.81</Amt>', "Saldenprüfung"),
        ('<Amt Ccy="EUR">57.84</Amt>', '<Amt Ccy="EUR">57.85</Amt>', "Sammelbuchung"),
        (f"<Acct><Id><IBAN>{OWN}</IBAN></Id><Ccy>EUR</Ccy></Acct>", "", "Acct"),
    ],
)
def test_broken_files_raise_statement_error(old, new, expected):
    # the reader's own checks (also for versions without a packaged XSD) ...
    with pytest.raises(StatementError) as err:
        parse_camt(_broken(old, new), validate=False)
    assert expected in str(err.value)
    # ... and by default the XSD first, where it catches the problem: always with a line
    with pytest.raises(StatementError) as err:
        parse_camt(_broken(old, new))
    assert err.value.line is not None or "keine CAMT" in str(err.value)


def test_not_xml_at_all():
    with pytest.raises(StatementError) as err:
        parse_camt(b":20:STARTUMSE\n:25:123")
    assert err.value.line == 1


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM")
    data = _broken(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>',
    )
    data = data.replace(b"Rate November", b"&x;")
    try:
        [st] = parse_camt(data)
    except StatementError:
        return
    assert "GEHEIM" not in st.entries[0].remittance
