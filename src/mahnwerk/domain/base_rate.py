"""Base rate (Basiszinssatz, § 247 BGB), changing on 1 January and 1 July.

>>> table = BaseRateTable.official()
>>> table.rate_on(date(2025, 8, 1))
Decimal('1.27')
>>> table.rate_on(date(2024, 1, 1))
Decimal('3.62')
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from mahnwerk.reference import read_rows


@dataclass(frozen=True)
class BaseRate:
    valid_from: date
    rate: Decimal
    verified: bool
    source: str


@dataclass(frozen=True)
class BaseRateTable:
    """Base rates in force from their ``valid_from`` day until the next entry."""

    entries: tuple[BaseRate, ...]
    starts: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(e.valid_from for e in self.entries))

    @staticmethod
    @cache
    def official() -> BaseRateTable:
        """The table shipped in ``reference/data/basiszinssatz.csv`` (from 2002-01-01).

        The row of 2026-07-01 (1.52 %) is marked UNVERIFIED there and here (``verified=False``).
        """
        entries = tuple(
            BaseRate(
                valid_from=date.fromisoformat(row["valid_from"]),
                rate=Decimal(row["rate_percent"]),
                verified=not row["status"].startswith("UNVERIFIED"),
                source=row["sources"],
            )
            for row in read_rows("basiszinssatz.csv")
        )
        return BaseRateTable(tuple(sorted(entries, key=lambda e: e.valid_from)))

    def entry_on(self, day: date) -> BaseRate:
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0:
            raise ValueError(f"no base rate before {self.entries[0].valid_from.isoformat()}")
        return self.entries[index]

    def rate_on(self, day: date) -> Decimal:
        return self.entry_on(day).rate

    @property
    def first_day(self) -> date:
        return self.entries[0].valid_from
