"""Alembic environment: runs on the connection given by mahnwerk.store.migrate.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mahnwerk.store.db import load_all_models
from mahnwerk.store.models import Base

load_all_models()  # every table module registers its tables with Base.metadata
config = context.config
target_metadata = Base.metadata


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
