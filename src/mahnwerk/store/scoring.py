"""Tables of the models: versions, scores with reasons, audits, overrides, drift.

- :class:`ModelVersion`: one trained artefact (under ``var/models/<version>/``) with its data
  window, metrics, status (``trained``, ``active``, ``retired``), the result of its fairness
  audit and – if a compliance user activated it despite a failed audit – the written reason
  and who gave it.
- :class:`CaseScore`: what the active model said about an open case on a run date: the
  probabilities, the expected amount, the top three reasons in German, the segment and the
  rank in the agents' queue. Scores order work; they never start a legal step.
- :class:`ModelAudit`: a fairness audit report (HTML + PDF) of a version.
- :class:`ProtectedAttribute`: sex, age band and nationality of a person, held APART from
  the debtor data: only the fairness audit reads this table, never the feature pipeline.
- :class:`DriftReport`: population stability (PSI) of features and scores per run.
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

from mahnwerk.store.models import Base, pk, ts
from mahnwerk.store.types import Cents


class ModelVersion(Base):
    __tablename__ = "model_version"
    id: Mapped[int] = pk()
    version: Mapped[str] = mapped_column(String(60), unique=True)
    path: Mapped[str] = mapped_column(String(500))  # relative to settings.var_dir
    trained_at: Mapped[datetime] = ts()
    data_from: Mapped[date | None] = mapped_column(Date)
    data_to: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[date | None] = mapped_column(Date)
    n_cases: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="trained", index=True)
    audit_passed: Mapped[bool | None] = mapped_column(Boolean)
    override_reason: Mapped[str | None] = mapped_column(String(2000))
    override_by: Mapped[str | None] = mapped_column(String(254))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str | None] = mapped_column(String(254))
    #: the written reason given when the version was activated (compliance page)
    activation_reason: Mapped[str | None] = mapped_column(String(2000))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseScore(Base):
    __tablename__ = "case_score"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    model_version: Mapped[str] = mapped_column(ForeignKey("model_version.version"))
    run_date: Mapped[date] = mapped_column(Date, index=True)
    scored_at: Mapped[datetime] = ts()
    p_pay_30d: Mapped[float] = mapped_column(Float)
    p_full_180d: Mapped[float] = mapped_column(Float)
    expected_amount: Mapped[Decimal] = mapped_column(Cents)
    open_amount: Mapped[Decimal] = mapped_column(Cents)
    priority: Mapped[int] = mapped_column(Integer)  # 1 = work first (highest expected amount)
    reason_1: Mapped[str] = mapped_column(String(300), default="")
    reason_2: Mapped[str] = mapped_column(String(300), default="")
    reason_3: Mapped[str] = mapped_column(String(300), default="")
    reason_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    segment: Mapped[str] = mapped_column(String(80), default="")
    __table_args__ = (UniqueConstraint("case_id", "run_date", "model_version"),)


class ModelAudit(Base):
    __tablename__ = "model_audit"
    id: Mapped[int] = pk()
    model_version: Mapped[str] = mapped_column(ForeignKey("model_version.version"), index=True)
    created_at: Mapped[datetime] = ts()
    html_path: Mapped[str] = mapped_column(String(500))
    pdf_path: Mapped[str | None] = mapped_column(String(500))
    passed: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ProtectedAttribute(Base):
    """Held apart from the debtor data; read by the fairness audit only."""

    __tablename__ = "protected_attribute"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(20))
    nationality: Mapped[str | None] = mapped_column(String(20))


class DriftReport(Base):
    __tablename__ = "drift_report"
    id: Mapped[int] = pk()
    run_date: Mapped[date] = mapped_column(Date, index=True)
    model_version: Mapped[str] = mapped_column(ForeignKey("model_version.version"))
    created_at: Mapped[datetime] = ts()
    psi: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # variable → PSI
    alert: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)
