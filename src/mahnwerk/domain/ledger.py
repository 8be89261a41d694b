"""The claim ledger: interest, costs and payment allocation of one case at a date.

:func:`compute_statement` turns a case (claims, costs, payments) into a statement
(Forderungsaufstellung) as of a date. It is a pure function of its inputs, so any date in
the past is reproducible: a payment booked later with an earlier date simply changes every
statement from that date on.

Conventions (exact, so that two implementations agree to the cent):

- Interest runs daily from ``default_from`` (inclusive) to the statement date (inclusive).
- Periods are cut at every 1 January and 1 July and at every payment date of the case: a
  period ends on the payment day, and the reduced principal bears interest from the next day.
- Period interest = principal × rate / 100 × days / basis, rounded half-up to the cent
  (:func:`mahnwerk.domain.money.round_cents`).
- A payment is applied at the end of its day, after the interest through that day, in the
  order of the case's allocation strategy. Costs dated on or before the payment day are open
  to it. What is left is ``unapplied``: a credit that stays on the case and is not used for
  later interest or costs (a person decides whether to refund it).
- Interest is never charged on interest or on costs (§ 289 BGB).

Worked example (checked by hand): 1,000.00 EUR from 2025-07-01, statutory interest for a
consumer (1.27 + 5 = 6.27 %), act/365, statement on 2025-07-10: 10 days,
1000 × 6.27 / 100 × 10 / 365 = 1.7178… → 1.72 EUR.

>>> from mahnwerk.domain.interest import StatutoryInterest
>>> case = Case(consumer=True, claims=(Claim("R-1", Decimal("1000.00"), date(2025, 7, 1),
...     StatutoryInterest()),))
>>> compute_statement(case, date(2025, 7, 10)).claims[0].interest_accrued
Decimal('1.72')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext

from mahnwerk.domain.allocation import ALLOCATIONS, DEFAULT_ALLOCATION
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.daycount import DAY_COUNTS, DEFAULT_DAY_COUNT, DayCount
from mahnwerk.domain.interest import InterestTerms, NoInterest
from mahnwerk.domain.money import ZERO, round_cents

ONE_DAY = timedelta(days=1)


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Claim:
    """One claim (Hauptforderung) of a case."""

    id: str
    principal: Decimal
    default_from: date
    interest: InterestTerms = field(default_factory=NoInterest)
    origin: date | None = None
    label: str = ""


@dataclass(frozen=True)
class Cost:
    """A cost of the case (Mahngebühr, Inkassokosten, 40-EUR-Pauschale, Gerichtskosten…).

    Costs bear no interest and are paid first, oldest first.
    """

    date: date
    label: str
    amount: Decimal
    code: str = ""


@dataclass(frozen=True)
class Payment:
    """Money received (Zahlungseingang), applied at the end of its day."""

    date: date
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class Case:
    """What the ledger needs to know of a case. ``day_count`` and ``allocation`` are the
    stable names of the strategies chosen for the case."""

    consumer: bool
    claims: tuple[Claim, ...]
    costs: tuple[Cost, ...] = ()
    payments: tuple[Payment, ...] = ()
    day_count: str = DEFAULT_DAY_COUNT
    allocation: str = DEFAULT_ALLOCATION


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class InterestPeriod:
    start: date
    end: date
    days: int
    basis: int
    rate: Decimal
    base: Decimal
    interest: Decimal


@dataclass(frozen=True)
class ClaimStatement:
    id: str
    label: str
    principal: Decimal
    default_from: date
    interest_terms: str
    principal_open: Decimal
    interest_accrued: Decimal
    interest_paid: Decimal
    interest_open: Decimal
    periods: tuple[InterestPeriod, ...]


@dataclass(frozen=True)
class CostStatement:
    date: date
    label: str
    code: str
    amount: Decimal
    paid: Decimal
    open: Decimal


@dataclass(frozen=True)
class AllocationItem:
    """Part of a payment applied to one target: ``("cost", label)``, ``("interest", claim
    id)`` or ``("principal", claim id)``."""

    kind: str
    target: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    date: date
    amount: Decimal
    to_costs: Decimal
    to_interest: Decimal
    to_principal: Decimal
    unapplied: Decimal
    items: tuple[AllocationItem, ...]


@dataclass(frozen=True)
class Totals:
    principal_open: Decimal
    interest_open: Decimal
    costs_open: Decimal
    total_open: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Statement:
    as_of: date
    day_count: str
    allocation: str
    claims: tuple[ClaimStatement, ...]
    costs: tuple[CostStatement, ...]
    allocations: tuple[Allocation, ...]
    totals: Totals


# ------------------------------------------------------------------------ computation


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
