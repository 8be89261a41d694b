"""The ledger as it was before issue 17 (oldest ``default_from`` first, no designation, no
claim kinds): the oracle for "the statement gives the same results as before" on cases that
use none of the new fields and whose claims all carry the same interest rate.

A frozen copy of ``compute_statement`` of commit 598d289; it builds the same output classes.
"""

# ruff: noqa
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, localcontext

from mahnwerk.domain.allocation import ALLOCATIONS
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.daycount import DAY_COUNTS, DayCount
from mahnwerk.domain.interest import NoInterest
from mahnwerk.domain.ledger import (
    Allocation,
    AllocationItem,
    Case,
    Claim,
    ClaimStatement,
    Cost,
    CostStatement,
    InterestPeriod,
    Payment,
    Statement,
    Totals,
)
from mahnwerk.domain.money import ZERO, round_cents

ONE_DAY = timedelta(days=1)


def next_half_year_start(day: date) -> date:
    """The first 1 January or 1 July after ``day``."""
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


def period_interest(principal: Decimal, rate: Decimal, days: int, basis: int) -> Decimal:
    """principal × rate / 100 × days / basis, rounded half-up to the cent."""
    with localcontext() as ctx:
        ctx.prec = 60
        return round_cents(principal * rate * days / (100 * basis))


class _ClaimAccount:
    """Mutable working state of one claim while the ledger is replayed."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.principal_open = claim.principal
        self.interest_accrued = ZERO
        self.interest_paid = ZERO
        self.periods: list[InterestPeriod] = []
        self.next_start = claim.default_from

    @property
    def interest_open(self) -> Decimal:
        return self.interest_accrued - self.interest_paid

    def accrue_through(
        self, end: date, *, consumer: bool, day_count: DayCount, base_rates: BaseRateTable
    ) -> None:
        bears_interest = not isinstance(self.claim.interest, NoInterest)
        while self.next_start <= end:
            start = self.next_start
            period_end = min(end, next_half_year_start(start) - ONE_DAY)
            self.next_start = period_end + ONE_DAY
            if not bears_interest or self.principal_open <= 0:
                continue
            rate = self.claim.interest.rate_on(
                start, consumer=consumer, base_rates=base_rates, origin=self.claim.origin
            )
            days = day_count.days(start, period_end)
            basis = day_count.basis(start)
            interest = period_interest(self.principal_open, rate, days, basis)
            self.periods.append(
                InterestPeriod(start, period_end, days, basis, rate, self.principal_open, interest)
            )
            self.interest_accrued += interest

    def take(self, part: str, available: Decimal) -> Decimal:
        if part == "interest":
            amount = min(available, self.interest_open)
            self.interest_paid += amount
        else:
            amount = min(available, self.principal_open)
            self.principal_open -= amount
        return amount

    def result(self) -> ClaimStatement:
        return ClaimStatement(
            id=self.claim.id,
            label=self.claim.label,
            principal=self.claim.principal,
            default_from=self.claim.default_from,
            interest_terms=self.claim.interest.describe(),
            principal_open=self.principal_open,
            interest_accrued=self.interest_accrued,
            interest_paid=self.interest_paid,
            interest_open=self.interest_open,
            periods=tuple(self.periods),
        )


class _CostAccount:
    def __init__(self, cost: Cost) -> None:
        self.cost = cost
        self.paid = ZERO

    @property
    def open(self) -> Decimal:
        return self.cost.amount - self.paid

    def result(self) -> CostStatement:
        c = self.cost
        return CostStatement(c.date, c.label, c.code, c.amount, self.paid, self.open)


def compute_statement(
    case: Case, as_of: date, base_rates: BaseRateTable | None = None
) -> Statement:
    """The statement (Forderungsaufstellung) of ``case`` as of ``as_of``.

    Payments and costs dated after ``as_of`` are not yet part of it.
    """
    rates = base_rates or BaseRateTable.official()
    day_count = DAY_COUNTS[case.day_count]
    strategy = ALLOCATIONS[case.allocation]
    claims = [
        _ClaimAccount(c)
        for _, c in sorted(enumerate(case.claims), key=lambda ic: (ic[1].default_from, ic[0]))
    ]
    costs = [
        _CostAccount(c)
        for _, c in sorted(enumerate(case.costs), key=lambda ic: (ic[1].date, ic[0]))
        if c.date <= as_of
    ]
    payments = sorted((p for p in case.payments if p.date <= as_of), key=lambda p: p.date)

    def accrue(through: date) -> None:
        for account in claims:
            account.accrue_through(
                through, consumer=case.consumer, day_count=day_count, base_rates=rates
            )

    allocations = []
    for payment in payments:
        accrue(payment.date)
        allocations.append(_apply(payment, costs, claims, strategy.claim_order))
    accrue(as_of)

    claim_results = tuple(a.result() for a in sorted(claims, key=lambda a: _input_index(case, a)))
    cost_results = tuple(c.result() for c in costs)
    return Statement(
        as_of=as_of,
        day_count=case.day_count,
        allocation=case.allocation,
        claims=claim_results,
        costs=cost_results,
        allocations=tuple(allocations),
        totals=_totals(claim_results, cost_results, allocations),
    )


def _input_index(case: Case, account: _ClaimAccount) -> int:
    return next(i for i, c in enumerate(case.claims) if c is account.claim)


def _apply(
    payment: Payment,
    costs: list[_CostAccount],
    claims: list[_ClaimAccount],
    claim_order: tuple[str, str],
) -> Allocation:
    remaining = payment.amount
    items: list[AllocationItem] = []
    to = {"cost": ZERO, "interest": ZERO, "principal": ZERO}
    for cost in costs:
        if cost.cost.date > payment.date or remaining <= 0:
            continue
        amount = min(remaining, cost.open)
        if amount > 0:
            cost.paid += amount
            remaining -= amount
            to["cost"] += amount
            items.append(AllocationItem("cost", cost.cost.label, amount))
    for account in claims:
        for part in claim_order:
            if remaining <= 0:
                break
            amount = account.take(part, remaining)
            if amount > 0:
                remaining -= amount
                to[part] += amount
                items.append(AllocationItem(part, account.claim.id, amount))
    return Allocation(
        date=payment.date,
        amount=payment.amount,
        to_costs=to["cost"],
        to_interest=to["interest"],
        to_principal=to["principal"],
        unapplied=remaining,
        items=tuple(items),
    )


def _totals(
    claims: tuple[ClaimStatement, ...],
    costs: tuple[CostStatement, ...],
    allocations: list[Allocation],
) -> Totals:
    principal_open = sum((c.principal_open for c in claims), ZERO)
    interest_open = sum((c.interest_open for c in claims), ZERO)
    costs_open = sum((c.open for c in costs), ZERO)
    return Totals(
        principal_open=principal_open,
        interest_open=interest_open,
        costs_open=costs_open,
        total_open=principal_open + interest_open + costs_open,
        credit=sum((a.unapplied for a in allocations), ZERO),
    )
