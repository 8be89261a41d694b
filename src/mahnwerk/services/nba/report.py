"""The group report: the policy group against the permanent hold-out group.

For the cases of next-best-action strategies (:class:`~mahnwerk.store.nba.NbaAssignment`),
per group: cases, amount handed over, collected since the assignment, contact costs (the
settings' cost per channel; a phone task counts as a call), net recovery (collected minus
costs), contacts and complaints – as totals and per case with 95 % confidence intervals
(normal approximation over cases), and the difference between the groups per case (Welch
interval) and relative to the hold-out group (delta method). The creditor view shows the
same report for the creditor's own cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mahnwerk.services.nba.decisions import COMPLAINT_EVENT
from mahnwerk.store.models import Case, CaseEvent, Claim, Payment
from mahnwerk.store.nba import NbaAssignment
from mahnwerk.store.workflow import OutboxMessage

if TYPE_CHECKING:
    from mahnwerk.config import Settings

Z95 = 1.959963984540054
METRICS = ("amount", "collected", "costs", "net", "contacts", "complaints")
LABELS_DE = {
    "amount": "übergeben (€)",
    "collected": "eingezogen (€)",
    "costs": "Kontaktkosten (€)",
    "net": "Nettoerlös (€)",
    "contacts": "Kontakte",
    "complaints": "Beschwerden",
}
ARMS_DE = {"policy": "Kontaktsteuerung", "holdout": "Kontrollgruppe"}


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass
class ArmFigures:
    arm: str
    cases: int
    totals: dict[str, float]
    per_case: dict[str, Interval]


@dataclass
class GroupReport:
    since: date | None
    until: date
    arms: dict[str, ArmFigures]
    #: policy minus hold-out, per case
    difference: dict[str, Interval] = field(default_factory=dict)
    #: (policy − hold-out) / hold-out, per case
    relative: dict[str, Interval] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(a.cases for a in self.arms.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "arms": {
                k: {
                    "cases": a.cases,
                    "totals": a.totals,
                    "per_case": {m: i.as_dict() for m, i in a.per_case.items()},
                }
                for k, a in self.arms.items()
            },
            "difference": {m: i.as_dict() for m, i in self.difference.items()},
            "relative": {m: i.as_dict() for m, i in self.relative.items()},
        }

    def german(self) -> str:
        lines = [f"Kontaktsteuerung gegen Kontrollgruppe bis {self.until:%d.%m.%Y}"]
        head = f"  {'':<22}" + "".join(f"{ARMS_DE[a]:>26}" for a in ("policy", "holdout"))
        lines.append(head)
        lines.append(
            f"  {'Fälle':<22}" + "".join(f"{self.arms[a].cases:>26}" for a in ("policy", "holdout"))
        )
        for m in METRICS:
            row = f"  {LABELS_DE[m] + ' je Fall':<22}"
            for a in ("policy", "holdout"):
                i = self.arms[a].per_case.get(m)
                row += f"{_fmt(i):>26}"
            lines.append(row)
        lines.append("  Unterschied je Fall (Kontaktsteuerung − Kontrollgruppe, 95 %):")
        for m in METRICS[1:]:
            d = self.difference.get(m)
            rel = self.relative.get(m)
            extra = f", {rel.value:+.1%} ({rel.low:+.1%} … {rel.high:+.1%})" if rel else ""
            lines.append(f"    {LABELS_DE[m]:<20} {_fmt(d)}{extra}")
        return "\n".join(lines)


def _fmt(i: Interval | None) -> str:
    if i is None or math.isnan(i.value):
        return "–"
    return f"{i.value:.2f} ({i.low:.2f} … {i.high:.2f})"


def _mean_ci(x: np.ndarray) -> Interval:
    n = len(x)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return Interval(m, m - Z95 * se, m + Z95 * se)


def _diff(a: np.ndarray, b: np.ndarray) -> tuple[Interval, Interval | None]:
    if len(a) < 2 or len(b) < 2:
        nan = float("nan")
        return Interval(nan, nan, nan), None
    ma, mb = float(a.mean()), float(b.mean())
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    se = math.sqrt(va + vb)
    d = Interval(ma - mb, ma - mb - Z95 * se, ma - mb + Z95 * se)
    if mb == 0:
        return d, None
    r = ma / mb - 1.0
    se_r = math.sqrt(va / mb**2 + vb * ma**2 / mb**4)
    return d, Interval(r, r - Z95 * se_r, r + Z95 * se_r)


def group_report(
    s: Session,
    settings: Settings,
    *,
    until: date,
    creditor_id: int | None = None,
    since: date | None = None,
) -> GroupReport:
    """The report over the assigned cases (of one creditor if given)."""
    q = select(NbaAssignment.case_id, NbaAssignment.arm, NbaAssignment.assigned_on)
    if creditor_id is not None:
        q = q.join(Case, Case.id == NbaAssignment.case_id).where(Case.creditor_id == creditor_id)
    if since is not None:
        q = q.where(NbaAssignment.assigned_on >= since)
    q = q.where(NbaAssignment.assigned_on <= until)
    assigned = s.execute(q).all()
    ids = [r.case_id for r in assigned]
    index = {cid: k for k, cid in enumerate(ids)}
    n = len(ids)
    vals = {m: np.zeros(n) for m in METRICS}
    costs = settings.nba.costs
    channel_cost = {
        "letter": costs["letter"],
        "email": costs["email"],
        "sms": costs["sms"],
        "phone_task": costs["call"],
    }
    start = {r.case_id: r.assigned_on for r in assigned}
    for chunk in _chunks(ids, 5000):
        for cid, amount in s.execute(
            select(Claim.case_id, func.sum(Claim.principal))
            .where(Claim.case_id.in_(chunk))
            .group_by(Claim.case_id)
        ):
            vals["amount"][index[cid]] = float(Decimal(amount) / 100) if amount is not None else 0
        for pay in s.execute(
            select(Payment.case_id, Payment.date, Payment.amount).where(
                Payment.case_id.in_(chunk), Payment.reversed.is_(False), Payment.date <= until
            )
        ):
            if pay.date >= start[pay.case_id]:
                vals["collected"][index[pay.case_id]] += float(pay.amount)
        for msg in s.execute(
            select(OutboxMessage.case_id, OutboxMessage.channel, OutboxMessage.run_date).where(
                OutboxMessage.case_id.in_(chunk),
                OutboxMessage.status == "sent",
                OutboxMessage.run_date <= until,
            )
        ):
            if msg.run_date >= start[msg.case_id]:
                k = index[msg.case_id]
                vals["contacts"][k] += 1
                vals["costs"][k] += float(channel_cost.get(msg.channel, Decimal(0)))
        for e in s.execute(
            select(CaseEvent.case_id).where(
                CaseEvent.case_id.in_(chunk), CaseEvent.kind == COMPLAINT_EVENT
            )
        ):
            vals["complaints"][index[e.case_id]] += 1
    vals["net"] = vals["collected"] - vals["costs"]
    arms_of = np.array([r.arm for r in assigned])
    report = GroupReport(since, until, {})
    for arm_name in ("policy", "holdout"):
        sel = arms_of == arm_name if n else np.zeros(0, dtype=bool)
        report.arms[arm_name] = ArmFigures(
            arm_name,
            int(sel.sum()),
            {m: round(float(vals[m][sel].sum()), 2) for m in METRICS},
            {m: _mean_ci(vals[m][sel]) for m in METRICS},
        )
    if n:
        pol, hold = arms_of == "policy", arms_of == "holdout"
        for metric in METRICS[1:]:
            d, rel = _diff(vals[metric][pol], vals[metric][hold])
            report.difference[metric] = d
            if rel is not None:
                report.relative[metric] = rel
    return report


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


__all__ = ["GroupReport", "group_report"]
