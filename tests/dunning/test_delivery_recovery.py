"""Exactly once when a worker dies: the states a killed worker leaves behind, and what the
next worker does with them (on SQLite and PostgreSQL). The real processes are in
``test_worker_processes.py``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mahnwerk.documents.bundle import read_manifest
from mahnwerk.services.actor import CLI
from mahnwerk.services.dunning import deliver
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.workspace.workflow import open_dispute
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Document
from mahnwerk.store.workflow import CaseStrategy, OutboxMessage, Task

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 10, tzinfo=BERLIN)


def plan(runtime, day=DAY):
    return run_day(runtime, day, now=datetime.combine(day, NOW.timetz()), deliver=False)


def messages(sessions):
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def count(sessions, model, **where):
    with sessions() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def die_while_sending(runtime, batch, worker="worker-A", now=NOW):
    """What a worker killed after committing ``sending`` leaves: claimed, attempted, and
    its lease not renewed any more."""
    b = deliver._Batch(runtime, batch, worker, now.astimezone(UTC), deliver.RunSummary(DAY))
    deliver._claim(b)
    ids = deliver._held_ids(b, "claimed")
    assert deliver._to_sending(b, ids) == ids
    return ids


def later(lease_seconds=121):
    return NOW + timedelta(seconds=lease_seconds)


def test_queued_messages_form_batches_of_one_channel_and_a_plan_only_run_sends_nothing(
    runtime, sessions, make_case
):
    for i in range(5):
        make_case(f"K-{i}", email=None, last_name=f"Kurz{i}")
    summary = plan(runtime)
    assert sum(summary.delivered.values()) == 0 and "nur geplant" in summary.delivery
    assert {m.status for m in messages(sessions)} == {"pending"}
    small = type(runtime)(
        runtime.settings.__class__(**{**runtime.settings.__dict__, "delivery_batch": 2}),
        runtime.engine,
        runtime.sessions,
        runtime.channels,
    )
    names = deliver.queue_due(small, NOW)
    assert len(names) == 3 and all("-letter-" in n for n in names)
    assert deliver.queue_due(small, NOW) == []  # each message is queued once
    assert sorted(len([m for m in messages(sessions) if m.batch == n]) for n in names) == [1, 2, 2]


def test_a_second_worker_finds_nothing_to_claim_in_a_batch_being_delivered(
    runtime, sessions, make_case, renderer
):
    make_case(email=None)
    plan(runtime)
    (batch,) = deliver.queue_due(runtime, NOW)
    die_while_sending(runtime, batch, "worker-A")
    # worker B runs the same job before A's lease ran out: it must not touch A's messages
    deliver.deliver_batch(runtime, batch, worker="worker-B", now=NOW + timedelta(seconds=5))
    assert renderer.calls == [] and count(sessions, Document) == 0
    (msg,) = messages(sessions)
    assert (msg.status, msg.claimed_by) == ("sending", "worker-A")


class Crash(BaseException):
    """The worker process dies (SIGKILL): nothing after this point runs."""


def test_a_letter_bundle_handed_over_before_the_crash_is_booked_not_printed_again(
    runtime, sessions, make_case, renderer, monkeypatch
):
    for i in range(3):
        make_case(f"K-{i}", email=None, last_name=f"Brief{i}")
    plan(runtime)
    (batch,) = deliver.queue_due(runtime, NOW)
    real = deliver._book_bundle

    def die(*args, **kw):
        raise Crash("SIGKILL between the hand-over and its booking")

    monkeypatch.setattr(deliver, "_book_bundle", die)
    with pytest.raises(Crash):
        deliver.deliver_batch(runtime, batch, worker="worker-A", now=NOW)
    monkeypatch.setattr(deliver, "_book_bundle", real)
    assert len(renderer.calls) == 3
    bundle = runtime.settings.bundles_dir / batch
    entries = read_manifest(bundle)
    assert [e.message_id for e in entries] == [str(m.id) for m in messages(sessions)]
    assert [m.status for m in messages(sessions)] == ["sending"] * 3
    assert count(sessions, Document) == 0
    # the next job of the batch, after A's lease ran out
    deliver.deliver_batch(runtime, batch, worker="worker-B", now=later())
    assert len(renderer.calls) == 3  # not rendered again
    assert [m.status for m in messages(sessions)] == ["sent"] * 3
    assert count(sessions, Document) == 3
    assert [p.name for p in runtime.settings.bundles_dir.iterdir()] == [batch]  # one bundle
    with sessions() as s:
        doc = s.scalars(select(Document).order_by(Document.id)).first()
    stored = (runtime.settings.documents_dir / doc.path).read_bytes()
    assert stored == (bundle / entries[0].file).read_bytes()


def test_letters_not_handed_over_before_the_crash_are_rendered_and_handed_over_once(
    runtime, sessions, make_case, renderer
):
    make_case(email=None)
    plan(runtime)
    (batch,) = deliver.queue_due(runtime, NOW)
    die_while_sending(runtime, batch)
    assert not (runtime.settings.bundles_dir / batch).exists()
    summary = deliver.RunSummary(DAY)
    # a job of the same batch, queued again after the lease ran out
    assert deliver.stuck_batches(runtime, later()) == [batch]
    deliver.deliver_batch(runtime, batch, worker="worker-B", now=later(), summary=summary)
    assert dict(summary.delivered) == {"letter": 1} and len(renderer.calls) == 1
    (msg,) = messages(sessions)
    assert (msg.status, msg.attempts) == ("sent", 2)  # the attempt of the dead worker counts
    assert len(read_manifest(runtime.settings.bundles_dir / batch)) == 1


def put_at_sms_step(sessions, case_id):
    with transaction(sessions) as s:
        state = s.get(CaseStrategy, case_id)
        state.step_index, state.stage_since, state.first_contact_done = 2, date(2026, 3, 30), True


def test_an_sms_whose_worker_died_is_sent_again_with_the_same_key_and_arrives_once(
    runtime, sessions, make_case, sms_server, sms_gateway, channels_of
):
    rt = channels_of(runtime, sms=sms_gateway)
    case_id = make_case(email=None)
    run_day(rt, DAY, now=NOW)  # the first letter
    put_at_sms_step(sessions, case_id)
    day = date(2026, 4, 7)
    now = datetime(2026, 4, 7, 10, tzinfo=BERLIN)
    run_day(rt, day, now=now, deliver=False)
    (batch,) = deliver.queue_due(rt, now)
    (sms_id,) = die_while_sending(rt, batch, now=now)
    # the worker had sent it before it died: the gateway has the key
    msg = next(m for m in messages(sessions) if m.id == sms_id)
    sms_gateway.send(
        to="0151 2345678", text="x", reference="r", idempotency_key=f"mahnwerk-outbox-{sms_id}"
    )
    deliver.deliver_batch(rt, batch, worker="worker-B", now=now + timedelta(minutes=3))
    keys = [r["headers"]["Idempotency-Key"] for r in sms_server.requests]
    assert keys == [f"mahnwerk-outbox-{sms_id}"] * 2  # asked twice, with the same key…
    assert len(sms_server.delivered) == 1  # …sent once by the gateway
    msg = next(m for m in messages(sessions) if m.id == sms_id)
    assert (msg.status, msg.attempts) == ("sent", 2)


def test_an_email_whose_worker_died_while_sending_is_parked_as_uncertain_with_a_task(
    runtime, sessions, make_case, smtp_server, email_sender, channels_of
):
    rt = channels_of(runtime, email=email_sender)
    case_id = make_case()
    plan(rt)
    (batch,) = deliver.queue_due(rt, NOW)
    (email_id,) = die_while_sending(rt, batch)
    summary = deliver.RunSummary(DAY)
    deliver.deliver_batch(rt, batch, worker="worker-B", now=later(), summary=summary)
    assert smtp_server.envelopes == []  # not sent (again)
    (msg,) = messages(sessions)
    with sessions() as s:
        reference = s.get(Case, case_id).reference
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
    message_id = f"<mahnwerk.{email_id}.{reference}@inkasso-nord.example>"
    assert msg.status == "uncertain" and message_id in msg.error
    assert task.kind == "review_flag" and message_id in task.reason
    assert summary.failed == 1


def test_the_message_id_of_an_email_is_the_same_on_every_attempt(
    runtime, sessions, make_case, smtp_server, email_sender, channels_of
):
    rt = channels_of(runtime, email=email_sender)
    case_id = make_case()
    run_day(rt, DAY, now=NOW)
    (mail,) = smtp_server.messages()
    (msg,) = messages(sessions)
    with sessions() as s:
        reference = s.get(Case, case_id).reference
    assert mail["Message-ID"] == f"<mahnwerk.{msg.id}.{reference}@inkasso-nord.example>"


def test_messages_of_a_case_disputed_or_closed_after_planning_are_cancelled(
    runtime, sessions, make_case, renderer
):
    disputed = make_case("K-D", email=None, last_name="Streit")
    closed = make_case("K-C", email=None, last_name="Zu")
    kept = make_case("K-K", email=None, last_name="Offen")
    plan(runtime)
    with transaction(sessions) as s:
        open_dispute(s, CLI, disputed, "Rechnung bezahlt")
        s.get(Case, closed).status = "closed"
    summary = run_day(runtime, DAY, now=NOW)  # planned already: this run only delivers
    assert summary.cancelled == 2 and dict(summary.delivered) == {"letter": 1}
    status = {m.case_id: (m.status, m.error) for m in messages(sessions)}
    assert status[disputed] == ("cancelled", "nicht gesendet: Widerspruch offen")
    assert status[closed] == ("cancelled", "nicht gesendet: Fall closed")
    assert status[kept][0] == "sent"
    assert [c["case_reference"] for c in renderer.calls] == [
        m.payload["case_reference"] for m in messages(sessions) if m.case_id == kept
    ]


def test_the_letter_gets_the_statement_as_planned_and_the_current_access_code(
    runtime, sessions, make_case, renderer
):
    from mahnwerk.services.portal import access

    case_id = make_case(email=None)
    plan(runtime)
    with transaction(sessions) as s:
        access.revoke(s, case_id)  # e.g. the code was revoked after the planning
        code = access.code_for_case(s, runtime.settings.secret_key, case_id)
    run_day(runtime, DAY, now=NOW)
    (data,) = renderer.calls
    (msg,) = messages(sessions)
    assert data["statement"] == msg.payload["statement"]
    assert data["portal"] == {"url": "http://127.0.0.1:8000/portal", "access_code": code}
    assert json.dumps(msg.payload).find(code) == -1  # the code itself is never stored
