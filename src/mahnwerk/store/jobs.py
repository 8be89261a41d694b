"""Tables of the workers: who is alive, and which periodic job ran for which slot.

- :class:`WorkerBeat`: one row per worker process (``mahnwerk worker``), its heartbeat
  ``seen_at`` renewed every few seconds. A worker whose heartbeat is fresh is alive: then
  ``mahnwerk run`` leaves the delivery to it, and its periodic jobs are not taken over.
- :class:`PeriodicRun`: a periodic job (the daily run, scores, webhook retries …) claimed
  for one slot (a day, a five-minute window): the unique ``(name, slot)`` makes it run once
  per slot across any number of workers; a claim whose worker died unfinished is taken
  over by another.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts


class WorkerBeat(Base):
    __tablename__ = "worker_beat"
    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(120), unique=True)  # host:pid:random
    engine: Mapped[str] = mapped_column(String(20))  # procrastinate, in-process
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = ts()
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    stopped_at: Mapped[datetime | None] = ts()


class PeriodicRun(Base):
    __tablename__ = "periodic_run"
    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(60))
    slot: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = ts()
    finished_at: Mapped[datetime | None] = ts()
    error: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (UniqueConstraint("name", "slot"),)
