"""Read models of the enforcement pages: the case's enforcement page for agents and the
creditor's view of its titled cases. Reads of debtor data are audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.config import Settings
from mahnwerk.documents.forms import FormDocument
from mahnwerk.domain import enforcement as rules
from mahnwerk.enforcement.values import Drittschuldner, FormError
from mahnwerk.services import audit, cases
from mahnwerk.services.actor import Actor
from mahnwerk.services.court.titles import titles_of_case
from mahnwerk.services.enforcement import measures
from mahnwerk.services.enforcement.measures import HistoryEntry
from mahnwerk.services.enforcement.titles import TitleInfo, title_info
from mahnwerk.store.court import Title
from mahnwerk.store.enforcement import (
    DebtorEmployer,
    EnforcementMeasure,
    RegisterEntry,
    TitleMonitor,
)
from mahnwerk.store.models import Case, Creditor
from mahnwerk.store.workflow import Approval


@dataclass
class EnforcementView:
    case: Case
    creditor: Creditor
    titles: list[TitleInfo]
    monitor: TitleMonitor | None
    proposal: rules.Proposal
    measures: list[EnforcementMeasure]
    approvals: dict[int, Approval]
    employers: list[DebtorEmployer]
    register: list[RegisterEntry]
    history: list[HistoryEntry]
    preview: list[FormDocument] = field(default_factory=list)
    preview_measure: EnforcementMeasure | None = None
    preview_problem: str = ""


def enforcement_view(
    session: Session, actor: Actor, settings: Settings, case_id: int, *, today: date
) -> EnforcementView | None:
    """Everything the enforcement page of a case shows; ``None`` if not the actor's."""
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")
    case = cases.get_case(session, actor, case_id, purpose="enforcement")
    if case is None:
        return None
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    rows = list(titles_of_case(session, case.id))
    all_measures = measures.open_measures(session, case.id)
    approval_ids = [m.approval_id for m in all_measures if m.approval_id is not None]
    approvals = (
        {a.id: a for a in session.scalars(select(Approval).where(Approval.id.in_(approval_ids)))}
        if approval_ids
        else {}
    )
    view = EnforcementView(
        case=case,
        creditor=creditor,
        titles=[title_info(session, case, row, today) for row in rows],
        monitor=session.get(TitleMonitor, case.id),
        proposal=rules.propose(measures.snapshot(session, case, today, settings), today),
        measures=all_measures,
        approvals=approvals,
        employers=list(
            session.scalars(
                select(DebtorEmployer)
                .where(DebtorEmployer.debtor_id == case.debtor_id)
                .order_by(DebtorEmployer.id.desc())
            )
        ),
        register=list(
            session.scalars(
                select(RegisterEntry)
                .where(RegisterEntry.debtor_id == case.debtor_id)
                .order_by(RegisterEntry.entered_on.desc())
            )
        ),
        history=measures.history(session, case),
    )
    _preview(session, settings, view, today)
    return view


def _preview(session: Session, settings: Settings, view: EnforcementView, today: date) -> None:
    """The form of the newest measure with a form, as it will be printed."""
    measure = next((m for m in view.measures if m.form and m.status != "rejected"), None)
    if measure is None or not view.titles:
        return
    view.preview_measure = measure
    kind = "employer" if measure.kind == rules.Measure.WAGE_GARNISHMENT.value else "bank"
    try:
        third = (
            Drittschuldner.parse(measure.drittschuldner, kind) if measure.drittschuldner else None
        )
        view.preview = measures.build_documents(
            session, settings, view.case, measure.form, today, drittschuldner=third
        )
    except (FormError, ValueError) as exc:
        view.preview_problem = str(exc)


@dataclass(frozen=True)
class TitledCaseRow:
    case: Case
    title: Title
    info: TitleInfo
    last_measure: EnforcementMeasure | None
    next_check: date | None


def creditor_titles(session: Session, actor: Actor, *, today: date) -> list[TitledCaseRow]:
    """The creditor's titled cases with their title, limitation, open amount, the latest
    measure and the next re-check (audited)."""
    if actor.role != "creditor" or actor.creditor_id is None:
        raise PermissionError("nur für Mandanten")
    rows = session.execute(
        select(Case, Title)
        .join(Title, Title.case_id == Case.id)
        .where(Case.creditor_id == actor.creditor_id)
        .options(selectinload(Case.costs), selectinload(Case.payments), selectinload(Case.debtor))
        .order_by(Case.id, Title.issued)
    ).all()
    latest: dict[int, tuple[Case, Title]] = {}
    for case, title in rows:
        latest[case.id] = (case, title)
    ids = list(latest)
    last: dict[int, EnforcementMeasure] = {}
    checks: dict[int, date] = {}
    if ids:
        for m in session.scalars(
            select(EnforcementMeasure)
            .where(EnforcementMeasure.case_id.in_(ids))
            .order_by(EnforcementMeasure.id)
        ):
            last[m.case_id] = m
        checks = dict(
            session.execute(
                select(TitleMonitor.case_id, TitleMonitor.next_check_on).where(
                    TitleMonitor.case_id.in_(ids)
                )
            ).all()
        )
    out = [
        TitledCaseRow(
            case, title, title_info(session, case, title, today), last.get(cid), checks.get(cid)
        )
        for cid, (case, title) in latest.items()
    ]
    audit.record(
        session, actor, "read", "titled_cases", actor.creditor_id, details={"cases": len(out)}
    )
    return out
