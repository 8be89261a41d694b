import lightgbm as lgb
import numpy as np
import pandas as pd

from mahnwerk.ml.fairness import AuditLimits, audit, protected_for_cases

PROTECTED = ["sex", "age_band", "nationality"]


def _scores(trained, audit_set) -> pd.Series:
    return pd.Series(trained.model.predict(audit_set.features), index=audit_set.features.index)


def test_fair_model_passes_and_the_report_is_written(trained, audit_set, tmp_path):
    result = audit(
        _scores(trained, audit_set),
        audit_set.pay_30d,
        audit_set.protected,
        trained.model.version,
        feature_names=trained.model.feature_names,
    )
    assert result.passed, result.checks
    assert set(result.checks["metric"]) == {
        "dp_difference",
        "eo_difference",
        "auc_gap",
        "calibration_gap",
        "protected_features",
    }
    html = result.to_html()
    assert "Fairness-Prüfung" in html and "BESTANDEN" in html and "NICHT BESTANDEN" not in html
    path = result.save(tmp_path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "fairness_audit.json").exists()


def _design(protected: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    d = pd.DataFrame(
        {c: protected[c].astype("category").cat.codes for c in PROTECTED}, index=protected.index
    ).reindex(features.index)
    d["open_amount_eur"] = features["open_amount_eur"]
    return d


def test_model_trained_on_protected_attributes_fails(trained, audit_set):
    """A careless model that scores people by who they are (sex, age band, nationality)."""
    prot_train = protected_for_cases(trained.sim.histories.cases, trained.sim.protected)
    design = _design(prot_train, trained.features)
    tr = trained.part == 0
    biased = lgb.LGBMClassifier(
        n_estimators=150, num_leaves=15, verbose=-1, random_state=0, n_jobs=1
    )
    biased.fit(design[tr], trained.targets["pay_30d"][tr])
    x = _design(audit_set.protected, audit_set.features)
    scores = pd.Series(biased.predict_proba(x)[:, 1], index=x.index)
    result = audit(
        scores, audit_set.pay_30d, audit_set.protected, "biased", feature_names=list(x.columns)
    )
    assert not result.passed
    failed = result.failed_checks()
    assert "protected_features" in set(failed["metric"])
    # it also fails on outcomes, not only on its feature list
    by_age = set(failed.loc[failed["attribute"] == "age_band", "metric"])
    assert {"dp_difference", "eo_difference"} <= by_age, result.checks
    assert "NICHT BESTANDEN" in result.to_html()


def test_built_in_penalty_for_a_group_fails(trained, audit_set):
    """A proxy that works like a penalty for women must show up in the metrics."""
    p = trained.model.predict(audit_set.features)
    women = (audit_set.protected["sex"].reindex(audit_set.features.index) == "w").to_numpy()
    scores = pd.Series(np.clip(p - 0.2 * women, 0, 1), index=audit_set.features.index)
    result = audit(scores, audit_set.pay_30d, audit_set.protected, "penalty")
    failed = result.failed_checks()
    assert not result.passed
    by_sex = set(failed.loc[failed["attribute"] == "sex", "metric"])
    assert {"dp_difference", "eo_difference", "calibration_gap"} <= by_sex, result.checks


def test_limits_are_configurable_and_small_groups_are_not_judged(trained, audit_set):
    scores = _scores(trained, audit_set)
    strict = audit(
        scores,
        audit_set.pay_30d,
        audit_set.protected,
        limits=AuditLimits(max_dp_difference=0.0, min_group_size=500),
    )
    assert not strict.passed
    assert any("nicht bewertet" in n for n in strict.notes)  # the small group "d"
    judged = strict.groups.set_index(["attribute", "group"])["judged"]
    assert not judged[("sex", "d")]
