import numpy as np
import pandas as pd

from mahnwerk.ml.history import SCHEMA
from mahnwerk.ml.protected import PROTECTED_ATTRIBUTES
from mahnwerk.ml.simulator import load_params, simulate


def test_same_seed_same_histories():
    a = simulate(500, seed=3)
    b = simulate(500, seed=3)
    pd.testing.assert_frame_equal(a.histories.events, b.histories.events)
    pd.testing.assert_frame_equal(a.histories.payments, b.histories.payments)
    pd.testing.assert_frame_equal(a.oracle, b.oracle)
    c = simulate(500, seed=4)
    assert not a.oracle["p_pay_30d"].equals(c.oracle["p_pay_30d"])


def test_histories_follow_the_schema_and_hold_no_protected_attribute(small_sim):
    h = small_sim.histories
    h.validate()
    for name in SCHEMA:
        frame = getattr(h, name)
        assert not set(frame.columns) & set(PROTECTED_ATTRIBUTES), name
    assert set(small_sim.protected.columns) >= {"person_id", *PROTECTED_ATTRIBUTES}
    # businesses have no sex / age / nationality
    biz = h.persons.loc[h.persons["debtor_type"] == "business", "person_id"]
    assert small_sim.protected.set_index("person_id").loc[biz, "sex"].isna().all()


def test_history_is_before_as_of_and_outcomes_after(small_sim):
    h = small_sim.histories
    assert (h.events["ts"] <= h.as_of).all()
    assert (h.promises["made_at"] <= h.as_of).all()
    assert (h.payments["ts"] > h.as_of).any()  # outcome window is in the payments table
    o = small_sim.oracle
    assert o["p_pay_30d"].between(0, 1).all()
    assert (o["p_full_180d"] <= 1).all()
    assert (o["expected_collected_cents"] <= o["open_cents"] + 1).all()


def test_protected_attributes_correlate_with_traits_like_in_reality(small_sim):
    prot = small_sim.protected.merge(small_sim.traits, on="person_id")
    by_age = prot.groupby("age_band")
    assert by_age["mobility"].mean()["18-25"] > by_age["mobility"].mean()["51-65"]
    assert by_age["ability"].mean()["18-25"] < by_age["ability"].mean()["36-50"]
    pref = prot.groupby("age_band")["preferred_channel"].agg(lambda s: (s == "letter").mean())
    assert pref["66+"] > pref["18-25"]


def test_parameters_live_in_one_file():
    p = load_params()
    assert {"protected", "traits", "cases", "contacts", "plans", "outcome"} <= set(p)


def test_oracle_matches_the_outcomes(small_sim):
    from mahnwerk.ml.targets import build_targets

    y = build_targets(small_sim.histories)
    o = small_sim.oracle.set_index("case_id").loc[y.index]
    assert abs(y["pay_30d"].mean() - o["p_pay_30d"].mean()) < 0.03
    assert abs(y["full_180d"].mean() - o["p_full_180d"].mean()) < 0.03
    np.testing.assert_array_equal(y["open_cents"].to_numpy(), o["open_cents"].to_numpy())
