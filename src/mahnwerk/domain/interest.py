"""Interest terms of a claim (Verzugszinsen § 288 BGB, vertragliche Zinsen).

Kinds, as stored with a claim:

- ``statutory``: base rate + 5 points (§ 288 Abs. 1 BGB); + 9 points only for an
  **Entgeltforderung** (payment for goods or services, claim kind ``entgelt``) against a debtor
  who is not a consumer (§ 288 Abs. 2 BGB); + 8 points for such a claim that arose before
  29 July 2014 (Art. 229 § 34 EGBGB), when its origin is known. A claim of kind ``other``
  (damages, contractual penalty, refund…) gets 5 points against everyone.
- ``base_plus``: base rate + N points (e.g. 2.5 for Immobiliar-Verbraucherdarlehen, § 497 Abs. 4).
- ``fixed``: a fixed contractual rate.
- ``none``: no interest.

A rate below zero (possible with a negative base rate and few points) is taken as zero:
interest never runs in the debtor's favour. Interest is never compounded (§ 289 BGB).

>>> from mahnwerk.domain.base_rate import BaseRateTable, UnknownBaseRate
>>> rates = BaseRateTable.official()
>>> StatutoryInterest().rate_on(date(2025, 8, 1), consumer=True, base_rates=rates)
Decimal('6.27')
>>> StatutoryInterest().rate_on(date(2025, 8, 1), consumer=False, base_rates=rates)
Decimal('10.27')
>>> StatutoryInterest().rate_on(date(2025, 8, 1), consumer=False, base_rates=rates,
...     entgelt=False)
Decimal('6.27')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from mahnwerk.domain.base_rate import BaseRateTable, UnknownBaseRate

ZERO_RATE = Decimal("0")
CONSUMER_POINTS = Decimal("5")
BUSINESS_POINTS = Decimal("9")
BUSINESS_POINTS_BEFORE_2014 = Decimal("8")
BUSINESS_9_POINTS_FROM = date(2014, 7, 29)

#: Claim kinds (§ 288 Abs. 2 BGB): payment for goods or services, or anything else.
ENTGELT = "entgelt"
OTHER = "other"
CLAIM_KINDS = (ENTGELT, OTHER)


class InterestTerms(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def uses_base_rate(self) -> bool: ...

    def rate_on(
        self,
        day: date,
        *,
        consumer: bool,
        base_rates: BaseRateTable,
        origin: date | None = None,
        entgelt: bool = True,
    ) -> Decimal: ...

    def describe(self) -> str: ...


def statutory_points(
    *, consumer: bool, origin: date | None = None, entgelt: bool = True
) -> Decimal:
    """Points above the base rate of the statutory default interest (§ 288 Abs. 1, 2 BGB).

    >>> statutory_points(consumer=False), statutory_points(consumer=False, entgelt=False)
    (Decimal('9'), Decimal('5'))
    >>> statutory_points(consumer=False, origin=date(2014, 7, 28))
    Decimal('8')
    """
    if consumer or not entgelt:
        return CONSUMER_POINTS
    if origin is not None and origin < BUSINESS_9_POINTS_FROM:
        return BUSINESS_POINTS_BEFORE_2014
    return BUSINESS_POINTS


@dataclass(frozen=True)
class StatutoryInterest:
    kind: str = "statutory"
    uses_base_rate: bool = True

    def rate_on(
        self,
        day: date,
        *,
        consumer: bool,
        base_rates: BaseRateTable,
        origin: date | None = None,
        entgelt: bool = True,
    ) -> Decimal:
        points = self.points(consumer=consumer, origin=origin, entgelt=entgelt)
        return max(ZERO_RATE, base_rates.rate_on(day) + points)

    @staticmethod
    def points(*, consumer: bool, origin: date | None = None, entgelt: bool = True) -> Decimal:
        return statutory_points(consumer=consumer, origin=origin, entgelt=entgelt)

    def describe(self) -> str:
        return "gesetzliche Verzugszinsen (§ 288 BGB)"


@dataclass(frozen=True)
class BasePlusInterest:
    points: Decimal
    kind: str = "base_plus"
    uses_base_rate: bool = True

    def rate_on(
        self,
        day: date,
        *,
        consumer: bool,
        base_rates: BaseRateTable,
        origin: date | None = None,
        entgelt: bool = True,
    ) -> Decimal:
        return max(ZERO_RATE, base_rates.rate_on(day) + self.points)

    def describe(self) -> str:
        return f"{self.points.normalize():f} Prozentpunkte über dem Basiszinssatz"


@dataclass(frozen=True)
class FixedInterest:
    rate: Decimal
    kind: str = "fixed"
    uses_base_rate: bool = False

    def rate_on(
        self,
        day: date,
        *,
        consumer: bool,
        base_rates: BaseRateTable,
        origin: date | None = None,
        entgelt: bool = True,
    ) -> Decimal:
        return max(ZERO_RATE, self.rate)

    def describe(self) -> str:
        return f"fester Zinssatz {self.rate.normalize():f} %"


@dataclass(frozen=True)
class NoInterest:
    kind: str = "none"
    uses_base_rate: bool = False

    def rate_on(
        self,
        day: date,
        *,
        consumer: bool,
        base_rates: BaseRateTable,
        origin: date | None = None,
        entgelt: bool = True,
    ) -> Decimal:
        return ZERO_RATE

    def describe(self) -> str:
        return "keine Zinsen"


INTEREST_KINDS = ("statutory", "base_plus", "fixed", "none")


def compare_with_statutory(
    terms: InterestTerms,
    day: date,
    *,
    consumer: bool,
    base_rates: BaseRateTable,
    origin: date | None = None,
    entgelt: bool = True,
) -> tuple[Decimal, Decimal]:
    """The claim's rate on ``day`` and the statutory default rate for this debtor and claim
    kind (§ 288 Abs. 1/2 BGB), both floored at zero. A base rate the table does not know
    counts as the last known one here: the question is whether the contract's rate lies above
    the statute, not an amount.

    >>> rates = BaseRateTable.official()
    >>> compare_with_statutory(FixedInterest(Decimal("9.5")), date(2026, 3, 1), consumer=True,
    ...     base_rates=rates)
    (Decimal('9.5'), Decimal('6.27'))
    """
    base = base_rates.provisional_rate_on(day)
    statutory = max(
        ZERO_RATE, base + statutory_points(consumer=consumer, origin=origin, entgelt=entgelt)
    )
    if isinstance(terms, BasePlusInterest):
        own = max(ZERO_RATE, base + terms.points)
    elif isinstance(terms, FixedInterest):
        own = max(ZERO_RATE, terms.rate)
    elif isinstance(terms, StatutoryInterest):
        own = statutory
    else:
        own = ZERO_RATE
    return own, statutory


def above_statutory(
    terms: InterestTerms,
    day: date,
    *,
    consumer: bool,
    base_rates: BaseRateTable,
    origin: date | None = None,
    entgelt: bool = True,
) -> bool:
    """Whether the claim's rate on ``day`` is above the statutory default rate for it
    (§ 13a Abs. 1 Nr. 4 RDG: the first contact must say so, and why).

    >>> rates = BaseRateTable.official()
    >>> above_statutory(FixedInterest(Decimal("9.5")), date(2026, 3, 1), consumer=True,
    ...     base_rates=rates)
    True
    >>> above_statutory(FixedInterest(Decimal("9.5")), date(2026, 3, 1), consumer=False,
    ...     base_rates=rates)
    False
    """
    own, statutory = compare_with_statutory(
        terms, day, consumer=consumer, base_rates=base_rates, origin=origin, entgelt=entgelt
    )
    return own > statutory


def rate_for_order(
    terms: InterestTerms,
    day: date,
    *,
    consumer: bool,
    base_rates: BaseRateTable,
    origin: date | None = None,
    entgelt: bool = True,
) -> Decimal:
    """The rate that decides which claim burdens the debtor more (§ 366 Abs. 2 BGB). A base
    rate the table does not know counts as the last known one: this orders claims and is
    never charged."""
    try:
        return terms.rate_on(
            day, consumer=consumer, base_rates=base_rates, origin=origin, entgelt=entgelt
        )
    except UnknownBaseRate:
        base = base_rates.provisional_rate_on(day)
    except ValueError:  # before the first base rate (2002): nothing to compare
        return ZERO_RATE
    if isinstance(terms, StatutoryInterest):
        points = statutory_points(consumer=consumer, origin=origin, entgelt=entgelt)
    elif isinstance(terms, BasePlusInterest):
        points = terms.points
    else:  # pragma: no cover - only base-rate terms raise UnknownBaseRate
        return ZERO_RATE
    return max(ZERO_RATE, base + points)
