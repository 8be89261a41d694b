"""The policy in the simulator's contact world: drivers, logged decisions, and the prior.

* :class:`PolicyDriver` lets a :class:`~mahnwerk.ml.nba.policy.Policy` act in a
  :class:`~mahnwerk.ml.contact_world.ContactWorld`, learning as it goes (or frozen), and can
  keep every settled decision for offline evaluation (:class:`DecisionLog`).
* :class:`UniformLogger` explores: on each day a contact with probability ``rate``, the
  action drawn uniformly among the allowed ones, with exact propensities.
* :func:`train_prior` builds a state from simulated months: first uniform exploration, then
  the policy learning from its own decisions. The shipped prior (``prior.npz``, see
  :func:`shipped_prior`) was made with ``mahnwerk nba prior`` and the seeds it records;
  the benchmark evaluates on other seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.ml.contact_world import ContactWorld, DayOutcome, WorldResult
from mahnwerk.ml.nba.features import featurize
from mahnwerk.ml.nba.offline import LoggedDecisions
from mahnwerk.ml.nba.policy import (
    N_ACTIONS,
    Decisions,
    OnlineLearner,
    Policy,
    PolicyConfig,
    PolicyState,
    Settled,
    eligible_mask,
)
from mahnwerk.ml.nba.views import ACTIONS, CaseView

PRIOR_FILE = "prior.npz"


@dataclass
class DecisionLog:
    """Settled decisions collected from a run (rows appended per day)."""

    parts: list[Settled] = field(default_factory=list)
    costs: np.ndarray | None = None

    def __call__(self, settled: Settled) -> None:
        self.parts.append(settled)

    def logged(self) -> LoggedDecisions:
        """The decisions as :class:`LoggedDecisions` (reward: paid minus the contact's cost)."""
        assert self.costs is not None, "costs of the actions are needed for the reward"
        cat = np.concatenate
        action = cat([p.action for p in self.parts])
        paid = cat([p.paid for p in self.parts])
        return LoggedDecisions(
            case=np.array([i for p in self.parts for i in p.ids]),
            action=action,
            propensity=cat([p.propensity for p in self.parts]),
            reward=paid - self.costs[action],
            features=cat([p.X for p in self.parts]),
            balance=cat([p.balance for p in self.parts]),
            streak=cat([p.streak for p in self.parts]),
            mask=cat([p.mask for p in self.parts]),
            extra={
                "day": cat([np.full(len(p.ids), p.day) for p in self.parts]),
                "reached": cat([p.reached for p in self.parts]),
                "complaint": cat([p.complaint for p in self.parts]),
                "paid": paid,
            },
        )


class PolicyDriver:
    """A policy acting in the contact world (see module doc)."""

    def __init__(
        self,
        policy: Policy,
        *,
        seed: int = 0,
        learn: bool = True,
        log: DecisionLog | None = None,
    ) -> None:
        self.policy = policy
        self.seed = seed
        if log is not None:
            log.costs = policy.config.action_costs()
        self.learner = OnlineLearner(policy, learn=learn, on_settled=log)

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        d = self.policy.decide(views, seed=[self.seed, day])
        self.learner.record(day, views, d)
        return d.actions

    def learn(self, day: int, outcome: DayOutcome) -> None:
        self.learner.observe(day, outcome.ids, outcome.reached, outcome.paid, outcome.complaint)

    def finish(self) -> None:
        """Settle what is still open (end of a run): learned, logged, then dropped."""
        self.learner.flush(10**9, everything=True)


class UniformLogger(PolicyDriver):
    """Explores uniformly: a contact with probability ``rate`` a day, any allowed action."""

    def __init__(
        self,
        policy: Policy,
        *,
        rate: float,
        seed: int = 0,
        learn: bool = True,
        log: DecisionLog | None = None,
    ) -> None:
        super().__init__(policy, seed=seed, learn=learn, log=log)
        self.rate = rate

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        rng = np.random.default_rng([self.seed, 17, day])
        mask = eligible_mask(views, self.policy.config.cap_7d)
        probs = np.zeros((len(views), N_ACTIONS))
        contacts = mask[:, 1:].sum(axis=1)
        probs[:, 1:] = np.where(
            contacts[:, None] > 0, self.rate * mask[:, 1:] / np.maximum(contacts, 1)[:, None], 0
        )
        probs[:, 0] = 1.0 - probs[:, 1:].sum(axis=1)
        none_ok = mask[:, 0]
        # no "none" allowed (never in practice): spread over the allowed actions
        probs[~none_ok] = mask[~none_ok] / mask[~none_ok].sum(axis=1, keepdims=True)
        cum = probs.cumsum(axis=1)
        chosen = (cum <= rng.random(len(views))[:, None] * cum[:, -1:]).sum(axis=1)
        chosen = chosen.clip(0, N_ACTIONS - 1)
        actions = [ACTIONS[a] for a in chosen.tolist()]
        d = Decisions(
            actions=actions,
            propensity=probs[np.arange(len(views)), chosen],
            probabilities=probs,
            values=np.zeros_like(probs),
            features=featurize(views),
            version="uniform",
        )
        self.learner.record(day, views, d)
        return actions


def run(world: ContactWorld, driver: Any) -> WorldResult:
    """Run ``driver`` in ``world`` from day 0 and settle what is open at the end."""
    result = world.run(driver)
    finish = getattr(driver, "finish", None)
    if finish is not None:
        finish()
    return result


def train_prior(
    plan: Sequence[tuple[str, int]],
    *,
    n_cases: int,
    config: PolicyConfig,
    params: dict[str, Any] | None = None,
    explore_rate: float = 0.12,
    progress: Callable[[str, int, WorldResult], None] | None = None,
    state: PolicyState | None = None,
) -> PolicyState:
    """A state learned in simulated worlds: ``plan`` lists ("uniform" | "policy", seed)."""
    earlier = state.note if state is not None and state.note.startswith("simulator prior") else ""
    state = state or PolicyState.prior(note="")
    # learning from scratch needs the full Thompson draws to explore, whatever the setting
    policy = Policy(state, replace(config, sample_scale=1.0))
    costs = {k: float(v) for k, v in config.costs.items()}
    for kind, seed in plan:
        world = ContactWorld(n_cases, seed=seed, costs=costs, params=params)
        driver: PolicyDriver
        if kind == "uniform":
            driver = UniformLogger(policy, rate=explore_rate, seed=seed)
        elif kind == "policy":
            driver = PolicyDriver(policy, seed=seed)
        else:
            raise ValueError(f"unknown training step {kind!r}")
        result = run(world, driver)
        if progress is not None:
            progress(kind, seed, result)
    policy.refresh_version()
    steps = ", ".join(f"{k} {s}" for k, s in plan) + f", {n_cases} cases"
    state.note = f"{earlier}; then {steps}" if earlier else f"simulator prior: {steps}"
    return state


def shipped_prior() -> PolicyState:
    """The prior that ships with the package (learned in the simulator, see module doc)."""
    data = (resources.files("mahnwerk.ml.nba") / PRIOR_FILE).read_bytes()
    return PolicyState.from_bytes(data)


def shipped_prior_path() -> Path:
    return Path(str(resources.files("mahnwerk.ml.nba") / PRIOR_FILE))


__all__ = [
    "PRIOR_FILE",
    "DecisionLog",
    "PolicyDriver",
    "UniformLogger",
    "run",
    "shipped_prior",
    "train_prior",
]
