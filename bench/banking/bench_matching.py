"""Matching quality and speed on a labelled synthetic set (never a timed assertion).

Usage: .venv/bin/python bench/banking/bench_matching.py [--items N] [--entries N] [--runs N]

Defaults: 1,000,000 open items, 100,000 entries, 3 runs (medians). Writes
bench/results/matching.json. Aims (issue 5): precision of automatic bookings >= 99.5 %,
>= 90 % of the entries that belong to a case booked automatically, 100,000 entries in
under 10 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import time
from pathlib import Path

from mahnwerk.banking.generator import evaluate, generate_entries, generate_open_items
from mahnwerk.banking.matching import MatchIndex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--threshold", type=float, default=0.9)
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
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()[0]
    match_times = []
    cpu_times = []
    first = None
    for run in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        results = [index.match(e) for e in entries]
        elapsed = time.perf_counter() - t0
        match_times.append(elapsed)
        cpu_times.append(time.process_time() - c0)
        if first is None:
            first = results
        print(
            f"run {run + 1}: {elapsed:.2f} s wall, {cpu_times[-1]:.2f} s CPU, "
            f"{len(entries) / elapsed:,.0f} entries/s",
            flush=True,
        )
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
