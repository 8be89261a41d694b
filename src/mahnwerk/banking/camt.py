"""CAMT.053 (Kontoauszug) and CAMT.054 (Soll-/Haben-Avis) reader, as German banks send them.

Reads ISO 20022 ``camt.053.001.NN`` (BankToCustomerStatement) and ``camt.054.001.NN``
(BankToCustomerDebitCreditNotification), versions .01 to .14 – in practice the DFÜ-Abkommen
(DK) versions .001.02 and .001.08 – with lxml into
:class:`~mahnwerk.banking.statement.BankStatement`.

Rules:

- Only booked entries (``<Sts>BOOK</Sts>`` or ``<Sts><Cd>BOOK</Cd></Sts>``); pending or
  informational entries are skipped.
- A batch booking (Sammelbuchung) with several ``TxDtls`` becomes one entry per ``TxDtls``
  with that detail's amount; the details must add up to the entry amount.
- With a single ``TxDtls`` the entry amount (what really moved on the account) is used;
  bank fees in ``Chrgs`` (e.g. the Rücklastschriftgebühr) are kept in ``charges``.
- Returns (Rücklastschrift, Rücküberweisung) are recognised by ``RtrInf`` (reason code
  such as AC04 "Konto erloschen", MD06 "Widerspruch durch Zahler"), ``RvslInd`` or the
  bank transaction code (``PMNT/IDDT/UPDD``, ``PMNT/RCDT/RRTN``, DK GVC 108/109/159).
- The counterparty is the party of the transaction that is not the statement's own
  account: normally the debtor (Zahler) of a credit and the creditor of a debit.
- Opening + booked entries must equal the closing balance (Saldenprüfung).
- A file that is not well-formed, has an unknown namespace, lacks a required element or
  has an unreadable value raises :class:`StatementError` naming the line and element
  path; nothing partial is returned.

The official ISO 20022 XSDs of camt.053/054 .001.02 and .001.08 (the DK versions) are
shipped in :data:`PACKAGED_SCHEMAS`, and a file of one of these versions is validated
against its XSD by default (a violation raises :class:`StatementError` naming the line and
the element). Pass ``schema_dir`` (a folder with e.g. ``camt.053.001.04.xsd``) to validate
other versions as well, or ``validate=False`` to skip the XSD check (structure is still
checked while reading).

>>> xml = SAMPLE.encode()
>>> [st] = parse_camt(xml)
>>> st.account_iban, len(st.entries)
('DE89370400440532013000', 1)
>>> e = st.entries[0]
>>> e.amount, e.sign.value, e.counterparty_name, e.remittance
(Decimal('145.96'), 'CRDT', 'Jürgen Müßig', 'MW-2025-000123 Rate 3')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from mahnwerk.banking.iban import normalize_iban
from mahnwerk.banking.statement import (
    BankEntry,
    BankStatement,
    Sign,
    StatementError,
    number_occurrences,
)
from mahnwerk.domain.money import ZERO

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
_NS_RE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(\d{2})$")
KNOWN_VERSIONS = {f"{msg}.001.{v:02d}" for msg in ("camt.053", "camt.054") for v in range(1, 15)}
_ROOTS = {"camt.053": ("BkToCstmrStmt", "Stmt"), "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
_AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,5})?$")
RETURN_SUBFAMILIES = {"UPDD", "RRTN", "ARET", "RPCR"}
RETURN_GVC = {"108", "109", "159", "160"}
_PLACEHOLDERS = {"NOTPROVIDED", "NONREF", "NOT PROVIDED"}

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-11-03T18:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S1</Id>
   <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
   <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-11-02</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">145.96</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-11-03</Dt></Dt></Bal>
   <Ntry>
    <Amt Ccy="EUR">145.96</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2025-11-03</Dt></BookgDt><ValDt><Dt>2025-11-03</Dt></ValDt>
    <AcctSvcrRef>R1</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><TxDtls>
     <RltdPties><Dbtr><Pty><Nm>Jürgen Müßig</Nm></Pty></Dbtr></RltdPties>
     <RmtInf><Ustrd>MW-2025-000123 Rate 3</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def element_path(el: etree._Element) -> str:
    """``/Document/BkToCstmrStmt/Stmt/Ntry[3]/Amt`` – local names, 1-based index if repeated."""
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


class _Reader:
    """Namespace-bound helpers that raise :class:`StatementError` with a location."""

    def __init__(self, ns: str, source: str | None) -> None:
        self.ns = {"c": ns}
        self.source = source

    def error(self, message: str, el: etree._Element, child: str | None = None) -> StatementError:
        where = element_path(el) + (f"/{child}" if child else "")
        return StatementError(message, file=self.source, line=el.sourceline, where=where)

    def _xp(self, path: str) -> str:
        return "/".join(f"c:{p}" for p in path.split("/"))

    def find(self, el: etree._Element, path: str) -> etree._Element | None:
        return el.find(self._xp(path), self.ns)

    def findall(self, el: etree._Element, path: str) -> list[etree._Element]:
        return list(el.findall(self._xp(path), self.ns))

    def text(self, el: etree._Element | None, path: str) -> str:
        if el is None:
            return ""
        found = el.find(self._xp(path), self.ns)
        if found is None or found.text is None:
            return ""
        value = " ".join(found.text.split())
        return "" if value.upper() in _PLACEHOLDERS else value

    def require(self, el: etree._Element, path: str) -> etree._Element:
        found = self.find(el, path)
        if found is None:
            raise self.error(f"Pflichtelement {path} fehlt", el, path)
        return found

    def require_text(self, el: etree._Element, path: str) -> str:
        found = self.require(el, path)
        value = (found.text or "").strip()
        if not value:
            raise self.error(f"Element {path} ist leer", found)
        return value

    def amount(self, el: etree._Element) -> tuple[Decimal, str]:
        text = (el.text or "").strip()
        if not _AMOUNT.match(text):
            raise self.error(f"Betrag {text!r} ist keine Zahl mit Dezimalpunkt", el)
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex guards this
            raise self.error(f"Betrag {text!r} unlesbar", el) from exc
        if value != value.quantize(Decimal("0.01")):
            raise self.error(f"Betrag {text!r} hat mehr als zwei Nachkommastellen", el)
        currency = el.get("Ccy", "")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise self.error("Attribut Ccy (Währung) fehlt oder ist ungültig", el)
        return value.quantize(Decimal("0.01")), currency

    def date(self, el: etree._Element) -> date:
        """``<Dt>`` or ``<DtTm>`` inside ``el``."""
        dt = self.find(el, "Dt")
        try:
            if dt is not None:
                return date.fromisoformat((dt.text or "").strip())
            dtm = self.find(el, "DtTm")
            if dtm is not None:
                return datetime.fromisoformat((dtm.text or "").strip()).date()
        except ValueError as exc:
            raise self.error(f"Datum unlesbar: {exc}", el) from exc
        raise self.error("Datum fehlt (Dt oder DtTm)", el)

    def sign(self, el: etree._Element, path: str = "CdtDbtInd") -> Sign:
        value = self.require_text(el, path)
        try:
            return Sign(value)
        except ValueError as exc:
            raise self.error(f"CdtDbtInd {value!r} ist weder CRDT noch DBIT", el, path) from exc

    def party_name(self, el: etree._Element | None) -> str:
        """``Nm`` (.001.02) or ``Pty/Nm`` (.001.08+) of a party."""
        if el is None:
            return ""
        return self.text(el, "Nm") or self.text(el, "Pty/Nm")


def parse_camt(
    data: bytes,
    *,
    source: str | None = None,
    schema_dir: Path | None = None,
    validate: bool = True,
) -> list[BankStatement]:
    """Read a CAMT.053/.054 file (bytes, any XML encoding) into statements.

    Raises :class:`StatementError` for anything that is not a readable, complete file.
    Validates against the XSD in ``schema_dir`` or, without one, against the packaged XSD
    of the version where there is one (``validate=False`` skips the XSD check).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise StatementError(
            f"XML nicht wohlgeformt: {exc.msg}", file=source, line=exc.lineno, where=None
        ) from exc
    qname = etree.QName(root)
    match = _NS_RE.match(qname.namespace or "")
    if qname.localname != "Document" or not match:
        raise StatementError(
            f"keine CAMT.053/054-Datei: Wurzelelement {qname.localname!r} im Namensraum "
            f"{qname.namespace!r}",
            file=source,
            line=root.sourceline,
            where="/" + qname.localname,
        )
    message = f"{match.group(1)}.001.{match.group(2)}"
    if message not in KNOWN_VERSIONS:
        raise StatementError(
            f"unbekannte Version {message}", file=source, line=root.sourceline, where="/Document"
        )
    if schema_dir is not None:
        validate_schema(root, message, schema_dir, source=source)
    elif validate and schema_path(message, PACKAGED_SCHEMAS) is not None:
        validate_schema(root, message, PACKAGED_SCHEMAS, source=source)
    reader = _Reader(qname.namespace or "", source)
    container_name, statement_name = _ROOTS[match.group(1)]
    container = reader.require(root, container_name)
    statements = reader.findall(container, statement_name)
    if not statements:
        raise reader.error(f"kein {statement_name} enthalten", container, statement_name)
    return [_statement(reader, st, message) for st in statements]


def parse_camt_file(
    path: str | Path, *, schema_dir: Path | None = None, validate: bool = True
) -> list[BankStatement]:
    p = Path(path)
    return parse_camt(p.read_bytes(), source=p.name, schema_dir=schema_dir, validate=validate)


def _statement(r: _Reader, st: etree._Element, message: str) -> BankStatement:
    statement_id = r.require_text(st, "Id")
    acct = r.require(st, "Acct")
    iban = r.text(acct, "Id/IBAN")
    if not iban:
        other = r.text(acct, "Id/Othr/Id")
        if not other:
            raise r.error("Kontonummer fehlt (Acct/Id/IBAN)", acct, "Id/IBAN")
        iban = other
    iban = normalize_iban(iban)
    opening = closing = None
    for bal in r.findall(st, "Bal"):
        code = r.text(bal, "Tp/CdOrPrtry/Cd") or r.text(bal, "Tp/CdOrPrtry/Prtry")
        amount, _ = r.amount(r.require(bal, "Amt"))
        signed = amount if r.sign(bal) is Sign.CREDIT else -amount
        if code in ("OPBD", "PRCD") and opening is None:
            opening = signed
        elif code == "CLBD":
            closing = signed
    entries: list[BankEntry] = []
    for ntry in r.findall(st, "Ntry"):
        entries.extend(_entry(r, ntry, iban))
    statement = BankStatement(
        account_iban=iban,
        statement_id=statement_id,
        entries=number_occurrences(entries),
        source_format=message,
        opening_balance=opening,
        closing_balance=closing,
        currency=r.text(acct, "Ccy") or "EUR",
        created=r.text(st, "CreDtTm"),
        electronic_sequence=r.text(st, "ElctrncSeqNb"),
    )
    problems = statement.balance_problems()
    if problems:
        closing_el = next(
            (b for b in r.findall(st, "Bal") if r.text(b, "Tp/CdOrPrtry/Cd") == "CLBD"), st
        )
        raise r.error("Saldenprüfung: " + problems[0], closing_el)
    return statement


def _status(r: _Reader, ntry: etree._Element) -> str:
    sts = r.require(ntry, "Sts")
    code = r.find(sts, "Cd")
    value = (code.text if code is not None else sts.text) or ""
    value = value.strip()
    if not value:
        raise r.error("Buchungsstatus (Sts) ist leer", sts)
    return value


def _bank_code(r: _Reader, el: etree._Element | None) -> tuple[str, str, str]:
    """(``Domn/Fmly/SubFmly``, sub-family code, DK GVC) of a ``BkTxCd``."""
    if el is None:
        return "", "", ""
    domain = r.text(el, "Domn/Cd")
    family = r.text(el, "Domn/Fmly/Cd")
    sub = r.text(el, "Domn/Fmly/SubFmlyCd")
    proprietary = r.text(el, "Prtry/Cd")
    gvc = ""
    parts = proprietary.split("+")
    if len(parts) >= 2 and parts[1].isdigit():
        gvc = parts[1]
    code = "/".join(p for p in (domain, family, sub) if p) or proprietary
    if proprietary and code != proprietary:
        code = f"{code} {proprietary}"
    return code, sub, gvc


def _charges(r: _Reader, el: etree._Element | None) -> Decimal:
    if el is None:
        return ZERO
    total = ZERO
    chrgs = r.find(el, "Chrgs")
    if chrgs is None:
        return ZERO
    amounts = r.findall(chrgs, "Rcrd/Amt") or r.findall(chrgs, "Amt")
    for amt in amounts:
        total += r.amount(amt)[0]
    return total


class _Common(NamedTuple):
    currency: str
    booking_date: date
    value_date: date | None
    code: str


def _entry(r: _Reader, ntry: etree._Element, own_iban: str) -> list[BankEntry]:
    if _status(r, ntry) != "BOOK":
        return []
    amount, currency = r.amount(r.require(ntry, "Amt"))
    sign = r.sign(ntry)
    booking = r.date(r.require(ntry, "BookgDt"))
    value_el = r.find(ntry, "ValDt")
    value = r.date(value_el) if value_el is not None else None
    reversal = r.text(ntry, "RvslInd").lower() == "true"
    ntry_ref = r.text(ntry, "AcctSvcrRef")
    code, sub, gvc = _bank_code(r, r.find(ntry, "BkTxCd"))
    additional = r.text(ntry, "AddtlNtryInf")
    txs = r.findall(ntry, "NtryDtls/TxDtls")
    base = _Common(currency, booking, value, code)
    if not txs:
        entry = BankEntry(
            amount=amount,
            sign=sign,
            remittance=additional,
            bank_reference=ntry_ref,
            is_return=reversal or sub in RETURN_SUBFAMILIES or gvc in RETURN_GVC,
            charges=_charges(r, ntry),
            currency=base.currency,
            booking_date=base.booking_date,
            value_date=base.value_date,
            bank_transaction_code=base.code,
        )
        return [entry]
    if len(txs) == 1:
        tx = txs[0]
        charges = _charges(r, tx) or _charges(r, ntry)
        return [
            _tx_entry(r, tx, amount, sign, ntry_ref, own_iban, charges, additional, base, sub, gvc)
        ]
    out: list[BankEntry] = []
    total = ZERO
    for index, tx in enumerate(txs, start=1):
        amt_el = r.find(tx, "Amt")
        if amt_el is None:
            amt_el = r.find(tx, "AmtDtls/TxAmt/Amt")
        if amt_el is None:
            raise r.error("Sammelbuchung: Betrag des Einzelumsatzes fehlt", tx, "Amt")
        tx_amount, _ = r.amount(amt_el)
        tx_sign = r.sign(tx) if r.find(tx, "CdtDbtInd") is not None else sign
        total += tx_amount if tx_sign is sign else -tx_amount
        ref = r.text(tx, "Refs/AcctSvcrRef")
        if not ref and ntry_ref:
            ref = f"{ntry_ref}/{index}"
        out.append(
            _tx_entry(r, tx, tx_amount, tx_sign, ref, own_iban, _charges(r, tx), "", base, sub, gvc)
        )
    if total != amount:
        raise r.error(
            f"Sammelbuchung: Einzelumsätze ergeben {total}, Buchung lautet auf {amount}",
            ntry,
            "Amt",
        )
    return out


def _tx_entry(
    r: _Reader,
    tx: etree._Element,
    amount: Decimal,
    sign: Sign,
    bank_ref: str,
    own_iban: str,
    charges: Decimal,
    additional: str,
    base: _Common,
    sub: str,
    gvc: str,
) -> BankEntry:
    tx_ref = r.text(tx, "Refs/AcctSvcrRef")
    parties = r.find(tx, "RltdPties")
    debtor = (
        r.party_name(r.find(parties, "Dbtr")) if parties is not None else "",
        normalize_iban(r.text(parties, "DbtrAcct/Id/IBAN")),
        r.text(tx, "RltdAgts/DbtrAgt/FinInstnId/BIC")
        or r.text(tx, "RltdAgts/DbtrAgt/FinInstnId/BICFI"),
        r.party_name(r.find(parties, "UltmtDbtr")) if parties is not None else "",
    )
    creditor = (
        r.party_name(r.find(parties, "Cdtr")) if parties is not None else "",
        normalize_iban(r.text(parties, "CdtrAcct/Id/IBAN")),
        r.text(tx, "RltdAgts/CdtrAgt/FinInstnId/BIC")
        or r.text(tx, "RltdAgts/CdtrAgt/FinInstnId/BICFI"),
        r.party_name(r.find(parties, "UltmtCdtr")) if parties is not None else "",
    )
    first, second = (debtor, creditor) if sign is Sign.CREDIT else (creditor, debtor)
    if (first[1] and first[1] == own_iban) or not (first[0] or first[1]):
        first = second
    ustrd = [" ".join((u.text or "").split()) for u in r.findall(tx, "RmtInf/Ustrd") if u.text]
    strd_refs = [
        " ".join((x.text or "").split()) for x in r.findall(tx, "RmtInf/Strd/CdtrRefInf/Ref")
    ]
    strd_text = [" ".join((x.text or "").split()) for x in r.findall(tx, "RmtInf/Strd/AddtlRmtInf")]
    remittance = " ".join(p for p in [*ustrd, *strd_text] if p) or additional
    rtr = r.find(tx, "RtrInf")
    reason = ""
    if rtr is not None:
        reason = r.text(rtr, "Rsn/Cd") or r.text(rtr, "Rsn/Prtry")
    is_return = (
        rtr is not None
        or r.text(tx, "RvslInd").lower() == "true"
        or sub in RETURN_SUBFAMILIES
        or gvc in RETURN_GVC
    )
    return BankEntry(
        amount=amount,
        sign=sign,
        counterparty_name=first[0],
        counterparty_iban=first[1],
        counterparty_bic=first[2],
        ultimate_party_name=first[3],
        remittance=remittance,
        structured_reference=" ".join(p for p in strd_refs if p),
        end_to_end_id=r.text(tx, "Refs/EndToEndId"),
        mandate_id=r.text(tx, "Refs/MndtId"),
        bank_reference=tx_ref or bank_ref,
        return_reason=reason,
        is_return=is_return,
        charges=charges,
        currency=base.currency,
        booking_date=base.booking_date,
        value_date=base.value_date,
        bank_transaction_code=base.code,
    )


# ------------------------------------------------------------------ schema validation


#: The official ISO 20022 XSDs of the versions German banks deliver (camt.053/054 .02 and .08),
#: shipped with the package; other versions are checked structurally only.
PACKAGED_SCHEMAS = Path(__file__).parent / "schemas"


def schema_path(message: str, schema_dir: Path) -> Path | None:
    """``<schema_dir>/camt.053.001.08.xsd`` if present."""
    path = Path(schema_dir) / f"{message}.xsd"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=16)
def _load_schema(path: str) -> object:
    import xmlschema

    return xmlschema.XMLSchema(path)


def schema_errors(tree: etree._Element | bytes, xsd: Path) -> list[str]:
    """Violations of an XSD, each as ``line N, path: reason``."""
    schema = _load_schema(str(xsd))
    root = etree.fromstring(tree, _parser()) if isinstance(tree, bytes) else tree
    problems = []
    for err in schema.iter_errors(root):  # type: ignore[attr-defined]
        line = getattr(err, "sourceline", None)
        path = getattr(err, "path", "") or ""
        reason = getattr(err, "reason", None) or str(err)
        problems.append(f"Zeile {line}, {path}: {reason}")
    return problems


def validate_schema(
    root: etree._Element, message: str, schema_dir: Path, *, source: str | None = None
) -> None:
    xsd = schema_path(message, schema_dir)
    if xsd is None:
        raise StatementError(f"Schema {message}.xsd nicht in {schema_dir}", file=source)
    schema = _load_schema(str(xsd))
    for err in schema.iter_errors(root):  # type: ignore[attr-defined]
        elem = getattr(err, "elem", None)
        line = getattr(elem, "sourceline", None) if elem is not None else None
        if line is None:
            line = getattr(err, "sourceline", None)
        where = element_path(elem) if isinstance(elem, etree._Element) else None
        where = where or getattr(err, "path", None) or None
        reason = getattr(err, "reason", None) or str(err)
        raise StatementError(
            f"Schemaverletzung ({message}.xsd): {reason}", file=source, line=line, where=where
        )


def iter_entries(statements: Iterable[BankStatement]) -> list[BankEntry]:
    return [e for st in statements for e in st.entries]
