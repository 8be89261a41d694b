"""The use cases of plans from affordability, on SQLite and PostgreSQL: the one entry point
(no web), agreeing within the creditor's limits, the agent's decision outside them
(accept / counter-offer / decline) with the debtor seeing its status, the checks of what
agents enter, and the completion model's output stored with every offer."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal as D

import numpy as np
import pytest
from sqlalchemy import select
from tests.plans.conftest import add_case

from mahnwerk.domain.affordability import Finances
from mahnwerk.domain.money import format_eur
from mahnwerk.ml import plan_completion as pc
from mahnwerk.ml.simulator import simulate
from mahnwerk.services import cases
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.portal import debtor as portal
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent
from mahnwerk.store.plans import PlanModelVersion, PlanOffer
from mahnwerk.store.workflow import PaymentPlan, Task

AGENT = Actor(kind="user", id="7", role="agent", origin="test")
SINGLE = Finances(D("2400"), 0, D("750"), D("250"))  # 518 € a month (see the domain tests)


def debtor(case_id: int, creditor_id: int) -> Actor:
    return portal.debtor_actor(case_id, creditor_id, "test")


def owed(sessions, case_id) -> D:
    with sessions() as s:
        return cases.statement(s.get(Case, case_id), today_in_germany()).totals.total_open


def test_entry_point_proposes_stores_and_agrees_within_limits(sessions, setup):
    today = today_in_germany()
    total = owed(sessions, setup.case_id)
    with transaction(sessions) as s:
        offer = plans.propose_affordable_plan(
            s, debtor(setup.case_id, setup.creditor_id), setup.case_id, SINGLE, today
        )
    assert offer.capacity.instalment == D("518") and offer.limits_configured
    p = offer.proposal
    assert (p.count, p.start) == (math.ceil(total / 518), today + timedelta(days=14))
    assert [o.label for o in offer.alternatives] == ["shorter", "longer"]
    assert "Einigungsgebühr" in offer.notice and offer.agreement_fee is not None
    assert offer.model_version is None and p.p_complete is None  # no active model
    with sessions() as s:
        row = s.get(PlanOffer, offer.offer_id)
        assert (row.status, row.net_income, row.dependants, row.capacity) == (
            "offered",
            D("2400.00"),
            0,
            D("518.00"),
        )
        assert [o["label"] for o in row.options] == ["proposal", "shorter", "longer"]
        assert s.scalars(select(PaymentPlan)).all() == []  # nothing agreed yet

    with transaction(sessions) as s:
        done = plans.submit_offer(
            s, debtor(setup.case_id, setup.creditor_id), offer.offer_id, "proposal", today
        )
    assert done.accepted and done.plan_id is not None
    with sessions() as s:
        plan = s.get(PaymentPlan, done.plan_id)
        assert (plan.status, plan.instalment, plan.count) == ("active", p.instalment, p.count)
        assert s.get(PlanOffer, offer.offer_id).status == "accepted"
        assert plans.debtor_status(s, setup.case_id).status == "accepted"
        kinds = [e.kind for e in s.scalars(select(CaseEvent).order_by(CaseEvent.id))]
        assert kinds[-3:] == ["plan.offered", "plan.proposed", "plan.agreed"]
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError):
        plans.submit_offer(
            s, debtor(setup.case_id, setup.creditor_id), offer.offer_id, "longer", today
        )


def test_a_debtor_sees_only_their_own_offers(sessions, setup):
    other = add_case(sessions, setup.creditor_id, "P-2")
    today = today_in_germany()
    with transaction(sessions) as s:
        offer = plans.propose_affordable_plan(s, AGENT, setup.case_id, SINGLE, today)
    with transaction(sessions) as s, pytest.raises(LookupError):
        plans.submit_offer(s, debtor(other, setup.creditor_id), offer.offer_id, "proposal", today)
    with transaction(sessions) as s, pytest.raises(LookupError):
        plans.propose_affordable_plan(
            s, debtor(other, setup.creditor_id), setup.case_id, SINGLE, today
        )


def test_outside_the_limits_an_agent_decides_and_the_debtor_sees_it(sessions, setup):
    today = today_in_germany()
    poor = Finances(D("1800"), 0, D("600"), D("100"))  # (1,800 − 1,587.40) × 0.7 − 50 = 98
    me = debtor(setup.case_id, setup.creditor_id)
    with transaction(sessions) as s:
        offer = plans.propose_affordable_plan(s, me, setup.case_id, poor, today)
        assert offer.capacity.instalment == D("98")
        proposal = offer.proposal  # 19 months of 95 €: more months than the creditor allows
        assert (proposal.count, proposal.instalment) == (19, D("95"))
        assert not proposal.within_limits and not offer.agreed_at_once(proposal)
        assert offer.option("shorter").count == 18
        done = plans.submit_offer(s, me, offer.offer_id, "proposal", today)
    assert not done.accepted
    with sessions() as s:
        row = s.get(PlanOffer, offer.offer_id)
        task = s.get(Task, row.task_id)
        assert (row.status, task.kind, task.status) == ("pending", "plan_review", "open")
        assert "Höchstens 12 Monatsraten" in task.reason and "netto" in task.reason
        assert plans.debtor_status(s, setup.case_id).status == "pending"
        assert [p.row.id for p in plans.pending_views(s, setup.case_id)] == [row.id]

    # a counter-offer is checked like anything an agent enters: errors per field
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError) as refused:
        plans.decide_offer(
            s, AGENT, row.id, "counter", today, instalment="10", count="13", start="2020-01-01"
        )
    assert set(refused.value.errors) == {"amount", "count", "start"}
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError) as no_note:
        plans.decide_offer(s, AGENT, row.id, "decline", today)
    assert set(no_note.value.errors) == {"note"}

    start = (today + timedelta(days=10)).isoformat()
    with transaction(sessions) as s:
        plans.decide_offer(
            s,
            AGENT,
            row.id,
            "counter",
            today,
            instalment="160",
            count="12",
            start=start,
            note="Zwölf Raten sind das Höchste, was der Mandant zulässt.",
        )
    with sessions() as s:
        row = s.get(PlanOffer, offer.offer_id)
        assert (row.status, row.counter_instalment, row.counter_count) == (
            "countered",
            D("160.00"),
            12,
        )
        assert s.get(Task, row.task_id).status == "done"
        assert plans.debtor_status(s, setup.case_id).decision_note.startswith("Zwölf")
    with transaction(sessions) as s:
        plan = plans.accept_counter(s, me, row.id, today)
        assert (plan.instalment, plan.count, plan.start.isoformat()) == (D("160.00"), 12, start)
    with sessions() as s:
        assert plans.debtor_status(s, setup.case_id).status == "accepted"


def test_declined_and_accepted_by_an_agent(sessions, setup):
    today = today_in_germany()
    me = debtor(setup.case_id, setup.creditor_id)
    with transaction(sessions) as s:
        row = plans.named_offer(s, me, s.get(Case, setup.case_id), D("20"), today, today)
        assert not plans.submit_offer(s, me, row.id, "named", today).accepted
    with transaction(sessions) as s:
        plans.decide_offer(s, AGENT, row.id, "decline", today, note="Die Rate ist zu klein.")
    with sessions() as s:
        status = plans.debtor_status(s, setup.case_id)
        assert (status.status, status.decision_note) == ("declined", "Die Rate ist zu klein.")
    with transaction(sessions) as s:
        row = plans.named_offer(s, me, s.get(Case, setup.case_id), D("100"), today, today)
        assert not plans.submit_offer(s, me, row.id, "named", today).accepted  # 19 months
    with transaction(sessions) as s:
        plans.decide_offer(s, AGENT, row.id, "accept", today, note="")
    with sessions() as s:
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.instalment, plan.count) == (D("100.00"), 19)
        with pytest.raises(PermissionError):
            plans.decide_offer(s, me, row.id, "accept", today)


def test_what_an_agent_enters_is_checked_with_the_error_on_the_field(sessions, setup):
    today = today_in_germany()
    total = owed(sessions, setup.case_id)
    past = (today - timedelta(days=1)).isoformat()
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError) as refused:
        plans.agree_plan(s, AGENT, setup.case_id, "2.000,00", "1", past, today)
    assert set(refused.value.errors) == {"amount", "start"}
    assert refused.value.errors["amount"].startswith("Die Rate ist höher als der offene Betrag")
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError) as refused:
        plans.agree_plan(s, AGENT, setup.case_id, "20", "24", today.isoformat(), today)
    assert refused.value.errors == {
        "amount": "Die Rate muss mindestens 25,00 € betragen (Vorgabe des Mandanten).",
        "count": "Höchstens 12 Monatsraten (Vorgabe des Mandanten).",
    }
    with transaction(sessions) as s, pytest.raises(plans.PlanInputError) as refused:
        plans.agree_plan(s, AGENT, setup.case_id, "zehn", "x", "morgen", today)
    assert set(refused.value.errors) == {"amount", "count", "start"}
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
    with transaction(sessions) as s:
        plan = plans.agree_plan(s, AGENT, setup.case_id, "150,00", "12", today.isoformat(), today)
        assert (plan.kind, plan.count) == ("plan", 12)
        # the notice names what the plan covers: 12 × 150 € of the 1,800.32 € open
        assert f"Ratenzahlung über insgesamt {format_eur(min(total, D(1800)))}." in plan.cost_notice


def test_notice_values_the_fee_on_what_is_open(sessions, setup):
    today = today_in_germany()
    with transaction(sessions) as s:
        case = s.get(Case, setup.case_id)
        cases.record_payment(s, AGENT, case, day=today, amount=D("1000.00"), source="bank")
    with sessions() as s:
        case = s.get(Case, setup.case_id)
        totals = cases.statement(case, today).totals
        notice = plans.workflow.plan_notice(case, today)
        assert notice.value == totals.principal_open < D("1800.00")
        assert notice.fee.value == (totals.principal_open / 2).quantize(D("0.01"))


def test_an_active_model_gives_each_option_its_probability_and_reasons(sessions, setup, runtime):
    sim = simulate(20_000, seed=31)
    plans_, feats = pc.training_data(sim.histories, capacity_cents=pc.simulated_capacity(sim, 31))
    model, _ = pc.train(
        feats,
        plans_["completed"],
        plans_["person_id"].to_numpy(),
        pc.PlanTrainConfig(num_threads=1),
    )
    var = runtime.settings.var_dir
    path = model.save(var / "plan_models")
    with transaction(sessions) as s:
        s.add(
            PlanModelVersion(
                version=model.version,
                path=str(path.relative_to(var)),
                trained_at=utcnow(),
                as_of=today_in_germany(),
                n_plans=len(plans_),
                metrics={},
                status="active",
                audit_passed=True,
            )
        )
    context = plans.plan_context(runtime.settings)
    with transaction(sessions) as s:
        offer = plans.propose_affordable_plan(
            s, AGENT, setup.case_id, SINGLE, today_in_germany(), context=context
        )
    assert offer.model_version == model.version
    probabilities = [o.p_complete for o in offer.options]
    assert all(p is not None and 0 <= p <= 1 for p in probabilities)
    assert all(o.reasons for o in offer.options)
    with sessions() as s:
        row = s.get(PlanOffer, offer.offer_id)
        assert row.model_version == model.version
        assert [o["p_complete"] for o in row.options] == probabilities
        assert all(o["reason_codes"] for o in row.options)
    assert np.isfinite(probabilities).all()
