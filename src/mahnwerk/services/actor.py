"""Who is acting: every use case takes an :class:`Actor`, which scopes what it may see
(a creditor's users and API keys see only that creditor's cases) and names the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from mahnwerk.domain.contact_rules import BERLIN

#: the roles of the agency's people; each lands on its own start page (:data:`START_PAGES`)
STAFF_ROLES = ("admin", "agent", "compliance", "teamlead")
#: What a staff API key may be used for (issue 20): ``read`` every GET, ``cases`` changes to
#: cases (hand-overs, payments, recalls, court replies, insolvency notices), ``bank`` the bank
#: statements and their review queue, ``admin`` webhooks. A key acts with its user's role
#: *and* only within its scopes.
API_SCOPES = ("read", "cases", "bank", "admin")
#: who may decide an approval (court, enforcement, write-off, credit-bureau report): team
#: leads. Compliance audits, administrators run the system, agents propose; none of them
#: decides a step that hurts someone (segregation of duties).
APPROVER_ROLES = ("teamlead",)
#: where each role lands after signing in
START_PAGES = {
    "agent": "/work",
    "teamlead": "/lead",
    "compliance": "/compliance",
    "admin": "/admin",
    "creditor": "/portfolio",
}


@dataclass(frozen=True)
class Actor:
    kind: str  # user, apikey, cli, system, debtor
    id: str
    role: str  # admin, agent, teamlead, compliance, creditor, system, debtor
    creditor_id: int | None = None
    origin: str | None = None  # IP address or "cli"
    #: a staff API key's scopes (:data:`API_SCOPES`); None: not limited by scopes
    scopes: frozenset[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.kind in ("cli", "system")

    def may_see_creditor(self, creditor_id: int) -> bool:
        return self.is_staff or self.creditor_id == creditor_id


def approval_refusal(actor: Actor, proposed_by: str = "system:strategy") -> str | None:
    """Why ``actor`` may not decide an approval that ``proposed_by`` (an actor label) asked
    for or prepared; ``None``: may. The one place of the rule: a person, not the system; never
    the one who proposed it (four-eyes); a team lead (the operator at the shell counts as
    one, but the ``approvals`` command can name the person with ``--by``).

    >>> approval_refusal(Actor("user", "7", "teamlead"), "user:3") is None
    True
    >>> approval_refusal(Actor("user", "3", "teamlead"), "user:3")
    'Vier-Augen-Prinzip: wer den Schritt vorgeschlagen hat, gibt ihn nicht selbst frei'
    >>> approval_refusal(Actor("user", "4", "agent"))
    'nur die Teamleitung entscheidet Freigaben (Rolle teamlead)'
    """
    if actor.kind == "system":
        return "Freigaben entscheidet ein Mensch, nicht das System"
    if proposed_by and actor.label == proposed_by:
        return "Vier-Augen-Prinzip: wer den Schritt vorgeschlagen hat, gibt ihn nicht selbst frei"
    if actor.kind != "cli" and actor.role not in APPROVER_ROLES:
        return "nur die Teamleitung entscheidet Freigaben (Rolle teamlead)"
    return None


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
