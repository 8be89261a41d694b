"""Offline evaluation against the simulator's truth.

A logging policy A acts in the contact world and its decisions are logged with their
propensities. The estimators then say what another policy B would have earned per decision
on A's cases. The truth comes from the simulator itself: on each day the world is copied,
B acts in the copy for that one day, A carries on for the horizon, and what each case paid
minus the contact's cost is B's reward – exactly the quantity the estimators estimate."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from mahnwerk.ml.contact_world import ContactWorld
from mahnwerk.ml.nba.offline import (
    LoggedDecisions,
    clustered_se,
    doubly_robust,
    ips,
    on_policy,
    snips,
)
from mahnwerk.ml.nba.policy import N_ACTIONS, Policy, PolicyConfig, single_thread
from mahnwerk.ml.nba.training import DecisionLog, PolicyDriver, shipped_prior
from mahnwerk.ml.nba.views import ACTION_INDEX

COSTS = {"letter": 0.95, "email": 0.02, "sms": 0.09, "call": 2.5}
HORIZON = 7
DAYS = 22


def _world() -> ContactWorld:
    world = ContactWorld(600, seed=4242, costs=COSTS, days=DAYS)
    # amounts of one order of magnitude: the euros per decision vary less, so the test can
    # tell a wrong estimate from noise
    world.amount = np.clip(world.amount, 100.0, 800.0)
    return world


def _policies() -> tuple[Policy, Policy]:
    prior = shipped_prior()

    def policy(contact_price: float) -> Policy:
        cfg = PolicyConfig(
            costs=COSTS, horizon_days=HORIZON, exploration=0.15, contact_price=contact_price
        )
        return Policy(prior, cfg)

    return policy(1.0), policy(60.0)  # A contacts eagerly, B hardly


@pytest.fixture(scope="module")
def experiment() -> dict[str, object]:
    world = _world()
    a, b = _policies()
    log = DecisionLog()
    driver = PolicyDriver(a, seed=11, learn=False, log=log)
    world.reset()
    snapshots = {}
    for day in range(DAYS):
        snapshots[day] = copy.deepcopy(world)
        views = world.views()
        outcome = world.step(driver.decide(views, day))
        driver.learn(day, outcome)
    driver.finish()
    logged = log.logged()
    keep = logged.extra["day"] <= DAYS - HORIZON
    logged = _subset(logged, keep)

    # the truth: B for one day in a copy of the world, then A for the rest of the horizon
    costs = a.config.action_costs()
    rewards, cases, contacted = [], [], []
    for day in range(DAYS - HORIZON + 1):
        fork = snapshots[day]
        views = fork.views()
        acts = b.decide(views, seed=[99, day]).actions
        paid = dict.fromkeys((v.id for v in views), 0.0)
        outcome = fork.step(acts)
        for i, p in zip(outcome.ids, outcome.paid, strict=True):
            paid[i] += p
        follow = PolicyDriver(a, seed=11, learn=False)
        for later in range(day + 1, day + HORIZON):
            out = fork.step(follow.decide(fork.views(), later))
            for i, p in zip(out.ids, out.paid, strict=True):
                if i in paid:
                    paid[i] += p
        for v, act in zip(views, acts, strict=True):
            rewards.append(paid[v.id] - costs[ACTION_INDEX[act]])
            cases.append(v.id)
            contacted.append(act != "none")
    truth = np.array(rewards)
    truth_se = clustered_se(truth, np.array(cases))

    assert logged.features is not None and logged.balance is not None
    assert logged.streak is not None and logged.mask is not None
    with single_thread():
        target, _ = b.probabilities(
            logged.features,
            logged.balance,
            logged.streak,
            logged.mask,
            np.random.default_rng(1),
            draws=256,
        )
    q = b.expected_net(logged.features, logged.balance)
    return {
        "logged": logged,
        "target": target,
        "q": q,
        "truth": float(truth.mean()),
        "truth_se": truth_se,
        "contact_truth": float(np.mean(contacted)),
        "contact_truth_se": clustered_se(np.array(contacted, dtype=float), np.array(cases)),
    }


def _subset(logged: LoggedDecisions, keep: np.ndarray) -> LoggedDecisions:
    def cut(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else x[keep]

    return LoggedDecisions(
        case=logged.case[keep],
        action=logged.action[keep],
        propensity=logged.propensity[keep],
        reward=logged.reward[keep],
        features=cut(logged.features),
        balance=cut(logged.balance),
        streak=cut(logged.streak),
        mask=cut(logged.mask),
        extra={k: v[keep] for k, v in logged.extra.items()},
    )


def test_propensities_are_logged_for_every_decision(experiment):
    logged = experiment["logged"]
    assert isinstance(logged, LoggedDecisions)
    assert len(logged) > 5000
    assert (logged.propensity > 0).all() and (logged.propensity <= 1).all()
    assert logged.mask is not None
    assert logged.mask[np.arange(len(logged)), logged.action].all()
    assert logged.mask.shape == (len(logged), N_ACTIONS)


@pytest.mark.parametrize("method", ["IPS", "SNIPS", "DR"])
def test_offline_estimates_agree_with_the_simulators_truth(experiment, method):
    logged, target, q = experiment["logged"], experiment["target"], experiment["q"]
    assert isinstance(logged, LoggedDecisions)
    est = {
        "IPS": lambda: ips(logged, target),
        "SNIPS": lambda: snips(logged, target),
        "DR": lambda: doubly_robust(logged, target, q),
    }[method]()
    truth, truth_se = experiment["truth"], experiment["truth_se"]
    # the estimate's 95 % interval, widened by the truth's own sampling error
    margin = 1.96 * np.hypot(est.se, truth_se)
    assert abs(est.value - truth) <= margin, (method, est.value, truth, margin)
    assert est.low < est.value < est.high


def test_the_contact_rate_of_the_target_is_estimated_within_its_interval(experiment):
    logged, target = experiment["logged"], experiment["target"]
    assert isinstance(logged, LoggedDecisions)
    contacts = LoggedDecisions(
        logged.case, logged.action, logged.propensity, (logged.action > 0).astype(float)
    )
    est = ips(contacts, target)
    truth, truth_se = experiment["contact_truth"], experiment["contact_truth_se"]
    assert abs(est.value - truth) <= 1.96 * np.hypot(est.se, truth_se)
    # B hardly contacts where A contacted eagerly: agreeing with the truth means something
    logged_rate = on_policy(contacts)
    assert truth < logged_rate.value / 2
    assert est.high < logged_rate.low
