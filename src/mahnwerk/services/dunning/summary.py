"""What a daily run did, for people (German) and as JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Progress = Callable[[str, int, int], None]


@dataclass
class RunSummary:
    day: date
    cases_open: int = 0
    cases_processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    delivered: Counter[str] = field(default_factory=Counter)
    deferred: int = 0
    failed: int = 0
    approvals_requested: int = 0
    approvals_waiting: int = 0
    tasks_created: int = 0
    fees_charged: int = 0
    cancelled: int = 0
    #: who delivers: "" (this run did), or why it left the delivery to a worker
    delivery: str = ""
    #: cases whose journal disagrees with their claims, costs and payments (``ledger check``),
    #: one line each with the figures that differ; kept apart from ``errors`` (errors of
    #: this run's steps), as a mismatch is a fault of the books, not of the run
    ledger_mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Messages held back, by reason (an unknown base rate, an incomplete sender): the reason
    #: says how to fix it.
    held: Counter[str] = field(default_factory=Counter)
    #: creditors whose letters cannot go out, and why (said at the start of the run)
    warnings: list[str] = field(default_factory=list)
    #: messages held back because their creditor's set-up is incomplete
    held_for_creditor: int = 0

    def merge(self, other: RunSummary) -> None:
        self.cases_processed += other.cases_processed
        self.outcomes.update(other.outcomes)
        self.actions.update(other.actions)
        self.approvals_requested += other.approvals_requested
        self.tasks_created += other.tasks_created
        self.fees_charged += other.fees_charged
        self.errors.extend(other.errors)
        self.held.update(other.held)

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "cases_open": self.cases_open,
            "cases_processed": self.cases_processed,
            "outcomes": dict(self.outcomes),
            "actions": dict(self.actions),
            "delivered": dict(self.delivered),
            "deferred": self.deferred,
            "failed": self.failed,
            "approvals_requested": self.approvals_requested,
            "approvals_waiting": self.approvals_waiting,
            "tasks_created": self.tasks_created,
            "fees_charged": self.fees_charged,
            "cancelled": self.cancelled,
            "delivery": self.delivery,
            "ledger_mismatches": list(self.ledger_mismatches),
            "errors": list(self.errors),
            "held": dict(self.held),
            "warnings": list(self.warnings),
            "held_for_creditor": self.held_for_creditor,
        }

    def german(self) -> str:
        """The summary for people (German)."""
        names = {"letter": "Briefe", "email": "E-Mails", "sms": "SMS", "phone_task": "Anrufe"}
        lines = [
            f"Mahnlauf für den {self.day.strftime('%d.%m.%Y')}",
            *(f"  WARNUNG: {w}" for w in self.warnings),
            f"  offene Fälle:            {self.cases_open}",
            f"  heute bearbeitet:        {self.cases_processed}",
        ]
        for channel in ("letter", "email", "sms", "phone_task"):
            lines.append(
                f"  {names[channel] + ':':<25}{self.actions.get(channel, 0)} geplant, "
                f"{self.delivered.get(channel, 0)} zugestellt"
            )
        lines += [
            f"  zurückgestellt (Kontaktregeln, Kanal): {self.deferred}",
            f"  fehlgeschlagen:          {self.failed}",
            f"  storniert (Fall gestoppt): {self.cancelled}",
            f"  zurückgehalten (Mandant unvollständig): {self.held_for_creditor}",
            f"  Freigaben angefragt:     {self.approvals_requested}",
            f"  Freigaben offen:         {self.approvals_waiting}",
            f"  neue Aufgaben:           {self.tasks_created}",
            f"  Gebühren gebucht:        {self.fees_charged}",
            "  Kontenabstimmung:        "
            + (
                f"{len(self.ledger_mismatches)} Fälle falsch"
                if self.ledger_mismatches
                else "stimmt"
            ),
            f"  Fehler:                  {len(self.errors)}",
        ]
        if self.delivery:
            lines.append(f"  Zustellung: {self.delivery}")
        lines += [f"    – Kontenabstimmung: {m}" for m in self.ledger_mismatches[:20]]
        lines += [f"    – {e}" for e in self.errors[:20]]
        for reason, count in sorted(self.held.items()):
            lines.append(f"  zurückgehalten ({count} Fälle): {reason}")
        if len(self.errors) > 20:
            lines.append(f"    … und {len(self.errors) - 20} weitere")
        return "\n".join(lines)
