import pandas as pd

from mahnwerk.ml.features import build_features
from mahnwerk.ml.segments import SEGMENT_TEXTS, Segmenter, name_for


def test_segments_are_named_profiled_and_deterministic(small_sim):
    x = build_features(small_sim.histories)
    seg = Segmenter.fit(x, k=6, seed=0)
    a = seg.assign(x)
    assert set(a["segment"]) <= set(SEGMENT_TEXTS)
    assert a["approach"].str.len().gt(20).all()
    pd.testing.assert_frame_equal(a, Segmenter.fit(x, k=6, seed=0).assign(x))
    again = Segmenter.from_json(seg.to_json())
    pd.testing.assert_frame_equal(a, again.assign(x))
    summary = seg.summary(x)
    assert abs(summary["share"].sum() - 1) < 1e-9
    assert summary["profile"].str.contains("Reaktionsquote").all()


def test_unreachable_debtors_form_their_own_segment(small_sim):
    x = build_features(small_sim.histories)
    a = Segmenter.fit(x, k=7, seed=0).assign(x)
    assert "nicht erreichbar" in set(a["segment"])
    bounced = (x["n_bounced_contacts"] / x["n_contacts"].clip(lower=1)).groupby(a["segment"]).mean()
    assert bounced["nicht erreichbar"] == bounced.max()


def test_naming_rules():
    base = {
        "n_contacts": 10,
        "response_rate": 0.4,
        "reach_fail_share": 0.05,
        "paid_share": 0.1,
        "n_payments": 1,
        "promises_broken": 0.1,
        "promises_kept": 0.5,
        "log10_open_eur": 2.3,
    }
    assert name_for({**base, "n_contacts": 1}) == "neu, noch ohne Verlauf"
    assert name_for({**base, "reach_fail_share": 0.6}) == "nicht erreichbar"
    assert name_for({**base, "promises_broken": 1.5}) == "zahlungswillig, aber knapp bei Kasse"
    assert name_for({**base, "paid_share": 0.5, "n_payments": 3}) == "zahlt zuverlässig in Teilen"
    assert name_for({**base, "response_rate": 0.02}) == "erreichbar, aber ohne Reaktion"
