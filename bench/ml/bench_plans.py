"""Plan-completion benchmark: quality on simulator seeds the model was not trained on.

For each run: simulate ``--train-seeds`` portfolios of ``--persons`` debtors, train the
plan-completion model on their judged plans (stated finances drawn as in
``ml/plan_finances.yaml``), then judge it on a fresh portfolio of another seed beside the
simulator's own probabilities (the oracle): AUC, Brier score and calibration error (ECE),
also without the stated-finance features (what the finances add) and the fairness audit
of the model's probabilities by sex, age band and nationality. Medians and ranges over
``--runs`` runs; a 95 % bootstrap interval of the AUC on the first run's held-out plans.
Also the time of one proposal in the domain (three options) and of scoring three options.

Usage: ``python bench/ml/bench_plans.py [--persons 100000] [--runs 3] [--train-seeds 3]``.
Writes ``bench/results/plans.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from mahnwerk.domain.affordability import Finances, PlanLimits, propose
from mahnwerk.ml import plan_completion as pc
from mahnwerk.ml.fairness import audit
from mahnwerk.ml.metrics import binary_metrics
from mahnwerk.ml.simulator import simulate

RESULTS = Path(__file__).resolve().parents[1] / "results" / "plans.json"
FINANCE_FEATURES = ("capacity_eur", "burden")


def portfolio(persons: int, seed: int) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    sim = simulate(persons, seed=seed)
    plans, feats = pc.training_data(sim.histories, capacity_cents=pc.simulated_capacity(sim, seed))
    return sim, plans, feats


def bootstrap_auc(y: np.ndarray, p: np.ndarray, n: int = 500, seed: int = 0) -> list[float]:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        i = rng.integers(0, len(y), len(y))
        if 0 < y[i].sum() < len(i):
            values.append(float(roc_auc_score(y[i], p[i])))
    return [float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))]


def one_run(run: int, persons: int, train_seeds: int, threads: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    parts = [portfolio(persons, 1000 * run + k) for k in range(1, train_seeds + 1)]
    feats = pd.concat([p[2] for p in parts], ignore_index=True)
    done = pd.concat([p[1]["completed"] for p in parts], ignore_index=True)
    groups = np.concatenate(
        [p[1]["person_id"].to_numpy() + 10_000_000 * k for k, p in enumerate(parts)]
    )
    t_data = time.perf_counter() - t0
    cfg = pc.PlanTrainConfig(num_threads=threads, seed=run)
    t1 = time.perf_counter()
    model, _ = pc.train(feats, done, groups, cfg)
    t_train = time.perf_counter() - t1
    blind = feats.assign(**{c: np.nan for c in FINANCE_FEATURES})
    model_blind, _ = pc.train(blind, done, groups, cfg)

    sim, plans, x = portfolio(persons, 1000 * run + 500)
    y = plans["completed"].to_numpy().astype(int)
    p = model.predict(x)
    oracle = pc.plan_oracle(sim, plans)
    stated = x["capacity_eur"].notna().to_numpy()
    out: dict[str, Any] = {
        "train_plans": len(feats),
        "eval_plans": len(x),
        "completed_share_eval": float(y.mean()),
        "model": binary_metrics(y, p),
        "model_without_finances": binary_metrics(
            y, model_blind.predict(x.assign(**{c: np.nan for c in FINANCE_FEATURES}))
        ),
        "oracle": binary_metrics(y, oracle),
        "model_stated_finances": binary_metrics(y[stated], p[stated]),
        "model_nothing_stated": binary_metrics(y[~stated], p[~stated]),
        "seconds": {"simulate_and_features": t_data, "train": t_train},
    }
    if run == 1:
        out["auc_bootstrap_95"] = bootstrap_auc(y, p)
    protected = (
        plans[["person_id"]]
        .reset_index()
        .merge(sim.protected, on="person_id", how="left")
        .set_index("plan_key")
        .drop(columns="person_id")
    )
    result = audit(
        pd.Series(p, index=x.index),
        pd.Series(y, index=x.index),
        protected,
        model.version,
        feature_names=list(pc.PLAN_FEATURES),
    )
    out["fairness"] = {
        "passed": result.passed,
        "failed": [
            f"{r['metric']}[{r['attribute']}]"
            for r in result.failed_checks().to_dict(orient="records")
        ],
        "checks": {
            f"{r['metric']}[{r['attribute']}]": round(float(r["value"]), 4)
            for r in result.checks.to_dict(orient="records")
        },
    }
    out["_model"], out["_x"] = model, x
    return out


def speed(model: Any, x: pd.DataFrame, runs: int) -> dict[str, float]:
    f = Finances(Decimal("2400"), 1, Decimal("750"), Decimal("250"))
    limits = PlanLimits(12, Decimal("25"))

    def domain() -> None:
        for _ in range(1000):
            propose(f, Decimal("1800.00"), limits, date(2026, 8, 1), date(2026, 7, 20))

    def score() -> None:
        for i in range(200):
            model.explain(x.iloc[3 * i : 3 * i + 3])

    d = [_timed(domain) / 1000 for _ in range(runs)]
    s = [_timed(score) / 200 for _ in range(runs)]
    return {
        "median_ms_domain_proposal": 1000 * statistics.median(d),
        "median_ms_score_three_options_with_reasons": 1000 * statistics.median(s),
    }


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--train-seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    load_start = os.getloadavg()
    runs = [
        one_run(r, args.persons, args.train_seeds, args.threads) for r in range(1, args.runs + 1)
    ]

    def summary(path: str) -> dict[str, float]:
        values = []
        for r in runs:
            v: Any = r
            for k in path.split("."):
                v = v[k]
            values.append(float(v))
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    keys = [
        f"{who}.{m}"
        for who in ("model", "model_without_finances", "oracle", "model_stated_finances",
                    "model_nothing_stated")
        for m in ("auc", "brier", "ece")
    ]  # fmt: skip
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "lightgbm": lgb.__version__,
            "load_average_at_start": list(load_start),
            "load_average_at_end": list(os.getloadavg()),
        },
        "settings": vars(args),
        "summary": {k: summary(k) for k in keys},
        "auc_bootstrap_95_first_run": runs[0]["auc_bootstrap_95"],
        "fairness_passed": [r["fairness"]["passed"] for r in runs],
        "runs": [{k: v for k, v in r.items() if not k.startswith("_")} for r in runs],
        "speed": speed(runs[0]["_model"], runs[0]["_x"], args.runs),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    s = result["summary"]
    print(
        f"plan completion on held-out seeds (median of {args.runs}): "
        f"AUC {s['model.auc']['median']:.3f} (without finances "
        f"{s['model_without_finances.auc']['median']:.3f}, oracle {s['oracle.auc']['median']:.3f}), "
        f"ECE {s['model.ece']['median']:.3f} (oracle {s['oracle.ece']['median']:.3f})"
    )
    print(json.dumps(result["speed"]))


if __name__ == "__main__":
    main()
