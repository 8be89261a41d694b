import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from mahnwerk.ml.metrics import expected_calibration_error
from mahnwerk.ml.model import PaymentModel
from mahnwerk.ml.reasons import reason_text


def test_beats_trivial_baselines_and_comes_close_to_the_oracle(trained):
    te = trained.part == 2
    x, y = trained.features[te], trained.targets["pay_30d"][te].to_numpy()
    p = trained.model.predict(x)
    auc = roc_auc_score(y, p)
    oracle = trained.sim.oracle.set_index("case_id")["p_pay_30d"].reindex(x.index).to_numpy()
    oracle_auc = roc_auc_score(y, oracle)
    amount_only = roc_auc_score(y, -x["open_amount_eur"].to_numpy())
    assert auc >= 0.72
    assert auc >= amount_only + 0.1
    assert auc >= oracle_auc - 0.10
    full = roc_auc_score(trained.targets["full_180d"][te], trained.model.predict(x, "full_180d"))
    assert full >= 0.72


def test_probabilities_are_calibrated(trained):
    te = trained.part == 2
    y = trained.targets["pay_30d"][te].to_numpy()
    p = trained.model.predict(trained.features[te])
    assert expected_calibration_error(y, p) < 0.05
    m = trained.model.metadata["metrics"]["pay_30d"]
    assert m["ece"] < 0.05
    curve = m["reliability_curve"]
    assert sum(b["n"] for b in curve) == m["n"]


def test_expected_amount_is_plausible(trained):
    te = trained.part == 2
    s = trained.model.score(trained.features[te], reasons=False)
    actual = trained.targets["collected_cents"][te].sum() / 100
    assert 0.8 < s["expected_amount_eur"].sum() / actual < 1.25


def test_artefact_round_trip(trained, tmp_path):
    path = trained.model.save(tmp_path)
    assert path.name == trained.model.version
    for name in ("pay_30d.lgb.txt", "calibration.json", "metadata.json", "MODEL_CARD.de.md"):
        assert (path / name).exists()
    meta = PaymentModel.load(path).metadata
    assert meta["feature_names"] == list(trained.features.columns)
    assert {"from", "to", "as_of"} <= set(meta["data_window"])
    assert {"auc", "brier", "ece"} <= set(meta["metrics"]["pay_30d"])
    assert "Das Alter wird nicht verwendet" in meta["model_card"]["de"]
    assert "Age is not used" in meta["model_card"]["en"]
    x = trained.features.iloc[:300]
    pd.testing.assert_frame_equal(trained.model.score(x), PaymentModel.load(path).score(x))


def test_reasons_are_stable_for_the_same_input(trained):
    x = trained.features.iloc[:400]
    a = trained.model.score(x)
    b = trained.model.score(x.copy())
    pd.testing.assert_frame_equal(a, b)
    shuffled = trained.model.score(x.sample(frac=1.0, random_state=1)).loc[x.index]
    pd.testing.assert_frame_equal(a, shuffled)
    single = trained.model.score(x.iloc[[7]])
    pd.testing.assert_frame_equal(a.iloc[[7]], single)


def test_reasons_are_german_and_from_the_model(trained):
    x = trained.features.iloc[:400]
    s = trained.model.score(x)
    for k in (1, 2, 3):
        assert s[f"reason_{k}"].str.len().gt(0).all()
        assert s[f"reason_effect_{k}"].isin(["erhöht", "senkt"]).all()
        feats = s[f"reason_code_{k}"].str.split(":").str[0]
        assert feats.isin(trained.model.feature_names).all()
    # the top reason's direction agrees with the sign of the model's own contribution
    contrib = trained.model.contributions(x)
    names = trained.model.feature_names
    for i in range(20):
        name, sign = s["reason_code_1"].iloc[i].split(":")
        c = contrib[i, names.index(name)]
        assert (c > 0) == (sign == "+") or abs(c) < 1e-9


def test_fast_path_has_no_reasons(trained):
    s = trained.model.score(trained.features.iloc[:100], reasons=False)
    assert not any(c.startswith("reason") for c in s.columns)
    assert s["p_pay_30d"].between(0, 1).all()
    assert (s["model_version"] == trained.model.version).all()


def test_reason_texts():
    assert reason_text("n_promises_broken", 2, -1) == "Zwei Zahlungszusagen nicht eingehalten"
    assert reason_text("n_promises_broken", 1, -1) == "Eine Zahlungszusage nicht eingehalten"
    assert (
        reason_text("first_response_days", 1.6, 1, {"first_response_channel": 1})
        == "Erste Reaktion auf E-Mail binnen 2 Tagen"
    )
    assert reason_text("first_response_days", np.nan, -1) == "Noch nie auf einen Kontakt reagiert"
    assert reason_text("open_amount_eur", 1234.5, -1) == "Offener Betrag 1.234,50 € (eher hoch)"
