"""Use cases on cases: create one with its debtor and claims, read, list, statement, report a
payment, recall. Each takes the session of one transaction and the acting :class:`Actor`.

Tenancy is enforced here, not in the handlers: :func:`get_case` returns ``None`` for a case
the actor may not see, exactly as for one that does not exist.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.domain.case_reference import case_reference
from mahnwerk.domain.default import DEFAULT_RECEIPT_DAYS, default_start
from mahnwerk.domain.identity import identity_key
from mahnwerk.domain.interest import CLAIM_KINDS, ENTGELT
from mahnwerk.domain.ledger import Statement, compute_statement
from mahnwerk.domain.plausibility import ceiling_of, claim_problems, clean_text, text_problem
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, start_of_day_in_germany, today_in_germany, utcnow
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import (
    Address,
    BankAccount,
    Case,
    Claim,
    ContactPoint,
    Cost,
    CostReversal,
    Creditor,
    Debtor,
    LedgerPosting,
    Payment,
    PaymentReversal,
    Person,
)


class CaseError(ValueError):
    """A request the case rules refuse (shown to the caller, never a server error)."""


class DuplicateCase(CaseError):
    def __init__(self, case: Case) -> None:
        super().__init__(f"Fall mit external_ref {case.external_ref!r} gibt es schon")
        self.case = case


@dataclass(frozen=True)
class DebtorInput:
    kind: str  # natural, legal
    consumer: bool
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    birth_date: date | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "DE"
    email: str | None = None
    phone: str | None = None
    iban: str | None = None

    @property
    def identity_key(self) -> str:
        return identity_key(
            last_name=self.last_name,
            first_name=self.first_name,
            company=self.company if self.kind == "legal" else None,
            birth_date=self.birth_date,
            street=self.street,
            postcode=self.postcode,
        )


@dataclass(frozen=True)
class ClaimInput:
    """A claim as handed over. Without ``default_from`` (first day of interest) the ground of
    default is computed (:func:`mahnwerk.domain.default.default_start`: the creditor's
    ``reminder_date``, § 286 Abs. 3 BGB); with none the claim is not in default."""

    invoice_no: str
    amount: Decimal
    default_from: date | None
    invoice_date: date | None = None
    due_date: date | None = None
    interest_kind: str = "statutory"
    interest_value: Decimal | None = None
    label: str = ""
    kind: str = ENTGELT
    origin: date | None = None
    reminder_date: date | None = None
    notice_286_3: bool = False
    contract_subject: str = ""
    contract_date: date | None = None


@dataclass(frozen=True)
class CaseInput:
    external_ref: str
    debtor: DebtorInput
    claims: tuple[ClaimInput, ...]
    day_count: str = "act/365"
    allocation: str = "bgb367"
    costs: tuple[tuple[date, str, Decimal], ...] = field(default=())


# ------------------------------------------------------------------------------ debtors


def find_or_create_debtor(
    session: Session, creditor_id: int, data: DebtorInput, now: datetime, source: str = "creditor"
) -> Debtor:
    """The creditor's debtor with this identity, or a new one linked to the same person."""
    key = data.identity_key
    debtor = session.scalar(
        select(Debtor).where(Debtor.creditor_id == creditor_id, Debtor.identity_key == key)
    )
    if debtor is not None:
        return debtor
    person = session.scalar(select(Person).where(Person.identity_key == key))
    if person is None:
        person = Person(identity_key=key, created_at=now)
        session.add(person)
        session.flush()
    debtor = Debtor(
        creditor_id=creditor_id,
        person_id=person.id,
        kind=data.kind,
        consumer=data.consumer,
        first_name=data.first_name,
        last_name=data.last_name,
        company=data.company,
        birth_date=data.birth_date,
        identity_key=key,
        created_at=now,
    )
    if data.street and data.postcode and data.city:
        debtor.addresses.append(
            Address(
                street=data.street,
                postcode=data.postcode,
                city=data.city,
                country=data.country or "DE",
                source=source,
                created_at=now,
            )
        )
    if data.email:
        debtor.contacts.append(
            ContactPoint(
                kind="email",
                value=data.email,
                consent=False,
                source=source,
                status="valid",
                created_at=now,
            )
        )
    if data.phone:
        debtor.contacts.append(
            ContactPoint(
                kind="phone",
                value=data.phone,
                consent=False,
                source=source,
                status="valid",
                created_at=now,
            )
        )
    if data.iban:
        # typed in by the creditor: never establishes the account for payment matching
        debtor.bank_accounts.append(
            BankAccount(iban=data.iban, source=source, provenance="creditor", created_at=now)
        )
    session.add(debtor)
    session.flush()
    return debtor


# -------------------------------------------------------------------------------- cases


_DEBTOR_TEXT = ("first_name", "last_name", "company", "street", "postcode", "city")


def plausible(
    session: Session, creditor_id: int, data: CaseInput, *, today: date | None = None
) -> CaseInput:
    """``data`` with zero-width characters removed from its text, or :class:`CaseError`
    naming every implausible value (:mod:`mahnwerk.domain.plausibility`): amounts of 0 or
    above the creditor's ceiling, a default after ``today`` (default: today in Germany),
    text with direction overrides."""
    creditor = session.get(Creditor, creditor_id)
    ceiling = ceiling_of(creditor.settings if creditor else None)
    today = today or today_in_germany()
    problems = []
    for claim in data.claims:
        problems += [
            f"Forderung {claim.invoice_no}: {p}"
            for p in claim_problems(claim.amount, claim.default_from, today=today, ceiling=ceiling)
        ]
    texts = {f"debtor.{n}": getattr(data.debtor, n) for n in _DEBTOR_TEXT}
    texts["external_ref"] = data.external_ref
    texts |= {f"invoice_no {c.invoice_no}": c.invoice_no for c in data.claims}
    problems += [f"{k}: {p}" for k, v in texts.items() if v and (p := text_problem(v))]
    if problems:
        raise CaseError("; ".join(problems))
    cleaned: dict[str, Any] = {
        n: clean_text(v) for n in _DEBTOR_TEXT if (v := getattr(data.debtor, n))
    }
    debtor = replace(data.debtor, **cleaned)
    claims = tuple(replace(c, invoice_no=clean_text(c.invoice_no)) for c in data.claims)
    return replace(data, external_ref=clean_text(data.external_ref), debtor=debtor, claims=claims)


def create_case(
    session: Session,
    actor: Actor,
    creditor_id: int,
    data: CaseInput,
    *,
    receipt_days: int = DEFAULT_RECEIPT_DAYS,
    today: date | None = None,
) -> Case:
    """A new case with its debtor and claims; ``today`` is the day the plausibility
    checks measure against (default: today in Germany; tests and back-dated hand-overs
    pass their own)."""
    if not actor.may_see_creditor(creditor_id):
        raise PermissionError("fremder Mandant")
    existing = session.scalar(
        select(Case).where(Case.creditor_id == creditor_id, Case.external_ref == data.external_ref)
    )
    if existing is not None:
        raise DuplicateCase(existing)
    if not data.claims:
        raise CaseError("ein Fall braucht mindestens eine Forderung")
    numbers = [c.invoice_no for c in data.claims]
    if len(set(numbers)) != len(numbers):
        raise CaseError("eine Rechnungsnummer kommt im Fall doppelt vor")
    data = plausible(session, creditor_id, data, today=today)
    grounds = [claim_default(c, data.debtor.consumer, receipt_days) for c in data.claims]
    now = utcnow()
    debtor = find_or_create_debtor(session, creditor_id, data.debtor, now)
    case = Case(
        creditor_id=creditor_id,
        debtor_id=debtor.id,
        external_ref=data.external_ref,
        reference=f"pending-{data.external_ref}-{creditor_id}"[:32],
        stage="new",
        status="open",
        day_count=data.day_count,
        allocation=data.allocation,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    case.reference = case_reference(case.id)
    for claim_data, (day, ground) in zip(data.claims, grounds, strict=True):
        add_claim(session, case, claim_data, source=actor.label, now=now, default=(day, ground))
    for day, label, amount in data.costs:
        add_cost(session, case, day, label, amount, source=actor.label, now=now)
    events.emit(session, case, "case.created", actor, claims=len(data.claims))
    audit.record(
        session, actor, "create", "case", case.id, case_id=case.id, creditor_id=creditor_id
    )
    return case


def claim_default(
    data: ClaimInput, consumer: bool, receipt_days: int = DEFAULT_RECEIPT_DAYS
) -> tuple[date | None, str]:
    """The first day of interest of a claim to be stored and its ground, or
    :class:`CaseError` naming the field (§ 286 BGB, :mod:`mahnwerk.domain.default`)."""
    if data.kind not in CLAIM_KINDS:
        raise CaseError(f"{data.invoice_no}: kind {data.kind!r} unbekannt (entgelt, other)")
    if data.default_from is None and data.due_date is None:
        raise CaseError(f"{data.invoice_no}: due_date (Fälligkeit) oder default_from fehlt")
    ground = default_start(
        due_date=data.due_date,
        default_from=data.default_from,
        invoice_date=data.invoice_date,
        reminder_date=data.reminder_date,
        notice_286_3=data.notice_286_3,
        consumer=consumer,
        entgelt=data.kind == ENTGELT,
        receipt_days=receipt_days,
    )
    if ground.problems:
        raise CaseError(
            "; ".join(f"{data.invoice_no}: {field}: {text}" for field, text in ground.problems)
        )
    return ground.default_from, ground.ground


def add_claim(
    session: Session,
    case: Case,
    data: ClaimInput,
    *,
    source: str,
    now: datetime,
    default: tuple[date | None, str] | None = None,
) -> Claim:
    day, ground = default or claim_default(data, case.debtor.consumer)
    claim = Claim(
        case_id=case.id,
        invoice_no=data.invoice_no,
        invoice_date=data.invoice_date,
        due_date=data.due_date,
        default_from=day,
        principal=data.amount,
        interest_kind=data.interest_kind,
        interest_value=data.interest_value,
        label=data.label,
        kind=data.kind,
        origin=data.origin,
        reminder_date=data.reminder_date,
        notice_286_3=data.notice_286_3,
        default_ground=ground,
        contract_subject=data.contract_subject,
        contract_date=data.contract_date,
        created_at=now,
    )
    session.add(claim)
    session.flush()
    session.add(
        LedgerPosting(
            case_id=case.id,
            value_date=day or data.due_date or now.date(),
            kind="claim",
            amount=data.amount,
            reason=f"Forderung {data.invoice_no}",
            source=source,
            claim_id=claim.id,
            posted_at=now,
        )
    )
    return claim


def add_cost(
    session: Session,
    case: Case,
    day: date,
    label: str,
    amount: Decimal,
    *,
    source: str,
    now: datetime,
    code: str = "",
    claim_id: int | None = None,
) -> None:
    from mahnwerk.store.models import Cost

    cost = Cost(
        case_id=case.id,
        date=day,
        label=label,
        code=code,
        amount=amount,
        claim_id=claim_id,
        created_at=now,
    )
    session.add(cost)
    session.flush()
    session.add(
        LedgerPosting(
            case_id=case.id,
            value_date=day,
            kind="cost",
            amount=amount,
            reason=label,
            source=source,
            cost_id=cost.id,
            posted_at=now,
        )
    )


def _case_query() -> Select[Case]:
    return select(Case).options(
        selectinload(Case.claims),
        selectinload(Case.costs),
        selectinload(Case.payments),
        selectinload(Case.debtor).selectinload(Debtor.addresses),
        selectinload(Case.debtor).selectinload(Debtor.contacts),
    )


def get_case(session: Session, actor: Actor, case_id: int, *, purpose: str = "read") -> Case | None:
    """The case if it exists and the actor may see it; the read is audited."""
    case = session.scalar(_case_query().where(Case.id == case_id))
    if case is None or not actor.may_see_creditor(case.creditor_id):
        return None
    audit.record(
        session, actor, purpose, "case", case.id, case_id=case.id, creditor_id=case.creditor_id
    )
    return case


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    next_cursor: str | None


def list_cases(
    session: Session,
    actor: Actor,
    *,
    creditor_id: int | None = None,
    external_ref: str | None = None,
    stage: str | None = None,
    status: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CasePage:
    """Cases the actor may see, newest id last, keyset-paginated by an opaque cursor."""
    query = select(Case).options(selectinload(Case.claims)).order_by(Case.id).limit(limit + 1)
    scope = actor.creditor_id if not actor.is_staff else creditor_id
    if scope is not None:
        query = query.where(Case.creditor_id == scope)
    if external_ref is not None:
        query = query.where(Case.external_ref == external_ref)
    if stage is not None:
        query = query.where(Case.stage == stage)
    if status is not None:
        query = query.where(Case.status == status)
    # days as in Germany: a case created at 00:30 in Berlin belongs to that day, not the one
    # before (as its UTC date would say)
    if created_from is not None:
        query = query.where(Case.created_at >= start_of_day_in_germany(created_from))
    if created_to is not None and created_to < date.max:
        next_day = start_of_day_in_germany(created_to + timedelta(days=1))
        query = query.where(Case.created_at < next_day)
    if cursor:
        query = query.where(Case.id > decode_cursor(cursor))
    rows = list(session.scalars(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    audit.record(
        session, actor, "list", "case", None, creditor_id=scope, details={"count": len(rows)}
    )
    return CasePage(rows, encode_cursor(rows[-1].id) if more and rows else None)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CaseError("ungültiger cursor") from exc
    if not isinstance(value, int) or value < 0:
        raise CaseError("ungültiger cursor")
    return value


def statement(case: Case, as_of: date) -> Statement:
    """The Forderungsaufstellung of a stored case, computed by the ledger (never stored)."""
    return compute_statement(domain_case(case), as_of)


def record_payment(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    day: date,
    amount: Decimal,
    source: str,
    reference: str = "",
    external_id: str | None = None,
    claim: str | None = None,
) -> Payment:
    """Book money received for the case; repeating the same ``external_id`` books nothing.

    ``claim`` is the invoice number of the claim the debtor named (§ 366 Abs. 1 BGB: the
    payment goes to it first); one that is not a claim of the case is refused."""
    if amount <= 0:
        raise CaseError("der Betrag muss größer als 0 sein")
    if case.status == "recalled":
        raise CaseError("der Fall ist zurückgerufen")
    claim_id = None
    if claim:
        named = next((c for c in case.claims if c.invoice_no == claim), None)
        if named is None:
            raise CaseError(f"claim: {claim!r} ist keine Forderung des Falls (§ 366 Abs. 1 BGB)")
        claim_id = named.id
    if external_id is not None:
        existing = session.scalar(
            select(Payment).where(
                Payment.case_id == case.id,
                Payment.source == source,
                Payment.external_id == external_id,
            )
        )
        if existing is not None:
            return existing
    now = utcnow()
    payment = Payment(
        case_id=case.id,
        date=day,
        amount=amount,
        source=source,
        reference=reference,
        external_id=external_id,
        claim_id=claim_id,
        created_at=now,
    )
    session.add(payment)
    session.flush()
    session.add(
        LedgerPosting(
            case_id=case.id,
            value_date=day,
            kind="payment",
            amount=-amount,
            reason=f"Zahlung {reference}".strip(),
            source=f"{source}:{actor.label}",
            payment_id=payment.id,
            posted_at=now,
        )
    )
    case.updated_at = now
    session.refresh(case, ["payments"])
    events.emit(
        session,
        case,
        "payment.received",
        actor,
        amount=str(amount),
        date=day.isoformat(),
        source=source,
        **({"claim": claim} if claim_id is not None else {}),
    )
    audit.record(
        session,
        actor,
        "create",
        "payment",
        payment.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return payment


def reverse_payment(
    session: Session, actor: Actor, payment: Payment, *, day: date, reason: str, source: str
) -> LedgerPosting:
    """Take a booked payment back (Storno, Rücklastschrift): a :class:`PaymentReversal` row
    (day, reason, author) and a reversal posting; the payment's own row is never changed.

    A payment is taken back once: a second reversal is refused, also when two arrive at the
    same time (the reversing row is unique per payment)."""
    if not reason.strip():
        raise CaseError("eine Stornierung braucht einen Grund")
    if session.scalar(select(PaymentReversal.id).where(PaymentReversal.payment_id == payment.id)):
        raise CaseError(f"Zahlung {payment.id} ist schon storniert")
    now = utcnow()
    author = f"{source}:{actor.label}"[:100]
    session.add(
        PaymentReversal(
            payment_id=payment.id, case_id=payment.case_id, date=day, reason=reason[:200],
            author=author, created_at=now,
        )
    )  # fmt: skip
    return _book_reversal(
        session, actor, payment, "payment", amount=payment.amount, day=day, reason=reason,
        author=author, now=now,
    )  # fmt: skip


def reverse_cost(
    session: Session, actor: Actor, cost: Cost, *, day: date, reason: str, source: str = "cli"
) -> LedgerPosting:
    """Take a cost back (wrongly charged, waived): a :class:`CostReversal` row (day, reason,
    author) and a reversal posting of the negative amount; the cost's row stays as it was.
    A cost is taken back once."""
    if not reason.strip():
        raise CaseError("eine Stornierung braucht einen Grund")
    if session.scalar(select(CostReversal.id).where(CostReversal.cost_id == cost.id)):
        raise CaseError(f"Kosten {cost.id} sind schon storniert")
    now = utcnow()
    author = f"{source}:{actor.label}"[:100]
    session.add(
        CostReversal(
            cost_id=cost.id, case_id=cost.case_id, date=day, reason=reason[:200], author=author,
            created_at=now,
        )
    )  # fmt: skip
    return _book_reversal(
        session, actor, cost, "cost", amount=-cost.amount, day=day, reason=reason,
        author=author, now=now,
    )  # fmt: skip


def _book_reversal(
    session: Session,
    actor: Actor,
    row: Payment | Cost,
    kind: str,
    *,
    amount: Decimal,
    day: date,
    reason: str,
    author: str,
    now: datetime,
) -> LedgerPosting:
    """The reversal posting of a payment or cost (``kind``) taken back, and what goes with it:
    the case touched, the row's ``reversed`` and the case's collection reloaded, the event
    ``<kind>.reversed`` and the audit entry."""
    posting = LedgerPosting(
        case_id=row.case_id,
        value_date=day,
        kind="reversal",
        amount=amount,
        reason=reason[:200],
        source=author,
        posted_at=now,
        **{f"{kind}_id": row.id},
    )
    session.add(posting)
    case = session.get(Case, row.case_id)
    assert case is not None
    case.updated_at = now
    session.flush()
    session.expire(row, ["reversed"])
    session.refresh(case, [f"{kind}s"])
    events.emit(
        session, case, f"{kind}.reversed", actor,
        **{f"{kind}_id": row.id}, amount=str(row.amount), reason=reason,
    )  # fmt: skip
    audit.record(
        session, actor, "create", f"{kind}_reversal", row.id,
        case_id=case.id, creditor_id=case.creditor_id, details={kind: row.id},
    )  # fmt: skip
    return posting


def recall_case(session: Session, actor: Actor, case: Case, reason: str = "") -> Case:
    """The creditor takes the case back (Rückruf): no further steps, timeline kept."""
    if case.status == "recalled":
        return case
    case.status = "recalled"
    case.updated_at = utcnow()
    _cancel_pending_steps(session, case, actor)
    events.emit(session, case, "case.recalled", actor, reason=reason)
    audit.record(
        session,
        actor,
        "update",
        "case",
        case.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"status": "recalled"},
    )
    return case


def _cancel_pending_steps(session: Session, case: Case, actor: Actor) -> None:
    """A recall ends the case's pending approvals, open tasks and the messages not yet sent
    (nothing is carried out for a case the creditor took back; a message a worker holds at
    this moment is cancelled by delivery, which checks the case once more)."""
    from mahnwerk.services import events
    from mahnwerk.store.workflow import Approval, OutboxMessage, Task

    now = utcnow()
    for approval in session.scalars(
        select(Approval).where(Approval.case_id == case.id, Approval.status == "pending")
    ):
        approval.status = "cancelled"
        approval.decided_by = actor.label
        approval.decided_at = now
        approval.decision_reason = "Fall zurückgerufen"
    for task in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")):
        task.status = "done"
        task.closed_at = now
        task.closed_by = actor.label
    for msg in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.status == "pending"
        )
    ):
        msg.status = "cancelled"
        msg.error = "nicht gesendet: Fall zurückgerufen"
        events.emit(
            session, case, "message.cancelled", actor, outbox_id=msg.id, channel=msg.channel,
            reason="Fall zurückgerufen",
        )  # fmt: skip
