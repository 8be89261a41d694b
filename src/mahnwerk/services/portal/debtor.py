"""Use cases of the debtor portal: the overview of one case, payment data, plan proposals,
SEPA mandates, disputes and hardship reports, contact preferences.

The portal acts as the debtor of exactly one case (:func:`debtor_actor`): every read goes
through :func:`mahnwerk.services.cases.get_case` (audited) and every change through the
workflow use cases, so the portal adds no rule of its own except the creditor's limits for
plans accepted without a person (``creditor.settings["plan_limits"]``).
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.banking.epc_qr import EpcError, EpcTransfer, epc_payload, qr_svg
from mahnwerk.banking.iban import (
    bic_for,
    format_iban,
    mask_iban,
    normalize_iban,
    validate_iban,
)
from mahnwerk.domain.affordability import Finances, PlanLimits
from mahnwerk.domain.ledger import Statement
from mahnwerk.services import cases, events
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.admin.creditors import Agency, payment_account
from mahnwerk.services.banking.accounts import establish_account
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import SepaMandate
from mahnwerk.store.models import Case, Creditor, Document
from mahnwerk.store.workflow import CaseFlag, ContactPreference, Dispute, PaymentPlan

if TYPE_CHECKING:
    from mahnwerk.services.workspace.desk import TimelineEntry

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: media type → (magic bytes, file extension); the content decides, not the file name
UPLOAD_TYPES = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
}
LETTER_KINDS = ("letter", "email")
CONTACT_CHANNELS = ("letter", "email", "sms", "call")
#: how far ahead the first instalment may be
MAX_START_DAYS = 30
#: codes of :mod:`mahnwerk.domain.affordability` problems → message keys of the portal
PORTAL_KEYS = {
    "start_past": "portal.plan.error.start_range",
    "start_range": "portal.plan.error.start_range",
    "above_owed": "portal.plan.error.amount",
}


class PortalError(ValueError):
    """A refused request: ``errors`` maps form fields to message keys."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def debtor_actor(case_id: int, creditor_id: int, origin: str | None) -> Actor:
    return Actor(
        kind="debtor", id=str(case_id), role="debtor", creditor_id=creditor_id, origin=origin
    )


def load(session: Session, case_id: int, origin: str | None, purpose: str = "portal") -> Case:
    """The case of the portal session (audited read). The id comes from the session only."""
    creditor_id = session.scalar(select(Case.creditor_id).where(Case.id == case_id))
    if creditor_id is None:
        raise LookupError(case_id)
    case = cases.get_case(
        session, debtor_actor(case_id, creditor_id, origin), case_id, purpose=purpose
    )
    if case is None:
        raise LookupError(case_id)
    return case


# ------------------------------------------------------------------------------ overview


@dataclass(frozen=True)
class PayInfo:
    holder: str
    iban: str
    bic: str
    amount: Decimal
    reference: str
    payload: str
    svg: str


@dataclass(frozen=True)
class Overview:
    case: Case
    creditor: Creditor
    statement: Statement
    documents: list[Document]
    pay: PayInfo | None
    open_dispute: bool
    hardship: bool
    active_plan: PaymentPlan | None
    claim_info: dict[str, tuple[date | None, str]] = field(default_factory=dict)
    cost_reasons: dict[str, str] = field(default_factory=dict)


def bank_details(creditor: Creditor, agency: Agency | None = None) -> dict[str, str]:
    """The account debtors pay to: the creditor's own or the agency's trust account."""
    return payment_account(creditor.name, creditor.settings, agency)


def pay_info(
    case: Case, creditor: Creditor, total: Decimal, agency: Agency | None = None
) -> PayInfo | None:
    """Bank details, the EPC QR code and its payload for the exact open total."""
    bank = bank_details(creditor, agency)
    if not bank["iban"] or total <= 0:
        return None
    transfer = EpcTransfer(
        name=bank["holder"] or creditor.name,
        iban=bank["iban"],
        amount=total,
        remittance=case.reference,
        bic=bank["bic"],
    )
    try:
        payload = epc_payload(transfer)
    except EpcError:
        return None
    svg = qr_svg(transfer, scale=5, scalable=True)
    svg = svg[svg.find("<svg") :]  # drop the XML declaration for inline use
    return PayInfo(
        holder=transfer.name,
        iban=format_iban(bank["iban"]),
        bic=bank["bic"],
        amount=total,
        reference=case.reference,
        payload=payload,
        svg=svg,
    )


def documents(session: Session, case_id: int) -> list[Document]:
    """The letters and e-mails sent for the case, newest first."""
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case_id, Document.kind.in_(LETTER_KINDS))
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )


def document(session: Session, case_id: int, document_id: int) -> Document | None:
    """One letter of the case; ``None`` for any document of another case."""
    doc = session.get(Document, document_id)
    if doc is None or doc.case_id != case_id or doc.kind not in LETTER_KINDS:
        return None
    return doc


def document_path(documents_dir: Path, doc: Document) -> Path | None:
    base = documents_dir.resolve()
    path = (base / doc.path).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


def overview(
    session: Session,
    case_id: int,
    as_of: date,
    origin: str | None,
    agency: Agency | None = None,
) -> Overview:
    from mahnwerk.services.dunning.letters import cost_reason

    case = load(session, case_id, origin)
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    st = cases.statement(case, as_of)
    open_dispute = session.scalar(
        select(Dispute.id).where(Dispute.case_id == case.id, Dispute.status == "open")
    )
    hardship = session.scalar(
        select(CaseFlag.id).where(
            CaseFlag.case_id == case.id, CaseFlag.kind == "hardship", CaseFlag.cleared_at.is_(None)
        )
    )
    return Overview(
        case=case,
        creditor=creditor,
        statement=st,
        documents=documents(session, case.id),
        pay=pay_info(case, creditor, st.totals.total_open, agency),
        open_dispute=open_dispute is not None,
        hardship=hardship is not None,
        active_plan=active_plan(session, case.id),
        claim_info={c.invoice_no: (c.invoice_date, c.label) for c in case.claims},
        cost_reasons={c.label: cost_reason(c.code) for c in case.costs},
    )


#: what the debtor's history shows (the agency's internal steps stay internal)
DEBTOR_EVENTS = frozenset({
    "case.created", "payment.received", "payment.reversed", "message.sent",
    "dispute.opened", "dispute.resolved", "plan.agreed", "plan.proposed", "plan.accepted",
    "plan.countered", "plan.declined", "plan.broken", "plan.completed", "sepa.mandate",
    "sepa_mandate.given", "sepa.pre_notification", "document.uploaded",
    "contact_preference.set",
})  # fmt: skip


def history(session: Session, case: Case) -> list[TimelineEntry]:
    """What happened on the case that concerns the debtor, newest first (letters sent,
    payments, plans, disputes); internal notes left out."""
    from mahnwerk.services.workspace.desk import timeline

    return [e for e in timeline(session, case, for_creditor=True) if e.kind in DEBTOR_EVENTS]


def active_plan(session: Session, case_id: int) -> PaymentPlan | None:
    return session.scalar(
        select(PaymentPlan)
        .where(PaymentPlan.case_id == case_id, PaymentPlan.status == "active")
        .order_by(PaymentPlan.id.desc())
    )


# --------------------------------------------------------------------------------- plans


def plan_limits(creditor: Creditor) -> PlanLimits | None:
    """The creditor's limits for plans accepted at once; ``None``: a person decides each."""
    limits, configured = plans.creditor_limits(creditor)
    return limits if configured else None


@dataclass(frozen=True)
class Proposal:
    amount: Decimal
    start: date
    total: Decimal
    count: int
    last_instalment: Decimal
    end: date
    limits: PlanLimits | None
    within_limits: bool
    cost_notice: str
    agreement_fee: Decimal | None


def parse_amount(text: str) -> Decimal | None:
    """``50``, ``50,00``, ``1.250,50 €`` or ``1250.50`` → Decimal; ``None`` if not a positive
    amount in cents."""
    value = text.replace("€", "").replace("EUR", "").replace(" ", "").strip()
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_plan_input(amount_text: str, start_text: str, as_of: date) -> tuple[Decimal, date]:
    errors: dict[str, str] = {}
    amount = parse_amount(amount_text)
    if amount is None:
        errors["amount"] = "portal.plan.error.amount"
    start: date | None = None
    try:
        start = date.fromisoformat(start_text.strip())
    except ValueError:
        errors["start"] = "portal.plan.error.start"
    if start is not None and not as_of <= start <= as_of + timedelta(days=MAX_START_DAYS):
        errors["start"] = "portal.plan.error.start_range"
    if errors or amount is None or start is None:
        raise PortalError(errors)
    return amount, start


def proposal(case: Case, creditor: Creditor, amount: Decimal, start: date, as_of: date) -> Proposal:
    """What a plan of ``amount`` a month from ``start`` means: the number of instalments,
    whether it is inside the creditor's limits, and the costs it causes (§ 13a Abs. 3 RDG)."""
    total = cases.statement(case, as_of).totals.total_open
    if total <= 0:
        raise PortalError({"amount": "portal.plan.error.nothing_open"})
    count = math.ceil(total / amount)
    last = total - amount * (count - 1)
    limits = plan_limits(creditor)
    within = limits is not None and (
        count <= limits.max_months and amount >= min(limits.min_instalment, total)
    )
    notice = workflow.plan_notice(case, as_of, total)
    return Proposal(
        amount=amount,
        start=start,
        total=total,
        count=count,
        last_instalment=last,
        end=add_months(start, count - 1),
        limits=limits,
        within_limits=within,
        cost_notice=notice.text,
        agreement_fee=notice.fee.total if notice.fee else None,
    )


def preview_plan(
    session: Session,
    case_id: int,
    amount_text: str,
    start_text: str,
    as_of: date,
    origin: str | None,
) -> Proposal:
    """The proposal with its cost notice, shown before the debtor agrees; nothing is stored."""
    amount, start = check_plan_input(amount_text, start_text, as_of)
    case = load(session, case_id, origin, purpose="portal_plan_preview")
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    return proposal(case, creditor, amount, start, as_of)


def propose_plan(
    session: Session,
    case_id: int,
    amount_text: str,
    start_text: str,
    as_of: date,
    origin: str | None,
) -> tuple[Proposal, bool]:
    """The debtor agrees to the proposal after seeing its costs: a plan at once when inside
    the creditor's limits (``True``), otherwise a task ``plan_review`` for an agent."""
    amount, start = check_plan_input(amount_text, start_text, as_of)
    case = load(session, case_id, origin, purpose="portal_plan")
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    p = proposal(case, creditor, amount, start, as_of)
    actor = debtor_actor(case.id, case.creditor_id, origin)
    offer = plans.named_offer(session, actor, case, p.amount, p.start, as_of)
    try:
        submitted = plans.submit_offer(session, actor, offer.id, "named", as_of)
    except plans.PlanInputError as exc:
        raise PortalError(
            {p.field: PORTAL_KEYS.get(p.code, "portal.plan.error.amount") for p in exc.problems}
        ) from exc
    return p, submitted.accepted


def _debtor(session: Session, case_id: int, origin: str | None, purpose: str) -> Actor:
    case = load(session, case_id, origin, purpose=purpose)
    return debtor_actor(case.id, case.creditor_id, origin)


def offer_plan(
    session: Session,
    case_id: int,
    finances: Finances,
    start_text: str,
    as_of: date,
    origin: str | None,
    context: plans.PlanContext,
) -> plans.PlanOffer:
    """A plan from what the debtor states (:func:`plans.propose_affordable_plan`)."""
    start = plans.parse_start(start_text) if start_text.strip() else None
    actor = _debtor(session, case_id, origin, "portal_plan_offer")
    return plans.propose_affordable_plan(
        session, actor, case_id, finances, as_of, context=context, start=start, source="portal"
    )


def plan_offer(
    session: Session, case_id: int, offer_id: int, origin: str | None, context: plans.PlanContext
) -> plans.PlanOffer:
    """A stored offer of this debtor's case, to show it again."""
    actor = _debtor(session, case_id, origin, "portal_plan_offer")
    return plans.offer_view(session, plans.offer_of(session, actor, offer_id), context)


def submit_plan_offer(
    session: Session,
    case_id: int,
    offer_id: int,
    label: str,
    as_of: date,
    origin: str | None,
) -> plans.Submission:
    """The debtor agrees to one option of an offer after reading its costs."""
    actor = _debtor(session, case_id, origin, "portal_plan")
    return plans.submit_offer(session, actor, offer_id, label, as_of)


def accept_counter_offer(
    session: Session, case_id: int, offer_id: int, as_of: date, origin: str | None
) -> PaymentPlan:
    """The debtor accepts the agent's counter-offer after reading its costs."""
    actor = _debtor(session, case_id, origin, "portal_plan")
    return plans.accept_counter(session, actor, offer_id, as_of)


# ----------------------------------------------------------------------------- mandates


def mandate_text(creditor: Creditor, holder: str, reference: str) -> str:
    """The SEPA core direct debit mandate as the debtor agrees to it."""
    bank = bank_details(creditor)
    payee = bank["holder"] or creditor.name
    identifier = str((creditor.settings or {}).get("creditor_identifier") or "")
    ident = f" (Gläubiger-Identifikationsnummer {identifier})" if identifier else ""
    return (
        f"Ich ermächtige {payee}{ident}, die vereinbarten Raten zu Aktenzeichen {reference} "
        "von meinem Konto mittels Lastschrift einzuziehen. Zugleich weise ich mein "
        f"Kreditinstitut an, die von {payee} auf mein Konto gezogenen Lastschriften "
        "einzulösen. Hinweis: Ich kann innerhalb von acht Wochen, beginnend mit dem "
        "Belastungsdatum, die Erstattung des belasteten Betrages verlangen. Es gelten dabei "
        "die mit meinem Kreditinstitut vereinbarten Bedingungen."
    )


@dataclass(frozen=True)
class Mandate:
    reference: str
    iban_masked: str
    holder: str


def give_mandate(
    session: Session,
    case_id: int,
    iban: str,
    holder: str,
    consent: bool,
    as_of: date,
    origin: str | None,
) -> Mandate:
    """A SEPA core mandate given online: a :class:`SepaMandate` row (newest per case wins),
    the account with the debtor, and an event with the masked IBAN and the exact text."""
    errors: dict[str, str] = {}
    problems = validate_iban(iban)
    if problems:
        errors["iban"] = "portal.mandate.error.iban"
    if not holder.strip() or len(holder.strip()) > 70:
        errors["holder"] = "portal.mandate.error.holder"
    if not consent:
        errors["consent"] = "portal.mandate.error.consent"
    if errors:
        raise PortalError(errors)
    case = load(session, case_id, origin, purpose="portal_mandate")
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    actor = debtor_actor(case.id, case.creditor_id, origin)
    value = normalize_iban(iban)
    earlier = list(session.scalars(select(SepaMandate).where(SepaMandate.case_id == case.id)))
    for old in earlier:
        if old.status == "active":
            old.status = "revoked"  # the newest mandate of the case replaces the older one
    reference = f"{case.reference}-M{len(earlier) + 1}"
    text = mandate_text(creditor, holder.strip(), case.reference)
    now = utcnow()
    session.add(
        SepaMandate(
            case_id=case.id,
            debtor_id=case.debtor_id,
            mandate_id=reference,
            signed_on=as_of,
            holder=holder.strip(),
            iban=value,
            bic=bic_for(value) or "",
            sequence_state="FRST",
            status="active",
            pre_notice_days=14,
            created_at=now,
        )
    )
    # the debtor signed a mandate for this account: it pays for the debtor (issue 20)
    establish_account(
        session,
        case.debtor_id,
        value,
        provenance="mandate",
        evidence=f"Mandat {reference}",
        now=now,
        holder=holder.strip(),
        source="portal",
    )
    session.flush()
    events.emit(
        session,
        case,
        "sepa_mandate.given",
        actor,
        mandate_reference=reference,
        iban=mask_iban(value),
        holder=holder.strip(),
        signed_on=as_of.isoformat(),
        scheme="CORE",
        text=text,
    )
    return Mandate(reference, mask_iban(value), holder.strip())


# ------------------------------------------------------------------- disputes, hardship


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def check_upload(upload: Upload | None) -> str | None:
    """The media type of an acceptable upload (PDF, JPEG, PNG up to 5 MB), else raises."""
    if upload is None or not upload.content:
        return None
    if len(upload.content) > MAX_UPLOAD_BYTES:
        raise PortalError({"upload": "portal.report.error.too_large"})
    for media_type, (magic, _) in UPLOAD_TYPES.items():
        if upload.content.startswith(magic):
            return media_type
    raise PortalError({"upload": "portal.report.error.type"})


def store_upload(
    session: Session, documents_dir: Path, case: Case, upload: Upload, media_type: str
) -> Document:
    """The file exactly as received, under ``documents_dir/<case id>/`` with its SHA-256."""
    digest = hashlib.sha256(upload.content).hexdigest()
    ext = UPLOAD_TYPES[media_type][1]
    now = utcnow()
    filename = f"upload-{now:%Y%m%d%H%M%S}-{digest[:12]}.{ext}"
    folder = documents_dir / str(case.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(upload.content)
    os.replace(tmp, path)
    doc = Document(
        case_id=case.id,
        kind="upload",
        filename=filename,
        path=str(Path(str(case.id)) / filename),
        media_type=media_type,
        sha256=digest,
        size=len(upload.content),
        created_at=now,
    )
    session.add(doc)
    session.flush()
    return doc


def report(
    session: Session,
    documents_dir: Path,
    case_id: int,
    kind: str,
    reason: str,
    upload: Upload | None,
    origin: str | None,
) -> Document | None:
    """``dispute``: a Widerspruch (dunning stops at once) and a task for a person;
    ``hardship``: the hardship flag and a task. An upload is stored as a document."""
    errors: dict[str, str] = {}
    if kind not in ("dispute", "hardship"):
        errors["kind"] = "portal.report.error.kind"
    if len(reason.strip()) < 3:
        errors["reason"] = "portal.report.error.reason"
    elif len(reason) > 900:
        errors["reason"] = "portal.report.error.reason_long"
    try:
        media_type = check_upload(upload)
    except PortalError as exc:
        errors.update(exc.errors)
        media_type = None
    if errors:
        raise PortalError(errors)
    case = load(session, case_id, origin, purpose="portal_report")
    actor = debtor_actor(case.id, case.creditor_id, origin)
    doc = None
    if upload is not None and media_type is not None:
        doc = store_upload(session, documents_dir, case, upload, media_type)
        events.emit(
            session,
            case,
            "document.uploaded",
            actor,
            document_id=doc.id,
            sha256=doc.sha256,
            original_name=upload.filename[:200],
            purpose=kind,
        )
    text = reason.strip()
    attached = f" (Anlage: Dokument {doc.id})" if doc is not None else ""
    if kind == "dispute":
        dispute = workflow.open_dispute(session, actor, case.id, text)
        workflow.add_task(
            session,
            case.id,
            "dispute_review",
            f"dispute:{dispute.id}",
            f"Widerspruch im Schuldnerportal{attached}: {text}"[:500],
            data={"dispute_id": dispute.id, "document_id": doc.id if doc else None},
        )
    else:
        flag = workflow.set_flag(session, actor, case.id, "hardship", text[:500])
        workflow.add_task(
            session,
            case.id,
            "hardship_review",
            f"hardship:{flag.id}:{doc.id if doc else 0}",
            f"Härtefall im Schuldnerportal gemeldet{attached}: {text}"[:500],
            data={"flag_id": flag.id, "document_id": doc.id if doc else None},
        )
    return doc


# ------------------------------------------------------------------- contact preference


def contact_preference(session: Session, debtor_id: int) -> ContactPreference | None:
    return session.scalar(
        select(ContactPreference)
        .where(ContactPreference.debtor_id == debtor_id)
        .order_by(ContactPreference.id.desc())
    )


def set_contact(
    session: Session,
    case_id: int,
    channel: str,
    earliest_text: str,
    latest_text: str,
    origin: str | None,
) -> ContactPreference:
    errors: dict[str, str] = {}
    if channel not in CONTACT_CHANNELS:
        errors["channel"] = "portal.contact.error.channel"
    try:
        earliest, latest = int(earliest_text), int(latest_text)
        if not 0 <= earliest < latest <= 24:
            raise ValueError
    except ValueError:
        errors["hours"] = "portal.contact.error.hours"
    if errors:
        raise PortalError(errors)
    case = load(session, case_id, origin, purpose="portal_contact")
    actor = debtor_actor(case.id, case.creditor_id, origin)
    pref = workflow.set_contact_preference(
        session, actor, case.debtor_id, channel, earliest, latest
    )
    events.emit(
        session,
        case,
        "contact_preference.set",
        actor,
        channel=channel,
        earliest_hour=earliest,
        latest_hour=latest,
    )
    return pref
