"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, TextClause, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.store.search import register_sqlite_functions


class EncodedJSON(str):
    """A JSON column's value already encoded by :func:`json_text`, which then stores it as it
    is. The daily run encodes its message data while it composes, so that the encoding is
    not done inside the write transaction (SQLite has one writer at a time).

    >>> json_text(EncodedJSON.of({"a": [1, "ä"]}))
    '{"a":[1,"ä"]}'
    """

    @classmethod
    def of(cls, value: Any) -> EncodedJSON:
        return cls(json_text(value))


def json_text(value: Any) -> str:
    """A JSON column's stored text (orjson: the daily run writes tens of thousands of
    message payloads, and the standard encoder took a tenth of its time). Integer keys
    become strings as with :func:`json.dumps`; anything else that is not JSON, a
    :class:`~decimal.Decimal` say, is refused as before.

    >>> json_text({"a": [1, "ä"], 2: None})
    '{"a":[1,"ä"],"2":null}'
    """
    if isinstance(value, EncodedJSON):
        return str(value)
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def id_in(column: Any, ids: Iterable[int]) -> TextClause:
    """``column IN (…)`` with the ids written into the statement (integers only, so nothing
    can be injected). For the thousands of ids of a bulk read, SQLAlchemy's expanding
    parameters took longer to render than the query took to run.

    >>> from mahnwerk.store.models import Case
    >>> str(id_in(Case.__table__.c.id, [3, 1]))
    'case_file.id IN (3,1)'
    """
    return text(f"{column.table.name}.{column.name} IN ({id_list(ids)})")


def id_list(ids: Iterable[int]) -> str:
    """The ids as the list of an SQL ``IN (…)``: integers only; ``NULL`` (matching nothing)
    for none.

    >>> id_list([3, 1]), id_list([])
    ('3,1', 'NULL')
    """
    return ",".join(str(int(i)) for i in ids) or "NULL"


#: every engine made, so that a command can close their connections before it exits
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; for SQLite the folder is created and foreign keys switched on."""
    kwargs.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    _ENGINES.add(engine)
    return engine


def load_all_models() -> None:
    """Import every table module of the store and configure the ORM mappers now.

    For processes with threads (the worker runs its periodic jobs in a thread pool, the
    server its requests) and for the migrations (every table registered): a mapper refers
    to others by name, and configuring them while another thread is in the middle of
    importing a table module fails ("failed to locate a name"); loaded once before the
    threads start, nothing is imported or configured concurrently."""
    import importlib
    import pkgutil

    from sqlalchemy.orm import configure_mappers

    import mahnwerk.store

    for module in pkgutil.iter_modules(mahnwerk.store.__path__):
        if not module.name.startswith("migrat"):
            importlib.import_module(f"mahnwerk.store.{module.name}")
    configure_mappers()


def close_all_engines() -> None:
    """Close the pooled connections of every engine (on SQLite the last one to close folds
    the write-ahead log back into the database file, so that a copy of the file alone is
    whole)."""
    for engine in list(_ENGINES):
        engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_commit", add_rows_kept_for_commit)
    return factory


_AT_COMMIT = "mahnwerk.rows_at_commit"


def add_at_commit(session: Session, row: Any) -> None:
    """Insert ``row`` when the transaction commits, not at the next autoflush.

    For rows nobody reads back in the same transaction (audit entries): on SQLite the
    first INSERT takes the database's single write lock until the commit, so an audit
    entry flushed early in a page view would hold that lock while the page is rendered
    and serialise every other request. Added last, the lock is held for microseconds.
    """
    session.info.setdefault(_AT_COMMIT, []).append(row)


def add_rows_kept_for_commit(session: Session) -> None:
    """Insert the rows kept by :func:`add_at_commit` now (before reading them back)."""
    rows = session.info.pop(_AT_COMMIT, None)
    if rows:
        session.add_all(rows)
        session.flush()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole, or rolled back whole on any error."""
    with factory() as session, session.begin():
        yield session
