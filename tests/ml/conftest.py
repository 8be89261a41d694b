"""Shared, session-scoped fixtures for the ML tests: one small simulated portfolio and one
model trained on it (a few seconds in total)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from mahnwerk.ml.model import PaymentModel, TrainConfig, split_by_group, train_from_histories
from mahnwerk.ml.simulator import Simulation, simulate


@dataclass
class Trained:
    sim: Simulation
    model: PaymentModel
    features: pd.DataFrame
    targets: pd.DataFrame
    part: np.ndarray  # 0 train, 1 calibration, 2 test (as used by train())


@pytest.fixture(scope="session")
def small_sim() -> Simulation:
    return simulate(3_000, seed=11)


@pytest.fixture(scope="session")
def trained() -> Trained:
    sim = simulate(20_000, seed=7)
    # one thread: LightGBM's OpenMP threads degrade badly when other jobs share the CPU
    model, feats, targ = train_from_histories(sim.histories, TrainConfig(num_threads=1))
    persons = sim.histories.cases.set_index("case_id")["person_id"].reindex(feats.index)
    part = split_by_group(persons.to_numpy(), 0.2, 0.2, 0)
    return Trained(sim=sim, model=model, features=feats, targets=targ, part=part)


@dataclass
class AuditSet:
    """A fresh population the model never saw, large enough for stable group metrics."""

    sim: Simulation
    features: pd.DataFrame
    pay_30d: pd.Series
    protected: pd.DataFrame  # by case_id


@pytest.fixture(scope="session")
def audit_set() -> AuditSet:
    from mahnwerk.ml.fairness import protected_for_cases
    from mahnwerk.ml.features import build_features
    from mahnwerk.ml.targets import build_targets

    sim = simulate(40_000, seed=8)
    x = build_features(sim.histories)
    y = build_targets(sim.histories)["pay_30d"].loc[x.index]
    prot = protected_for_cases(sim.histories.cases, sim.protected)
    return AuditSet(sim=sim, features=x, pay_30d=y, protected=prot)
