"""Tables of enforcement and title monitoring, and of insolvency notices.

- :class:`DebtorEmployer`: an employer known for a debtor (from the creditor, a
  Vermögensauskunft, a Drittschuldnererklärung, an agent), with the net income and
  dependants where known: what a wage garnishment needs.
- :class:`RegisterEntry`: an entry of the debtor in the Schuldnerverzeichnis (§ 882b ZPO).
- :class:`EnforcementMeasure`: a proposed measure (wage or account garnishment,
  Vermögensauskunft, wait) with its reasons, cost and expected recovery; it becomes an
  :class:`~mahnwerk.store.workflow.Approval` and never executes itself.
- :class:`EnforcementOutcome`: what came of a measure (Vermögensauskunft received, PfÜB
  served, Drittschuldnererklärung, nothing to seize …); outcomes feed the next proposal.
- :class:`TitleMonitor`: the re-check schedule of a titled case (next check, last task).
- :class:`InsolvencyNotice`, :class:`InsolvencyMatch`: imported notices (unique by content
  hash, so a file imported twice books nothing twice) and the debtors they concern, sure or
  for review.
- :class:`DischargeException`: a claim a person marked as excepted from the
  Restschuldbefreiung (§ 302 InsO).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts
from mahnwerk.store.types import Cents


class DebtorEmployer(Base):
    __tablename__ = "debtor_employer"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    net_income: Mapped[Decimal | None] = mapped_column(Cents)  # monthly, € (if known)
    dependants: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(30), default="agent")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # set when the job ended
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()


class RegisterEntry(Base):
    """Schuldnerverzeichnis entry (§ 882c ZPO; § 26 Abs. 2, § 303a InsO), deleted after 3
    years (§ 882e ZPO)."""

    __tablename__ = "register_entry"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    entered_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(200), default="")
    file_no: Mapped[str] = mapped_column(String(100), default="")
    deleted_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()


class EnforcementMeasure(Base):
    __tablename__ = "enforcement_measure"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # wage_garnishment, account_garnishment, …
    form: Mapped[str] = mapped_column(String(20), default="")  # gv_auftrag, pfueb, ""
    # proposed → approved / rejected; approved → filed → done; any open one → stopped
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cost_lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    expected_cost: Mapped[Decimal] = mapped_column(Cents)
    expected_recovery: Mapped[Decimal | None] = mapped_column(Cents)
    drittschuldner: Mapped[str] = mapped_column(String(300), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = ts()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EnforcementOutcome(Base):
    __tablename__ = "enforcement_outcome"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_measure.id"))
    kind: Mapped[str] = mapped_column(String(40))
    on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Cents)
    note: Mapped[str] = mapped_column(String(1000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = ts()


class TitleMonitor(Base):
    """Where the 30-year monitoring of a titled case stands."""

    __tablename__ = "title_monitor"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    next_check_on: Mapped[date] = mapped_column(Date, index=True)
    interval_months: Mapped[int] = mapped_column(Integer)
    last_task_for: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = ts()


class InsolvencyNotice(Base):
    __tablename__ = "insolvency_notice"
    id: Mapped[int] = pk()
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    court: Mapped[str] = mapped_column(String(200))
    file_number: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    administrator: Mapped[str] = mapped_column(String(500), default="")
    claims_deadline: Mapped[date | None] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(300), default="")
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = ts()


class InsolvencyMatch(Base):
    __tablename__ = "insolvency_match"
    id: Mapped[int] = pk()
    notice_id: Mapped[int] = mapped_column(ForeignKey("insolvency_notice.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))  # sure, probable
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # applied (sure), review (probable, waits), confirmed / rejected (by a person)
    status: Mapped[str] = mapped_column(String(10), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("notice_id", "debtor_id"),)


class DischargeException(Base):
    """§ 302 InsO: a claim the Restschuldbefreiung does not cover (marked by a person)."""

    __tablename__ = "discharge_exception"
    id: Mapped[int] = pk()
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), unique=True)
    note: Mapped[str] = mapped_column(String(500))
    marked_by: Mapped[str] = mapped_column(String(100))
    marked_at: Mapped[datetime] = ts()
