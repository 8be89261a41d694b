"""What debtors' stated contact preferences would be worth: the contact world with a share of
debtors who said how and when they want to be contacted.

The platform records such a wish (Kontaktwunsch: a channel and hours, stated in the portal,
to the assistant or on a call) and the contact rules honour it: e-mail, SMS and calls only on
a channel the debtor named and within the stated hours, letters always
(:mod:`mahnwerk.domain.contact_rules`); the learned policy chooses only among what they leave
(:func:`mahnwerk.services.nba.decisions.respect_preferences`). The simulator's debtors state
nothing, so the benchmark's figures do not show it. Here a share of them (``--share``, chosen
by a hash of the debtor, the same for every policy) states its preferred channel and the hours
from one hour before to one hour after its preferred hour, from the hand-over on.

How many debtors state a wish, and when, is **an assumption of this benchmark, with no
source**: the figures say what a share would be worth, not what to expect. Both the learned
policy and ``standard`` run in the same world and honour the wishes; ``standard`` skips a
step whose channel the debtor excluded (as the delivery does) and places its calls in the
stated hours (as the agents' queue does).

Usage: ``python bench/ml/nba_stated.py --seeds 201-205 --share 0.5``
"""

from __future__ import annotations

import argparse
import math
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.config import load_nba_settings
from mahnwerk.domain.contact_rules import ContactKind, ContactPolicy, Preference
from mahnwerk.domain.strategy import Channel
from mahnwerk.ml.contact_world import ContactWorld, StandardStrategy
from mahnwerk.ml.nba.policy import Policy
from mahnwerk.ml.nba.training import PolicyDriver, run, shipped_prior
from mahnwerk.ml.nba.views import ACTIONS, CALL_ACTIONS, CHANNELS, CaseView
from mahnwerk.services.nba.decisions import policy_config, respect_preferences

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_nba import ci, seeds

_CONTACT_RULES = ContactPolicy()


class StatedWorld(ContactWorld):
    """The contact world in which the debtors of a share state their preferences."""

    def __init__(self, *args: Any, share: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        draw = np.array([zlib.crc32(f"{self.seed}:{k}:stated".encode()) for k in range(self.n)])
        self.stated = draw / 2**32 < share
        self.wish: dict[int, list[Preference]] = {}
        for i in np.flatnonzero(self.stated).tolist():
            hour = float(self.pref_hour[i])
            kind = ContactKind(CHANNELS[int(self.pref[i])])
            self.wish[i] = [
                Preference(kind, max(0, math.floor(hour - 1)), min(24, math.ceil(hour + 1)))
            ]
        self.never: dict[int, frozenset[str]] = {
            i: frozenset(ACTIONS) - set(respect_preferences(ACTIONS, wish, _CONTACT_RULES))
            for i, wish in self.wish.items()
        }
        self.index = {case_id: k for k, case_id in enumerate(self.ids)}

    def allowed(self, i: int) -> tuple[str, ...]:
        out = super().allowed(i)
        wish = self.wish.get(i)
        return out if wish is None else respect_preferences(out, wish, _CONTACT_RULES)


class StatedStandard(StandardStrategy):
    """``standard`` honouring the wishes: a step on an excluded channel is skipped, a call
    goes into a window within the stated hours."""

    def attach(self, world: ContactWorld) -> None:
        super().attach(world)
        assert isinstance(world, StatedWorld)
        self.world = world

    def _action(self, channel: Channel, v: CaseView, index: int) -> str | None:
        action = super()._action(channel, v, index)
        never = self.world.never.get(self.world.index[v.id], frozenset())
        if action is None or action not in never:
            return action
        if action in CALL_ACTIONS:
            return next((a for a in CALL_ACTIONS if a not in never), None)
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="201-205")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--share", type=float, default=0.5)
    args = ap.parse_args()
    cfg = policy_config(load_nba_settings())
    costs = {k: float(v) for k, v in cfg.costs.items()}
    rows = []
    for seed in seeds(args.seeds):
        world = StatedWorld(args.cases, seed=seed, costs=costs, days=90, share=args.share)
        std = run(world, StatedStandard())
        learned = run(world, PolicyDriver(Policy(shipped_prior(), cfg), seed=seed))
        rows.append((learned.net / std.net - 1.0, learned, std))
        print(
            f"seed {seed} (stated {world.stated.mean():.0%}): net {rows[-1][0]:+.1%}, "
            f"contacts x {learned.contacts / std.contacts:.2f}, complaints x "
            f"{learned.complaints / std.complaints:.2f} (standard: net {std.net:,.0f}, "
            f"{std.contacts} contacts, {std.complaints} complaints)",
            flush=True,
        )
    c = ci([r[0] for r in rows])
    net = (c["mean"], c["low"], c["high"])
    contacts = sum(r[1].contacts for r in rows) / sum(r[2].contacts for r in rows)
    complaints = sum(r[1].complaints for r in rows) / sum(r[2].complaints for r in rows)
    print(
        f"share {args.share:g}: net {net[0]:+.1%} ({net[1]:+.1%} … {net[2]:+.1%}), "
        f"contacts x {contacts:.2f}, complaints x {complaints:.2f} "
        f"(ratio of the totals, {len(rows)} seeds)"
    )


if __name__ == "__main__":
    main()
