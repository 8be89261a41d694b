"""Tables of the next-best-action policy: its versions and every decision it made.

- :class:`NbaPolicyVersion`: one learned state (an ``.npz`` file under
  ``var/nba/<version>/``) with where it came from (``parent``, the decisions it learned
  from), its status (``candidate`` → ``evaluated`` → ``active`` → ``retired``; or
  ``rejected``), the offline evaluation against the version that was active (inverse
  propensity and doubly robust estimates with intervals) and the person who approved it.
- :class:`NbaAssignment`: the group of a case (policy or hold-out), fixed once.
- :class:`NbaDecision`: one decision of the policy on one case on one run date (the hold-out
  group follows its fixed strategy and has none) with the inputs (features), the allowed
  actions, the action, its propensity, every action's probability and estimated value, the
  reason codes, the policy version,
  the message it caused, and (once the horizon has passed) the outcome: reached,
  paid within the horizon, cost, complaint. The offline evaluation reads these rows.
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
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import ID, Base, pk, ts
from mahnwerk.store.types import Cents


class NbaPolicyVersion(Base):
    __tablename__ = "nba_policy_version"
    id: Mapped[int] = pk()
    version: Mapped[str] = mapped_column(String(40), unique=True)
    path: Mapped[str] = mapped_column(String(500))  # relative to settings.var_dir
    created_at: Mapped[datetime] = ts()
    parent: Mapped[str | None] = mapped_column(String(40))
    #: "prior" (shipped with the package) or "trained" (learned from logged decisions)
    source: Mapped[str] = mapped_column(String(20))
    n_decisions: Mapped[int] = mapped_column(Integer, default=0)
    data_from: Mapped[date | None] = mapped_column(Date)
    data_to: Mapped[date | None] = mapped_column(Date)
    #: candidate, evaluated, active, retired, rejected
    status: Mapped[str] = mapped_column(String(12), default="candidate", index=True)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evaluation_passed: Mapped[bool | None] = mapped_column(Boolean)
    approved_by: Mapped[str | None] = mapped_column(String(254))
    approval_note: Mapped[str | None] = mapped_column(String(2000))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NbaDecision(Base):
    __tablename__ = "nba_decision"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    #: "policy" or "holdout" (the permanent control group on the fixed strategy)
    arm: Mapped[str] = mapped_column(String(10))
    policy_version: Mapped[str | None] = mapped_column(String(40), index=True)
    strategy_name: Mapped[str] = mapped_column(String(60))
    strategy_version: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int] = mapped_column(Integer)
    allowed: Mapped[list[str]] = mapped_column(JSON, default=list)
    action: Mapped[str] = mapped_column(String(20))
    propensity: Mapped[float] = mapped_column(Float)
    probabilities: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    values: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    #: why this action (``reason_codes`` of :mod:`mahnwerk.services.nba.decisions`)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the inputs: feature name → value (zeros left out)
    features: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    balance: Mapped[Decimal] = mapped_column(Cents)
    cost: Mapped[Decimal] = mapped_column(Cents)
    outbox_id: Mapped[int | None] = mapped_column(ID, ForeignKey("outbox.id"))
    reached: Mapped[bool | None] = mapped_column(Boolean)
    paid: Mapped[Decimal] = mapped_column(Cents, default=Decimal("0.00"))
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the horizon has passed and paid/reached/complaint are final
    settled: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("case_id", "run_date"),)


class NbaAssignment(Base):
    """Which group a case of a next-best-action strategy belongs to, recorded once."""

    __tablename__ = "nba_assignment"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    #: "policy" or "holdout" (chosen by a stable hash of the case, never changed)
    arm: Mapped[str] = mapped_column(String(10), index=True)
    strategy_name: Mapped[str] = mapped_column(String(60))
    assigned_on: Mapped[date] = mapped_column(Date)
