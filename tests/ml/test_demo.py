"""A small demo end to end on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reference_snapshot import reference_decisions
from sqlalchemy import func, select
from tests.ml._store_helpers import runtime_for

from mahnwerk.batch.decisions import decide_partition
from mahnwerk.services.admin.demo import DemoError, demo_logins, run_demo
from mahnwerk.services.scoring.scores import active_model
from mahnwerk.store.models import Case, User
from mahnwerk.store.scoring import ModelVersion
from mahnwerk.store.workflow import DailyRun
from mahnwerk.strategies import StrategyBook


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_small_demo(engine, sessions, tmp_path) -> None:
    rt = runtime_for(engine, sessions, tmp_path)
    lines: list[str] = []
    result = run_demo(rt, cases=300, seed=2, weeks=1, say=lines.append)
    assert result.cases > 200
    text = result.german()
    assert "admin@demo.mahnwerk.de" in text and "Passwort" in text
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == result.cases
        assert s.scalar(select(func.count()).select_from(DailyRun)) == len(result.run_days) == 2
        emails = set(s.scalars(select(User.email)))
        assert {d["email"] for d in demo_logins()} <= emails
        assert s.scalar(select(func.count()).select_from(ModelVersion)) == 1
        if result.audit_passed:
            assert active_model(s) is not None and result.scored > 0
    with pytest.raises(DemoError):
        run_demo(rt, cases=300, seed=2, weeks=1)

    # the run's one snapshot builder decides the demo's cases as the per-case reference does
    book = StrategyBook((rt.settings.var_dir / "strategies",))
    for day in (result.run_days[-1] + timedelta(days=1), result.run_days[-1] + timedelta(days=15)):
        reference = reference_decisions(rt.sessions, day, book)
        with rt.engine.connect() as connection:
            batch = decide_partition(connection, day, book=book, keep=True)
        assert batch.decisions is not None and len(reference) > 200
        assert {k: d for k, (_, d) in batch.decisions.items()} == {
            k: d for k, (_, d) in reference.items()
        }
