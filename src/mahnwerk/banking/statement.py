"""The common model of a bank statement (Kontoauszug), whatever the file format.

CAMT.053/.054 (:mod:`mahnwerk.banking.camt`) and MT940 (:mod:`mahnwerk.banking.mt940`)
both produce :class:`BankStatement` objects holding booked :class:`BankEntry` lines
(Umsätze). Amounts are positive ``Decimal`` euros; the direction is :class:`Sign`
(Gutschrift = credit, Lastschrift/Belastung = debit).

Every entry has an :attr:`BankEntry.entry_key` that makes a re-import idempotent: the
bank's own reference (``AcctSvcrRef`` / MT940 bank reference) where there is one, else a
SHA-256 over the normalized content. Two identical entries in one statement (the same
person paying the same amount twice on one day without references) are told apart by
:attr:`BankEntry.occurrence`, which the parsers number. The key is unique per account:
the caller stores it together with the account IBAN.

>>> e = BankEntry(amount=Decimal("145.96"), sign=Sign.CREDIT, booking_date=date(2025, 11, 3),
...     remittance="MW-2025-000123", bank_reference="2025110300001")
>>> e.entry_key
'ref:2025110300001'
>>> e.signed_amount
Decimal('145.96')
>>> BankEntry(amount=Decimal("5"), sign=Sign.DEBIT, booking_date=date(2025, 1, 2)).entry_key[:7]
'sha256:'
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from mahnwerk.domain.money import ZERO


class Sign(StrEnum):
    """Credit/debit indicator (``CdtDbtInd``): money in (Gutschrift) or out (Belastung)."""

    CREDIT = "CRDT"
    DEBIT = "DBIT"


class StatementError(ValueError):
    """A statement file that cannot be read; nothing of it may be booked.

    ``where`` names the element path (CAMT) or the field tag (MT940) where it breaks.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        where: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.where = where
        super().__init__(self._text())

    def _text(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"Zeile {self.line}")
        if self.where:
            parts.append(self.where)
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class StatementAlreadyImported(StatementError):
    """The statement's entries were stored by another import at the same time (the loser of
    two concurrent imports of one file): nothing of this import was booked. The API answers
    409, the command line exits with 2."""


def _norm_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


@dataclass(frozen=True)
class BankEntry:
    """One booked line of a statement (Umsatz / Buchung).

    For a batch booking (Sammelbuchung) with several transaction details each detail is
    its own entry. ``charges`` are bank fees contained in ``amount`` (e.g. the
    Rücklastschriftgebühr of a return); for a return the returned collection is
    :attr:`returned_amount`.
    """

    amount: Decimal
    sign: Sign
    booking_date: date
    value_date: date | None = None
    currency: str = "EUR"
    counterparty_name: str = ""
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    ultimate_party_name: str = ""
    remittance: str = ""
    structured_reference: str = ""
    end_to_end_id: str = ""
    mandate_id: str = ""
    bank_reference: str = ""
    bank_transaction_code: str = ""
    return_reason: str = ""
    is_return: bool = False
    charges: Decimal = ZERO
    occurrence: int = 0

    @property
    def is_credit(self) -> bool:
        return self.sign is Sign.CREDIT

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.sign is Sign.CREDIT else -self.amount

    @property
    def returned_amount(self) -> Decimal:
        """For a return: the collection amount that came back, without the bank's fee."""
        return self.amount - self.charges

    @property
    def content_hash(self) -> str:
        fields = (
            self.sign.value,
            str(self.amount),
            self.currency,
            self.booking_date.isoformat(),
            self.value_date.isoformat() if self.value_date else "",
            self.counterparty_iban.replace(" ", "").upper(),
            _norm_text(self.counterparty_name),
            _norm_text(self.remittance),
            _norm_text(self.structured_reference),
            self.end_to_end_id.strip(),
            self.mandate_id.strip(),
            self.return_reason,
            str(self.occurrence),
        )
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()

    @property
    def entry_key(self) -> str:
        """``ref:<bank reference>`` or ``sha256:<content hash>`` (idempotent re-import)."""
        ref = self.bank_reference.strip()
        if ref and ref.upper() not in ("NONREF", "NOTPROVIDED"):
            return f"ref:{ref}"
        return f"sha256:{self.content_hash}"


@dataclass(frozen=True)
class BankStatement:
    """One statement (Kontoauszug) or notification (Avis) of one account."""

    account_iban: str
    statement_id: str
    entries: tuple[BankEntry, ...] = ()
    source_format: str = ""
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    currency: str = "EUR"
    created: str = ""
    electronic_sequence: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def balance_problems(self) -> list[str]:
        """Opening balance plus the entries must give the closing balance (Saldenprüfung)."""
        if self.opening_balance is None or self.closing_balance is None:
            return []
        total = sum((e.signed_amount for e in self.entries), self.opening_balance)
        if total != self.closing_balance:
            return [
                f"Anfangssaldo {self.opening_balance} + Umsätze ergibt {total}, "
                f"Schlusssaldo ist {self.closing_balance}"
            ]
        return []


def number_occurrences(entries: Iterable[BankEntry]) -> tuple[BankEntry, ...]:
    """Give identical entries without bank reference distinct ``occurrence`` numbers."""
    seen: Counter[str] = Counter()
    out = []
    for entry in entries:
        if entry.entry_key.startswith("ref:"):
            key = entry.entry_key
        else:
            key = replace(entry, occurrence=0).content_hash
        n = seen[key]
        seen[key] += 1
        out.append(replace(entry, occurrence=n) if n else entry)
    keys = Counter(e.entry_key for e in out)
    dup = [k for k, c in keys.items() if c > 1]
    if dup:
        # The same bank reference twice in one statement: keep them apart by position.
        counter: Counter[str] = Counter()
        fixed = []
        for entry in out:
            if entry.entry_key in dup:
                counter[entry.entry_key] += 1
                fixed.append(
                    replace(
                        entry, bank_reference=f"{entry.bank_reference}#{counter[entry.entry_key]}"
                    )
                )
            else:
                fixed.append(entry)
        out = fixed
    return tuple(out)
