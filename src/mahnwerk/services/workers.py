"""The workers' state in the database: heartbeats, and periodic jobs claimed per slot.

A worker process (``mahnwerk worker``) writes its heartbeat every few seconds
(:func:`beat`); :func:`alive` tells whether any worker's heartbeat is fresh, which is how
``mahnwerk run`` knows to leave the delivery to the workers. A periodic job runs once per
slot across all workers: :func:`claim_slot` inserts ``(name, slot)`` (unique), and a claim
left unfinished by a worker whose heartbeat stopped is taken over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mahnwerk.services.actor import utcnow
from mahnwerk.store.db import transaction
from mahnwerk.store.jobs import PeriodicRun, WorkerBeat

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

#: a worker whose heartbeat is older than this is taken for dead
DEAD_AFTER = timedelta(seconds=30)


def beat(sessions: sessionmaker[Session], name: str, engine: str, pid: int) -> None:
    """Write this worker's heartbeat (the row is made on the first beat)."""
    now = utcnow()
    with transaction(sessions) as s:
        row = s.scalar(select(WorkerBeat).where(WorkerBeat.name == name))
        if row is None:
            s.add(WorkerBeat(name=name, engine=engine, pid=pid, started_at=now, seen_at=now))
        else:
            row.seen_at = now
            row.stopped_at = None


def stopped(sessions: sessionmaker[Session], name: str) -> None:
    """A worker that stops cleanly says so: it no longer counts as alive."""
    with transaction(sessions) as s:
        s.execute(
            update(WorkerBeat)
            .where(WorkerBeat.name == name)
            .values(stopped_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def alive(sessions: sessionmaker[Session], now: datetime | None = None) -> list[str]:
    """The names of the workers whose heartbeat is fresh."""
    moment = (now or utcnow()).astimezone(UTC)
    with sessions() as s:
        return list(
            s.scalars(
                select(WorkerBeat.name).where(
                    WorkerBeat.seen_at >= moment - DEAD_AFTER, WorkerBeat.stopped_at.is_(None)
                )
            )
        )


def claim_slot(sessions: sessionmaker[Session], name: str, slot: str, worker: str) -> bool:
    """Claim the periodic job ``name`` for ``slot``; True if this worker is to run it.

    The claim of a worker that died before finishing (no fresh heartbeat) is taken over."""
    now = utcnow()
    try:
        with transaction(sessions) as s:
            s.add(PeriodicRun(name=name, slot=slot, worker=worker, started_at=now))
        return True
    except IntegrityError:
        pass
    living = set(alive(sessions))
    with transaction(sessions) as s:
        row = s.scalar(
            select(PeriodicRun).where(PeriodicRun.name == name, PeriodicRun.slot == slot)
        )
        if row is None or row.finished_at is not None or row.worker in living:
            return False
        taken = s.execute(
            update(PeriodicRun)
            .where(
                PeriodicRun.id == row.id,
                PeriodicRun.worker == row.worker,
                PeriodicRun.finished_at.is_(None),
            )
            .values(worker=worker, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(_rowcount(taken))


def finish_slot(
    sessions: sessionmaker[Session], name: str, slot: str, error: str | None = None
) -> None:
    with transaction(sessions) as s:
        s.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == name, PeriodicRun.slot == slot)
            .values(finished_at=utcnow(), error=None if error is None else error[:500])
            .execution_options(synchronize_session=False)
        )


def _rowcount(result: object) -> int:
    """Rows an UPDATE changed (a ``CursorResult``; typed as ``Result`` by the session)."""
    return int(getattr(result, "rowcount", 0) or 0)
