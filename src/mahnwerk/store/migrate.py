"""Schema migrations with Alembic, run from code (``mahnwerk db upgrade`` and at start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str = "") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads", *, secret_key: str | None = None) -> None:
    """Bring the database to ``revision`` (every head: areas add migrations on their own
    branch from the core schema) in one transaction. ``secret_key``: the application's key,
    for migrations that encrypt stored secrets with it."""
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


def current_revision(engine: Engine) -> str | None:
    """The schema revision (several joined by ``+`` while area branches are not merged)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return "+".join(sorted(heads)) or None
