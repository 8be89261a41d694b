"""procrastinate, the job engine on PostgreSQL: the app, its delivery task and its schema.

Why procrastinate: it keeps its queue in the PostgreSQL database mahnwerk already runs (no
broker to operate), takes jobs with ``FOR UPDATE SKIP LOCKED`` and ``LISTEN/NOTIFY``,
retries with backoff, refuses a second queued job of the same batch (``queueing_lock``),
and detects stalled workers by heartbeat; it is small (+3 MB) and installs from PyPI alone.
It only carries the work: which message is sent is decided by the outbox's guarded
transitions (:mod:`mahnwerk.services.dunning.deliver`), so a job run twice sends nothing
twice.

Nothing is built at import time: :func:`build_app` makes the app and its task when a worker
starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    import procrastinate
    from sqlalchemy import Engine

QUEUE = "delivery"
TASK = "mahnwerk.deliver"
_SCHEMA_LOCK = 7_212_019  # advisory lock: two workers starting never both create the schema


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy URL (``postgresql+psycopg://…``).

    >>> conninfo("postgresql+psycopg://mw:pw@127.0.0.1:5432/mahnwerk")
    'postgresql://mw:pw@127.0.0.1:5432/mahnwerk'
    """
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def build_app(database_url: str, deliver: Callable[[str], Any]) -> procrastinate.App:
    """The app with the task ``mahnwerk.deliver(batch)`` (retried with backoff when it
    raises, e.g. the database went away for a moment)."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )
    app.task(
        name=TASK,
        queue=QUEUE,
        retry=procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2),
    )(deliver)
    return app


def ensure_schema(engine: Engine) -> None:
    """Create procrastinate's tables in the database unless they are there."""
    from procrastinate.schema import SchemaManager

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT pg_advisory_lock({_SCHEMA_LOCK})")
        try:
            cursor.execute("SELECT to_regclass('procrastinate_jobs')")
            row = cursor.fetchone()
            if row is None or row[0] is None:
                cursor.execute(SchemaManager.get_schema())
                raw.commit()
        finally:
            cursor.execute(f"SELECT pg_advisory_unlock({_SCHEMA_LOCK})")
            raw.commit()
    finally:
        raw.close()
