"""Vectorised balances: the ledger of many cases at once, in integer cents, to the cent.

:func:`compute_balances` computes, for every case of a :class:`Portfolio` and one statement
date, what :func:`mahnwerk.domain.ledger.compute_statement` would report as ``totals``
(``principal_open``, ``interest_open``, ``costs_open``, ``total_open``, ``credit``) and, per
claim, ``principal_open``, ``interest_accrued`` and ``interest_open``. It replays the same
ledger, only column-wise with numpy over all cases instead of case by case with ``Decimal``.

Why it agrees with the ledger to the cent
-----------------------------------------

*Money is exact.* Amounts are ``int64`` cents; rates are integers in ``1/rate_scale`` of a
percent (``rate_scale`` is a power of ten, at least 10,000, large enough for every rate of
the portfolio, so a rate like ``8.125`` is held exactly). The ledger's period interest
``round_half_up(principal × rate / 100 × days / basis)`` in euro is, in cents,
``round_half_up(N / M)`` with ``N = principal_cents × rate_units × days`` and
``M = 100 × rate_scale × basis``. Since ``N ≥ 0`` and ``M`` is even, half-up rounding is the
integer expression ``(N + M // 2) // M``: no float ever touches an amount. Where ``N`` could
leave ``int64`` (principals of millions of euro at a high rate scale) those periods are
computed with Python integers instead, which are unbounded.

*The same periods.* The ledger cuts interest periods at every 1 January and 1 July and at
every payment date of the case (payments after the statement date do not exist for it), and
charges each period with the principal open during it. Principal only changes at payments,
at the end of the payment day, so between two consecutive payment dates a claim's principal is
constant and its periods are that interval intersected with the half-years. Here the interval
of each claim is expanded into one row per half-year it touches (``np.repeat``), each row is
rounded on its own exactly as the ledger rounds each period, and the rows are summed back per
claim (``np.add.reduceat``). The rate of a period is taken on its first day, as in the ledger
(base rate looked up by day, statutory points 5 / 9 / 8 by consumer flag and origin, floored at
zero); day counts and bases are looked up in per-day calendar tables (``act/365``,
``act/act`` with the length of the period's year, ``30/360`` with the Mahngericht position
formula of :mod:`mahnwerk.domain.daycount`).

*The same allocation, in rounds.* Payments of a case are applied in date order (same-day
payments in input order, as Python's stable ``sorted`` does). Round ``k`` takes the ``k``-th
payment of every case that has one: it first accrues interest of all that case's claims
through the payment day, then applies the payment. The ledger's greedy allocation over an
ordered list of open items (costs dated on or before the payment day, oldest first; then the
claim the payment names, § 366 Abs. 1 BGB; then the claims in the order of § 366 Abs. 2 BGB:
in default on the payment day first, the higher rate of that day, the earlier
``default_from``, input order; per claim its two parts in the strategy's order: interest then
principal for ``bgb367``, principal then interest for ``bgb497``) takes
``min(open_i, remaining)`` from each item in turn. The order of the claims is sorted anew in
every round, because the rates of the payment day decide it. Because every earlier item was taken
whole while money lasted, the money remaining before item ``i`` is
``max(0, amount − Σ_{j<i} open_j)``, so the amount taken is
``clip(amount − exclusive_cumsum(open)_i, 0, open_i)`` — a prefix sum within each case, which
numpy computes for all cases of the round at once. What is left is the payment's ``unapplied``
part and adds to the case's credit, never used later (as in the ledger). After the last round
every claim accrues through the statement date.

*The rest of issue 17.* A claim not in default (``default_from`` = :data:`NO_DEFAULT`) bears
no interest and comes last; statutory interest is 9 (8) points only for a claim of kind
``entgelt`` against a non-consumer; a period in a half-year whose base rate is unknown is not
charged and the case's ``base_rate_unknown`` names the first such half-year; the § 288 Abs. 5
flat fee is credited against the agency fee with the ledger's own
:func:`~mahnwerk.domain.ledger.credit_flat_fees`, for the few cases that have one.

Inputs must not hold negative amounts (the store and the statement parser refuse them); the
ledger's behaviour for negative principals is an accident this module does not copy, so they
are refused with :class:`ValueError`.

Worked example: the hand-checked case of the ledger tests (1,250.00 EUR from 2025-02-15,
consumer, 5.00 EUR costs, 300.00 EUR paid on 2025-06-01) as of 2026-03-31:

>>> from decimal import Decimal
>>> from mahnwerk.domain import ledger
>>> from mahnwerk.domain.interest import StatutoryInterest
>>> case = ledger.Case(
...     consumer=True,
...     claims=(ledger.Claim("R-1", Decimal("1250.00"), date(2025, 2, 15), StatutoryInterest()),),
...     costs=(ledger.Cost(date(2025, 3, 1), "Mahngebühr", Decimal("5.00")),),
...     payments=(ledger.Payment(date(2025, 6, 1), Decimal("300.00")),),
... )
>>> b = compute_balances(Portfolio.from_cases([case]), date(2026, 3, 31))
>>> [int(x[0]) for x in (b.principal_open, b.interest_open, b.costs_open, b.total_open)]
[98164, 5188, 0, 103352]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from mahnwerk.domain import ledger
from mahnwerk.domain.base_rate import BaseRateTable, half_year_start
from mahnwerk.domain.interest import (
    BUSINESS_9_POINTS_FROM,
    BUSINESS_POINTS,
    BUSINESS_POINTS_BEFORE_2014,
    CONSUMER_POINTS,
    BasePlusInterest,
    FixedInterest,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.domain.ledger import FLAT_FEE_CODE, LEGAL_PURSUIT_CODES, credit_flat_fees

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]

# Stable codes of the strategies and interest kinds in the integer columns.
DAY_COUNT_CODES: dict[str, int] = {"act/365": 0, "act/act": 1, "30/360": 2}
ALLOCATION_CODES: dict[str, int] = {"bgb367": 0, "bgb497": 1}
KIND_NONE, KIND_STATUTORY, KIND_BASE_PLUS, KIND_FIXED = 0, 1, 2, 3
INTEREST_KIND_CODES: dict[str, int] = {
    "none": KIND_NONE,
    "statutory": KIND_STATUTORY,
    "base_plus": KIND_BASE_PLUS,
    "fixed": KIND_FIXED,
}
DEFAULT_RATE_SCALE = 10_000  # rates in 1/10,000 of a percent

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
NO_ORIGIN = date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL
"""Day number standing for "origin unknown" (later than every real origin)."""
NO_DEFAULT = NO_ORIGIN
"""Day number standing for "not in default" (``default_from`` empty)."""
NO_DAY = NO_ORIGIN
#: Cost kinds of :class:`CostColumns`: other, the § 288 Abs. 5 flat fee, the agency fee.
COST_OTHER, COST_FLAT_FEE, COST_LEGAL = 0, 1, 2

_INT64_MAX = int(np.iinfo(np.int64).max)
_CHUNK = 1 << 18  # claims per block of interest rows, keeps temporaries cache-friendly


def day_number(day: date) -> int:
    """Days since 1970-01-01 (numpy's ``datetime64[D]`` epoch)."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_of(number: int) -> date:
    """The date of a :func:`day_number`."""
    return date.fromordinal(int(number) + _EPOCH_ORDINAL)


def _i64(values: Any) -> I64:
    return np.ascontiguousarray(values, dtype=np.int64)


# ------------------------------------------------------------------------------ columns


@dataclass(frozen=True)
class CaseColumns:
    """One row per case. ``day_count`` and ``allocation`` hold the codes of
    :data:`DAY_COUNT_CODES` and :data:`ALLOCATION_CODES`."""

    id: I64
    consumer: Bools
    day_count: I8
    allocation: I8


@dataclass(frozen=True)
class ClaimColumns:
    """One row per claim; ``case`` is the row of its case in :class:`CaseColumns`.

    ``seq`` orders the claims of one case as the ledger's input order (the store's claim
    id); without it the row order is the input order. ``value`` is the ``base_plus`` points or
    the ``fixed`` rate in ``1/rate_scale`` percent; ``origin`` is :data:`NO_ORIGIN` when unknown;
    ``default_from`` is :data:`NO_DEFAULT` for a claim not in default; ``entgelt`` says whether
    it is an Entgeltforderung (all are without it).
    """

    case: I64
    principal: I64
    default_from: I64
    kind: I8
    value: I64
    origin: I64
    seq: I64 | None = None
    entgelt: Bools | None = None


@dataclass(frozen=True)
class CostColumns:
    """One row per cost; ``seq`` (or the row order) is the input order within a case;
    ``kind`` one of :data:`COST_OTHER`, :data:`COST_FLAT_FEE`, :data:`COST_LEGAL` and
    ``claim`` the row (in :class:`ClaimColumns`) of the claim a cost belongs to, or -1."""

    case: I64
    date: I64
    amount: I64
    seq: I64 | None = None
    kind: I8 | None = None
    claim: I64 | None = None


@dataclass(frozen=True)
class PaymentColumns:
    """One row per (not reversed) payment; ``seq`` (or the row order) is the input order
    within a case; ``claim`` the row (in :class:`ClaimColumns`) of the claim the payment
    names, or -1."""

    case: I64
    date: I64
    amount: I64
    seq: I64 | None = None
    claim: I64 | None = None


@dataclass(frozen=True)
class Portfolio:
    """Many cases as columns: amounts in integer cents, dates as :func:`day_number`."""

    cases: CaseColumns
    claims: ClaimColumns
    costs: CostColumns
    payments: PaymentColumns
    rate_scale: int = DEFAULT_RATE_SCALE

    def __len__(self) -> int:
        return len(self.cases.id)

    @staticmethod
    def from_cases(cases: Sequence[ledger.Case], ids: Sequence[int] | None = None) -> Portfolio:
        """Columns of ledger cases (used by tests and small callers; the daily run loads
        columns straight from the database with :mod:`mahnwerk.batch.loader`)."""
        case_ids = list(ids) if ids is not None else list(range(len(cases)))
        claim_rows: list[tuple[int, int, int, int, Decimal, int, bool]] = []
        cost_rows: list[tuple[int, int, int, int, int]] = []
        payment_rows: list[tuple[int, int, int, int]] = []
        for row, case in enumerate(cases):
            first = len(claim_rows)
            by_id = {c.id: first + i for i, c in enumerate(case.claims)}
            for claim in case.claims:
                kind, value = _kind_and_value(claim.interest)
                origin = NO_ORIGIN if claim.origin is None else day_number(claim.origin)
                default = (
                    NO_DEFAULT if claim.default_from is None else day_number(claim.default_from)
                )
                principal = cents(claim.principal)
                claim_rows.append((row, principal, default, kind, value, origin, claim.entgelt))
            cost_rows.extend(
                (
                    row,
                    day_number(c.date),
                    cents(c.amount),
                    cost_kind(c.code),
                    by_id.get(c.claim, -1),
                )
                for c in case.costs
            )
            payment_rows.extend(
                (row, day_number(p.date), cents(p.amount), by_id.get(p.claim, -1))
                for p in case.payments
            )
        scale = rate_scale_for(r[4] for r in claim_rows)
        return Portfolio(
            cases=CaseColumns(
                id=_i64(case_ids),
                consumer=np.array([c.consumer for c in cases], dtype=np.bool_),
                day_count=np.array([DAY_COUNT_CODES[c.day_count] for c in cases], dtype=np.int8),
                allocation=np.array([ALLOCATION_CODES[c.allocation] for c in cases], dtype=np.int8),
            ),
            claims=ClaimColumns(
                case=_i64([r[0] for r in claim_rows]),
                principal=_i64([r[1] for r in claim_rows]),
                default_from=_i64([r[2] for r in claim_rows]),
                kind=np.array([r[3] for r in claim_rows], dtype=np.int8),
                value=_i64([scaled_rate(r[4], scale) for r in claim_rows]),
                origin=_i64([r[5] for r in claim_rows]),
                entgelt=np.array([r[6] for r in claim_rows], dtype=np.bool_),
            ),
            costs=CostColumns(
                case=_i64([r[0] for r in cost_rows]),
                date=_i64([r[1] for r in cost_rows]),
                amount=_i64([r[2] for r in cost_rows]),
                kind=np.array([r[3] for r in cost_rows], dtype=np.int8),
                claim=_i64([r[4] for r in cost_rows]),
            ),
            payments=PaymentColumns(
                case=_i64([r[0] for r in payment_rows]),
                date=_i64([r[1] for r in payment_rows]),
                amount=_i64([r[2] for r in payment_rows]),
                claim=_i64([r[3] for r in payment_rows]),
            ),
            rate_scale=scale,
        )


def cost_kind(code: str) -> int:
    """The :class:`CostColumns` kind of a cost code."""
    if code == FLAT_FEE_CODE:
        return COST_FLAT_FEE
    return COST_LEGAL if code in LEGAL_PURSUIT_CODES else COST_OTHER


def cents(amount: Decimal) -> int:
    """A euro amount as integer cents; fractions of a cent are refused."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(value)


def _kind_and_value(terms: object) -> tuple[int, Decimal]:
    if isinstance(terms, StatutoryInterest):
        return KIND_STATUTORY, Decimal(0)
    if isinstance(terms, BasePlusInterest):
        return KIND_BASE_PLUS, terms.points
    if isinstance(terms, FixedInterest):
        return KIND_FIXED, terms.rate
    if isinstance(terms, NoInterest):
        return KIND_NONE, Decimal(0)
    raise ValueError(f"unknown interest terms {terms!r}")


def rate_scale_for(values: Any) -> int:
    """The smallest power of ten (at least :data:`DEFAULT_RATE_SCALE`) holding every rate
    of ``values`` as an integer."""
    decimals = 4
    for value in values:
        exponent = Decimal(value).normalize().as_tuple().exponent
        if isinstance(exponent, int):
            decimals = max(decimals, -exponent)
    return int(10**decimals)


def scaled_rate(value: Decimal, scale: int) -> int:
    """``value`` percent in ``1/scale`` percent, exactly (else :class:`ValueError`)."""
    units = Decimal(value) * scale
    if units != units.to_integral_value():
        raise ValueError(f"rate {value} is not a multiple of 1/{scale} percent")
    return int(units)


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Balances:
    """Balances per case (rows as in the portfolio's :class:`CaseColumns`) and per claim (rows
    as in its :class:`ClaimColumns`), all in integer cents."""

    case_id: I64
    principal_open: I64
    interest_open: I64
    costs_open: I64
    total_open: I64
    credit: I64
    claim_principal_open: I64
    claim_interest_accrued: I64
    claim_interest_open: I64
    #: Per case: the day number of the first half-year whose unknown base rate the statement
    #: needed (the ledger's ``base_rate_unknown``), :data:`NO_DAY` if none.
    base_rate_unknown: I64

    def __len__(self) -> int:
        return len(self.case_id)

    def totals(self, row: int) -> dict[str, Decimal]:
        """The ledger's ``totals`` of one case, as ``Decimal`` euro."""
        return {
            name: Decimal(int(getattr(self, name)[row])).scaleb(-2)
            for name in ("principal_open", "interest_open", "costs_open", "total_open", "credit")
        }

    @staticmethod
    def concat(parts: Sequence[Balances]) -> Balances:
        """Balances of several partitions as one (rows in the order of ``parts``)."""
        names = Balances.__dataclass_fields__
        return Balances(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


# -------------------------------------------------------------------------- computation


class _Calendar:
    """Per-day lookup tables for the days ``lo - 1`` to ``hi + 1``: half-year index, the
    30/360 position, the length of the year, and the base rate in rate units."""

    def __init__(self, lo: int, hi: int, base_rates: BaseRateTable, rate_scale: int) -> None:
        self.lo = lo - 1
        days = np.arange(self.lo, hi + 2, dtype=np.int64)
        as_dates = days.astype("datetime64[D]")
        months = as_dates.astype("datetime64[M]")
        year = as_dates.astype("datetime64[Y]").astype(np.int64) + 1970
        month = months.astype(np.int64) % 12 + 1
        day = (as_dates - months).astype(np.int64) + 1
        next_month = (as_dates + 1).astype("datetime64[M]").astype(np.int64) % 12 + 1
        last_of_february = (month == 2) & (next_month == 3)
        day30 = np.where(last_of_february, 30, np.minimum(day, 30))
        self.pos30 = 360 * year + 30 * (month - 1) + day30
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        self.year_days = np.where(leap, 366, 365).astype(np.int64)
        half = 2 * year + (month >= 7)
        self.h0 = int(half[0])
        self.half = half - self.h0
        # first day of every half-year from the first one of the table to one after the last
        n_half = int(self.half[-1]) + 2
        hy = np.arange(n_half) + self.h0
        starts = [day_number(date(int(h) // 2, 7 if h % 2 else 1, 1)) for h in hy.tolist()]
        self.half_start = _i64(starts)
        # base rate on each day (and whether one exists, and whether it is known: after the
        # table's last half-year ``base`` holds the last known rate, for ordering only)
        valid_from = _i64([day_number(e.valid_from) for e in base_rates.entries])
        rates = _i64([scaled_rate(e.rate, rate_scale) for e in base_rates.entries])
        index = np.searchsorted(valid_from, days, side="right") - 1
        self.has_base = index >= 0
        self.known = days <= day_number(base_rates.known_until)
        self.base = np.where(self.has_base, rates[np.maximum(index, 0)], 0)
        self.first_base_day = day_of(int(valid_from[0])) if len(valid_from) else None


def _seq(seq: I64 | None, n: int) -> I64:
    return np.arange(n, dtype=np.int64) if seq is None else seq


def _expand(starts: I64, counts: I64) -> tuple[I64, I64, I64]:
    """Flat row indices of the ranges ``[starts[g], starts[g] + counts[g])``, their group
    ``g``, and where each group begins in the flat list."""
    offsets = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    index = np.arange(int(counts.sum()), dtype=np.int64) - offsets[owner] + starts[owner]
    return index, owner, offsets


def _group_sums(values: I64, offsets: I64, counts: I64) -> I64:
    """Sums of consecutive groups (``offsets``/``counts`` as from :func:`_expand`), exact."""
    running = np.concatenate(([0], np.cumsum(values)))
    return _i64(running[offsets + counts] - running[offsets])


def _waterfall(open_: I64, owner: I64, offsets: I64, budget: I64) -> I64:
    """Greedy allocation of ``budget[g]`` over the items of group ``g`` in order, each item
    taking ``min(open, remaining)``: equal to ``clip(budget − cumsum_before, 0, open)``."""
    before = np.cumsum(open_) - open_
    before = before - before[offsets[owner]]
    return np.minimum(np.maximum(budget[owner] - before, 0), open_)


def compute_balances(
    portfolio: Portfolio, as_of: date, base_rates: BaseRateTable | None = None
) -> Balances:
    """Balances of every case of ``portfolio`` as of ``as_of`` (see the module docstring
    for the algorithm and why it equals :func:`mahnwerk.domain.ledger.compute_statement`)."""
    return _Run(portfolio, as_of, base_rates or BaseRateTable.official()).result()


class _Run:
    """Working state of one computation; claims, costs and payments sorted in ledger order
    (by case, then the ledger's order within the case)."""

    def __init__(self, p: Portfolio, as_of: date, base_rates: BaseRateTable) -> None:
        self.p = p
        self.as_of = day_number(as_of)
        self.scale = p.rate_scale
        self.base_rates = base_rates
        n = len(p.cases.id)
        self.n = n
        cases_ = np.arange(n + 1, dtype=np.int64)
        for name, column in (
            ("principal", p.claims.principal),
            ("cost", p.costs.amount),
            ("payment", p.payments.amount),
        ):
            if len(column) and int(column.min()) < 0:
                raise ValueError(f"negative {name} amount")
        for label, codes, known in (
            ("day count", p.cases.day_count, DAY_COUNT_CODES.values()),
            ("allocation", p.cases.allocation, ALLOCATION_CODES.values()),
            ("interest kind", p.claims.kind, INTEREST_KIND_CODES.values()),
        ):
            if not np.isin(codes, list(known)).all():
                raise ValueError(f"unknown {label} code")

        # claims in (case, default_from, input order): the groups of the cases, and the order of
        # § 366 Abs. 2 BGB where rates and default days do not decide (sorted anew per round)
        cl = p.claims
        m = len(cl.case)
        self.claim_order = np.lexsort((_seq(cl.seq, m), cl.default_from, cl.case))
        o = self.claim_order
        claim_case = _i64(cl.case[o])
        self.claim_case = claim_case
        self.claim_ptr = _i64(np.searchsorted(claim_case, cases_))
        self.principal_open = _i64(cl.principal[o]).copy()
        self.accrued = np.zeros(m, dtype=np.int64)
        self.interest_paid = np.zeros(m, dtype=np.int64)
        self.default_from = _i64(cl.default_from[o])
        self.next_start = self.default_from.copy()
        self.position = np.empty(m, dtype=np.int64)
        self.position[o] = np.arange(m, dtype=np.int64)
        kind = cl.kind[o]
        value = _i64(cl.value[o])
        consumer = p.cases.consumer[claim_case]
        entgelt = np.ones(m, dtype=np.bool_) if cl.entgelt is None else cl.entgelt[o]
        old_business = _i64(cl.origin[o]) < day_number(BUSINESS_9_POINTS_FROM)
        statutory = kind == KIND_STATUTORY
        s = self.scale
        self.uses_base = statutory | (kind == KIND_BASE_PLUS)
        self.add = np.select(
            [
                statutory & (consumer | ~entgelt),
                statutory & old_business,
                statutory,
                kind != KIND_NONE,
            ],
            [
                scaled_rate(CONSUMER_POINTS, s),
                scaled_rate(BUSINESS_POINTS_BEFORE_2014, s),
                scaled_rate(BUSINESS_POINTS, s),
                value,
            ],
            0,
        ).astype(np.int64)
        self.bears = kind != KIND_NONE
        self.day_count = p.cases.day_count[claim_case].astype(np.int64)
        self.principal_first = p.cases.allocation[claim_case] == ALLOCATION_CODES["bgb497"]
        self.unknown = np.full(n, NO_DAY, dtype=np.int64)

        # costs dated up to the statement day, in (case, date, input order)
        co = p.costs
        keep = np.nonzero(co.date <= self.as_of)[0]
        seq = _seq(co.seq, len(co.case))[keep]
        order = keep[np.lexsort((seq, co.date[keep], co.case[keep]))]
        self.cost_case = _i64(co.case[order])
        self.cost_date = _i64(co.date[order])
        self.cost_open = _i64(co.amount[order]).copy()
        self.cost_ptr = _i64(np.searchsorted(self.cost_case, cases_))
        if co.kind is not None and (co.kind[order] == COST_FLAT_FEE).any():
            self._credit_flat_fees(
                co.kind[order], co.claim[order] if co.claim is not None else None
            )

        # payments up to the statement day, in (case, date, input order), with their rank
        pa = p.payments
        keep = np.nonzero(pa.date <= self.as_of)[0]
        seq = _seq(pa.seq, len(pa.case))[keep]
        order = keep[np.lexsort((seq, pa.date[keep], pa.case[keep]))]
        self.pay_case = _i64(pa.case[order])
        self.pay_date = _i64(pa.date[order])
        self.pay_amount = _i64(pa.amount[order])
        named = np.full(len(order), -1, dtype=np.int64) if pa.claim is None else pa.claim[order]
        self.pay_claim = np.where(named >= 0, self.position[np.maximum(named, 0)], -1)
        pay_ptr = np.searchsorted(self.pay_case, cases_)
        self.pay_rank = np.arange(len(order), dtype=np.int64) - pay_ptr[self.pay_case]
        self.credit = np.zeros(n, dtype=np.int64)

        bearing = self.bears & (self.principal_open > 0)
        lo = int(self.next_start[bearing].min()) if bearing.any() else self.as_of
        if len(self.pay_date):  # the rates of every payment day order the claims
            lo = min(lo, int(self.pay_date.min()))
        self.cal = _Calendar(min(lo, self.as_of), self.as_of, base_rates, s)

    def _credit_flat_fees(self, kind: I8, claim: I64 | None) -> None:
        """§ 288 Abs. 5 S. 3 BGB, with the ledger's own rule, for the cases with a flat fee."""
        codes = {COST_FLAT_FEE: FLAT_FEE_CODE, COST_LEGAL: "VV 2300", COST_OTHER: ""}
        for case in np.unique(self.cost_case[kind == COST_FLAT_FEE]).tolist():
            lo, hi = int(self.cost_ptr[case]), int(self.cost_ptr[case + 1])
            costs = [
                ledger.Cost(
                    day_of(int(self.cost_date[i])),
                    "",
                    Decimal(int(self.cost_open[i])).scaleb(-2),
                    codes[int(kind[i])],
                    "" if claim is None or claim[i] < 0 else str(int(claim[i])),
                )
                for i in range(lo, hi)
            ]
            for i, credited in enumerate(credit_flat_fees(costs), lo):
                self.cost_open[i] -= cents(credited)

    # ---------------------------------------------------------------------- accrual

    def accrue(self, index: I64, end: I64) -> None:
        """Interest of the claims ``index`` from their next unaccrued day through ``end``
        (inclusive), one ledger period per half-year touched."""
        start = self.next_start[index]
        self.next_start[index] = np.maximum(start, end + 1)
        live = (start <= end) & self.bears[index] & (self.principal_open[index] > 0)
        index, start, end = index[live], start[live], end[live]
        for lo in range(0, len(index), _CHUNK):
            hi = lo + _CHUNK
            self._accrue_block(index[lo:hi], start[lo:hi], end[lo:hi])

    def _accrue_block(self, index: I64, start: I64, end: I64) -> None:
        if not len(index):
            return
        cal = self.cal
        h_start = cal.half[start - cal.lo]
        counts = cal.half[end - cal.lo] - h_start + 1
        offsets = np.cumsum(counts) - counts
        owner = np.repeat(np.arange(len(index), dtype=np.int64), counts)
        h = h_start[owner] + np.arange(len(owner), dtype=np.int64) - offsets[owner]
        first = np.maximum(cal.half_start[h], start[owner])
        last = np.minimum(cal.half_start[h + 1] - 1, end[owner])

        uses_base = self.uses_base[index][owner]
        at = first - cal.lo
        if uses_base.any() and not cal.has_base[at[uses_base]].all():
            raise ValueError(f"no base rate before {cal.first_base_day}")
        rate = self.add[index][owner] + np.where(uses_base, cal.base[at], 0)
        rate = np.maximum(rate, 0)
        unknown = uses_base & ~cal.known[at]
        if unknown.any():  # never charged, and the first such half-year noted per case
            rate = np.where(unknown, 0, rate)
            half = _i64(
                [day_number(half_year_start(day_of(int(d)))) for d in first[unknown].tolist()]
            )
            np.minimum.at(self.unknown, self.claim_case[index][owner][unknown], half)
        dc = self.day_count[index][owner]
        days = np.where(dc == 2, cal.pos30[last - cal.lo] - cal.pos30[at - 1], last - first + 1)
        basis = np.where(dc == 0, 365, np.where(dc == 1, cal.year_days[at], 360))
        principal = self.principal_open[index][owner]
        interest = self._period_interest(principal, rate, days, basis)
        self.accrued[index] += np.add.reduceat(interest, offsets)

    def _period_interest(self, principal: I64, rate: I64, days: I64, basis: I64) -> I64:
        """round_half_up(principal × rate × days / (100 × scale × basis)) in integers."""
        denominator = 100 * self.scale * basis
        bound = int(principal.max()) * int(rate.max()) * 184 + 100 * self.scale * 366
        if bound < _INT64_MAX:
            return _i64((principal * rate * days + denominator // 2) // denominator)
        # some rows might leave int64: an estimate (never used for money) picks them, and
        # they are computed with Python's unbounded integers
        estimate = principal.astype(np.float64) * rate * days
        big = estimate >= 2.0**61
        small = ~big
        result = np.zeros(len(principal), dtype=np.int64)
        result[small] = (
            principal[small] * rate[small] * days[small] + denominator[small] // 2
        ) // denominator[small]
        exact = [
            (int(p) * int(r) * int(d) + int(q) // 2) // int(q)
            for p, r, d, q in zip(
                principal[big].tolist(),
                rate[big].tolist(),
                days[big].tolist(),
                denominator[big].tolist(),
                strict=True,
            )
        ]
        result[big] = np.array(exact, dtype=np.int64)
        return result

    # ---------------------------------------------------------------------- payments

    def apply_round(self, rank: int) -> None:
        """The ``rank``-th payment of every case that has one: accrue through its day, then
        costs (dated by then, oldest first), then claims part by part, rest to credit."""
        sel = np.nonzero(self.pay_rank == rank)[0]
        case, day, amount = self.pay_case[sel], self.pay_date[sel], self.pay_amount[sel]

        c_counts = self.claim_ptr[case + 1] - self.claim_ptr[case]
        claims, c_owner, c_offsets = _expand(self.claim_ptr[case], c_counts)
        self.accrue(claims, day[c_owner])
        claims = self._claims_in_order(claims, c_owner, day, self.pay_claim[sel])

        k_counts = self.cost_ptr[case + 1] - self.cost_ptr[case]
        costs, k_owner, k_offsets = _expand(self.cost_ptr[case], k_counts)
        open_costs = np.where(
            self.cost_date[costs] <= day[k_owner], np.maximum(self.cost_open[costs], 0), 0
        )
        to_costs = _waterfall(open_costs, k_owner, k_offsets, amount)
        self.cost_open[costs] -= to_costs
        remaining = amount - _group_sums(to_costs, k_offsets, k_counts)

        principal = self.principal_open[claims]
        interest = self.accrued[claims] - self.interest_paid[claims]
        principal_first = self.principal_first[claims]
        parts = np.empty(2 * len(claims), dtype=np.int64)
        parts[0::2] = np.where(principal_first, principal, interest)
        parts[1::2] = np.where(principal_first, interest, principal)
        taken = _waterfall(parts, np.repeat(c_owner, 2), 2 * c_offsets, remaining)
        to_principal = np.where(principal_first, taken[0::2], taken[1::2])
        to_interest = np.where(principal_first, taken[1::2], taken[0::2])
        self.principal_open[claims] -= to_principal
        self.interest_paid[claims] += to_interest
        self.credit[case] += remaining - _group_sums(taken, 2 * c_offsets, 2 * c_counts)

    def _claims_in_order(self, claims: I64, owner: I64, day: I64, named: I64) -> I64:
        """The claims of each group in the order a payment on ``day`` serves them: the named
        claim, then § 366 Abs. 2 BGB (in default, higher rate, older, input order)."""
        pay_day = day[owner]
        in_default = self.default_from[claims] <= pay_day
        at = pay_day - self.cal.lo
        uses_base = self.uses_base[claims]
        rate = np.maximum(self.add[claims] + np.where(uses_base, self.cal.base[at], 0), 0)
        # before the first base rate (2002) a base-rate claim counts as 0 %, as in the ledger
        rate = np.where(uses_base & ~self.cal.has_base[at], 0, rate)
        first = claims == named[owner]
        order = np.lexsort((claims, -rate, ~in_default, ~first, owner))
        return _i64(claims[order])

    # ---------------------------------------------------------------------- result

    def result(self) -> Balances:
        rounds = int(self.pay_rank.max()) + 1 if len(self.pay_rank) else 0
        for rank in range(rounds):
            self.apply_round(rank)
        everything = np.arange(len(self.next_start), dtype=np.int64)
        self.accrue(everything, np.full(len(everything), self.as_of, dtype=np.int64))

        n = self.n
        claim_counts = self.claim_ptr[1:] - self.claim_ptr[:-1]
        cost_counts = self.cost_ptr[1:] - self.cost_ptr[:-1]
        interest_open = self.accrued - self.interest_paid
        principal_open = _group_sums(self.principal_open, self.claim_ptr[:-1], claim_counts)
        interest_total = _group_sums(interest_open, self.claim_ptr[:-1], claim_counts)
        costs_open = _group_sums(self.cost_open, self.cost_ptr[:-1], cost_counts)

        m = len(self.claim_order)
        per_claim = {}
        for name, values in (
            ("claim_principal_open", self.principal_open),
            ("claim_interest_accrued", self.accrued),
            ("claim_interest_open", interest_open),
        ):
            back = np.empty(m, dtype=np.int64)
            back[self.claim_order] = values
            per_claim[name] = back
        assert len(principal_open) == n
        return Balances(
            case_id=self.p.cases.id,
            principal_open=principal_open,
            interest_open=interest_total,
            costs_open=costs_open,
            total_open=principal_open + interest_total + costs_open,
            credit=self.credit,
            base_rate_unknown=self.unknown,
            **per_claim,
        )
