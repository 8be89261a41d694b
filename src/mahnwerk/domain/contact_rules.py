"""When a debtor may be contacted: quiet hours, Sundays and holidays, a weekly cap and the
debtor's stated preferences.

German law sets no fixed call-time window (see legal-facts § 8.4: § 4a UWG, UWG Anhang
Nr. 26 and § 28 KrZwMG forbid harassment; the BDIU Code of Conduct's call-time rules are
UNVERIFIED). The defaults here are the industry practice noted there, made a policy:

- no SMS and no calls before 08:00 or from 20:00 local time (Europe/Berlin), on Sundays or
  on public holidays of the debtor's Land (the caller says which days are holidays, so this
  module needs no calendar library);
- at most ``weekly_cap`` contacts (letters, e-mails, SMS, calls) in any 7 × 24 hours;
- a debtor's stated preferences: if a debtor named channels, e-mail, SMS and calls are used
  only on those channels and only within the stated hours. Letters are always possible: a
  request to be contacted in writing is honoured by writing.

:func:`check_contact` answers whether a contact may happen at a moment and, if not, why
(German) and the next moment it may. :func:`land_for_postcode` approximates the Land of a
German postcode for the holiday calendar.

>>> from datetime import datetime, UTC
>>> r = check_contact(ContactKind.SMS, datetime(2026, 3, 8, 12, 0, tzinfo=UTC))  # a Sunday
>>> r.allowed, r.reason, r.next_allowed.isoformat()
(False, 'sonntags keine SMS oder Anrufe', '2026-03-09T08:00:00+01:00')
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class ContactKind(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    CALL = "call"


#: Kinds bound to quiet hours, Sundays and holidays.
QUIET_HOUR_KINDS = frozenset({ContactKind.SMS, ContactKind.CALL})


@dataclass(frozen=True)
class ContactPolicy:
    earliest_hour: int = 8
    latest_hour: int = 20  # contacts must start before this hour
    weekly_cap: int = 3
    zone: str = "Europe/Berlin"

    def __post_init__(self) -> None:
        if not 0 <= self.earliest_hour < self.latest_hour <= 24:
            raise ValueError("earliest_hour must be before latest_hour, both within 0..24")
        if self.weekly_cap < 1:
            raise ValueError("weekly_cap must be at least 1")


@dataclass(frozen=True)
class Preference:
    """A channel the debtor asked to be contacted on, with the hours they want."""

    kind: ContactKind
    earliest_hour: int = 0
    latest_hour: int = 24


@dataclass(frozen=True)
class ContactCheck:
    allowed: bool
    reason: str = ""
    next_allowed: datetime | None = None


def _never_holiday(_day: date) -> bool:
    return False


@dataclass(frozen=True)
class _Window:
    start: int
    end: int
    quiet_days: bool


def _window(
    kind: ContactKind, policy: ContactPolicy, preferences: Sequence[Preference]
) -> tuple[_Window | None, str]:
    """The daily window for ``kind`` or ``None`` with the reason it is never allowed."""
    start, end = 0, 24
    quiet = kind in QUIET_HOUR_KINDS
    if quiet:
        start, end = policy.earliest_hour, policy.latest_hour
    if kind is not ContactKind.LETTER and preferences:
        chosen = [p for p in preferences if p.kind is kind]
        if not chosen:
            wanted = ", ".join(sorted({str(p.kind) for p in preferences}))
            return None, f"der Schuldner wünscht Kontakt nur über: {wanted}"
        start = max(start, min(p.earliest_hour for p in chosen))
        end = min(end, max(p.latest_hour for p in chosen))
        if start >= end:
            return None, "die gewünschten Uhrzeiten liegen außerhalb der erlaubten Zeiten"
    return _Window(start, end, quiet), ""


def possible_within(
    kind: ContactKind,
    hours: tuple[int, int] | None = None,
    *,
    policy: ContactPolicy | None = None,
    preferences: Sequence[Preference] = (),
) -> bool:
    """Whether the quiet hours and the debtor's stated preferences leave any time of a day
    for a contact of ``kind`` within the local ``hours`` (start, end; ``None``: the whole
    day) – for a choice made before the moment is known, such as a call window.

    >>> prefs = [Preference(ContactKind.CALL, 18, 20)]
    >>> possible_within(ContactKind.CALL, (8, 12), preferences=prefs)
    False
    >>> possible_within(ContactKind.CALL, (17, 20), preferences=prefs)
    True
    >>> possible_within(ContactKind.EMAIL, preferences=prefs)
    False
    >>> possible_within(ContactKind.LETTER, preferences=prefs)
    True
    >>> possible_within(ContactKind.CALL, (6, 8))  # before 08:00: quiet hours
    False
    """
    window, _ = _window(kind, policy or ContactPolicy(), preferences)
    if window is None:
        return False
    start, end = hours or (0, 24)
    return max(start, window.start) < min(end, window.end)


def check_contact(
    kind: ContactKind,
    at: datetime,
    *,
    is_holiday: Callable[[date], bool] = _never_holiday,
    recent_contacts: Collection[datetime] = (),
    policy: ContactPolicy | None = None,
    preferences: Sequence[Preference] = (),
) -> ContactCheck:
    """May the debtor be contacted by ``kind`` at ``at`` (timezone-aware)?

    ``recent_contacts`` are the moments of earlier contacts of any kind (only the last seven
    days matter); ``is_holiday`` tells whether a local date is a public holiday in the
    debtor's Land. If not allowed, ``next_allowed`` is the first moment that is (within 60
    days), or ``None`` if the preferences never allow this kind.
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    policy = policy or ContactPolicy()
    zone = ZoneInfo(policy.zone)
    window, never = _window(kind, policy, preferences)
    if window is None:
        return ContactCheck(False, never, None)
    contacts = sorted(c for c in recent_contacts if c <= at)
    first_reason = ""
    moment = at.astimezone(zone)
    for _ in range(200):
        reason, later = _blocked(moment, window, contacts, policy, is_holiday, zone)
        if not reason:
            if moment == at.astimezone(zone):
                return ContactCheck(True)
            return ContactCheck(False, first_reason, moment)
        first_reason = first_reason or reason
        assert later is not None and later > moment
        moment = later
        if moment - at > timedelta(days=60):
            break
    return ContactCheck(False, first_reason, None)


def _blocked(
    moment: datetime,
    window: _Window,
    contacts: Sequence[datetime],
    policy: ContactPolicy,
    is_holiday: Callable[[date], bool],
    zone: ZoneInfo,
) -> tuple[str, datetime | None]:
    """Why ``moment`` is not allowed and the next candidate, or ``("", None)``."""
    day = moment.date()

    def day_start(d: date) -> datetime:
        return datetime.combine(d, time(window.start), zone)

    if window.quiet_days and day.weekday() == 6:
        return "sonntags keine SMS oder Anrufe", day_start(day + timedelta(days=1))
    if window.quiet_days and is_holiday(day):
        return "an Feiertagen keine SMS oder Anrufe", day_start(day + timedelta(days=1))
    if moment.hour < window.start:
        return f"vor {window.start:02d}:00 Uhr nicht erlaubt", day_start(day)
    if moment.hour >= window.end:
        return f"ab {window.end:02d}:00 Uhr nicht erlaubt", day_start(day + timedelta(days=1))
    week_ago = moment - timedelta(days=7)
    in_week = [c for c in contacts if week_ago < c <= moment]
    if len(in_week) >= policy.weekly_cap:
        # allowed again when enough of the contacts in the window have dropped out of it
        release = in_week[len(in_week) - policy.weekly_cap] + timedelta(days=7, seconds=1)
        return (
            f"höchstens {policy.weekly_cap} Kontakte in 7 Tagen (schon {len(in_week)})",
            release.astimezone(zone),
        )
    return "", None


# ----------------------------------------------------------------------- postcode → Land

#: APPROXIMATION: the Land of most addresses in each two-digit postcode region (Leitregion).
#: Postcode regions do not follow Land borders; near a border the result can be wrong (e.g.
#: 27xxx Bremerhaven is HB, 63[7-9]xx Aschaffenburg is BY, 89[2-3]xx Neu-Ulm is BY, 36[4]xx
#: is TH). It only chooses the holiday calendar for the quiet-day rule; store the Land
#: explicitly once addresses carry it. The regional public holidays of neighbouring Länder
#: differ on a few days a year only.
POSTCODE_REGION_LAND: dict[str, str] = {
    **dict.fromkeys(("01", "02", "04", "08", "09"), "SN"),
    "03": "BB",
    "06": "ST",
    "07": "TH",
    **dict.fromkeys(("10", "11", "12", "13"), "BE"),
    **dict.fromkeys(("14", "15", "16"), "BB"),
    **dict.fromkeys(("17", "18", "19"), "MV"),
    **dict.fromkeys(("20", "21", "22"), "HH"),
    **dict.fromkeys(("23", "24", "25"), "SH"),
    **dict.fromkeys(("26", "27", "29", "30", "31", "37", "38", "49"), "NI"),
    "28": "HB",
    **dict.fromkeys(("32", "33", "40", "41", "42", "44", "45", "46", "47", "48"), "NW"),
    **dict.fromkeys(("50", "51", "52", "53", "57", "58", "59"), "NW"),
    **dict.fromkeys(("34", "35", "36", "60", "61", "63", "64", "65"), "HE"),
    "39": "ST",
    **dict.fromkeys(("54", "55", "56", "67"), "RP"),
    "66": "SL",
    **dict.fromkeys(("68", "69", "70", "71", "72", "73", "74", "75", "76", "77"), "BW"),
    **dict.fromkeys(("78", "79", "88", "89"), "BW"),
    **dict.fromkeys(("80", "81", "82", "83", "84", "85", "86", "87"), "BY"),
    **dict.fromkeys(("90", "91", "92", "93", "94", "95", "96", "97"), "BY"),
    **dict.fromkeys(("98", "99"), "TH"),
}


def land_for_postcode(postcode: str, country: str = "DE") -> str | None:
    """The (approximate) Land code of a German postcode, or ``None``.

    >>> land_for_postcode("80331"), land_for_postcode("10115"), land_for_postcode("1234", "AT")
    ('BY', 'BE', None)
    """
    code = postcode.strip()
    if country.upper() != "DE" or len(code) != 5 or not code.isdigit():
        return None
    return POSTCODE_REGION_LAND.get(code[:2])


@dataclass(frozen=True)
class HolidaySet:
    """A holiday predicate over a fixed set of dates (what the caller computed)."""

    days: frozenset[date] = field(default_factory=frozenset)

    def __call__(self, day: date) -> bool:
        return day in self.days


#: Dialling prefixes of German mobile numbers (national and international forms).
MOBILE_PREFIXES = ("015", "016", "017", "+4915", "+4916", "+4917", "004915", "004916", "004917")


def is_mobile(kind: str, value: str) -> bool:
    """Whether a contact point can receive an SMS: kind ``mobile``, or a ``phone`` whose number
    has a German mobile prefix.

    >>> is_mobile("phone", "0151 234-5678"), is_mobile("phone", "040 1234567")
    (True, False)
    """
    if kind == "mobile":
        return True
    digits = value.replace(" ", "").replace("-", "").replace("/", "")
    return kind == "phone" and digits.startswith(MOBILE_PREFIXES)
