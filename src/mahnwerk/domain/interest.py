"""Interest terms of a claim (Verzugszinsen § 288 BGB, vertragliche Zinsen).

Kinds, as stored with a claim:

- ``statutory``: base rate + 5 points with a consumer debtor (§ 288 Abs. 1 BGB), + 9 points
  otherwise (§ 288 Abs. 2 BGB, Entgeltforderung without a consumer); + 8 points for a
  business claim that arose before 29 July 2014 (Art. 229 § 34 EGBGB), when its origin is known.
- ``base_plus``: base rate + N points (e.g. 2.5 for Immobiliar-Verbraucherdarlehen, § 497 Abs. 4).
- ``fixed``: a fixed contractual rate.
- ``none``: no interest.

A rate below zero (possible with a negative base rate and few points) is taken as zero:
interest never runs in the debtor's favour. Interest is never compounded (§ 289 BGB).

>>> from mahnwerk.domain.base_rate import BaseRateTable
>>> rates = BaseRateTable.official()
>>> StatutoryInterest().rate_on(date(2025, 8, 1), consumer=True, base_rates=rates)
Decimal('6.27')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from mahnwerk.domain.base_rate import BaseRateTable

ZERO_RATE = Decimal("0")
CONSUMER_POINTS = Decimal("5")
BUSINESS_POINTS = Decimal("9")
BUSINESS_POINTS_BEFORE_2014 = Decimal("8")
BUSINESS_9_POINTS_FROM = date(2014, 7, 29)


class InterestTerms(Protocol):
    @property
    def kind(self) -> str: ...

    def rate_on(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable, origin: date | None = None
    ) -> Decimal: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class StatutoryInterest:
    kind: str = "statutory"

    def rate_on(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable, origin: date | None = None
    ) -> Decimal:
        points = self.points(consumer=consumer, origin=origin)
        return max(ZERO_RATE, base_rates.rate_on(day) + points)

    @staticmethod
    def points(*, consumer: bool, origin: date | None = None) -> Decimal:
        if consumer:
            return CONSUMER_POINTS
        if origin is not None and origin < BUSINESS_9_POINTS_FROM:
            return BUSINESS_POINTS_BEFORE_2014
        return BUSINESS_POINTS

    def describe(self) -> str:
        return "gesetzliche Verzugszinsen (§ 288 BGB)"


@dataclass(frozen=True)
class BasePlusInterest:
    points: Decimal
    kind: str = "base_plus"

    def rate_on(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable, origin: date | None = None
    ) -> Decimal:
        return max(ZERO_RATE, base_rates.rate_on(day) + self.points)

    def describe(self) -> str:
        return f"{self.points.normalize():f} Prozentpunkte über dem Basiszinssatz"


@dataclass(frozen=True)
class FixedInterest:
    rate: Decimal
    kind: str = "fixed"

    def rate_on(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable, origin: date | None = None
    ) -> Decimal:
        return max(ZERO_RATE, self.rate)

    def describe(self) -> str:
        return f"fester Zinssatz {self.rate.normalize():f} %"


@dataclass(frozen=True)
class NoInterest:
    kind: str = "none"

    def rate_on(
        self, day: date, *, consumer: bool, base_rates: BaseRateTable, origin: date | None = None
    ) -> Decimal:
        return ZERO_RATE

    def describe(self) -> str:
        return "keine Zinsen"


INTEREST_KINDS = ("statutory", "base_plus", "fixed", "none")
