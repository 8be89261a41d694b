"""The daily run on SQLite and PostgreSQL: planning, idempotence, crash-restart, stops and
pauses, approval gating, documents."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mahnwerk.services.actor import CLI, SYSTEM
from mahnwerk.services.dunning import plan
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.workspace import workflow
from mahnwerk.store import run_writes
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent, Cost, Document
from mahnwerk.store.workflow import (
    Approval,
    CaseStrategy,
    DailyRun,
    OutboxMessage,
    Task,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 2)


def run(runtime, day=DAY, hour=10, **kw):
    return run_day(
        runtime, day, now=datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN), **kw
    )


def rows(sessions, model, **where):
    with sessions() as s:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(s.scalars(q.order_by(model.id if hasattr(model, "id") else model.case_id)))


def count(sessions, model):
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def put_at_step(sessions, case_id, index, since):
    with transaction(sessions) as s:
        state = s.get(CaseStrategy, case_id)
        state.step_index = index
        state.stage_since = since
        state.first_contact_done = True


def test_first_run_queues_a_first_contact_letter_and_stores_it(
    runtime, sessions, renderer, make_case
):
    case_id = make_case(email=None)
    summary = run(runtime)
    assert (summary.cases_processed, dict(summary.actions), dict(summary.delivered)) == (
        1,
        {"letter": 1},
        {"letter": 1},
    )
    (msg,) = rows(sessions, OutboxMessage)
    assert (msg.stage, msg.channel, msg.first_contact, msg.status) == (
        "reminder",
        "letter",
        True,
        "sent",
    )
    assert (msg.strategy_name, msg.strategy_version, msg.dedupe_key) == (
        "standard",
        1,
        "standard@1#0",
    )
    # the agency fee of the step is booked before the letter and is on it
    with sessions() as s:
        costs = s.scalars(select(Cost).where(Cost.case_id == case_id)).all()
        assert sorted(c.code for c in costs) == ["VV 2300", "VV 7002"]
        assert s.get(Case, case_id).stage == "reminder"
        state = s.get(CaseStrategy, case_id)
        assert (state.step_index, state.stage_since, state.first_contact_done) == (0, DAY, True)
    assert [c[2] for c in msg.payload["statement"]["costs"]] == ["VV 2300", "VV 7002"]
    assert renderer.calls[0]["first_contact"] is True
    # the document: exactly the bytes rendered, with their hash
    (doc,) = rows(sessions, Document, case_id=case_id)
    data = (runtime.settings.documents_dir / doc.path).read_bytes()
    assert data.startswith(b"%PDF") and doc.sha256 == hashlib.sha256(data).hexdigest()
    assert (doc.kind, doc.media_type, doc.size, msg.document_id) == (
        "letter",
        "application/pdf",
        len(data),
        doc.id,
    )
    events = {e.kind: e.data for e in rows(sessions, CaseEvent, case_id=case_id)}
    assert events["message.sent"]["strategy"] == "standard"
    assert events["message.sent"]["strategy_version"] == 1
    assert events["message.sent"]["sha256"] == doc.sha256
    assert events["dunning.step"]["strategy"] == "standard"
    assert events["stage.changed"] == {
        "old": "new",
        "new": "reminder",
        "step": 0,
        "strategy": "standard",
        "strategy_version": 1,
    }


def test_running_the_same_day_twice_does_nothing_the_second_time(runtime, sessions, make_case):
    for i in range(3):
        make_case(f"K-{i}", email=None, last_name=f"Müller{i}")
    first = run(runtime)
    before = (
        count(sessions, OutboxMessage),
        count(sessions, Document),
        count(sessions, CaseEvent),
        count(sessions, Cost),
    )
    second = run(runtime, hour=11)
    assert first.cases_processed == 3 and second.cases_processed == 0
    assert sum(second.actions.values()) == 0 and sum(second.delivered.values()) == 0
    assert (
        count(sessions, OutboxMessage),
        count(sessions, Document),
        count(sessions, CaseEvent),
        count(sessions, Cost),
    ) == before
    (run_row,) = rows(sessions, DailyRun)
    assert (run_row.status, run_row.runs, run_row.summary["cases_processed"]) == ("finished", 2, 0)


class Crash(BaseException):
    """Simulates the process dying (not an ordinary error a case could be skipped for)."""


def test_a_crash_in_a_partition_leaves_no_half_done_case_and_a_rerun_finishes(
    runtime, sessions, monkeypatch, make_case
):
    ids = [make_case(f"K-{i}", email=None, last_name=f"Meier{i}") for i in range(5)]
    real = run_writes.insert_events
    partitions = []

    def crashing(connection, events, **kw):
        partitions.append({e.case_id for e in events})
        result = real(connection, events, **kw)  # everything of the partition is written…
        if len(partitions) == 2:
            raise Crash("Stromausfall")  # …and then the process dies before the commit
        return result

    monkeypatch.setattr(run_writes, "insert_events", crashing)
    with pytest.raises(Crash):
        run(runtime, partition_size=2, processes=1)
    # partition 1 (cases 0, 1) committed; partition 2 (cases 2, 3) rolled back entirely
    assert partitions[:2] == [set(ids[:2]), set(ids[2:4])]
    assert [m.case_id for m in rows(sessions, OutboxMessage)] == ids[:2]
    processed = {s.case_id for s in rows(sessions, CaseStrategy) if s.processed_for == DAY}
    assert processed == set(ids[:2])
    with sessions() as s:
        assert s.get(Case, ids[2]).stage == "new"
        assert (
            s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == ids[2]))
            == 1
        )  # only case.created

    monkeypatch.setattr(run_writes, "insert_events", real)
    summary = run(runtime, partition_size=2, processes=1)
    assert summary.cases_processed == 3
    messages = rows(sessions, OutboxMessage)
    assert sorted(m.case_id for m in messages) == ids
    assert all(m.status == "sent" for m in messages)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Cost)) == 10  # 2 fee lines per case


def test_an_error_in_one_case_skips_only_that_case(runtime, sessions, monkeypatch, make_case):
    ids = [make_case(f"K-{i}", email=None, last_name=f"Kaya{i}") for i in range(3)]
    real = plan.Composer.payload

    def failing(self, case, *args, **kw):
        if case.id == ids[1]:
            raise ValueError("kaputte Daten")
        return real(self, case, *args, **kw)

    monkeypatch.setattr(plan.Composer, "payload", failing)
    summary = run(runtime)
    assert summary.cases_processed == 2
    assert summary.errors == [f"Fall {case_reference(sessions, ids[1])}: ValueError: kaputte Daten"]
    assert sorted(m.case_id for m in rows(sessions, OutboxMessage)) == [ids[0], ids[2]]
    monkeypatch.setattr(plan.Composer, "payload", real)
    assert run(runtime).cases_processed == 1
    assert count(sessions, OutboxMessage) == 3


def case_reference(sessions, case_id):
    with sessions() as s:
        return s.get(Case, case_id).reference


def test_an_open_dispute_stops_the_run_for_the_case(runtime, sessions, make_case):
    case_id = make_case(email=None)
    with transaction(sessions) as s:
        workflow.open_dispute(s, CLI, case_id, "Strom nie geliefert")
    summary = run(runtime)
    assert summary.outcomes == {"stopped": 1}
    assert count(sessions, OutboxMessage) == 0 and count(sessions, Cost) == 0
    kinds = [e.kind for e in rows(sessions, CaseEvent, case_id=case_id)]
    assert "dunning.stopped" in kinds


def test_insolvency_stops_and_flags_for_a_person_once(runtime, sessions, make_case):
    case_id = make_case(email=None)
    with transaction(sessions) as s:
        workflow.set_flag(s, CLI, case_id, "insolvency", "Eröffnungsbeschluss AG München")
    run(runtime)
    run(runtime, date(2026, 3, 3))
    tasks = rows(sessions, Task, case_id=case_id)
    assert [(t.kind, t.code, t.status) for t in tasks] == [
        ("review_flag", "review:insolvency", "open")
    ]
    assert count(sessions, OutboxMessage) == 0


def test_a_payment_plan_pauses_and_a_broken_one_resumes(runtime, sessions, make_case):
    case_id = make_case(email=None)
    run(runtime)  # reminder
    with transaction(sessions) as s:
        plan = workflow.add_plan(
            s,
            CLI,
            case_id,
            amount=D("200.00"),
            start=date(2026, 3, 10),
            count=6,
            today=date(2026, 3, 5),
        )
        assert "Einigungsgebühr" in plan.cost_notice  # § 13a Abs. 3 RDG
    summary = run(runtime, date(2026, 3, 16))  # dunning_1 would be due: paused instead
    assert summary.outcomes == {"paused": 1}
    assert count(sessions, OutboxMessage) == 1
    # 10 March instalment never paid: broken after the grace days -> dunning resumes
    summary = run(runtime, date(2026, 3, 18))
    assert summary.outcomes == {"action": 1}
    assert [m.stage for m in rows(sessions, OutboxMessage)] == ["reminder", "dunning_1"]
    kinds = [e.kind for e in rows(sessions, CaseEvent, case_id=case_id)]
    assert "plan.broken" in kinds


def test_court_and_enforcement_are_never_executed_automatically(runtime, sessions, make_case):
    case_id = make_case(email=None)
    run(runtime)
    put_at_step(sessions, case_id, 5, date(2026, 4, 1))  # final notice sent on 1 April
    with transaction(sessions) as s:
        s.get(Case, case_id).stage = "final_notice"
    for day in (date(2026, 4, 15), date(2026, 4, 16), date(2026, 6, 1)):
        run(runtime, day)
    (approval,) = rows(sessions, Approval)
    assert (approval.stage, approval.status, approval.step_index) == (
        "court_handover",
        "pending",
        6,
    )
    with sessions() as s:
        assert s.get(Case, case_id).stage == "final_notice"
        assert s.get(CaseStrategy, case_id).step_index == 5
    assert [m.stage for m in rows(sessions, OutboxMessage)] == ["reminder"]
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError):
        workflow.approve(s, SYSTEM, approval.id, "automatisch")
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="Begründung"):
        workflow.approve(s, CLI, approval.id, " ")

    with transaction(sessions) as s:
        workflow.approve(
            s, CLI, approval.id, "Forderung unbestritten, Titel sinnvoll", today=date(2026, 6, 2)
        )
    with sessions() as s:
        assert s.get(Case, case_id).stage == "court_handover"
    # the approval prepares the Mahnbescheid application (services.court); without the
    # creditor's court data it cannot, and a task says why
    tasks = rows(sessions, Task, kind="court_handover")
    assert tasks[0].reason.startswith(
        "Freigegeben, Mahnbescheid kann noch nicht beantragt werden: Mandant Stadtwerke Nord "
        "GmbH: Gerichtsangaben fehlen"
    )

    # enforcement: requested 30 days later, rejected by a person, then nothing follows
    run(runtime, date(2026, 7, 2))
    pending = rows(sessions, Approval, status="pending")
    assert [a.stage for a in pending] == ["enforcement"]
    with transaction(sessions) as s:
        workflow.reject(s, CLI, pending[0].id, "Schuldner zahlungsunfähig, erst prüfen")
    summary = run(runtime, date(2026, 8, 1))
    assert summary.outcomes == {"held": 1}
    with sessions() as s:
        assert s.get(Case, case_id).stage == "court_handover"
    assert [m.stage for m in rows(sessions, OutboxMessage)] == ["reminder"]


def pending_court_approval(runtime, sessions, make_case) -> tuple[int, int]:
    case_id = make_case(email=None)
    run(runtime)
    put_at_step(sessions, case_id, 5, date(2026, 4, 1))
    with transaction(sessions) as s:
        s.get(Case, case_id).stage = "final_notice"
    run(runtime, date(2026, 4, 15))
    (approval,) = rows(sessions, Approval)
    return case_id, approval.id


def test_a_disputed_case_cannot_be_approved_into_court(runtime, sessions, make_case):
    """Issue 20: a disputed case is never approved into court (the dispute is resolved
    first)."""
    case_id, approval_id = pending_court_approval(runtime, sessions, make_case)
    with transaction(sessions) as s:
        workflow.open_dispute(s, CLI, case_id, "Rechnung nie erhalten")
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="bestritten"):
        workflow.approve(s, CLI, approval_id, "Forderung unbestritten")
    with sessions() as s:
        assert s.get(Approval, approval_id).status == "pending"
        assert s.get(Case, case_id).stage == "final_notice"


def test_a_recall_cancels_pending_approvals_and_open_tasks(runtime, sessions, make_case):
    from mahnwerk.services import cases

    case_id, approval_id = pending_court_approval(runtime, sessions, make_case)
    other = make_case(email=None, ref="K-2")
    run(runtime, date(2026, 4, 16), deliver=False)  # a letter planned, not yet sent
    with transaction(sessions) as s:
        workflow.add_task(s, case_id, "call", "test", "Anrufen")
    assert [m.status for m in rows(sessions, OutboxMessage, case_id=other)] == ["pending"]
    with transaction(sessions) as s:
        cases.recall_case(s, CLI, s.get(Case, other), "Mandant ruft zurück")
        cases.recall_case(s, CLI, s.get(Case, case_id), "Mandant ruft zurück")
    assert [(m.status, m.error) for m in rows(sessions, OutboxMessage, case_id=other)] == [
        ("cancelled", "nicht gesendet: Fall zurückgerufen")
    ]
    assert "message.cancelled" in [e.kind for e in rows(sessions, CaseEvent, case_id=other)]
    with sessions() as s:
        assert s.get(Approval, approval_id).status == "cancelled"
        assert [t.status for t in s.scalars(select(Task).where(Task.case_id == case_id))] == [
            "done"
        ]
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="entschieden"):
        workflow.approve(s, CLI, approval_id, "Titel sinnvoll")
    with transaction(sessions) as s:  # and were one pending still, a recalled case is refused
        s.get(Approval, approval_id).status = "pending"
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="recalled"):
        workflow.approve(s, CLI, approval_id, "Titel sinnvoll")


def test_a_returned_letter_opens_an_address_inquiry(runtime, sessions, make_case):
    case_id = make_case(email=None)
    run(runtime)
    with transaction(sessions) as s:
        workflow.report_returned_letter(s, CLI, case_id, "Empfänger unbekannt verzogen")
    summary = run(runtime, date(2026, 3, 16))
    assert summary.tasks_created == 1
    (task,) = rows(sessions, Task, case_id=case_id)
    assert (task.kind, task.code) == ("address_inquiry", "address_inquiry:letter")
    assert [m.stage for m in rows(sessions, OutboxMessage)] == ["reminder"]  # no letter


def test_a_time_barred_claim_is_not_dunned(runtime, sessions, make_case):
    case_id = make_case(email=None)
    with transaction(sessions) as s:
        claim = s.get(Case, case_id).claims[0]
        claim.due_date = date(2021, 6, 1)  # barred with the end of 2024
        claim.default_from = date(2021, 6, 2)
    summary = run(runtime)
    assert summary.outcomes == {"stopped": 1}
    assert rows(sessions, Task)[0].code == "review:time_barred"


class RefusingRenderer:
    """A letter renderer that refuses every letter (the sender data are incomplete)."""

    def render(self, data):
        from mahnwerk.channels.base import DeliveryError, Failure

        raise DeliveryError("Brief unvollständig: creditor.address fehlt", Failure.INCOMPLETE)


def test_a_letter_that_was_not_sent_books_no_fee(runtime, sessions, make_case, channels_of):
    ids = [make_case(f"K-{i}", email=None, last_name=f"Öztürk{i}") for i in range(3)]
    refusing = channels_of(runtime, letters=RefusingRenderer())
    summary = run(refusing)
    assert summary.failed == 3 and summary.fees_charged == 0
    assert count(sessions, Cost) == 0  # planned with the step, never booked
    (fees,) = {tuple(f["code"] for f in m.payload["fees"]) for m in rows(sessions, OutboxMessage)}
    assert fees  # the step has fees: they went with the message and died with it
    assert {m.case_id for m in rows(sessions, OutboxMessage, status="failed")} == set(ids)
