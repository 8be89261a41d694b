"""Use cases of the pages: the agents' work queue, the case page, the call view, call logs,
and the creditor's portfolio. Each takes the session of one transaction and the acting
:class:`~mahnwerk.services.actor.Actor`; reads of debtor data are audited.

Queue order (the issue names the criteria, not how they combine; this is the documented
choice): first items with a promise or instalment due today, then cases whose debtor wants
to be called *now* (a contact preference whose hours contain the current hour, Berlin time),
then cases without a preference, then those outside their preferred hours; within each group
the larger open amount first, then the higher model score (probability of a payment within
30 days, :class:`~mahnwerk.store.scoring.CaseScore`, latest run).

Approvals are decided by team leads only (role ``teamlead``, with a reason, audited; the
rule is :func:`mahnwerk.services.actor.approval_refusal`); their desk is
:mod:`mahnwerk.services.workspace.lead`.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.documents import spreadsheet
from mahnwerk.domain import notices
from mahnwerk.domain.dunning import PlanTerms
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.money import format_eur
from mahnwerk.services import audit, cases, events
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.admin.users import Who, who_is
from mahnwerk.services.banking import review as bank_review
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import BankEntry
from mahnwerk.store.calls import CALL_OUTCOMES, CallLog
from mahnwerk.store.models import (
    Case,
    CaseEvent,
    Claim,
    Creditor,
    Debtor,
    Document,
    Payment,
    debtor_display_name,
)
from mahnwerk.store.scoring import CaseScore
from mahnwerk.store.workflow import (
    Approval,
    CaseFlag,
    ContactPreference,
    Dispute,
    PaymentPlan,
    Task,
)

if TYPE_CHECKING:
    from mahnwerk.batch.balances import Balances

BERLIN = ZoneInfo("Europe/Berlin")
QUEUE_KINDS = ("phone", "approval", "bank", "dispute", "address", "plan", "review", "monitoring")
TASK_KIND = {
    "phone_call": "phone",
    "address_inquiry": "address",
    "plan_review": "plan",
    "title_monitoring": "monitoring",
}
#: § 13a Abs. 4 RDG: must be said before a consumer is asked to acknowledge the debt.
#: The text itself is the one of the letters and e-mails (``domain.notices``); before a plan
#: with an acknowledgement is agreed it must have gone out in text form
#: (``workflow.send_acknowledgement_notice``).
ACKNOWLEDGEMENT_WARNING = (
    "Hinweis nach § 13a Abs. 4 RDG, bevor Sie um ein Schuldanerkenntnis bitten (er muss "
    "vorher in Textform – E-Mail oder Brief – zugehen): " + notices.acknowledgement_notice([])
)
#: Event data keys never shown to a creditor (internal notes and reasons of the agency).
INTERNAL_KEYS = frozenset({"note", "reason", "cost_notice", "outbox_id", "approval_id"})


class WorkspaceError(ValueError):
    """A request the workspace refuses (German message for the caller)."""


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")


# ----------------------------------------------------------------------------- helpers


def open_amounts(cases_: Iterable[Case], today: date) -> dict[int, Statement]:
    return {c.id: cases.statement(c, today) for c in cases_}


def _load_cases(session: Session, ids: Iterable[int]) -> dict[int, Case]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(Case)
        .where(Case.id.in_(wanted))
        .options(
            selectinload(Case.claims),
            selectinload(Case.costs),
            selectinload(Case.payments),
            selectinload(Case.debtor),
        )
    ).all()
    return {c.id: c for c in rows}


def case_scores(session: Session, case_ids: Sequence[int]) -> dict[int, CaseScore]:
    """The latest model score per case (:class:`~mahnwerk.store.scoring.CaseScore`, the
    probability of a payment within 30 days with its three reasons)."""
    if not case_ids:
        return {}
    latest: dict[int, CaseScore] = {}
    for row in session.scalars(
        select(CaseScore)
        .where(CaseScore.case_id.in_(list(case_ids)))
        .order_by(CaseScore.run_date, CaseScore.id)
    ):
        latest[row.case_id] = row
    return latest


def bank_reviews(session: Session, actor: Actor) -> list[bank_review.ReviewItem]:
    """Bank entries waiting for a person (services.bank_review), with their candidates."""
    return bank_review.open_reviews(session, actor)


def bank_reviews_for_case(
    session: Session, actor: Actor, case_id: int
) -> list[tuple[bank_review.ReviewItem, int]]:
    """Review items with a candidate on this case, each with that candidate's index."""
    found = []
    for item in bank_reviews(session, actor):
        for index, cand in enumerate(item.candidates):
            if any(a[0] == case_id for a in cand.allocations):
                found.append((item, index))
                break
    return found


def confirm_bank_match(session: Session, actor: Actor, entry_id: int, candidate: int) -> BankEntry:
    _staff(actor)
    return bank_review.confirm(session, actor, entry_id, candidate)


def book_bank_entry_on_case(
    session: Session, actor: Actor, entry_id: int, case_id: int
) -> BankEntry:
    """Correct a match: the whole entry goes to this case."""
    _staff(actor)
    entry = session.get(BankEntry, entry_id)
    if entry is None:
        raise WorkspaceError(f"Umsatz {entry_id} gibt es nicht")
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise WorkspaceError(f"Fall {case_id} gibt es nicht")
    return bank_review.correct(session, actor, entry_id, [(case_id, entry.amount)])


def due_dates(plan: PaymentPlan) -> tuple[date, ...]:
    terms = PlanTerms(
        plan.kind, plan.agreed_on, plan.start, plan.instalment, plan.count, plan.interval_months
    )
    return terms.due_dates()


def contact_window(prefs: Sequence[ContactPreference], now: datetime) -> int:
    """0: the debtor's preferred hours contain now; 1: no preference; 2: outside them."""
    if not prefs:
        return 1
    call = [p for p in prefs if p.channel == "call"] or list(prefs)
    latest = max(call, key=lambda p: (p.created_at, p.id))
    hour = now.astimezone(BERLIN).hour
    return 0 if latest.earliest_hour <= hour < latest.latest_hour else 2


# --------------------------------------------------------------------------- the queue


@dataclass
class QueueItem:
    kind: str  # one of QUEUE_KINDS
    case_id: int
    item_id: int | None
    reason: str
    due: datetime | date | None
    reference: str = ""
    creditor_id: int = 0
    creditor: str = ""
    debtor: str = ""
    open_amount: Decimal = Decimal(0)
    promise_due_today: bool = False
    contact: int = 1  # see contact_window
    score: float | None = None

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (
            not self.promise_due_today,
            self.contact,
            -self.open_amount,
            -(self.score or 0.0),
            self.case_id,
        )


@dataclass
class Queue:
    items: list[QueueItem]
    counts: dict[str, int]
    creditors: list[tuple[int, str]]


def work_queue(
    session: Session,
    actor: Actor,
    *,
    today: date,
    now: datetime,
    kind: str | None = None,
    creditor_id: int | None = None,
    limit: int = 200,
) -> Queue:
    """Everything waiting for a person, ordered by what matters most today."""
    _staff(actor)
    items: list[QueueItem] = []
    for task in session.scalars(select(Task).where(Task.status == "open")):
        items.append(
            QueueItem(
                TASK_KIND.get(task.kind, "review"), task.case_id, task.id, task.reason, task.due_at
            )
        )
    for appr in session.scalars(select(Approval).where(Approval.status == "pending")):
        items.append(QueueItem("approval", appr.case_id, appr.id, appr.reason, appr.requested_at))
    for dispute in session.scalars(select(Dispute).where(Dispute.status == "open")):
        items.append(
            QueueItem("dispute", dispute.case_id, dispute.id, dispute.reason, dispute.opened_at)
        )
    inquiry_cases = {i.case_id for i in items if i.kind == "address"}
    for flag in session.scalars(
        select(CaseFlag).where(CaseFlag.kind == "letter_returned", CaseFlag.cleared_at.is_(None))
    ):
        if flag.case_id not in inquiry_cases:
            items.append(
                QueueItem(
                    "address", flag.case_id, None, flag.note or "Brief unzustellbar", flag.set_at
                )
            )
    due_today: set[int] = set()
    for plan in session.scalars(select(PaymentPlan).where(PaymentPlan.status == "active")):
        if today in due_dates(plan):
            due_today.add(plan.case_id)
            label = "Zahlungsversprechen" if plan.kind == "promise" else "Rate"
            items.append(
                QueueItem(
                    "plan",
                    plan.case_id,
                    plan.id,
                    f"{label} über {format_eur(plan.instalment)} heute fällig: Eingang prüfen",
                    today,
                )
            )
    for review in bank_reviews(session, actor):
        if not review.candidates or not review.candidates[0].allocations:
            continue  # no case proposed: handled on the bank review list, not per case
        best = review.candidates[0]
        entry = review.entry
        items.append(
            QueueItem(
                "bank",
                best.allocations[0][0],
                entry.id,
                f"Zahlungseingang {format_eur(entry.amount)} vom "
                f"{entry.booking_date.strftime('%d.%m.%Y')} ({entry.counterparty_name}): "
                f"Vorschlag zu {best.confidence:.0%} sicher",
                entry.booking_date,
            )
        )

    loaded = _load_cases(session, (i.case_id for i in items))
    creditors = {int(i): str(n) for i, n in session.execute(select(Creditor.id, Creditor.name))}
    statements = open_amounts(loaded.values(), today)
    scores = case_scores(session, list(loaded))
    prefs: dict[int, list[ContactPreference]] = defaultdict(list)
    debtor_ids = {c.debtor_id for c in loaded.values()}
    if debtor_ids:
        for pref in session.scalars(
            select(ContactPreference).where(ContactPreference.debtor_id.in_(debtor_ids))
        ):
            prefs[pref.debtor_id].append(pref)
    counts: dict[str, int] = {k: 0 for k in QUEUE_KINDS}
    result = []
    for item in items:
        case = loaded.get(item.case_id)
        if case is None or not actor.may_see_creditor(case.creditor_id):
            continue
        if creditor_id is not None and case.creditor_id != creditor_id:
            continue
        counts[item.kind] += 1
        if kind and item.kind != kind:
            continue
        item.reference = case.reference
        item.creditor_id = case.creditor_id
        item.creditor = creditors.get(case.creditor_id, "")
        item.debtor = case.debtor.display_name
        item.open_amount = statements[case.id].totals.total_open
        item.promise_due_today = case.id in due_today
        item.contact = contact_window(prefs.get(case.debtor_id, []), now)
        scored = scores.get(case.id)
        item.score = scored.p_pay_30d if scored is not None else None
        result.append(item)
    result.sort(key=lambda i: i.sort_key)
    result = result[:limit]
    audit.record(
        session,
        actor,
        "list",
        "work_queue",
        None,
        details={"count": len(result), "kind": kind, "creditor": creditor_id},
    )
    return Queue(result, counts, sorted(creditors.items(), key=lambda kv: kv[1]))


# ------------------------------------------------------------------------- the case page


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any]
    document: Document | None = None
    #: who did it, for people (never the actor label)
    who: Who = field(default_factory=lambda: Who("system"))


@dataclass
class CaseView:
    case: Case
    creditor: Creditor
    statement: Statement
    timeline: list[TimelineEntry]
    tasks: list[Task] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    flags: list[CaseFlag] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    plans: list[PaymentPlan] = field(default_factory=list)
    calls: list[CallLog] = field(default_factory=list)
    preferences: list[ContactPreference] = field(default_factory=list)
    score: CaseScore | None = None
    bank: list[tuple[bank_review.ReviewItem, int]] = field(default_factory=list)


def _aware(at: datetime) -> datetime:
    """Stored moments are UTC; SQLite gives them back without their zone."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def timeline(session: Session, case: Case, *, for_creditor: bool = False) -> list[TimelineEntry]:
    """Every event and document of the case, newest first. For a creditor, internal notes
    and reasons are left out (see :data:`INTERNAL_KEYS`) and documents are not linked."""
    entries = []
    for event in session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ):
        data = dict(event.data or {})
        if for_creditor:
            data = {k: v for k, v in data.items() if k not in INTERNAL_KEYS}
        entries.append(TimelineEntry(_aware(event.at), event.kind, event.actor, data))
    if not for_creditor:
        for doc in session.scalars(
            select(Document).where(Document.case_id == case.id).order_by(Document.id)
        ):
            entries.append(
                TimelineEntry(
                    _aware(doc.created_at), f"document.{doc.kind}", "", {"file": doc.filename}, doc
                )
            )
    names = who_is(session, {e.actor for e in entries if e.actor})
    for entry in entries:
        if entry.actor:
            entry.who = names[entry.actor]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def case_view(
    session: Session, actor: Actor, case_id: int, *, today: date, purpose: str = "read"
) -> CaseView | None:
    """The whole case for an agent; ``None`` if it does not exist or is not the actor's."""
    _staff(actor)
    case = cases.get_case(session, actor, case_id, purpose=purpose)
    if case is None:
        return None
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    where = {"case_id": case.id}

    def rows(model: Any, *order: Any, **extra: Any) -> list[Any]:
        query = select(model).filter_by(**where, **extra)
        return list(session.scalars(query.order_by(*order)).all())

    return CaseView(
        case=case,
        creditor=creditor,
        statement=cases.statement(case, today),
        timeline=timeline(session, case),
        tasks=rows(Task, Task.due_at, Task.id, status="open"),
        approvals=rows(Approval, Approval.requested_at.desc(), Approval.id.desc()),
        flags=[f for f in rows(CaseFlag, CaseFlag.id) if f.cleared_at is None],
        disputes=rows(Dispute, Dispute.id.desc()),
        plans=rows(PaymentPlan, PaymentPlan.id.desc()),
        calls=rows(CallLog, CallLog.at.desc(), CallLog.id.desc()),
        preferences=list(
            session.scalars(
                select(ContactPreference)
                .where(ContactPreference.debtor_id == case.debtor_id)
                .order_by(ContactPreference.id.desc())
            ).all()
        ),
        score=case_scores(session, [case.id]).get(case.id),
        bank=bank_reviews_for_case(session, actor, case.id),
    )


def log_call(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    outcome: str,
    note: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
    user_id: int | None = None,
) -> CallLog:
    """Log a phone call with its outcome; the timeline gets the outcome (not the note)."""
    _staff(actor)
    if outcome not in CALL_OUTCOMES:
        raise WorkspaceError(f"unbekanntes Ergebnis {outcome!r} ({', '.join(CALL_OUTCOMES)})")
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise WorkspaceError(f"Fall {case_id} gibt es nicht")
    call = CallLog(
        case_id=case.id,
        user_id=user_id,
        actor=actor.label,
        at=utcnow(),
        outcome=outcome,
        note=note.strip()[:2000],
        next_step=next_step.strip()[:500],
        next_step_on=next_step_on,
    )
    session.add(call)
    session.flush()
    events.emit(session, case, "call.logged", actor, call_id=call.id, outcome=outcome)
    if next_step_on is not None or outcome == "callback":
        workflow.add_task(
            session,
            case.id,
            "phone_call",
            f"callback:{call.id}",
            f"Rückruf: {next_step.strip() or 'vereinbart'}"[:500],
            due_at=datetime.combine(next_step_on, datetime.min.time(), BERLIN)
            if next_step_on
            else None,
        )
    audit.record(
        session, actor, "create", "call", call.id, case_id=case.id, creditor_id=case.creditor_id
    )
    return call


def set_flag(session: Session, actor: Actor, case_id: int, kind: str, note: str = "") -> CaseFlag:
    """Hardship, do-not-contact … (workflow.set_flag) with an audit entry."""
    _staff(actor)
    flag = workflow.set_flag(session, actor, case_id, kind, note.strip())
    _audit_case(session, actor, case_id, "set", "case_flag", kind)
    return flag


def clear_flag(session: Session, actor: Actor, case_id: int, kind: str) -> None:
    _staff(actor)
    workflow.clear_flag(session, actor, case_id, kind)
    _audit_case(session, actor, case_id, "clear", "case_flag", kind)


def _audit_case(
    session: Session, actor: Actor, case_id: int, action: str, entity: str, entity_id: object
) -> None:
    case = session.get(Case, case_id)
    if case is not None:
        audit.record(
            session, actor, action, entity, entity_id, case_id=case.id, creditor_id=case.creditor_id
        )


def finish_phone_tasks(session: Session, actor: Actor, case_id: int) -> int:
    """After a call: the case's open phone tasks are done."""
    done = 0
    for task in session.scalars(
        select(Task).where(
            Task.case_id == case_id, Task.status == "open", Task.kind == "phone_call"
        )
    ):
        workflow.close_task(session, actor, task.id)
        done += 1
    return done


def document_for(session: Session, actor: Actor, document_id: int) -> Document | None:
    """A stored document for an agent (audited), or ``None``."""
    _staff(actor)
    doc = session.get(Document, document_id)
    if doc is None:
        return None
    case = session.get(Case, doc.case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        return None
    audit.record(
        session, actor, "read", "document", doc.id, case_id=case.id, creditor_id=case.creditor_id
    )
    return doc


# ----------------------------------------------------------------------------- the call


@dataclass
class CallSheet:
    view: CaseView
    summary: str
    last_call: CallLog | None
    last_event: TimelineEntry | None
    max_months: int
    min_instalment: Decimal
    smallest_monthly: Decimal
    plan_notice: str
    acknowledgement_warning: str = ACKNOWLEDGEMENT_WARNING


def _cents_up(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_UP)


def plan_limits(creditor: Creditor) -> tuple[int, Decimal]:
    """``creditor.settings["plan_limits"]``: ``max_months`` and ``min_instalment``."""
    limits, _ = plans.creditor_limits(creditor)  # the one rule (defaults when none are set)
    return limits.max_months, limits.min_instalment


def owed_sentence(case: Case, statement: Statement) -> str:
    """What is owed and why, in one German sentence."""
    t = statement.totals
    parts = []
    for claim in case.claims:
        day = claim.invoice_date or claim.due_date or claim.default_from
        text = claim.invoice_no + (f" vom {day.strftime('%d.%m.%Y')}" if day else "")
        if claim.label:
            text += f" ({claim.label})"
        parts.append(text)
    noun = "der Rechnung" if len(parts) == 1 else "den Rechnungen"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]
    extras = [f"{format_eur(t.interest_open)} Zinsen"]
    if t.costs_open:
        extras.append(f"{format_eur(t.costs_open)} Kosten")
    return (
        f"Offen sind {format_eur(t.total_open)} aus {noun} {listed} "
        f"einschließlich {' und '.join(extras)}."
    )


def call_sheet(session: Session, actor: Actor, case_id: int, *, today: date) -> CallSheet | None:
    view = case_view(session, actor, case_id, today=today, purpose="call")
    if view is None:
        return None
    months, minimum = plan_limits(view.creditor)
    total = view.statement.totals.total_open
    minimum = min(minimum, total)  # never above what is owed (a small debt is paid at once)
    smallest = max(minimum, _cents_up(total / months)) if total > 0 else Decimal(0)
    last_event = next((e for e in view.timeline if e.document is None), None)
    return CallSheet(
        view=view,
        summary=owed_sentence(view.case, view.statement),
        last_call=view.calls[0] if view.calls else None,
        last_event=last_event,
        max_months=months,
        min_instalment=minimum,
        smallest_monthly=smallest,
        plan_notice=workflow.plan_cost_notice(view.case, total, today),
    )


# ------------------------------------------------------------------------ the portfolio


@dataclass
class MonthBar:
    month: str  # YYYY-MM
    collected: Decimal
    handed_over: int


@dataclass
class Portfolio:
    creditor: Creditor
    by_stage: list[tuple[str, int, Decimal]]
    cases: int
    collected: Decimal
    open: Decimal
    written_off: Decimal
    months: list[MonthBar]
    #: what each open case owes today (the ledger's total, computed for all cases at once)
    open_by_case: dict[int, Decimal] = field(default_factory=dict)
    open_cases: int = 0


def _months_back(today: date, n: int) -> list[str]:
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _creditor_scope(actor: Actor) -> int:
    if actor.role != "creditor" or actor.creditor_id is None:
        raise PermissionError("nur für Mandanten")
    return actor.creditor_id


def open_balances(session: Session, creditor_id: int, today: date) -> Balances:
    """The balances today of every open case of the creditor (rows by case id, integer
    cents), computed for all cases at once by the vectorised ledger
    (:mod:`mahnwerk.batch.balances`, equal to the per-case ledger to the cent)."""
    from mahnwerk.batch.balances import compute_balances
    from mahnwerk.batch.loader import Partition, load_open_cases

    columns = load_open_cases(session.connection(), today, Partition(creditor_id=creditor_id))
    return compute_balances(columns, today)


def portfolio(session: Session, actor: Actor, *, today: date, months: int = 12) -> Portfolio:
    """The creditor's cases by stage, money collected, open and written off, per month.
    Open amounts are what the open cases owe today (not the principal handed over)."""
    creditor_id = _creditor_scope(actor)
    creditor = session.get(Creditor, creditor_id)
    assert creditor is not None
    rows = session.execute(
        select(Case.id, Case.stage, Case.status, Case.created_at).where(
            Case.creditor_id == creditor_id
        )
    ).all()
    balances = open_balances(session, creditor_id, today)
    owed = {
        int(i): Decimal(int(c)).scaleb(-2)
        for i, c in zip(balances.case_id.tolist(), balances.total_open.tolist(), strict=True)
    }
    written_off_ids = [r.id for r in rows if r.stage == "write_off" and r.id not in owed]
    for case in _load_cases(session, written_off_ids).values():  # closed after a write-off
        owed[case.id] = cases.statement(case, today).totals.total_open
    stages: dict[str, list[Decimal]] = defaultdict(list)
    open_total = written_off = Decimal(0)
    handed: dict[str, int] = defaultdict(int)
    for r in rows:
        amount = owed.get(r.id, Decimal(0)) if r.status == "open" or r.stage == "write_off" else 0
        stages[r.stage].append(Decimal(amount))
        if r.stage == "write_off" or r.status == "written_off":
            written_off += Decimal(amount)
        elif r.status == "open":
            open_total += Decimal(amount)
        handed[_aware(r.created_at).astimezone(BERLIN).strftime("%Y-%m")] += 1
    collected = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0))
        .join(Case, Case.id == Payment.case_id)
        .where(Case.creditor_id == creditor_id, Payment.reversed.is_(False))
    )
    labels = _months_back(today, months)
    first = date(int(labels[0][:4]), int(labels[0][5:]), 1)
    year, month = func.extract("year", Payment.date), func.extract("month", Payment.date)
    paid: dict[str, Decimal] = {}
    for y, m, total in session.execute(
        select(year, month, func.sum(Payment.amount))
        .join(Case, Case.id == Payment.case_id)
        .where(
            Case.creditor_id == creditor_id,
            Payment.reversed.is_(False),
            Payment.date >= first,
        )
        .group_by(year, month)
    ):
        paid[f"{int(y):04d}-{int(m):02d}"] = Decimal(total or 0).quantize(Decimal("0.01"))
    audit.record(session, actor, "read", "portfolio", creditor_id, details={"cases": len(rows)})
    return Portfolio(
        creditor=creditor,
        by_stage=sorted(
            ((s, len(v), sum(v, Decimal(0))) for s, v in stages.items()), key=lambda r: r[0]
        ),
        cases=len(rows),
        collected=Decimal(collected or 0),
        open=open_total,
        written_off=written_off,
        months=[MonthBar(m, paid.get(m, Decimal(0)), handed.get(m, 0)) for m in labels],
        open_by_case={k: Decimal(v) for k, v in owed.items()},
        open_cases=sum(1 for r in rows if r.status == "open"),
    )


def creditor_case(
    session: Session, actor: Actor, case_id: int, *, today: date
) -> tuple[Case, Statement, list[TimelineEntry]] | None:
    """One of the creditor's own cases (audited read); ``None`` for anyone else's."""
    _creditor_scope(actor)
    case = cases.get_case(session, actor, case_id)
    if case is None:
        return None
    return case, cases.statement(case, today), timeline(session, case, for_creditor=True)


def _de_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


CSV_HEADER = (
    "Aktenzeichen",
    "Ihr Zeichen",
    "Schuldner",
    "Stufe",
    "Status",
    "Widerspruch offen",
    "Übergeben am",
    "Hauptforderung übergeben",
    "Hauptforderung offen",
    "Zinsen offen",
    "Kosten offen",
    "Gesamt offen",
    "Gezahlt",
)


def portfolio_csv(
    session: Session,
    actor: Actor,
    *,
    today: date,
    label: Callable[[str, str], str] | None = None,
) -> str:
    """The creditor's cases as German Excel CSV (``;``, decimal comma, UTF-8 with BOM), with
    readable values: stages and statuses in words (``label(kind, code)``, kind ``stage`` or
    ``status``), dates as ``31.12.2026``, amounts as ``1234,50``."""
    creditor_id = _creditor_scope(actor)
    name = label or (lambda _kind, code: code)
    rows = session.execute(
        select(
            Case.id,
            Case.reference,
            Case.external_ref,
            Case.stage,
            Case.status,
            Case.created_at,
            Debtor.kind,
            Debtor.first_name,
            Debtor.last_name,
            Debtor.company,
        )
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(Case.creditor_id == creditor_id)
        .order_by(Case.id)
    ).all()
    computed = open_balances(session, creditor_id, today)
    balances = {int(case_id): computed.totals(row) for row, case_id in enumerate(computed.case_id)}
    others = _load_cases(session, [r.id for r in rows if r.id not in balances])
    for case in others.values():
        totals = cases.statement(case, today).totals
        balances[case.id] = {
            "principal_open": totals.principal_open,
            "interest_open": totals.interest_open,
            "costs_open": totals.costs_open,
            "total_open": totals.total_open,
        }
    principal: dict[int, Decimal] = defaultdict(Decimal)
    for case_id, amount in session.execute(
        select(Claim.case_id, Claim.principal)
        .join(Case, Case.id == Claim.case_id)
        .where(Case.creditor_id == creditor_id)
    ):
        principal[case_id] += amount
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for case_id, amount in session.execute(
        select(Payment.case_id, Payment.amount)
        .join(Case, Case.id == Payment.case_id)
        .where(Case.creditor_id == creditor_id, Payment.reversed.is_(False))
    ):
        paid[case_id] += amount
    disputed = set(
        session.scalars(
            select(Dispute.case_id)
            .join(Case, Case.id == Dispute.case_id)
            .where(Case.creditor_id == creditor_id, Dispute.status == "open")
        )
    )
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        t = balances[r.id]
        writer.writerow(
            (
                r.reference,
                r.external_ref,
                debtor_display_name(r.kind, r.first_name, r.last_name, r.company),
                name("stage", r.stage),
                name("status", r.status),
                "ja" if r.id in disputed else "nein",
                _aware(r.created_at).astimezone(BERLIN).strftime("%d.%m.%Y"),
                _de_amount(principal[r.id]),
                _de_amount(Decimal(t["principal_open"])),
                _de_amount(Decimal(t["interest_open"])),
                _de_amount(Decimal(t["costs_open"])),
                _de_amount(Decimal(t["total_open"])),
                _de_amount(paid[r.id]),
            )
        )
    audit.record(session, actor, "export", "portfolio", creditor_id, details={"cases": len(rows)})
    return out.getvalue()
