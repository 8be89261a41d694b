"""Bulk loading of open cases into the columns of :class:`~mahnwerk.batch.balances.Portfolio`.

:func:`load_open_cases` reads one partition of the open cases with exactly one query per
table (cases joined with their debtor's consumer flag, claims, costs up to the statement
date, not reversed payments up to the statement date):

- on PostgreSQL as ``COPY (SELECT …) TO STDOUT (FORMAT binary)``. Every selected column is
  fixed-width and never NULL (codes instead of strings, ``COALESCE`` for the optional origin,
  rates already scaled to integers on the server), so each row of the binary stream has the
  same layout and the whole stream is read by one ``numpy.frombuffer`` with a big-endian
  record type — no Python object per row;
- on SQLite (and any other database) with plain ``SELECT`` statements.

A :class:`Partition` selects the cases with ``id % count == index`` and optionally an id
range (and optionally one creditor's cases), so that partitions are disjoint, cover
everything together, and can be loaded and computed in separate processes or on separate
machines (:mod:`mahnwerk.batch.parallel`).

Consistency: the four statements should see one snapshot. Open the connection with
``isolation_level="REPEATABLE READ"`` on PostgreSQL (the parallel runner does); SQLite reads
inside one transaction are consistent anyway.

The mapping from rows to the ledger is the one of :mod:`mahnwerk.store.ledger_map`: the input
order of claims, costs and payments within a case is their id order, an unknown interest kind
bears no interest, a missing ``base_plus``/``fixed`` value counts as 0, and reversed payments
and costs (those with a reversing row) are left out: :data:`ACTIVE_PAYMENT` and
:data:`ACTIVE_COST`, which the reconciliation (:mod:`mahnwerk.batch.reconcile`) uses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from mahnwerk.batch.balances import (
    ALLOCATION_CODES,
    COST_FLAT_FEE,
    COST_LEGAL,
    COST_OTHER,
    DAY_COUNT_CODES,
    DEFAULT_RATE_SCALE,
    INTEREST_KIND_CODES,
    KIND_BASE_PLUS,
    KIND_FIXED,
    KIND_NONE,
    CaseColumns,
    ClaimColumns,
    CostColumns,
    PaymentColumns,
    Portfolio,
    rate_scale_for,
    scaled_rate,
)
from mahnwerk.domain.ledger import FLAT_FEE_CODE, LEGAL_PURSUIT_CODES

I64 = npt.NDArray[np.int64]

#: SQL conditions on ``payment`` / ``cost`` rows that count (not taken back by a reversing row)
ACTIVE_PAYMENT = "NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = payment.id)"
ACTIVE_COST = "NOT EXISTS (SELECT 1 FROM cost_reversal r WHERE r.cost_id = cost.id)"

_PG_EPOCH_OFFSET = 10_957  # days from 1970-01-01 to 2000-01-01 (PostgreSQL's date epoch)
_HEADER = b"PGCOPY\n\xff\r\n\x00"


@dataclass(frozen=True)
class Partition:
    """The cases with ``id % count == index`` and ``id_from <= id < id_to`` (bounds optional)."""

    index: int = 0
    count: int = 1
    id_from: int | None = None
    id_to: int | None = None
    #: only this creditor's cases (the creditor's portfolio page)
    creditor_id: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"partition {self.index} of {self.count}")

    def where(self, column: str) -> str:
        """SQL condition on the case id ``column`` (integers only, nothing user-supplied)."""
        parts = [f"{column} % {int(self.count)} = {int(self.index)}"] if self.count > 1 else []
        if self.id_from is not None:
            parts.append(f"{column} >= {int(self.id_from)}")
        if self.id_to is not None:
            parts.append(f"{column} < {int(self.id_to)}")
        return " AND ".join(parts) or "TRUE"

    def case_where(self, alias: str = "") -> str:
        """The condition on ``case_file`` rows (``alias``: its alias with the dot, or "")."""
        condition = self.where(f"{alias}id")
        if self.creditor_id is not None:
            condition += f" AND {alias}creditor_id = {int(self.creditor_id)}"
        return condition

    @staticmethod
    def all(count: int) -> list[Partition]:
        """``count`` disjoint partitions covering every case."""
        return [Partition(i, count) for i in range(count)]


def _case_codes(column: str, codes: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {code}" for name, code in codes.items())
    return f"(CASE {column} {whens} ELSE -1 END)"


def _kind_code(column: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {code}" for name, code in INTEREST_KIND_CODES.items())
    return f"(CASE {column} {whens} ELSE {KIND_NONE} END)"


def _open_cases(partition: Partition, alias: str = "case_id") -> str:
    return (
        f"{alias} IN (SELECT id FROM case_file WHERE status = 'open' AND {partition.case_where()})"
        f" AND {partition.where(alias)}"
    )


def load_open_cases(
    connection: Connection,
    as_of: date,
    partition: Partition | None = None,
    *,
    status: str = "open",
    future_payments: bool = False,
) -> Portfolio:
    """The open cases of ``partition`` (all by default) with what their balances as of
    ``as_of`` need, as columns.

    ``future_payments=True`` also loads the (not reversed) payments dated after ``as_of``:
    :func:`~mahnwerk.batch.balances.compute_balances` ignores them, the decisions of
    :mod:`mahnwerk.batch.decisions` read them (limitation, payment plans)."""
    partition = partition or Partition()
    if status != "open":
        raise ValueError("only open cases are loaded")
    if connection.dialect.name == "postgresql":
        return _load_postgres(connection, as_of, partition, future_payments)
    return _load_generic(connection, as_of, partition, future_payments)


# -------------------------------------------------------------------------- PostgreSQL


def _copy_records(connection: Connection, query: str, fields: list[tuple[str, str]]) -> Any:
    """Rows of ``query`` via binary COPY as a numpy record array with ``fields`` (name,
    big-endian type); every field must be fixed-width and never NULL."""
    layout: list[tuple[str, str]] = [("_n", ">i2")]
    for name, kind in fields:
        layout += [(f"_l_{name}", ">i4"), (name, kind)]
    dtype = np.dtype(layout)
    raw = connection.connection.driver_connection
    assert raw is not None
    data = bytearray()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as cp:
        for chunk in cp:
            data += chunk
    if not data.startswith(_HEADER):
        raise ValueError("not a PostgreSQL binary COPY stream")
    extension = int.from_bytes(data[15:19], "big")
    body = memoryview(data)[19 + extension : len(data) - 2]
    if len(body) % dtype.itemsize:
        raise ValueError(f"COPY rows are not fixed-width as expected for {fields}")
    records = np.frombuffer(body, dtype=dtype)
    if len(records) and (records["_n"] != len(fields)).any():
        raise ValueError("unexpected field count in COPY stream")
    for name, kind in fields:
        if len(records) and (records[f"_l_{name}"] != np.dtype(kind).itemsize).any():
            raise ValueError(f"column {name} is NULL or not of type {kind}")
    return records


def _i64(values: Any) -> I64:
    return np.ascontiguousarray(values, dtype=np.int64)


def _pg_days(values: Any) -> I64:
    return _i64(values) + _PG_EPOCH_OFFSET


def _claim_query(partition: Partition, scale: int) -> str:
    value = "NULLIF(interest_value, '')::numeric"
    scaled = f"{value} * {scale}"
    bears_value = "interest_kind IN ('base_plus', 'fixed')"
    return (
        f"SELECT case_id, id, principal, COALESCE(default_from, DATE '9999-12-31'),"
        f" {_kind_code('interest_kind')}::int2,"
        f" (CASE WHEN {bears_value} THEN COALESCE(round({scaled}), 0) ELSE 0 END)::int8,"
        f" (CASE WHEN {bears_value} THEN COALESCE({scaled} = round({scaled}), TRUE)"
        f" ELSE TRUE END),"
        f" COALESCE(origin, DATE '9999-12-31'), kind <> 'other'"
        f" FROM claim WHERE {_open_cases(partition)}"
    )


_CLAIM_FIELDS = [
    ("case", ">i8"),
    ("id", ">i8"),
    ("principal", ">i8"),
    ("default_from", ">i4"),
    ("kind", ">i2"),
    ("value", ">i8"),
    ("exact", "?"),
    ("origin", ">i4"),
    ("entgelt", "?"),
]

#: The kind of a cost (see ``batch.balances.COST_*``) and the claim it belongs to (0: none).
_COST_KIND_SQL = (
    f"(CASE WHEN code = '{FLAT_FEE_CODE}' THEN {COST_FLAT_FEE}"
    f" WHEN code IN ({', '.join(repr(c) for c in sorted(LEGAL_PURSUIT_CODES))}) THEN {COST_LEGAL}"
    f" ELSE {COST_OTHER} END)"
)


def _load_postgres(
    connection: Connection, as_of: date, partition: Partition, future_payments: bool = False
) -> Portfolio:
    day = f"DATE '{as_of.isoformat()}'"
    paid_by = "" if future_payments else f" AND date <= {day}"
    cases = _copy_records(
        connection,
        "SELECT c.id, d.consumer,"
        f" {_case_codes('c.day_count', DAY_COUNT_CODES)}::int2,"
        f" {_case_codes('c.allocation', ALLOCATION_CODES)}::int2"
        " FROM case_file c JOIN debtor d ON d.id = c.debtor_id"
        f" WHERE c.status = 'open' AND {partition.case_where('c.')}",
        [("id", ">i8"), ("consumer", "?"), ("day_count", ">i2"), ("allocation", ">i2")],
    )
    scale = DEFAULT_RATE_SCALE
    claims = _copy_records(connection, _claim_query(partition, scale), _CLAIM_FIELDS)
    if len(claims) and not claims["exact"].all():
        # a rate with more than four decimals: find the precision needed and read again
        decimals = connection.execute(
            text(
                "SELECT max(scale(trim_scale(NULLIF(interest_value, '')::numeric)))"
                f" FROM claim WHERE interest_kind IN ('base_plus', 'fixed')"
                f" AND {_open_cases(partition)}"
            )
        ).scalar_one()
        scale = int(10 ** max(4, int(decimals or 0)))
        claims = _copy_records(connection, _claim_query(partition, scale), _CLAIM_FIELDS)
    money_fields = [("case", ">i8"), ("id", ">i8"), ("date", ">i4"), ("amount", ">i8")]
    costs = _copy_records(
        connection,
        f"SELECT case_id, id, date, amount, {_COST_KIND_SQL}::int2, COALESCE(claim_id, 0)"
        f" FROM cost WHERE date <= {day} AND {ACTIVE_COST} AND {_open_cases(partition)}",
        [*money_fields, ("kind", ">i2"), ("claim", ">i8")],
    )
    payments = _copy_records(
        connection,
        "SELECT case_id, id, date, amount, COALESCE(claim_id, 0) FROM payment"
        f" WHERE {ACTIVE_PAYMENT}{paid_by} AND {_open_cases(partition)}",
        [*money_fields, ("claim", ">i8")],
    )
    return _assemble(
        case_id=_i64(cases["id"]),
        consumer=cases["consumer"].astype(np.bool_),
        day_count=cases["day_count"],
        allocation=cases["allocation"],
        claims=(
            _i64(claims["case"]),
            _i64(claims["id"]),
            _i64(claims["principal"]),
            _pg_days(claims["default_from"]),
            claims["kind"].astype(np.int8),
            _i64(claims["value"]),
            _pg_days(claims["origin"]),
            claims["entgelt"].astype(np.bool_),
        ),
        costs=(
            _i64(costs["case"]),
            _i64(costs["id"]),
            _pg_days(costs["date"]),
            _i64(costs["amount"]),
            costs["kind"].astype(np.int8),
            _i64(costs["claim"]),
        ),
        payments=(
            _i64(payments["case"]),
            _i64(payments["id"]),
            _pg_days(payments["date"]),
            _i64(payments["amount"]),
            _i64(payments["claim"]),
        ),
        rate_scale=scale,
    )


# ------------------------------------------------------------------ SQLite and others


def _days(values: list[Any]) -> I64:
    if not values:
        return np.zeros(0, dtype=np.int64)
    return np.array([str(v)[:10] for v in values], dtype="datetime64[D]").astype(np.int64)


def _load_generic(
    connection: Connection, as_of: date, partition: Partition, future_payments: bool = False
) -> Portfolio:
    params = {"as_of": as_of.isoformat()}
    paid_by = "" if future_payments else " AND date <= :as_of"
    case_rows = connection.execute(
        text(
            "SELECT c.id, d.consumer, c.day_count, c.allocation"
            " FROM case_file c JOIN debtor d ON d.id = c.debtor_id"
            f" WHERE c.status = 'open' AND {partition.case_where('c.')}"
        )
    ).all()
    claim_rows = connection.execute(
        text(
            "SELECT case_id, id, principal, default_from, interest_kind, interest_value, origin,"
            f" kind FROM claim WHERE {_open_cases(partition)}"
        )
    ).all()
    cost_rows = connection.execute(
        text(
            f"SELECT case_id, id, date, amount, {_COST_KIND_SQL}, COALESCE(claim_id, 0) FROM cost"
            f" WHERE date <= :as_of AND {ACTIVE_COST} AND {_open_cases(partition)}"
        ),
        params,
    ).all()
    payment_rows = connection.execute(
        text(
            "SELECT case_id, id, date, amount, COALESCE(claim_id, 0) FROM payment"
            f" WHERE {ACTIVE_PAYMENT}{paid_by} AND {_open_cases(partition)}"
        ),
        params,
    ).all()

    def code(codes: dict[str, int], name: str) -> int:
        return codes.get(name, -1)

    kinds = [INTEREST_KIND_CODES.get(r[4], KIND_NONE) for r in claim_rows]
    values = [
        Decimal(r[5])
        if k in (KIND_BASE_PLUS, KIND_FIXED) and r[5] not in (None, "")
        else Decimal(0)
        for r, k in zip(claim_rows, kinds, strict=True)
    ]
    scale = rate_scale_for(values)
    origins = _days([r[6] if r[6] is not None else "9999-12-31" for r in claim_rows])
    return _assemble(
        case_id=_i64([r[0] for r in case_rows]),
        consumer=np.array([bool(r[1]) for r in case_rows], dtype=np.bool_),
        day_count=np.array([code(DAY_COUNT_CODES, r[2]) for r in case_rows], dtype=np.int16),
        allocation=np.array([code(ALLOCATION_CODES, r[3]) for r in case_rows], dtype=np.int16),
        claims=(
            _i64([r[0] for r in claim_rows]),
            _i64([r[1] for r in claim_rows]),
            _i64([r[2] for r in claim_rows]),
            _days([r[3] if r[3] is not None else "9999-12-31" for r in claim_rows]),
            np.array(kinds, dtype=np.int8),
            _i64([scaled_rate(v, scale) for v in values]),
            origins,
            np.array([r[7] != "other" for r in claim_rows], dtype=np.bool_),
        ),
        costs=(
            *_money_columns(cost_rows),
            np.array([r[4] for r in cost_rows], dtype=np.int8),
            _i64([r[5] for r in cost_rows]),
        ),
        payments=(*_money_columns(payment_rows), _i64([r[4] for r in payment_rows])),
        rate_scale=scale,
    )


def _money_columns(rows: Sequence[Any]) -> list[I64]:
    return [
        _i64([r[0] for r in rows]),
        _i64([r[1] for r in rows]),
        _days([r[2] for r in rows]),
        _i64([r[3] for r in rows]),
    ]


# ------------------------------------------------------------------------- assembling


def _assemble(
    *,
    case_id: I64,
    consumer: Any,
    day_count: Any,
    allocation: Any,
    claims: tuple[Any, ...],
    costs: tuple[Any, ...],
    payments: tuple[Any, ...],
    rate_scale: int,
) -> Portfolio:
    """Columns with case ids replaced by case rows (cases sorted by id)."""
    if len(day_count) and (np.asarray(day_count) < 0).any():
        raise ValueError("a case has an unknown day count")
    if len(allocation) and (np.asarray(allocation) < 0).any():
        raise ValueError("a case has an unknown allocation strategy")
    order = np.argsort(case_id, kind="stable")
    ids = case_id[order]

    def rows(case_ids: I64) -> I64:
        found = np.searchsorted(ids, case_ids)
        if len(case_ids) and (
            (found >= len(ids)).any() or (ids[np.minimum(found, len(ids) - 1)] != case_ids).any()
        ):
            raise ValueError("a row belongs to a case that was not loaded")
        return _i64(found)

    c_case, c_id, principal, default_from, kind, value, origin, entgelt = claims
    by_id = np.argsort(c_id, kind="stable")
    sorted_ids = c_id[by_id]

    def claim_rows(claim_ids: I64) -> I64:
        """Rows of the claims ``claim_ids`` (0: none → -1)."""
        found = np.searchsorted(sorted_ids, claim_ids)
        clipped = np.minimum(found, max(len(sorted_ids) - 1, 0))
        ok = (claim_ids > 0) & (found < len(sorted_ids))
        if len(sorted_ids):
            ok &= sorted_ids[clipped] == claim_ids
        return np.where(ok, by_id[clipped] if len(by_id) else -1, -1).astype(np.int64)

    return Portfolio(
        cases=CaseColumns(
            id=ids,
            consumer=np.asarray(consumer, dtype=np.bool_)[order],
            day_count=np.asarray(day_count, dtype=np.int8)[order],
            allocation=np.asarray(allocation, dtype=np.int8)[order],
        ),
        claims=ClaimColumns(
            case=rows(c_case),
            principal=principal,
            default_from=default_from,
            kind=kind,
            value=value,
            origin=origin,
            seq=c_id,
            entgelt=entgelt,
        ),
        costs=CostColumns(
            case=rows(costs[0]),
            date=costs[2],
            amount=costs[3],
            seq=costs[1],
            kind=costs[4],
            claim=claim_rows(costs[5]),
        ),
        payments=PaymentColumns(
            case=rows(payments[0]),
            date=payments[2],
            amount=payments[3],
            seq=payments[1],
            claim=claim_rows(payments[4]),
        ),
        rate_scale=rate_scale,
    )
