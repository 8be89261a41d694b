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

import hashlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.channels.base import Attachment, Channels, DeliveryError, Sent
from mahnwerk.channels.texts import (
    SUPERVISORY_AUTHORITY,
    email_text,
    first_contact_gaps,
    sms_text,
    subject,
)
from mahnwerk.domain.contact_rules import (
    ContactKind,
    ContactPolicy,
    Preference,
    check_contact,
    land_for_postcode,
)
from mahnwerk.domain.dunning import (
    CaseSnapshot,
    Decision,
    Flag,
    Outcome,
    PlanState,
    PlanTerms,
    decide,
    is_written_reminder,
)
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.limitation import acknowledgement, limitation_date
from mahnwerk.domain.strategy import Channel, Stage, Strategy
from mahnwerk.services import events
from mahnwerk.services.actor import SYSTEM, today_in_germany, utcnow
from mahnwerk.services.cases import add_cost, statement
from mahnwerk.services.workspace.workflow import add_task
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, ContactPoint, Creditor, Debtor, Document
from mahnwerk.store.workflow import (
    Approval,
    CaseFlag,
    CaseStrategy,
    ContactPreference,
    DailyRun,
    Dispute,
    OutboxMessage,
    PaymentPlan,
    Task,
)
from mahnwerk.strategies import StrategyBook

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

#: Delivery attempts before a message counts as failed.
MAX_ATTEMPTS = 5
#: Days a debtor has to pay after a message.
PAY_WITHIN_DAYS = 14

Progress = Callable[[str, int, int], None]

_CONTACT_KIND = {
    "letter": ContactKind.LETTER,
    "email": ContactKind.EMAIL,
    "sms": ContactKind.SMS,
    "phone_task": ContactKind.CALL,
}
_EXTENSION = {"email": "eml", "sms": "json", "letter": "pdf"}


@dataclass
class RunSummary:
    day: date
    cases_open: int = 0
    cases_processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    delivered: Counter[str] = field(default_factory=Counter)
    deferred: int = 0
    failed: int = 0
    approvals_requested: int = 0
    approvals_waiting: int = 0
    tasks_created: int = 0
    fees_charged: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: RunSummary) -> None:
        self.cases_processed += other.cases_processed
        self.outcomes.update(other.outcomes)
        self.actions.update(other.actions)
        self.approvals_requested += other.approvals_requested
        self.tasks_created += other.tasks_created
        self.fees_charged += other.fees_charged
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "cases_open": self.cases_open,
            "cases_processed": self.cases_processed,
            "outcomes": dict(self.outcomes),
            "actions": dict(self.actions),
            "delivered": dict(self.delivered),
            "deferred": self.deferred,
            "failed": self.failed,
            "approvals_requested": self.approvals_requested,
            "approvals_waiting": self.approvals_waiting,
            "tasks_created": self.tasks_created,
            "fees_charged": self.fees_charged,
            "errors": list(self.errors),
        }

    def german(self) -> str:
        """The summary for people (German)."""
        names = {"letter": "Briefe", "email": "E-Mails", "sms": "SMS", "phone_task": "Anrufe"}
        lines = [
            f"Mahnlauf für den {self.day.strftime('%d.%m.%Y')}",
            f"  offene Fälle:            {self.cases_open}",
            f"  heute bearbeitet:        {self.cases_processed}",
        ]
        for channel in ("letter", "email", "sms", "phone_task"):
            lines.append(
                f"  {names[channel] + ':':<25}{self.actions.get(channel, 0)} geplant, "
                f"{self.delivered.get(channel, 0)} zugestellt"
            )
        lines += [
            f"  zurückgestellt (Kontaktregeln, Kanal): {self.deferred}",
            f"  fehlgeschlagen:          {self.failed}",
            f"  Freigaben angefragt:     {self.approvals_requested}",
            f"  Freigaben offen:         {self.approvals_waiting}",
            f"  neue Aufgaben:           {self.tasks_created}",
            f"  Gebühren gebucht:        {self.fees_charged}",
            f"  Fehler:                  {len(self.errors)}",
        ]
        lines += [f"    – {e}" for e in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"    … und {len(self.errors) - 20} weitere")
        return "\n".join(lines)


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


# ------------------------------------------------------------------------ phase 1: plan


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


def _mobile(contact: ContactPoint) -> bool:
    if contact.kind == "mobile":
        return True
    digits = contact.value.replace(" ", "").replace("-", "").replace("/", "")
    return contact.kind == "phone" and digits.startswith(
        ("015", "016", "017", "+4915", "+4916", "+4917", "004915", "004916", "004917")
    )


def _valid(debtor: Debtor, kind: str) -> list[ContactPoint]:
    return [c for c in debtor.contacts if c.kind == kind and c.status == "valid"]


def _barred_from(case: Case) -> date | None:
    acks = sorted({p.date for p in case.payments if not p.reversed})
    firsts: list[date] = []
    for claim in case.claims:
        origin = claim.origin or claim.due_date or claim.default_from
        result = limitation_date(origin, [acknowledgement(d) for d in acks if d >= origin])
        if result.barred_from is not None:
            firsts.append(result.barred_from)
    return min(firsts) if firsts else None


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
    return CaseSnapshot(
        case_id=case.id,
        consumer=debtor.consumer,
        handed_over=today_in_germany(case.created_at),
        open_amount=st.totals.total_open,
        principal=sum((c.principal for c in case.claims), Decimal(0)),
        due_since=min((c.due_date or c.default_from) for c in case.claims),
        barred_from=_barred_from(case),
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
        has_email=bool(_valid(debtor, "email")),
        email_bounced=bool(emails) and not _valid(debtor, "email"),
        has_mobile=any(_mobile(c) for c in debtor.contacts if c.status == "valid"),
        has_phone=bool(_valid(debtor, "phone")),
        open_task_codes=frozenset(data.open_tasks.get(case.id, set())),
        pending_messages=sum(1 for m in data.outbox.get(case.id, []) if m.status == "pending"),
        approvals_pending=frozenset(a.step_index for a in approvals if a.status == "pending"),
        approvals_rejected=frozenset(a.step_index for a in approvals if a.status == "rejected"),
    )


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
    source = f"strategy:{strategy.label}"
    common = {"strategy": strategy.name, "strategy_version": strategy.version}

    if decision.fees:
        for fee in decision.fees:
            add_cost(s, case, day, fee.label, fee.amount, source=source, now=now, code=fee.code)
            summary.fees_charged += 1
        s.expire(case, ["costs"])
        st = statement(case, day)

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


def message_payload(
    case: Case,
    creditor: Creditor,
    st: Statement,
    runtime: Runtime,
    day: date,
    *,
    action_info: dict[str, Any],
) -> dict[str, Any]:
    """The JSON-ready data of one message: what the letter renderer, the e-mail and the SMS
    texts read (amounts as decimal strings, dates ISO)."""
    settings = runtime.settings
    debtor = case.debtor
    address = debtor.current_address
    cset = creditor.settings or {}
    claims_by_id = {c.invoice_no: c for c in case.claims}
    contacts = {
        "email": next((c.value for c in _valid(debtor, "email")), None),
        "mobile": next(
            (c.value for c in debtor.contacts if c.status == "valid" and _mobile(c)), None
        ),
    }
    return {
        **action_info,
        "date": day.isoformat(),
        "pay_by": (day + timedelta(days=PAY_WITHIN_DAYS)).isoformat(),
        "case_id": case.id,
        "case_reference": case.reference,
        "external_ref": case.external_ref,
        "agency": {
            "name": settings.agency_name,
            "address": settings.agency_address,
            "email": settings.agency_email,
            "registration": settings.agency_registration,
        },
        "authority": dict(SUPERVISORY_AUTHORITY),
        "creditor": {
            "name": creditor.name,
            "address": cset.get("address", ""),
            "address_withheld_reason": cset.get("address_withheld_reason", ""),
        },
        "bank": dict(cset.get("payment_account") or {}),
        "debtor": {
            "name": debtor.display_name,
            "consumer": debtor.consumer,
            "address": None
            if address is None
            else {
                "street": address.street,
                "postcode": address.postcode,
                "city": address.city,
                "country": address.country,
            },
            "address_researched": address is not None and address.source == "research",
            **contacts,
        },
        "claims": [
            {
                "invoice_no": c.id,
                "label": c.label or claims_by_id[c.id].label,
                "invoice_date": _iso(claims_by_id[c.id].invoice_date),
                "origin": _iso(claims_by_id[c.id].origin),
                "due_date": _iso(claims_by_id[c.id].due_date),
                "default_from": c.default_from.isoformat(),
                "interest_terms": c.interest_terms,
                "principal": str(c.principal),
                "principal_open": str(c.principal_open),
                "interest_open": str(c.interest_open),
                "periods": [
                    {
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "days": p.days,
                        "rate": str(p.rate),
                        "base": str(p.base),
                        "interest": str(p.interest),
                    }
                    for p in c.periods
                ],
            }
            for c in st.claims
        ],
        "costs": [
            {
                "date": c.date.isoformat(),
                "label": c.label,
                "code": c.code,
                "amount": str(c.amount),
                "open": str(c.open),
            }
            for c in st.costs
        ],
        "totals": {
            "principal_open": str(st.totals.principal_open),
            "interest_open": str(st.totals.interest_open),
            "costs_open": str(st.totals.costs_open),
            "total_open": str(st.totals.total_open),
            "credit": str(st.totals.credit),
        },
    }


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


# --------------------------------------------------------------------- phase 2: deliver


class _Holidays:
    """Public holidays per Land and year (holidays package), cached for the run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str | None, int], set[date]] = {}

    def predicate(self, land: str | None) -> Callable[[date], bool]:
        def is_holiday(day: date) -> bool:
            key = (land, day.year)
            if key not in self._cache:
                import holidays

                self._cache[key] = set(holidays.country_holidays("DE", subdiv=land, years=day.year))
            return day in self._cache[key]

        return is_holiday


def deliver_outbox(
    runtime: Runtime,
    now: datetime,
    summary: RunSummary,
    *,
    report: Progress | None = None,
    batch_size: int = 500,
) -> None:
    """Send every pending outbox message whose ``not_before`` has come."""
    now = now.astimezone(UTC)
    with runtime.sessions() as s:
        ids = list(
            s.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == "pending",
                    or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
                )
                .order_by(OutboxMessage.id)
            )
        )
    holidays = _Holidays()
    policy = ContactPolicy(weekly_cap=runtime.settings.contacts_per_week)
    for n, message_id in enumerate(ids, 1):
        try:
            with transaction(runtime.sessions) as s:
                deliver_one(s, message_id, now, runtime, policy, holidays, summary)
        except Exception as exc:
            summary.errors.append(f"Nachricht {message_id}: {type(exc).__name__}: {exc}")
        if report is not None and (n % batch_size == 0 or n == len(ids)):
            report("Zustellung", n, len(ids))


def _recent_contacts(s: Session, debtor: Debtor, since: datetime) -> list[datetime]:
    """Moments of the messages sent to this person (across creditors) since ``since``."""
    rows = s.scalars(
        select(OutboxMessage.sent_at)
        .join(Case, Case.id == OutboxMessage.case_id)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(
            Debtor.person_id == debtor.person_id,
            OutboxMessage.status == "sent",
            OutboxMessage.channel != "phone_task",
            OutboxMessage.sent_at >= since,
        )
    )
    return [r if r.tzinfo else r.replace(tzinfo=UTC) for r in rows if r is not None]


def deliver_one(
    s: Session,
    message_id: int,
    now: datetime,
    runtime: Runtime,
    policy: ContactPolicy,
    holidays: _Holidays,
    summary: RunSummary,
) -> None:
    msg = s.get(OutboxMessage, message_id)
    if msg is None or msg.status != "pending":
        return
    case = s.get(Case, msg.case_id)
    assert case is not None
    debtor = case.debtor
    address = debtor.current_address
    land = land_for_postcode(address.postcode, address.country) if address else None
    prefs = [
        Preference(ContactKind(p.channel), p.earliest_hour, p.latest_hour)
        for p in s.scalars(
            select(ContactPreference).where(ContactPreference.debtor_id == debtor.id)
        )
        if p.channel in ContactKind.__members__.values()
    ]
    kind = _CONTACT_KIND[msg.channel]
    check = check_contact(
        kind,
        now,
        is_holiday=holidays.predicate(land),
        recent_contacts=_recent_contacts(s, debtor, now - timedelta(days=7)),
        policy=policy,
        preferences=prefs,
    )
    if not check.allowed:
        if check.next_allowed is None:
            if msg.channel == "email" and address is not None:
                msg.channel = "letter"  # the debtor does not want e-mail: write a letter
                msg.error = f"E-Mail nicht erwünscht ({check.reason}); Brief stattdessen"
                deliver_one(s, message_id, now, runtime, policy, holidays, summary)
                return
            msg.status = "skipped"
            msg.error = check.reason[:500]
            events.emit(
                s,
                case,
                "message.skipped",
                SYSTEM,
                outbox_id=msg.id,
                channel=msg.channel,
                reason=check.reason,
            )
            summary.deferred += 1
            return
        msg.not_before = check.next_allowed.astimezone(UTC)
        msg.error = f"zurückgestellt: {check.reason}"[:500]
        summary.deferred += 1
        return

    if msg.channel == "phone_task":
        task = add_task(
            s,
            case.id,
            "phone_call",
            f"outbox:{msg.id}",
            "Schuldner anrufen (Mahnstrategie, Schritt "
            f"{msg.step_index + 1}): offen {msg.payload.get('totals', {}).get('total_open')} €",
            due_at=now,
            data={"outbox_id": msg.id, "template": msg.template},
        )
        if task is not None:
            summary.tasks_created += 1
        _mark_sent(s, msg, case, now, None, summary)
        return

    try:
        sent = _send(msg, debtor, runtime.channels)
    except _NotConfigured as exc:
        msg.error = str(exc)
        summary.deferred += 1
        return
    except DeliveryError as exc:
        _failed(s, msg, case, debtor, exc, now, summary)
        return
    document = store_document(s, runtime.settings.documents_dir, case, msg, sent, now)
    _mark_sent(s, msg, case, now, document, summary)


class _NotConfigured(Exception):
    pass


def _send(msg: OutboxMessage, debtor: Debtor, channels: Channels) -> Sent:
    payload = msg.payload
    if msg.channel == "letter":
        if channels.letters is None:
            raise _NotConfigured("kein Briefrenderer konfiguriert: Brief wartet")
        return Sent("brief.pdf", "application/pdf", channels.letters.render(payload))
    if msg.channel == "email":
        if channels.email is None:
            raise _NotConfigured("kein SMTP-Server konfiguriert: E-Mail wartet")
        to = next((c.value for c in _valid(debtor, "email")), None)
        if to is None:
            raise DeliveryError("keine gültige E-Mail-Adresse", permanent=True)
        if payload.get("first_contact"):
            gaps = first_contact_gaps(payload)
            if gaps:
                raise DeliveryError(
                    "Erstkontakt unvollständig (§ 13a RDG): " + ", ".join(gaps), permanent=True
                )
        attachments: tuple[Attachment, ...] = ()
        if channels.letters is not None:
            pdf = channels.letters.render(payload)
            name = f"Forderungsaufstellung-{payload.get('case_reference')}.pdf"
            attachments = (Attachment(name, "application/pdf", pdf),)
        return channels.email.send(
            to=to,
            subject=subject(payload),
            text=email_text(payload),
            attachments=attachments,
            reference=str(payload.get("case_reference")),
        )
    if msg.channel == "sms":
        if channels.sms is None:
            raise _NotConfigured("kein SMS-Gateway konfiguriert: SMS wartet")
        to = next((c.value for c in debtor.contacts if c.status == "valid" and _mobile(c)), None)
        if to is None:
            raise DeliveryError("keine Mobilnummer", permanent=True)
        return channels.sms.send(
            to=to, text=sms_text(payload), reference=str(payload.get("case_reference"))
        )
    raise DeliveryError(f"unbekannter Kanal {msg.channel}", permanent=True)


def _failed(
    s: Session,
    msg: OutboxMessage,
    case: Case,
    debtor: Debtor,
    exc: DeliveryError,
    now: datetime,
    summary: RunSummary,
) -> None:
    msg.attempts += 1
    msg.error = str(exc)[:500]
    if exc.permanent or msg.attempts >= MAX_ATTEMPTS:
        msg.status = "failed"
        summary.failed += 1
        if msg.channel == "email" and exc.permanent and "abgelehnt" in str(exc):
            for contact in _valid(debtor, "email"):
                contact.status = "bounced"
        if "§ 13a" in str(exc):
            add_task(
                s,
                case.id,
                "review_flag",
                f"outbox_failed:{msg.id}",
                f"Nachricht nicht gesendet: {exc}"[:500],
            )
        events.emit(
            s,
            case,
            "message.failed",
            SYSTEM,
            outbox_id=msg.id,
            channel=msg.channel,
            error=msg.error,
            strategy=msg.strategy_name,
            strategy_version=msg.strategy_version,
        )
    else:
        msg.not_before = now + timedelta(minutes=15 * 2 ** (msg.attempts - 1))
        summary.deferred += 1


def store_document(
    s: Session,
    documents_dir: Path,
    case: Case,
    msg: OutboxMessage,
    sent: Sent,
    now: datetime,
) -> Document:
    """The message exactly as sent, as a file of the case and a document row with its hash."""
    ext = _EXTENSION.get(msg.channel, "bin")
    filename = f"{msg.id:08d}-{msg.template}.{ext}"
    folder = documents_dir / str(case.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(sent.content)
    os.replace(tmp, path)
    document = Document(
        case_id=case.id,
        kind=msg.channel,
        filename=filename,
        path=str(Path(str(case.id)) / filename),
        media_type=sent.media_type,
        sha256=hashlib.sha256(sent.content).hexdigest(),
        size=len(sent.content),
        created_at=now,
    )
    s.add(document)
    s.flush()
    return document


def _mark_sent(
    s: Session,
    msg: OutboxMessage,
    case: Case,
    now: datetime,
    document: Document | None,
    summary: RunSummary,
) -> None:
    msg.status = "sent"
    msg.attempts += 1
    msg.sent_at = now
    msg.error = None
    msg.document_id = document.id if document else None
    state = s.get(CaseStrategy, case.id)
    if state is not None:
        if msg.first_contact and msg.channel in ("letter", "email"):
            state.first_contact_done = True
        if msg.payload.get("credit_bureau_notice") and state.bureau_notice_on is None:
            state.bureau_notice_on = today_in_germany(now)
    summary.delivered[msg.channel] += 1
    events.emit(
        s,
        case,
        "message.sent",
        SYSTEM,
        outbox_id=msg.id,
        channel=msg.channel,
        template=msg.template,
        stage=msg.stage,
        step=msg.step_index,
        strategy=msg.strategy_name,
        strategy_version=msg.strategy_version,
        first_contact=msg.first_contact,
        document_id=document.id if document else None,
        sha256=document.sha256 if document else None,
    )


__all__ = [
    "RunSummary",
    "deliver_outbox",
    "message_payload",
    "plan_batch",
    "run_day",
]
