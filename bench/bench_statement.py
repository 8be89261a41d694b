"""Statement throughput: cases per second through ``mahnwerk statement FILE.jsonl --format json``.

Generates a JSON Lines file of realistic cases (1–4 claims, costs, up to 6 partial payments,
all interest kinds and day counts, seeded), then runs the command as a user would, several
times, and reports the median. Usage: ``python bench/bench_statement.py [--cases N] [--runs R]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "statement.json"


def random_case(rng: random.Random, n: int) -> dict:
    start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
    kinds = [
        {"kind": "statutory"},
        {"kind": "base_plus", "points": "5"},
        {"kind": "fixed", "rate": "8.5"},
        {"kind": "none"},
    ]
    claims = [
        {
            "id": f"R-{n}-{i}",
            "principal": f"{rng.randrange(2000, 500000) / 100:.2f}",
            "default_from": (start + timedelta(days=rng.randrange(0, 120))).isoformat(),
            "interest": rng.choice(kinds),
        }
        for i in range(rng.randint(1, 4))
    ]
    costs = [
        {
            "date": (start + timedelta(days=30 * i)).isoformat(),
            "label": "Mahngebühr",
            "amount": "5.00",
        }
        for i in range(rng.randint(0, 3))
    ]
    payments = [
        {
            "date": (start + timedelta(days=rng.randrange(1, 900))).isoformat(),
            "amount": f"{rng.randrange(1000, 60000) / 100:.2f}",
        }
        for _ in range(rng.randint(0, 6))
    ]
    return {
        "id": f"K-{n}",
        "as_of": "2026-11-23",
        "debtor": {"consumer": rng.random() < 0.7},
        "day_count": rng.choice(["act/365", "act/365", "act/act", "30/360"]),
        "allocation": rng.choice(["bgb367", "bgb367", "bgb497"]),
        "claims": claims,
        "costs": costs,
        "payments": payments,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20261123)
    exe = Path(sys.executable).parent / "mahnwerk"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for n in range(args.cases):
                f.write(json.dumps(random_case(rng, n)) + "\n")
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            done = subprocess.run(
                [str(exe), "statement", str(path), "--format", "json"],
                check=True,
                stdout=subprocess.PIPE,
            )
            timings.append(time.perf_counter() - t0)
            assert done.stdout.count(b"\n") == args.cases
    median = statistics.median(timings)
    result = {
        "benchmark": "statement JSON Lines, whole command",
        "cases": args.cases,
        "runs": args.runs,
        "seconds_median": round(median, 3),
        "cases_per_second_median": round(args.cases / median),
        "seconds_all": [round(t, 3) for t in timings],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
