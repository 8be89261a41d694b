"""Use cases of the dunning workflow: disputes, payment plans, flags, returned mail, contact
preferences, the approval queue and tasks. Each takes the session of one transaction and the
acting :class:`~mahnwerk.services.actor.Actor`.

Gated steps (court, enforcement, write-off, credit bureau) advance only here, through
:func:`approve` by a person; the daily run only asks (:class:`~mahnwerk.store.workflow.Approval`
rows) and never executes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mahnwerk.domain import notices
from mahnwerk.domain.affordability import CostNotice, cost_notice
from mahnwerk.domain.contact_rules import ContactKind, Preference
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.money import format_eur
from mahnwerk.services import audit, cases, events
from mahnwerk.services.actor import Actor, approval_refusal, today_in_germany, utcnow
from mahnwerk.store.models import Case, ContactPoint
from mahnwerk.store.workflow import (
    Approval,
    CaseFlag,
    CaseStrategy,
    ContactPreference,
    Dispute,
    OutboxMessage,
    PaymentPlan,
    Task,
)

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

FLAG_KINDS = ("insolvency", "deceased", "hardship", "do_not_contact", "letter_returned")
TASK_TEXT = {
    "court_handover": "Freigegeben: Mahnbescheid beantragen",
    "enforcement": "Freigegeben: Vollstreckungsauftrag erstellen",
    "write_off": "Freigegeben: Forderung ausbuchen und Mandant informieren",
    "credit_bureau_report": "Freigegeben: Meldung an die Auskunftei übermitteln",
}


#: ``Approval.strategy_name`` of an enforcement measure's approval (see
#: :mod:`mahnwerk.services.enforcement.measures`): deciding it acts on the measure, not on the
#: dunning strategy.
ENFORCEMENT_MEASURE = "enforcement"


class WorkflowError(ValueError):
    """A request the workflow rules refuse (German message for the caller)."""


def _case(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise WorkflowError(f"Fall {case_id} gibt es nicht")
    return case


def _human(actor: Actor, proposed_by: str = "system:strategy") -> None:
    """Only a team lead decides, and not what they proposed (:func:`approval_refusal`)."""
    refusal = approval_refusal(actor, proposed_by)
    if refusal:
        raise WorkflowError(refusal)


# ------------------------------------------------------------------------------ disputes


def open_dispute(session: Session, actor: Actor, case_id: int, reason: str) -> Dispute:
    """Widerspruch: stops every dunning step of the case until it is resolved."""
    case = _case(session, actor, case_id)
    if not reason.strip():
        raise WorkflowError("Grund des Widerspruchs fehlt")
    dispute = Dispute(
        case_id=case.id,
        opened_at=utcnow(),
        reason=reason.strip(),
        status="open",
        opened_by=actor.label,
    )
    session.add(dispute)
    session.flush()
    events.emit(session, case, "dispute.opened", actor, dispute_id=dispute.id, reason=reason)
    audit.record(
        session,
        actor,
        "create",
        "dispute",
        dispute.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return dispute


def resolve_dispute(session: Session, actor: Actor, dispute_id: int, resolution: str) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise WorkflowError(f"Widerspruch {dispute_id} gibt es nicht")
    case = _case(session, actor, dispute.case_id)
    if dispute.status != "open":
        raise WorkflowError("der Widerspruch ist schon erledigt")
    dispute.status = "resolved"
    dispute.resolved_at = utcnow()
    dispute.resolution = resolution
    events.emit(session, case, "dispute.resolved", actor, dispute_id=dispute.id)
    audit.record(
        session,
        actor,
        "update",
        "dispute",
        dispute.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return dispute


# --------------------------------------------------------------------------------- plans


def plan_notice(case: Case, on: date, total: Decimal | None = None) -> CostNotice:
    """§ 13a Abs. 3 RDG: the costs an instalment agreement causes, stated before it is agreed.
    The agreement fee is valued on what is still open of the main claim on ``on`` (not the
    original principal, see :func:`mahnwerk.domain.affordability.cost_notice`); ``total`` is
    the amount the plan covers (default: everything open on ``on``)."""
    totals = cases.statement(case, on).totals
    principal = sum((c.principal for c in case.claims), Decimal(0))
    mandate_day = today_in_germany(case.created_at) if case.created_at else on
    return cost_notice(
        totals.total_open if total is None else total,
        totals.principal_open,
        totals.interest_open + totals.costs_open,
        principal,
        mandate_day,
    )


def plan_cost_notice(case: Case, total: Decimal, on: date) -> str:
    """The text of :func:`plan_notice` for a plan over ``total``."""
    return plan_notice(case, on, total).text


#: The template (and the outbox stage) of the notice of § 13a Abs. 4 RDG.
ACKNOWLEDGEMENT_TEMPLATE = "acknowledgement_notice"


def acknowledgement_parts(st: Statement) -> list[str]:
    """The parts of the claim an acknowledgement covers (§ 13a Abs. 4 S. 2 Nr. 1 RDG)."""
    parts = [f"Hauptforderung {c.id}: {format_eur(c.principal_open)}" for c in st.claims]
    if st.totals.interest_open:
        parts.append(f"Zinsen bis {st.as_of:%d.%m.%Y}: {format_eur(st.totals.interest_open)}")
    if st.totals.costs_open:
        parts.append(f"Kosten: {format_eur(st.totals.costs_open)}")
    return parts


def acknowledgement_notice_for(case: Case, today: date) -> str:
    """The text of § 13a Abs. 4 RDG for ``case`` as of ``today``."""
    from mahnwerk.services.cases import statement

    return notices.acknowledgement_notice(acknowledgement_parts(statement(case, today)))


def acknowledgement_notice_sent(session: Session, case_id: int) -> datetime | None:
    """When the notice of § 13a Abs. 4 RDG last went out to the debtor in text form."""
    return session.scalar(
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.template == ACKNOWLEDGEMENT_TEMPLATE,
            OutboxMessage.status == "sent",
        )
        .order_by(OutboxMessage.sent_at.desc())
        .limit(1)
    )


def send_acknowledgement_notice(
    session: Session,
    actor: Actor,
    case_id: int,
    runtime: Runtime,
    *,
    today: date | None = None,
) -> OutboxMessage:
    """Queue the notice of § 13a Abs. 4 RDG in text form (e-mail if the debtor has a valid
    address, else a letter): what an acknowledgement of the debt covers and which defences
    (the claim does not exist, it was paid, it is time-barred) are then lost as a rule. The
    next delivery sends it; only then may a plan containing an acknowledgement be agreed."""
    from mahnwerk.services.cases import statement
    from mahnwerk.services.dunning.compose import message_payload, sender_problems, valid_contacts
    from mahnwerk.store.models import Creditor

    _staff_or_system(actor)
    case = _case(session, actor, case_id)
    problems = sender_problems(runtime.settings)
    if problems:
        raise WorkflowError("Absender unvollständig: " + "; ".join(problems))
    now = utcnow()
    day = today or today_in_germany(now)
    debtor = case.debtor
    if valid_contacts(debtor, "email"):
        channel = "email"
    elif debtor.current_address is not None:
        channel = "letter"
    else:
        raise WorkflowError(
            "weder E-Mail-Adresse noch Anschrift: Hinweis nicht in Textform möglich"
        )
    st = statement(case, day)
    text = notices.acknowledgement_notice(acknowledgement_parts(st))
    state = session.get(CaseStrategy, case.id)
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    payload = message_payload(
        case,
        creditor,
        st,
        runtime.settings,
        day,
        action_info={
            "template": ACKNOWLEDGEMENT_TEMPLATE,
            "stage": ACKNOWLEDGEMENT_TEMPLATE,
            "channel": channel,
            "first_contact": False,
            "credit_bureau_notice": False,
            "step": -1,
            "strategy": state.strategy_name if state else "",
            "strategy_version": state.strategy_version if state else 0,
            "fees": [],
        },
    )
    payload["acknowledgement"] = {"title": notices.ACKNOWLEDGEMENT_TITLE, "text": text}
    count = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.template == ACKNOWLEDGEMENT_TEMPLATE,
        )
    )
    message = OutboxMessage(
        case_id=case.id,
        run_date=day,
        step_index=-1,
        stage=ACKNOWLEDGEMENT_TEMPLATE,
        channel=channel,
        template=ACKNOWLEDGEMENT_TEMPLATE,
        strategy_name=state.strategy_name if state else "",
        strategy_version=state.strategy_version if state else 0,
        dedupe_key=f"{ACKNOWLEDGEMENT_TEMPLATE}#{(count or 0) + 1}",
        first_contact=False,
        payload=payload,
        status="pending",
        attempts=0,
        created_at=now,
    )
    session.add(message)
    session.flush()
    events.emit(
        session, case, "acknowledgement.notice", actor, outbox_id=message.id, channel=channel
    )
    audit.record(
        session,
        actor,
        "create",
        "outbox",
        message.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return message


def _staff_or_system(actor: Actor) -> None:
    if not actor.is_staff:
        raise WorkflowError("nur für Mitarbeitende")


def add_plan(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    amount: Decimal,
    start: date,
    count: int = 1,
    interval_months: int = 1,
    kind: str | None = None,
    today: date | None = None,
    acknowledgement: bool = False,
) -> PaymentPlan:
    """A payment plan (``count`` > 1) or promise to pay (``count`` = 1); an active one is
    replaced. The § 13a Abs. 3 RDG cost notice is stored with it. A plan that contains an
    acknowledgement of the debt (``acknowledgement``) is agreed with a private person only
    after the notice of § 13a Abs. 4 RDG went out in text form
    (:func:`send_acknowledgement_notice`)."""
    case = _case(session, actor, case_id)
    if (
        acknowledgement
        and case.debtor.consumer
        and (acknowledgement_notice_sent(session, case.id) is None)
    ):
        raise WorkflowError(
            "Schuldanerkenntnis erst nach dem Hinweis nach § 13a Abs. 4 RDG in Textform: den "
            "Hinweis senden und die Zustellung abwarten"
        )
    if amount <= 0:
        raise WorkflowError("der Ratenbetrag muss größer als 0 sein")
    if count < 1 or interval_months < 1:
        raise WorkflowError("Anzahl und Abstand der Raten müssen mindestens 1 sein")
    kind = kind or ("plan" if count > 1 else "promise")
    if kind not in ("plan", "promise"):
        raise WorkflowError(f"unbekannte Art {kind!r} (plan, promise)")
    now = utcnow()
    agreed = today or today_in_germany(now)
    for old in session.scalars(
        select(PaymentPlan).where(PaymentPlan.case_id == case.id, PaymentPlan.status == "active")
    ):
        old.status = "replaced"
        old.closed_at = now
    plan = PaymentPlan(
        case_id=case.id,
        kind=kind,
        instalment=amount,
        start=start,
        interval_months=interval_months,
        count=count,
        status="active",
        agreed_on=agreed,
        cost_notice=plan_cost_notice(
            case, min(amount * count, cases.statement(case, agreed).totals.total_open), agreed
        ),
        acknowledgement=acknowledgement,
        created_at=now,
    )
    session.add(plan)
    session.flush()
    events.emit(
        session,
        case,
        "plan.agreed",
        actor,
        plan_id=plan.id,
        plan_kind=kind,
        instalment=str(amount),
        count=count,
        start=start.isoformat(),
        cost_notice=plan.cost_notice,
    )
    audit.record(
        session,
        actor,
        "create",
        "payment_plan",
        plan.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return plan


# --------------------------------------------------------------------- flags and contacts


def set_flag(session: Session, actor: Actor, case_id: int, kind: str, note: str = "") -> CaseFlag:
    case = _case(session, actor, case_id)
    if kind not in FLAG_KINDS:
        raise WorkflowError(f"unbekannte Markierung {kind!r} ({', '.join(FLAG_KINDS)})")
    existing = session.scalar(
        select(CaseFlag).where(
            CaseFlag.case_id == case.id, CaseFlag.kind == kind, CaseFlag.cleared_at.is_(None)
        )
    )
    if existing is not None:
        return existing
    flag = CaseFlag(case_id=case.id, kind=kind, note=note, set_at=utcnow(), set_by=actor.label)
    session.add(flag)
    session.flush()
    events.emit(session, case, "flag.set", actor, flag=kind, note=note)
    return flag


def clear_flag(session: Session, actor: Actor, case_id: int, kind: str) -> None:
    case = _case(session, actor, case_id)
    for flag in session.scalars(
        select(CaseFlag).where(
            CaseFlag.case_id == case.id, CaseFlag.kind == kind, CaseFlag.cleared_at.is_(None)
        )
    ):
        flag.cleared_at = utcnow()
        events.emit(session, case, "flag.cleared", actor, flag=kind)


def report_returned_letter(session: Session, actor: Actor, case_id: int, note: str = "") -> None:
    """A letter came back undeliverable: no more letters to that address, address inquiry."""
    set_flag(session, actor, case_id, "letter_returned", note)


def report_bounced_email(session: Session, actor: Actor, contact_id: int) -> None:
    contact = session.get(ContactPoint, contact_id)
    if contact is None:
        raise WorkflowError(f"Kontakt {contact_id} gibt es nicht")
    contact.status = "bounced"


def set_contact_preference(
    session: Session,
    actor: Actor,
    debtor_id: int,
    channel: str,
    earliest_hour: int = 0,
    latest_hour: int = 24,
) -> ContactPreference:
    if channel not in ("letter", "email", "sms", "call"):
        raise WorkflowError(f"unbekannter Kanal {channel!r} (letter, email, sms, call)")
    if not 0 <= earliest_hour < latest_hour <= 24:
        raise WorkflowError("Uhrzeiten: 0 ≤ von < bis ≤ 24")
    pref = ContactPreference(
        debtor_id=debtor_id,
        channel=channel,
        earliest_hour=earliest_hour,
        latest_hour=latest_hour,
        created_at=utcnow(),
    )
    session.add(pref)
    session.flush()
    return pref


def stated_preferences(session: Session, debtor_ids: Iterable[int]) -> dict[int, list[Preference]]:
    """Every contact preference each debtor stated (portal, assistant, agent), as the contact
    rules read them (:mod:`mahnwerk.domain.contact_rules`); debtors without one are absent."""
    out: dict[int, list[Preference]] = {}
    ids = sorted(set(debtor_ids))
    for i in range(0, len(ids), 5000):
        for p in session.scalars(
            select(ContactPreference).where(ContactPreference.debtor_id.in_(ids[i : i + 5000]))
        ):
            if p.channel in ContactKind.__members__.values():
                out.setdefault(p.debtor_id, []).append(
                    Preference(ContactKind(p.channel), p.earliest_hour, p.latest_hour)
                )
    return out


# --------------------------------------------------------------------------------- tasks


def add_task(
    session: Session,
    case_id: int,
    kind: str,
    code: str,
    reason: str,
    *,
    due_at: datetime | None = None,
    data: dict[str, object] | None = None,
) -> Task | None:
    """A task for the agents' queue; ``None`` if the same open task (``code``) exists."""
    existing = session.scalar(
        select(Task).where(Task.case_id == case_id, Task.code == code, Task.status == "open")
    )
    if existing is not None:
        return None
    now = utcnow()
    task = Task(
        case_id=case_id,
        kind=kind,
        code=code,
        status="open",
        due_at=due_at or now,
        reason=reason,
        data=data or {},
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


def close_task(session: Session, actor: Actor, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise WorkflowError(f"Aufgabe {task_id} gibt es nicht")
    _case(session, actor, task.case_id)
    task.status = "done"
    task.closed_at = utcnow()
    task.closed_by = actor.label
    return task


def open_tasks(session: Session, kind: str | None = None) -> Sequence[Task]:
    query = select(Task).where(Task.status == "open").order_by(Task.due_at, Task.id)
    if kind:
        query = query.where(Task.kind == kind)
    return session.scalars(query).all()


# ----------------------------------------------------------------------------- approvals


def list_approvals(session: Session, status: str | None = "pending") -> Sequence[Approval]:
    query = select(Approval).order_by(Approval.requested_at, Approval.id)
    if status:
        query = query.where(Approval.status == status)
    return session.scalars(query).all()


def _decide(
    session: Session, actor: Actor, approval_id: int, reason: str, status: str
) -> tuple[Approval, Case]:
    _human(actor)
    if not reason.strip():
        raise WorkflowError("eine Freigabe oder Ablehnung braucht eine Begründung")
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise WorkflowError(f"Freigabe {approval_id} gibt es nicht")
    case = _case(session, actor, approval.case_id)
    if approval.status != "pending":
        raise WorkflowError(f"Freigabe {approval_id} ist schon entschieden ({approval.status})")
    refusal = case_state_refusal(session, case) if status == "approved" else None
    if refusal:  # before anything changes
        raise WorkflowError(refusal)
    approval.status = status
    approval.decided_by = actor.label
    approval.decided_at = utcnow()
    approval.decision_reason = reason.strip()
    return approval, case


def _court_approval(session: Session, approval_id: int) -> bool:
    from mahnwerk.services.court.prepare import COURT_APPROVALS

    approval = session.get(Approval, approval_id)
    return approval is not None and approval.strategy_name in COURT_APPROVALS


def case_state_refusal(session: Session, case: Case) -> str | None:
    """Why a gated step (court, enforcement, credit bureau) of ``case`` may not be approved
    now, or ``None`` (issue 20: such steps only for an open, undisputed case). Who may
    approve is :func:`mahnwerk.services.actor.approval_refusal`."""
    if case.status != "open":
        return f"Fall {case.reference} ist nicht offen ({case.status}): keine Freigabe möglich"
    disputed = session.scalar(
        select(Dispute.id).where(Dispute.case_id == case.id, Dispute.status == "open").limit(1)
    )
    if disputed is not None:
        return f"Fall {case.reference} ist bestritten: erst den Widerspruch klären"
    return None


def approve(
    session: Session,
    actor: Actor,
    approval_id: int,
    reason: str,
    *,
    today: date | None = None,
    digest: str | None = None,
) -> Approval:
    """A person approves a gated step: the case moves to that stage, and a task tells the team
    to carry it out (enforcement order…). The court step prepares the Mahnbescheid
    application instead (``services.court.prepare.court_step_approved``); the court's own
    requests (a prepared application, a Vollstreckungsbescheid) are decided there
    (four-eyes). ``digest``: that of the application the person looked at, if any."""
    if _court_approval(session, approval_id):
        from mahnwerk.services.court import prepare as court

        try:
            court.approve(session, actor, approval_id, reason, today=today, digest=digest)
        except court.CourtError as exc:
            raise WorkflowError(str(exc)) from exc
        decided = session.get(Approval, approval_id)
        assert decided is not None
        return decided
    approval, case = _decide(session, actor, approval_id, reason, "approved")
    now = utcnow()
    day = today or today_in_germany(now)
    if approval.strategy_name == ENFORCEMENT_MEASURE:
        return _decided_measure(session, actor, approval, case, reason, day)
    state = session.get(CaseStrategy, case.id)
    if state is None:
        raise WorkflowError(f"Fall {case.id} hat keinen Strategiestand")
    old_stage = case.stage
    state.step_index = approval.step_index
    state.stage_since = day
    state.updated_at = now
    case.stage = approval.stage
    case.updated_at = now
    events.emit(
        session,
        case,
        "stage.changed",
        actor,
        old=old_stage,
        new=approval.stage,
        step=approval.step_index,
        strategy=approval.strategy_name,
        strategy_version=approval.strategy_version,
        approval_id=approval.id,
    )
    events.emit(
        session,
        case,
        "approval.approved",
        actor,
        approval_id=approval.id,
        stage=approval.stage,
        reason=reason,
    )
    if approval.stage == "court_handover":
        from mahnwerk.services.court import prepare as court

        try:
            court.court_step_approved(session, actor, approval, case, day, digest)
        except court.CourtError as exc:
            raise WorkflowError(str(exc)) from exc
    else:
        add_task(
            session,
            case.id,
            approval.stage,
            f"approved:{approval.id}",
            TASK_TEXT.get(approval.stage, f"Freigegeben: {approval.stage}"),
            data={"approval_id": approval.id},
        )
    audit.record(
        session,
        actor,
        "approve",
        "approval",
        approval.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"stage": approval.stage},
    )
    return approval


def reject(session: Session, actor: Actor, approval_id: int, reason: str) -> Approval:
    """A person rejects a gated step: nothing automatic follows for the case. A court
    application hanging on it is sent back with the reason."""
    if _court_approval(session, approval_id):
        from mahnwerk.services.court import prepare as court

        try:
            court.send_back(session, actor, approval_id, reason)
        except court.CourtError as exc:
            raise WorkflowError(str(exc)) from exc
        decided = session.get(Approval, approval_id)
        assert decided is not None
        return decided
    approval, case = _decide(session, actor, approval_id, reason, "rejected")
    if approval.stage == "court_handover":
        from mahnwerk.services.court.prepare import return_prepared

        return_prepared(session, actor, approval, case, reason)
    if approval.strategy_name == ENFORCEMENT_MEASURE:
        return _decided_measure(session, actor, approval, case, reason, None)
    events.emit(
        session,
        case,
        "approval.rejected",
        actor,
        approval_id=approval.id,
        stage=approval.stage,
        reason=reason,
    )
    audit.record(
        session,
        actor,
        "reject",
        "approval",
        approval.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"stage": approval.stage},
    )
    return approval


def _decided_measure(
    session: Session, actor: Actor, approval: Approval, case: Case, reason: str, day: date | None
) -> Approval:
    from mahnwerk.services.enforcement import measures

    if day is None:
        measures.on_rejected(session, actor, approval, case)
    else:
        measures.on_approved(session, actor, approval, case, day)
    events.emit(
        session,
        case,
        f"approval.{approval.status}",
        actor,
        approval_id=approval.id,
        stage=approval.stage,
        reason=reason,
    )
    audit.record(
        session,
        actor,
        "approve" if day is not None else "reject",
        "approval",
        approval.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"stage": approval.stage},
    )
    return approval
