"""Simulator → store → CaseHistories: the frames and the features agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal as D

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from tests.ml._store_helpers import creditors, runtime_for
from tests.store.test_cases_store import case_input

from mahnwerk.ml.features import build_features
from mahnwerk.ml.protected import protected_columns
from mahnwerk.ml.simulator import simulate
from mahnwerk.services import cases, events
from mahnwerk.services.actor import CLI, SYSTEM
from mahnwerk.services.admin import accounts
from mahnwerk.services.portal import debtor as portal
from mahnwerk.services.scoring.ml_data import load_histories, load_protected
from mahnwerk.services.scoring.simulation import write_simulation
from mahnwerk.services.workspace import desk as workspace
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent
from mahnwerk.store.workflow import PaymentPlan


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


def test_plans_agreed_in_the_application_are_judged_like_the_dunning_rule(sessions, engine):
    """A plan agreed in the workspace writes no ``promise.recorded`` events: its instalments
    come from the ``payment_plan`` row, kept when the payments since the agreement cover
    them within the grace days, never judged with payments after ``as_of``."""
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        replaced = workflow.add_plan(
            s, CLI, case.id, amount=D("300.00"), start=date(2025, 1, 20), today=date(2025, 1, 5)
        )
        plan = workflow.add_plan(
            s,
            CLI,
            case.id,
            amount=D("50.00"),
            start=date(2025, 2, 1),
            count=3,
            today=date(2025, 1, 10),
        )
        cases.record_payment(
            s,
            CLI,
            case,
            day=date(2025, 1, 30),
            amount=D("50.00"),
            source="creditor",
            external_id="on-time",
        )
        cases.record_payment(
            s,
            CLI,
            case,
            day=date(2025, 3, 25),
            amount=D("100.00"),
            source="creditor",
            external_id="after-as-of",
        )
        case_id, plan_id, replaced_id = case.id, plan.id, replaced.id
    with transaction(sessions) as s:  # as if all of it had been recorded on its own day
        s.get(Case, case_id).created_at = datetime(2025, 1, 2, 9, tzinfo=UTC)
        for plan_row in s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)):
            plan_row.created_at = datetime.combine(plan_row.agreed_on, time(9), UTC)
            if plan_row.closed_at is not None:
                plan_row.closed_at = datetime(2025, 1, 10, 9, tzinfo=UTC)

    h = load_histories(engine, pd.Timestamp("2025-03-20 12:00"))
    got = h.promises[h.promises["case_id"] == case_id]
    # the replaced promise was due after it was replaced: nobody owed it any more
    assert replaced_id not in set(got["plan_id"].dropna())
    assert list(got["plan_id"]) == [plan_id] * 3
    assert list(got["due_at"]) == [pd.Timestamp(f"2025-0{m}-01") for m in (2, 3, 4)]
    assert list(got["amount_cents"]) == [5000] * 3
    # 1st covered on time; 2nd due 1 March, grace over on 8 March, not covered by 20 March
    # (the payment of 25 March is after as_of); 3rd not due yet
    assert judged(got) == [True, False, None]
    features = build_features(h).loc[case_id]
    assert (features["n_instalments_kept"], features["n_instalments_broken"]) == (1, 1)

    later = load_histories(engine, pd.Timestamp("2025-04-20 12:00"))
    # the 2nd stays broken (paid late); the 3rd is covered by 8 April
    assert judged(later.promises[later.promises["case_id"] == case_id]) == [True, False, True]


def judged(promises: pd.DataFrame) -> list[bool | None]:
    return [None if pd.isna(k) else bool(k) for k in promises["kept"]]


def test_the_debtors_own_steps_answer_the_contact_before_them(sessions, engine):
    """The application writes no ``debtor.responded``: a step the debtor takes in the portal
    answers the last contact before it, a call in which the debtor asked for a call back
    answers itself, a call nobody took answers nothing."""
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        events.emit(s, case, "message.sent", SYSTEM, channel="letter")
        portal.set_contact(s, case.id, "call", "9", "17", "127.0.0.1")
        events.emit(s, case, "message.sent", SYSTEM, channel="email")
        workspace.log_call(s, CLI, case.id, outcome="callback")
        workspace.log_call(s, CLI, case.id, outcome="not_reached")
        case_id = case.id
    with transaction(sessions) as s:  # as if each step had been taken on its own day
        s.get(Case, case_id).created_at = datetime(2025, 1, 2, 9, tzinfo=UTC)
        timeline = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        assert [e.kind for e in timeline] == [
            "case.created",
            "message.sent",
            "contact_preference.set",
            "message.sent",
            "call.logged",
            "call.logged",
        ]
        for day, event in zip((2, 3, 5, 10, 20, 21), timeline, strict=True):
            event.at = datetime(2025, 2, day, 9, tzinfo=UTC)

    h = load_histories(engine, pd.Timestamp("2025-03-01 12:00"))
    got = h.events[h.events["case_id"] == case_id]
    assert list(got["channel"]) == ["letter", "email", "call", "call"]
    assert list(got["responded"]) == [True, False, True, False]
    assert list(got["response_ts"].dropna()) == [
        pd.Timestamp("2025-02-05 10:00"),  # the contact hours given in the portal (CET)
        pd.Timestamp("2025-02-20 10:00"),  # the call itself
    ]
    assert build_features(h).loc[case_id, "n_responses"] == 2

    # seen from before the portal step, the letter had no answer yet
    earlier = load_histories(engine, pd.Timestamp("2025-02-04 12:00")).until()
    assert list(earlier.events.loc[earlier.events["case_id"] == case_id, "responded"]) == [False]
