"""Garnishment of earned income: Pfändungsfreigrenzen, § 850c ZPO.

German terms: *pfändbarer Betrag* (garnishable amount), *Pfändungsfreibetrag* (exempt amount),
*Unterhaltspflichten* (dependants), *Pfändungstabelle* (§ 850c Abs. 5 S. 3 ZPO).

The amounts change every 1 July (§ 850c Abs. 4 ZPO, Pfändungsfreigrenzenbekanntmachung); they
are read from ``pfaendung_params.csv`` in :mod:`mahnwerk.reference` with their source. The rule
(§ 850c Abs. 3 and 5 ZPO), reproducing every cell of the official tables:

1. Income above the cap (Abs. 3 S. 3) is fully garnishable; the rest is treated as the cap.
2. The remaining income is rounded **down** to the step (10 EUR monthly, 2.50 EUR weekly,
   0.50 EUR daily; Abs. 5 S. 1).
3. Of the excess over the exempt amount (base + 1st dependant + 2nd..5th dependant each)
   70 / 50 / 40 / 30 / 20 / 10 % are garnishable for 0 / 1 / 2 / 3 / 4 / 5+ dependants,
   rounded half-up to the cent. Dependants count only up to five (Abs. 2).

Out of scope: Unterhalt claims (§ 850d), tort claims (§ 850f Abs. 2), partial disregard of a
dependant (§ 850c Abs. 6) - they need individual, court-set amounts.

>>> garnishable(Decimal("6000.00"), 0, date(2025, 7, 15)).garnishable
Decimal('3476.51')
>>> garnishable(Decimal("1565.00"), 0, date(2025, 7, 15)).garnishable
Decimal('3.50')
>>> garnishable(Decimal("4766.99"), 1, date(2025, 7, 15)).garnishable
Decimal('1309.89')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from mahnwerk.domain.money import ZERO, round_cents
from mahnwerk.reference import merged_rows, version

__all__ = [
    "MAX_DEPENDANTS",
    "PERIODS",
    "SHARES",
    "GarnishmentParameters",
    "GarnishmentResult",
    "all_parameters",
    "garnishable",
    "parameters_for",
]

PERIODS = ("monthly", "weekly", "daily")

#: Dependants count for at most five persons (§ 850c Abs. 2 S. 2 ZPO: "zweite bis fünfte Person").
MAX_DEPENDANTS = 5

#: Garnishable share of the excess by number of dependants (§ 850c Abs. 3 S. 1 ZPO: 3/10
#: unpfändbar, + 2/10 for the first and + 1/10 for each of the 2nd..5th person).
SHARES: dict[int, Decimal] = {
    0: Decimal("0.7"),
    1: Decimal("0.5"),
    2: Decimal("0.4"),
    3: Decimal("0.3"),
    4: Decimal("0.2"),
    5: Decimal("0.1"),
}


@dataclass(frozen=True)
class GarnishmentParameters:
    """One set of § 850c amounts for one payment period, valid from ``valid_from``."""

    valid_from: date
    period: str
    base: Decimal
    first_dependant: Decimal
    further_dependant: Decimal
    cap: Decimal
    step: Decimal
    pkonto_base: Decimal | None
    source: str

    def exempt_threshold(self, dependants: int) -> Decimal:
        """Pfändungsfreibetrag for ``dependants`` (capped at five), § 850c Abs. 1 and 2 ZPO.

        >>> parameters_for(date(2025, 7, 1), "monthly").exempt_threshold(2)
        Decimal('2466.27')
        """
        n = min(dependants, MAX_DEPENDANTS)
        amount = self.base
        if n >= 1:
            amount += self.first_dependant
        if n >= 2:
            amount += (n - 1) * self.further_dependant
        return amount


@dataclass(frozen=True)
class GarnishmentResult:
    """Result of :func:`garnishable`.

    ``garnishable`` (pfändbar) + ``exempt`` (pfändungsfrei) = ``income``.
    ``above_cap`` is the part over the cap (fully garnishable, already in ``garnishable``);
    ``table_income`` is the income used for the table share (capped and rounded down).
    """

    income: Decimal
    dependants: int
    dependants_counted: int
    period: str
    garnishable: Decimal
    exempt: Decimal
    exempt_threshold: Decimal
    share: Decimal
    table_income: Decimal
    above_cap: Decimal
    parameters: GarnishmentParameters

    @property
    def valid_from(self) -> date:
        """First day of the parameter set used."""
        return self.parameters.valid_from

    @property
    def source(self) -> str:
        """Legal source of the parameter set used."""
        return self.parameters.source


def all_parameters() -> tuple[GarnishmentParameters, ...]:
    """Every parameter set: the shipped file merged with the values operators added
    (``mahnwerk reference garnishment add``, see :mod:`mahnwerk.reference`)."""
    return _all_parameters(version())


@lru_cache(maxsize=8)
def _all_parameters(version: int) -> tuple[GarnishmentParameters, ...]:
    params = []
    for row in merged_rows("pfaendung_params.csv"):
        pkonto = row.get("pkonto_base", "").strip()
        params.append(
            GarnishmentParameters(
                valid_from=date.fromisoformat(row["valid_from"]),
                period=row["period"],
                base=Decimal(row["base"]),
                first_dependant=Decimal(row["first_dependant"]),
                further_dependant=Decimal(row["further_dependant"]),
                cap=Decimal(row["cap"]),
                step=Decimal(row["step"]),
                pkonto_base=Decimal(pkonto) if pkonto else None,
                source=row["source"],
            )
        )
    return tuple(sorted(params, key=lambda p: (p.period, p.valid_from)))


def parameters_for(on: date, period: str = "monthly") -> GarnishmentParameters:
    """The parameter set in force on ``on`` for ``period`` (latest ``valid_from`` <= ``on``).

    >>> parameters_for(date(2025, 6, 30)).base, parameters_for(date(2025, 7, 1)).base
    (Decimal('1491.75'), Decimal('1555.00'))
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")
    found: GarnishmentParameters | None = None
    for params in all_parameters():
        if params.period == period and params.valid_from <= on:
            found = params
    if found is None:
        raise ValueError(
            f"garnishment limits before 2024-07-01 are not covered (date {on.isoformat()})"
        )
    return found


def garnishable(
    income: Decimal, dependants: int, on: date, period: str = "monthly"
) -> GarnishmentResult:
    """Pfändbarer Betrag of net earned income under § 850c ZPO (table rule).

    ``income`` is the net income of the payment period (§ 850e ZPO), ``dependants`` the number
    of persons the debtor pays maintenance to, ``on`` the payment date (selects the parameter
    set), ``period`` one of ``monthly``, ``weekly``, ``daily``.

    >>> r = garnishable(Decimal("2000.00"), 0, date(2025, 7, 1))
    >>> r.garnishable, r.exempt
    (Decimal('311.50'), Decimal('1688.50'))
    >>> garnishable(Decimal("2000.00"), 7, date(2025, 7, 1)).dependants_counted
    5
    """
    if not isinstance(income, Decimal):
        raise TypeError(f"income must be a Decimal, got {type(income).__name__}")
    if not income.is_finite() or income < 0:
        raise ValueError(f"income must not be negative: {income}")
    if isinstance(dependants, bool) or not isinstance(dependants, int) or dependants < 0:
        raise ValueError(f"dependants must be a non-negative whole number: {dependants!r}")
    params = parameters_for(on, period)
    n = min(dependants, MAX_DEPENDANTS)
    if income > params.cap:
        above_cap = income - params.cap
        capped = params.cap
    else:
        above_cap = ZERO
        capped = income
    table_income = (capped / params.step).to_integral_value(rounding=ROUND_FLOOR) * params.step
    threshold = params.exempt_threshold(n)
    share = SHARES[n]
    table_part = max(ZERO, round_cents((table_income - threshold) * share))
    amount = round_cents(table_part + above_cap)
    return GarnishmentResult(
        income=income,
        dependants=dependants,
        dependants_counted=n,
        period=period,
        garnishable=amount,
        exempt=round_cents(income - amount),
        exempt_threshold=threshold,
        share=share,
        table_income=table_income,
        above_cap=above_cap,
        parameters=params,
    )
