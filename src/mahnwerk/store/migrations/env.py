"""Alembic environment: runs on the connection given by mahnwerk.store.migrate.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mahnwerk.store import (
    assistant,
    banking_store,
    calls,
    court,
    enforcement,
    jobs,
    nba,
    portal,
    reference,
    scoring,
    web_accounts,
    workflow,
)
from mahnwerk.store import plans as plan_tables
from mahnwerk.store import privacy as privacy_tables
from mahnwerk.store import security as security_tables
from mahnwerk.store.models import Base

config = context.config
target_metadata = Base.metadata
MODEL_MODULES = (
    assistant,
    banking_store,
    calls,
    jobs,
    court,
    enforcement,
    nba,
    portal,
    reference,
    scoring,
    web_accounts,
    workflow,
    plan_tables,
    privacy_tables,
    security_tables,
)  # importing them registers their tables with Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
