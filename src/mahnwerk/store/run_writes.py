"""The set-based writes of the daily run's planning: a partition's effects in a few statements.

Every function takes the connection of the partition's write transaction and plain rows; none
commits. :func:`claim_cases` comes first: it marks the cases processed for the day where they
were not yet (one ``UPDATE … FROM`` over a temporary table for the cases with a strategy state,
one ``INSERT … ON CONFLICT DO NOTHING`` for the others) and returns the ids it marked, so that
two runs of the same day can never both write one case; the other writes are for those ids
only. Inserts whose ids are needed take their ids beforehand (from the sequence on
PostgreSQL); on PostgreSQL every bulk insert is a ``COPY``, on SQLite the driver's
``executemany`` (values through the columns' own bind processors, the columns' Python
defaults filled in). Works
on SQLite (3.35 or later) and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, DateTime, bindparam, insert, select, text, update

from mahnwerk.store.db import id_in, id_list
from mahnwerk.store.models import CaseEvent
from mahnwerk.store.workflow import Approval, OutboxMessage, PaymentPlan, Task

_CHUNK = 5000


@dataclass(frozen=True)
class StateRow:
    """The strategy state of one case after today's decision."""

    case_id: int
    has_state: bool
    strategy_name: str
    strategy_version: int
    #: the step executed today, if ``moves``
    step_index: int | None
    moves: bool
    last_outcome: str
    #: the case's stage after today's step, if it changes
    new_stage: str | None = None


@dataclass(frozen=True)
class EventRow:
    """A timeline event; the case fields feed the webhook body of the events creditors get."""

    case_id: int
    creditor_id: int
    external_ref: str
    status: str
    stage: str
    kind: str
    at: datetime
    actor: str
    data: Mapping[str, Any]


_STATE_COLUMNS = tuple(StateRow.__dataclass_fields__)


def _copy(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows`` on the connection's transaction
    (PostgreSQL; psycopg adapts each value)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _executemany(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """``INSERT INTO table (columns)`` of ``rows`` by the driver's own ``executemany``
    (SQLite; the values must already be what the driver takes)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", [tuple(r) for r in rows]
    )


def _bulk_insert(connection: Connection, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """``rows`` into ``table``: a ``COPY`` on PostgreSQL (far cheaper per row than an
    ``executemany``), else the driver's own ``executemany``. Values go through the columns'
    bind processors (JSON, dates, booleans), and columns a row leaves out get their Python
    default, as ``insert()`` would give them; done here once per column rather than by
    ``insert()`` once per value (a fifth of a 20,000-case run on SQLite)."""
    given = list(rows[0])
    if any(len(r) != len(given) or any(k not in r for k in given) for r in rows):
        connection.execute(insert(table), list(rows))  # ragged rows: let insert() sort it out
        return
    defaults = {
        c.name: c.default
        for c in table.columns
        if c.name not in given and c.default is not None and not c.default.is_sequence
    }
    columns = [*given, *defaults]
    processors = [_processor(table.c[name].type, connection.dialect) for name in columns]

    def values(row: Mapping[str, Any]) -> list[Any]:
        out = [row[k] for k in given]
        out += [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]
        return [v if p is None or v is None else p(v) for v, p in zip(out, processors, strict=True)]

    write = _copy if connection.dialect.name == "postgresql" else _executemany
    write(connection, table.name, columns, (values(r) for r in rows))


def _processor(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processor; for a date or a time, one that converts the value
    of the row before again without converting it anew (the rows of a run share their
    timestamps: one ``now``, one day)."""
    process: Callable[[Any], Any] | None = kind._cached_bind_processor(dialect)
    if process is None or not isinstance(kind, Date | DateTime):
        return process
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return converted


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def claim_cases(
    connection: Connection, day: date, now: datetime, rows: Sequence[StateRow]
) -> set[int]:
    """Write the strategy state (and the stage) of ``rows`` for ``day`` where the case was not
    yet processed for it; the ids of the cases written (claimed)."""
    if not rows:
        return set()
    pg = connection.dialect.name == "postgresql"
    connection.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS run_state (case_id BIGINT PRIMARY KEY,"
            " has_state BOOLEAN NOT NULL, strategy_name VARCHAR(60) NOT NULL,"
            " strategy_version INTEGER NOT NULL, step_index INTEGER, moves BOOLEAN NOT NULL,"
            " last_outcome VARCHAR(30) NOT NULL, new_stage VARCHAR(30))"
            + (" ON COMMIT DROP" if pg else "")
        )
    )
    connection.execute(text("DELETE FROM run_state"))
    write = _copy if pg else _executemany
    write(connection, "run_state", _STATE_COLUMNS, ([*r.__dict__.values()] for r in rows))
    params = {"day": day, "now": now}
    claimed = {
        int(r[0])
        for r in connection.execute(
            text(
                "UPDATE case_strategy SET processed_for = :day, updated_at = :now,"
                " strategy_version = r.strategy_version, last_outcome = r.last_outcome,"
                " step_index = CASE WHEN r.moves THEN r.step_index"
                " ELSE case_strategy.step_index END,"
                " stage_since = CASE WHEN r.moves THEN :day ELSE case_strategy.stage_since END"
                " FROM run_state r WHERE case_strategy.case_id = r.case_id AND r.has_state"
                " AND (case_strategy.processed_for IS NULL OR case_strategy.processed_for <> :day)"
                " RETURNING case_strategy.case_id"
            ),
            params,
        )
    }
    claimed |= {
        int(r[0])
        for r in connection.execute(
            text(
                "INSERT INTO case_strategy (case_id, strategy_name, strategy_version,"
                " step_index, stage_since, first_contact_done, processed_for, last_outcome,"
                " updated_at)"
                " SELECT r.case_id, r.strategy_name, r.strategy_version,"
                " CASE WHEN r.moves THEN r.step_index END,"
                " CASE WHEN r.moves THEN :day END, :false, :day, r.last_outcome, :now"
                " FROM run_state r WHERE NOT r.has_state"
                " ON CONFLICT (case_id) DO NOTHING RETURNING case_id"
            ),
            {**params, "false": False},
        )
    }
    unclaimed = [r.case_id for r in rows if r.case_id not in claimed]
    for chunk in _chunks(unclaimed):
        connection.execute(text(f"DELETE FROM run_state WHERE case_id IN ({id_list(chunk)})"))
    connection.execute(
        text(
            "UPDATE case_file SET stage = r.new_stage, updated_at = :now FROM run_state r"
            " WHERE case_file.id = r.case_id AND r.new_stage IS NOT NULL"
            " AND case_file.stage <> r.new_stage"
        ),
        params,
    )
    if not pg:
        connection.execute(text("DROP TABLE run_state"))
    return claimed


def close_plans(connection: Connection, changes: Sequence[tuple[int, str]], now: datetime) -> None:
    """Payment plans that ended: ``(plan id, "broken" | "completed")``."""
    if changes:
        connection.execute(
            update(PaymentPlan)
            .where(PaymentPlan.id == bindparam("plan_id"))
            .values(status=bindparam("new_status"), closed_at=now),
            [{"plan_id": p, "new_status": s} for p, s in changes],
        )


def outbox_keys(connection: Connection, case_ids: Sequence[int]) -> set[tuple[int, str]]:
    """The ``(case id, dedupe key)`` of every outbox message of these cases."""
    out: set[tuple[int, str]] = set()
    table = OutboxMessage.__table__
    for chunk in _chunks(case_ids):
        out.update(
            (int(c), str(k))
            for c, k in connection.execute(
                select(table.c.case_id, table.c.dedupe_key).where(id_in(table.c.case_id, chunk))
            )
        )
    return out


def next_ids(connection: Connection, table: str, n: int) -> list[int]:
    """``n`` fresh ids of ``table``: from its sequence on PostgreSQL; on SQLite counted on from
    the largest id (safe: a partition's write transaction has written before it asks, so it
    holds the database's one write lock)."""
    if n <= 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
        return [int(r[0]) for r in rows]
    top = connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + n))


def insert_returning_ids(
    connection: Connection, table: Any, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` into ``table`` with ids taken beforehand (:func:`next_ids`); the ids in
    the order of the rows (cheaper than ``INSERT … RETURNING`` for many rows)."""
    if not rows:
        return []
    ids = next_ids(connection, table.name, len(rows))
    _bulk_insert(connection, table, [{**r, "id": i} for r, i in zip(rows, ids, strict=True)])
    return ids


def insert_rows(connection: Connection, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        _bulk_insert(connection, table, rows)


def insert_outbox(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    return insert_returning_ids(connection, OutboxMessage.__table__, rows)


def insert_approvals(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    return insert_returning_ids(connection, Approval.__table__, rows)


def insert_tasks(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    insert_rows(connection, Task.__table__, rows)


def insert_events(
    connection: Connection, events: Sequence[EventRow], *, returning: bool = True
) -> list[int]:
    """The events in their order; their ids (none without ``returning``)."""
    rows = [
        {"case_id": e.case_id, "at": e.at, "kind": e.kind, "actor": e.actor, "data": e.data}
        for e in events
    ]
    if returning:
        return insert_returning_ids(connection, CaseEvent.__table__, rows)
    insert_rows(connection, CaseEvent.__table__, rows)
    return []


def active_webhooks(
    connection: Connection, creditor_ids: Sequence[int]
) -> dict[int, list[tuple[int, list[str] | None]]]:
    """Per creditor its active webhooks: ``(id, event types wanted or None for all)``."""
    from mahnwerk.store.models import Webhook

    table = Webhook.__table__
    out: dict[int, list[tuple[int, list[str] | None]]] = {}
    for chunk in _chunks(creditor_ids):
        for hook_id, creditor_id, events in connection.execute(
            select(table.c.id, table.c.creditor_id, table.c.events).where(
                table.c.creditor_id.in_(chunk), table.c.active.is_(True)
            )
        ):
            wanted = events.get("types") if isinstance(events, dict) else None
            out.setdefault(int(creditor_id), []).append((int(hook_id), wanted or None))
    return out
