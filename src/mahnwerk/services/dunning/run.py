"""The daily run (Mahnlauf): every open case, its balance, the decision, the stage transition
and the messages due today, then the delivery of the outbox.

Phase 1 (planning) works in batches of cases, **one transaction per batch**: for each case
the statement from the ledger, a :class:`~mahnwerk.domain.dunning.CaseSnapshot`, the pure
:func:`~mahnwerk.domain.dunning.decide`, then fees, outbox messages, approval requests, tasks,
the stage transition and the marker ``case_strategy.processed_for = day``. A case that raises
an ordinary error is rolled back alone (savepoint) and reported; anything worse (a crash)
rolls back the whole batch, so no case is ever half done. Running again skips the cases
marked for the day and finishes the rest; the outbox's ``(case, dedupe_key)`` is unique
per strategy step, so a step can never be queued twice.

Phase 2 (delivery) sends the pending outbox messages whose time has come, one transaction
each: contact rules first (quiet hours, Sundays and holidays of the debtor's Land, weekly cap,
the debtor's preferences); a message not allowed now stays pending with ``not_before`` set to
the next allowed moment. Every message is stored exactly as sent as a document of the case
(``.eml``, ``.json``, ``.pdf`` under ``settings.documents_dir/<case id>/`` with its SHA-256)
and as a case event naming the strategy and version that drove the step. Delivery is
at-least-once: a crash between sending and the commit sends that one message again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from mahnwerk.services.actor import utcnow
from mahnwerk.services.dunning.deliver import deliver_outbox
from mahnwerk.services.dunning.plan import plan_batch
from mahnwerk.services.dunning.summary import Progress, RunSummary
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import (
    Approval,
    CaseStrategy,
    DailyRun,
)
from mahnwerk.strategies import StrategyBook

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime


# ----------------------------------------------------------------------------- the run


def run_day(
    runtime: Runtime,
    day: date,
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> RunSummary:
    """Run the day ``day``: plan every open case not yet processed for it, then deliver."""
    # stored timestamps are UTC (SQLite keeps no offset, so everything written must be UTC)
    now = (now or utcnow()).astimezone(UTC)
    sessions = runtime.sessions
    settings = runtime.settings
    book = StrategyBook((settings.var_dir / "strategies",))
    summary = RunSummary(day)
    with transaction(sessions) as s:
        run = s.scalar(select(DailyRun).where(DailyRun.run_date == day))
        if run is None:
            s.add(DailyRun(run_date=day, started_at=now, status="running", runs=1, summary={}))
        else:
            run.runs += 1
            run.status = "running"
    with sessions() as s:
        summary.cases_open = (
            s.scalar(select(func.count()).select_from(Case).where(Case.status == "open")) or 0
        )
        todo = list(
            s.scalars(
                select(Case.id)
                .outerjoin(CaseStrategy, CaseStrategy.case_id == Case.id)
                .where(
                    Case.status == "open",
                    or_(CaseStrategy.processed_for.is_(None), CaseStrategy.processed_for != day),
                )
                .order_by(Case.id)
            )
        )
    report, close = _progress(progress)
    try:
        done = 0
        for chunk in _chunks(todo, batch_size):
            part = RunSummary(day)
            with transaction(sessions) as s:
                plan_batch(s, chunk, day, now, book, runtime, part)
            summary.merge(part)
            done += len(chunk)
            report("Fälle", done, len(todo))
        monitor_titles(runtime, day, summary)
        deliver_outbox(runtime, now, summary, report=report)
    finally:
        close()
    with transaction(sessions) as s:
        summary.approvals_waiting = (
            s.scalar(select(func.count()).select_from(Approval).where(Approval.status == "pending"))
            or 0
        )
        run = s.scalar(select(DailyRun).where(DailyRun.run_date == day))
        assert run is not None
        run.status = "finished"
        run.finished_at = utcnow()
        previous = run.summary or {}
        run.summary = {**summary.as_dict(), "previous": previous.get("cases_processed")}
    from mahnwerk.services.scoring.scores import score_if_active  # no-op without an active model

    score_if_active(runtime, day, summary)
    return summary


def monitor_titles(runtime: Runtime, day: date, summary: RunSummary) -> None:
    """Title monitoring (30 years): the re-check schedule of every open titled case and its
    tasks (:mod:`mahnwerk.services.enforcement.monitoring`)."""
    from mahnwerk.services.enforcement.monitoring import monitor_titled_cases

    summary.tasks_created += monitor_titled_cases(runtime.sessions, day).tasks_created


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]


def _progress(progress: Progress | None) -> tuple[Progress, Callable[[], None]]:
    if progress is not None:
        return progress, lambda: None
    if not sys.stderr.isatty():
        return (lambda _label, _done, _total: None), lambda: None
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    bar = RichProgress(console=Console(stderr=True), transient=False)
    bar.start()
    tasks: dict[str, Any] = {}

    def report(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total)
        bar.update(tasks[label], completed=done, total=total)

    return report, bar.stop
