"""MT940 reader (SWIFT Kontoauszug, as German banks still deliver it via EBICS/FinTS).

The fields are parsed by the ``mt-940`` package with all of its fixes switched on
(``Options.all()``: ``?31`` is the counterparty IBAN, reversals ``RC`` are negative, the
``:86:`` details are not cut off), including the German structured ``:86:`` sub-fields
(DFÜ-Abkommen Anlage 3): ``?00`` Buchungstext, ``?10`` Primanota, ``?20``–``?29``
Verwendungszweck with the SEPA keywords ``EREF+`` (end-to-end id), ``MREF+`` (mandate),
``SVWZ+`` (remittance), ``ABWA+`` (abweichender Auftraggeber), ``COAM+``/``OAMT+``
(fees and original amount of a return), ``?30`` BIC, ``?31`` IBAN, ``?32``/``?33`` name.

Before the package reads the text, this module checks the structure itself – the
package is lenient and would silently skip what it does not understand – so a broken file
raises :class:`StatementError` with the line number and field tag, and nothing partial is
returned:

- every line belongs to a known field (``:20:``, ``:25:``, ``:28C:``, ``:60F:``, ``:61:``,
  ``:86:``, ``:62F:``, …; ``:86:`` and ``:61:`` may continue on following lines),
- each statement has ``:20:``, ``:25:``, ``:60F/M:`` and ``:62F/M:``,
- ``:60:``/``:61:``/``:62:`` have the SWIFT layout (date, C/D/RC/RD mark, amount with comma),
- opening balance plus the ``:61:`` amounts equals the closing balance.

Returns are recognised by the Geschäftsvorfallcode (GVC 108/109 Rücklastschrift, 159
Rücküberweisung), the ``RC``/``RD`` storno marks, or an ISO reason code in the text.

>>> [st] = parse_mt940(SAMPLE)
>>> st.account_iban, len(st.entries)
('DE89370400440532013000', 1)
>>> e = st.entries[0]
>>> e.amount, e.counterparty_name, e.counterparty_iban, e.remittance
(Decimal('145.96'), 'Jürgen Müßig', 'DE02120300000000202051', 'MW-2025-000123 Rate 3')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import mt940 as mt940_lib

from mahnwerk.banking.iban import iban_check_digits, normalize_iban
from mahnwerk.banking.statement import (
    BankEntry,
    BankStatement,
    Sign,
    StatementError,
    number_occurrences,
)
from mahnwerk.domain.money import ZERO

SAMPLE = """:20:STARTUMSE
:25:37040044/0532013000
:28C:00001/001
:60F:C251103EUR1000,00
:61:2511031103CR145,96NTRFNONREF//2025110300001
:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-4711?21SVWZ+MW-2025-000123 Rate 3
?30BYLADEM1001?31DE02120300000000202051?32Jürgen Müßig
:62F:C251103EUR1145,96
-
"""

KNOWN_TAGS = {
    "20", "21", "25", "28", "28C", "60F", "60M", "61", "86", "62F", "62M", "64", "65",
    "13", "13D", "34F", "90D", "90C", "NS",
}  # fmt: skip
CONTINUABLE = {"86", "61", "NS", "25"}
RETURN_GVC = {"108", "109", "159", "160"}
ISO_RETURN_REASONS = {
    "AC01", "AC04", "AC06", "AC13", "AG01", "AG02", "AM04", "AM05", "BE05", "CNOR",
    "DNOR", "FF01", "FOCR", "MD01", "MD02", "MD06", "MD07", "MS02", "MS03", "RC01",
    "RR01", "RR02", "RR03", "RR04", "SL01", "DUPL", "TECH", "FRAD", "CUST", "UPAY",
}  # fmt: skip
_TAG = re.compile(r"^:([0-9]{2}[A-Z]?|NS):(.*)$")
_BAL = re.compile(r"^([CD])(\d{6})([A-Z]{3})(\d{1,15},\d{0,2})$")
_61 = re.compile(
    r"^(?P<vdate>\d{6})(?P<edate>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>\d{1,12},\d{0,2})(?P<type>[NFS][A-Z0-9]{3})(?P<rest>.*)$"
)
_REASON = re.compile(r"\b(" + "|".join(sorted(ISO_RETURN_REASONS)) + r")\b")


@dataclass
class _Block:
    first_line: int
    fields: list[tuple[str, str, int]] = field(default_factory=list)

    def first(self, *tags: str) -> tuple[str, str, int] | None:
        return next((f for f in self.fields if f[0] in tags), None)


def _decode(data: bytes | str, encoding: str | None) -> str:
    if isinstance(data, str):
        return data
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _amount(text: str) -> Decimal:
    whole, _, frac = text.partition(",")
    return Decimal(f"{whole}.{(frac or '0').ljust(2, '0')}").quantize(Decimal("0.01"))


def _yymmdd(text: str) -> date:
    year = int(text[:2])
    return date(2000 + year if year < 80 else 1900 + year, int(text[2:4]), int(text[4:6]))


def _blocks(text: str, source: str | None) -> list[_Block]:
    """Split into statements (each from ``:20:``), checking every line's field."""
    blocks: list[_Block] = []
    current: _Block | None = None
    last_tag: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped in ("-", "-}", "}") or stripped.startswith("{"):
            if stripped.startswith("-"):
                last_tag = None
            continue
        m = _TAG.match(line)
        if m is None:
            if current is None or last_tag not in CONTINUABLE or not current.fields:
                raise StatementError(
                    f"Text außerhalb eines Feldes: {stripped[:30]!r}",
                    file=source,
                    line=number,
                    where=f":{last_tag}:" if last_tag else None,
                )
            tag, value, start = current.fields[-1]
            sep = "\n" if tag == "61" else ""
            current.fields[-1] = (tag, value + sep + line, start)
            continue
        tag, value = m.group(1), m.group(2)
        if tag not in KNOWN_TAGS:
            raise StatementError(f"unbekanntes Feld :{tag}:", file=source, line=number)
        if tag == "20":
            current = _Block(number)
            blocks.append(current)
        elif current is None:
            raise StatementError(
                f"Feld :{tag}: vor dem ersten :20:", file=source, line=number, where=f":{tag}:"
            )
        current.fields.append((tag, value, number))
        last_tag = tag
    if not blocks:
        raise StatementError("keine MT940-Daten (kein Feld :20:)", file=source, line=1)
    return blocks


def _check_block(block: _Block, source: str | None) -> tuple[Decimal, int]:
    """Check layout and balances; return (sum of movements, number of :61:)."""
    for required in (("25",), ("60F", "60M"), ("62F", "62M")):
        if block.first(*required) is None:
            raise StatementError(
                f"Pflichtfeld :{required[0]}: fehlt",
                file=source,
                line=block.first_line,
                where=f":{required[0]}:",
            )
    balances: dict[str, Decimal] = {}
    movements = ZERO
    count = 0
    previous = ""
    for tag, value, line in block.fields:
        if tag in ("60F", "60M", "62F", "62M", "64", "65"):
            m = _BAL.match(value.strip())
            if m is None:
                raise StatementError(
                    f"Saldo {value.strip()!r} hat nicht die Form C/D JJMMTT Währung Betrag",
                    file=source,
                    line=line,
                    where=f":{tag}:",
                )
            try:
                _yymmdd(m.group(2))
            except ValueError as exc:
                raise StatementError(
                    f"Datum {m.group(2)} ungültig", file=source, line=line, where=f":{tag}:"
                ) from exc
            amount = _amount(m.group(4))
            balances.setdefault(tag[:2], amount if m.group(1) == "C" else -amount)
        elif tag == "61":
            first_line = value.split("\n", 1)[0].strip()
            m = _61.match(first_line)
            if m is None:
                raise StatementError(
                    f"Umsatzzeile {first_line[:40]!r} hat nicht die SWIFT-Form "
                    "(Valuta JJMMTT, [Buchung MMTT], C/D/RC/RD, Betrag mit Komma, "
                    "Buchungsschlüssel)",
                    file=source,
                    line=line,
                    where=":61:",
                )
            try:
                _yymmdd(m.group("vdate"))
                if m.group("edate"):
                    date(2000, int(m.group("edate")[:2]), int(m.group("edate")[2:]))
            except ValueError as exc:
                raise StatementError(
                    "Valuta- oder Buchungsdatum ungültig", file=source, line=line, where=":61:"
                ) from exc
            amount = _amount(m.group("amount"))
            movements += amount if m.group("mark") in ("C", "RD") else -amount
            count += 1
        elif tag == "86" and previous != "61":
            raise StatementError(
                "Feld :86: ohne vorangehendes :61:", file=source, line=line, where=":86:"
            )
        previous = tag
    opening, closing = balances["60"], balances["62"]
    if opening + movements != closing:
        closing_line = block.first("62F", "62M")
        raise StatementError(
            f"Saldenprüfung: Anfangssaldo {opening} + Umsätze {movements} ≠ Schlusssaldo {closing}",
            file=source,
            line=closing_line[2] if closing_line else None,
            where=":62F:",
        )
    return movements, count


def _account_iban(value: str) -> str:
    value = value.strip()
    compact = normalize_iban(value)
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return compact[:22] if compact.startswith("DE") else compact
    m = re.match(r"^(\d{8})/(\d{1,10})", value)
    if m:
        bban = m.group(1) + m.group(2).rjust(10, "0")
        return f"DE{iban_check_digits('DE', bban)}{bban}"
    return value


def _plain_date(value: object) -> date | None:
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _entry(data: dict[str, object]) -> BankEntry:
    amount_obj = data["amount"]
    signed = Decimal(str(amount_obj.amount))  # type: ignore[attr-defined]
    status = str(data.get("status") or "")
    sign = Sign.CREDIT if signed > 0 or (status in ("C", "RD") and signed == 0) else Sign.DEBIT
    gvc = _text(data.get("transaction_code"))
    purpose = _text(data.get("purpose"))
    extra = _text(data.get("additional_purpose"))
    remittance = " ".join(p for p in (purpose, extra) if p)
    reason_text = " ".join(
        _text(data.get(k)) for k in ("return_debit_notes", "purpose", "posting_text")
    )
    reason_match = _REASON.search(reason_text)
    charges = ZERO
    fee_text = _text(data.get("compensation_amount"))
    fee = re.search(r"(\d+),(\d{2})", fee_text)
    if fee:
        charges = Decimal(f"{fee.group(1)}.{fee.group(2)}")
    is_return = gvc in RETURN_GVC or status in ("RC", "RD")
    bank_ref = _text(data.get("bank_reference"))
    end_to_end = _text(data.get("end_to_end_reference"))
    if end_to_end.upper() in ("NOTPROVIDED", "NONREF"):
        end_to_end = ""
    return BankEntry(
        amount=abs(signed).quantize(Decimal("0.01")),
        sign=sign,
        booking_date=_plain_date(data.get("entry_date")) or _plain_date(data.get("date")),  # type: ignore[arg-type]
        value_date=_plain_date(data.get("date")),
        currency=_text(data.get("currency")) or "EUR",
        counterparty_name=_text(data.get("applicant_name")),
        counterparty_iban=normalize_iban(_text(data.get("applicant_iban"))),
        counterparty_bic=_text(data.get("applicant_bin")),
        ultimate_party_name=_text(data.get("deviate_applicant")),
        remittance=remittance,
        end_to_end_id=end_to_end,
        mandate_id=_text(data.get("additional_position_reference")),
        bank_reference=bank_ref,
        bank_transaction_code=" ".join(
            p for p in (_text(data.get("id")), gvc, _text(data.get("posting_text"))) if p
        ),
        return_reason=reason_match.group(1) if (reason_match and is_return) else "",
        is_return=is_return,
        charges=charges if is_return else ZERO,
    )


def parse_mt940(
    data: bytes | str, *, source: str | None = None, encoding: str | None = None
) -> list[BankStatement]:
    """Read MT940 text (one or more statements) into statements."""
    text = _decode(data, encoding).replace("\r\n", "\n").lstrip("\ufeff")
    blocks = _blocks(text, source)
    checks = [_check_block(b, source) for b in blocks]
    try:
        parsed = mt940_lib.parse_statements(text, options=mt940_lib.Options.all())
    except Exception as exc:  # the package raises assorted errors on odd input
        raise StatementError(f"MT940 unlesbar: {exc}", file=source) from exc
    parsed = [p for p in parsed if p.data or len(p)]
    if len(parsed) != len(blocks):
        raise StatementError(
            f"{len(blocks)} Auszüge erkannt, aber {len(parsed)} gelesen", file=source
        )
    statements = []
    for block, (_, count), transactions in zip(blocks, checks, parsed, strict=True):
        if len(transactions) != count:
            raise StatementError(
                f"{count} Umsätze (:61:) im Auszug, aber {len(transactions)} gelesen",
                file=source,
                line=block.first_line,
            )
        entries = []
        for t in transactions:
            entries.append(_entry(t.data))
        header = transactions.data
        opening = header.get("final_opening_balance") or header.get("intermediate_opening_balance")
        closing = header.get("final_closing_balance") or header.get("intermediate_closing_balance")
        tag25 = block.first("25")
        statements.append(
            BankStatement(
                account_iban=_account_iban(tag25[1] if tag25 else ""),
                statement_id="/".join(
                    p
                    for p in (
                        _text(header.get("transaction_reference")),
                        _text(header.get("statement_number")),
                        _text(header.get("sequence_number")),
                    )
                    if p
                ),
                entries=number_occurrences(entries),
                source_format="mt940",
                opening_balance=Decimal(str(opening.amount.amount)) if opening else None,
                closing_balance=Decimal(str(closing.amount.amount)) if closing else None,
            )
        )
    return statements


def parse_mt940_file(path: str | Path, *, encoding: str | None = None) -> list[BankStatement]:
    p = Path(path)
    return parse_mt940(p.read_bytes(), source=p.name, encoding=encoding)
