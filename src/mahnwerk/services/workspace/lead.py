"""The team lead's desk: the approval queue with the case summary and the proposal as it
would be carried out, and the team's work: open tasks by agent, and reassignment.

Filtering, counting and paging happen in SQL (the queue of a large agency does not fit a
page, nor memory); only the page's cases are loaded to compute their open amounts with the
ledger. Who may decide an approval is one rule,
:func:`mahnwerk.services.actor.approval_refusal` (a team lead, never the proposer);
:class:`ApprovalItem` carries the reason a viewer may not, so the page says so instead of
offering a button that would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.domain.ledger import Statement
from mahnwerk.services import audit, cases
from mahnwerk.services.actor import Actor, approval_refusal
from mahnwerk.services.admin.users import Who, who_is
from mahnwerk.services.workspace.desk import TimelineEntry
from mahnwerk.services.workspace.workflow import TASK_TEXT, WorkflowError
from mahnwerk.store.models import Case, CaseEvent, Creditor, Debtor, User, debtor_display_name
from mahnwerk.store.workflow import Approval, Task

LEADS = ("teamlead",)
#: the gated steps, in the order of the page's filter
APPROVAL_STAGES = ("court_handover", "enforcement", "write_off", "credit_bureau_report")
PER_PAGE = 20


def _lead(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role in LEADS):
        raise PermissionError("nur für die Teamleitung")


SYSTEM = Who("system")


@dataclass
class ApprovalItem:
    approval: Approval
    case: Case
    creditor: str
    statement: Statement
    #: what approving sets off (the task the team gets, or the court's application)
    consequence: str
    #: why this viewer may not decide it (``None``: may)
    refusal: str | None
    recent: list[TimelineEntry] = field(default_factory=list)


@dataclass
class ApprovalQueue:
    items: list[ApprovalItem]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    creditors: list[tuple[int, str]]
    stage: str | None = None
    creditor_id: int | None = None


def approval_queue(
    session: Session,
    actor: Actor,
    today: date,
    *,
    stage: str | None = None,
    creditor_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ApprovalQueue:
    """Pending approvals, oldest first, filtered by step and creditor, one page of them."""
    _lead(actor)
    base = (
        select(Approval.id)
        .join(Case, Case.id == Approval.case_id)
        .where(Approval.status == "pending")
    )
    if creditor_id is not None:
        base = base.where(Case.creditor_id == creditor_id)
    counts = {
        str(s): int(n)
        for s, n in session.execute(
            select(Approval.stage, func.count())
            .join(Case, Case.id == Approval.case_id)
            .where(Approval.status == "pending")
            .where(*([Case.creditor_id == creditor_id] if creditor_id is not None else []))
            .group_by(Approval.stage)
        )
    }
    if stage:
        base = base.where(Approval.stage == stage)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    ids = list(
        session.scalars(
            base.order_by(Approval.requested_at, Approval.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    approvals = {
        a.id: a for a in session.scalars(select(Approval).where(Approval.id.in_(ids or [-1])))
    }
    loaded = {
        c.id: c
        for c in session.scalars(
            select(Case)
            .where(Case.id.in_({a.case_id for a in approvals.values()} or {-1}))
            .options(
                selectinload(Case.claims),
                selectinload(Case.costs),
                selectinload(Case.payments),
                selectinload(Case.debtor),
            )
        )
    }
    names = dict(session.execute(select(Creditor.id, Creditor.name)).all())
    recent: dict[int, list[CaseEvent]] = {}
    for event in session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(list(loaded) or [-1]))
        .order_by(CaseEvent.id.desc())
    ):
        if len(recent.setdefault(event.case_id, [])) < 4:
            recent[event.case_id].append(event)
    people = who_is(session, {e.actor for events in recent.values() for e in events})
    items = []
    for approval_id in ids:
        approval = approvals[approval_id]
        case_ = loaded[approval.case_id]
        items.append(
            ApprovalItem(
                approval=approval,
                case=case_,
                creditor=str(names.get(case_.creditor_id, "")),
                statement=cases.statement(case_, today),
                consequence=TASK_TEXT.get(approval.stage, f"Freigegeben: {approval.stage}"),
                refusal=approval_refusal(actor),
                recent=[
                    TimelineEntry(
                        e.at, e.kind, e.actor, e.data or {}, None, people.get(e.actor, SYSTEM)
                    )
                    for e in recent.get(case_.id, [])
                ],
            )
        )
    audit.record(
        session, actor, "list", "approval_queue", None,
        details={"count": len(items), "stage": stage, "creditor": creditor_id},
    )  # fmt: skip
    return ApprovalQueue(
        items=items,
        counts=counts,
        total=total,
        page=page,
        pages=pages,
        creditors=sorted(((int(i), str(n)) for i, n in names.items()), key=lambda kv: kv[1]),
        stage=stage,
        creditor_id=creditor_id,
    )


# ------------------------------------------------------------------------- the team


@dataclass
class AgentLoad:
    user: User | None  # None: not assigned to anyone
    open: int
    overdue: int


def team_load(session: Session, actor: Actor, now: datetime) -> list[AgentLoad]:
    """Open tasks per agent (and those nobody has), with how many are overdue."""
    _lead(actor)
    rows = session.execute(
        select(
            Task.assigned_to,
            func.count(),
            func.sum(case((Task.due_at < now, 1), else_=0)),
        )
        .where(Task.status == "open")
        .group_by(Task.assigned_to)
    ).all()
    by_user = {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}
    staff = list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(("agent", "teamlead")))
            .order_by(User.email)
        )
    )
    out = [AgentLoad(None, *by_user.get(None, (0, 0)))]
    out += [AgentLoad(u, *by_user.get(u.id, (0, 0))) for u in staff]
    return out


@dataclass
class TaskRow:
    task: Task
    reference: str
    debtor: str
    assignee: str


@dataclass
class TaskPage:
    rows: list[TaskRow]
    total: int
    page: int
    pages: int


def team_tasks(
    session: Session,
    actor: Actor,
    *,
    assignee: str = "",
    page: int = 1,
    per_page: int = 25,
) -> TaskPage:
    """Open tasks, due first; ``assignee``: ``""`` all, ``"none"`` nobody's, or a user id."""
    _lead(actor)
    query = select(Task).where(Task.status == "open")
    if assignee == "none":
        query = query.where(Task.assigned_to.is_(None))
    elif assignee.isdigit():
        query = query.where(Task.assigned_to == int(assignee))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    tasks = list(
        session.scalars(
            query.order_by(Task.due_at, Task.id).offset((page - 1) * per_page).limit(per_page)
        )
    )
    case_rows = {
        r.id: r
        for r in session.execute(
            select(
                Case.id,
                Case.reference,
                Debtor.kind,
                Debtor.first_name,
                Debtor.last_name,
                Debtor.company,
            )
            .join(Debtor, Debtor.id == Case.debtor_id)
            .where(Case.id.in_({t.case_id for t in tasks} or {-1}))
        )
    }
    emails = dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_({t.assigned_to for t in tasks} - {None}))
        ).all()
    )
    rows = []
    for t in tasks:
        c = case_rows.get(t.case_id)
        rows.append(
            TaskRow(
                t,
                c.reference if c else "",
                debtor_display_name(c.kind, c.first_name, c.last_name, c.company) if c else "",
                str(emails.get(t.assigned_to, "")) if t.assigned_to else "",
            )
        )
    return TaskPage(rows, total, page, pages)


def assign_tasks(session: Session, actor: Actor, task_ids: list[int], user_id: int | None) -> int:
    """Give open tasks to an agent (``None``: back to the team); returns how many moved."""
    _lead(actor)
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.active or user.role not in ("agent", "teamlead"):
            raise WorkflowError("Aufgaben gehen nur an aktive Sachbearbeitung oder Teamleitung")
    moved = 0
    for task in session.scalars(
        select(Task).where(Task.id.in_(task_ids or [-1]), Task.status == "open")
    ):
        if task.assigned_to != user_id:
            task.assigned_to = user_id
            moved += 1
            audit.record(
                session, actor, "assign", "task", task.id, case_id=task.case_id,
                details={"to": user_id},
            )  # fmt: skip
    return moved
