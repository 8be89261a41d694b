"""Read models of the court pages: the case page's court section, one procedure with its
applications exactly as filed, and the approval queue of the team leads.

Every function takes the session and the acting staff member and audits the read; nothing
here changes the store.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.court.application import Application, VbApplication
from mahnwerk.court.directory import courts
from mahnwerk.domain.court import (
    RUNNING_STATES,
    STATE_TEXT,
    State,
    einspruch_period_end,
    lapse_day,
    widerspruch_period_end,
)
from mahnwerk.domain.title import format_interest, interest_barred_through, title_limitation
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.court.prepare import (
    COURT_APPROVALS,
    VB_APPROVAL,
    Preview,
    application_of,
    approval_refusal,
    preview,
    procedure_of_approval,
    vb_application_of,
)
from mahnwerk.services.court.tick import court_calendar
from mahnwerk.services.court.titles import title_text
from mahnwerk.store.court import CourtProcedure, EdaFile, Title
from mahnwerk.store.models import Case, Creditor
from mahnwerk.store.workflow import Approval


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")


@dataclass
class ProcedureView:
    procedure: CourtProcedure
    case: Case
    state_text: str
    court: str
    application: Application
    vb: VbApplication | None
    #: German labels and dates of the periods that run (Widerspruch, § 701, Einspruch)
    periods: list[tuple[str, date]] = field(default_factory=list)
    approval: Approval | None = None
    #: why the viewer may not decide the pending approval (``None``: may)
    refusal: str | None = None
    files: list[EdaFile] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.approval is not None and self.approval.status == "pending"

    @property
    def vb_pending(self) -> bool:
        return (
            self.pending
            and self.approval is not None
            and self.approval.strategy_name == VB_APPROVAL
        )

    @property
    def digest(self) -> str:
        p = self.procedure
        return (p.vb_digest if self.vb_pending else p.application_digest) or ""


@dataclass
class TitleView:
    title: Title
    text: str
    interest: str
    barred_from: date | None
    interest_barred_through: date | None


@dataclass
class CourtSection:
    procedures: list[ProcedureView]
    titles: list[TitleView]
    can_prepare: bool


def _periods(p: CourtProcedure) -> list[tuple[str, date]]:
    holiday = court_calendar(p.court_id)
    out: list[tuple[str, date]] = []
    if p.served_on is not None:
        out.append(("Widerspruchsfrist bis", widerspruch_period_end(p.served_on, holiday)))
        if p.state in (State.SERVED, State.VB_PREPARED, State.VB_RETURNED, State.VB_APPROVED):
            out.append(("VB-Antrag spätestens (§ 701 ZPO)", lapse_day(p.served_on, holiday)))
    if p.vb_served_on is not None:
        out.append(("Einspruchsfrist bis", einspruch_period_end(p.vb_served_on, holiday)))
    return out


def _current_approval(session: Session, p: CourtProcedure) -> Approval | None:
    for approval_id in (p.vb_approval_id, p.approval_id):
        if approval_id is not None:
            approval = session.get(Approval, approval_id)
            if approval is not None and approval.status == "pending":
                return approval
    last = p.vb_approval_id or p.approval_id
    return session.get(Approval, last) if last else None


def _view(session: Session, actor: Actor, p: CourtProcedure, case: Case) -> ProcedureView:
    approval = _current_approval(session, p)
    refusal = None
    if approval is not None and approval.status == "pending":
        vb = approval.strategy_name == VB_APPROVAL
        refusal = approval_refusal(actor, (p.vb_prepared_by if vb else p.prepared_by) or "")
    court = courts().get(p.court_id)
    files = [f for f in (session.get(EdaFile, i) for i in (p.mb_file_id, p.vb_file_id) if i) if f]
    return ProcedureView(
        procedure=p,
        case=case,
        state_text=STATE_TEXT[State(p.state)],
        court=court.name if court else p.court_id,
        application=application_of(p),
        vb=vb_application_of(p),
        periods=_periods(p),
        approval=approval,
        refusal=refusal,
        files=files,
    )


def title_view(t: Title, today: date) -> TitleView:
    acts = [a.acted_on for a in t.enforcement_acts]
    barred = title_limitation(t.final, acts).barred_from if t.final else None
    interest = format_interest(t.interest) + (
        f" ab {t.interest_from:%d.%m.%Y}" if t.interest_from else ""
    )
    return TitleView(
        title=t,
        text=title_text(t),
        interest=interest,
        barred_from=barred,
        interest_barred_through=interest_barred_through(t.final, today, acts) if t.final else None,
    )


def court_section(session: Session, actor: Actor, case: Case, today: date) -> CourtSection:
    """The court part of the case page (the case was read, and audited, by the page)."""
    _staff(actor)
    procedures = list(
        session.scalars(
            select(CourtProcedure)
            .where(CourtProcedure.case_id == case.id)
            .order_by(CourtProcedure.id.desc())
        )
    )
    titles = list(
        session.scalars(select(Title).where(Title.case_id == case.id).order_by(Title.issued))
    )
    running = any(
        State(p.state) in RUNNING_STATES or p.state == State.TITLED.value for p in procedures
    )
    return CourtSection(
        procedures=[_view(session, actor, p, case) for p in procedures],
        titles=[title_view(t, today) for t in titles],
        can_prepare=case.status == "open" and not running and not titles,
    )


def procedure_view(session: Session, actor: Actor, procedure_id: int) -> ProcedureView | None:
    """One procedure with its applications; ``None`` if it is not the actor's to see."""
    _staff(actor)
    p = session.get(CourtProcedure, procedure_id)
    if p is None:
        return None
    case = session.get(Case, p.case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        return None
    audit.record(
        session, actor, "read", "court_procedure", p.id,
        case_id=case.id, creditor_id=case.creditor_id,
    )  # fmt: skip
    return _view(session, actor, p, case)


@dataclass
class QueueItem:
    approval: Approval
    case: Case
    creditor: str
    kind: str  # court_mb, court_vb, step
    procedure: ProcedureView | None
    refusal: str | None
    #: the court step of the strategy, no application yet: what approving it would file
    preview: Preview | None = None

    @property
    def digest(self) -> str:
        if self.procedure:
            return self.procedure.digest
        return self.preview.digest if self.preview else ""

    @property
    def application(self) -> Application | None:
        if self.procedure:
            return self.procedure.application
        return self.preview.application if self.preview else None


def approval_queue(
    session: Session, actor: Actor, today: date, *, only: Collection[int] | None = None
) -> Sequence[QueueItem]:
    """Every pending approval the actor may see (``only``: of these ids; the team lead's
    page pages and filters them), oldest first; court applications with the application as
    it will be filed and whether this actor may decide it."""
    _staff(actor)
    query = (
        select(Approval)
        .where(Approval.status == "pending")
        .order_by(Approval.requested_at, Approval.id)
    )
    if only is not None:
        query = query.where(Approval.id.in_(list(only) or [-1]))
    approvals = list(session.scalars(query))
    cases = {
        c.id: c
        for c in session.scalars(select(Case).where(Case.id.in_({a.case_id for a in approvals})))
    }
    names = {int(i): str(n) for i, n in session.execute(select(Creditor.id, Creditor.name))}
    items: list[QueueItem] = []
    for approval in approvals:
        case = cases.get(approval.case_id)
        if case is None or not actor.may_see_creditor(case.creditor_id):
            continue
        procedure = procedure_of_approval(session, approval)
        view = _view(session, actor, procedure, case) if procedure is not None else None
        if approval.strategy_name in COURT_APPROVALS:
            kind = "court_vb" if approval.strategy_name == VB_APPROVAL else "court_mb"
        else:
            kind = "court_mb" if approval.stage == "court_handover" else "step"
        refusal = view.refusal if view is not None else approval_refusal(actor, "system:strategy")
        shown = None
        if view is None and kind == "court_mb":
            shown = preview(session, actor, case.id, today)
        items.append(
            QueueItem(approval, case, names.get(case.creditor_id, ""), kind, view, refusal, shown)
        )
    audit.record(session, actor, "list", "approval_queue", None, details={"count": len(items)})
    return items
