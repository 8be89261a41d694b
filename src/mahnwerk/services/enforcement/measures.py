"""Enforcement measures of a titled case: what the case knows (employers, accounts, register
entries, outcomes), the proposal (:func:`mahnwerk.domain.enforcement.propose`) as an approval
for a person, the official form of an approved measure, its filing (an enforcement act that
restarts the title's limitation, § 212 Abs. 1 Nr. 2 BGB) and its outcomes.

A proposal never executes itself: it becomes an :class:`~mahnwerk.store.workflow.Approval`
(``strategy_name`` :data:`MEASURE_APPROVAL`, ``step_index`` the measure's id) which a person
approves or rejects in the approval queue;
:func:`mahnwerk.services.workspace.workflow.approve` hands such approvals to
:func:`on_approved` / :func:`on_rejected` here instead of moving the dunning strategy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.config import Settings
from mahnwerk.documents.forms import FormDocument, FormRenderer
from mahnwerk.domain import enforcement as rules
from mahnwerk.domain.enforcement import (
    Account,
    EnforcementSnapshot,
    Measure,
    Outcome,
    OutcomeKind,
    Proposal,
    RunningMeasure,
)
from mahnwerk.domain.ledger import compute_statement
from mahnwerk.domain.limitation import add_years
from mahnwerk.enforcement import gv_auftrag, pfueb
from mahnwerk.enforcement.values import Address, Drittschuldner
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.cases import add_cost, statement
from mahnwerk.services.court.titles import record_enforcement_act
from mahnwerk.services.enforcement.titles import current_title, title_ledger_case, title_ref
from mahnwerk.services.enforcement.values import enforcement_case, store_pdf
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import BankEntry, BankMatch
from mahnwerk.store.court import Title
from mahnwerk.store.enforcement import (
    DebtorEmployer,
    EnforcementMeasure,
    EnforcementOutcome,
    RegisterEntry,
)
from mahnwerk.store.models import BankAccount, Case, Document
from mahnwerk.store.workflow import Approval, CaseFlag, Dispute

MEASURE_APPROVAL = workflow.ENFORCEMENT_MEASURE
OPEN_STATUSES = ("proposed", "approved", "filed")
#: § 882e Abs. 1 ZPO: an entry is deleted three years after the order.
REGISTER_YEARS = 3
FORM_KINDS = ("gv_auftrag", "pfueb")
#: Cost code of enforcement costs (§ 788 ZPO) in the ledger.
ENFORCEMENT_COST_CODE = "ZV-KOSTEN"
FORM_TEXT = {"gv_auftrag": "Vollstreckungsauftrag", "pfueb": "PfÜB-Antrag"}


class MeasureError(workflow.WorkflowError):
    """A request the enforcement rules refuse (German message for the caller)."""


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")


def _case(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise MeasureError(f"Fall {case_id} gibt es nicht")
    return case


# ------------------------------------------------------------------- what is known


def _employers(session: Session, case: Case) -> list[DebtorEmployer]:
    return list(
        session.scalars(
            select(DebtorEmployer)
            .where(DebtorEmployer.debtor_id == case.debtor_id, DebtorEmployer.valid_to.is_(None))
            .order_by(DebtorEmployer.id)
        )
    )


def _accounts(session: Session, case: Case) -> list[Account]:
    found: dict[str, Account] = {}
    for row in session.scalars(
        select(BankAccount).where(BankAccount.debtor_id == case.debtor_id).order_by(BankAccount.id)
    ):
        iban = row.iban.replace(" ", "").upper()
        found[iban] = Account(f"iban:{iban}", iban, today_in_germany(row.created_at), "debtor")
    for iban, day in session.execute(
        select(BankEntry.counterparty_iban, BankEntry.booking_date)
        .join(BankMatch, BankMatch.entry_id == BankEntry.id)
        .where(BankMatch.case_id == case.id, BankMatch.kind == "payment")
        .order_by(BankEntry.booking_date)
    ):
        key = (iban or "").replace(" ", "").upper()
        if key and key not in found:
            found[key] = Account(f"iban:{key}", key, day, "payment")
    return list(found.values())


def employer_key(row: DebtorEmployer) -> str:
    return f"employer:{row.id}"


def snapshot(session: Session, case: Case, today: date, settings: Settings) -> EnforcementSnapshot:
    """What the proposal needs, read from the store (the title's statement gives the amount)."""
    title = current_title(session, case.id)
    if title is not None:
        open_amount = compute_statement(title_ledger_case(case, title), today).totals.total_open
    else:
        open_amount = statement(case, today).totals.total_open
    flags = {
        f.kind
        for f in session.scalars(
            select(CaseFlag).where(CaseFlag.case_id == case.id, CaseFlag.cleared_at.is_(None))
        )
    }
    disputes = session.scalars(
        select(Dispute.id).where(Dispute.case_id == case.id, Dispute.status == "open")
    ).first()
    outcomes = list(
        session.scalars(
            select(EnforcementOutcome)
            .where(EnforcementOutcome.case_id == case.id)
            .order_by(EnforcementOutcome.on, EnforcementOutcome.id)
        )
    )
    measures = {
        m.id: m
        for m in session.scalars(
            select(EnforcementMeasure).where(EnforcementMeasure.case_id == case.id)
        )
    }
    running = [
        RunningMeasure(Measure(m.kind), _since(m), str(m.data.get("target", "")))
        for m in measures.values()
        if m.status in ("approved", "filed") and m.kind in Measure.__members__.values()
    ]
    entries = [
        r.entered_on
        for r in session.scalars(
            select(RegisterEntry).where(
                RegisterEntry.debtor_id == case.debtor_id, RegisterEntry.deleted_on.is_(None)
            )
        )
        if add_years(r.entered_on, REGISTER_YEARS) > today
    ]
    return EnforcementSnapshot(
        titled=title is not None,
        open_amount=open_amount,
        insolvency="insolvency" in flags,
        open_dispute=disputes is not None,
        employers=tuple(
            rules.Employer(
                employer_key(e),
                e.name,
                e.valid_from or today_in_germany(e.created_at),
                e.net_income,
                e.dependants,
                ", ".join(p for p in (e.street, f"{e.postcode} {e.city}".strip()) if p),
            )
            for e in _employers(session, case)
        ),
        accounts=tuple(_accounts(session, case)),
        register_entries=tuple(entries),
        outcomes=tuple(
            Outcome(
                OutcomeKind(o.kind),
                o.on,
                str(o.data.get("target", "")),
                Measure(measures[o.measure_id].kind) if o.measure_id in measures else None,
            )
            for o in outcomes
            if o.kind in OutcomeKind.__members__.values()
        ),
        running=tuple(running),
        court_fee_kv2111=settings.gkg_kv2111_fee,
    )


def _since(m: EnforcementMeasure) -> date:
    filed = m.data.get("filed_on")
    return date.fromisoformat(filed) if filed else today_in_germany(m.proposed_at)


# ------------------------------------------------------------------------- proposal


def _drittschuldner_text(session: Session, case: Case, proposal: Proposal) -> str:
    if proposal.target.startswith("employer:"):
        row = session.get(DebtorEmployer, int(proposal.target.split(":", 1)[1]))
        if row is not None and row.street and row.postcode and row.city:
            return f"{row.name}, {row.street}, {row.postcode} {row.city}"
        return row.name if row is not None else ""
    return ""


def approval_reason(proposal: Proposal, drittschuldner: str) -> str:
    parts = [proposal.measure.german]
    if drittschuldner:
        parts.append(f"Drittschuldner {drittschuldner}")
    parts.append("Kosten " + proposal.costs.describe())
    if proposal.expected_recovery is not None:
        parts.append(f"erwartet {proposal.expected_recovery} €")
    parts.append("; ".join(proposal.reasons))
    return " · ".join(parts)[:500]


def propose_measure(
    session: Session,
    actor: Actor,
    settings: Settings,
    case_id: int,
    *,
    today: date | None = None,
    drittschuldner: str = "",
) -> tuple[Proposal, EnforcementMeasure | None]:
    """The next measure for the case; one that acts becomes a measure waiting for approval.

    ``drittschuldner`` (``"Name, Straße 1, 12345 Ort"``) overrides the one derived from the
    case (the employer's address; a bank's address is not known to the system)."""
    _staff(actor)
    case = _case(session, actor, case_id)
    day = today or today_in_germany()
    open_one = session.scalar(
        select(EnforcementMeasure).where(
            EnforcementMeasure.case_id == case.id, EnforcementMeasure.status == "proposed"
        )
    )
    if open_one is not None:
        raise MeasureError(
            f"Fall {case.reference}: Maßnahme {open_one.id} wartet schon auf Freigabe"
        )
    proposal = rules.propose(snapshot(session, case, day, settings), day)
    events.emit(
        session,
        case,
        "enforcement.proposal",
        actor,
        measure=proposal.measure.value,
        reasons=list(proposal.reasons),
    )
    if proposal.measure in (Measure.NONE, Measure.WAIT):
        return proposal, None
    if drittschuldner:
        Drittschuldner.parse(drittschuldner, "employer")  # refuses a malformed text
    third = drittschuldner or _drittschuldner_text(session, case, proposal)
    now = utcnow()
    measure = EnforcementMeasure(
        case_id=case.id,
        kind=proposal.measure.value,
        form=proposal.form,
        status="proposed",
        reasons=list(proposal.reasons),
        cost_lines=[
            {
                "code": line.code,
                "label": line.label,
                "amount": None if line.amount is None else str(line.amount),
                "basis": line.basis,
                "status": line.status,
            }
            for line in proposal.costs.lines
        ],
        expected_cost=proposal.costs.known_total,
        expected_recovery=proposal.expected_recovery,
        drittschuldner=third[:300],
        data={
            "target": proposal.target,
            "recovery_basis": proposal.recovery_basis,
            "costs_complete": proposal.costs.complete,
            "cost_notes": list(proposal.costs.notes),
            "alternatives": list(proposal.alternatives),
        },
        proposed_by=actor.label,
        proposed_at=now,
    )
    session.add(measure)
    session.flush()
    approval = Approval(
        case_id=case.id,
        step_index=measure.id,
        stage="enforcement",
        strategy_name=MEASURE_APPROVAL,
        strategy_version=1,
        reason=approval_reason(proposal, third),
        status="pending",
        requested_at=now,
    )
    session.add(approval)
    session.flush()
    measure.approval_id = approval.id
    events.emit(
        session,
        case,
        "enforcement.proposed",
        actor,
        measure_id=measure.id,
        measure=measure.kind,
        approval_id=approval.id,
    )
    audit.record(
        session, actor, "create", "enforcement_measure", measure.id, case_id=case.id,
        creditor_id=case.creditor_id, details={"kind": measure.kind},
    )  # fmt: skip
    return proposal, measure


def measure_of(session: Session, approval: Approval) -> EnforcementMeasure:
    measure = session.scalar(
        select(EnforcementMeasure).where(EnforcementMeasure.approval_id == approval.id)
    )
    if measure is None:
        raise MeasureError(f"zur Freigabe {approval.id} gibt es keine Maßnahme")
    return measure


def on_approved(session: Session, actor: Actor, approval: Approval, case: Case, day: date) -> None:
    """A person approved the measure: the form may be produced and filed (a task says so)."""
    measure = measure_of(session, approval)
    if session.scalar(
        select(CaseFlag.id).where(
            CaseFlag.case_id == case.id,
            CaseFlag.kind == "insolvency",
            CaseFlag.cleared_at.is_(None),
        )
    ):
        raise MeasureError("Insolvenzverfahren eröffnet: keine Vollstreckung (§ 89 InsO)")
    measure.status = "approved"
    text = FORM_TEXT.get(measure.form, measure.kind)
    workflow.add_task(
        session,
        case.id,
        "enforcement",
        f"measure:{measure.id}",
        f"Freigegeben: {text} prüfen, unterschreiben und einreichen",
        data={"measure_id": measure.id, "approval_id": approval.id},
    )
    events.emit(
        session, case, "enforcement.approved", actor, measure_id=measure.id,
        approval_id=approval.id, measure=measure.kind,
    )  # fmt: skip


def on_rejected(session: Session, actor: Actor, approval: Approval, case: Case) -> None:
    measure = measure_of(session, approval)
    measure.status = "rejected"
    measure.closed_at = utcnow()
    events.emit(session, case, "enforcement.rejected", actor, measure_id=measure.id)


# -------------------------------------------------------------------------- the form


def _drittschuldner(text: str, kind: str) -> Drittschuldner | None:
    return Drittschuldner.parse(text, kind) if text.strip() else None


def build_documents(
    session: Session,
    settings: Settings,
    case: Case,
    kind: str,
    today: date,
    *,
    drittschuldner: Drittschuldner | None = None,
    modules: tuple[gv_auftrag.Module, ...] = (),
    title_id: int | None = None,
) -> list[FormDocument]:
    """The form documents (with their Forderungsaufstellung from the title's statement)."""
    if kind not in FORM_KINDS:
        raise MeasureError(f"unbekanntes Formular {kind!r} ({', '.join(FORM_KINDS)})")
    title = current_title(session, case.id, title_id)
    if title is None:
        raise MeasureError(f"Fall {case.reference}: kein Titel erfasst (mahnwerk title add)")
    values = enforcement_case(session, case, settings, today, (title_ref(session, title),))
    values = replace(values, ledger_case=title_ledger_case(case, title))
    if kind == "pfueb":
        if drittschuldner is None:
            raise MeasureError('Drittschuldner fehlt: --drittschuldner "Name, Straße 1, 12345 Ort"')
        return pfueb.documents(pfueb.GarnishmentApplication(values, drittschuldner))
    last = _last_disclosure(session, case)
    recent = last if last is not None and add_years(last, 2) > today else None
    chosen = modules or (gv_auftrag.Module.AMICABLE, gv_auftrag.Module.ASSET_DISCLOSURE)
    return gv_auftrag.documents(gv_auftrag.BailiffOrder(values, chosen, last_disclosure=recent))


def _last_disclosure(session: Session, case: Case) -> date | None:
    return session.scalar(
        select(EnforcementOutcome.on)
        .where(
            EnforcementOutcome.case_id == case.id,
            EnforcementOutcome.kind == OutcomeKind.ASSET_DISCLOSURE_RECEIVED.value,
        )
        .order_by(EnforcementOutcome.on.desc())
        .limit(1)
    )


def form_pdf(
    session: Session,
    actor: Actor,
    settings: Settings,
    case_id: int,
    kind: str,
    *,
    today: date | None = None,
    drittschuldner: str = "",
    drittschuldner_kind: str = "employer",
    modules: tuple[gv_auftrag.Module, ...] = (),
    title_id: int | None = None,
    renderer: FormRenderer | None = None,
) -> tuple[bytes, Document]:
    """A filled form as PDF, stored as a document of the case (``mahnwerk enforcement form``).

    :class:`~mahnwerk.enforcement.values.FormError` lists what is missing."""
    _staff(actor)
    case = _case(session, actor, case_id)
    day = today or today_in_germany()
    docs = build_documents(
        session,
        settings,
        case,
        kind,
        day,
        drittschuldner=_drittschuldner(drittschuldner, drittschuldner_kind),
        modules=modules,
        title_id=title_id,
    )
    pdf = (renderer or FormRenderer()).render(docs)
    doc = store_pdf(session, settings.documents_dir, case, f"form_{kind}", kind, pdf)
    events.emit(session, case, "enforcement.form", actor, form=kind, document_id=doc.id)
    audit.record(
        session, actor, "create", "enforcement_form", doc.id, case_id=case.id,
        creditor_id=case.creditor_id, details={"form": kind},
    )  # fmt: skip
    return pdf, doc


def measure_form(
    session: Session,
    actor: Actor,
    settings: Settings,
    measure_id: int,
    *,
    today: date | None = None,
) -> Document:
    """The form of an approved measure: produced once, then the stored document."""
    _staff(actor)
    measure = session.get(EnforcementMeasure, measure_id)
    if measure is None:
        raise MeasureError(f"Maßnahme {measure_id} gibt es nicht")
    case = _case(session, actor, measure.case_id)
    if measure.status not in ("approved", "filed", "done"):
        raise MeasureError(f"Maßnahme {measure_id} ist nicht freigegeben ({measure.status})")
    if measure.document_id is not None:
        doc = session.get(Document, measure.document_id)
        if doc is not None:
            return doc
    kind = "employer" if measure.kind == Measure.WAGE_GARNISHMENT.value else "bank"
    _, doc = form_pdf(
        session,
        actor,
        settings,
        case.id,
        measure.form,
        today=today,
        drittschuldner=measure.drittschuldner,
        drittschuldner_kind=kind,
    )
    measure.document_id = doc.id
    return doc


def set_drittschuldner(session: Session, actor: Actor, measure_id: int, text: str) -> None:
    """Name the Drittschuldner of a garnishment (e.g. the bank's address) before the form."""
    _staff(actor)
    measure = session.get(EnforcementMeasure, measure_id)
    if measure is None:
        raise MeasureError(f"Maßnahme {measure_id} gibt es nicht")
    _case(session, actor, measure.case_id)
    kind = "employer" if measure.kind == Measure.WAGE_GARNISHMENT.value else "bank"
    Drittschuldner.parse(text, kind)
    measure.drittschuldner = text.strip()[:300]
    measure.document_id = None


# ------------------------------------------------------------ filing and outcomes


def mark_filed(session: Session, actor: Actor, measure_id: int, on: date) -> EnforcementMeasure:
    """The approved measure was filed: an enforcement act on the title (§ 212 Abs. 1 Nr. 2
    BGB restarts its limitation) and the measure runs until an outcome ends it."""
    _staff(actor)
    measure = session.get(EnforcementMeasure, measure_id)
    if measure is None:
        raise MeasureError(f"Maßnahme {measure_id} gibt es nicht")
    case = _case(session, actor, measure.case_id)
    if measure.status != "approved":
        raise MeasureError(f"Maßnahme {measure_id} ist nicht freigegeben ({measure.status})")
    title = current_title(session, case.id)
    if title is not None:
        record_enforcement_act(
            session, actor, title.id, on, f"{Measure(measure.kind).german} beantragt"
        )
    measure.status = "filed"
    measure.data = {**measure.data, "filed_on": on.isoformat()}
    events.emit(session, case, "enforcement.filed", actor, measure_id=measure.id, on=on.isoformat())
    return measure


FINAL_OUTCOMES = frozenset(
    {*rules.NEGATIVE, OutcomeKind.COMPLETED, OutcomeKind.ASSET_DISCLOSURE_RECEIVED}
)


def record_outcome(
    session: Session,
    actor: Actor,
    case_id: int,
    kind: str,
    on: date,
    *,
    measure_id: int | None = None,
    target: str = "",
    amount: Decimal | None = None,
    note: str = "",
) -> EnforcementOutcome:
    """What came of a measure; it feeds the next proposal. A final outcome ends the measure."""
    _staff(actor)
    case = _case(session, actor, case_id)
    try:
        outcome_kind = OutcomeKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in OutcomeKind)
        raise MeasureError(f"unbekanntes Ergebnis {kind!r} ({kinds})") from exc
    measure = None
    if measure_id is not None:
        measure = session.get(EnforcementMeasure, measure_id)
        if measure is None or measure.case_id != case.id:
            raise MeasureError(f"Maßnahme {measure_id} gehört nicht zum Fall {case.reference}")
        target = target or str(measure.data.get("target", ""))
    row = EnforcementOutcome(
        case_id=case.id,
        measure_id=measure_id,
        kind=outcome_kind.value,
        on=on,
        amount=amount,
        note=note[:1000],
        data={"target": target},
        recorded_by=actor.label,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if measure is not None and outcome_kind in FINAL_OUTCOMES:
        measure.status = "done"
        measure.closed_at = utcnow()
    elif measure is not None and measure.status == "approved":
        measure.status = "filed"
    events.emit(
        session, case, "enforcement.outcome", actor, outcome=outcome_kind.value,
        text=outcome_kind.german, on=on.isoformat(), measure_id=measure_id,
    )  # fmt: skip
    audit.record(
        session, actor, "create", "enforcement_outcome", row.id, case_id=case.id,
        creditor_id=case.creditor_id,
    )  # fmt: skip
    return row


def add_employer(
    session: Session,
    actor: Actor,
    case_id: int,
    name: str,
    *,
    address: str = "",
    net_income: Decimal | None = None,
    dependants: int | None = None,
    since: date | None = None,
    source: str = "agent",
) -> DebtorEmployer:
    """An employer learnt for the debtor (from a Vermögensauskunft, a Drittschuldner-
    erklärung, the creditor or a call): it makes a wage garnishment possible."""
    _staff(actor)
    case = _case(session, actor, case_id)
    if not name.strip():
        raise MeasureError("Name des Arbeitgebers fehlt")
    parsed = Address.parse(address) if address.strip() else None
    if address.strip() and parsed is None:
        raise MeasureError(f"Anschrift {address!r}: erwartet „Straße 1, 12345 Ort“")
    if net_income is not None and net_income < 0:
        raise MeasureError("das Nettoeinkommen darf nicht negativ sein")
    if dependants is not None and dependants < 0:
        raise MeasureError("Unterhaltspflichten: 0 oder mehr")
    row = DebtorEmployer(
        debtor_id=case.debtor_id,
        name=name.strip()[:200],
        street=parsed.street if parsed else "",
        postcode=parsed.postcode if parsed else "",
        city=parsed.city if parsed else "",
        net_income=net_income,
        dependants=dependants,
        source=source,
        valid_from=since or today_in_germany(),
        created_by=actor.label,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    events.emit(session, case, "enforcement.employer", actor, employer_id=row.id)
    audit.record(
        session, actor, "create", "debtor_employer", row.id, case_id=case.id,
        creditor_id=case.creditor_id,
    )  # fmt: skip
    return row


def add_register_entry(
    session: Session,
    actor: Actor,
    case_id: int,
    entered_on: date,
    reason: str,
    *,
    court: str = "",
    file_no: str = "",
) -> RegisterEntry:
    """A Schuldnerverzeichnis entry of the debtor (§ 882c ZPO), found by a query."""
    _staff(actor)
    case = _case(session, actor, case_id)
    if not reason.strip():
        raise MeasureError("Eintragungsgrund fehlt (§ 882c Abs. 1 Nr. 1–3 ZPO)")
    row = RegisterEntry(
        debtor_id=case.debtor_id,
        entered_on=entered_on,
        reason=reason.strip()[:200],
        court=court[:200],
        file_no=file_no[:100],
        created_by=actor.label,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    events.emit(
        session, case, "enforcement.register_entry", actor, entered_on=entered_on.isoformat()
    )
    return row


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryEntry:
    on: date
    kind: str
    text: str
    measure: EnforcementMeasure | None = None


def history(session: Session, case: Case) -> list[HistoryEntry]:
    """Measures, outcomes and enforcement acts of the case, newest first."""
    out: list[HistoryEntry] = []
    for m in session.scalars(
        select(EnforcementMeasure).where(EnforcementMeasure.case_id == case.id)
    ):
        label = Measure(m.kind).german if m.kind in Measure.__members__.values() else m.kind
        out.append(
            HistoryEntry(
                today_in_germany(m.proposed_at),
                "measure",
                f"{label}: {STATUS_TEXT.get(m.status, m.status)}",
                m,
            )
        )
    for o in session.scalars(
        select(EnforcementOutcome).where(EnforcementOutcome.case_id == case.id)
    ):
        text = OutcomeKind(o.kind).german if o.kind in OutcomeKind.__members__.values() else o.kind
        out.append(HistoryEntry(o.on, "outcome", text + (f" ({o.note})" if o.note else "")))
    for t in session.scalars(select(Title).where(Title.case_id == case.id)):
        for act in t.enforcement_acts:
            out.append(HistoryEntry(act.acted_on, "act", f"Vollstreckungshandlung: {act.what}"))
    out.sort(key=lambda e: (e.on, e.kind), reverse=True)
    return out


STATUS_TEXT = {
    "proposed": "vorgeschlagen, wartet auf Freigabe",
    "approved": "freigegeben",
    "rejected": "abgelehnt",
    "filed": "eingereicht",
    "done": "abgeschlossen",
    "stopped": "gestoppt",
}


def open_measures(session: Session, case_id: int) -> list[EnforcementMeasure]:
    return list(
        session.scalars(
            select(EnforcementMeasure)
            .where(EnforcementMeasure.case_id == case_id)
            .order_by(EnforcementMeasure.id.desc())
        )
    )


def document_path(settings: Settings, doc: Document) -> Path:
    return settings.documents_dir / doc.path


def describe_costs(measure: EnforcementMeasure) -> list[dict[str, Any]]:
    return list(measure.cost_lines or [])


def when(dt: datetime | None) -> date | None:
    return today_in_germany(dt) if dt is not None else None


def add_enforcement_cost(
    session: Session,
    actor: Actor,
    case_id: int,
    day: date,
    label: str,
    amount: Decimal,
    *,
    measure_id: int | None = None,
) -> None:
    """A cost of enforcement as it arises (bailiff's invoice, court fee, § 788 ZPO): a
    posting of the case; dated after the title, it is in the title's Forderungsaufstellung
    under "Kosten der bisherigen Zwangsvollstreckung"."""
    _staff(actor)
    case = _case(session, actor, case_id)
    if amount <= 0:
        raise MeasureError("der Betrag muss größer als 0 sein")
    if not label.strip():
        raise MeasureError("Art der Kosten fehlt (z. B. Gerichtsvollzieherkosten)")
    add_cost(session, case, day, label.strip()[:200], amount, source=actor.label, now=utcnow(),
             code=ENFORCEMENT_COST_CODE)  # fmt: skip
    events.emit(
        session, case, "enforcement.cost", actor, amount=str(amount), label=label.strip(),
        date=day.isoformat(), measure_id=measure_id,
    )  # fmt: skip
    audit.record(
        session, actor, "create", "cost", None, case_id=case.id, creditor_id=case.creditor_id,
        details={"code": ENFORCEMENT_COST_CODE},
    )  # fmt: skip
