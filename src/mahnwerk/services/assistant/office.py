"""The agency's office hours: when a person will answer a conversation the assistant hands
over.

The setting (``MAHNWERK_OFFICE_HOURS``) lists day ranges with a time window, e.g.
``Mo-Fr 08:00-18:00`` or ``Mo-Do 08:00-17:00, Fr 08:00-14:00``. Public holidays (the
``holidays`` package; nationwide, or those of ``MAHNWERK_AGENCY_LAND``) are closed.

>>> hours = parse_office_hours("Mo-Do 08:00-17:00, Fr 08:00-14:00")
>>> hours.windows[4], hours.label
((datetime.time(8, 0), datetime.time(14, 0)), 'Mo–Do 08:00–17:00 Uhr, Fr 08:00–14:00 Uhr')
>>> from datetime import datetime
>>> friday_evening = datetime(2026, 1, 16, 19, 30, tzinfo=BERLIN)
>>> hours.next_answer(friday_evening)
datetime.datetime(2026, 1, 19, 8, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))
>>> expectation(hours, friday_evening)
'am Montag, 19.01.2026, ab 08:00 Uhr'
>>> expectation(hours, datetime(2026, 1, 14, 10, 0, tzinfo=BERLIN))
'heute bis 17:00 Uhr'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_PART = re.compile(
    r"^\s*(mo|di|mi|do|fr|sa|so)\s*(?:[-–]\s*(mo|di|mi|do|fr|sa|so))?\s+"
    r"(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*(?:uhr)?\s*$"
)


class OfficeHoursError(ValueError):
    """The office hours setting cannot be read."""


@dataclass(frozen=True)
class OfficeHours:
    #: per weekday (0 = Monday) the opening window, ``None`` for closed days
    windows: tuple[tuple[time, time] | None, ...]
    label: str
    is_holiday: Callable[[date], bool] = lambda _day: False

    def open_on(self, day: date) -> tuple[time, time] | None:
        if self.is_holiday(day):
            return None
        return self.windows[day.weekday()]

    def next_answer(self, now: datetime) -> datetime:
        """The moment a person is at work: ``now`` if the office is open, else the next
        opening (within 30 days)."""
        local = now.astimezone(BERLIN)
        for offset in range(31):
            day = local.date() + timedelta(days=offset)
            window = self.open_on(day)
            if window is None:
                continue
            start = datetime.combine(day, window[0], BERLIN)
            end = datetime.combine(day, window[1], BERLIN)
            if offset == 0 and local >= end:
                continue
            return max(start, local) if offset == 0 else start
        raise OfficeHoursError("in den nächsten 30 Tagen ist das Büro nie geöffnet")


def parse_office_hours(text: str, is_holiday: Callable[[date], bool] | None = None) -> OfficeHours:
    """Read ``Mo-Fr 08:00-18:00[, Sa 09:00-12:00]`` (see the module docstring)."""
    windows: list[tuple[time, time] | None] = [None] * 7
    labels = []
    for part in text.lower().split(","):
        m = _PART.match(part)
        if not m:
            raise OfficeHoursError(f"Bürozeiten {text!r}: „{part.strip()}“ nicht lesbar")
        first, last = DAYS.index(m.group(1)), DAYS.index(m.group(2) or m.group(1))
        try:
            opens = time(int(m.group(3)), int(m.group(4) or 0))
            closes = time(int(m.group(5)), int(m.group(6) or 0))
        except ValueError as exc:
            raise OfficeHoursError(f"Bürozeiten {text!r}: Uhrzeit ungültig") from exc
        if not opens < closes or last < first:
            raise OfficeHoursError(f"Bürozeiten {text!r}: „{part.strip()}“ leer")
        for d in range(first, last + 1):
            windows[d] = (opens, closes)
        days = DAYS[first].title() + (f"–{DAYS[last].title()}" if last != first else "")
        labels.append(f"{days} {opens:%H:%M}–{closes:%H:%M} Uhr")
    return OfficeHours(tuple(windows), ", ".join(labels), is_holiday or (lambda _day: False))


def holiday_calendar(land: str | None) -> Callable[[date], bool]:
    """Public holidays in Germany (of ``land`` too, if given), from the holidays package."""
    cache: dict[int, set[date]] = {}

    def is_holiday(day: date) -> bool:
        if day.year not in cache:
            import holidays

            cache[day.year] = set(holidays.country_holidays("DE", subdiv=land, years=day.year))
        return day in cache[day.year]

    return is_holiday


def expectation(hours: OfficeHours, now: datetime) -> str:
    """When the debtor can expect a person, in German words ("heute bis 17:00 Uhr", "am
    Montag, 19.01.2026, ab 08:00 Uhr")."""
    moment = hours.next_answer(now)
    local = now.astimezone(BERLIN)
    window = hours.open_on(moment.date())
    assert window is not None
    if moment.date() == local.date() and moment <= local + timedelta(minutes=1):
        return f"heute bis {window[1]:%H:%M} Uhr"
    if moment.date() == local.date():
        return f"heute ab {window[0]:%H:%M} Uhr"
    return f"am {DAY_NAMES[moment.weekday()]}, {moment:%d.%m.%Y}, ab {window[0]:%H:%M} Uhr"
