"""The plan-completion model: labels, features seen at the plan's start, no protected
attributes, and quality beside the simulator's truth on a seed it was not trained on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mahnwerk.ml import plan_completion as pc
from mahnwerk.ml.history import CaseHistories
from mahnwerk.ml.metrics import binary_metrics
from mahnwerk.ml.protected import ProtectedAttributeError
from mahnwerk.ml.simulator import simulate

T = pd.Timestamp


def tiny_histories() -> CaseHistories:
    """Two cases: case 1 has an earlier broken promise, then a plan of 3 (all kept) made on
    1 March; case 2 a plan of 2 whose second instalment is not due yet, and a payment after
    its plan was made (which the features must not see)."""
    cases = pd.DataFrame(
        {
            "case_id": [1, 2],
            "person_id": [10, 20],
            "creditor_id": [1, 1],
            "debtor_type": ["consumer", "consumer"],
            "claim_type": ["telecom", "energy"],
            "principal_cents": [30_000, 50_000],
            "costs_cents": [0, 10_000],
            "due_date": [T("2025-01-01"), T("2025-01-15")],
            "opened_at": [T("2025-02-01"), T("2025-02-01")],
            "stage": ["payment_plan", "payment_plan"],
            "stage_since": [T("2025-03-01"), T("2025-05-01")],
        }
    )
    events = pd.DataFrame(
        {
            "case_id": [1, 1, 2],
            "ts": [T("2025-02-05"), T("2025-02-20"), T("2025-02-05")],
            "channel": ["letter", "email", "letter"],
            "delivery": ["delivered", "bounced", "delivered"],
            "responded": [True, False, True],
            "response_ts": [T("2025-02-07"), pd.NaT, T("2025-05-20")],
        }
    )
    payments = pd.DataFrame(
        {
            "case_id": [1, 1, 1, 1, 2],
            "ts": [T("2025-02-10"), T("2025-04-01"), T("2025-05-01"), T("2025-06-01"),
                   T("2025-05-15")],
            "amount_cents": [3_000, 9_000, 9_000, 9_000, 30_000],
            "method": ["transfer"] * 5,
            "reversed": [False] * 5,
        }
    )  # fmt: skip
    promises = pd.DataFrame(
        {
            "case_id": [1, 1, 1, 1, 2, 2],
            "made_at": [T("2025-02-07"), T("2025-03-01"), T("2025-03-01"), T("2025-03-01"),
                        T("2025-05-01"), T("2025-05-01")],
            "due_at": [T("2025-02-14"), T("2025-04-01"), T("2025-05-01"), T("2025-06-01"),
                       T("2025-05-15"), T("2025-06-15")],
            "amount_cents": [5_000, 9_000, 9_000, 9_000, 30_000, 30_000],
            "plan_id": pd.array([None, 7, 7, 7, 8, 8], dtype="Int64"),
            "kept": pd.array([False, True, True, True, True, None], dtype="boolean"),
        }
    )  # fmt: skip
    persons = pd.DataFrame(
        {
            "person_id": [10, 20],
            "debtor_type": ["consumer", "consumer"],
            "birth_date": [pd.NaT, pd.NaT],
            "postcode": ["80331", "20095"],
        }
    )
    empty = pd.DataFrame(columns=["person_id", "ts", "old_postcode", "new_postcode"])
    return CaseHistories(T("2025-06-10"), persons, cases, events, payments, promises, empty)


def test_plans_are_judged_only_when_every_instalment_is_known():
    plans = pc.plan_table(tiny_histories())
    one, two = plans.iloc[0], plans.iloc[1]
    assert (one.plan_id, one.n_instalments, one.instalment_cents) == (7, 3, 9_000)
    assert bool(one.judged) and bool(one.completed)
    assert not bool(two.judged) and not bool(two.completed)  # 2nd instalment not yet due
    terms = pd.DataFrame({"plan_id": [8], "count": [4], "instalment_cents": [20_000]})
    two_agreed = pc.plan_table(tiny_histories(), terms).iloc[1]
    assert (two_agreed.n_instalments, two_agreed.instalment_cents) == (4, 20_000)


def test_features_see_the_case_as_it_was_when_the_plan_was_made():
    h = tiny_histories()
    plans = pc.plan_table(h)
    cap = pd.Series([45_000.0, np.nan], index=plans.index)
    f = pc.plan_features(h, plans, cap)
    one, two = f.iloc[0], f.iloc[1]
    # case 1 on 1 March: 2 contacts (one bounced), 1 reaction, 1 payment of 30 €,
    # the promise due 14 Feb judged after 7 grace days (21 Feb): broken
    assert (one.n_contacts, one.n_responses, one.n_bounced_contacts) == (2, 1, 1)
    assert (one.n_payments, one.n_promises_broken, one.n_promises_kept) == (1, 1, 0)
    assert one.open_amount_eur == pytest.approx(270.0)
    assert one.instalment_share == pytest.approx(90 / 270)
    assert (one.capacity_eur, one.burden) == (pytest.approx(450.0), pytest.approx(0.2))
    assert one.days_since_last_payment == pytest.approx(19.0)
    # case 2 on 1 May: the reaction (20 May) and the payment (15 May) came later
    assert (two.n_responses, two.n_payments) == (0, 0)
    assert np.isnan(two.capacity_eur) and np.isnan(two.burden)
    assert list(f.columns) == list(pc.PLAN_FEATURES)


def test_a_protected_attribute_cannot_enter():
    h = tiny_histories()
    plans = pc.plan_table(h)
    feats = pc.plan_features(h, plans)
    for column in ("nationality", "sex", "postcode_region", "age_years"):
        with pytest.raises(ProtectedAttributeError):
            pc.train(feats.assign(**{column: 1.0}), plans["completed"], np.array([10, 20]))


@pytest.fixture(scope="module")
def simulated():
    sims = [simulate(30_000, seed=s) for s in (21, 22)]
    data = [pc.training_data(sim.histories, capacity_cents=pc.simulated_capacity(sim, seed))
            for sim, seed in zip(sims, (21, 22), strict=True)]  # fmt: skip
    return sims, data


def test_quality_on_a_seed_it_was_not_trained_on(simulated):
    sims, ((plans, feats), (plans2, feats2)) = simulated
    assert len(plans) > 500 and 0.2 < plans["completed"].mean() < 0.7
    model, _ = pc.train(
        feats, plans["completed"], plans["person_id"].to_numpy(), pc.PlanTrainConfig(num_threads=1)
    )
    y = plans2["completed"].to_numpy()
    got = binary_metrics(y, model.predict(feats2))
    truth = binary_metrics(y, pc.plan_oracle(sims[1], plans2))
    assert truth["auc"] > 0.8  # the simulator's own probabilities separate well
    assert got["auc"] > 0.68 and got["auc"] < truth["auc"]
    assert got["ece"] < 0.08
    # the reasons are plain German and name the model version
    ex = model.explain(feats2.head(3))
    assert ex["model_version"].iloc[0] == model.version
    assert all(isinstance(r, str) and r for r in ex["reason_1"])


def test_stated_finances_carry_signal(simulated):
    _, ((plans, feats), _) = simulated
    stated = feats["capacity_eur"].notna()
    assert 0.3 < stated.mean() < 0.8  # consumers' plans, 60 % of them with figures
    low = feats.loc[stated, "burden"] > feats.loc[stated, "burden"].median()
    done = plans.loc[stated, "completed"]
    assert done[~low].mean() > done[low].mean()  # a heavier burden breaks more often


def test_save_and_load_give_the_same_probabilities(simulated, tmp_path):
    _, ((plans, feats), _) = simulated
    model, _ = pc.train(
        feats, plans["completed"], plans["person_id"].to_numpy(), pc.PlanTrainConfig(num_threads=1)
    )
    again = pc.PlanCompletionModel.load(model.save(tmp_path))
    np.testing.assert_allclose(again.predict(feats.head(50)), model.predict(feats.head(50)))
    assert again.version.startswith("plan-")
