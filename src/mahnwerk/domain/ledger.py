"""The claim ledger: interest, costs and payment allocation of one case at a date.

:func:`compute_statement` turns a case (claims, costs, payments) into a statement
(Forderungsaufstellung) as of a date. It is a pure function of its inputs, so any date in
the past is reproducible: a payment booked later with an earlier date simply changes every
statement from that date on.

Conventions (exact, so that two implementations agree to the cent):

- Interest runs daily from ``default_from`` (inclusive: the first day of interest, the day
  after default began, § 187 Abs. 1 BGB) to the statement date (inclusive). A claim without
  ``default_from`` is not in default and bears no interest (§ 286 BGB: no default without
  its ground, see :mod:`mahnwerk.domain.default`).
- Periods are cut at every 1 January and 1 July and at every payment date of the case: a
  period ends on the payment day, and the reduced principal bears interest from the next day.
- Period interest = principal × rate / 100 × days / basis, rounded half-up to the cent
  (:func:`mahnwerk.domain.money.round_cents`).
- Statutory interest: base rate + 5 points; + 9 (8 before 29.07.2014) only for a claim of kind
  ``entgelt`` against a debtor who is not a consumer (§ 288 Abs. 2 BGB).
- A period in a half-year whose base rate is not known (not in the table, see
  :mod:`mahnwerk.domain.base_rate`) is not charged: the rate is never invented. The statement
  lists it in ``warnings`` (and ``base_rate_unknown``); a half-year whose rate is marked
  UNVERIFIED is charged and also warned about.
- A payment is applied at the end of its day, after the interest through that day: costs dated
  on or before the payment day (oldest first); then, if the payment names a claim (§ 366
  Abs. 1 BGB), that claim; then the claims in the order of § 366 Abs. 2 BGB
  (:func:`mahnwerk.domain.allocation.claim_order_key`: in default first, higher rate, older,
  input order); within a claim interest and principal in the strategy's order. What is left
  is ``unapplied``: a credit that stays on the case and is not used for later interest or
  costs (a person decides whether to refund it).
- The flat fee of § 288 Abs. 5 BGB (a cost with code :data:`FLAT_FEE_CODE`) is credited
  against the agency fee (:data:`LEGAL_PURSUIT_CODES`) charged on or after its date
  (§ 288 Abs. 5 S. 3 BGB); the credited part of such a cost is not owed.
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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext

from mahnwerk.domain.allocation import ALLOCATIONS, DEFAULT_ALLOCATION, claim_order_key
from mahnwerk.domain.base_rate import ADD_COMMAND, BaseRateTable, half_year_start
from mahnwerk.domain.daycount import DAY_COUNTS, DEFAULT_DAY_COUNT, DayCount
from mahnwerk.domain.interest import ENTGELT, InterestTerms, NoInterest, rate_for_order
from mahnwerk.domain.money import ZERO, format_rate, round_cents

ONE_DAY = timedelta(days=1)

#: Code of the flat fee of § 288 Abs. 5 BGB (40 EUR per Entgeltforderung against a
#: non-consumer in default).
FLAT_FEE_CODE = "§ 288 Abs. 5"
FLAT_FEE_AMOUNT = Decimal("40.00")
#: Costs of legal pursuit against which the flat fee is credited (§ 288 Abs. 5 S. 3 BGB): the
#: agency fee (Geschäftsgebühr, its Auslagenpauschale and VAT).
LEGAL_PURSUIT_CODES = frozenset({"VV 2300", "VV 7002", "VV 7008"})


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Claim:
    """One claim (Hauptforderung) of a case. ``default_from`` is the first day of interest
    (``None``: not in default); ``kind`` is ``entgelt`` (payment for goods or services) or
    ``other`` (§ 288 Abs. 2 BGB)."""

    id: str
    principal: Decimal
    default_from: date | None
    interest: InterestTerms = field(default_factory=NoInterest)
    origin: date | None = None
    label: str = ""
    kind: str = ENTGELT

    @property
    def entgelt(self) -> bool:
        return self.kind == ENTGELT


@dataclass(frozen=True)
class Cost:
    """A cost of the case (Mahngebühr, Inkassokosten, 40-EUR-Pauschale, Gerichtskosten…).

    Costs bear no interest and are paid first, oldest first. ``claim`` names the claim a cost
    belongs to (the flat fee of § 288 Abs. 5 BGB); empty for the case as a whole.
    """

    date: date
    label: str
    amount: Decimal
    code: str = ""
    claim: str = ""


@dataclass(frozen=True)
class Payment:
    """Money received (Zahlungseingang), applied at the end of its day. ``claim`` is the claim
    the debtor named (§ 366 Abs. 1 BGB), empty if none."""

    date: date
    amount: Decimal
    reference: str = ""
    claim: str = ""


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
    default_from: date | None
    interest_terms: str
    principal_open: Decimal
    interest_accrued: Decimal
    interest_paid: Decimal
    interest_open: Decimal
    periods: tuple[InterestPeriod, ...]
    kind: str = ENTGELT
    #: Periods left uncharged because the base rate of their half-year is unknown.
    uncharged: tuple[tuple[date, date], ...] = ()


@dataclass(frozen=True)
class CostStatement:
    date: date
    label: str
    code: str
    amount: Decimal
    paid: Decimal
    open: Decimal
    #: The part credited against it (the § 288 Abs. 5 flat fee, S. 3), not owed.
    credited: Decimal = ZERO
    claim: str = ""


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
    #: The claim the debtor named (§ 366 Abs. 1 BGB), empty if none.
    claim: str = ""


@dataclass(frozen=True)
class Totals:
    principal_open: Decimal
    interest_open: Decimal
    costs_open: Decimal
    total_open: Decimal
    credit: Decimal


@dataclass(frozen=True)
class BaseRateNote:
    """A half-year the statement needed whose base rate is ``unverified`` or ``unknown``."""

    half_year: date
    status: str
    rate: Decimal | None
    claims: tuple[str, ...]
    #: For ``unknown``: the days left uncharged (first and last).
    first_day: date | None = None
    last_day: date | None = None

    def text(self) -> str:
        """The German warning line."""
        day = self.half_year.strftime("%d.%m.%Y")
        who = ", ".join(self.claims)
        if self.status == "unknown":
            assert self.first_day is not None and self.last_day is not None
            return (
                f"Basiszinssatz für das Halbjahr ab {day} unbekannt: Zinsen vom "
                f"{self.first_day.strftime('%d.%m.%Y')} bis {self.last_day.strftime('%d.%m.%Y')}"
                f" nicht berechnet (Forderung {who}); nachtragen mit "
                f"`{ADD_COMMAND.format(day=self.half_year.isoformat())}`"
            )
        rate = f" ({format_rate(self.rate)})" if self.rate is not None else ""
        return (
            f"Basiszinssatz ab {day}{rate} nicht amtlich bestätigt (UNVERIFIED): die Zinsen "
            f"dieses Halbjahrs (Forderung {who}) sind vorläufig"
        )


@dataclass(frozen=True)
class Statement:
    as_of: date
    day_count: str
    allocation: str
    claims: tuple[ClaimStatement, ...]
    costs: tuple[CostStatement, ...]
    allocations: tuple[Allocation, ...]
    totals: Totals
    base_rate_notes: tuple[BaseRateNote, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """German warning lines (unknown or UNVERIFIED base rates used)."""
        return tuple(n.text() for n in self.base_rate_notes)

    @property
    def base_rate_unknown(self) -> date | None:
        """The first half-year the statement needed whose base rate is unknown, if any."""
        unknown = [n.half_year for n in self.base_rate_notes if n.status == "unknown"]
        return min(unknown) if unknown else None


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

    def __init__(self, claim: Claim, index: int) -> None:
        self.claim = claim
        self.index = index
        self.principal_open = claim.principal
        self.interest_accrued = ZERO
        self.interest_paid = ZERO
        self.periods: list[InterestPeriod] = []
        self.uncharged: list[tuple[date, date]] = []
        self.next_start = claim.default_from

    @property
    def interest_open(self) -> Decimal:
        return self.interest_accrued - self.interest_paid

    def accrue_through(
        self,
        end: date,
        *,
        consumer: bool,
        day_count: DayCount,
        base_rates: BaseRateTable,
        notes: _Notes,
    ) -> None:
        if self.next_start is None:
            return
        terms = self.claim.interest
        bears_interest = not isinstance(terms, NoInterest)
        while self.next_start <= end:
            start = self.next_start
            period_end = min(end, next_half_year_start(start) - ONE_DAY)
            self.next_start = period_end + ONE_DAY
            if not bears_interest or self.principal_open <= 0:
                continue
            if terms.uses_base_rate:
                status = base_rates.status_on(start)
                if status == "unknown":
                    self.uncharged.append((start, period_end))
                    notes.add(status, start, period_end, self.claim.id, None)
                    continue
                if status == "unverified":
                    notes.add(status, start, period_end, self.claim.id, base_rates.rate_on(start))
            rate = terms.rate_on(
                start,
                consumer=consumer,
                base_rates=base_rates,
                origin=self.claim.origin,
                entgelt=self.claim.entgelt,
            )
            days = day_count.days(start, period_end)
            basis = day_count.basis(start)
            interest = period_interest(self.principal_open, rate, days, basis)
            self.periods.append(
                InterestPeriod(start, period_end, days, basis, rate, self.principal_open, interest)
            )
            self.interest_accrued += interest

    def order_key(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable
    ) -> tuple[bool, Decimal, date, int]:
        rate = rate_for_order(
            self.claim.interest,
            day,
            consumer=consumer,
            base_rates=base_rates,
            origin=self.claim.origin,
            entgelt=self.claim.entgelt,
        )
        return claim_order_key(
            day=day, default_from=self.claim.default_from, rate=rate, index=self.index
        )

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
            kind=self.claim.kind,
            uncharged=tuple(self.uncharged),
        )


class _Notes:
    """The unverified and unknown base-rate half-years met while accruing."""

    def __init__(self) -> None:
        self.rates: dict[tuple[date, str], Decimal | None] = {}
        self.claims: dict[tuple[date, str], list[str]] = {}
        self.days: dict[tuple[date, str], tuple[date, date]] = {}

    def add(self, status: str, start: date, end: date, claim: str, rate: Decimal | None) -> None:
        key = (half_year_start(start), status)
        self.rates.setdefault(key, rate)
        claims = self.claims.setdefault(key, [])
        if claim not in claims:
            claims.append(claim)
        first, last = self.days.get(key, (start, end))
        self.days[key] = (min(first, start), max(last, end))

    def result(self) -> tuple[BaseRateNote, ...]:
        notes = []
        for key in sorted(self.rates):
            half_year, status = key
            first, last = self.days[key]
            unknown = status == "unknown"
            notes.append(
                BaseRateNote(
                    half_year,
                    status,
                    self.rates[key],
                    tuple(self.claims[key]),
                    first if unknown else None,
                    last if unknown else None,
                )
            )
        return tuple(notes)


class _CostAccount:
    def __init__(self, cost: Cost, credited: Decimal) -> None:
        self.cost = cost
        self.credited = credited
        self.paid = ZERO

    @property
    def open(self) -> Decimal:
        return self.cost.amount - self.credited - self.paid

    def result(self) -> CostStatement:
        c = self.cost
        return CostStatement(
            c.date, c.label, c.code, c.amount, self.paid, self.open, self.credited, c.claim
        )


def credit_flat_fees(costs: Sequence[Cost]) -> list[Decimal]:
    """The part of each cost credited against a flat fee of § 288 Abs. 5 BGB (S. 3).

    Each flat fee (code :data:`FLAT_FEE_CODE`, in date order) is credited against the costs of
    legal pursuit (:data:`LEGAL_PURSUIT_CODES`) dated on or after it, for the case or the same
    claim, oldest first, up to what they still hold. Worked example: a flat fee of 40.00
    (2025-03-01) and the agency fee 46.50 + 9.30 (2025-04-01): 40.00 is credited against the
    Geschäftsgebühr, so the debtor owes 40.00 + 6.50 + 9.30 = 55.80, not 95.80.

    >>> fee = Cost(date(2025, 3, 1), "Pauschale", Decimal("40.00"), FLAT_FEE_CODE, "R-1")
    >>> vv = Cost(date(2025, 4, 1), "Geschäftsgebühr", Decimal("46.50"), "VV 2300")
    >>> p = Cost(date(2025, 4, 1), "Auslagen", Decimal("9.30"), "VV 7002")
    >>> credit_flat_fees([fee, vv, p])
    [Decimal('0.00'), Decimal('40.00'), Decimal('0.00')]
    """
    credited = [ZERO] * len(costs)
    order = sorted(range(len(costs)), key=lambda i: (costs[i].date, i))
    legal = [i for i in order if costs[i].code in LEGAL_PURSUIT_CODES]
    for i in order:
        fee = costs[i]
        if fee.code != FLAT_FEE_CODE:
            continue
        left = fee.amount
        for j in legal:
            other = costs[j]
            if left <= 0:
                break
            if other.date < fee.date or (other.claim and other.claim != fee.claim):
                continue
            take = min(left, other.amount - credited[j])
            if take > 0:
                credited[j] += take
                left -= take
    return credited


def compute_statement(
    case: Case, as_of: date, base_rates: BaseRateTable | None = None
) -> Statement:
    """The statement (Forderungsaufstellung) of ``case`` as of ``as_of``.

    Payments and costs dated after ``as_of`` are not yet part of it. A payment naming a claim
    the case does not have is refused with :class:`ValueError`.
    """
    rates = base_rates or BaseRateTable.official()
    day_count = DAY_COUNTS[case.day_count]
    strategy = ALLOCATIONS[case.allocation]
    claims = [_ClaimAccount(c, i) for i, c in enumerate(case.claims)]
    by_id = {a.claim.id: a for a in claims}
    for p in case.payments:
        if p.claim and p.claim not in by_id:
            raise ValueError(f"Zahlung vom {p.date.isoformat()}: keine Forderung {p.claim!r}")
    dated = sorted(
        (ic for ic in enumerate(case.costs) if ic[1].date <= as_of),
        key=lambda ic: (ic[1].date, ic[0]),
    )
    credits = credit_flat_fees([c for _, c in dated])
    costs = [_CostAccount(c, k) for (_, c), k in zip(dated, credits, strict=True)]
    payments = sorted((p for p in case.payments if p.date <= as_of), key=lambda p: p.date)
    notes = _Notes()

    def accrue(through: date) -> None:
        for account in claims:
            account.accrue_through(
                through,
                consumer=case.consumer,
                day_count=day_count,
                base_rates=rates,
                notes=notes,
            )

    allocations = []
    for payment in payments:
        accrue(payment.date)
        order = sorted(
            claims,
            key=lambda a: (
                a.claim.id != payment.claim if payment.claim else False,
                a.order_key(payment.date, consumer=case.consumer, base_rates=rates),
            ),
        )
        allocations.append(_apply(payment, costs, order, strategy.claim_order))
    accrue(as_of)

    claim_results = tuple(a.result() for a in claims)
    cost_results = tuple(c.result() for c in costs)
    return Statement(
        as_of=as_of,
        day_count=case.day_count,
        allocation=case.allocation,
        claims=claim_results,
        costs=cost_results,
        allocations=tuple(allocations),
        totals=_totals(claim_results, cost_results, allocations),
        base_rate_notes=notes.result(),
    )


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
        claim=payment.claim,
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
