"""Tables of payment plans from affordability.

- :class:`PlanOffer`: one proposal worked out for a case – from finances the debtor stated
  (portal, agent on the phone, assistant) or from an instalment the debtor named – with the
  options shown (proposal, shorter, longer; each with its probability of completion, the
  model version and three German reasons), the option submitted and what became of it:
  ``offered`` (shown, nothing chosen), ``accepted`` (within the creditor's limits, a plan at
  once), ``pending`` (outside them: a decision for an agent), ``countered`` (the agent
  offered other terms), ``declined``, ``superseded`` (a newer offer replaced it). The
  stated finances are personal data: they serve this decision and the completion model only
  and are never shown to a creditor.
- :class:`PlanModelVersion`: a trained plan-completion model (artefact under
  ``var/plan_models/<version>/``), its metrics, fairness audit and status
  (``trained``, ``active``, ``retired``), activated like the payment model.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts
from mahnwerk.store.types import Cents

OFFER_STATUSES = ("offered", "accepted", "pending", "countered", "declined", "superseded")


class PlanOffer(Base):
    __tablename__ = "plan_offer"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = ts()
    source: Mapped[str] = mapped_column(String(20))  # portal, agent, assistant
    actor: Mapped[str] = mapped_column(String(100))
    # what the debtor stated (None: an instalment was named without finances)
    net_income: Mapped[Decimal | None] = mapped_column(Cents)
    dependants: Mapped[int | None] = mapped_column(Integer)
    rent: Mapped[Decimal | None] = mapped_column(Cents)
    fixed_costs: Mapped[Decimal | None] = mapped_column(Cents)
    capacity: Mapped[Decimal | None] = mapped_column(Cents)
    total_open: Mapped[Decimal] = mapped_column(Cents)
    max_months: Mapped[int] = mapped_column(Integer)
    min_instalment: Mapped[Decimal] = mapped_column(Cents)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cost_notice: Mapped[str] = mapped_column(String(1000), default="")
    model_version: Mapped[str | None] = mapped_column(String(60))
    # the option submitted (None while only shown)
    chosen: Mapped[str | None] = mapped_column(String(20))
    instalment: Mapped[Decimal | None] = mapped_column(Cents)
    count: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[date | None] = mapped_column(Date)
    within_limits: Mapped[bool | None] = mapped_column(Boolean)
    p_complete: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="offered", index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("payment_plan.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    counter_instalment: Mapped[Decimal | None] = mapped_column(Cents)
    counter_count: Mapped[int | None] = mapped_column(Integer)
    counter_start: Mapped[date | None] = mapped_column(Date)


class PlanModelVersion(Base):
    __tablename__ = "plan_model_version"
    id: Mapped[int] = pk()
    version: Mapped[str] = mapped_column(String(60), unique=True)
    path: Mapped[str] = mapped_column(String(500))  # relative to settings.var_dir
    trained_at: Mapped[datetime] = ts()
    as_of: Mapped[date] = mapped_column(Date)
    n_plans: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="trained", index=True)
    audit_passed: Mapped[bool | None] = mapped_column(Boolean)
    audit_path: Mapped[str | None] = mapped_column(String(500))
    override_reason: Mapped[str | None] = mapped_column(String(2000))
    override_by: Mapped[str | None] = mapped_column(String(254))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str | None] = mapped_column(String(254))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
