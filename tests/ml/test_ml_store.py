"""Simulator → store → CaseHistories: the frames and the features agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text
from tests.ml._store_helpers import creditors, runtime_for

from mahnwerk.ml.features import build_features
from mahnwerk.ml.protected import protected_columns
from mahnwerk.ml.simulator import simulate
from mahnwerk.services.ml_data import load_histories, load_protected
from mahnwerk.services.simulation import write_simulation


def test_round_trip_sim_store_histories(engine, sessions, tmp_path) -> None:
    rt = runtime_for(engine, sessions, tmp_path)
    sim = simulate(400, seed=5)
    report = write_simulation(rt, sim, creditors=creditors(rt), faker_seed=2)
    assert report.cases == len(sim.histories.cases)
    h = load_histories(rt.engine, sim.histories.as_of)
    with engine.connect() as c:
        ref = dict(c.execute(text("SELECT id, external_ref FROM case_file")).all())
    sim_id = {k: int(v[3:]) for k, v in ref.items()}

    # cases: every column the store holds
    got = h.cases.assign(case_id=h.cases["case_id"].map(sim_id)).set_index("case_id")
    want = sim.histories.cases.set_index("case_id").loc[got.index]
    assert len(got) == len(want)
    for col in ("debtor_type", "claim_type", "principal_cents", "costs_cents", "stage"):
        assert (got[col].to_numpy() == want[col].to_numpy()).all(), col
    for col in ("due_date", "opened_at", "stage_since"):
        assert (pd.to_datetime(got[col]).to_numpy() == pd.to_datetime(want[col]).to_numpy()).all()

    # payments, promises, events: same counts and sums
    assert len(h.payments) == len(sim.histories.payments)
    assert h.payments["amount_cents"].sum() == sim.histories.payments["amount_cents"].sum()
    assert h.payments["reversed"].sum() == sim.histories.payments["reversed"].sum()
    assert len(h.promises) == len(sim.histories.promises)
    assert len(h.events) == len(sim.histories.events)
    for col in ("channel", "delivery"):
        assert (
            h.events[col].value_counts().sort_index()
            == sim.histories.events[col].value_counts().sort_index()
        ).all()
    assert h.events["responded"].sum() == sim.histories.events["responded"].sum()

    # features: equal (day counts within an hour: DST gaps shift a few local times)
    fs = build_features(sim.histories)
    fh = build_features(h)
    fh.index = [sim_id[i] for i in fh.index]
    fh = fh.loc[fs.index]
    np.testing.assert_allclose(fh.to_numpy(), fs.to_numpy(), atol=1 / 24 + 1e-4, equal_nan=True)

    # protected attributes: only in their own table, never in the histories or features
    for frame in (h.persons, h.cases, h.events, h.payments, h.promises, h.address_changes):
        assert not protected_columns(frame.columns, allow_age=True) or set(
            protected_columns(frame.columns, allow_age=True)
        ) <= {"birth_date", "postcode", "old_postcode", "new_postcode"}
    assert not protected_columns(fh.columns)
    prot = load_protected(rt.engine)
    assert len(prot) == int(sim.protected["sex"].notna().sum())
