"""Schema migrations with Alembic, run from code (``mahnwerk db upgrade`` and at start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

#: The newest revision (the one head). Every command checks the schema at start; when the
#: database is already there, Alembic (a quarter of a second to import and read its
#: scripts) is not loaded at all. A test holds this equal to Alembic's own head.
HEAD = "0025"


def alembic_config(url: str = "") -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads", *, secret_key: str | None = None) -> None:
    """Bring the database to ``revision`` (every head: areas add migrations on their own
    branch from the core schema) in one transaction. ``secret_key``: the application's key,
    for migrations that encrypt stored secrets with it."""
    if revision == "heads" and _at_head(engine):
        return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so a
            # migration's CREATE TABLE would be kept even when a later step fails; an explicit
            # BEGIN makes the whole upgrade one transaction, as on PostgreSQL.
            connection.exec_driver_sql("BEGIN")
        cfg.attributes["connection"] = connection
        cfg.attributes["secret_key"] = secret_key
        command.upgrade(cfg, revision)


def _at_head(engine: Engine) -> bool:
    """The database's one revision is :data:`HEAD` (nothing to do)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # no schema yet
        return False
    return [str(r[0]) for r in rows] == [HEAD]


def current_revision(engine: Engine) -> str | None:
    """The schema revision (several joined by ``+`` while area branches are not merged)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return "+".join(sorted(heads)) or None
