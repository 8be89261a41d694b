"""From stored rows to the pure ledger's :class:`mahnwerk.domain.ledger.Case`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row

from mahnwerk.domain import ledger
from mahnwerk.domain.interest import (
    BasePlusInterest,
    FixedInterest,
    InterestTerms,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.store.models import Case, Claim

if TYPE_CHECKING:
    from mahnwerk.store.run_reads import CaseRecord


def interest_terms(kind: str, value: Decimal | None) -> InterestTerms:
    if kind == "statutory":
        return StatutoryInterest()
    if kind == "base_plus":
        return BasePlusInterest(value if value is not None else Decimal(0))
    if kind == "fixed":
        return FixedInterest(value if value is not None else Decimal(0))
    return NoInterest()


def domain_claim(claim: Claim | Row[Any]) -> ledger.Claim:
    return ledger.Claim(
        id=claim.invoice_no,
        principal=claim.principal,
        default_from=claim.default_from,
        interest=interest_terms(claim.interest_kind, claim.interest_value),
        origin=claim.origin,
        label=claim.label,
        kind=claim.kind or "entgelt",
    )


def domain_case(case: Case | CaseRecord) -> ledger.Case:
    """The ledger's view of a stored case (ORM objects or the daily run's bulk-read records);
    reversed payments and costs (those with a reversing row) are left out. A payment or cost
    linked to a claim names it by its invoice number (the ledger's claim id)."""
    numbers = {c.id: c.invoice_no for c in case.claims}
    return ledger.Case(
        consumer=case.debtor.consumer,
        claims=tuple(domain_claim(c) for c in case.claims),
        costs=tuple(
            ledger.Cost(c.date, c.label, c.amount, c.code, numbers.get(c.claim_id or 0, ""))
            for c in case.costs
            if not c.reversed
        ),
        payments=tuple(
            ledger.Payment(p.date, p.amount, p.reference, numbers.get(p.claim_id or 0, ""))
            for p in case.payments
            if not p.reversed
        ),
        day_count=case.day_count,
        allocation=case.allocation,
    )
