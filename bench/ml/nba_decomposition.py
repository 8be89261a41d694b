"""What each of the learned policy's estimates is worth: the policy with one of them replaced.

The learned policy (shipped prior, settings' defaults, greedy on its posterior means, learning
as it goes) acts in the contact world, but for some of its estimates it is handed other
numbers each morning:

* ``reach`` – the world's true chance that each contact gets through (it knows the debtor's
  hours, preferred channel, willingness and whether the contact data is outdated);
  ``call-reach`` – the same for the three call windows only;
* ``complaint`` – the world's true chance that a contact draws a complaint;
  ``complaint-no-cost`` – the same with every debtor's sensitivity to costs (a hidden trait
  that no answer reveals) replaced by the population's mean;
* ``payment`` – the world's true expected payment of today's contact, added to the policy's
  own value of ``none`` (instead of its payment models); ``payment-from-score`` – the same,
  but with the debtor's ability and willingness unknown beyond the platform's score: the
  mean over five other debtors of the same score (one of twenty equally frequent ranges),
  each with this debtor's change in willingness since day 0;
* ``inferred-reach``, ``inferred-complaint``, ``inferred-payment`` – the same as the world
  computes them, but with the debtor's preferred channel and hours not told: they are
  inferred for each debtor from what got through, by Bayes' rule over the population's mix
  with the world's own odds (:class:`nba_information.InferringOracle`, which knows the
  rest).

The estimate a substitute lifts most is where the learner loses most against the oracle; the
``inferred-`` ones bound what a per-debtor posterior over channel and hours could add to the
learner's own models. Figures are the mean of the per-seed ratios to ``standard`` with a
95 % t-interval (net recovery), contacts and complaints as the ratio of the totals.

Usage: ``python bench/ml/nba_decomposition.py --seeds 101-105 --use reach``
(``--use`` joins substitutes with ``+``; ``--use none`` is the policy as shipped;
``--complaint-share 3`` changes that price).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.config import load_nba_settings
from mahnwerk.ml.contact_world import ContactWorld, DayOutcome, StandardStrategy
from mahnwerk.ml.nba.policy import Policy, complaint_design
from mahnwerk.ml.nba.training import PolicyDriver, run, shipped_prior
from mahnwerk.ml.nba.views import ACTIONS, CONTACT_ACTIONS, CaseView, channel_of
from mahnwerk.services.nba.decisions import policy_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_nba import ci, seeds
from nba_information import InferringOracle, told

SUBSTITUTES = (
    "reach",
    "call-reach",
    "complaint",
    "complaint-no-cost",
    "payment",
    "payment-from-score",
    "inferred-reach",
    "inferred-complaint",
    "inferred-payment",
)


def _sig(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


class SubstitutePolicy(Policy):
    """The learned policy, greedy on its posterior means, with some estimates handed in.

    ``given`` maps ``reach``, ``complaint`` or ``payment`` to (n, 7) arrays for the cases of
    the next :meth:`decide` (column 0, ``none``, unused); the policy's own value of an action
    is corrected by the difference they make in its value formula."""

    given: dict[str, np.ndarray]

    def value_draws(
        self,
        X: np.ndarray,
        balance: np.ndarray,
        streak: np.ndarray,
        rng: np.random.Generator | None,
        draws: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        _, mean = super().value_draws(X, balance, streak, None, 1)
        given = getattr(self, "given", {})
        st, cfg = self.state, self.config
        stake = balance * np.clip(st.amount.predict(X)[0], 0.02, 1.0)
        base = st.pay.predict_base(X)[0]
        complaint_cost = cfg.complaint_price + cfg.complaint_share * balance
        for j, a in enumerate(CONTACT_ACTIONS, start=1):
            c = channel_of(a)
            reach = st.reach[a].probability(X)
            p1 = _sig(base + st.pay.predict_uplift(X, f"{c}:1")[0])
            p0 = _sig(base + st.pay.predict_uplift(X, f"{c}:0")[0])
            if "payment" in given:
                own = stake * (reach * p1 + (1.0 - reach) * p0)
                mean[:, j] += mean[:, 0] + given["payment"][:, j] - own
            elif "reach" in given:
                r = given["reach"][:, j]
                mean[:, j] += stake * np.where(np.isnan(r), 0.0, r - reach) * (p1 - p0)
            if "complaint" in given:
                own_c = st.complaint.probability(complaint_design(X, np.full(len(X), j)))
                mean[:, j] -= (given["complaint"][:, j] - own_c) * complaint_cost
        return mean[None], mean


class DecompositionDriver(PolicyDriver):
    """Hands the policy the substitutes ``use`` asks for, each morning."""

    policy: SubstitutePolicy

    def __init__(self, policy: SubstitutePolicy, *, seed: int, use: Sequence[str]) -> None:
        super().__init__(policy, seed=seed)
        self.use = tuple(use)

    def attach(self, world: ContactWorld) -> None:
        self.world = world
        self.inferring: InferringOracle | None = None
        self.partners: list[np.ndarray] = []
        if "payment-from-score" in self.use:
            self.partners = _score_partners(world, k=5, bins=20, seed=world.seed)
        if any(u.startswith("inferred-") for u in self.use):
            self.inferring = InferringOracle.for_policy(self.policy.config, reactions=False)
            self.inferring.attach(world)

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        w, n = self.world, len(views)
        idx = w._open
        given: dict[str, np.ndarray] = {}
        truth = {k: np.zeros((n, len(ACTIONS))) for k in ("reach", "complaint", "payment")}
        wanted = set(self.use)
        for a in range(1, len(ACTIONS)):
            act = np.full(n, a)
            if wanted & {"reach", "call-reach", "complaint", "complaint-no-cost"}:
                truth["reach"][:, a] = w.reach_probability(idx, act)
            if "complaint" in wanted:
                truth["complaint"][:, a] = truth["reach"][:, a] * w.complaint_probability(idx, act)
            if "complaint-no-cost" in wanted:
                with told(w, {"cost_sens": np.full_like(w.cost_sens, w.cost_sens.mean())}):
                    p = w.complaint_probability(idx, act)
                truth["complaint"][:, a] = truth["reach"][:, a] * p
            if "payment" in wanted:
                truth["payment"][:, a] = w.expected_payment(idx, act)
            if "payment-from-score" in wanted:
                truth["payment"][:, a] = self._payment_from_score(idx, act)
        if "reach" in wanted:
            given["reach"] = truth["reach"]
        if "call-reach" in wanted:
            calls = np.array([channel_of(a) == "call" for a in ACTIONS])
            given["reach"] = np.where(calls[None, :], truth["reach"], np.nan)
        if wanted & {"complaint", "complaint-no-cost"}:
            given["complaint"] = truth["complaint"]
        if wanted & {"payment", "payment-from-score"}:
            given["payment"] = truth["payment"]
        tables: dict[str, np.ndarray] = {}
        if self.inferring is not None:
            tables = self.inferring.tables(
                views,
                complaints="inferred-complaint" in self.use,
                payments="inferred-payment" in self.use,
            )
            if "inferred-reach" in self.use:
                given["reach"] = self.inferring.expected(tables["reach"])
            if "inferred-complaint" in self.use:
                given["complaint"] = self.inferring.expected(tables["complaint"])
            if "inferred-payment" in self.use:
                given["payment"] = self.inferring.expected(tables["payment"])
        self.policy.given = given
        actions = super().decide(views, day)
        if self.inferring is not None:
            self.inferring.note_actions(tables, actions)
        return actions

    def _payment_from_score(self, idx: np.ndarray, act: np.ndarray) -> np.ndarray:
        w = self.world
        drift = w.willingness - w.willingness0
        out = np.zeros(len(idx))
        for partner in self.partners:
            guess = {
                "ability": w.ability[partner],
                "willingness": w.willingness0[partner] + drift,
            }
            with told(w, guess):
                out += w.expected_payment(idx, act)
        return out / len(self.partners)

    def learn(self, day: int, outcome: DayOutcome) -> None:
        if self.inferring is not None:
            self.inferring.learn(day, outcome)
        super().learn(day, outcome)


def _score_partners(world: ContactWorld, *, k: int, bins: int, seed: int) -> list[np.ndarray]:
    """``k`` arrays: for each debtor another debtor drawn from the same range of the score."""
    rng = np.random.default_rng([seed, 4242])
    edges = np.quantile(world.score, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    group = np.searchsorted(edges, world.score)
    out = [np.arange(world.n) for _ in range(k)]
    for g in range(bins):
        members = np.flatnonzero(group == g)
        for partner in out:
            partner[members] = rng.choice(members, size=len(members))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="101-105")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--use", default="none", help="substitutes joined by +, or none")
    ap.add_argument("--complaint-share", type=float)
    ap.add_argument("--out", type=Path, help="write the per-seed figures as JSON")
    args = ap.parse_args()
    use = [u for u in args.use.split("+") if u and u != "none"]
    unknown = sorted(set(use) - set(SUBSTITUTES))
    if unknown:
        ap.error(f"unknown substitute {unknown[0]!r}; choose from {', '.join(SUBSTITUTES)}")
    cfg = policy_config(load_nba_settings())
    if args.complaint_share is not None:
        cfg = replace(cfg, complaint_share=args.complaint_share)
    costs = {k: float(v) for k, v in cfg.costs.items()}
    rows: list[dict[str, Any]] = []
    for seed in seeds(args.seeds):
        world = ContactWorld(args.cases, seed=seed, costs=costs, days=90)
        std = run(world, StandardStrategy())
        policy = SubstitutePolicy(shipped_prior(), cfg)
        r = run(world, DecompositionDriver(policy, seed=seed, use=use))
        rows.append(
            {
                "seed": seed,
                "net": r.net / std.net - 1.0,
                "contacts": [r.contacts, std.contacts],
                "complaints": [r.complaints, std.complaints],
            }
        )
        print(
            f"seed {seed}: net {rows[-1]['net']:+.1%}, contacts x {r.contacts / std.contacts:.2f},"
            f" complaints x {r.complaints / std.complaints:.2f}",
            flush=True,
        )
    c = ci([row["net"] for row in rows])
    net = (c["mean"], c["low"], c["high"])
    contacts = sum(row["contacts"][0] for row in rows) / sum(row["contacts"][1] for row in rows)
    complaints = sum(row["complaints"][0] for row in rows) / sum(
        row["complaints"][1] for row in rows
    )
    label = "+".join(use) or "none"
    print(
        f"{label} (complaint share {cfg.complaint_share:g}): net {net[0]:+.1%} "
        f"({net[1]:+.1%} … {net[2]:+.1%}), contacts x {contacts:.2f}, "
        f"complaints x {complaints:.2f} (ratio of the totals, {len(rows)} seeds)"
    )
    if args.out:
        summary = {"net": net, "contacts": contacts, "complaints": complaints}
        args.out.write_text(
            json.dumps(
                {"use": use, "config": cfg.as_dict(), "runs": rows, "summary": summary}, indent=1
            )
        )


if __name__ == "__main__":
    main()
