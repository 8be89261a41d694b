import numpy as np
import pandas as pd

from mahnwerk.ml.drift import PSI_ALERT, any_alert, drift_report, psi


def test_psi_of_same_population_is_small():
    rng = np.random.default_rng(0)
    assert psi(rng.normal(size=20_000), rng.normal(size=20_000)) < 0.01


def test_shift_raises_an_alert():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=20_000)
    assert psi(ref, ref + 0.8) > PSI_ALERT
    assert 0.0 < psi(ref, ref + 0.1) < PSI_ALERT


def test_discrete_and_missing_values():
    ref = np.array([0, 0, 1, 1, 2, np.nan] * 100, dtype=float)
    assert psi(ref, ref) < 1e-9
    more_missing = np.array([0, 1, np.nan, np.nan, np.nan, np.nan] * 100, dtype=float)
    assert psi(ref, more_missing) > PSI_ALERT


def test_report_per_variable(small_sim, trained):
    from mahnwerk.ml.features import build_features

    a = build_features(small_sim.histories)
    b = a.copy()
    b["open_amount_eur"] *= 3
    report = drift_report(a, b)
    assert report.iloc[0]["variable"] == "open_amount_eur"
    assert report.iloc[0]["status_de"] == "Alarm"
    assert any_alert(report)
    same = drift_report(a, a)
    assert not any_alert(same)
    scores_a = pd.DataFrame({"p_pay_30d": trained.model.predict(a)})
    assert not any_alert(drift_report(scores_a, scores_a))
