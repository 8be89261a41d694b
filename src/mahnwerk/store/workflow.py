"""Tables of the dunning workflow (outbox, tasks, approvals, payment plans, runs).

Kept apart from :mod:`mahnwerk.store.models` so the core schema stays readable; both share
its :class:`~mahnwerk.store.models.Base`.

- :class:`CaseStrategy`: where a case stands in its strategy (name, version, last step, since
  when) and the per-case marker ``processed_for`` that makes a repeated daily run a no-op.
- :class:`OutboxMessage`: every message a step causes, written in the run's batch transaction
  and delivered afterwards; ``dedupe_key`` is unique per case and step.
- :class:`Task`, :class:`Approval`: work for people (phone calls, address inquiries, review
  flags) and the approval queue of gated steps.
- :class:`PaymentPlan`, :class:`Dispute`, :class:`CaseFlag`, :class:`ContactPreference`: what
  stops, pauses or limits dunning.
- :class:`DailyRun`: one row per run date with its summary.

The Land for the holiday calendar is not stored: it is derived from the postcode by
:func:`mahnwerk.domain.contact_rules.land_for_postcode` (a documented approximation).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts
from mahnwerk.store.types import Cents


class CaseStrategy(Base):
    """The strategy a case follows and the last step it reached."""

    __tablename__ = "case_strategy"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    strategy_name: Mapped[str] = mapped_column(String(60))
    strategy_version: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int | None] = mapped_column(Integer)  # None: no step yet
    stage_since: Mapped[date | None] = mapped_column(Date)
    first_contact_done: Mapped[bool] = mapped_column(Boolean, default=False)
    bureau_notice_on: Mapped[date | None] = mapped_column(Date)
    processed_for: Mapped[date | None] = mapped_column(Date, index=True)
    last_outcome: Mapped[str | None] = mapped_column(String(30))
    updated_at: Mapped[datetime] = ts()


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(60))
    strategy_name: Mapped[str] = mapped_column(String(60))
    strategy_version: Mapped[int] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    first_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: pending, claimed, sending, sent; failed, skipped, cancelled, uncertain (see deliver)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = ts()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the delivery job (and, for letters, the print bundle) the message was queued in
    batch: Mapped[str | None] = mapped_column(String(60), index=True)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the worker holding the message (claimed/sending) and until when, unless renewed
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("case_id", "dedupe_key"),)


class Task(Base):
    """Work for a person: phone_call, address_inquiry, review_flag, monitoring, court_handover…"""

    __tablename__ = "task"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(60))  # stable key: the same open task only once
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open, done
    due_at: Mapped[datetime] = ts()
    reason: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = ts()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))
    #: the agent it is assigned to (``None``: the team's, whoever takes it)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class Approval(Base):
    """A gated step waiting for (or decided by) a person."""

    __tablename__ = "approval"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    strategy_name: Mapped[str] = mapped_column(String(60))
    strategy_version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_at: Mapped[datetime] = ts()
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (
        UniqueConstraint("case_id", "strategy_name", "strategy_version", "step_index"),
    )


class PaymentPlan(Base):
    """Ratenzahlung (``plan``) or Zahlungsversprechen (``promise``, one instalment)."""

    __tablename__ = "payment_plan"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    instalment: Mapped[Decimal] = mapped_column(Cents)
    start: Mapped[date] = mapped_column(Date)
    interval_months: Mapped[int] = mapped_column(Integer, default=1)
    count: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active, broken, completed
    agreed_on: Mapped[date] = mapped_column(Date)
    cost_notice: Mapped[str] = mapped_column(String(1000), default="")  # § 13a Abs. 3 RDG
    #: The plan contains an acknowledgement of the debt (Schuldanerkenntnis): agreed only
    #: after the notice of § 13a Abs. 4 RDG went out in text form.
    acknowledgement: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = ts()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Dispute(Base):
    """Widerspruch / Einwand: stops all dunning while open."""

    __tablename__ = "dispute"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    opened_at: Mapped[datetime] = ts()
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, resolved
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(1000))
    opened_by: Mapped[str] = mapped_column(String(100))


class CaseFlag(Base):
    """insolvency, deceased, hardship, do_not_contact, letter_returned; cleared, never deleted."""

    __tablename__ = "case_flag"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    set_at: Mapped[datetime] = ts()
    set_by: Mapped[str] = mapped_column(String(100))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContactPreference(Base):
    """A channel the debtor asked to be contacted on, and the hours they want."""

    __tablename__ = "contact_preference"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # letter, email, sms, call
    earliest_hour: Mapped[int] = mapped_column(Integer, default=0)
    latest_hour: Mapped[int] = mapped_column(Integer, default=24)
    created_at: Mapped[datetime] = ts()


class DailyRun(Base):
    __tablename__ = "daily_run"
    id: Mapped[int] = pk()
    run_date: Mapped[date] = mapped_column(Date, unique=True)
    started_at: Mapped[datetime] = ts()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="running")  # running, finished
    runs: Mapped[int] = mapped_column(Integer, default=1)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
