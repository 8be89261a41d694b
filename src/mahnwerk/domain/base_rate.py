"""Base rate (Basiszinssatz, § 247 BGB), changing on 1 January and 1 July.

The table knows the half-years from its first row through the half-year of its last row.
A rate for a later half-year is **not** invented: :meth:`BaseRateTable.rate_on` raises
:class:`UnknownBaseRate` for it, and the ledger leaves such a period uncharged with a warning
(see :mod:`mahnwerk.domain.ledger`) until an operator adds the rate
(``mahnwerk reference base-rate add``; the store hands such rows to the reference loader,
which merges them into :meth:`BaseRateTable.official`).

>>> table = BaseRateTable.official()
>>> table.rate_on(date(2025, 8, 1))
Decimal('1.27')
>>> table.rate_on(date(2024, 1, 1))
Decimal('3.62')
>>> table.status_on(date(2026, 8, 1)), table.status_on(date(2027, 1, 1))
('unverified', 'unknown')
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from mahnwerk.reference import is_unverified, merged_rows, version

#: How to add a missing rate (shown wherever a statement needs one).
ADD_COMMAND = "mahnwerk reference base-rate add {day} <Satz> --source <URL>"


class UnknownBaseRate(ValueError):
    """The base rate of a half-year the table does not know (never carried forward)."""

    def __init__(self, half_year: date) -> None:
        super().__init__(
            f"Basiszinssatz für das Halbjahr ab {half_year.strftime('%d.%m.%Y')} unbekannt: "
            f"nachtragen mit `{ADD_COMMAND.format(day=half_year.isoformat())}`"
        )
        self.half_year = half_year


def half_year_start(day: date) -> date:
    """1 January or 1 July on or before ``day``."""
    return date(day.year, 1 if day.month < 7 else 7, 1)


def next_half_year(day: date) -> date:
    """The first 1 January or 1 July after ``day``."""
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


@dataclass(frozen=True)
class BaseRate:
    valid_from: date
    rate: Decimal
    verified: bool
    source: str
    #: Who added the row (operators' rows; empty for the shipped file).
    added_by: str = ""


@dataclass(frozen=True)
class BaseRateTable:
    """Base rates in force from their ``valid_from`` day until the next entry; known through
    the end of the half-year of the last entry."""

    entries: tuple[BaseRate, ...]
    starts: tuple[date, ...] = field(init=False, repr=False, compare=False)
    #: the last day of the half-year of the last entry (computed once: asked for per period)
    known_until: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(e.valid_from for e in self.entries))
        if self.entries:
            last = next_half_year(self.entries[-1].valid_from) - timedelta(days=1)
            object.__setattr__(self, "known_until", last)

    @staticmethod
    def official() -> BaseRateTable:
        """The table shipped in ``reference/data/basiszinssatz.csv`` (from 2002-01-01), merged
        with the rows operators added (see :mod:`mahnwerk.reference`).

        The row of 2026-07-01 (1.52 %) is marked UNVERIFIED there and here (``verified=False``)
        until an operator confirms it with a source.
        """
        return _official(version())

    def entry_on(self, day: date) -> BaseRate:
        """The entry in force on ``day``; :class:`UnknownBaseRate` after the known half-years."""
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0:
            raise ValueError(f"no base rate before {self.entries[0].valid_from.isoformat()}")
        if day > self.known_until:
            raise UnknownBaseRate(half_year_start(day))
        return self.entries[index]

    def rate_on(self, day: date) -> Decimal:
        return self.entry_on(day).rate

    def status_on(self, day: date) -> str:
        """``verified``, ``unverified`` or ``unknown`` (a half-year the table does not know)."""
        if day > self.known_until:
            return "unknown"
        return "verified" if self.entry_on(day).verified else "unverified"

    def provisional_rate_on(self, day: date) -> Decimal:
        """The rate on ``day``, or the last known one for a later day. Only for ordering claims
        by burden (§ 366 Abs. 2 BGB), never for money."""
        if day > self.known_until:
            return self.entries[-1].rate
        return self.rate_on(day)

    @property
    def first_day(self) -> date:
        return self.entries[0].valid_from


@lru_cache(maxsize=8)
def _official(version: int) -> BaseRateTable:
    entries = tuple(
        BaseRate(
            valid_from=date.fromisoformat(row["valid_from"]),
            rate=Decimal(row["rate_percent"]),
            verified=not is_unverified(row),
            source=row["sources"],
            added_by=row.get("added_by", ""),
        )
        for row in merged_rows("basiszinssatz.csv")
    )
    return BaseRateTable(tuple(sorted(entries, key=lambda e: e.valid_from)))
