"""What the oracle's knowledge is worth: the oracle with some hidden traits hidden from it.

The oracle of :mod:`mahnwerk.ml.contact_world` knows every debtor's hidden traits. Here it
is made blind to some of them: for each hidden trait it averages its values over the
population's distribution of that trait (and never learns it from the debtor's answers).
Hideable:

* ``channel`` – the preferred channel (four values, weighted by their frequency);
* ``hours`` – the preferred hour, as the distances to the three call windows (the six most
  frequent patterns, rounded to hours, weighted by their frequency);
* ``outdated`` – whether the contact data is outdated (both values, weighted);
* ``cost`` – the sensitivity to costs, which drives complaints (the middles of five equally
  frequent ranges).

The learned policy cannot see these either, but learns them from the debtor's answers: a
learner above the blind oracle has recovered part of what the oracle was told. With
``--infer`` the oracle is told neither the channel nor the hours but infers both for each
debtor (:class:`InferringOracle`); with ``--sample`` as well it explores: each day it acts on
one hypothesis per debtor drawn from its belief (posterior sampling) instead of on the
belief's average. With ``--mix joint`` the blind oracle weighs the combinations of channel and
hours by their share among all debtors, with ``--mix kind`` among the debtors of the same kind
(consumer or business, which the platform knows); by default channel and hours are weighed
each by its own frequency.
Figures are the mean of the per-seed ratios to ``standard`` (net recovery, contacts,
complaints).

Usage: ``python bench/ml/nba_information.py --seeds 106-108 --hide channel+hours [--mix kind]``
or ``… --infer [--no-reactions] [--sample]``; ``--contact-price`` and ``--complaint-share``
change those prices.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
from bench_nba import ci, seeds

from mahnwerk.config import load_nba_settings
from mahnwerk.ml.contact_world import ContactWorld, DayOutcome, Oracle, StandardStrategy
from mahnwerk.ml.nba.training import run
from mahnwerk.ml.nba.views import ACTION_INDEX, ACTIONS, CaseView
from mahnwerk.services.nba.decisions import policy_config

#: values to tell the world, and their weight (one for all debtors, or one per debtor)
Setting = tuple[dict[str, np.ndarray], float | np.ndarray]
Uniform = tuple[dict[str, np.ndarray], float]
#: how the blind oracle weighs hidden channel and hours: each by its frequency among all
#: debtors, their combinations so, or their combinations among debtors of the same kind
MIXES = ("population", "joint", "kind")


def _product(settings: list[Uniform], options: list[Uniform]) -> list[Uniform]:
    return [({**s, **o}, p * q) for s, p in settings for o, q in options]


@contextmanager
def told(world: ContactWorld, traits: dict[str, np.ndarray]) -> Iterator[None]:
    """The world with ``traits`` in place of the debtors' own while the oracle computes."""
    own = {name: getattr(world, name) for name in traits}
    try:
        for name, value in traits.items():
            setattr(world, name, value)
        yield
    finally:
        for name, value in own.items():
            setattr(world, name, value)


class BlindOracle(Oracle):
    """The oracle, averaging its values over the population for the hidden traits."""

    def __init__(self, hide: Sequence[str], *, mix: str = "population", **prices: Any) -> None:
        super().__init__(**prices)
        if mix not in MIXES:
            raise ValueError(f"mix: one of {', '.join(MIXES)}, not {mix!r}")
        self.hide = tuple(hide)
        self.mix = mix
        self._cached: list[Setting] | None = None

    def attach(self, world: ContactWorld) -> None:
        super().attach(world)
        self._cached = None

    def _settings(self, world: ContactWorld) -> list[Setting]:
        if self.mix != "population":
            return self._joint_settings(world, by_kind=self.mix == "kind")
        settings: list[Uniform] = [({}, 1.0)]
        if "channel" in self.hide:
            freq = np.bincount(world.pref, minlength=4) / len(world.pref)
            options = [({"pref": np.full_like(world.pref, k)}, float(freq[k])) for k in range(4)]
            settings = _product(settings, options)
        if "hours" in self.hide:
            patterns, inverse = np.unique(
                np.round(world.window_distance, 0), axis=0, return_inverse=True
            )
            counts = np.bincount(inverse.ravel())
            top = np.argsort(-counts)[:6]
            total = counts[top].sum()
            n = len(world.window_distance)
            options = [
                ({"window_distance": np.tile(patterns[t], (n, 1))}, float(counts[t] / total))
                for t in top
            ]
            settings = _product(settings, options)
        if "outdated" in self.hide:
            share = float(world.outdated.mean())
            options = [
                ({"outdated": np.zeros_like(world.outdated)}, 1.0 - share),
                ({"outdated": np.ones_like(world.outdated)}, share),
            ]
            settings = _product(settings, options)
        if "cost" in self.hide:
            edges = np.quantile(world.cost_sens, np.linspace(0.0, 1.0, 6))
            mids = (edges[:-1] + edges[1:]) / 2.0
            options = [({"cost_sens": np.full_like(world.cost_sens, m)}, 0.2) for m in mids]
            settings = _product(settings, options)
        return list(settings)

    def _joint_settings(self, world: ContactWorld, *, by_kind: bool) -> list[Setting]:
        """The combinations of the hidden channel and hours, each weighted by its share
        among all debtors or (``by_kind``, one weight per debtor) among the debtors of the
        same kind; the population mix weighs channel and hours independently."""
        if set(self.hide) - {"channel", "hours"}:
            raise ValueError("a joint mix hides only channel and hours")
        parts: list[tuple[dict[str, np.ndarray], np.ndarray]] = [({}, np.ones(world.n, bool))]
        if "channel" in self.hide:
            parts = [({"pref": np.full_like(world.pref, k)}, world.pref == k) for k in range(4)]
        if "hours" in self.hide:
            patterns, inverse = np.unique(
                np.round(world.window_distance, 0), axis=0, return_inverse=True
            )
            inverse = inverse.ravel()
            top = np.argsort(-np.bincount(inverse))[:6]
            parts = [
                ({**s, "window_distance": np.tile(patterns[t], (world.n, 1))}, m & (inverse == t))
                for s, m in parts
                for t in top
            ]
        group = world.business if by_kind else np.zeros(world.n, bool)
        out: list[Setting] = []
        for setting, member in parts:
            weight = np.zeros(world.n)
            for g in (False, True):
                same = group == g
                if same.any():
                    weight[same] = member[same].mean()
            out.append((setting, weight))
        total = sum(weight for _, weight in out)
        return [(setting, weight / total) for setting, weight in out]

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        w = self.world
        assert w is not None, "BlindOracle.attach(world) first"
        if self._cached is None:
            self._cached = self._settings(w)
        value = np.zeros((len(views), len(ACTIONS)))
        for setting, weight in self._cached:
            share = weight[w._open, None] if isinstance(weight, np.ndarray) else weight
            with told(w, setting):
                value += share * self.values(views)
        return self.choose(views, day, value)


#: representative hours to a call window: inside it, next to it, far from it
_CLASS_DISTANCE = np.array([0.0, 2.0, 5.0])


def hour_classes(world: ContactWorld) -> np.ndarray:
    """(n, 3) for each debtor and call window: 0 inside (within the slack), 1 next to it
    (up to three hours away), 2 further; what the world's answer and complaint odds use."""
    slack = float(world.w["call_window_slack_hours"])
    d = world.window_distance
    return np.where(d <= slack, 0, np.where(d <= 3.0, 1, 2))


class InferringOracle(Oracle):
    """The oracle told neither the preferred channel nor the hours, which infers both for
    each debtor from what got through (Bayes' rule with the world's own odds of an e-mail
    being opened and a call being answered), starting from the population's mix. It knows
    the rest (willingness, ability, contact data). With ``reactions`` it also reads, five
    days after each contact that got through, whether the debtor reacted (a promise that day
    or a payment within those days: what the platform sees) against the world's odds of a
    reaction under each hypothesis."""

    def __init__(
        self, *, reactions: bool = True, sample: bool = False, seed: int = 0, **prices: Any
    ) -> None:
        super().__init__(**prices)
        self.reactions = reactions
        self.sample = sample
        self.rng = np.random.default_rng([seed, 77])

    def attach(self, world: ContactWorld) -> None:
        super().attach(world)
        joint = np.column_stack([world.pref, hour_classes(world)])
        self.hypotheses, counts = np.unique(joint, axis=0, return_counts=True)
        self.posterior = np.tile(counts / counts.sum(), (world.n, 1))
        self.pending: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        #: contacts that got through, waiting for the reaction window: (day, case, odds)
        self.waiting: list[tuple[int, np.ndarray, np.ndarray]] = []

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        t = self.tables(views, values=True)
        value = self.drawn(t["value"]) if self.sample else self.expected(t["value"])
        actions = self.choose(views, day, value)
        self.note_actions(t, actions)
        return actions

    def tables(
        self,
        views: Sequence[CaseView],
        *,
        values: bool = False,
        complaints: bool = False,
        payments: bool = False,
    ) -> dict[str, np.ndarray]:
        """(hypotheses, n, 7) for this morning's open cases under each hypothesis: the
        chance of getting through (``reach``), of a reaction if reached (``react``, with
        ``reactions``), and when asked for the oracle's value (``value``), the chance of a
        complaint (``complaint``: reached and complaining) and the expected payment of
        today's contact (``payment``)."""
        w = self.world
        assert w is not None, "InferringOracle.attach(world) first"
        idx = w._open
        n = len(idx)
        shape = (len(self.hypotheses), n, len(ACTIONS))
        out = {"reach": np.zeros(shape), "react": np.zeros(shape)}
        if values:
            out["value"] = np.zeros(shape)
        if complaints:
            out["complaint"] = np.zeros(shape)
        if payments:
            out["payment"] = np.zeros(shape)
        for h, (channel, *classes) in enumerate(self.hypotheses.tolist()):
            hypothesis = {
                "pref": np.full_like(w.pref, channel),
                "window_distance": np.tile(_CLASS_DISTANCE[classes], (w.n, 1)),
            }
            with told(w, hypothesis):
                if values:
                    out["value"][h] = self.values(views)
                for a in range(1, len(ACTIONS)):
                    act = np.full(n, a)
                    out["reach"][h, :, a] = w.reach_probability(idx, act)
                    if self.reactions:
                        out["react"][h, :, a] = w.response_probability(idx, act)
                    if complaints:
                        out["complaint"][h, :, a] = out["reach"][h, :, a] * (
                            w.complaint_probability(idx, act)
                        )
                    if payments:
                        out["payment"][h, :, a] = w.expected_payment(idx, act)
        return out

    def expected(self, table: np.ndarray) -> np.ndarray:
        """(n, 7): ``table`` averaged over the hypotheses with each debtor's belief."""
        assert self.world is not None
        return np.asarray(np.einsum("hna,nh->na", table, self.posterior[self.world._open]))

    def drawn(self, table: np.ndarray) -> np.ndarray:
        """(n, 7): ``table`` under one hypothesis per debtor, drawn from their belief."""
        assert self.world is not None
        post = self.posterior[self.world._open]
        cum = post.cumsum(axis=1)
        u = self.rng.random((len(post), 1)) * cum[:, -1:]
        h = (cum < u).sum(axis=1).clip(0, post.shape[1] - 1)
        return np.asarray(table[h, np.arange(len(h)), :])

    def note_actions(self, tables: dict[str, np.ndarray], actions: Sequence[str]) -> None:
        """Remember today's actions and their odds, to read the outcome in :meth:`learn`."""
        assert self.world is not None
        act = np.array([ACTION_INDEX[a] for a in actions], dtype=int)
        rows = np.arange(len(act))
        self.pending = (
            self.world._open,
            act,
            tables["reach"][:, rows, act].T,
            tables["react"][:, rows, act].T,
        )

    def learn(self, day: int, outcome: DayOutcome) -> None:
        assert self.pending is not None
        idx, act, p, odds = self.pending
        contact = act > 0
        got = np.asarray(outcome.reached, dtype=bool)
        self._update(idx[contact], np.where(got[contact][:, None], p[contact], 1 - p[contact]))
        if self.reactions:
            reached = contact & got
            self.waiting.append((day, idx[reached], odds[reached]))
            self._read_reactions(day)

    def _read_reactions(self, day: int) -> None:
        w = self.world
        assert w is not None
        while self.waiting and self.waiting[0][0] <= day - 5:
            made, cases, odds = self.waiting.pop(0)
            reacted = np.array(
                [
                    any(pr.made == made for pr in w.promises[i])
                    or any(made <= d < made + 5 for d, _ in w.payments[i])
                    for i in cases.tolist()
                ],
                dtype=bool,
            )
            self._update(cases, np.where(reacted[:, None], odds, 1.0 - odds))

    def _update(self, cases: np.ndarray, likelihood: np.ndarray) -> None:
        post = self.posterior[cases] * likelihood
        total = post.sum(axis=1, keepdims=True)
        # evidence no hypothesis explains (odds of exactly 0) leaves the belief as it was
        self.posterior[cases] = np.where(
            total > 0, post / np.maximum(total, 1e-300), self.posterior[cases]
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="106-108")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--hide", default="", help="channel, hours, outdated, cost joined by +")
    ap.add_argument(
        "--infer", action="store_true", help="the oracle that infers channel and hours instead"
    )
    ap.add_argument("--no-reactions", action="store_true", help="infer from reach alone")
    ap.add_argument(
        "--sample", action="store_true", help="with --infer: act on a hypothesis drawn each day"
    )
    ap.add_argument("--mix", choices=MIXES, default="population", help="with --hide")
    ap.add_argument("--contact-price", type=float)
    ap.add_argument("--complaint-share", type=float)
    args = ap.parse_args()
    hide = [h for h in args.hide.split("+") if h]
    cfg = policy_config(load_nba_settings())
    if args.contact_price is not None:
        cfg = replace(cfg, contact_price=args.contact_price)
    if args.complaint_share is not None:
        cfg = replace(cfg, complaint_share=args.complaint_share)
    costs = {k: float(v) for k, v in cfg.costs.items()}
    rows = []
    for seed in seeds(args.seeds):
        world = ContactWorld(args.cases, seed=seed, costs=costs, days=90)
        base = run(world, StandardStrategy())
        oracle = (
            InferringOracle.for_policy(
                cfg, reactions=not args.no_reactions, sample=args.sample, seed=seed
            )
            if args.infer
            else BlindOracle.for_policy(cfg, hide=hide, mix=args.mix)
        )
        r = run(world, oracle)
        rows.append(
            (r.net / base.net - 1, r.contacts / base.contacts, r.complaints / base.complaints)
        )
        print(
            f"seed {seed}: net {rows[-1][0]:+.1%}, contacts x {rows[-1][1]:.2f}, "
            f"complaints x {rows[-1][2]:.2f}",
            flush=True,
        )
    a = np.array(rows)
    net, contacts, complaints = a.mean(axis=0)
    interval = ci(a[:, 0].tolist())
    if args.infer:
        told = "inferring channel+hours" + (", sampling" if args.sample else "")
    else:
        told = f"hidden {'+'.join(hide) or 'nothing'} ({args.mix} mix)"
    print(
        f"{told}: net {net:+.1%} ({interval['low']:+.1%} … {interval['high']:+.1%}), contacts x "
        f"{contacts:.2f}, complaints x {complaints:.2f} (mean of {len(rows)} seeds; "
        f"contact price {cfg.contact_price:g}, complaint share {cfg.complaint_share:g})"
    )


if __name__ == "__main__":
    main()
