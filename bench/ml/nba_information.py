"""What the oracle's knowledge is worth: the oracle with some hidden traits hidden from it.

The oracle of :mod:`mahnwerk.ml.contact_world` knows every debtor's hidden traits. Here it
is made blind to some of them: for each hidden trait it averages its values over the
population's distribution of that trait (and never learns it from the debtor's answers).
Hideable:

* ``channel`` – the preferred channel (four values, weighted by their frequency);
* ``hours`` – the preferred hour, as the distances to the three call windows (the six most
  frequent patterns, rounded to hours, weighted by their frequency);
* ``outdated`` – whether the contact data is outdated (both values, weighted).

The learned policy cannot see these either, but learns them from the debtor's answers: a
learner above the blind oracle has recovered part of what the oracle was told. Figures are
the mean of the per-seed ratios to ``standard`` (net recovery, contacts, complaints).

Usage: ``python bench/ml/nba_information.py --seeds 106-108 --hide channel+hours``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from mahnwerk.config import load_nba_settings
from mahnwerk.ml.contact_world import ContactWorld, Oracle, StandardStrategy
from mahnwerk.ml.nba.training import run
from mahnwerk.ml.nba.views import ACTIONS, CaseView
from mahnwerk.services.nba.decisions import policy_config

TRAITS = ("pref", "window_distance", "outdated")
Setting = tuple[dict[str, np.ndarray], float]


def _product(settings: list[Setting], options: list[Setting]) -> list[Setting]:
    return [({**s, **o}, p * q) for s, p in settings for o, q in options]


class BlindOracle(Oracle):
    """The oracle, averaging its values over the population for the hidden traits."""

    def __init__(self, hide: Sequence[str], **prices: Any) -> None:
        super().__init__(**prices)
        self.hide = tuple(hide)

    def _settings(self, world: ContactWorld) -> list[Setting]:
        settings: list[Setting] = [({}, 1.0)]
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
        return settings

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        w = self.world
        assert w is not None, "BlindOracle.attach(world) first"
        known = {k: getattr(w, k) for k in TRAITS}
        value = np.zeros((len(views), len(ACTIONS)))
        try:
            for setting, weight in self._settings(w):
                for name, trait in setting.items():
                    setattr(w, name, trait)
                value += weight * self.values(views)
                for name, trait in known.items():
                    setattr(w, name, trait)
        finally:
            for name, trait in known.items():
                setattr(w, name, trait)
        return self.choose(views, day, value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="106-108")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--hide", default="", help="channel, hours, outdated joined by +")
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    hide = [h for h in args.hide.split("+") if h]
    cfg = policy_config(load_nba_settings())
    costs = {k: float(v) for k, v in cfg.costs.items()}
    rows = []
    for seed in seeds:
        world = ContactWorld(args.cases, seed=seed, costs=costs, days=90)
        base = run(world, StandardStrategy())
        oracle = BlindOracle(
            hide,
            contact_price=cfg.contact_price,
            unanswered_price=cfg.unanswered_price,
            complaint_price=cfg.complaint_price,
            complaint_share=cfg.complaint_share,
            cap_7d=cfg.cap_7d,
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
    net, contacts, complaints = np.array(rows).mean(axis=0)
    print(
        f"hidden {'+'.join(hide) or 'nothing'}: net {net:+.1%}, contacts x {contacts:.2f}, "
        f"complaints x {complaints:.2f} (mean of {len(rows)} seeds)"
    )


if __name__ == "__main__":
    main()
