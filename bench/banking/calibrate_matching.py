"""Fit and calibrate the matcher's weights on the noisy statement generator.

Usage: .venv/bin/python bench/banking/calibrate_matching.py [--items N] [--entries N]
       [--train-seeds 11 12] [--calibration-seeds 13] [--out PATH]

1. Training: for every entry of the generated statements (seeds ``--train-seeds``, never the
   benchmark's 2025) the matcher lists its candidates with their binary features
   (:meth:`~mahnwerk.banking.matching.MatchIndex.features`); the right one is the candidate
   whose allocation equals the label (or "none"). The weights of a conditional logit (one
   weight per feature plus the score of "none") are fitted by maximum likelihood with a small
   L2 penalty (L-BFGS, deterministic).
2. Calibration: on further statements (``--calibration-seeds``) the best candidate's softmax
   probability is mapped to the observed share of right answers by isotonic regression; the
   map's knots are stored with the weights.
3. The result is written to ``src/mahnwerk/banking/data/match_model.json`` (shipped with the
   package). With ``--check-seed`` the shipped matcher then runs with it on statements of
   that seed (nothing was fitted on them; the benchmark's is 2025): quality at the default
   threshold, and the reliability of its best candidates (confidence bins against the share
   that was right), which is stored with the model.

The same generator with the benchmark's seed then measures precision and the share booked
automatically (``bench/banking/bench_matching.py``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, sparse
from sklearn.isotonic import IsotonicRegression

from mahnwerk.banking.generator import (
    generate_entries,
    generate_open_items,
    outcome,
    score_outcomes,
)
from mahnwerk.banking.match_model import FEATURES, MatchModel
from mahnwerk.banking.matching import MatchIndex, decide

COLUMN = {f: i for i, f in enumerate(FEATURES)}
OUT = Path(__file__).resolve().parents[2] / "src" / "mahnwerk" / "banking" / "data"


@dataclass
class Groups:
    """Candidates of many entries: a sparse feature matrix, group offsets, the right row."""

    x: sparse.csr_matrix
    starts: np.ndarray  # first row of each group
    counts: np.ndarray
    target: np.ndarray  # row of the right candidate, -1 for "none"

    @property
    def n(self) -> int:
        return len(self.starts)


def collect(items: int, entries: int, seed: int) -> Groups:
    t0 = time.perf_counter()
    portfolio = generate_open_items(items, seed)
    rows, labels = generate_entries(portfolio, entries, seed + 1)
    index = MatchIndex(portfolio.items, portfolio.learned, as_of=portfolio.as_of)
    indptr, indices = [0], []
    starts, counts, target = [], [], []
    row = 0
    for entry, label in zip(rows, labels, strict=True):
        cands = index.features(entry)
        if not cands:
            continue
        starts.append(row)
        counts.append(len(cands))
        right = -1
        for k, (features, allocations) in enumerate(cands):
            indices.extend(sorted({COLUMN[f] for f in features}))
            indptr.append(len(indices))
            if right < 0 and label.allocations and allocations == label.allocations:
                right = row + k
        target.append(right)
        row += len(cands)
    x = sparse.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices), np.asarray(indptr)),
        shape=(row, len(FEATURES)),
    )
    print(
        f"seed {seed}: {len(starts):,} entries with candidates, {row:,} candidates "
        f"({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )
    return Groups(x, np.asarray(starts), np.asarray(counts), np.asarray(target))


def stack(parts: list[Groups]) -> Groups:
    offset = 0
    starts, targets = [], []
    for g in parts:
        starts.append(g.starts + offset)
        targets.append(np.where(g.target >= 0, g.target + offset, -1))
        offset += g.x.shape[0]
    return Groups(
        sparse.vstack([g.x for g in parts]).tocsr(),
        np.concatenate(starts),
        np.concatenate([g.counts for g in parts]),
        np.concatenate(targets),
    )


def softmax(g: Groups, w: np.ndarray, none: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-row probabilities and per-group probability of "none"."""
    s = g.x @ w
    top = np.maximum(np.maximum.reduceat(s, g.starts), none)
    e = np.exp(s - np.repeat(top, g.counts))
    e_none = np.exp(none - top)
    total = np.add.reduceat(e, g.starts) + e_none
    return e / np.repeat(total, g.counts), e_none / total


def fit(g: Groups, l2: float) -> MatchModel:
    y = np.zeros(g.x.shape[0])
    y[g.target[g.target >= 0]] = 1.0
    none_is_right = (g.target < 0).astype(float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, none = theta[:-1], theta[-1]
        p, p_none = softmax(g, w, none)
        picked = np.where(g.target >= 0, p[np.maximum(g.target, 0)], p_none)
        nll = -np.sum(np.log(np.maximum(picked, 1e-300))) + l2 * float(w @ w)
        grad_w = g.x.T @ (p - y) + 2 * l2 * w
        grad_none = np.sum(p_none - none_is_right)
        return nll, np.append(grad_w, grad_none)

    theta0 = np.zeros(len(FEATURES) + 1)
    res = optimize.minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    print(f"fit: {res.message}, negative log-likelihood {res.fun:,.1f} over {g.n:,} entries")
    w, none = res.x[:-1], res.x[-1]
    return MatchModel(weights={f: float(v) for f, v in zip(FEATURES, w, strict=True)}, none=none)


def best(g: Groups, model: MatchModel) -> tuple[np.ndarray, np.ndarray]:
    """The best candidate's raw probability per group, and whether it is the right one."""
    w = np.asarray([model.weights.get(f, 0.0) for f in FEATURES])
    p, _ = softmax(g, w, model.none)
    ends = g.starts + g.counts
    top_p = np.maximum.reduceat(p, g.starts)
    right = np.zeros(g.n, dtype=bool)
    for k in range(g.n):  # the argmax per group (ties: the first row)
        rows = p[g.starts[k] : ends[k]]
        right[k] = g.starts[k] + int(np.argmax(rows)) == g.target[k]
    return top_p, right


def calibrate(model: MatchModel, g: Groups) -> tuple[MatchModel, list[dict[str, float]]]:
    p, right = best(g, model)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    iso.fit(p, right.astype(float))
    xs, ys = iso.X_thresholds_, iso.y_thresholds_
    calibrated = MatchModel(
        weights=model.weights,
        none=model.none,
        calibration_x=tuple(float(x) for x in xs),
        calibration_y=tuple(float(y) for y in ys),
    )
    q = np.asarray([calibrated.calibrate(float(v)) for v in p])
    return calibrated, reliability(q, right)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--calibration-seeds", type=int, nargs="+", default=[13])
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", default=str(OUT / "match_model.json"))
    parser.add_argument("--check-seed", type=int, default=0, help="evaluate on this seed after")
    args = parser.parse_args()

    train = stack([collect(args.items, args.entries, s) for s in args.train_seeds])
    model = fit(train, args.l2)
    held = stack([collect(args.items, args.entries, s) for s in args.calibration_seeds])
    model, table = calibrate(model, held)
    for row in table:
        print(row)
    model = MatchModel(
        weights=model.weights,
        none=model.none,
        calibration_x=model.calibration_x,
        calibration_y=model.calibration_y,
        meta={
            "how": "conditional logit (maximum likelihood, L2) on the noisy generator, then "
            "isotonic calibration of the best candidate on further generated statements; "
            "bench/banking/calibrate_matching.py",
            "items": args.items,
            "entries": args.entries,
            "train_seeds": args.train_seeds,
            "calibration_seeds": args.calibration_seeds,
            "l2": args.l2,
            "reliability_on_calibration_seeds (fitted there)": table,
        },
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_json(), indent=1, ensure_ascii=False) + "\n")
    print(f"written to {out}")
    for f in FEATURES:
        print(f"  {f:16s} {model.weights[f]:8.3f}")
    print(f"  {'none':16s} {model.none:8.3f}")
    if args.check_seed:
        check(model, args.items, args.entries, args.check_seed, out)


def reliability(confidence: np.ndarray, right: np.ndarray) -> list[dict[str, float]]:
    table = []
    edges = (0.0, 0.5, 0.8, 0.9, 0.99, 0.999, 1.0000001)
    for lo, hi in itertools.pairwise(edges):
        mask = (confidence >= lo) & (confidence < hi)
        if mask.any():
            table.append(
                {
                    "from": lo,
                    "to": min(hi, 1.0),
                    "entries": int(mask.sum()),
                    "mean_confidence": round(float(confidence[mask].mean()), 5),
                    "share_right": round(float(right[mask].mean()), 5),
                }
            )
    return table


def check(model: MatchModel, items: int, entries: int, seed: int, out: Path) -> None:
    """The shipped matcher with the new model on statements nothing was fitted on: the
    quality at the default threshold and the reliability of its best candidates."""
    portfolio = generate_open_items(items, seed)
    rows, labels = generate_entries(portfolio, entries, seed + 1)
    index = MatchIndex(portfolio.items, portfolio.learned, as_of=portfolio.as_of, model=model)
    outcomes, confidence, right = [], [], []
    for entry, label in zip(rows, labels, strict=True):
        cands = index.match(entry)
        outcomes.append(outcome(*decide(cands)))
        if cands:
            confidence.append(cands[0].confidence)
            right.append(cands[0].allocations == label.allocations)
    q = score_outcomes(outcomes, labels)
    print(
        f"check seed {seed}: precision {q.precision:.5f}, auto share {q.auto_share:.4f} "
        f"(all belonging {q.auto_share_all:.4f})"
    )
    for k, v in sorted(q.by_scenario.items()):
        print(f"  {k:14s} {v}")
    table = reliability(np.asarray(confidence), np.asarray(right))
    for row in table:
        print(row)
    data = json.loads(out.read_text())
    data["meta"]["reliability_on_check_seed"] = {"seed": seed, "bins": table}
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
