"""The worker's schedule on SQLite and PostgreSQL: a periodic job runs once per slot across
workers, a slot left by a dead worker is taken over, the daily run is due on working days."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from mahnwerk.jobs import periodic
from mahnwerk.jobs.worker import Scheduler
from mahnwerk.services import workers
from mahnwerk.store.db import transaction
from mahnwerk.store.jobs import PeriodicRun, WorkerBeat


def test_a_slot_is_claimed_by_one_worker_and_a_dead_workers_slot_is_taken_over(sessions):
    workers.beat(sessions, "w-1", "in-process", 1)
    workers.beat(sessions, "w-2", "in-process", 2)
    assert workers.claim_slot(sessions, "job", "2026-03-02", "w-1")
    assert not workers.claim_slot(sessions, "job", "2026-03-02", "w-2")  # w-1 is alive
    # w-1 dies without finishing: its heartbeat gets old
    with transaction(sessions) as s:
        s.execute(
            update(WorkerBeat)
            .where(WorkerBeat.name == "w-1")
            .values(seen_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    assert sorted(workers.alive(sessions)) == ["w-2"]
    assert workers.claim_slot(sessions, "job", "2026-03-02", "w-2")
    workers.finish_slot(sessions, "job", "2026-03-02")
    assert not workers.claim_slot(sessions, "job", "2026-03-02", "w-3")  # done is done
    with sessions() as s:
        (row,) = s.scalars(select(PeriodicRun)).all()
    assert (row.worker, row.finished_at is not None) == ("w-2", True)


def test_two_schedulers_run_a_periodic_job_once_per_slot(runtime, monkeypatch):
    ran: list[str] = []
    lock = threading.Lock()

    def job(rt, now, slot):
        with lock:
            ran.append(slot)

    registry = {}
    monkeypatch.setattr(periodic, "REGISTRY", registry)
    periodic.register("tick", job, every=timedelta(minutes=5))
    one, two = Scheduler(runtime, "w-1", "in-process"), Scheduler(runtime, "w-2", "in-process")
    at = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    for moment in (at, at + timedelta(seconds=10), at + timedelta(minutes=5)):
        one.tick(moment)
        two.tick(moment)
    one.close()
    two.close()
    assert sorted(ran) == [
        str(int(at.timestamp() // 300)),
        str(int(at.timestamp() // 300) + 1),
    ]


def test_the_daily_run_is_a_registered_job_due_at_the_set_time():
    jobs = periodic.load()
    assert {"daily_run", "scores", "webhooks"} <= set(jobs)
    from mahnwerk.config import load_settings

    settings = load_settings({"MAHNWERK_VAR_DIR": "/tmp/mw-unused", "MAHNWERK_SECRET_KEY": "x",
                              "MAHNWERK_AGENCY_ADDRESS": "Marienplatz 1, 80331 München"})  # fmt: skip
    assert settings.agency_land == "BY" and settings.daily_run_at == "06:00"
    slot = jobs["daily_run"].slot
    assert slot(settings, datetime(2026, 3, 2, 4, 59, tzinfo=UTC)) is None  # 05:59 in Berlin
    assert slot(settings, datetime(2026, 3, 2, 5, 0, tzinfo=UTC)) == "2026-03-02"
    assert slot(settings, datetime(2026, 1, 6, 9, 0, tzinfo=UTC)) is None  # Epiphany, Bavaria
    scores = jobs["scores"].slot
    assert scores(settings, datetime(2026, 1, 6, 9, 0, tzinfo=UTC)) == "2026-01-06"
    assert scores(settings, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) is None  # the run scores
