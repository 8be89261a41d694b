import numpy as np
import pandas as pd
import pytest

from mahnwerk.ml.features import (
    AGE_FEATURE,
    ALLOWED_FEATURES,
    FeatureConfig,
    build_features,
    feature_names,
)
from mahnwerk.ml.protected import (
    PROTECTED_ATTRIBUTES,
    ProtectedAttributeError,
    check_no_protected,
    protected_columns,
)


def test_matrix_has_exactly_the_allowed_features(small_sim):
    x = build_features(small_sim.histories)
    assert tuple(x.columns) == ALLOWED_FEATURES == feature_names()
    assert AGE_FEATURE not in x.columns
    assert x.index.name == "case_id"
    assert len(x) == len(small_sim.histories.cases)
    assert all(dt == np.float32 for dt in x.dtypes)


def test_no_protected_attribute_reaches_the_feature_matrix(small_sim):
    x = build_features(small_sim.histories)
    assert protected_columns(x.columns) == []
    for attr in PROTECTED_ATTRIBUTES:
        assert attr not in x.columns
    # no column is a copy of an encoded protected attribute
    prot = small_sim.protected.set_index("person_id")
    persons = small_sim.histories.cases.set_index("case_id")["person_id"].reindex(x.index)
    for attr in PROTECTED_ATTRIBUTES:
        codes = prot[attr].astype("category").cat.codes.reindex(persons.to_numpy()).to_numpy()
        for col in x.columns:
            assert not np.array_equal(x[col].to_numpy(), codes.astype(np.float32)), (attr, col)


@pytest.mark.parametrize(
    "column",
    [
        "sex",
        "Geschlecht",
        "nationality",
        "staatsangehoerigkeit",
        "herkunft",
        "first_name",
        "postcode",
        "personal_status_and_sex",
        "foreign_worker",
        "age_band",
        "age_years",
    ],
)
def test_check_raises_for_protected_columns(column):
    with pytest.raises(ProtectedAttributeError):
        check_no_protected(["open_amount_eur", column])


def test_age_only_when_switched_on(small_sim):
    check_no_protected(["age_years"], allow_age=True)
    with pytest.raises(ProtectedAttributeError):
        check_no_protected(["age_band"], allow_age=True)  # a band is still not a feature
    x = build_features(small_sim.histories, FeatureConfig(include_age=True))
    assert x.columns[-1] == AGE_FEATURE
    assert x[AGE_FEATURE].dropna().between(17, 100).all()
    check_no_protected(["claim_age_days", "case_age_days"])  # claim age is not a person's age


def test_features_ignore_everything_after_as_of(small_sim):
    h = small_sim.histories
    x1 = build_features(h)
    future = pd.DataFrame(
        {
            "case_id": h.cases["case_id"].iloc[:50].to_numpy(),
            "person_id": h.cases["person_id"].iloc[:50].to_numpy(),
            "ts": h.as_of + pd.Timedelta(days=3),
            "amount_cents": 10_000,
            "method": "transfer",
            "reversed": False,
        }
    )
    from dataclasses import replace

    h2 = replace(h, payments=pd.concat([h.payments, future], ignore_index=True))
    pd.testing.assert_frame_equal(x1, build_features(h2))


def test_cross_creditor_history(small_sim):
    x = build_features(small_sim.histories)
    cases = small_sim.histories.cases.set_index("case_id").loc[x.index]
    n_per_person = cases.groupby("person_id")["creditor_id"].transform("size")
    np.testing.assert_array_equal(x["other_cases"].to_numpy(), (n_per_person - 1).to_numpy())
    assert x.loc[x["other_cases"] == 0, "other_cases_paid_share"].isna().all()
