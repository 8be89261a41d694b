"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from mahnwerk.store.db import load_all_models
from mahnwerk.store.models import Base
from mahnwerk.store.search import SEARCH_INDEXES


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    load_all_models()  # every model registered
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        indexes = {i["name"] for t in ("debtor", "contact_point", "case_file", "claim",
                                       "bank_account") for i in inspect(connection).get_indexes(t)}  # fmt: skip
    search_only = [d for d in differences if d[0] == "remove_index" and d[1].name in SEARCH_INDEXES]
    assert [d for d in differences if d not in search_only] == []
    if engine.dialect.name == "postgresql":  # the search indexes exist there, and only there
        assert set(SEARCH_INDEXES) <= indexes
    else:
        assert not set(SEARCH_INDEXES) & indexes


def test_an_api_key_belongs_to_a_creditor_or_a_staff_user(engine: Engine) -> None:
    checks = inspect(engine).get_check_constraints("api_key")
    assert any("creditor_id IS NULL" in c["sqltext"] for c in checks)


def test_the_head_constant_is_alembics_only_head() -> None:
    from alembic.script import ScriptDirectory

    from mahnwerk.store.migrate import HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


def test_a_database_behind_the_head_is_upgraded_and_one_at_the_head_loads_no_alembic(
    tmp_path,
) -> None:
    import subprocess
    import sys

    from mahnwerk.store.db import make_engine
    from mahnwerk.store.migrate import HEAD, current_revision, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    upgrade(engine, "0024")
    assert current_revision(engine) == "0024"
    upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()
    probe = (
        "import sys; from mahnwerk.store.db import make_engine;"
        "from mahnwerk.store.migrate import upgrade;"
        f"upgrade(make_engine({url!r})); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
