"""Phase 1 of the daily run: every open case, its balance, the decision and its effects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.domain import ledger
from mahnwerk.domain.dunning import (
    CaseSnapshot,
    Decision,
    FeeCharge,
    Flag,
    Outcome,
    PlanState,
    PlanTerms,
    decide,
    is_written_reminder,
)
from mahnwerk.domain.ledger import Statement, compute_statement
from mahnwerk.domain.strategy import Channel, Stage, Strategy
from mahnwerk.domain.title import NO_COURT_FACTS, CourtFacts, case_barred_from
from mahnwerk.services import events
from mahnwerk.services.actor import SYSTEM, today_in_germany
from mahnwerk.services.cases import statement
from mahnwerk.services.court.facts import court_facts
from mahnwerk.services.dunning.compose import message_payload, mobile, valid_contacts
from mahnwerk.services.dunning.summary import RunSummary
from mahnwerk.services.workspace.workflow import add_task
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case, Creditor, Debtor
from mahnwerk.store.workflow import (
    Approval,
    CaseFlag,
    CaseStrategy,
    Dispute,
    OutboxMessage,
    PaymentPlan,
    Task,
)
from mahnwerk.strategies import StrategyBook

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime


@dataclass
class _BatchData:
    states: dict[int, CaseStrategy]
    creditors: dict[int, Creditor]
    disputes: dict[int, list[Dispute]]
    flags: dict[int, set[str]]
    plans: dict[int, PaymentPlan]
    approvals: dict[int, list[Approval]]
    outbox: dict[int, list[OutboxMessage]]
    open_tasks: dict[int, set[str]]
    court: dict[int, CourtFacts] = field(default_factory=dict)


def _group(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


def _load_batch(s: Session, ids: Sequence[int]) -> tuple[list[Case], _BatchData]:
    cases = list(
        s.scalars(
            select(Case)
            .where(Case.id.in_(ids))
            .options(
                selectinload(Case.claims),
                selectinload(Case.costs),
                selectinload(Case.payments),
                selectinload(Case.debtor).selectinload(Debtor.addresses),
                selectinload(Case.debtor).selectinload(Debtor.contacts),
            )
            .order_by(Case.id)
        )
    )
    creditor_ids = {c.creditor_id for c in cases}
    data = _BatchData(
        states={
            r.case_id: r
            for r in s.scalars(select(CaseStrategy).where(CaseStrategy.case_id.in_(ids)))
        },
        creditors={
            r.id: r for r in s.scalars(select(Creditor).where(Creditor.id.in_(creditor_ids)))
        },
        disputes=_group(s.scalars(select(Dispute).where(Dispute.case_id.in_(ids)))),
        flags={
            k: {f.kind for f in v}
            for k, v in _group(
                s.scalars(
                    select(CaseFlag).where(CaseFlag.case_id.in_(ids), CaseFlag.cleared_at.is_(None))
                )
            ).items()
        },
        plans={
            p.case_id: p
            for p in s.scalars(
                select(PaymentPlan)
                .where(PaymentPlan.case_id.in_(ids), PaymentPlan.status == "active")
                .order_by(PaymentPlan.id)
            )
        },
        approvals=_group(s.scalars(select(Approval).where(Approval.case_id.in_(ids)))),
        outbox=_group(s.scalars(select(OutboxMessage).where(OutboxMessage.case_id.in_(ids)))),
        open_tasks={
            k: {t.code for t in v}
            for k, v in _group(
                s.scalars(select(Task).where(Task.case_id.in_(ids), Task.status == "open"))
            ).items()
        },
        court=court_facts(s, ids),
    )
    return cases, data


def plan_batch(
    s: Session,
    ids: Sequence[int],
    day: date,
    now: datetime,
    book: StrategyBook,
    runtime: Runtime,
    summary: RunSummary,
) -> None:
    """Plan the cases ``ids`` for ``day`` inside the caller's transaction."""
    cases, data = _load_batch(s, ids)
    for case in cases:
        state = data.states.get(case.id)
        if state is not None and state.processed_for == day:
            continue
        part = RunSummary(day)  # counted only if the case commits
        try:
            with s.begin_nested():
                plan_case(s, case, day, now, book, runtime, data, part)
            summary.merge(part)
        except Exception as exc:  # one bad case must not stop the run; it is retried next run
            summary.errors.append(f"Fall {case.reference}: {type(exc).__name__}: {exc}")


def _barred_from(case: Case, facts: CourtFacts = NO_COURT_FACTS) -> date | None:
    """The limitation check of the run: payments restart it, a served Mahnbescheid
    suspends it, a title gives 30 years (:func:`~mahnwerk.domain.title.case_barred_from`,
    the same function as the vectorised ``batch.decisions.barred_from_days``)."""
    return case_barred_from(
        [(c.id, c.origin or c.due_date or c.default_from) for c in case.claims],
        (p.date for p in case.payments if not p.reversed),
        facts,
    )


def snapshot_of(
    case: Case,
    st: Statement,
    state: CaseStrategy,
    strategy: Strategy,
    data: _BatchData,
) -> CaseSnapshot:
    debtor = case.debtor
    disputes = data.disputes.get(case.id, [])
    flags = data.flags.get(case.id, set())
    plan = data.plans.get(case.id)
    sent = [m for m in data.outbox.get(case.id, []) if m.status == "sent" and m.sent_at]
    approvals = [
        a
        for a in data.approvals.get(case.id, [])
        if a.strategy_name == strategy.name and a.strategy_version == strategy.version
    ]
    emails = [c for c in debtor.contacts if c.kind == "email"]
    facts = data.court.get(case.id, NO_COURT_FACTS)
    return CaseSnapshot(
        case_id=case.id,
        consumer=debtor.consumer,
        handed_over=today_in_germany(case.created_at),
        open_amount=st.totals.total_open,
        principal=sum((c.principal for c in case.claims), Decimal(0)),
        due_since=min((c.due_date or c.default_from) for c in case.claims),
        barred_from=_barred_from(case, facts),
        step_index=state.step_index,
        step_date=state.stage_since,
        first_contact_done=state.first_contact_done,
        open_dispute=any(d.status == "open" for d in disputes),
        ever_disputed=bool(disputes),
        flags=frozenset(Flag(f) for f in flags if f in Flag.__members__.values()),
        plan=None
        if plan is None
        else PlanTerms(
            plan.kind, plan.agreed_on, plan.start, plan.instalment, plan.count, plan.interval_months
        ),
        payments=tuple((p.date, p.amount) for p in case.payments if not p.reversed),
        written_reminders=tuple(
            today_in_germany(m.sent_at)
            for m in sent
            if m.sent_at and is_written_reminder(Stage(m.stage), Channel(m.channel))
        ),
        bureau_notice_on=state.bureau_notice_on,
        cost_codes=frozenset(c.code for c in case.costs if c.code),
        has_postal_address=debtor.current_address is not None,
        letter_returned="letter_returned" in flags,
        has_email=bool(valid_contacts(debtor, "email")),
        email_bounced=bool(emails) and not valid_contacts(debtor, "email"),
        has_mobile=any(mobile(c) for c in debtor.contacts if c.status == "valid"),
        has_phone=bool(valid_contacts(debtor, "phone")),
        open_task_codes=frozenset(data.open_tasks.get(case.id, set())),
        pending_messages=sum(1 for m in data.outbox.get(case.id, []) if m.status == "pending"),
        approvals_pending=frozenset(a.step_index for a in approvals if a.status == "pending"),
        approvals_rejected=frozenset(a.step_index for a in approvals if a.status == "rejected"),
        titled=facts.titled(c.id for c in case.claims),
        court_running=facts.running,
    )


def statement_with_fees(case: Case, day: date, fees: Sequence[FeeCharge]) -> Statement:
    """The statement of ``case`` on ``day`` with the step's fees as costs of that day: what the
    message shows; the fees are booked when it is delivered (``deliver``)."""
    base = domain_case(case)
    extra = tuple(ledger.Cost(day, f.label, f.amount, f.code) for f in fees)
    return compute_statement(replace(base, costs=base.costs + extra), day)


def plan_case(
    s: Session,
    case: Case,
    day: date,
    now: datetime,
    book: StrategyBook,
    runtime: Runtime,
    data: _BatchData,
    summary: RunSummary,
) -> Decision:
    """Decide and apply one case (inside a savepoint of the batch transaction)."""
    creditor = data.creditors[case.creditor_id]
    state = data.states.get(case.id)
    if state is None:
        strategy = book.for_creditor(creditor.settings)
        state = CaseStrategy(
            case_id=case.id,
            strategy_name=strategy.name,
            strategy_version=strategy.version,
            step_index=None,
            stage_since=None,
            first_contact_done=False,
            updated_at=now,
        )
        s.add(state)
        data.states[case.id] = state
    else:
        strategy = book.get(state.strategy_name)
        state.strategy_version = strategy.version
    st = statement(case, day)
    snapshot = snapshot_of(case, st, state, strategy, data)
    decision = decide(snapshot, strategy, day)
    common = {"strategy": strategy.name, "strategy_version": strategy.version}

    if decision.fees:
        # booked when the message goes out (deliver), shown in it already
        st = statement_with_fees(case, day, decision.fees)

    plan = data.plans.get(case.id)
    if plan is not None and decision.plan_state in (PlanState.BROKEN, PlanState.COMPLETED):
        plan.status = "broken" if decision.plan_state is PlanState.BROKEN else "completed"
        plan.closed_at = now
        events.emit(s, case, f"plan.{plan.status}", SYSTEM, plan_id=plan.id, **common)

    existing_keys = {m.dedupe_key for m in data.outbox.get(case.id, [])}
    for action in decision.actions:
        key = f"{strategy.name}@{strategy.version}#{action.step_index}"
        if key in existing_keys:
            continue
        message = OutboxMessage(
            case_id=case.id,
            run_date=day,
            step_index=action.step_index,
            stage=str(action.stage),
            channel=str(action.channel),
            template=action.template,
            strategy_name=strategy.name,
            strategy_version=strategy.version,
            dedupe_key=key,
            first_contact=action.first_contact,
            payload=message_payload(
                case,
                creditor,
                st,
                runtime,
                day,
                action_info={
                    "template": action.template,
                    "stage": str(action.stage),
                    "channel": str(action.channel),
                    "first_contact": action.first_contact,
                    "credit_bureau_notice": action.credit_bureau_notice,
                    "step": action.step_index,
                    "strategy": strategy.name,
                    "strategy_version": strategy.version,
                    "fees": [
                        {"code": f.code, "label": f.label, "amount": str(f.amount)}
                        for f in decision.fees
                    ],
                },
            ),
            status="pending",
            attempts=0,
            created_at=now,
        )
        s.add(message)
        s.flush()
        summary.actions[str(action.channel)] += 1
        events.emit(
            s,
            case,
            "dunning.step",
            SYSTEM,
            step=action.step_index,
            stage=str(action.stage),
            channel=str(action.channel),
            template=action.template,
            outbox_id=message.id,
            first_contact=action.first_contact,
            note=action.note,
            **common,
        )

    for request in decision.approvals:
        approval = Approval(
            case_id=case.id,
            step_index=request.step_index,
            stage=str(request.stage),
            strategy_name=strategy.name,
            strategy_version=strategy.version,
            reason=request.reason[:500],
            status="pending",
            requested_at=now,
        )
        s.add(approval)
        s.flush()
        summary.approvals_requested += 1
        events.emit(
            s,
            case,
            "approval.requested",
            SYSTEM,
            approval_id=approval.id,
            stage=str(request.stage),
            step=request.step_index,
            **common,
        )

    for task in decision.tasks:
        if add_task(s, case.id, task.kind, task.code, task.reason, due_at=now) is not None:
            summary.tasks_created += 1

    if decision.step_index is not None and decision.stage is not None:
        old = case.stage
        state.step_index = decision.step_index
        state.stage_since = day
        if old != str(decision.stage):
            case.stage = str(decision.stage)
            case.updated_at = now
            events.emit(
                s,
                case,
                "stage.changed",
                SYSTEM,
                old=old,
                new=str(decision.stage),
                step=decision.step_index,
                **common,
            )
    if state.last_outcome != str(decision.outcome) and decision.outcome in (
        Outcome.STOPPED,
        Outcome.PAUSED,
        Outcome.HELD,
        Outcome.SETTLED,
        Outcome.FINISHED,
    ):
        events.emit(
            s, case, f"dunning.{decision.outcome}", SYSTEM, reasons=list(decision.reasons), **common
        )
    state.last_outcome = str(decision.outcome)
    state.processed_for = day
    state.updated_at = now
    summary.cases_processed += 1
    summary.outcomes[str(decision.outcome)] += 1
    return decision
