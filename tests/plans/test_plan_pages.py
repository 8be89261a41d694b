"""The plan pages in-process, on SQLite and PostgreSQL: the portal's form for income and
fixed costs, the proposal with its alternatives and the notice, the status of a proposal
sent to an agent; the agent's call view with the same form, the decision on a debtor's
proposal, and errors on the field for plans and promises agents enter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from sqlalchemy import select
from tests.plans.conftest import csrf_of, portal_sign_in, staff_sign_in

from mahnwerk.services.actor import today_in_germany
from mahnwerk.store.plans import PlanOffer
from mahnwerk.store.workflow import PaymentPlan, Task

FINANCES = {"net_income": "2.400,00", "dependants": "0", "rent": "750", "fixed_costs": "250"}


def test_debtor_states_income_sees_three_plans_and_agrees_to_the_proposal(client, sessions, setup):
    token = portal_sign_in(client, sessions, setup.case_id)
    form = client.get("/portal/plan")
    assert 'id="net_income"' in form.text and "§ 850c ZPO" in form.text
    offer = client.post("/portal/plan/afford", data=FINANCES | {"csrf": token})
    assert offer.status_code == 200
    assert "568,82 € pfändbar" in offer.text and "518,00 € möglich" in offer.text
    for label in ("proposal", "shorter", "longer"):
        assert f'data-testid="option-{label}"' in offer.text
    assert "4 Monatsraten zu 451,00 €" in offer.text  # 1,800.32 € open: 4 × 451, last 447.32
    assert "Einigungsgebühr" in offer.text and "Höher als der Betrag" in offer.text
    with sessions() as s:
        (row,) = s.scalars(select(PlanOffer)).all()
        assert s.scalars(select(PaymentPlan)).all() == []
    unread = client.post(f"/portal/plan/offer/{row.id}", data={"option": "proposal", "csrf": token})
    assert unread.status_code == 422 and 'id="costs_read-error"' in unread.text
    agreed = client.post(
        f"/portal/plan/offer/{row.id}",
        data={"option": "proposal", "costs_read": "1", "csrf": token},
    )
    assert agreed.status_code == 200 and "Ihre Ratenzahlung ist vereinbart." in agreed.text
    with sessions() as s:
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.instalment, plan.count) == (D("451.00"), 4)
        assert s.get(PlanOffer, row.id).plan_id == plan.id


def test_finances_errors_are_on_their_fields_in_german_and_english(client, sessions, setup):
    token = portal_sign_in(client, sessions, setup.case_id)
    bad = {"net_income": "viel", "dependants": "-1", "rent": "12,345", "fixed_costs": ""}
    answer = client.post("/portal/plan/afford", data=bad | {"csrf": token})
    assert answer.status_code == 422
    assert 'id="net_income-error"' in answer.text and 'id="rent-error"' in answer.text
    assert 'aria-describedby="dependants-hint dependants-error" aria-invalid="true"' in answer.text
    assert "Bitte einen Betrag angeben, z. B. 1.850,00." in answer.text
    english = client.post("/portal/plan/afford?lang=en", data=bad | {"csrf": token})
    assert "Please enter an amount, e.g. 1,850.00." in english.text
    late = (today_in_germany() + timedelta(days=40)).isoformat()
    answer = client.post(
        "/portal/plan/afford?lang=de", data=FINANCES | {"start": late, "csrf": token}
    )
    assert 'id="afford_start-error"' in answer.text and "30 Tagen" in answer.text


def test_a_proposal_outside_the_limits_is_decided_by_an_agent_and_shown_to_the_debtor(
    client, sessions, setup
):
    token = portal_sign_in(client, sessions, setup.case_id)
    poor = FINANCES | {"net_income": "1800", "rent": "600", "fixed_costs": "100"}
    offer = client.post("/portal/plan/afford", data=poor | {"csrf": token})
    assert "Eine Person prüft diesen Plan" in offer.text
    with sessions() as s:
        row = s.scalars(select(PlanOffer)).one()
    sent = client.post(
        f"/portal/plan/offer/{row.id}",
        data={"option": "proposal", "costs_read": "1", "csrf": token},
    )
    assert "prüft ihn" in sent.text
    assert "wird geprüft" in client.get("/portal/case").text

    # the agent sees the numbers on the call view and makes a counter-offer
    client.post("/portal/logout", data={"csrf": token})
    staff = staff_sign_in(client)
    call = client.get(f"/work/cases/{setup.case_id}/call")
    assert f'data-testid="pending-offer-{row.id}"' in call.text
    assert "Höchstens 12 Monatsraten" in call.text and "Angaben: 1.800,00 € netto" in call.text
    start = (today_in_germany() + timedelta(days=7)).isoformat()
    bad = client.post(
        f"/work/offers/{row.id}/decide",
        data={"csrf": staff, "case_id": setup.case_id, "decision": "counter", "instalment": "10",
              "count": "12", "start": start, "back": "call"},
        follow_redirects=True,
    )  # fmt: skip
    assert f'id="c-amount-{row.id}-error"' in bad.text and 'value="10"' in bad.text
    client.post(
        f"/work/offers/{row.id}/decide",
        data={"csrf": staff, "case_id": setup.case_id, "decision": "counter", "instalment": "150",
              "count": "12", "start": start, "note": "Zwölf Raten sind möglich.", "back": "call"},
    )  # fmt: skip
    with sessions() as s:
        assert s.get(PlanOffer, row.id).status == "countered"
        assert s.get(Task, s.get(PlanOffer, row.id).task_id).status == "done"

    # the debtor sees the counter-offer and accepts it
    client.post("/logout", data={"csrf": staff})
    token = portal_sign_in(client, sessions, setup.case_id)
    case_page = client.get("/portal/case").text
    assert 'data-testid="counter-offer"' in case_page and "12 Monatsraten zu 150,00 €" in case_page
    accepted = client.post(
        f"/portal/plan/counter/{row.id}", data={"costs_read": "1", "csrf": token}
    )
    assert accepted.status_code == 200 and "Ihre Ratenzahlung ist vereinbart." in accepted.text
    with sessions() as s:
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.instalment, plan.count, plan.start.isoformat()) == (D("150.00"), 12, start)


def test_agents_plans_and_promises_get_errors_on_their_fields(client, sessions, setup):
    token = staff_sign_in(client)
    past = (today_in_germany() - timedelta(days=2)).isoformat()
    page = client.post(
        f"/work/cases/{setup.case_id}/promise",
        data={"csrf": token, "amount": "5000", "day": past},
        follow_redirects=True,
    )
    assert 'id="p-amount-error"' in page.text and 'id="p-day-error"' in page.text
    assert 'value="5000"' in page.text and "höher als der offene Betrag" in page.text
    page = client.post(
        f"/work/cases/{setup.case_id}/plan",
        data={
            "csrf": token,
            "amount": "20",
            "count": "24",
            "start": today_in_germany().isoformat(),
        },
        follow_redirects=True,
    )
    assert 'id="pl-amount-error"' in page.text and 'id="pl-count-error"' in page.text
    assert "mindestens 25,00 €" in page.text and "Höchstens 12 Monatsraten" in page.text
    call = client.post(
        f"/work/cases/{setup.case_id}/call",
        data={"csrf": token, "outcome": "promise", "promise_amount": "100", "back": "call",
              "promise_date": (today_in_germany() + timedelta(days=45)).isoformat()},
        follow_redirects=True,
    )  # fmt: skip
    assert 'id="promise_date-error"' in call.text and "30 Tagen" in call.text
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
        from mahnwerk.store.calls import CallLog

        assert s.scalars(select(CallLog)).all() == []  # nothing half-stored


def test_agent_works_out_a_plan_on_the_call_view_and_agrees_it(client, sessions, setup):
    token = staff_sign_in(client)
    moved = client.post(
        f"/work/cases/{setup.case_id}/afford",
        data=FINANCES | {"csrf": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and "?offer=" in moved.headers["location"]
    call = client.get(moved.headers["location"])
    assert 'data-testid="agent-offer"' in call.text and "518,00 € möglich" in call.text
    assert "Kein aktives Planmodell" in call.text
    with sessions() as s:
        row = s.scalars(select(PlanOffer)).one()
        option = next(o for o in row.options if o["label"] == "longer")
    form = {"csrf": csrf_of(call.text), "amount": option["instalment"], "count": str(option["count"]),
            "start": option["start"], "offer_id": str(row.id), "option": "longer", "back": "call"}  # fmt: skip
    notice = client.post(f"/work/cases/{setup.case_id}/plan", data=form)
    assert "§ 13a Abs. 3 RDG" in notice.text and f'name="offer_id" value="{row.id}"' in notice.text
    saved = client.post(
        f"/work/cases/{setup.case_id}/plan", data=form | {"confirm": "yes"}, follow_redirects=False
    )
    assert saved.status_code == 303
    with sessions() as s:
        plan = s.scalars(select(PaymentPlan)).one()
        assert plan.count == option["count"] and s.get(PlanOffer, row.id).plan_id == plan.id
        assert s.get(PlanOffer, row.id).status == "accepted"
