"""The plan-completion model from the store: outcomes of the plans in the store train it
(with the terms as agreed), a fairness audit goes with every version, activation follows
the payment model's rule, and the active version scores the options of a proposal."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select
from tests.ml._store_helpers import creditors, runtime_for

from mahnwerk.domain.affordability import Finances
from mahnwerk.ml.simulator import simulate
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.plans.completion import MIN_PLANS, activate_plan_model, train_plan_model
from mahnwerk.services.scoring.scores import ScoringError
from mahnwerk.services.scoring.simulation import write_simulation
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.plans import PlanModelVersion, PlanOffer


def test_train_audit_activate_and_score_from_the_store(engine, sessions, tmp_path):
    rt = runtime_for(engine, sessions, tmp_path)
    sim = simulate(9000, seed=41)
    write_simulation(rt, sim, creditors=creditors(rt), faker_seed=4)
    as_of = sim.histories.as_of.date()
    with transaction(rt.sessions) as s:
        accounts.add_user(s, CLI, "compliance@example.org", "sehr-geheim-123", "compliance")

    with pytest.raises(ScoringError, match="zu wenige"):
        train_plan_model(rt, as_of.replace(year=as_of.year - 1))
    row = train_plan_model(rt, as_of)
    assert row.n_plans >= MIN_PLANS and row.metrics["auc"] > 0.6
    assert (tmp_path / row.path / "metadata.json").exists()
    assert (tmp_path / row.audit_path).exists() and row.audit_passed is not None

    with transaction(rt.sessions) as s:  # the rule after a failed audit
        s.scalar(select(PlanModelVersion)).audit_passed = False
    with pytest.raises(ScoringError, match="nicht bestanden"):
        activate_plan_model(rt, row.version)
    with pytest.raises(ScoringError, match="compliance"):
        activate_plan_model(rt, row.version, override_reason="x" * 30, by="niemand@example.org")
    active = activate_plan_model(
        rt,
        row.version,
        override_reason="Gruppen zu klein für eine belastbare Aussage; erneut prüfen.",
        by="compliance@example.org",
    )
    assert (active.status, active.override_by) == ("active", "compliance@example.org")

    with rt.sessions() as s:
        case_id = s.scalars(select(Case.id).where(Case.status == "open")).first()
    with transaction(rt.sessions) as s:
        offer = plans.propose_affordable_plan(
            s,
            CLI,
            case_id,
            Finances(D("2600"), 1, D("800"), D("200")),
            today_in_germany(),
            context=plans.plan_context(rt.settings),
        )
    assert offer.model_version == row.version
    assert all(o.p_complete is not None and o.reasons for o in offer.options)
    with rt.sessions() as s:
        stored = s.get(PlanOffer, offer.offer_id)
        assert stored.model_version == row.version
