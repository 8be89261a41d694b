"""The reference for the daily run's one snapshot builder: the same snapshot built case by
case from the ORM rows, as the per-case run used to build it (kept here, in the tests, as an
independent derivation: ``tests/batch/test_batch_decisions.py`` and
``bench/batch/bench_daily_run.py`` compare :func:`mahnwerk.batch.decisions.case_snapshots`
with it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.domain.dunning import (
    CaseSnapshot,
    ClaimFacts,
    Decision,
    Flag,
    PlanTerms,
    decide,
    is_written_reminder,
)
from mahnwerk.domain.ledger import FLAT_FEE_CODE, Statement
from mahnwerk.domain.strategy import Channel, Stage, Strategy
from mahnwerk.domain.title import NO_COURT_FACTS, CourtFacts, case_barred_from
from mahnwerk.services.actor import today_in_germany
from mahnwerk.services.cases import statement
from mahnwerk.services.court.facts import court_facts
from mahnwerk.services.dunning.compose import mobile, valid_contacts
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

STAGES = frozenset(str(s) for s in Stage)


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


def _barred_from(case: Case, facts: CourtFacts = NO_COURT_FACTS) -> date | None:
    """Payments restart limitation, a served Mahnbescheid suspends it, a title gives 30
    years: the domain's rule, fed from the ORM rows (the run feeds it from its own reads)."""
    return case_barred_from(
        [
            (c.id, origin)
            for c in case.claims
            if (origin := c.origin or c.due_date or c.default_from) is not None
        ],
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
    flat_fees = {c.claim_id for c in case.costs if c.code == FLAT_FEE_CODE and c.claim_id}
    return CaseSnapshot(
        case_id=case.id,
        consumer=debtor.consumer,
        handed_over=today_in_germany(case.created_at),
        open_amount=st.totals.total_open,
        principal=sum((c.principal for c in case.claims), Decimal(0)),
        due_since=min(
            (d for c in case.claims if (d := c.due_date or c.default_from) is not None),
            default=None,
        ),
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
            if m.sent_at
            and m.stage in STAGES
            and is_written_reminder(Stage(m.stage), Channel(m.channel))
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
        claims=tuple(
            ClaimFacts(
                c.id,
                c.principal,
                c.default_from,
                c.due_date,
                c.kind != "other",
                c.id in flat_fees,
            )
            for c in case.claims
        ),
        base_rate_unknown=st.base_rate_unknown,
    )


def reference_decisions(
    sessions, day: date, book: StrategyBook
) -> dict[int, tuple[CaseSnapshot, Decision]]:
    """What the per-case run builds and decides for every case it would plan on ``day``."""
    out: dict[int, tuple[CaseSnapshot, Decision]] = {}
    with sessions() as s:
        ids = list(
            s.scalars(
                select(Case.id)
                .outerjoin(CaseStrategy, CaseStrategy.case_id == Case.id)
                .where(
                    Case.status == "open",
                    or_(CaseStrategy.processed_for.is_(None), CaseStrategy.processed_for != day),
                )
            )
        )
        found, data = _load_batch(s, ids)
        for case in found:
            state = data.states.get(case.id)
            if state is None:
                strategy = book.for_creditor(data.creditors[case.creditor_id].settings)
                state = CaseStrategy(
                    case_id=case.id,
                    strategy_name=strategy.name,
                    strategy_version=strategy.version,
                    step_index=None,
                    stage_since=None,
                    first_contact_done=False,
                )
            else:
                strategy = book.get(state.strategy_name)
            snapshot = snapshot_of(case, statement(case, day), state, strategy, data)
            out[case.id] = (snapshot, decide(snapshot, strategy, day))
        s.rollback()
    return out
