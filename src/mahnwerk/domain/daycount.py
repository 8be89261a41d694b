"""Day counts (Zinsmethoden), registered under the stable names stored with a case.

A day count answers two questions for an interest period from ``start`` to ``end`` (both
inclusive, never crossing 1 January): how many days it has, and the year basis to divide by.

- ``act/365`` (default): actual days, basis 365.
- ``act/act``: actual days, basis 365 or 366 (the days of that calendar year).
- ``30/360``: as the central Mahngerichte compute it ("Banktage": every month has 30 days,
  the year 360; start and end day are both counted). A day's position is
  ``360*year + 30*(month-1) + min(day, 30)``, with the last day of February counted as the
  30th; a period has ``pos(end) - pos(start - 1 day)`` days, so 1 to 30 of a month is 30 days,
  a full half-year 180, the 31st adds nothing, and periods cut anywhere add up exactly.

>>> DAY_COUNTS["act/365"].days(date(2025, 2, 15), date(2025, 6, 30))
136
>>> DAY_COUNTS["30/360"].days(date(2025, 2, 15), date(2026, 3, 31))
406
>>> DAY_COUNTS["act/act"].basis(date(2024, 3, 1))
366
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol


class DayCount(Protocol):
    @property
    def name(self) -> str: ...

    def days(self, start: date, end: date) -> int: ...

    def basis(self, start: date) -> int: ...


@dataclass(frozen=True)
class Actual365:
    name: str = "act/365"

    def days(self, start: date, end: date) -> int:
        return (end - start).days + 1

    def basis(self, start: date) -> int:
        return 365


@dataclass(frozen=True)
class ActualActual:
    name: str = "act/act"

    def days(self, start: date, end: date) -> int:
        return (end - start).days + 1

    def basis(self, start: date) -> int:
        return 366 if calendar.isleap(start.year) else 365


def _position_30_360(day: date) -> int:
    last_of_february = day.month == 2 and day.day == calendar.monthrange(day.year, 2)[1]
    day_of_month = 30 if last_of_february else min(day.day, 30)
    return 360 * day.year + 30 * (day.month - 1) + day_of_month


@dataclass(frozen=True)
class Thirty360Mahngericht:
    name: str = "30/360"

    def days(self, start: date, end: date) -> int:
        return _position_30_360(end) - _position_30_360(start - timedelta(days=1))

    def basis(self, start: date) -> int:
        return 360


DAY_COUNTS: dict[str, DayCount] = {
    dc.name: dc for dc in (Actual365(), ActualActual(), Thirty360Mahngericht())
}
DEFAULT_DAY_COUNT = "act/365"
