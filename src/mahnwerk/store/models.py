"""SQLAlchemy 2 models: the store of creditors, debtors, cases and everything that happens.

Tenancy: a :class:`Creditor` is a tenant. Debtor rows belong to one creditor (what a creditor
handed over stays theirs); a :class:`Person` links the debtor rows of different creditors
that are the same human or company, so that contacts and payments can be coordinated
without showing one creditor another's data.

Money: claims, costs and payments hold the facts; every one of them is also a
:class:`LedgerPosting` (date, amount, reason, source) in an append-only journal. Balances are
never stored: they are computed by :func:`mahnwerk.domain.ledger.compute_statement`.
Payments and costs are append-only too (database triggers refuse UPDATE and DELETE): a
payment or cost taken back keeps its row and gets a reversing row
(:class:`PaymentReversal`, :class:`CostReversal`) with its date, reason and author, and
``Payment.reversed`` / ``Cost.reversed`` are read from those rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import exists as sql_exists
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from mahnwerk.store.types import Cents, DecimalText

ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""


def pk() -> Mapped[int]:
    return mapped_column(ID, primary_key=True, autoincrement=True)


def ts() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True))


class Creditor(Base):
    """Gläubiger / Mandant: the agency's client and the unit of tenancy."""

    __tablename__ = "creditor"
    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, pending
    email: Mapped[str | None] = mapped_column(String(254))
    iban: Mapped[str | None] = mapped_column(String(34))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = ts()


class Person(Base):
    """One human or company across creditors, recognised by a normalised identity key."""

    __tablename__ = "person"
    id: Mapped[int] = pk()
    identity_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = ts()


class Debtor(Base):
    """Schuldner as handed over by one creditor: natural or legal person."""

    __tablename__ = "debtor"
    id: Mapped[int] = pk()
    # no index of its own: covered by (creditor_id, identity_key) (unique) serves it
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # natural, legal
    consumer: Mapped[bool] = mapped_column(Boolean)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    identity_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = ts()

    addresses: Mapped[list[Address]] = relationship(
        back_populates="debtor", order_by="Address.id", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[ContactPoint]] = relationship(
        back_populates="debtor", order_by="ContactPoint.id", cascade="all, delete-orphan"
    )
    bank_accounts: Mapped[list[BankAccount]] = relationship(
        back_populates="debtor", order_by="BankAccount.id", cascade="all, delete-orphan"
    )
    __table_args__ = (UniqueConstraint("creditor_id", "identity_key"),)

    @property
    def display_name(self) -> str:
        return debtor_display_name(self.kind, self.first_name, self.last_name, self.company)

    @property
    def current_address(self) -> Address | None:
        current = [a for a in self.addresses if a.valid_to is None]
        return current[-1] if current else None


def debtor_display_name(
    kind: str, first_name: str | None, last_name: str | None, company: str | None
) -> str:
    """How a debtor is addressed: the company of a legal person, else first and last name."""
    if kind == "legal":
        return company or ""
    return " ".join(p for p in (first_name, last_name) if p)


class Address(Base):
    """An address of a debtor with its history (valid_from / valid_to) and where it came from."""

    __tablename__ = "address"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="DE")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="creditor")  # creditor, research
    created_at: Mapped[datetime] = ts()
    debtor: Mapped[Debtor] = relationship(back_populates="addresses")


class ContactPoint(Base):
    """E-mail or phone of a debtor, with consent and source."""

    __tablename__ = "contact_point"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # email, phone, mobile
    value: Mapped[str] = mapped_column(String(254))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20), default="creditor")
    status: Mapped[str] = mapped_column(String(20), default="valid")  # valid, bounced
    created_at: Mapped[datetime] = ts()
    debtor: Mapped[Debtor] = relationship(back_populates="contacts")


#: who vouches that a stored IBAN is the debtor's account (:attr:`BankAccount.provenance`)
ACCOUNT_PROVENANCES = ("creditor", "debtor", "portal", "mandate", "payment")
#: the provenances that establish an account for payment matching; ``creditor`` (typed in by
#: a creditor through an import or the API) never does, see issue 20
ESTABLISHED_PROVENANCES = ("debtor", "portal", "mandate", "payment")


class BankAccount(Base):
    """A debtor's known IBAN and who vouches for it.

    ``provenance``: ``creditor`` (typed in by the creditor: import, API), ``debtor`` (stated
    by the debtor to the agency), ``portal`` (given in the debtor portal), ``mandate`` (a SEPA
    mandate the debtor signed) or ``payment`` (money from it was booked for the debtor with
    our check-digit case number and the debtor's name). Only the last four establish the
    account for payment matching; ``evidence`` says what established it. ``source`` is the
    channel it came through.
    """

    __tablename__ = "bank_account"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    iban: Mapped[str] = mapped_column(String(34), index=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="creditor")
    provenance: Mapped[str] = mapped_column(
        String(10), default="creditor", server_default="creditor"
    )
    evidence: Mapped[str] = mapped_column(String(100), default="", server_default="")
    established_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = ts()
    debtor: Mapped[Debtor] = relationship(back_populates="bank_accounts")
    __table_args__ = (
        CheckConstraint(
            "provenance IN ('creditor', 'debtor', 'portal', 'mandate', 'payment')",
            name="ck_bank_account_provenance",
        ),
    )

    @property
    def established(self) -> bool:
        return self.provenance in ESTABLISHED_PROVENANCES


class Case(Base):
    """Akte / Vorgang: one creditor, one debtor, one or more claims."""

    __tablename__ = "case_file"
    id: Mapped[int] = pk()
    # no index of its own: covered by (creditor_id, external_ref) (unique) serves it
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"))
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    external_ref: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # agency case number
    stage: Mapped[str] = mapped_column(String(30), default="new")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, closed, recalled
    day_count: Mapped[str] = mapped_column(String(10), default="act/365")
    allocation: Mapped[str] = mapped_column(String(10), default="bgb367")
    created_at: Mapped[datetime] = ts()
    updated_at: Mapped[datetime] = ts()

    debtor: Mapped[Debtor] = relationship()
    claims: Mapped[list[Claim]] = relationship(order_by="Claim.id", back_populates="case")
    costs: Mapped[list[Cost]] = relationship(order_by="Cost.id", back_populates="case")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", back_populates="case")
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id", back_populates="case")
    __table_args__ = (
        UniqueConstraint("creditor_id", "external_ref"),
        Index("ix_case_creditor_stage", "creditor_id", "stage"),
    )


class Claim(Base):
    """Forderung: one invoice or contract amount with its interest terms.

    ``default_from`` is the first day of interest; ``None`` while the claim is not in default
    (§ 286 BGB: the first reminder puts it in default, see :mod:`mahnwerk.domain.default`),
    with ``default_ground`` saying why it is. ``kind`` is ``entgelt`` or ``other`` (§ 288
    Abs. 2 BGB); ``contract_subject`` and ``contract_date`` name the contract (§ 13a Abs. 1
    Nr. 2 RDG).
    """

    __tablename__ = "claim"
    id: Mapped[int] = pk()
    # no index of its own: covered by (case_id, invoice_no) (unique) serves it
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    invoice_no: Mapped[str] = mapped_column(String(100))
    invoice_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    default_from: Mapped[date | None] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Cents)
    interest_kind: Mapped[str] = mapped_column(String(12), default="statutory")
    interest_value: Mapped[Decimal | None] = mapped_column(DecimalText)  # points or rate
    origin: Mapped[date | None] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10), default="entgelt")  # entgelt, other
    reminder_date: Mapped[date | None] = mapped_column(Date)
    notice_286_3: Mapped[bool] = mapped_column(Boolean, default=False)
    default_ground: Mapped[str] = mapped_column(String(200), default="")
    contract_subject: Mapped[str] = mapped_column(String(200), default="")
    contract_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = ts()
    case: Mapped[Case] = relationship(back_populates="claims")
    __table_args__ = (UniqueConstraint("case_id", "invoice_no"),)


class CostReversal(Base):
    """A cost taken back (wrongly charged, waived), with day, reason and author. At most one
    per cost; append-only."""

    __tablename__ = "cost_reversal"
    id: Mapped[int] = pk()
    cost_id: Mapped[int] = mapped_column(ForeignKey("cost.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()


class Cost(Base):
    """Kosten of a case (fees, information costs, court fees); no interest."""

    __tablename__ = "cost"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20), default="")
    amount: Mapped[Decimal] = mapped_column(Cents)
    #: The claim the cost belongs to (the § 288 Abs. 5 BGB flat fee); ``None``: the case.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[datetime] = ts()
    case: Mapped[Case] = relationship(back_populates="costs")
    #: whether a :class:`CostReversal` takes the cost back (read from the store, never set)
    reversed: Mapped[bool] = column_property(sql_exists().where(CostReversal.cost_id == id))


class PaymentReversal(Base):
    """Storno: a booked payment taken back (returned direct debit, booking error), with the
    day it counts from, the reason and who did it. At most one per payment; append-only."""

    __tablename__ = "payment_reversal"
    id: Mapped[int] = pk()
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()


class Payment(Base):
    """Zahlungseingang: money received for a case (bank, direct to the creditor, portal)."""

    __tablename__ = "payment"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents)
    source: Mapped[str] = mapped_column(String(20))  # bank, creditor, portal, api
    reference: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str | None] = mapped_column(String(100))
    #: The claim the debtor named (§ 366 Abs. 1 BGB); ``None``: the default order applies.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[datetime] = ts()
    case: Mapped[Case] = relationship(back_populates="payments")
    #: whether a :class:`PaymentReversal` takes the payment back (Storno, Rücklastschrift);
    #: read from the store, never set
    reversed: Mapped[bool] = column_property(sql_exists().where(PaymentReversal.payment_id == id))
    __table_args__ = (UniqueConstraint("case_id", "source", "external_id"),)


#: Written over personal text in append-only rows (a payment's remittance reference, a
#: posting's reason) when retention ends; the database triggers allow exactly this change.
ANONYMISED = "anonymisiert"


class LedgerPosting(Base):
    """Append-only journal of every change to what a case owes: date, amount, reason, source."""

    __tablename__ = "ledger_posting"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    value_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))  # claim, cost, payment, reversal
    amount: Mapped[Decimal] = mapped_column(Cents)  # signed: + owed, - paid
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    cost_id: Mapped[int | None] = mapped_column(ForeignKey("cost.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    posted_at: Mapped[datetime] = ts()


class CaseEvent(Base):
    """The timeline of a case: imported, stage changed, payment, dispute, letter sent, call…"""

    __tablename__ = "case_event"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = ts()
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped[Case] = relationship(back_populates="events")


class Document(Base):
    """A file on a case (letter, e-mail, upload), exactly as sent or received."""

    __tablename__ = "document"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = ts()


class Role(Base):
    """admin, agent, teamlead, compliance, creditor."""

    __tablename__ = "role"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(ForeignKey("role.name"))
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = ts()


class ApiKey(Base):
    """An API key; only a hash of the key is stored.

    A key belongs either to a creditor (``creditor_id``: it sees only that creditor's
    cases) or to a staff user (``user_id``: it acts with that user's role, e.g. to import
    bank statements); never to both.
    """

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint("(creditor_id IS NULL) <> (user_id IS NULL)", name="ck_api_key_one_owner"),
    )
    id: Mapped[int] = pk()
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    #: a staff key's scopes, comma-separated (``services.actor.API_SCOPES``); "" for a
    #: creditor's key (its tenant limits it) or a staff key that may do nothing
    scopes: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = ts()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only: who read or changed what, when, from where. Database triggers refuse
    UPDATE and DELETE on this table."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = pk()
    at: Mapped[datetime] = ts()
    actor: Mapped[str] = mapped_column(String(100))  # user:3, apikey:7, cli, system
    action: Mapped[str] = mapped_column(String(40))  # read, create, update, delete, login…
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    creditor_id: Mapped[int | None] = mapped_column(BigInteger)
    origin: Mapped[str | None] = mapped_column(String(100))  # IP address or "cli"
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Webhook(Base):
    __tablename__ = "webhook"
    id: Mapped[int] = pk()
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(300))  # sealed (store.sealed)
    events: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = ts()


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    id: Mapped[int] = pk()
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = ts()
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("webhook_id", "event_id"),)


class ImportBatch(Base):
    """One imported file: its hash makes a repeated import a no-op."""

    __tablename__ = "import_batch"
    id: Mapped[int] = pk()
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    cases_created: Mapped[int] = mapped_column(Integer, default=0)
    claims_created: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = ts()
