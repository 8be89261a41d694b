"""A court message as mahnwerk understands it, whatever its Satzart: what it refers to (our
reference ``ASGZ``, the court's ``GNR``), what it means for the procedure (an
:class:`~mahnwerk.domain.court.Event` or ``None``), the day that counts, the costs the court
charged, a plain German sentence for the case's timeline, and every parsed field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.domain.court import Event

__all__ = ["CourtCharge", "CourtMessage", "plain_fields"]


@dataclass(frozen=True)
class CourtCharge:
    """A cost the court charged (booked to the case): ledger code, label, amount."""

    code: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class CourtMessage:
    satzart: str
    reference: str
    gnr: str
    event: Event | None
    day: date | None
    text: str
    charges: tuple[CourtCharge, ...] = ()
    #: a person must act (not served, Widerspruch, Monierung): the task's text
    task: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    raw: str = ""


def plain_fields(values: dict[str, object]) -> dict[str, Any]:
    """Parsed fields as JSON-ready values (dates ISO, amounts as strings, blanks left out)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = str(value)
        else:
            out[key] = value
    return out
