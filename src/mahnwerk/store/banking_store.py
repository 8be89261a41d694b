"""Tables of banking: statements, entries, matches, review queue, mandates, payouts.

- :class:`BankStatement`: one imported statement (account, the bank's statement id, the
  file's SHA-256).
- :class:`BankEntry`: one booked line; unique per account and ``entry_key`` (the bank's
  reference or a content hash), which makes a repeated import book nothing twice. Its
  ``status`` says what became of it: ``booked``, ``review`` (waits for a person),
  ``unapplied`` (matched nothing; the money is kept), ``returned`` (a Rücklastschrift that
  reversed a booking) or ``ignored`` (debits that are not ours, or marked "not ours").
- :class:`BankMatch`: what an entry was booked to (case, amount, confidence, reasons, who
  decided, the payment it created or reversed).
- :class:`LearnedPayer`: a person confirmed that this IBAN / payer name pays for this person
  (a :class:`~mahnwerk.store.models.Person`, i.e. the debtor across creditors).
- :class:`SepaMandate`, :class:`SepaCollection`: direct-debit mandates of payment plans and
  the collections sent under them (FRST, then RCUR).
- :class:`CreditorPayout`, :class:`CreditorPayoutItem`: payouts to creditors (pain.001) and
  the payments each one settled, so that no payment is paid out twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import ID, Base, pk, ts
from mahnwerk.store.types import Cents

ENTRY_STATUSES = ("booked", "review", "unapplied", "returned", "ignored")


class BankStatement(Base):
    __tablename__ = "bank_statement"
    id: Mapped[int] = pk()
    account_iban: Mapped[str] = mapped_column(String(34))
    statement_id: Mapped[str] = mapped_column(String(100))
    source_format: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(300), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(default=0)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("account_iban", "statement_id", "file_sha256"),)


class BankEntry(Base):
    __tablename__ = "bank_entry"
    id: Mapped[int] = pk()
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statement.id"), index=True)
    account_iban: Mapped[str] = mapped_column(String(34))
    entry_key: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(Cents)
    sign: Mapped[str] = mapped_column(String(4))  # CRDT, DBIT
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    ultimate_party_name: Mapped[str] = mapped_column(String(200), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    structured_reference: Mapped[str] = mapped_column(String(200), default="")
    end_to_end_id: Mapped[str] = mapped_column(String(100), default="")
    mandate_id: Mapped[str] = mapped_column(String(100), default="")
    bank_reference: Mapped[str] = mapped_column(String(100), default="")
    is_return: Mapped[bool] = mapped_column(Boolean, default=False)
    return_reason: Mapped[str] = mapped_column(String(10), default="")
    charges: Mapped[Decimal] = mapped_column(Cents, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)  # for the review queue
    note: Mapped[str] = mapped_column(String(500), default="")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("account_iban", "entry_key"),)


class BankMatch(Base):
    __tablename__ = "bank_match"
    id: Mapped[int] = pk()
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entry.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="payment")  # payment, return
    amount: Mapped[Decimal] = mapped_column(Cents)  # negative for a return
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(100))  # "auto" or the person's actor label
    decided_at: Mapped[datetime] = ts()
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    fee_cost_id: Mapped[int | None] = mapped_column(ForeignKey("cost.id"))


class LearnedPayer(Base):
    __tablename__ = "learned_payer"
    id: Mapped[int] = pk()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    iban: Mapped[str] = mapped_column(String(34), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("bank_entry.id"))
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = ts()
    __table_args__ = (Index("ix_learned_payer_iban", "iban"),)


class SepaMandate(Base):
    __tablename__ = "sepa_mandate"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    mandate_id: Mapped[str] = mapped_column(String(35), unique=True)
    signed_on: Mapped[date] = mapped_column(Date)
    holder: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    sequence_state: Mapped[str] = mapped_column(String(4), default="FRST")  # FRST → RCUR
    status: Mapped[str] = mapped_column(String(10), default="active")  # active, revoked
    pre_notice_days: Mapped[int] = mapped_column(default=14)
    created_at: Mapped[datetime] = ts()


class SepaCollection(Base):
    """One direct debit sent under a mandate for one instalment."""

    __tablename__ = "sepa_collection"
    id: Mapped[int] = pk()
    mandate_ref: Mapped[int] = mapped_column(ForeignKey("sepa_mandate.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ID)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents)
    sequence_type: Mapped[str] = mapped_column(String(4))
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    message_id: Mapped[str] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(10), default="sent")  # sent, paid, returned
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    created_at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("mandate_ref", "due_date"),)


class CreditorPayout(Base):
    __tablename__ = "creditor_payout"
    id: Mapped[int] = pk()
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    gross: Mapped[Decimal] = mapped_column(Cents)
    commission: Mapped[Decimal] = mapped_column(Cents)
    fees_retained: Mapped[Decimal] = mapped_column(Cents)
    net: Mapped[Decimal] = mapped_column(Cents)
    message_id: Mapped[str] = mapped_column(String(35))
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    documents: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # kind → path, sha256
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()


class CreditorPayoutItem(Base):
    """One payment (or the reversal of one already paid out) settled by a payout."""

    __tablename__ = "creditor_payout_item"
    id: Mapped[int] = pk()
    payout_id: Mapped[int] = mapped_column(ForeignKey("creditor_payout.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    kind: Mapped[str] = mapped_column(String(10), default="payment")  # payment, reversal
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    gross: Mapped[Decimal] = mapped_column(Cents)
    to_principal: Mapped[Decimal] = mapped_column(Cents)
    to_interest: Mapped[Decimal] = mapped_column(Cents)
    to_costs: Mapped[Decimal] = mapped_column(Cents)
    unapplied: Mapped[Decimal] = mapped_column(Cents)
    commission: Mapped[Decimal] = mapped_column(Cents)
    fees_retained: Mapped[Decimal] = mapped_column(Cents)
    net: Mapped[Decimal] = mapped_column(Cents)
    __table_args__ = (UniqueConstraint("payment_id", "kind"),)
