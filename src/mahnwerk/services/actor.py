"""Who is acting: every use case takes an :class:`Actor`, which scopes what it may see
(a creditor's users and API keys see only that creditor's cases) and names the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from mahnwerk.domain.contact_rules import BERLIN

STAFF_ROLES = ("admin", "agent", "compliance")


@dataclass(frozen=True)
class Actor:
    kind: str  # user, apikey, cli, system, debtor
    id: str
    role: str  # admin, agent, compliance, creditor, system, debtor
    creditor_id: int | None = None
    origin: str | None = None  # IP address or "cli"

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.kind in ("cli", "system")

    def may_see_creditor(self, creditor_id: int) -> bool:
        return self.is_staff or self.creditor_id == creditor_id


CLI = Actor(kind="cli", id="local", role="admin", origin="cli")
SYSTEM = Actor(kind="system", id="mahnwerk", role="system", origin="system")


def utcnow() -> datetime:
    """The one clock of the services layer (the domain has none)."""
    return datetime.now(UTC)


def today_in_germany(now: datetime | None = None) -> date:
    """The calendar day in Germany, whatever the server's time zone: due dates, payment
    days and statements are German days, and between midnight in Berlin and midnight UTC
    the server's own date would still be yesterday.

    >>> today_in_germany(datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    datetime.date(2026, 12, 5)
    >>> today_in_germany(datetime(2026, 7, 4, 21, 59, tzinfo=UTC))
    datetime.date(2026, 7, 4)
    >>> today_in_germany(datetime(2026, 12, 4, 23, 30))  # stored without zone (SQLite): UTC
    datetime.date(2026, 12, 5)
    """
    moment = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).date()


def start_of_day_in_germany(day: date) -> datetime:
    """Midnight at the start of ``day`` in Germany, in UTC as timestamps are stored.

    >>> start_of_day_in_germany(date(2026, 12, 5))
    datetime.datetime(2026, 12, 4, 23, 0, tzinfo=datetime.timezone.utc)
    >>> start_of_day_in_germany(date(2026, 7, 5))
    datetime.datetime(2026, 7, 4, 22, 0, tzinfo=datetime.timezone.utc)
    >>> start_of_day_in_germany(date.min)  # its midnight in Berlin is before year 1 in UTC
    datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if day == date.min:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, BERLIN).astimezone(UTC)
