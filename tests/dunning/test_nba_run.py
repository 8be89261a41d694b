"""A strategy with an ``nba`` step in the normal daily run and delivery: the policy's choices
become letters, e-mails, SMS and phone tasks in their time window; every decision is stored
with its inputs, propensity, reason codes and version; the hold-out group follows the fixed
strategy and is stable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mahnwerk.config import NbaSettings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.nba.decisions import NbaError, in_holdout
from mahnwerk.services.nba.report import group_report
from mahnwerk.services.nba.versions import (
    activate_version,
    evaluate_version,
    register_prior,
    train_version,
)
from mahnwerk.services.workspace.workflow import set_contact_preference
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.nba import NbaAssignment, NbaDecision
from mahnwerk.store.workflow import CaseStrategy, OutboxMessage, Task

from .conftest import creditor_of, set_creditor_settings

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 2)  # a Monday, the day the cases are handed over
CREDITOR = {
    "address": "Am Sande 4, 21335 Lüneburg",
    "payment_account": {"holder": "Inkasso Nord GmbH", "iban": "DE89370400440532013000"},
    "strategy": "nba",
}
N_CASES = 30


def working_days(start: date, n: int) -> list[date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


@pytest.fixture
def nba_runtime(runtime, sessions, channels_of, email_sender, sms_gateway):
    # more exploration than the default so that a few cases over a few days show every
    # channel; the decisions are still the policy's (propensities logged)
    settings = replace(runtime.settings, nba=NbaSettings(exploration=0.5))
    rt = channels_of(replace(runtime, settings=settings), email=email_sender, sms=sms_gateway)
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "compliance@inkasso-nord.example", "x" * 16, "compliance")
    prior = register_prior(rt)
    activate_version(
        rt,
        prior.version,
        by="compliance@inkasso-nord.example",
        note="Startzustand aus dem Simulator, geprüft im Test",
    )
    return rt


def nba_cases(sessions, make_case, prefix: str, n: int, born: int) -> list[int]:
    """``n`` cases of one creditor on the ``nba`` strategy, each of another person (the
    delivery's weekly cap counts a person's contacts over all their cases)."""
    first = make_case(f"{prefix}-0", creditor_settings=CREDITOR)
    creditor = creditor_of(sessions, first)
    set_creditor_settings(sessions, creditor, CREDITOR)
    return [first] + [
        make_case(
            f"{prefix}-{i}",
            creditor_id=creditor,
            first_name=f"Jürgen{chr(65 + i)}",
            birth_date=date(born + i, 5, 17),
            email=f"schuldner{i}@example.org",
            phone=f"0151 2345{born % 100:02d}{i:02d}",
        )
        for i in range(1, n)
    ]


def test_an_nba_step_produces_every_channel_through_the_daily_run(nba_runtime, sessions, make_case):
    ids = nba_cases(sessions, make_case, "N", N_CASES, 1970)
    for day in [DAY, *working_days(DAY + timedelta(days=7), 12)]:
        # 10:00 in Berlin: after the quiet hours, so that the day's messages go out today
        now = datetime.combine(day, time(10), BERLIN)
        summary = run_day(nba_runtime, day, now=now, processes=1)
        assert not summary.errors, summary.errors

    holdout = {i for i in ids if in_holdout(i, 0.10, "mahnwerk-nba")}
    assert holdout and len(holdout) < len(ids)  # the hash puts some cases there
    with sessions() as s:
        groups = {a.case_id: a.arm for a in s.scalars(select(NbaAssignment))}
        strategies = {c.case_id: c.strategy_name for c in s.scalars(select(CaseStrategy))}
        decisions = list(s.scalars(select(NbaDecision).order_by(NbaDecision.id)))
        messages = {m.id: m for m in s.scalars(select(OutboxMessage))}
        tasks = list(s.scalars(select(Task).where(Task.kind == "phone_call")))

    # the hold-out group: recorded once, on the fixed strategy, never asked the policy
    assert groups == {i: ("holdout" if i in holdout else "policy") for i in ids}
    assert {i for i, name in strategies.items() if name == "standard"} == holdout
    assert not {d.case_id for d in decisions} & holdout

    # every decision: within allowed, its propensity, inputs, reasons and version
    assert decisions
    for d in decisions:
        assert d.action in d.allowed
        assert 0 < d.propensity <= 1
        assert abs(sum(d.probabilities.values()) - 1) < 1e-4
        assert d.reasons and d.features and d.policy_version
        assert (d.outbox_id is None) == (d.action == "none")
    # one decision per case and day; the first nba day allows only written contacts
    assert len({(d.case_id, d.run_date) for d in decisions}) == len(decisions)

    # the messages they caused went through the normal delivery
    caused = [messages[d.outbox_id] for d in decisions if d.outbox_id is not None]
    assert {m.channel for m in caused} == {"letter", "email", "sms", "phone_task"}
    assert all(m.status == "sent" for m in caused)
    assert all(m.strategy_name == "nba" and m.stage == "dunning_1" for m in caused)

    # calls are phone tasks in the chosen window
    by_outbox = {t.data["outbox_id"]: t for t in tasks}
    calls = [d for d in decisions if d.action.startswith("call_")]
    assert calls
    hours = {"call_morning": (8, 12), "call_afternoon": (12, 17), "call_evening": (17, 20)}
    for d in calls:
        task = by_outbox[d.outbox_id]
        due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)
        local = due.astimezone(BERLIN)
        # due from the window's start (or from the run, if that is later), within the window
        start, end = hours[d.action]
        assert local.date() == d.run_date and max(start, 10) <= local.hour < max(end, 11)
        assert task.data["call_window"]["action"] == d.action

    # the group report counts both groups
    with sessions() as s:
        report = group_report(s, nba_runtime.settings, until=DAY + timedelta(days=30))
    assert report.arms["holdout"].cases == len(holdout)
    assert report.arms["policy"].cases == len(ids) - len(holdout)

    # the next version: learned from the settled decisions, judged offline, then approved
    later = DAY + timedelta(days=60)
    candidate = train_version(nba_runtime, today=later)
    assert candidate.parent == decisions[0].policy_version
    assert candidate.n_decisions == len(decisions)
    with sessions() as s:
        settled = list(s.scalars(select(NbaDecision)))
    assert all(d.settled for d in settled)
    assert all(d.reached for d in settled if d.action in ("email", "sms", "letter"))
    with pytest.raises(NbaError, match="nicht gegen die aktive Version"):
        activate_version(nba_runtime, candidate.version, by="compliance@inkasso-nord.example")
    judged = evaluate_version(nba_runtime, candidate.version, today=later, days=365)
    assert judged.against == candidate.parent
    for method in ("IPS", "DR"):
        estimate = judged.details["comparison"]["candidate"][method]
        assert estimate["low"] <= estimate["value"] <= estimate["high"]
    if judged.passed:
        activate_version(nba_runtime, candidate.version, by="compliance@inkasso-nord.example")
    else:
        with pytest.raises(NbaError, match="nicht bestanden"):
            activate_version(nba_runtime, candidate.version, by="compliance@inkasso-nord.example")
        activate_version(
            nba_runtime,
            candidate.version,
            by="compliance@inkasso-nord.example",
            override_reason="Testlauf mit wenigen Fällen, bewusst freigegeben",
        )


def test_without_an_active_version_the_run_says_so_and_contacts_nobody(
    runtime, sessions, make_case
):
    case_id = make_case("N-1", creditor_settings=CREDITOR, email=None)
    while in_holdout(case_id, 0.10, "mahnwerk-nba"):  # pragma: no cover - depends on the id
        case_id = make_case(f"N-{case_id + 1}", creditor_id=creditor_of(sessions, case_id))
    run_day(runtime, DAY, now=datetime(2026, 3, 2, 10, tzinfo=UTC), processes=1)
    day = DAY + timedelta(days=7)
    summary = run_day(runtime, day, now=datetime(2026, 3, 9, 10, tzinfo=UTC), processes=1)
    assert any("keine aktive Version" in e for e in summary.errors)
    with sessions() as s:
        assert not s.scalars(select(NbaDecision)).all()
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.run_date == day)).all() == []


def test_the_policy_chooses_only_what_the_debtors_stated_preferences_allow(
    nba_runtime, sessions, make_case
):
    """A debtor who asked to be called in the evening gets letters and evening calls only,
    never an e-mail, an SMS or a call at another time (exploration is high here, so without
    the rule those would be chosen); the decisions say why."""
    ids = nba_cases(sessions, make_case, "P", 12, 1960)
    ids = [i for i in ids if not in_holdout(i, 0.10, "mahnwerk-nba")]
    with transaction(sessions) as s:
        for case_id in ids:
            debtor_id = s.get(Case, case_id).debtor_id
            set_contact_preference(s, CLI, debtor_id, "call", 18, 21)
    for day in [DAY, *working_days(DAY + timedelta(days=7), 8)]:
        now = datetime.combine(day, time(10), BERLIN)
        summary = run_day(nba_runtime, day, now=now, processes=1)
        assert not summary.errors, summary.errors
    with sessions() as s:
        decisions = list(s.scalars(select(NbaDecision).where(NbaDecision.case_id.in_(ids))))
    assert decisions
    for d in decisions:
        assert set(d.allowed) <= {"none", "letter", "call_evening"}, d.allowed
        assert d.action in d.allowed
        assert d.reasons[0] == "stated_preferences"
    assert {"letter", "call_evening"} <= {d.action for d in decisions}
