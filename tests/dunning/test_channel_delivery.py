"""Delivery through real channels: e-mail to a local SMTP server (aiosmtpd), SMS to a local
stand-in gateway; what was sent is stored as a document with its hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mahnwerk.services.dunning.run import run_day
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, ContactPoint, Document
from mahnwerk.store.workflow import CaseStrategy, OutboxMessage, Task

BERLIN = ZoneInfo("Europe/Berlin")


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BERLIN)


def utc(moment: datetime) -> datetime:
    """Stored timestamps are UTC; SQLite returns them without an offset."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_first_contact_email_arrives_with_every_13a_item_and_the_letter_attached(
    runtime, sessions, smtp_server, email_sender, make_case, channels_of
):
    rt = channels_of(runtime, email=email_sender)
    case_id = make_case()
    day = date(2026, 3, 2)
    summary = run_day(rt, day, now=at(day, 10))
    assert dict(summary.delivered) == {"email": 1}

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["j.mueller@example.org"]
    (mail,) = smtp_server.messages()
    with sessions() as s:
        reference = s.get(Case, case_id).reference
    assert mail["Subject"] == f"Zahlungserinnerung – Aktenzeichen {reference}"
    assert mail["From"] == "service@inkasso-nord.example"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    for item in [
        "Auftraggeber: Stadtwerke Nord GmbH, Am Sande 4, 21335 Lüneburg",  # Nr. 1
        "Forderungsgrund: Stromlieferung, Jahresabrechnung 2025 (Rechnung R-K-1 vom "
        "15.12.2025)",  # Nr. 2
        "Zinsberechnung:",  # Nr. 3
        "% aus 1.250,00 € vom 16.01.2026 bis 02.03.2026 (46 Tage)",
        "Geschäftsgebühr 0,5",  # Nr. 5
        "Zuständige Aufsichtsbehörde: Bundesamt für Justiz, Adenauerallee 99–103, 53113 Bonn",
    ]:
        assert item in body, item
    assert "IBAN DE89370400440532013000" in body
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"Forderungsaufstellung-{reference}.pdf"
    assert attachment.get_content().startswith(b"%PDF")

    # stored exactly as sent: the .eml bytes the server received, with their hash
    with sessions() as s:
        (doc,) = s.scalars(select(Document).where(Document.case_id == case_id)).all()
        assert s.get(CaseStrategy, case_id).first_contact_done
    stored = (rt.settings.documents_dir / doc.path).read_bytes()
    assert doc.filename.endswith(".eml") and doc.media_type == "message/rfc822"
    assert hashlib.sha256(stored).hexdigest() == doc.sha256
    assert stored.replace(b"\r\n", b"\n") == envelope.original_content.replace(b"\r\n", b"\n")


def test_a_first_contact_email_missing_a_13a_item_is_not_sent(
    runtime, sessions, smtp_server, email_sender, make_case, channels_of
):
    rt = channels_of(runtime, email=email_sender)
    case_id = make_case(creditor_settings={"note": "keine Anschrift"})
    run_day(rt, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))
    assert smtp_server.envelopes == []
    with sessions() as s:
        (msg,) = s.scalars(select(OutboxMessage)).all()
        assert msg.status == "failed"
        assert "Anschrift des Auftraggebers (Nr. 1)" in msg.error
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "review_flag"


def test_a_refused_recipient_marks_the_address_bounced_and_opens_an_inquiry(
    runtime, sessions, smtp_server, email_sender, renderer, make_case, channels_of
):
    rt = channels_of(runtime, email=email_sender)
    case_id = make_case(email="unknown@example.org")
    run_day(rt, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))
    with sessions() as s:
        assert (
            s.scalar(select(ContactPoint.status).where(ContactPoint.kind == "email")) == "bounced"
        )
    # next day: address inquiry, and the first contact goes out by letter instead
    summary = run_day(rt, date(2026, 3, 3), now=at(date(2026, 3, 3), 10))
    assert summary.tasks_created == 1
    with sessions() as s:
        task = s.scalars(select(Task).where(Task.case_id == case_id)).one()
        assert task.code == "address_inquiry:email"


def put_at_sms_step(sessions, case_id, since):
    with transaction(sessions) as s:
        state = s.get(CaseStrategy, case_id)
        state.step_index, state.stage_since, state.first_contact_done = 2, since, True


def test_sms_goes_to_the_gateway_with_json_and_auth_and_respects_quiet_hours(
    runtime, sessions, sms_server, sms_gateway, make_case, channels_of
):
    rt = channels_of(runtime, sms=sms_gateway)
    case_id = make_case(email=None)
    run_day(rt, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))  # reminder letter
    put_at_sms_step(sessions, case_id, date(2026, 3, 30))
    day = date(2026, 4, 2)  # Thursday
    summary = run_day(rt, day, now=at(day, 21))
    assert dict(summary.actions) == {"sms": 1} and summary.deferred == 1
    assert sms_server.requests == []
    with sessions() as s:
        msg = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).one()
        assert msg.status == "pending"
        # not Friday 08:00: Good Friday is a public holiday everywhere
        assert utc(msg.not_before) == at(date(2026, 4, 4), 8)
        assert msg.error == "zurückgestellt: ab 20:00 Uhr nicht erlaubt"
    # on Good Friday it is not yet due; it goes out on Saturday morning
    run_day(rt, date(2026, 4, 3), now=at(date(2026, 4, 3), 9))
    assert sms_server.requests == []
    summary = run_day(rt, date(2026, 4, 4), now=at(date(2026, 4, 4), 9))
    assert dict(summary.delivered) == {"sms": 1}

    (request,) = sms_server.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer geheim-123"
    body = json.loads(request["body"])
    with sessions() as s:
        reference = s.get(Case, case_id).reference
        doc = s.scalars(select(Document).where(Document.kind == "sms")).one()
    assert body["to"] == "0151 2345678" and body["reference"] == reference
    assert body["text"].startswith(f"Inkasso Nord GmbH: Zur Akte {reference} sind ")
    stored = (rt.settings.documents_dir / doc.path).read_bytes()
    assert stored == request["body"] and doc.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_gateway_error_is_retried_later(
    runtime, sessions, sms_server, sms_gateway, make_case, channels_of
):
    rt = channels_of(runtime, sms=sms_gateway)
    case_id = make_case(email=None)
    run_day(rt, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))
    put_at_sms_step(sessions, case_id, date(2026, 3, 30))
    sms_server.status = 503
    day = date(2026, 4, 7)
    summary = run_day(rt, day, now=at(day, 10))
    assert summary.deferred == 1 and summary.failed == 0
    with sessions() as s:
        msg = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).one()
        assert (msg.status, msg.attempts) == ("pending", 1)
        assert utc(msg.not_before) == at(day, 10, 15)


def test_the_weekly_cap_holds_back_a_further_message(runtime, sessions, make_case):
    case_id = make_case(email=None)
    run_day(runtime, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))
    with transaction(sessions) as s:
        # three more messages were sent in the last seven days
        for i, d in enumerate((date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 3))):
            s.add(
                OutboxMessage(
                    case_id=case_id,
                    run_date=d,
                    step_index=90 + i,
                    stage="dunning_1",
                    channel="letter",
                    template="x",
                    strategy_name="standard",
                    strategy_version=1,
                    dedupe_key=f"manual-{i}",
                    payload={},
                    status="sent",
                    attempts=1,
                    created_at=at(d, 9),
                    sent_at=at(d, 9).astimezone(UTC),
                )
            )
        state = s.get(CaseStrategy, case_id)
        state.step_index, state.stage_since, state.first_contact_done = 4, date(2026, 3, 30), True
    day = date(2026, 4, 6)
    summary = run_day(runtime, day, now=at(day, 10))  # final notice letter due
    assert dict(summary.actions) == {"letter": 1} and summary.deferred == 1
    with sessions() as s:
        msg = s.scalars(select(OutboxMessage).where(OutboxMessage.stage == "final_notice")).one()
        assert msg.status == "pending"
        assert msg.error == "zurückgestellt: höchstens 3 Kontakte in 7 Tagen (schon 3)"
        assert utc(msg.not_before) == at(date(2026, 4, 7), 9).replace(second=1)
    summary = run_day(runtime, date(2026, 4, 7), now=at(date(2026, 4, 7), 9, 30))
    assert dict(summary.delivered) == {"letter": 1}


def test_a_bavarian_holiday_holds_an_sms_in_munich_but_not_in_berlin(
    runtime, sessions, sms_server, sms_gateway, make_case, channels_of
):
    rt = channels_of(runtime, sms=sms_gateway)
    munich = make_case("K-M", email=None)
    berlin = make_case(
        "K-B",
        email=None,
        last_name="Schulz",
        postcode="10115",
        city="Berlin",
        phone="0170 7654321",
    )
    run_day(rt, date(2026, 3, 2), now=at(date(2026, 3, 2), 10))
    for case_id in (munich, berlin):
        put_at_sms_step(sessions, case_id, date(2026, 6, 1))
    corpus_christi = date(2026, 6, 4)  # Fronleichnam: a holiday in BY, not in BE
    run_day(rt, corpus_christi, now=at(corpus_christi, 10))
    assert [json.loads(r["body"])["to"] for r in sms_server.requests] == ["0170 7654321"]
    with sessions() as s:
        msg = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == munich, OutboxMessage.channel == "sms"
            )
        ).one()
        assert msg.error == "zurückgestellt: an Feiertagen keine SMS oder Anrufe"
        assert utc(msg.not_before) == at(date(2026, 6, 5), 8)
