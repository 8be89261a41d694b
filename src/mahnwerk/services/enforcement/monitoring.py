"""Title monitoring in the daily run: every open titled case gets its re-check schedule
(:func:`mahnwerk.domain.title_monitoring.schedule`) and the tasks it calls for.

:func:`monitor_titled_cases` is the one function the daily run calls (after planning the
cases); it works in batches, one transaction each, and is idempotent for a day: a task is
raised once per code and case (a closed task is not raised again), and the schedule row
(:class:`~mahnwerk.store.enforcement.TitleMonitor`) remembers the check it raised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.domain.title_monitoring import MonitoringFacts, Schedule, schedule
from mahnwerk.services.actor import today_in_germany, utcnow
from mahnwerk.services.enforcement.titles import titled_case_ids
from mahnwerk.services.workspace.workflow import add_task
from mahnwerk.store.court import Title, TitleEnforcementAct
from mahnwerk.store.db import transaction
from mahnwerk.store.enforcement import (
    DebtorEmployer,
    EnforcementMeasure,
    EnforcementOutcome,
    TitleMonitor,
)
from mahnwerk.store.models import Address, BankAccount, Case
from mahnwerk.store.workflow import Task

BATCH = 1000


@dataclass
class MonitorSummary:
    cases: int = 0
    checks_due: int = 0
    tasks_created: int = 0


def _chunks(items: Sequence[int], size: int) -> list[Sequence[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def facts_for(session: Session, ids: Sequence[int]) -> dict[int, MonitoringFacts]:
    """The monitoring facts of many cases at once (a few set-based queries)."""
    finals: dict[int, date] = {}
    recorded: dict[int, date] = {}
    for case_id, final, issued, created in session.execute(
        select(Title.case_id, Title.final, Title.issued, Title.created_at).where(
            Title.case_id.in_(ids)
        )
    ):
        start = final or issued
        finals[case_id] = max(finals.get(case_id, start), start)
        day = today_in_germany(created)
        recorded[case_id] = min(recorded.get(case_id, day), day)
    acts: dict[int, date] = {}
    for case_id, on in session.execute(
        select(Title.case_id, TitleEnforcementAct.acted_on)
        .join(TitleEnforcementAct, TitleEnforcementAct.title_id == Title.id)
        .where(Title.case_id.in_(ids))
    ):
        acts[case_id] = max(acts.get(case_id, on), on)
    running = set(
        session.scalars(
            select(EnforcementMeasure.case_id).where(
                EnforcementMeasure.case_id.in_(ids),
                EnforcementMeasure.status.in_(("approved", "filed")),
            )
        )
    )
    disclosures: dict[int, date] = {}
    for case_id, on in session.execute(
        select(EnforcementOutcome.case_id, EnforcementOutcome.on).where(
            EnforcementOutcome.case_id.in_(ids),
            EnforcementOutcome.kind == "asset_disclosure_received",
        )
    ):
        disclosures[case_id] = max(disclosures.get(case_id, on), on)
    debtor_of = dict(session.execute(select(Case.id, Case.debtor_id).where(Case.id.in_(ids))).all())
    debtors = set(debtor_of.values())
    info: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for model, kind in ((Address, "address"), (BankAccount, "account")):
        for debtor_id, created in session.execute(
            select(model.debtor_id, model.created_at).where(model.debtor_id.in_(debtors))
        ):
            info[debtor_id].append((kind, today_in_germany(created)))
    for debtor_id, created in session.execute(
        select(DebtorEmployer.debtor_id, DebtorEmployer.created_at).where(
            DebtorEmployer.debtor_id.in_(debtors)
        )
    ):
        info[debtor_id].append(("employer", today_in_germany(created)))
    monitors = {
        m.case_id: m
        for m in session.scalars(select(TitleMonitor).where(TitleMonitor.case_id.in_(ids)))
    }
    out = {}
    for case_id in ids:
        if case_id not in finals:
            continue
        start = finals[case_id]
        monitor = monitors.get(case_id)
        # what was known when the title was recorded (or before it) is not news
        known = max(start, recorded[case_id])
        news = tuple((k, d) for k, d in info.get(debtor_of[case_id], []) if d > known)
        out[case_id] = MonitoringFacts(
            title_final=start,
            last_enforcement_act=acts.get(case_id),
            measure_running=case_id in running,
            last_asset_disclosure=disclosures.get(case_id),
            last_check=monitor.last_task_for if monitor else None,
            new_info=news,
        )
    return out


def monitor_batch(session: Session, ids: Sequence[int], day: date) -> MonitorSummary:
    """Schedule and raise the tasks of the cases ``ids`` for ``day`` (caller's transaction)."""
    summary = MonitorSummary()
    facts = facts_for(session, ids)
    ever: dict[int, set[str]] = defaultdict(set)
    for case_id, code in session.execute(
        select(Task.case_id, Task.code).where(Task.case_id.in_(list(facts)))
    ):
        ever[case_id].add(code)
    monitors = {
        m.case_id: m
        for m in session.scalars(select(TitleMonitor).where(TitleMonitor.case_id.in_(list(facts))))
    }
    now = utcnow()
    for case_id, f in facts.items():
        plan = schedule(f, day)
        summary.cases += 1
        for task in plan.tasks:
            if task.code in ever[case_id]:
                continue
            if add_task(session, case_id, task.kind, task.code, task.reason) is not None:
                summary.tasks_created += 1
        monitor = monitors.get(case_id)
        if monitor is None:
            monitor = TitleMonitor(case_id=case_id, updated_at=now)
            session.add(monitor)
        if plan.due_check is not None:
            summary.checks_due += 1
            monitor.last_task_for = plan.due_check
        _store(monitor, plan, now)
    return summary


def _store(monitor: TitleMonitor, plan: Schedule, now: Any) -> None:
    monitor.next_check_on = plan.next_check
    monitor.interval_months = plan.interval_months
    monitor.reasons = list(plan.reasons)
    monitor.updated_at = now


def monitor_titled_cases(
    sessions: sessionmaker[Session], day: date, *, batch_size: int = BATCH
) -> MonitorSummary:
    """The daily run's title monitoring: every open titled case, in batches."""
    with sessions() as s:
        ids = titled_case_ids(s)
    total = MonitorSummary()
    for chunk in _chunks(ids, batch_size):
        with transaction(sessions) as s:
            part = monitor_batch(s, chunk, day)
        total.cases += part.cases
        total.checks_due += part.checks_due
        total.tasks_created += part.tasks_created
    return total


def next_check(session: Session, case_id: int) -> TitleMonitor | None:
    return session.get(TitleMonitor, case_id)
