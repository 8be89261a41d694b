"""Phase 1 of the daily run (planning): every open case, its balance, the decision and its
effects, for all cases at once.

The open cases are cut into partitions of consecutive ids (about :data:`PARTITION_SIZE` open
cases each) that are planned in parallel processes, each on its own connection. A partition
is planned in two transactions:

1. **Read** (one snapshot: ``REPEATABLE READ`` on PostgreSQL): the vectorised decision step of
   :mod:`mahnwerk.batch.decisions` (bulk load, vectorised balances, the one
   :class:`~mahnwerk.domain.dunning.CaseSnapshot` builder, the pure
   :func:`~mahnwerk.domain.dunning.decide`); then, for the cases with a message today only,
   the statement from the ledger (with the step's fees as costs of the day, see
   :func:`statement_with_fees`) and the message data (:mod:`.compose`).
2. **Write**: the effects in set-based statements (:mod:`mahnwerk.store.run_writes`): first
   the claim of the cases (``case_strategy.processed_for = day`` only where it was not yet
   set, so that two runs of the same day never both write a case), then for the claimed cases
   the strategy state, stage changes, outbox messages, approval requests, tasks, plan status
   changes and the timeline events (with their webhook deliveries).

A partition's effects are committed whole or not at all; a run killed in the middle leaves
the committed partitions done and the others untouched, and running again finishes the rest
(cases marked for the day are skipped). A case whose data cannot be composed is left
unclaimed and reported; it is planned again by the next run. The fees of a step are not
booked here: they travel with the message and are booked when it goes out (:mod:`.deliver`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, text
from sqlalchemy.pool import NullPool

from mahnwerk.batch.decisions import decide_partition
from mahnwerk.batch.loader import Partition
from mahnwerk.config import Settings
from mahnwerk.domain import ledger
from mahnwerk.domain.dunning import (
    BASE_RATE_REFUSAL,
    MESSAGE_CHANNELS,
    Decision,
    FeeCharge,
    Outcome,
    PlanState,
)
from mahnwerk.domain.ledger import Statement, compute_statement
from mahnwerk.domain.strategy import Strategy
from mahnwerk.services.actor import SYSTEM
from mahnwerk.services.dunning.compose import Composer, sender_problems
from mahnwerk.services.dunning.summary import RunSummary
from mahnwerk.services.events import WEBHOOK_EVENTS, webhook_json
from mahnwerk.services.nba import daily as nba
from mahnwerk.store import run_reads, run_writes
from mahnwerk.store.db import EncodedJSON, make_engine
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case, WebhookDelivery
from mahnwerk.strategies import StrategyBook

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

#: Open cases per partition (the default of ``settings.plan_partition_size``): small enough
#: that a run killed in the middle loses little and a partition's arrays stay small, large
#: enough that the bulk statements pay off.
PARTITION_SIZE = 25_000

#: Outcomes that are told on the case's timeline when a case enters them.
_TOLD_OUTCOMES = (Outcome.STOPPED, Outcome.PAUSED, Outcome.HELD, Outcome.SETTLED, Outcome.FINISHED)


@dataclass(frozen=True)
class PlanJob:
    """Everything one process needs to plan one partition (picklable)."""

    settings: Settings
    day: date
    now: datetime
    partition: Partition


# ----------------------------------------------------------------------------- the day


def plan_day(
    runtime: Runtime,
    day: date,
    now: datetime,
    *,
    processes: int | None = None,
    partition_size: int = PARTITION_SIZE,
    report: Callable[[str, int, int], None] | None = None,
    started: Callable[[], None] | None = None,
) -> RunSummary:
    """Plan every open case not yet processed for ``day``; partitions in ``processes``
    processes (default: one per core, at most one per partition). ``started`` is called
    once the planning processes are running (not when the partitions are planned here)."""
    workers = max(1, processes or os.cpu_count() or 1)
    sqlite = runtime.engine.dialect.name == "sqlite"
    # SQLite has one writer at a time: with two partitions per process, one process writes
    # while the other still decides, instead of all waiting for the lock at the same moment
    slices = workers * (2 if sqlite and workers > 1 else 1)
    partitions = open_case_partitions(runtime.engine, day, partition_size, slices)
    jobs = [PlanJob(runtime.settings, day, now, p) for p in partitions]
    workers = min(workers, len(jobs)) or 1
    if workers > 1 and sqlite:
        runtime.engine.dispose(close=False)  # children open their own connections
    summary = RunSummary(day)
    total = sum(p.size for p in partitions)
    done = 0
    for part, size in _map(plan_partition, jobs, workers, started):
        summary.merge(part)
        done += size
        if report is not None:
            report("Fälle", done, total)
    return summary


@dataclass(frozen=True)
class SizedPartition(Partition):
    size: int = 0


def open_case_partitions(
    engine: Engine, day: date, size: int, slices: int = 1
) -> list[SizedPartition]:
    """Consecutive id ranges holding at most ``size`` open cases each that are not yet
    processed for ``day``, at least ``slices`` of them where there are enough cases (ranges,
    not ``id % n``, so that every query of a partition is an index range scan)."""
    with engine.connect() as connection:
        ids = np.fromiter(
            connection.execute(
                text(
                    "SELECT c.id FROM case_file c LEFT JOIN case_strategy s ON s.case_id = c.id"
                    " WHERE c.status = 'open'"
                    " AND (s.processed_for IS NULL OR s.processed_for <> :day) ORDER BY c.id"
                ),
                {"day": day},
            ).scalars(),
            dtype=np.int64,
        )
    if not len(ids):
        return []
    size = max(1, min(size, -(-len(ids) // max(1, slices))))
    starts = ids[::size].tolist()
    ends = [*starts[1:], int(ids[-1]) + 1]
    counts = [min(size, len(ids) - i) for i in range(0, len(ids), size)]
    return [
        SizedPartition(id_from=a, id_to=b, size=n)
        for a, b, n in zip(starts, ends, counts, strict=True)
    ]


def _map(
    function: Callable[[PlanJob], RunSummary],
    jobs: Sequence[PlanJob],
    workers: int,
    started: Callable[[], None] | None = None,
) -> Iterator[tuple[RunSummary, int]]:
    """``function`` over ``jobs`` in ``workers`` processes (here if 1), as they finish;
    ``started`` once the processes exist."""
    sizes = [getattr(j.partition, "size", 0) for j in jobs]
    if workers <= 1:
        for job, size in zip(jobs, sizes, strict=True):
            yield function(job), size
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(workers) as pool:
        if started is not None:
            started()
        for index, result in pool.imap_unordered(_indexed, list(enumerate(jobs)), chunksize=1):
            yield result, sizes[index]


def _indexed(item: tuple[int, PlanJob]) -> tuple[int, RunSummary]:
    return item[0], plan_partition(item[1])


# ----------------------------------------------------------------------- one partition


def plan_partition(job: PlanJob) -> RunSummary:
    """Plan one partition on a connection of its own (read, then write; see the module)."""
    engine = make_engine(job.settings.database_url, poolclass=NullPool)
    try:
        with _without_cycle_collection():
            planned = read_and_decide(engine, job)
            summary = planned.summary
            if planned.cases:
                write_effects(engine, job, planned, summary)
            # freed by reference counting while the collector is still off: alive when it
            # comes back, the partition's rows would all be walked by its first pass
            del planned
        return summary
    finally:
        engine.dispose()


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while a partition is planned: its tens of thousands of
    live statements and rows made the collector walk them again and again (28 % of a run's
    time on 20,000 cases). Memory is still freed by reference counting; the few cycles wait
    for the collector's next turn after the partition (a forced collection here would walk
    the live rows once more, 0.6 s for nothing)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _read_connection(engine: Engine) -> Iterator[Connection]:
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ"}  # one snapshot for every table
    with engine.connect().execution_options(**options) as connection:
        try:
            yield connection
        finally:
            connection.rollback()


@dataclass
class CasePlan:
    """What today's decision means for one case (the rows to write)."""

    case_id: int
    creditor_id: int
    external_ref: str
    status: str
    old_stage: str
    has_state: bool
    last_outcome: str | None
    strategy: Strategy
    decision: Decision
    #: the data of the day's messages, encoded (see :func:`_messages`)
    messages: list[EncodedJSON] = field(default_factory=list)
    #: what the next-best-action policy chose (cases in an ``nba`` phase only)
    nba: nba.Chosen | None = None


@dataclass
class Planned:
    summary: RunSummary
    cases: list[CasePlan]
    #: case id -> id of its active payment plan (the last), where the decision ends it.
    plans: dict[int, int]
    #: (case id, task code) of the open tasks, so that a task is not opened twice.
    open_tasks: set[tuple[int, str]]
    #: case id -> (group, strategy) of new cases of a next-best-action strategy
    assignments: dict[int, tuple[str, str]] = field(default_factory=dict)


def read_and_decide(engine: Engine, job: PlanJob) -> Planned:
    """The read transaction of a partition: decisions, and message data where needed."""
    book = StrategyBook((job.settings.var_dir / "strategies",))
    summary = RunSummary(job.day)
    switch = nba.HoldoutSwitch(job.settings.nba, book)
    with _read_connection(engine) as connection:
        decided = decide_partition(
            connection, job.day, job.partition, book=book, keep=True, switch=switch
        )
        summary.errors.extend(decided.summary.errors)
        decisions = decided.decisions or {}
        strategies = decided.strategies or {}
        if not decisions:
            return Planned(summary, [], {}, set())
        inputs = decided.inputs
        assert inputs is not None
        rows = _case_rows(connection, list(decisions))
        missing = sender_problems(job.settings)
        cases = [
            CasePlan(
                case_id,
                *rows[case_id],
                strategy=strategies[case_id],
                decision=held_for_sender(decision, missing),
            )
            for case_id, (_, decision) in sorted(decisions.items())
        ]
        _choose_contacts(connection, job, cases, decisions, summary)
        for c in cases:
            if c.decision.outcome is Outcome.WAITING:
                for reason in c.decision.reasons:
                    if reason.startswith(HELD):
                        summary.held[reason] += 1
        _compose(connection, job, [c for c in cases if c.decision.actions], summary)
        ending = [
            c.case_id
            for c in cases
            if c.decision.plan_state in (PlanState.BROKEN, PlanState.COMPLETED)
        ]
        plans = _active_plans(connection, ending)
        new = nba.new_assignments(connection, switch.assigned)
    open_tasks = {
        (int(inputs.case_id[row]), code) for row, codes in inputs.tasks.items() for code in codes
    }
    composed = [c for c in cases if not c.decision.actions or c.messages]
    return Planned(summary, composed, plans, open_tasks, {i: switch.assigned[i] for i in new})


def _choose_contacts(
    connection: Connection,
    job: PlanJob,
    cases: list[CasePlan],
    decisions: dict[int, tuple[Any, Decision]],
    summary: RunSummary,
) -> None:
    """The next-best-action policy's contact for the cases in an ``nba`` phase."""
    asking = [
        (decisions[c.case_id][0], c.decision, c.strategy)
        for c in cases
        if c.decision.outcome is Outcome.NBA
    ]
    if not asking:
        return
    chosen, why = nba.choose(connection, job.settings, job.day, asking)
    if why:
        summary.errors.append(f"Kontaktsteuerung: {why}; {len(asking)} Fälle heute ohne Kontakt")
    for c in cases:
        picked = chosen.get(c.case_id)
        if picked is not None:
            c.nba, c.decision = picked, picked.decision


#: Reasons of messages held back (an unknown base rate, an incomplete sender).
HELD = (BASE_RATE_REFUSAL, "Absender unvollständig")


def held_for_sender(decision: Decision, missing: Sequence[str]) -> Decision:
    """No letter, e-mail or SMS while the agency's name, address, registration or contact
    are not configured (``missing``): the step waits, nothing is booked, the step is not taken;
    the reason names the settings."""
    if not missing or not any(a.channel in MESSAGE_CHANNELS for a in decision.actions):
        return decision
    return replace(
        decision,
        outcome=Outcome.WAITING,
        reasons=(*decision.reasons, "Absender unvollständig: " + "; ".join(missing)),
        actions=(),
        fees=(),
        step_index=None,
        stage=None,
    )


def _case_rows(
    connection: Connection, ids: Sequence[int]
) -> dict[int, tuple[int, str, str, str, bool, str | None]]:
    """Per case: creditor, external reference, status, stage, whether a strategy state exists
    and its last outcome."""
    out: dict[int, tuple[int, str, str, str, bool, str | None]] = {}
    for chunk in _chunks(ids, 5000):
        for r in connection.execute(
            text(
                "SELECT c.id, c.creditor_id, c.external_ref, c.status, c.stage,"
                " s.case_id IS NOT NULL, s.last_outcome"
                " FROM case_file c LEFT JOIN case_strategy s ON s.case_id = c.id"
                f" WHERE c.id IN ({','.join(str(int(i)) for i in chunk)})"
            )
        ):
            out[int(r[0])] = (int(r[1]), str(r[2]), str(r[3]), str(r[4]), bool(r[5]), r[6])
    return out


def _active_plans(connection: Connection, ids: Sequence[int]) -> dict[int, int]:
    plans: dict[int, int] = {}
    for chunk in _chunks(ids, 5000):
        for case_id, plan_id in connection.execute(
            text(
                "SELECT case_id, id FROM payment_plan WHERE status = 'active'"
                f" AND case_id IN ({','.join(str(int(i)) for i in chunk)}) ORDER BY id"
            )
        ):
            plans[int(case_id)] = int(plan_id)  # the last by id, as the decision read it
    return plans


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def statement_with_fees(
    case: Case | run_reads.CaseRecord, day: date, fees: Sequence[FeeCharge]
) -> Statement:
    """The statement of ``case`` on ``day`` with the step's fees as costs of that day: what the
    message shows; the fees are booked when it is delivered (``deliver``)."""
    base = domain_case(case)
    numbers = {c.id: c.invoice_no for c in case.claims}
    extra = tuple(
        ledger.Cost(day, f.label, f.amount, f.code, numbers.get(f.claim or 0, "")) for f in fees
    )
    return compute_statement(replace(base, costs=base.costs + extra), day)


def _compose(
    connection: Connection, job: PlanJob, cases: list[CasePlan], summary: RunSummary
) -> None:
    """The message data of the cases with a message today; a case whose data cannot be
    composed gets none (it is then not planned today, and reported)."""
    composer = Composer(job.settings, job.day)
    for chunk in _chunk_plans(cases, run_reads.CHUNK):
        loaded = run_reads.load_cases(connection, [p.case_id for p in chunk])
        creditors = run_reads.load_creditors(connection, sorted({p.creditor_id for p in chunk}))
        for plan in chunk:
            case = loaded[plan.case_id]
            try:
                plan.messages = _messages(composer, case, creditors[case.creditor_id], plan, job)
            except Exception as exc:  # one case's bad data must not stop the partition
                summary.errors.append(f"Fall {case.reference}: {type(exc).__name__}: {exc}")


def _chunk_plans(items: list[CasePlan], size: int) -> Iterator[list[CasePlan]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _messages(
    composer: Composer, case: run_reads.CaseRecord, creditor: Any, plan: CasePlan, job: PlanJob
) -> list[EncodedJSON]:
    """The data of the case's messages of the day, encoded as they are stored."""
    decision, strategy = plan.decision, plan.strategy
    st = statement_with_fees(case, job.day, decision.fees)
    fees = [
        {"code": f.code, "label": f.label, "amount": str(f.amount), "claim_id": f.claim}
        for f in decision.fees
    ]
    out = []
    for action in decision.actions:
        payload = composer.payload(
            case,
            creditor,
            st,
            action_info={
                "template": action.template,
                "stage": str(action.stage),
                "channel": str(action.channel),
                "first_contact": action.first_contact,
                "credit_bureau_notice": action.credit_bureau_notice,
                "step": action.step_index,
                "strategy": strategy.name,
                "strategy_version": strategy.version,
                "fees": fees,
                "portal": {"code_version": case.code_version},
                **_nba_info(plan),
            },
        )
        out.append(EncodedJSON.of(payload))
    return out


def _nba_info(plan: CasePlan) -> dict[str, Any]:
    if plan.nba is None:
        return {}
    info: dict[str, Any] = {"nba": {"action": plan.nba.choice.action}}
    if plan.nba.window is not None:
        info["call_window"] = plan.nba.window
    return info


# ------------------------------------------------------------------------------ write


def write_effects(engine: Engine, job: PlanJob, planned: Planned, summary: RunSummary) -> None:
    """The write transaction of a partition (see the module docstring)."""
    day, now = job.day, job.now
    with engine.begin() as connection:
        claimed = run_writes.claim_cases(
            connection, day, now, [_state_row(c) for c in planned.cases]
        )
        cases = [c for c in planned.cases if c.case_id in claimed]
        if not cases:
            return
        events: list[run_writes.EventRow] = []
        _plan_changes(connection, cases, planned.plans, now, events)
        outbox_ids = _outbox(connection, cases, job, events, summary)
        nba.store(
            connection,
            day,
            now,
            {c.case_id: c.nba for c in cases if c.nba is not None},
            outbox_ids,
            {i: a for i, a in planned.assignments.items() if i in claimed},
        )
        _approvals(connection, cases, now, events, summary)
        _tasks(connection, cases, planned.open_tasks, now, summary)
        _stage_events(cases, now, events)
        _outcome_events(cases, now, events)
        _insert_events(connection, events)
        for c in cases:
            summary.cases_processed += 1
            summary.outcomes[str(c.decision.outcome)] += 1


def _state_row(c: CasePlan) -> run_writes.StateRow:
    d = c.decision
    moves = _moves(c)
    return run_writes.StateRow(
        case_id=c.case_id,
        has_state=c.has_state,
        strategy_name=c.strategy.name,
        strategy_version=c.strategy.version,
        step_index=d.step_index if moves else None,
        moves=moves,
        last_outcome=str(d.outcome),
        new_stage=_new_stage(c),
    )


def _moves(c: CasePlan) -> bool:
    return c.decision.step_index is not None and c.decision.stage is not None


def _new_stage(c: CasePlan) -> str | None:
    """The case's stage after today's step, if the step changes it."""
    if not _moves(c):
        return None
    stage = str(c.decision.stage)
    return stage if stage != c.old_stage else None


def _common(c: CasePlan) -> dict[str, Any]:
    return {"strategy": c.strategy.name, "strategy_version": c.strategy.version}


def _event(
    c: CasePlan, kind: str, now: datetime, *, of_stage: str | None = None, **data: Any
) -> run_writes.EventRow:
    """An event of the case (of its stage before the run, unless ``of_stage``)."""
    return run_writes.EventRow(
        case_id=c.case_id,
        creditor_id=c.creditor_id,
        external_ref=c.external_ref,
        status=c.status,
        stage=of_stage or c.old_stage,
        kind=kind,
        at=now,
        actor=SYSTEM.label,
        data=data,
    )


def _stage_events(cases: list[CasePlan], now: datetime, events: list[run_writes.EventRow]) -> None:
    """``stage.changed`` of the cases whose stage the claim moved (an event of the new
    stage)."""
    for c in cases:
        new = _new_stage(c)
        if new is None:
            continue
        events.append(
            _event(
                c,
                "stage.changed",
                now,
                of_stage=new,
                old=c.old_stage,
                new=new,
                step=c.decision.step_index,
                **_common(c),
            )
        )


def _plan_changes(
    connection: Connection,
    cases: list[CasePlan],
    plans: dict[int, int],
    now: datetime,
    events: list[run_writes.EventRow],
) -> None:
    changes = []
    for c in cases:
        state = c.decision.plan_state
        if state not in (PlanState.BROKEN, PlanState.COMPLETED) or c.case_id not in plans:
            continue
        status = "broken" if state is PlanState.BROKEN else "completed"
        changes.append((plans[c.case_id], status))
        events.append(_event(c, f"plan.{status}", now, plan_id=plans[c.case_id], **_common(c)))
    run_writes.close_plans(connection, changes, now)


def _outbox(
    connection: Connection,
    cases: list[CasePlan],
    job: PlanJob,
    events: list[run_writes.EventRow],
    summary: RunSummary,
) -> dict[int, int]:
    """The messages of the day; returns case id -> id of the (last) message written."""
    with_messages = [c for c in cases if c.messages]
    existing = run_writes.outbox_keys(connection, [c.case_id for c in with_messages])
    rows, owners = [], []
    for c in with_messages:
        for action, payload in zip(c.decision.actions, c.messages, strict=True):
            key = f"{c.strategy.name}@{c.strategy.version}#{action.step_index}"
            if c.nba is not None:  # one step, a contact on many days
                key += f"@{job.day.isoformat()}"
            if (c.case_id, key) in existing:
                continue
            rows.append(
                {
                    "case_id": c.case_id,
                    "run_date": job.day,
                    "step_index": action.step_index,
                    "stage": str(action.stage),
                    "channel": str(action.channel),
                    "template": action.template,
                    "strategy_name": c.strategy.name,
                    "strategy_version": c.strategy.version,
                    "dedupe_key": key,
                    "first_contact": action.first_contact,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": job.now,
                }
            )
            owners.append((c, action))
    ids = run_writes.insert_outbox(connection, rows)
    written: dict[int, int] = {}
    for (c, action), outbox_id in zip(owners, ids, strict=True):
        written[c.case_id] = outbox_id
        summary.actions[str(action.channel)] += 1
        events.append(
            _event(
                c,
                "dunning.step",
                job.now,
                step=action.step_index,
                stage=str(action.stage),
                channel=str(action.channel),
                template=action.template,
                outbox_id=outbox_id,
                first_contact=action.first_contact,
                note=action.note,
                **_common(c),
            )
        )
    return written


def _approvals(
    connection: Connection,
    cases: list[CasePlan],
    now: datetime,
    events: list[run_writes.EventRow],
    summary: RunSummary,
) -> None:
    rows, owners = [], []
    for c in cases:
        for request in c.decision.approvals:
            rows.append(
                {
                    "case_id": c.case_id,
                    "step_index": request.step_index,
                    "stage": str(request.stage),
                    "strategy_name": c.strategy.name,
                    "strategy_version": c.strategy.version,
                    "reason": request.reason[:500],
                    "status": "pending",
                    "requested_at": now,
                }
            )
            owners.append((c, request))
    ids = run_writes.insert_approvals(connection, rows)
    summary.approvals_requested += len(ids)
    for (c, request), approval_id in zip(owners, ids, strict=True):
        events.append(
            _event(
                c,
                "approval.requested",
                now,
                approval_id=approval_id,
                stage=str(request.stage),
                step=request.step_index,
                **_common(c),
            )
        )


def _tasks(
    connection: Connection,
    cases: list[CasePlan],
    open_tasks: set[tuple[int, str]],
    now: datetime,
    summary: RunSummary,
) -> None:
    rows = []
    seen = set(open_tasks)
    for c in cases:
        for task in c.decision.tasks:
            if (c.case_id, task.code) in seen:
                continue
            seen.add((c.case_id, task.code))
            rows.append(
                {
                    "case_id": c.case_id,
                    "kind": task.kind,
                    "code": task.code,
                    "status": "open",
                    "due_at": now,
                    "reason": task.reason,
                    "data": {},
                    "created_at": now,
                }
            )
    run_writes.insert_tasks(connection, rows)
    summary.tasks_created += len(rows)


def _outcome_events(
    cases: list[CasePlan], now: datetime, events: list[run_writes.EventRow]
) -> None:
    for c in cases:
        outcome = c.decision.outcome
        if c.last_outcome != str(outcome) and outcome in _TOLD_OUTCOMES:
            events.append(
                _event(c, f"dunning.{outcome}", now, reasons=list(c.decision.reasons), **_common(c))
            )


def _insert_events(connection: Connection, events: list[run_writes.EventRow]) -> None:
    """The timeline events, and the webhook deliveries of those a creditor subscribed to
    (as :func:`mahnwerk.services.events.emit` queues them one by one)."""
    told = sorted({e.creditor_id for e in events if e.kind in WEBHOOK_EVENTS})
    hooks = run_writes.active_webhooks(connection, told) if told else {}
    if not hooks:
        run_writes.insert_events(connection, events, returning=False)
        return
    ids = run_writes.insert_events(connection, events)
    relevant = [
        (e, i)
        for e, i in zip(events, ids, strict=True)
        if e.kind in WEBHOOK_EVENTS and e.creditor_id in hooks
    ]
    deliveries = []
    for event, event_id in relevant:
        for hook_id, wanted in hooks.get(event.creditor_id, ()):
            if wanted and event.kind not in wanted:
                continue
            body = webhook_json(
                event.case_id,
                event.external_ref,
                event.stage,
                event.status,
                event_id,
                event.kind,
                event.at,
                dict(event.data),
            )
            deliveries.append(
                {
                    "webhook_id": hook_id,
                    "event_id": event_id,
                    "payload": body,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": event.at,
                }
            )
    run_writes.insert_rows(connection, WebhookDelivery.__table__, deliveries)


__all__ = ["PARTITION_SIZE", "PlanJob", "open_case_partitions", "plan_day", "plan_partition"]
