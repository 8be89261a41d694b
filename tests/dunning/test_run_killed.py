"""A ``mahnwerk run`` killed with SIGKILL in the middle and started again gives the same result
as one that was not, on SQLite and PostgreSQL, with real processes.

The same portfolio is written into two databases. The first is planned by one uninterrupted
``mahnwerk run --plan-only``; the second by a run that is killed (SIGKILL) once some
partitions are committed and others not, then started again. The planning effects of both
(strategy states, stages, outbox messages with their data, approvals, tasks, the timeline) are
then equal, apart from the ids and moments that name when they were written.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import make_engine, session_factory, transaction
from mahnwerk.store.models import Case, CaseEvent
from mahnwerk.store.workflow import Approval, CaseStrategy, OutboxMessage, Task

DAY = date(2026, 4, 13)
CASES = 1200
MAHNWERK = str(Path(sys.executable).with_name("mahnwerk"))


def build(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = {"address": "Am Sande 4, 21335 Lüneburg"}
        s.flush()
        for n in range(CASES):
            due = DAY - timedelta(days=10 + n % 90)
            debtor = cases.DebtorInput(
                kind="natural",
                consumer=n % 5 != 0,
                first_name="Anna",
                last_name=f"Schäfer{n}",
                birth_date=date(1975, 1, 1) + timedelta(days=n),
                street="Lindenallee 3",
                postcode="50667",
                city="Köln",
                email=f"a{n}@example.org" if n % 2 else None,
                phone="0171 555000" if n % 3 == 0 else None,
            )
            claim = cases.ClaimInput(
                invoice_no=f"R-{n}",
                amount=D(40 + n % 700),
                default_from=due + timedelta(days=1),
                invoice_date=due - timedelta(days=14),
                due_date=due,
                label="Mobilfunk",
            )
            case = cases.create_case(
                s, CLI, creditor.id, cases.CaseInput(f"K-{n}", debtor, (claim,))
            )
            handed = DAY - timedelta(days=n % 60)
            case.created_at = datetime(handed.year, handed.month, handed.day, 9, tzinfo=UTC)
            if n % 4 == 1:
                s.flush()
                s.add(
                    CaseStrategy(
                        case_id=case.id,
                        strategy_name="standard",
                        strategy_version=1,
                        step_index=n % 6,
                        stage_since=DAY - timedelta(days=n % 30),
                        first_contact_done=True,
                        updated_at=case.created_at,
                    )
                )
    engine.dispose()


def clone(url: str, admin_url: str | None) -> str:
    """A copy of the database ``url`` (file copy on SQLite, template on PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = Path(str(parsed.database)).with_name(f"copy-{uuid.uuid4().hex[:8]}.db")
        shutil.copy(str(parsed.database), target)
        return f"sqlite:///{target}"
    assert admin_url is not None
    name = f"mw_copy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {parsed.database}"))
    admin.dispose()
    return parsed.set(database=name).render_as_string(False)


def environment(url: str, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env.update(
        MAHNWERK_DATABASE_URL=url,
        MAHNWERK_VAR_DIR=str(var),
        MAHNWERK_SECRET_KEY="test",
        MAHNWERK_PLAN_PARTITION_SIZE="60",
    )
    return env


def processed(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    select(func.count())
                    .select_from(CaseStrategy)
                    .where(CaseStrategy.processed_for == DAY)
                )
                or 0
            )
    finally:
        engine.dispose()


def plan(url: str, var: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [MAHNWERK, "run", "--plan-only", "--processes", "1", "--date", DAY.isoformat()],
        env=environment(url, var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _clean(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in data.items() if not k.endswith("_id")))


def state_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return {
                "states": sorted(
                    tuple(r)
                    for r in c.execute(
                        select(
                            CaseStrategy.case_id,
                            CaseStrategy.step_index,
                            CaseStrategy.stage_since,
                            CaseStrategy.processed_for,
                            CaseStrategy.last_outcome,
                            CaseStrategy.strategy_version,
                        )
                    )
                ),
                "stages": sorted(tuple(r) for r in c.execute(select(Case.id, Case.stage))),
                "outbox": sorted(
                    (
                        r.case_id,
                        r.step_index,
                        r.channel,
                        r.template,
                        r.dedupe_key,
                        r.status,
                        r.first_contact,
                        _clean(r.payload),
                    )
                    for r in c.execute(select(OutboxMessage.__table__))
                ),
                "approvals": sorted(
                    (r.case_id, r.step_index, r.stage, r.reason, r.status)
                    for r in c.execute(select(Approval.__table__))
                ),
                "tasks": sorted(
                    (r.case_id, r.kind, r.code, r.reason, r.status)
                    for r in c.execute(select(Task.__table__))
                ),
                "events": sorted(
                    (r.case_id, r.kind, r.actor, _clean(r.data))
                    for r in c.execute(select(CaseEvent.__table__))
                ),
            }
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_run_killed_in_the_middle_and_started_again_ends_as_an_uninterrupted_one(
    db_url, request, tmp_path
):
    admin_url = None
    if make_url(db_url).get_backend_name() == "postgresql":
        admin_url = request.getfixturevalue("postgres_admin_url")
    build(db_url)
    whole, killed = clone(db_url, admin_url), clone(db_url, admin_url)

    done = plan(whole, tmp_path / "var-whole")
    assert done.wait(timeout=600) == 0, done.stderr.read() if done.stderr else ""

    victim = plan(killed, tmp_path / "var-killed")
    deadline = time.monotonic() + 300
    while processed(killed) == 0 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    partly = processed(killed)
    assert 0 < partly < CASES, partly  # killed with some partitions committed, others not

    again = plan(killed, tmp_path / "var-killed")
    assert again.wait(timeout=600) == 0, again.stderr.read() if again.stderr else ""
    assert processed(killed) == processed(whole) == CASES
    assert state_of(killed) == state_of(whole)
