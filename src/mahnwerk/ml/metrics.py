"""Model metrics shared by training, the benchmark and the fairness audit."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


def reliability_curve(y_true: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Reliability (calibration) curve on equal-width probability bins.

    One entry per non-empty bin: lower/upper bound, number of cases, mean predicted
    probability and observed rate – the data behind a reliability diagram.
    """
    y = np.asarray(y_true, dtype=float)
    q = np.asarray(p, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(q, edges[1:-1], right=False), 0, bins - 1)
    out = []
    for b in range(bins):
        sel = which == b
        n = int(sel.sum())
        if n:
            out.append(
                {
                    "lower": float(edges[b]),
                    "upper": float(edges[b + 1]),
                    "n": n,
                    "mean_predicted": float(q[sel].mean()),
                    "observed_rate": float(y[sel].mean()),
                }
            )
    return out


def expected_calibration_error(y_true: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE: case-weighted mean |observed rate − mean prediction| over equal-width bins."""
    curve = reliability_curve(y_true, p, bins)
    n = sum(c["n"] for c in curve)
    if n == 0:
        return float("nan")
    return float(sum(c["n"] * abs(c["observed_rate"] - c["mean_predicted"]) for c in curve) / n)


def binary_metrics(y_true: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, Brier score, ECE, mean prediction and observed rate of a probability score."""
    y = np.asarray(y_true, dtype=int)
    q = np.asarray(p, dtype=float)
    auc = float(roc_auc_score(y, q)) if 0 < y.sum() < len(y) else float("nan")
    return {
        "auc": auc,
        "brier": float(brier_score_loss(y, q)),
        "ece": expected_calibration_error(y, q),
        "mean_predicted": float(q.mean()),
        "observed_rate": float(y.mean()),
        "n": len(y),
    }
