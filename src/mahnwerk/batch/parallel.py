"""The balance step of the daily run over partitions, in parallel processes.

Each partition (:class:`~mahnwerk.batch.loader.Partition`) is a self-contained unit of work:
a process opens its own connection, loads its cases in bulk and computes their balances.
Partitions share nothing, so the same function can be handed to a distributed engine (one
task per partition); here a :mod:`multiprocessing` pool runs them on the local cores.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.pool import NullPool

from mahnwerk.batch.balances import Balances, compute_balances
from mahnwerk.batch.loader import Partition, load_open_cases
from mahnwerk.store.db import make_engine

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PartitionResult:
    partition: Partition
    balances: Balances
    load_seconds: float
    compute_seconds: float
    load_cpu_seconds: float
    compute_cpu_seconds: float


def run_partition(database_url: str, as_of: date, partition: Partition) -> PartitionResult:
    """Load one partition of the open cases and compute their balances as of ``as_of``."""
    engine = make_engine(database_url, poolclass=NullPool)
    try:
        options = {}
        if engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ"}  # one snapshot for all tables
        with engine.connect().execution_options(**options) as connection:
            started, cpu_started = time.perf_counter(), time.process_time()
            portfolio = load_open_cases(connection, as_of, partition)
            loaded, cpu_loaded = time.perf_counter(), time.process_time()
            connection.rollback()
        balances = compute_balances(portfolio, as_of)
        done, cpu_done = time.perf_counter(), time.process_time()
    finally:
        engine.dispose()
    return PartitionResult(
        partition,
        balances,
        load_seconds=loaded - started,
        compute_seconds=done - loaded,
        load_cpu_seconds=cpu_loaded - cpu_started,
        compute_cpu_seconds=cpu_done - cpu_loaded,
    )


def _run(args: tuple[str, date, Partition]) -> PartitionResult:
    return run_partition(*args)


def run_partitions(
    database_url: str,
    as_of: date,
    partitions: Sequence[Partition] | None = None,
    *,
    processes: int = 2,
) -> list[PartitionResult]:
    """Every partition (by default one per process), ``processes`` at a time."""
    partitions = list(partitions or Partition.all(processes))
    tasks = [(database_url, as_of, p) for p in partitions]
    return pool_map(_run, tasks, processes)


def pool_map(function: Callable[[T], R], tasks: Sequence[T], processes: int) -> list[R]:
    """``function`` over ``tasks`` in ``processes`` processes (in this one if ``processes``
    is 1), one task at a time per process, results in the order of ``tasks``."""
    if processes <= 1:
        return [function(t) for t in tasks]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(processes) as pool:
        return pool.map(function, tasks, chunksize=1)


def open_balances(
    database_url: str, as_of: date, *, processes: int = 2, partitions: int | None = None
) -> Balances:
    """Balances of all open cases as of ``as_of``, computed in ``processes`` processes."""
    parts = Partition.all(partitions or processes)
    results = run_partitions(database_url, as_of, parts, processes=processes)
    return Balances.concat([r.balances for r in results])
