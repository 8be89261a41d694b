"""The next-best-action policy: it chooses only within ``allowed``, protected attributes
cannot enter it, propensities are exact, and its state survives a round trip."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mahnwerk.ml.nba.features import FEATURES, check_features, featurize
from mahnwerk.ml.nba.policy import Policy, PolicyConfig, PolicyState
from mahnwerk.ml.nba.training import shipped_prior
from mahnwerk.ml.nba.views import ACTIONS, CONTACT_ACTIONS, CaseView, Contact
from mahnwerk.ml.protected import ProtectedAttributeError, protected_columns

COSTS = {"letter": 0.95, "email": 0.02, "sms": 0.09, "call": 2.5}


@pytest.fixture(scope="module")
def prior() -> PolicyState:
    return shipped_prior()


contacts = st.lists(
    st.builds(
        Contact,
        day=st.integers(0, 60),
        action=st.sampled_from(CONTACT_ACTIONS),
        reached=st.booleans(),
    ),
    max_size=12,
).map(lambda cs: tuple(sorted(cs, key=lambda c: c.day)))

views = st.builds(
    CaseView,
    id=st.uuids().map(str),
    day=st.integers(0, 90),
    weekday=st.integers(0, 6),
    amount=st.floats(1, 50_000),
    balance=st.floats(0.01, 50_000),
    has_email=st.booleans(),
    has_mobile=st.booleans(),
    has_phone=st.booleans(),
    contacts=contacts,
    payments=st.lists(st.tuples(st.integers(0, 60), st.floats(1, 500)), max_size=3).map(tuple),
    requested=st.booleans(),
    score=st.one_of(st.none(), st.floats(0, 1)),
    allowed=st.lists(st.sampled_from(ACTIONS), min_size=1, unique=True).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(views, min_size=1, max_size=25), seed=st.integers(0, 2**32 - 1))
def test_the_policy_never_picks_an_action_outside_allowed(prior, batch, seed):
    policy = Policy(prior, PolicyConfig(costs=COSTS, exploration=0.3))
    d = policy.decide(batch, seed=seed)
    assert len(d.actions) == len(batch)
    for v, a, p, probs in zip(batch, d.actions, d.propensity, d.probabilities, strict=True):
        assert a in v.allowed
        assert p > 0
        assert probs.sum() == pytest.approx(1.0)
        # no probability at all on actions that are not allowed
        for j, name in enumerate(ACTIONS):
            if name not in v.allowed:
                assert probs[j] == 0.0


def test_no_third_contact_in_seven_days_unless_the_debtor_asked(prior):
    policy = Policy(prior, PolicyConfig(costs=COSTS, exploration=0.5))
    two = (Contact(8, "sms", True), Contact(10, "email", False))
    base = CaseView("a", 12, 2, 5000.0, 5000.0, True, True, True, contacts=two, allowed=ACTIONS)
    batch = [dataclasses.replace(base, id=str(k)) for k in range(200)]
    assert set(policy.decide(batch, seed=1).actions) == {"none"}
    asked = [dataclasses.replace(v, requested=True) for v in batch]
    assert set(policy.decide(asked, seed=1).actions) - {"none"}  # contacts come back


def test_propensities_are_the_probabilities_the_actions_were_drawn_with(prior):
    policy = Policy(prior, PolicyConfig(costs=COSTS, exploration=0.2))
    v = CaseView(
        "x",
        3,
        1,
        800.0,
        800.0,
        True,
        True,
        True,
        contacts=(Contact(0, "letter", True),),
        allowed=ACTIONS,
        score=0.4,
    )
    d = policy.decide([dataclasses.replace(v, id=str(k)) for k in range(4000)], seed=5)
    # each row's propensity is exactly the probability its action was drawn with
    for k, a in enumerate(d.actions):
        assert d.propensity[k] == d.probabilities[k, ACTIONS.index(a)]
    # and the actions follow those probabilities
    counts = np.array([d.actions.count(a) for a in ACTIONS]) / 4000
    np.testing.assert_allclose(counts, d.probabilities.mean(axis=0), atol=0.025)
    assert (d.probabilities > 0).all()  # the floor keeps every allowed action possible


def test_protected_attributes_cannot_enter_the_policy():
    assert protected_columns(FEATURES) == []
    # a view has no field for them in the first place
    assert protected_columns(f.name for f in dataclasses.fields(CaseView)) == []
    for added in ("age", "age_years", "birth_date", "sex", "nationality", "postcode", "first_name"):
        with pytest.raises(ProtectedAttributeError):
            check_features((*FEATURES, added))
    # a state learned with such a feature is refused when used or loaded
    state = PolicyState.prior()
    bad = dataclasses.replace(state, features=(*FEATURES, "age_years"))
    with pytest.raises(ProtectedAttributeError):
        Policy(bad)
    with pytest.raises(ProtectedAttributeError):
        PolicyState.from_bytes(bad.to_bytes())


def test_the_state_survives_a_round_trip_with_the_same_version_and_decisions(prior, tmp_path):
    path = prior.save(tmp_path / "s.npz")
    again = PolicyState.load(path)
    assert again.version == prior.version
    v = [
        CaseView(
            str(k),
            2,
            0,
            100.0 * k,
            100.0 * k,
            True,
            True,
            True,
            contacts=(Contact(0, "email", True),),
            allowed=ACTIONS,
        )
        for k in range(1, 50)
    ]
    a = Policy(prior, PolicyConfig(costs=COSTS)).decide(v, seed=3)
    b = Policy(again, PolicyConfig(costs=COSTS)).decide(v, seed=3)
    assert a.actions == b.actions
    np.testing.assert_allclose(a.propensity, b.propensity)


def test_features_are_computed_from_the_view_only():
    v = CaseView(
        "c",
        10,
        5,
        300.0,
        150.0,
        True,
        False,
        False,
        contacts=(
            Contact(0, "letter", True),
            Contact(4, "call_evening", False),
            Contact(8, "call_evening", False),
        ),
        payments=((5, 150.0),),
    )
    row = dict(zip(FEATURES, featurize([v])[0], strict=True))
    assert row["open_share"] == 0.5
    assert row["unanswered_streak"] == pytest.approx(2 / 6)
    assert row["call_evening_tries"] > 0 and row["call_evening_answered"] == 0
    assert row["saturday"] == 1.0
    assert row["contacts_7d"] == pytest.approx(2 / 3)  # days 4 and 8 of the last seven


def test_sample_scale_zero_is_greedy_on_the_posterior_means_with_the_floor(prior):
    floor = 0.1
    greedy = Policy(prior, PolicyConfig(costs=COSTS, exploration=floor, sample_scale=0.0))
    batch = [
        CaseView(
            str(k),
            k % 40,
            k % 7,
            50.0 * (k + 1),
            50.0 * (k + 1),
            True,
            k % 2 == 0,
            k % 3 != 0,
            contacts=(Contact(0, "letter", k % 4 == 0),),
            allowed=ACTIONS if k % 5 else ("none", "letter", "email"),
            score=(k % 10) / 10,
        )
        for k in range(300)
    ]
    d = greedy.decide(batch, seed=11)
    allowed = np.isfinite(d.values)
    best = d.values.argmax(axis=1)
    expected = floor * allowed / allowed.sum(axis=1, keepdims=True)
    expected[np.arange(len(batch)), best] += 1.0 - floor
    np.testing.assert_allclose(d.probabilities, expected)
    assert (d.propensity > 0).all()
    # the full Thompson draws spread the choice where the posterior is unsure; a narrower
    # draw spreads it less
    wide = Policy(prior, PolicyConfig(costs=COSTS, exploration=floor, sample_scale=1.0))
    narrow = Policy(prior, PolicyConfig(costs=COSTS, exploration=floor, sample_scale=0.2))
    top_wide = wide.decide(batch, seed=11).probabilities.max(axis=1).mean()
    top_narrow = narrow.decide(batch, seed=11).probabilities.max(axis=1).mean()
    assert top_wide < top_narrow <= d.probabilities.max(axis=1).mean() + 1e-12
