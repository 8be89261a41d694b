"""Steps of ``kind: nba``: what the YAML may say, and the pure decision around the policy's
phase (the rules still win; the phase ends after ``days``; the next step follows)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from mahnwerk.domain.dunning import CaseSnapshot, Flag, Outcome, decide
from mahnwerk.domain.strategy import Stage, parse_strategy
from mahnwerk.strategies import StrategyBook

NBA = StrategyBook().get("nba")
HANDED = date(2026, 3, 2)
SNAP = CaseSnapshot(
    case_id=1,
    consumer=True,
    handed_over=HANDED,
    open_amount=D("300.00"),
    principal=D("280.00"),
    due_since=date(2026, 1, 15),
    has_email=True,
    has_mobile=True,
    has_phone=True,
)
ALL = ("none", "letter", "email", "sms", "call_morning", "call_afternoon", "call_evening")


def strategy(**step):
    base = {
        "stage": "dunning_1",
        "kind": "nba",
        "wait_days": 7,
        "days": 30,
        "template": "dunning_1",
    }
    data = {
        "name": "x",
        "version": 1,
        "steps": [
            {"stage": "reminder", "wait_days": 0, "channel": "email", "template": "reminder"},
            {**base, **step},
        ],
    }
    return parse_strategy(data)


def test_the_shipped_nba_strategy_keeps_standard_as_its_control_group():
    assert NBA.uses_nba and NBA.holdout == "standard"
    assert not StrategyBook().get("standard").uses_nba


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ({"channel": "sms"}, "entfällt bei nba"),
        ({"days": 0}, "Dauer in Tagen"),
        ({"days": "30"}, "Dauer in Tagen"),
        ({"stage": "court_handover"}, "nur in vorgerichtlichen Stufen"),
        ({"kind": "magic"}, "unbekannte Art"),
    ],
)
def test_an_nba_step_that_cannot_work_is_refused_naming_the_field(step, problem):
    assert strategy()[0] is not None  # the base is fine
    parsed, problems = strategy(**step)
    assert parsed is None
    assert any(problem in p and "Schritt 2" in p for p in problems), problems


def test_days_belong_to_nba_steps_only_and_the_holdout_is_another_strategy():
    _, problems = parse_strategy(
        {
            "name": "x",
            "version": 1,
            "steps": [
                {
                    "stage": "reminder",
                    "wait_days": 0,
                    "channel": "email",
                    "template": "r",
                    "days": 3,
                }
            ],
        }
    )
    assert any("nur Schritte der Art nba" in p for p in problems)
    _, problems = parse_strategy(
        {
            "name": "x",
            "version": 1,
            "holdout": "x",
            "steps": [
                {"stage": "reminder", "wait_days": 0, "kind": "nba", "days": 5, "template": "r"}
            ],
        }
    )
    assert any("Kontrollgruppe braucht eine andere Strategie" in p for p in problems)


def test_the_phase_asks_the_policy_for_its_days_then_the_next_step_follows():
    after_reminder = replace(SNAP, step_index=0, step_date=HANDED, first_contact_done=True)
    first = HANDED + timedelta(days=7)
    assert decide(after_reminder, NBA, first - timedelta(days=1)).outcome is Outcome.WAITING
    d = decide(after_reminder, NBA, first)
    assert (d.outcome, d.step_index, d.nba_step, d.stage) == (
        Outcome.NBA,
        1,
        1,
        Stage.DUNNING_1,
    )
    assert d.nba_allowed == ALL and d.actions == ()
    in_phase = replace(after_reminder, step_index=1, step_date=first)
    for day in (first + timedelta(days=1), first + timedelta(days=59)):
        d = decide(in_phase, NBA, day)
        assert (d.outcome, d.nba_step, d.step_index) == (Outcome.NBA, 1, None)
    d = decide(in_phase, NBA, first + timedelta(days=60))  # the phase is over
    assert d.outcome is Outcome.ACTION and d.stage is Stage.FINAL_NOTICE


def test_stops_pauses_and_undelivered_messages_win_over_the_policy():
    in_phase = replace(SNAP, step_index=1, step_date=HANDED, first_contact_done=True)
    day = HANDED + timedelta(days=3)
    assert decide(in_phase, NBA, day).outcome is Outcome.NBA
    assert decide(replace(in_phase, open_dispute=True), NBA, day).outcome is not Outcome.NBA
    flagged = replace(in_phase, flags=frozenset({Flag.INSOLVENCY}))
    assert decide(flagged, NBA, day).outcome is Outcome.STOPPED
    assert decide(replace(in_phase, pending_messages=1), NBA, day).outcome is Outcome.WAITING


def test_the_rules_decide_what_the_policy_may_choose():
    in_phase = replace(SNAP, step_index=1, step_date=HANDED, first_contact_done=True)
    day = HANDED + timedelta(days=3)
    d = decide(replace(in_phase, has_mobile=False, has_phone=False), NBA, day)
    assert d.nba_allowed == ("none", "letter", "email")
    d = decide(replace(in_phase, email_bounced=True, letter_returned=True), NBA, day)
    assert d.nba_allowed == ("none", "sms", "call_morning", "call_afternoon", "call_evening")
    d = decide(replace(in_phase, first_contact_done=False), NBA, day)
    assert d.nba_allowed == ("none", "letter", "email")  # § 13a RDG: written first
