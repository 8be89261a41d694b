"""The pure decision: stops, pauses, waiting, steps, first contact, approvals, § 31 BDSG."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from mahnwerk.domain.dunning import (
    CaseSnapshot,
    Flag,
    Outcome,
    PlanState,
    PlanTerms,
    decide,
)
from mahnwerk.domain.strategy import Channel, Stage, parse_strategy
from mahnwerk.strategies import StrategyBook

STANDARD = StrategyBook().get("standard")
HANDED = date(2026, 3, 2)
SNAP = CaseSnapshot(
    case_id=1,
    consumer=True,
    handed_over=HANDED,
    open_amount=D("1300.00"),
    principal=D("1250.00"),
    due_since=date(2026, 1, 15),
    has_email=True,
    has_mobile=True,
    has_phone=True,
)


def at_step(index: int, on: date, **kw) -> CaseSnapshot:
    return replace(SNAP, step_index=index, step_date=on, first_contact_done=True, **kw)


def test_first_step_on_hand_over_is_a_first_contact_email_with_the_agency_fee():
    d = decide(SNAP, STANDARD, HANDED)
    assert d.outcome is Outcome.ACTION
    (action,) = d.actions
    assert (action.stage, action.channel, action.first_contact) == (
        Stage.REMINDER,
        Channel.EMAIL,
        True,
    )
    assert d.step_index == 0 and d.stage is Stage.REMINDER
    # VV 2300 factor 0.5 on 1,250 EUR (RVG 2025: 1.0 fee 134.50 -> 67.25) + VV 7002 (13.45)
    assert [(f.code, f.amount) for f in d.fees] == [
        ("VV 2300", D("67.25")),
        ("VV 7002", D("13.45")),
    ]


def test_the_agency_fee_is_charged_once_per_case():
    d = decide(replace(SNAP, cost_codes=frozenset({"VV 2300"})), STANDARD, HANDED)
    assert d.fees == ()


def test_without_email_the_first_contact_is_a_letter():
    d = decide(replace(SNAP, has_email=False), STANDARD, HANDED)
    assert d.actions[0].channel is Channel.LETTER and d.actions[0].first_contact


def test_nothing_happens_before_wait_days_have_passed():
    snap = at_step(0, HANDED)
    assert decide(snap, STANDARD, date(2026, 3, 15)).outcome is Outcome.WAITING
    d = decide(snap, STANDARD, date(2026, 3, 16))
    assert (d.outcome, d.actions[0].stage, d.actions[0].channel) == (
        Outcome.ACTION,
        Stage.DUNNING_1,
        Channel.LETTER,
    )
    assert d.actions[0].first_contact is False and d.actions[0].credit_bureau_notice


def test_an_sms_step_before_any_first_contact_becomes_a_written_first_contact():
    # the reminder went out but never arrived (failed): the next step must carry § 13a items
    snap = replace(at_step(2, date(2026, 3, 30)), first_contact_done=False)
    d = decide(snap, STANDARD, date(2026, 4, 2))
    assert d.actions[0].stage is Stage.DUNNING_2
    assert d.actions[0].channel is Channel.LETTER and d.actions[0].first_contact
    assert d.actions[0].note == "letter statt sms (Erstkontakt)"


def test_sms_without_a_mobile_number_is_skipped_to_the_next_step():
    snap = at_step(2, date(2026, 3, 30), has_mobile=False, has_phone=True)
    d = decide(snap, STANDARD, date(2026, 4, 6))
    assert d.actions[0].channel is Channel.PHONE_TASK
    assert any("keine Mobilnummer" in r for r in d.reasons)


def test_a_step_whose_conditions_fail_is_skipped():
    # the phone step needs at least 100 EUR open
    snap = at_step(3, date(2026, 4, 2), open_amount=D("80.00"))
    d = decide(snap, STANDARD, date(2026, 4, 9))
    assert d.actions[0].stage is Stage.FINAL_NOTICE and d.skipped == (4,)


def test_a_pending_message_holds_the_next_step():
    snap = at_step(0, HANDED, pending_messages=1)
    d = decide(snap, STANDARD, date(2026, 4, 30))
    assert d.outcome is Outcome.WAITING and not d.actions


def test_settled_cases_are_not_dunned():
    assert decide(replace(SNAP, open_amount=D("0.00")), STANDARD, HANDED).outcome is Outcome.SETTLED


def test_an_open_dispute_stops_all_dunning_and_opens_no_task():
    d = decide(replace(SNAP, open_dispute=True, letter_returned=True), STANDARD, HANDED)
    assert (d.outcome, d.actions, d.tasks, d.approvals) == (Outcome.STOPPED, (), (), ())


@pytest.mark.parametrize(
    ("flag", "code"), [(Flag.INSOLVENCY, "review:insolvency"), (Flag.DECEASED, "review:deceased")]
)
def test_insolvency_and_death_stop_and_flag_for_a_person(flag, code):
    d = decide(replace(SNAP, flags=frozenset({flag})), STANDARD, HANDED)
    assert d.outcome is Outcome.STOPPED and not d.actions
    assert [(t.kind, t.code) for t in d.tasks] == [("review_flag", code)]
    again = decide(
        replace(SNAP, flags=frozenset({flag}), open_task_codes=frozenset({code})), STANDARD, HANDED
    )
    assert again.tasks == ()


def test_a_time_barred_claim_stops_and_flags():
    d = decide(replace(SNAP, barred_from=date(2026, 1, 1)), STANDARD, HANDED)
    assert d.outcome is Outcome.STOPPED
    assert d.tasks[0].code == "review:time_barred"
    assert (
        decide(replace(SNAP, barred_from=date(2027, 1, 1)), STANDARD, HANDED).outcome
        is Outcome.ACTION
    )


def test_do_not_contact_stops_and_hardship_pauses():
    assert (
        decide(replace(SNAP, flags=frozenset({Flag.DO_NOT_CONTACT})), STANDARD, HANDED).outcome
        is Outcome.STOPPED
    )
    assert (
        decide(replace(SNAP, flags=frozenset({Flag.HARDSHIP})), STANDARD, HANDED).outcome
        is Outcome.PAUSED
    )


PLAN = PlanTerms("plan", date(2026, 3, 20), date(2026, 4, 1), D("100.00"), 3)


def test_a_plan_in_good_standing_pauses_and_a_broken_plan_resumes():
    snap = at_step(1, date(2026, 3, 16), plan=PLAN, payments=((date(2026, 4, 1), D("100.00")),))
    d = decide(snap, STANDARD, date(2026, 5, 5))
    assert (d.outcome, d.plan_state) == (Outcome.PAUSED, PlanState.GOOD)
    # May instalment not paid, 7 days grace over on 9 May
    d = decide(snap, STANDARD, date(2026, 5, 9))
    assert d.plan_state is PlanState.BROKEN and d.outcome is Outcome.ACTION
    assert d.actions[0].stage is Stage.DUNNING_2


def test_a_promise_to_pay_pauses_until_broken():
    promise = PlanTerms("promise", date(2026, 3, 20), date(2026, 3, 31), D("1300.00"))
    snap = at_step(1, date(2026, 3, 16), plan=promise)
    assert decide(snap, STANDARD, date(2026, 4, 7)).outcome is Outcome.PAUSED
    d = decide(snap, STANDARD, date(2026, 4, 8))
    assert d.plan_state is PlanState.BROKEN and d.outcome is Outcome.ACTION


def test_returned_letter_and_bounced_email_open_an_address_inquiry_once():
    d = decide(
        replace(at_step(0, HANDED), letter_returned=True, email_bounced=True),
        STANDARD,
        date(2026, 3, 16),
    )
    assert sorted(t.code for t in d.tasks) == ["address_inquiry:email", "address_inquiry:letter"]
    # no postal address and no e-mail: the letter step waits for the inquiry
    assert d.outcome is Outcome.WAITING and not d.actions
    d = decide(
        replace(
            at_step(0, HANDED),
            letter_returned=True,
            open_task_codes=frozenset({"address_inquiry:letter"}),
        ),
        STANDARD,
        date(2026, 3, 16),
    )
    assert d.tasks == () and d.actions[0].channel is Channel.EMAIL


def test_court_handover_is_only_ever_an_approval_request():
    snap = at_step(5, date(2026, 4, 13))
    d = decide(snap, STANDARD, date(2026, 4, 27))
    assert d.outcome is Outcome.APPROVAL and d.actions == ()
    assert d.approvals[0].stage is Stage.COURT_HANDOVER and d.step_index is None
    assert "Abgabe ins gerichtliche Mahnverfahren" in d.approvals[0].reason
    pending = replace(snap, approvals_pending=frozenset({6}))
    assert decide(pending, STANDARD, date(2026, 6, 1)).outcome is Outcome.AWAITING_APPROVAL
    rejected = replace(snap, approvals_rejected=frozenset({6}))
    assert decide(rejected, STANDARD, date(2026, 6, 1)).outcome is Outcome.HELD


def bureau_strategy():
    strategy, problems = parse_strategy(
        {
            "name": "b",
            "version": 1,
            "steps": [
                {
                    "stage": "reminder",
                    "wait_days": 0,
                    "channel": "letter",
                    "credit_bureau_notice": True,
                },
                {"stage": "dunning_1", "wait_days": 14, "channel": "letter"},
                {"stage": "credit_bureau_report", "wait_days": 7},
            ],
        }
    )
    assert not problems
    return strategy


def test_a_credit_bureau_report_is_proposed_only_under_31_bdsg():
    s = bureau_strategy()
    ok = at_step(
        1,
        date(2026, 3, 16),
        written_reminders=(date(2026, 3, 2), date(2026, 3, 16)),
        bureau_notice_on=date(2026, 3, 2),
    )
    d = decide(ok, s, date(2026, 3, 30))
    assert d.outcome is Outcome.APPROVAL
    assert d.approvals[0].stage is Stage.CREDIT_BUREAU_REPORT

    early = replace(
        ok,
        written_reminders=(date(2026, 3, 10), date(2026, 3, 16)),
        bureau_notice_on=date(2026, 3, 10),
    )
    d = decide(early, s, date(2026, 3, 30))
    assert d.outcome is Outcome.WAITING and "keine vier Wochen" in d.reasons[-1]

    for bad, text in [
        (replace(ok, written_reminders=(date(2026, 3, 2),)), "weniger als zwei"),
        (replace(ok, bureau_notice_on=None), "keine vorherige Unterrichtung"),
        (replace(ok, ever_disputed=True), "bestritten"),
        (replace(ok, bureau_notice_on=date(2026, 3, 1)), "vor der ersten Mahnung"),
    ]:
        d = decide(bad, s, date(2026, 3, 30))
        assert d.outcome is Outcome.HELD and not d.approvals
        assert text in d.reasons[-1]


def test_the_strategy_ends():
    d = decide(at_step(len(STANDARD.steps) - 1, date(2026, 1, 1)), STANDARD, date(2027, 1, 1))
    assert d.outcome is Outcome.FINISHED
