"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

``make test`` starts a throwaway PostgreSQL server and sets ``MAHNWERK_TEST_POSTGRES_URL``
(and ``MAHNWERK_REQUIRE_POSTGRES=1``, so that a missing server fails instead of skipping).
Each test gets its own database copied from a migrated template, which is fast on both.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.store.db import make_engine, session_factory
from mahnwerk.store.migrate import upgrade


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get("MAHNWERK_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("MAHNWERK_REQUIRE_POSTGRES"):
            pytest.fail("MAHNWERK_TEST_POSTGRES_URL is not set although PostgreSQL is required")
        pytest.skip("no PostgreSQL server (make test starts one)")
    return url


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    name = f"mw_template_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(make_url(postgres_admin_url).set(database=name).render_as_string(False))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _fresh_postgres(admin_url: str, template: str) -> Iterator[str]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"mw_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "mahnwerk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        admin_url = request.getfixturevalue("postgres_admin_url")
        template = request.getfixturevalue("postgres_template")
        yield from _fresh_postgres(admin_url, template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture(autouse=True)
def _reference_values_reset():
    """Values an operator added to the reference tables are installed process-wide: a test
    that adds one must not change the tables of the next."""
    yield
    from mahnwerk import reference

    for name in reference.ROW_KEYS:
        if reference.operator_rows(name):
            reference.install_operator_rows(name, [])
