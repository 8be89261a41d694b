"""Drift monitoring: population stability index (PSI) of scores and features between runs.

PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, with e the shares of the reference run (e.g. the
training data or last month's run) and a those of the current run. Bins are reference
deciles for continuous variables, the values themselves for variables with few distinct
values; missing values form a bin of their own. Rule of thumb used here: below 0.1 stable,
0.1–0.2 watch, from 0.2 (:data:`PSI_ALERT`) alert – the model probably no longer fits.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

PSI_ALERT = 0.2
PSI_WATCH = 0.1
_EPS = 1e-4

STATUS_DE = {"stable": "stabil", "watch": "beobachten", "alert": "Alarm"}


def _shares(values: np.ndarray, edges: np.ndarray | None, cats: np.ndarray | None) -> np.ndarray:
    nan = np.isnan(values)
    v = values[~nan]
    if cats is not None:
        idx = np.searchsorted(cats, v)
        known = (idx < len(cats)) & (cats[np.minimum(idx, len(cats) - 1)] == v)
        counts = np.bincount(idx[known], minlength=len(cats)).astype(float)
        counts = np.append(counts, (~known).sum())  # values unseen in the reference
    else:
        assert edges is not None
        counts = np.bincount(np.searchsorted(edges, v, side="right"), minlength=len(edges) + 1)
        counts = counts.astype(float)
    counts = np.append(counts, nan.sum())
    total = max(len(values), 1)
    return np.asarray(counts / total)


def psi(reference: Iterable[float], current: Iterable[float], bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference``."""
    ref = np.asarray(list(reference) if not isinstance(reference, np.ndarray) else reference, float)
    cur = np.asarray(list(current) if not isinstance(current, np.ndarray) else current, float)
    finite = ref[~np.isnan(ref)]
    uniq = np.unique(finite)
    cats: np.ndarray | None = None
    edges: np.ndarray | None = None
    if len(uniq) <= bins:
        cats = uniq
    else:
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
    e = np.maximum(_shares(ref, edges, cats), _EPS)
    a = np.maximum(_shares(cur, edges, cats), _EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def status(value: float, threshold: float = PSI_ALERT) -> str:
    """``stable``, ``watch`` or ``alert`` for a PSI value."""
    if value >= threshold:
        return "alert"
    return "watch" if value >= PSI_WATCH else "stable"


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Iterable[str] | None = None,
    threshold: float = PSI_ALERT,
    bins: int = 10,
) -> pd.DataFrame:
    """PSI per column (scores and/or features) of two runs, sorted by PSI.

    Columns: ``variable``, ``psi``, ``status`` (stable/watch/alert), ``status_de``, ``alert``.
    """
    cols = list(columns) if columns is not None else [c for c in reference if c in current]
    rows = []
    for c in cols:
        if not pd.api.types.is_numeric_dtype(reference[c]):
            continue
        value = psi(
            reference[c].to_numpy(np.float64, na_value=np.nan),
            current[c].to_numpy(np.float64, na_value=np.nan),
            bins,
        )
        s = status(value, threshold)
        rows.append(
            {
                "variable": c,
                "psi": value,
                "status": s,
                "status_de": STATUS_DE[s],
                "alert": s == "alert",
            }
        )
    out = pd.DataFrame(rows, columns=["variable", "psi", "status", "status_de", "alert"])
    return out.sort_values("psi", ascending=False, ignore_index=True)


def any_alert(report: pd.DataFrame) -> bool:
    """True if any variable of a :func:`drift_report` crossed the alert threshold."""
    return bool(report["alert"].any())
