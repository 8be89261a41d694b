"""Bulk reads of the daily run's planning: the cases that get a message today, with what the
ledger and the message data need, one query per table per chunk of cases.

The rows are SQLAlchemy Core rows of whole tables, so they have the attribute names of the
ORM models; :class:`CaseRecord` and :class:`DebtorRecord` give them the shape of a stored
``Case`` (``claims``, ``costs``, ``payments``, ``debtor.contacts``, ``debtor.current_address``,
``debtor.display_name``), so that :func:`mahnwerk.store.ledger_map.domain_case` and the
message composer read them exactly as they read ORM objects. Without the ORM's identity map
and instrumentation this is several times faster for tens of thousands of cases.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select

from mahnwerk.store.db import id_in
from mahnwerk.store.models import (
    Address,
    Case,
    Claim,
    ContactPoint,
    Cost,
    Creditor,
    Debtor,
    Payment,
    debtor_display_name,
)
from mahnwerk.store.portal import PortalAccess

CHUNK = 2000


@dataclass
class DebtorRecord:
    id: int
    kind: str
    consumer: bool
    first_name: str | None
    last_name: str | None
    company: str | None
    contacts: list[Row[Any]] = field(default_factory=list)
    addresses: list[Row[Any]] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return debtor_display_name(self.kind, self.first_name, self.last_name, self.company)

    @property
    def current_address(self) -> Row[Any] | None:
        current = [a for a in self.addresses if a.valid_to is None]
        return current[-1] if current else None


@dataclass
class CaseRecord:
    id: int
    reference: str
    external_ref: str
    creditor_id: int
    day_count: str
    allocation: str
    debtor: DebtorRecord
    claims: list[Row[Any]] = field(default_factory=list)
    costs: list[Row[Any]] = field(default_factory=list)
    payments: list[Row[Any]] = field(default_factory=list)
    #: version of the portal access code printed in letters (1 until a code is revoked)
    code_version: int = 1


def _chunks(items: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_cases(connection: Connection, ids: Sequence[int]) -> dict[int, CaseRecord]:
    """The cases ``ids`` with their debtor, contacts, addresses, claims, costs and payments
    (each in id order, as the ORM relationships order them)."""
    out: dict[int, CaseRecord] = {}
    for chunk in _chunks(list(ids)):
        cases = connection.execute(select(Case.__table__).where(id_in(Case.id, chunk))).all()
        debtor_ids = sorted({c.debtor_id for c in cases})
        debtors = {
            d.id: DebtorRecord(d.id, d.kind, d.consumer, d.first_name, d.last_name, d.company)
            for d in connection.execute(
                select(Debtor.__table__).where(id_in(Debtor.id, debtor_ids))
            )
        }
        for model, target in ((ContactPoint, "contacts"), (Address, "addresses")):
            for row in _rows_of(connection, model, "debtor_id", debtor_ids):
                getattr(debtors[row.debtor_id], target).append(row)
        records = {
            c.id: CaseRecord(
                c.id,
                c.reference,
                c.external_ref,
                c.creditor_id,
                c.day_count,
                c.allocation,
                debtors[c.debtor_id],
            )
            for c in cases
        }
        for owned, target in ((Claim, "claims"), (Cost, "costs"), (Payment, "payments")):
            for row in _rows_of(connection, owned, "case_id", chunk):
                getattr(records[row.case_id], target).append(row)
        for case_id, version in connection.execute(
            select(PortalAccess.case_id, PortalAccess.code_version).where(
                id_in(PortalAccess.case_id, chunk)
            )
        ):
            records[case_id].code_version = int(version)
        out.update(records)
    return out


def _rows_of(
    connection: Connection, model: Any, column: str, ids: Sequence[int]
) -> Sequence[Row[Any]]:
    """Every row of ``model``'s table whose ``column`` is in ``ids``, in id order (payments
    and costs with their ``reversed``, read from their reversing rows)."""
    table = model.__table__
    extra = [model.reversed.label("reversed")] if model in (Payment, Cost) else []
    query = select(table, *extra).where(id_in(table.c[column], ids)).order_by(table.c.id)
    return connection.execute(query).all()


def load_creditors(connection: Connection, ids: Sequence[int]) -> dict[int, Row[Any]]:
    """Creditor rows (``name``, ``settings``, …) by id."""
    return {
        r.id: r
        for r in connection.execute(select(Creditor.__table__).where(Creditor.id.in_(list(ids))))
    }
