"""From stored rows to response bodies (no queries beyond the rows' own relationships)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from mahnwerk.api import schemas as s
from mahnwerk.services.admin.webhooks import DeliveryView, event_types

if TYPE_CHECKING:
    from mahnwerk.store.models import Case, Payment, Webhook


def case_summary(case: Case) -> s.CaseSummary:
    return s.CaseSummary(
        id=case.id,
        external_ref=case.external_ref,
        reference=case.reference,
        stage=case.stage,
        status=case.status,
        created_at=s.aware(case.created_at),
        claims=len(case.claims),
        principal_total=s.amount_text(sum((c.principal for c in case.claims), start=Decimal(0))),
    )


def payment_out(payment: Payment) -> s.PaymentOut:
    return s.PaymentOut(
        id=payment.id,
        date=payment.date,
        amount=s.amount_text(payment.amount),
        source=payment.source,
        reference=payment.reference,
        external_id=payment.external_id,
        claim=next((c.invoice_no for c in payment.case.claims if c.id == payment.claim_id), None)
        if payment.claim_id is not None
        else None,
        created_at=s.aware(payment.created_at),
        reversed=payment.reversed,
    )


def case_detail(case: Case) -> s.CaseDetail:
    debtor = case.debtor
    address = debtor.current_address
    return s.CaseDetail(
        id=case.id,
        external_ref=case.external_ref,
        reference=case.reference,
        stage=case.stage,
        status=case.status,
        day_count=case.day_count,
        allocation=case.allocation,
        created_at=s.aware(case.created_at),
        updated_at=s.aware(case.updated_at),
        debtor=s.DebtorOut(
            kind=debtor.kind,
            consumer=debtor.consumer,
            first_name=debtor.first_name,
            last_name=debtor.last_name,
            company=debtor.company,
            birth_date=debtor.birth_date,
            address=None
            if address is None
            else s.AddressOut(
                street=address.street,
                postcode=address.postcode,
                city=address.city,
                country=address.country,
            ),
            contacts=[
                s.ContactOut(kind=c.kind, value=c.value, consent=c.consent, status=c.status)
                for c in debtor.contacts
            ],
            ibans=[b.iban for b in debtor.bank_accounts],
        ),
        claims=[
            s.ClaimOut(
                invoice_no=c.invoice_no,
                amount=s.amount_text(c.principal),
                default_from=c.default_from,
                invoice_date=c.invoice_date,
                due_date=c.due_date,
                interest=s.InterestOut(
                    kind=c.interest_kind,
                    value=None if c.interest_value is None else f"{c.interest_value:f}",
                ),
                label=c.label,
                kind=c.kind,
                origin=c.origin,
                default_ground=c.default_ground,
                contract_subject=c.contract_subject,
                contract_date=c.contract_date,
            )
            for c in case.claims
        ],
        costs=[
            s.CostOut(
                date=c.date, label=c.label, amount=s.amount_text(c.amount), reversed=c.reversed
            )
            for c in case.costs
        ],
        payments=[payment_out(p) for p in case.payments],
        timeline=[
            s.EventOut(id=e.id, at=s.aware(e.at), kind=e.kind, actor=e.actor, data=e.data or {})
            for e in case.events
        ],
    )


def webhook_out(hook: Webhook) -> s.WebhookOut:
    return s.WebhookOut(
        id=hook.id, url=hook.url, events=event_types(hook), created_at=s.aware(hook.created_at)
    )


def delivery_out(view: DeliveryView) -> s.DeliveryOut:
    d = view.delivery
    return s.DeliveryOut(
        id=d.id,
        event_id=d.event_id,
        event_type=view.event_type,
        case_id=view.case_id,
        status=d.status,  # type: ignore[arg-type]
        attempts=d.attempts,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        next_attempt_at=s.aware(d.next_attempt_at) if d.status == "pending" else None,
        delivered_at=None if d.delivered_at is None else s.aware(d.delivered_at),
    )
