"""The daily run (Mahnlauf) of one day: plan every open case, then deliver what is due.

Planning (:mod:`.plan`) decides every open case not yet processed for the day with the
vectorised decision step and writes its effects in set-based statements, one transaction per
partition of cases; delivery (:mod:`.deliver`) sends the pending outbox messages whose time
has come. A run can be repeated: cases already processed for the day are skipped, a step's
outbox message is unique per case (``dedupe_key``), so a run killed in the middle and started
again gives the same result as one that was not.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mahnwerk.batch.reconcile import check
from mahnwerk.services.actor import utcnow
from mahnwerk.services.admin.creditors import (
    Agency,
    Blocked,
    blocked_creditors,
    strategy_checker,
)
from mahnwerk.services.court.tick import advance as court_advance
from mahnwerk.services.dunning.plan import plan_day
from mahnwerk.services.dunning.summary import Progress, RunSummary
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import (
    Approval,
    DailyRun,
    OutboxMessage,
)

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime


# ----------------------------------------------------------------------------- the run


def run_day(
    runtime: Runtime,
    day: date,
    *,
    now: datetime | None = None,
    processes: int | None = None,
    partition_size: int | None = None,
    deliver: bool = True,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> RunSummary:
    """Run the day ``day``: plan every open case not yet processed for it, then deliver what
    is due, in this process, unless ``deliver`` is false (``--plan-only``) or a worker is
    running (then the workers deliver it). ``processes``: planning processes (default: one
    per core).

    At its start the run names the creditors whose letters cannot go out and why (each
    line goes to ``warn`` and into the summary); when this run delivers, their letters stay
    in the outbox until the creditor is set up, instead of failing one by one."""
    # stored timestamps are UTC (SQLite keeps no offset, so everything written must be UTC)
    now = (now or utcnow()).astimezone(UTC)
    sessions = runtime.sessions
    summary = RunSummary(day)
    blocked = incomplete_creditors(runtime)
    for b in blocked:
        line = f"Briefe können nicht raus: {b.german()}"
        summary.warnings.append(line)
        if warn is not None:
            warn(line)
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
    with transaction(sessions) as s:
        court_advance(s, day)  # VB applications due, § 701 lapses: before the cases' decisions
    report, close = _progress(progress)
    ledger = LedgerCheck(sessions)
    try:
        summary.merge(
            plan_day(
                runtime,
                day,
                now,
                processes=processes,
                partition_size=partition_size or runtime.settings.plan_partition_size,
                report=report,
                # a run that books nothing (no delivery here) can check the ledger while the
                # planning processes work: planning writes no claim, cost, payment or posting
                started=None if deliver else ledger.start,
            )
        )
        monitor_titles(runtime, day, summary)
        if deliver:
            _deliver(runtime, now, summary, report, {b.creditor_id for b in blocked})
        else:
            summary.delivery = "nur geplant (--plan-only): die Nachrichten warten im Ausgang"
    finally:
        close()
    return _finish(runtime, day, summary, ledger)


def _deliver(
    runtime: Runtime, now: datetime, summary: RunSummary, report: Progress, hold: set[int]
) -> None:
    """Send what is due here, unless a worker is running (then it does)."""
    # rendering, PDF bundles and the channels are loaded only by a run that delivers
    from mahnwerk.services import workers
    from mahnwerk.services.dunning.deliver import deliver_outbox

    if workers.alive(runtime.sessions):
        summary.delivery = "übernimmt der laufende Worker (mahnwerk worker)"
        return
    summary.held_for_creditor = held_messages(runtime, hold)
    deliver_outbox(runtime, now, summary, report=report, hold=hold)


def _finish(runtime: Runtime, day: date, summary: RunSummary, ledger: LedgerCheck) -> RunSummary:
    """The ledger check, the run's record and the scores of the day."""
    sessions = runtime.sessions
    summary.ledger_mismatches = ledger.result()
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
    if _model_active(runtime):  # the scoring code (scikit-learn, fairlearn) only when needed
        from mahnwerk.services.scoring.scores import score_if_active

        score_if_active(runtime, day, summary)
    return summary


def _model_active(runtime: Runtime) -> bool:
    from mahnwerk.store.scoring import ModelVersion

    with runtime.sessions() as s:
        found = s.scalar(select(ModelVersion.id).where(ModelVersion.status == "active").limit(1))
    return found is not None


def monitor_titles(runtime: Runtime, day: date, summary: RunSummary) -> None:
    """Title monitoring (30 years): the re-check schedule of every open titled case and its
    tasks (:mod:`mahnwerk.services.enforcement.monitoring`)."""
    from mahnwerk.services.enforcement.monitoring import monitor_titled_cases

    summary.tasks_created += monitor_titled_cases(runtime.sessions, day).tasks_created


class LedgerCheck:
    """The ledger check of every case (:mod:`mahnwerk.batch.reconcile`): each case whose
    journal disagrees with its facts, with the figures that differ (German lines). Run in a
    thread beside the planning processes when :meth:`start` is called (after they are
    forked, so that no child inherits a connection in use), else by :meth:`result`."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions
        self._future: Future[list[str]] | None = None

    def start(self) -> None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-check")
        self._future = executor.submit(self._lines)
        executor.shutdown(wait=False)

    def result(self) -> list[str]:
        return self._lines() if self._future is None else self._future.result()

    def _lines(self) -> list[str]:
        with self._sessions() as s:
            report = check(s.connection())
        return [m.german() for m in report.mismatches]


def incomplete_creditors(runtime: Runtime) -> list[Blocked]:
    """Creditors with open cases whose letters cannot go out (their set-up is incomplete)."""
    with runtime.sessions() as s:
        return blocked_creditors(
            s,
            Agency.of(runtime.settings),
            strategy_known=strategy_checker(runtime.settings),
        )


def held_messages(runtime: Runtime, hold: set[int]) -> int:
    """Pending letters of the creditors in ``hold``: they stay pending."""
    if not hold:
        return 0
    with runtime.sessions() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .join(Case, Case.id == OutboxMessage.case_id)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == "letter",
                    Case.creditor_id.in_(sorted(hold)),
                )
            )
            or 0
        )


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
