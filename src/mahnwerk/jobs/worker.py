"""One worker process of ``mahnwerk worker``.

Every ``settings.worker_poll`` seconds the worker's scheduler writes its heartbeat, puts the
messages whose time has come into batches (and finds batches whose worker died), and
starts the periodic jobs whose slot it could claim (in a thread of this process, so that
the delivery goes on meanwhile). The batches are delivered by the engine:

- **procrastinate** (PostgreSQL): one job ``mahnwerk.deliver(batch)`` per batch, taken by
  whichever worker process is free, on any machine; jobs of a worker that died (no
  heartbeat) are retried by the others every :data:`STALLED_EVERY` seconds.
- **in-process** (SQLite, the embedded default): the same delivery function, called by this
  process for the batches its scheduler made.

Each process runs one delivery job at a time: rendering letters is CPU-bound Python and
typst, which threads would not spread over the cores; ``--concurrency N`` starts N
processes instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from mahnwerk.jobs import periodic
from mahnwerk.services import workers
from mahnwerk.services.actor import utcnow
from mahnwerk.services.dunning.deliver import deliver_batch, queue_due, stuck_batches

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

log = logging.getLogger("mahnwerk.worker")

#: seconds between two passes retrying the jobs of stalled procrastinate workers
STALLED_EVERY = 15.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    """Heartbeat, queueing and periodic jobs of one worker process."""

    def __init__(self, runtime: Runtime, name: str, engine: str) -> None:
        self.runtime = runtime
        self.name = name
        self.engine = engine
        self.jobs = periodic.load()
        self.done: dict[str, str] = {}  # job → the last slot this worker claimed
        self.retry_at: dict[str, datetime] = {}
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="periodic")
        self.running: dict[str, Future[None]] = {}

    def tick(self, now: datetime | None = None) -> list[str]:
        """One pass; returns the batches to deliver."""
        now = now or utcnow()
        workers.beat(self.runtime.sessions, self.name, self.engine, os.getpid())
        batches = stuck_batches(self.runtime, now) + queue_due(self.runtime, now)
        self._periodic(now)
        return batches

    def _periodic(self, now: datetime) -> None:
        settings = self.runtime.settings
        for job in self.jobs.values():
            slot = job.slot(settings, now)
            if slot is None or self.done.get(job.name) == slot:
                continue
            running = self.running.get(job.name)
            if running is not None and not running.done():
                continue
            if now < self.retry_at.get(job.name, now):
                continue
            if workers.claim_slot(self.runtime.sessions, job.name, slot, self.name):
                self.done[job.name] = slot
                self.running[job.name] = self.pool.submit(self._run, job, slot, now)
            else:  # another worker has it; look again in case it dies
                self.retry_at[job.name] = now + workers.DEAD_AFTER

    def _run(self, job: periodic.Periodic, slot: str, now: datetime) -> None:
        error = None
        try:
            job.run(self.runtime, now, slot)
        except Exception as exc:  # a periodic job must not stop the worker
            log.exception("periodic job %s (%s) failed", job.name, slot)
            error = f"{type(exc).__name__}: {exc}"
        workers.finish_slot(self.runtime.sessions, job.name, slot, error)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        workers.stopped(self.runtime.sessions, self.name)


def _parent_gone(parent: int | None) -> bool:
    return parent is not None and os.getppid() != parent


# ----------------------------------------------------------------------- in-process


def run_in_process(
    runtime: Runtime, stop: threading.Event, *, parent: int | None = None, name: str = ""
) -> None:
    """The worker loop without a job engine (SQLite): deliver the batches this process
    queued, one after the other, with the scheduler's pass in between."""
    name = name or worker_name()
    scheduler = Scheduler(runtime, name, "in-process")
    queue: deque[str] = deque()
    poll = runtime.settings.worker_poll
    last = 0.0
    try:
        while not stop.is_set() and not _parent_gone(parent):
            if time.monotonic() - last >= poll or not queue:
                last = time.monotonic()
                try:
                    queue.extend(b for b in scheduler.tick() if b not in queue)
                except Exception:
                    log.exception("scheduler pass failed")
            if queue:
                batch = queue.popleft()
                try:
                    deliver_batch(runtime, batch, worker=name)
                except Exception:  # its claims run out and it is taken up again
                    log.exception("delivery of %s failed", batch)
            else:
                stop.wait(poll)
    finally:
        scheduler.close()


# --------------------------------------------------------------------- procrastinate


def run_procrastinate(runtime: Runtime, *, parent: int | None = None, name: str = "") -> None:
    """The worker loop on PostgreSQL: procrastinate runs the delivery jobs; the scheduler
    defers them. Stops on SIGINT/SIGTERM after the job at hand."""
    from mahnwerk.jobs.engine import QUEUE, build_app, ensure_schema

    name = name or worker_name()

    def deliver(batch: str) -> None:
        deliver_batch(runtime, batch, worker=name)

    ensure_schema(runtime.engine)
    app = build_app(runtime.settings.database_url, deliver)
    scheduler = Scheduler(runtime, name, "procrastinate")

    async def main() -> None:
        async with app.open_async():
            work = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=1,
                    name=name,
                    fetch_job_polling_interval=runtime.settings.worker_poll,
                )
            )
            loop = asyncio.create_task(_schedule(app, scheduler, runtime, parent))
            done, _ = await asyncio.wait({work, loop}, return_when=asyncio.FIRST_COMPLETED)
            for task in (work, loop):
                if task not in done:
                    task.cancel()
            await asyncio.gather(work, loop, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        scheduler.close()


async def _schedule(
    app: object, scheduler: Scheduler, runtime: Runtime, parent: int | None
) -> None:
    import procrastinate
    from procrastinate import exceptions

    from mahnwerk.jobs.engine import TASK

    assert isinstance(app, procrastinate.App)
    task = app.tasks[TASK]
    last_stalled = 0.0
    while not _parent_gone(parent):
        try:
            batches = await asyncio.to_thread(scheduler.tick)
            for batch in batches:
                with contextlib.suppress(exceptions.AlreadyEnqueued):  # still waiting
                    await task.configure(queueing_lock=batch).defer_async(batch=batch)
            if time.monotonic() - last_stalled >= STALLED_EVERY:
                last_stalled = time.monotonic()
                await _retry_stalled(app)
        except Exception:
            log.exception("scheduler pass failed")
        await asyncio.sleep(runtime.settings.worker_poll)


async def _retry_stalled(app: object) -> None:
    """Jobs of procrastinate workers without a heartbeat go back to the queue."""
    import procrastinate

    assert isinstance(app, procrastinate.App)
    for job in await app.job_manager.get_stalled_jobs():
        if job.id is None:
            continue
        try:
            await app.job_manager.retry_job(job)
            log.info("job %s of a stalled worker queued again", job.id)
        except Exception:  # the same batch is queued again already: this one can go
            await app.job_manager.finish_job_by_id_async(
                job.id, status=procrastinate.jobs.Status.FAILED, delete_job=False
            )


# ---------------------------------------------------------------------------- command


def uses_procrastinate(runtime: Runtime) -> bool:
    return runtime.engine.dialect.name == "postgresql"


def run_worker(build: Callable[[], Runtime], *, parent: int | None = None) -> None:
    """Build the runtime in this process and run its worker loop until stopped."""
    from mahnwerk.store.db import load_all_models

    load_all_models()  # before any thread: see there
    runtime = build()
    if uses_procrastinate(runtime):
        run_procrastinate(runtime, parent=parent)
        return
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_in_process(runtime, stop, parent=parent)
