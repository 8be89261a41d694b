"""Who is acting: every use case takes an :class:`Actor`, which scopes what it may see
(a creditor's users and API keys see only that creditor's cases) and names the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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
