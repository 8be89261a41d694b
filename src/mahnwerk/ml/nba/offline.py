"""Offline evaluation of a policy on logged decisions: inverse propensity (IPS), its
self-normalised form (SNIPS) and the doubly robust estimate (DR), with confidence intervals.

Every logged decision carries its features, the actions that were eligible, the action taken,
the probability with which it was drawn (its propensity) and the reward that followed: the
euros paid within the horizon minus the contact's cost. For a target policy ``π``:

* IPS: ``mean( π(a_i|x_i) / p_i · r_i )`` – unbiased when every action ``π`` may take had a
  positive propensity (the logging policy's exploration floor sees to that);
* SNIPS: the same divided by ``mean(π(a_i|x_i) / p_i)`` – a little biased, less variable;
* DR: ``mean( Σ_a π(a|x_i) q(x_i, a) + π(a_i|x_i) / p_i · (r_i − q(x_i, a_i)) )`` with a
  reward model ``q`` – unbiased if either the propensities or ``q`` are right, and far less
  variable than IPS when ``q`` is good.

Intervals are normal (95 %) with standard errors **clustered by case**: the decisions on one
case over many days are not independent. The value is euros per decision (per case and day).

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> n = 4000
>>> logged = LoggedDecisions(
...     case=np.arange(n) % 400, action=rng.integers(0, 2, n),
...     propensity=np.full(n, 0.5), reward=np.zeros(n))
>>> logged.reward = np.where(logged.action == 1, 1.0, 0.0) + rng.normal(0, 0.1, n)
>>> target = np.column_stack([np.zeros(n), np.ones(n)])  # always action 1
>>> e = ips(logged, target)
>>> round(e.value, 1), e.low < 1.0 < e.high
(1.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

Z95 = 1.959963984540054


@dataclass
class LoggedDecisions:
    """Logged decisions in arrays (rows are decisions)."""

    case: np.ndarray  # cluster id (any hashable values, as array)
    action: np.ndarray  # index into ACTIONS
    propensity: np.ndarray
    reward: np.ndarray  # euros: paid within the horizon minus the contact's cost
    features: np.ndarray | None = None
    balance: np.ndarray | None = None
    streak: np.ndarray | None = None
    mask: np.ndarray | None = None  # (n, 7) eligible actions when it was decided
    extra: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.action)


@dataclass(frozen=True)
class Estimate:
    method: str
    value: float
    se: float
    n: int
    #: effective sample size of the importance weights (small: the estimate rests on few rows)
    ess: float = float("nan")

    @property
    def low(self) -> float:
        return self.value - Z95 * self.se

    @property
    def high(self) -> float:
        return self.value + Z95 * self.se

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "value": round(self.value, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "se": round(self.se, 6),
            "n": self.n,
            "ess": None if np.isnan(self.ess) else round(self.ess, 1),
        }


def clustered_se(contrib: np.ndarray, cluster: np.ndarray) -> float:
    """Standard error of ``mean(contrib)`` with rows of one cluster summed first."""
    n = len(contrib)
    if n < 2:
        return float("nan")
    _, inverse = np.unique(cluster, return_inverse=True)
    dev = contrib - contrib.mean()
    sums = np.bincount(inverse, weights=dev)
    g = len(sums)
    correction = g / (g - 1) if g > 1 else 1.0
    return float(np.sqrt(correction * (sums**2).sum()) / n)


def _weights(logged: LoggedDecisions, target: np.ndarray) -> np.ndarray:
    rows = np.arange(len(logged))
    return np.asarray(target[rows, logged.action] / np.maximum(logged.propensity, 1e-12))


def _ess(w: np.ndarray) -> float:
    s = float(w.sum())
    return s * s / float((w * w).sum()) if s > 0 else 0.0


def ips(logged: LoggedDecisions, target: np.ndarray) -> Estimate:
    """Inverse propensity estimate of the target's value (``target``: (n, 7) probabilities)."""
    w = _weights(logged, target)
    contrib = w * logged.reward
    return Estimate(
        "IPS", float(contrib.mean()), clustered_se(contrib, logged.case), len(w), _ess(w)
    )


def snips(logged: LoggedDecisions, target: np.ndarray) -> Estimate:
    """Self-normalised IPS (linearised standard error)."""
    w = _weights(logged, target)
    mean_w = float(w.mean())
    value = float((w * logged.reward).mean() / mean_w)
    contrib = w * (logged.reward - value) / mean_w + value
    return Estimate("SNIPS", value, clustered_se(contrib, logged.case), len(w), _ess(w))


def doubly_robust(logged: LoggedDecisions, target: np.ndarray, q: np.ndarray) -> Estimate:
    """Doubly robust estimate with reward model ``q`` ((n, 7) expected rewards in euros)."""
    rows = np.arange(len(logged))
    w = _weights(logged, target)
    q_safe = np.where(np.isfinite(q), q, 0.0)
    direct = (target * q_safe).sum(axis=1)
    contrib = direct + w * (logged.reward - q_safe[rows, logged.action])
    return Estimate(
        "DR", float(contrib.mean()), clustered_se(contrib, logged.case), len(w), _ess(w)
    )


def on_policy(logged: LoggedDecisions) -> Estimate:
    """The logging policy's own value: the mean reward of what was done."""
    r = logged.reward
    return Estimate("logged", float(r.mean()), clustered_se(r, logged.case), len(r))


@dataclass(frozen=True)
class Comparison:
    """A candidate against the current policy on the same logged decisions."""

    candidate: dict[str, Estimate]
    current: dict[str, Estimate]
    #: candidate minus current, per method, with a paired (clustered) interval
    difference: dict[str, Estimate]

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": {k: v.as_dict() for k, v in self.candidate.items()},
            "current": {k: v.as_dict() for k, v in self.current.items()},
            "difference": {k: v.as_dict() for k, v in self.difference.items()},
        }


def compare(
    logged: LoggedDecisions,
    candidate: np.ndarray,
    current: np.ndarray,
    q: np.ndarray,
) -> Comparison:
    """IPS and DR of both policies and of their difference (paired by decision)."""
    rows = np.arange(len(logged))
    q_safe = np.where(np.isfinite(q), q, 0.0)
    out_cand: dict[str, Estimate] = {}
    out_cur: dict[str, Estimate] = {}
    diff: dict[str, Estimate] = {}
    for name in ("IPS", "DR"):
        parts = []
        for target in (candidate, current):
            w = _weights(logged, target)
            if name == "IPS":
                parts.append(w * logged.reward)
            else:
                direct = (target * q_safe).sum(axis=1)
                parts.append(direct + w * (logged.reward - q_safe[rows, logged.action]))
        cand, cur = parts
        out_cand[name] = Estimate(
            name,
            float(cand.mean()),
            clustered_se(cand, logged.case),
            len(cand),
            _ess(_weights(logged, candidate)),
        )
        out_cur[name] = Estimate(
            name,
            float(cur.mean()),
            clustered_se(cur, logged.case),
            len(cur),
            _ess(_weights(logged, current)),
        )
        d = cand - cur
        diff[name] = Estimate(name, float(d.mean()), clustered_se(d, logged.case), len(d))
    return Comparison(out_cand, out_cur, diff)


__all__ = [
    "Comparison",
    "Estimate",
    "LoggedDecisions",
    "clustered_se",
    "compare",
    "doubly_robust",
    "ips",
    "on_policy",
    "snips",
]
