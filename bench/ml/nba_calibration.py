"""How well the learned policy's values match the simulator's truth, by action and period.

For one seed the learned policy (shipped prior, settings' defaults, learning as it goes) acts
in the contact world. Each morning, for every case with a contact it may choose, the policy's
posterior-mean value of each eligible action (relative to ``none``) is set beside the value
the oracle computes from the hidden traits with the same prices (true expected payment of
today's contact minus its cost, the annoyance and the complaint price). Per action and
period of the case: the mean of both, their correlation, and how often each is positive.

A policy that comes close to the oracle needs values that are right where it decides. This
is the diagnostic behind the README's note on where the learner falls short (values too low
and weakly correlated with the truth after the first week).

Usage: ``python bench/ml/nba_calibration.py [--seed 106] [--cases 3000] [--prior FILE]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.config import load_nba_settings
from mahnwerk.ml.contact_world import ContactWorld, Oracle
from mahnwerk.ml.nba.policy import Policy, PolicyState
from mahnwerk.ml.nba.training import PolicyDriver, run, shipped_prior
from mahnwerk.ml.nba.views import ACTIONS, CaseView
from mahnwerk.services.nba.decisions import policy_config

PERIODS = ((0, 1), (1, 8), (8, 22), (22, 45), (45, 90))


class CalibrationDriver(PolicyDriver):
    """The learned policy, noting its values and the true ones each morning."""

    rows: list[np.ndarray]

    def attach(self, world: ContactWorld) -> None:
        self.oracle = Oracle.for_policy(self.policy.config)
        self.oracle.attach(world)
        self.rows = []

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        d = self.policy.decide(views, seed=[self.seed, day])
        self.learner.record(day, views, d)
        eligible = np.isfinite(d.values)
        learned = np.where(eligible, d.values - d.values[:, :1], np.nan)
        truth = np.where(eligible, self.oracle.values(views), np.nan)
        some = eligible[:, 1:].any(axis=1)
        day_col = np.full((int(some.sum()), 1), float(day))
        self.rows.append(np.hstack([day_col, learned[some], truth[some]]))
        return d.actions


def table(rows: np.ndarray) -> list[dict[str, Any]]:
    day, learned, truth = rows[:, 0], rows[:, 1:8], rows[:, 8:15]
    out = []
    for a in range(1, len(ACTIONS)):
        for lo, hi in PERIODS:
            sel = (day >= lo) & (day < hi) & np.isfinite(learned[:, a])
            if sel.sum() < 20:
                continue
            x, y = learned[sel, a], truth[sel, a]
            out.append(
                {
                    "action": ACTIONS[a],
                    "days": f"{lo}-{hi - 1}",
                    "n": int(sel.sum()),
                    "learned": float(x.mean()),
                    "true": float(y.mean()),
                    "corr": float(np.corrcoef(x, y)[0, 1]),
                    "true_positive": float((y > 0).mean()),
                    "learned_positive": float((x > 0).mean()),
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=106)
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--prior", type=Path, help="a policy state (default: the shipped prior)")
    args = ap.parse_args()
    cfg = policy_config(load_nba_settings())
    state = PolicyState.load(args.prior) if args.prior else shipped_prior()
    world = ContactWorld(
        args.cases,
        seed=args.seed,
        costs={k: float(v) for k, v in cfg.costs.items()},
        days=args.days,
    )
    driver = CalibrationDriver(Policy(state, cfg), seed=args.seed)
    run(world, driver)
    print(f"seed {args.seed}, {args.cases} cases, policy {state.version}: value of each action")
    print("relative to none in euros, the policy's posterior mean against the truth")
    print(
        f"{'action':<15}{'days':>7}{'n':>8}{'learned':>9}{'true':>9}{'corr':>7}"
        f"{'true>0':>8}{'learned>0':>10}"
    )
    for r in table(np.vstack(driver.rows)):
        print(
            f"{r['action']:<15}{r['days']:>7}{r['n']:>8}{r['learned']:>9.1f}{r['true']:>9.1f}"
            f"{r['corr']:>7.2f}{r['true_positive']:>8.2f}{r['learned_positive']:>10.2f}"
        )


if __name__ == "__main__":
    main()
