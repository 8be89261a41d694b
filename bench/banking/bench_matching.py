"""Matching quality and speed on a labelled synthetic set (never a timed assertion).

Usage: .venv/bin/python bench/banking/bench_matching.py [--items N] [--entries N] [--runs N]
       [--workers N]

The index is built once; with ``--workers N`` (default: 2, at most the cores) the entries
are split into N contiguous chunks matched by N forked worker processes that share the
built index copy-on-write (fork, no pickling of the index). Workers match chunks of
2,000 entries and send back only what :func:`~mahnwerk.banking.matching.decide` and the
evaluation need (the two best candidates per entry, without their reasons). CPU
time is reported as the sum over the workers (``os.times`` of the children) plus the parent.

Defaults: 1,000,000 open items, 100,000 entries, 3 runs (medians). Writes
bench/results/matching.json. Aims (issue 5): precision of automatic bookings >= 99.5 %,
>= 90 % of the entries that belong to a case booked automatically, 100,000 entries in
under 10 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
from dataclasses import replace
from pathlib import Path

from mahnwerk.banking.generator import evaluate, generate_entries, generate_open_items
from mahnwerk.banking.matching import Candidate, MatchIndex

# set in the parent before forking; the workers read it (copy-on-write, never pickled)
_INDEX: MatchIndex | None = None
_ENTRIES: list = []


def _match_chunk(bounds: tuple[int, int]) -> tuple[list[list[Candidate]], float]:
    assert _INDEX is not None
    c0 = time.process_time()
    # the reasons are made in the worker (part of the measured work) but not sent back:
    # the evaluation needs only confidences and allocations
    out = [
        [replace(c, reasons=()) for c in _INDEX.match(e)[:2]]
        for e in _ENTRIES[bounds[0] : bounds[1]]
    ]
    return out, time.process_time() - c0


def match_all(pool, workers: int, n: int) -> tuple[list[list[Candidate]], float]:
    """Candidates for every entry, best two each, and the CPU seconds of the workers."""
    if pool is None:
        return _match_chunk((0, n))
    # small chunks, collected as they come: the parent unpickles while the workers match
    step = 2_000
    parts = list(pool.imap(_match_chunk, [(i, min(n, i + step)) for i in range(0, n, step)]))
    return [c for part, _ in parts for c in part], sum(cpu for _, cpu in parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "results" / "matching.json")
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    items, learned = generate_open_items(args.items, args.seed)
    entries, labels = generate_entries(items, learned, args.entries, args.seed + 1)
    generate_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = MatchIndex(items, learned)
    build_s = time.perf_counter() - t0
    print(
        f"generated {len(items):,} items / {len(entries):,} entries in {generate_s:.1f} s; "
        f"index built in {build_s:.1f} s"
    )

    # the index is long-lived: keep the garbage collector from rescanning it on every pass
    global _INDEX, _ENTRIES
    _INDEX, _ENTRIES = index, entries
    gc.collect()
    gc.freeze()
    workers = max(1, args.workers)
    pool = mp.get_context("fork").Pool(workers) if workers > 1 else None
    load_before = os.getloadavg()[0]
    match_times = []
    cpu_times = []
    first = None
    for run in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        results, worker_cpu = match_all(pool, workers, len(entries))
        elapsed = time.perf_counter() - t0
        match_times.append(elapsed)
        parent_cpu = time.process_time() - c0
        cpu_times.append(parent_cpu + (worker_cpu if pool is not None else 0.0))
        if first is None:
            first = results
            gc.freeze()  # kept for the evaluation: no need to rescan it in later runs
        print(
            f"run {run + 1}: {elapsed:.2f} s wall, {cpu_times[-1]:.2f} s CPU "
            f"({workers} worker(s); parent {parent_cpu:.2f} s), "
            f"{len(entries) / elapsed:,.0f} entries/s",
            flush=True,
        )
    if pool is not None:
        pool.close()
        pool.join()
    assert first is not None
    answers = dict(zip(map(id, entries), first, strict=True))
    quality = evaluate(lambda e: answers[id(e)], entries, labels, threshold=args.threshold)
    median = statistics.median(match_times)
    result = {
        "open_items": len(items),
        "entries": len(entries),
        "entries_belonging_to_cases": quality.belonging,
        "threshold": args.threshold,
        "runs": args.runs,
        "workers": workers,
        "match_seconds_median": round(median, 3),
        "match_seconds_all": [round(t, 3) for t in match_times],
        "entries_per_second_median": round(len(entries) / median),
        "match_cpu_seconds_median": round(statistics.median(cpu_times), 3),
        "entries_per_cpu_second_median": round(len(entries) / statistics.median(cpu_times)),
        "index_build_seconds": round(build_s, 2),
        "precision_auto": round(quality.precision, 5),
        "auto_share": round(quality.auto_share, 5),
        "booked": quality.booked,
        "booked_right": quality.booked_right,
        "review": quality.review,
        "unmatched": quality.unmatched,
        "unrelated_left_alone": quality.unrelated_left_alone,
        "by_scenario": quality.by_scenario,
        "aims": {"precision_auto": 0.995, "auto_share": 0.90, "seconds_for_100k": 10.0},
        "load_average_1min_before_matching": round(load_before, 2),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "by_scenario"}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
