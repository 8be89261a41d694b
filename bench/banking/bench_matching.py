"""Matching quality and speed on a labelled synthetic set (never a timed assertion).

Usage: .venv/bin/python bench/banking/bench_matching.py [--items N] [--entries N] [--runs N]
       [--workers N]

The index is built once; with ``--workers N`` (default: 2, at most the cores) the entries
are matched by N forked worker processes that share the built index copy-on-write (fork,
no pickling of the index), in chunks of 2,000 entries. A worker does what the statement
import does per entry: match, decide (threshold ``--threshold``), and compose the reasons
it would store (those of the booked candidate, or of every candidate shown for review);
it sends back only the outcome (action and booked allocation). CPU time is the sum over
the workers plus the parent.

Defaults: 1,000,000 open items, 100,000 entries, 3 runs (medians). Writes
bench/results/matching.json. Aims (issue 22): precision of automatic bookings >= 99.9 %,
>= 97 % of the entries that have a right answer booked automatically, 100,000 entries in
under 10 s. The generator, its scenarios and what "a right answer" means:
:mod:`mahnwerk.banking.generator`.
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
from pathlib import Path

from mahnwerk.banking.generator import (
    Outcome,
    generate_entries,
    generate_open_items,
    outcome,
    score_outcomes,
)
from mahnwerk.banking.matching import BOOK, REVIEW, MatchIndex, decide

# set in the parent before forking; the workers read it (copy-on-write, never pickled)
_INDEX: MatchIndex | None = None
_ENTRIES: list = []
_THRESHOLD = 0.9


def _one(entry) -> Outcome:
    assert _INDEX is not None
    action, payload = decide(_INDEX.match(entry), _THRESHOLD)
    # the reasons the import stores: of the booked candidate, or of every one for review
    if action == BOOK:
        tuple(payload.reasons)
    elif action == REVIEW:
        for c in payload:
            tuple(c.reasons)
    return outcome(action, payload)


def _match_chunk(bounds: tuple[int, int]) -> tuple[list[Outcome], float]:
    c0 = time.process_time()
    out = [_one(e) for e in _ENTRIES[bounds[0] : bounds[1]]]
    return out, time.process_time() - c0


def match_all(pool, workers: int, n: int) -> tuple[list[Outcome], float]:
    """The outcome of every entry and the CPU seconds of the workers."""
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
    portfolio = generate_open_items(args.items, args.seed)
    entries, labels = generate_entries(portfolio, args.entries, args.seed + 1)
    items = portfolio.items
    generate_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = MatchIndex(items, portfolio.learned, as_of=portfolio.as_of)
    build_s = time.perf_counter() - t0
    print(
        f"generated {len(items):,} items / {len(entries):,} entries in {generate_s:.1f} s; "
        f"index built in {build_s:.1f} s"
    )

    # the index is long-lived: keep the garbage collector from rescanning it on every pass
    global _INDEX, _ENTRIES, _THRESHOLD
    _INDEX, _ENTRIES, _THRESHOLD = index, entries, args.threshold
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
    quality = score_outcomes(first, labels)
    median = statistics.median(match_times)
    result = {
        "open_items": len(items),
        "entries": len(entries),
        "entries_belonging_to_cases": quality.belonging,
        "entries_with_a_right_answer": quality.decidable,
        "entries_to_review_by_rule": quality.review_by_rule,
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
        "auto_share_of_all_belonging": round(quality.auto_share_all, 5),
        "review_by_rule_booked": quality.review_by_rule_booked,
        "booked": quality.booked,
        "booked_right": quality.booked_right,
        "review": quality.review,
        "unmatched": quality.unmatched,
        "unrelated_left_alone": quality.unrelated_left_alone,
        "by_scenario": quality.by_scenario,
        "aims": {"precision_auto": 0.999, "auto_share": 0.97, "seconds_for_100k": 10.0},
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
