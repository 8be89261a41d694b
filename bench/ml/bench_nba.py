"""Next-best-action benchmark: the learned policy against the fixed strategy, a hand-tuned
rule and the oracle in the simulator's contact world, on seeds the prior never saw; and the
speed of ``mahnwerk nba session`` through the real command.

For each evaluation seed the same debtors (and the same luck where the policies act alike)
meet five policies for ``--days`` days:

* ``standard`` – the shipped fixed strategy (``strategies/standard.yaml``);
* ``hand`` – "at most two contacts a week, the channel that answered last";
* ``learned`` – the policy starting from the shipped prior, learning as it goes (the
  production configuration: settings' defaults);
* ``scratch`` – the same policy starting from an uninformed prior (``--scratch``);
* ``oracle`` – knows the hidden traits, greedy on the true expected payment of today's
  contact, with the learned policy's prices and cap.

Figures per policy: net recovery (collected minus contact costs), contacts and complaints,
each relative to ``standard`` on the same seed; mean over seeds with a 95 % t-interval.

Usage: ``python bench/ml/bench_nba.py [--cases 3000] [--seeds 101-110] [--session]``.
Writes ``bench/results/nba.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from mahnwerk.config import load_nba_settings
from mahnwerk.ml.contact_world import ContactWorld, HandRule, Oracle, StandardStrategy, WorldResult
from mahnwerk.ml.nba.policy import Policy, PolicyState
from mahnwerk.ml.nba.training import PolicyDriver, run, shipped_prior
from mahnwerk.ml.nba.views import view_to_json
from mahnwerk.services.nba.decisions import policy_config

RESULTS = Path(__file__).resolve().parents[1] / "results" / "nba.json"
POLICIES = ("standard", "hand", "learned", "scratch", "oracle")


def seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def ci(values: list[float]) -> dict[str, float]:
    x = np.array(values, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return {"mean": m, "low": m, "high": m, "n": len(x)}
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return {"mean": m, "low": m - half, "high": m + half, "n": len(x)}


def one_seed(seed: int, args: argparse.Namespace) -> dict[str, Any]:
    cfg = policy_config(load_nba_settings())
    costs = {k: float(v) for k, v in cfg.costs.items()}
    world = ContactWorld(args.cases, seed=seed, costs=costs, days=args.days)
    drivers: dict[str, Any] = {
        "standard": StandardStrategy(),
        "hand": HandRule(),
        "learned": PolicyDriver(Policy(shipped_prior(), cfg), seed=seed),
        "oracle": Oracle.for_policy(cfg),
    }
    if args.scratch:
        drivers["scratch"] = PolicyDriver(Policy(PolicyState.prior(), cfg), seed=seed)
    out: dict[str, Any] = {"seed": seed}
    for name, driver in drivers.items():
        started = time.perf_counter()
        result: WorldResult = run(world, driver)
        out[name] = {**result.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
        print(
            f"  seed {seed} {name:<9} net {result.net:>12,.0f} € contacts {result.contacts:>6} "
            f"complaints {result.complaints:>4} ({out[name]['seconds']:.0f} s)",
            flush=True,
        )
    base = out["standard"]
    for name in drivers:
        if name == "standard":
            continue
        r = out[name]
        r["vs_standard"] = {
            "net": r["net_eur"] / base["net_eur"] - 1.0,
            "contacts": r["contacts"] / base["contacts"],
            "complaints": r["complaints"] / max(base["complaints"], 1),
        }
    return out


def session_speed(cases: int, days: int, seed: int) -> dict[str, Any]:
    """3,000 cases a day for 90 days through ``mahnwerk nba session`` (JSON Lines)."""
    cfg = policy_config(load_nba_settings())
    world = ContactWorld(
        cases, seed=seed, costs={k: float(v) for k, v in cfg.costs.items()}, days=days
    )
    exe = Path(sys.executable).with_name("mahnwerk")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "nba", "session"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    driver_seconds = 0.0
    decisions = 0
    world.reset()
    for day in range(days):
        t = time.perf_counter()
        views = world.views()
        request = json.dumps(
            {"op": "decide", "day": day, "cases": [view_to_json(v) for v in views]}
        )
        driver_seconds += time.perf_counter() - t
        proc.stdin.write(request + "\n")
        proc.stdin.flush()
        actions = json.loads(proc.stdout.readline())["actions"]
        decisions += len(actions)
        t = time.perf_counter()
        outcome = world.step(actions)
        request = json.dumps({"op": "learn", "day": day, "outcomes": outcome.as_json()})
        driver_seconds += time.perf_counter() - t
        proc.stdin.write(request + "\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline()) == {"ok": True}
    proc.stdin.close()
    proc.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = world.result()
    return {
        "cases_per_day": cases,
        "days": days,
        "decisions": decisions,
        "wall_seconds": round(wall, 1),
        "driver_seconds": round(driver_seconds, 1),
        "session_seconds": round(wall - driver_seconds, 1),
        "session_cpu_seconds": round(cpu, 1),
        "net_eur": round(result.net, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seeds", default="101-110", help="evaluation seeds, e.g. 101-110")
    ap.add_argument("--scratch", action="store_true", help="also learn from an empty prior")
    ap.add_argument("--session", action="store_true", help="measure the session command")
    ap.add_argument("--session-runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    prior = shipped_prior()
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "settings": {
            "cases": args.cases,
            "days": args.days,
            "seeds": seeds(args.seeds),
            "policy": policy_config(load_nba_settings()).as_dict(),
            "prior": {"version": prior.version, "note": prior.note},
        },
        "runs": [],
    }
    for seed in seeds(args.seeds):
        report["runs"].append(one_seed(seed, args))
    summary: dict[str, Any] = {}
    for name in POLICIES[1:]:
        rows = [r[name]["vs_standard"] for r in report["runs"] if name in r]
        if not rows:
            continue
        summary[name] = {
            metric: ci([row[metric] for row in rows])
            for metric in ("net", "contacts", "complaints")
        }
        total = {k: sum(r[name][k] for r in report["runs"]) for k in ("contacts", "complaints")}
        base = {
            k: sum(r["standard"][k] for r in report["runs"]) for k in ("contacts", "complaints")
        }
        summary[name]["totals_vs_standard"] = {
            k: total[k] / max(base[k], 1) for k in ("contacts", "complaints")
        }
    report["summary"] = summary
    for name, s in summary.items():
        n = s["net"]
        print(
            f"{name:<9} net {n['mean']:+.1%} ({n['low']:+.1%} … {n['high']:+.1%}), "
            f"contacts ×{s['totals_vs_standard']['contacts']:.2f}, "
            f"complaints ×{s['totals_vs_standard']['complaints']:.2f}"
        )
    if args.session:
        runs = [session_speed(3000, 90, 9999) for _ in range(args.session_runs)]
        report["session"] = {
            "runs": runs,
            "median_session_seconds": statistics.median(r["session_seconds"] for r in runs),
            "median_wall_seconds": statistics.median(r["wall_seconds"] for r in runs),
        }
        print(f"session: {report['session']}")
    report["machine"]["load_average_at_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
