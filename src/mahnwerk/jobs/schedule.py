"""When the daily run is due: at ``settings.daily_run_at`` local time (Europe/Berlin) on the
working days (Monday to Friday, no public holiday) of the agency's Land.

The time is compared as wall-clock time in Berlin, so daylight saving time needs no special
case: on the day the clocks go forward a run set inside the missing hour starts at 03:00;
on the day they go back the hour that happens twice still gives one run, as the slot is
the date. A worker started later in the day catches up with the day's run at once.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> utc = ZoneInfo("UTC")
>>> daily_slot("06:00", "BY", datetime(2026, 3, 2, 4, 59, tzinfo=utc))  # 05:59 in Berlin
>>> daily_slot("06:00", "BY", datetime(2026, 3, 2, 5, 0, tzinfo=utc))
'2026-03-02'
>>> daily_slot("06:00", "BY", datetime(2026, 7, 1, 4, 0, tzinfo=utc))   # summer: 06:00 CEST
'2026-07-01'
>>> daily_slot("06:00", "BY", datetime(2026, 1, 6, 9, 0, tzinfo=utc))   # Epiphany in Bavaria
>>> daily_slot("06:00", "BE", datetime(2026, 1, 6, 9, 0, tzinfo=utc))   # not in Berlin
'2026-01-06'
>>> daily_slot("06:00", None, datetime(2026, 3, 7, 9, 0, tzinfo=utc))   # a Saturday
>>> daily_slot(None, None, datetime(2026, 3, 2, 9, 0, tzinfo=utc))      # switched off
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


@cache
def _holidays(land: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("DE", subdiv=land, years=year))


def working_day(day: date, land: str | None) -> bool:
    """Monday to Friday and no public holiday in ``land`` (nationwide ones if None)."""
    return day.weekday() < 5 and day not in _holidays(land, day.year)


def daily_slot(at: str | None, land: str | None, now: datetime) -> str | None:
    """The run date (ISO) whose daily run is due at ``now``, or None."""
    if at is None:
        return None
    local = now.astimezone(BERLIN)
    hour, minute = (int(p) for p in at.split(":"))
    if local.time() < time(hour, minute) or not working_day(local.date(), land):
        return None
    return local.date().isoformat()
