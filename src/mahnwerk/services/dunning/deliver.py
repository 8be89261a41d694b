"""Phase 2 of the daily run: the delivery of the outbox."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mahnwerk.channels.base import Attachment, Channels, DeliveryError, Sent
from mahnwerk.channels.texts import (
    email_text,
    first_contact_gaps,
    sms_text,
    subject,
)
from mahnwerk.domain.contact_rules import (
    ContactKind,
    ContactPolicy,
    Preference,
    check_contact,
    land_for_postcode,
)
from mahnwerk.services import events
from mahnwerk.services.actor import SYSTEM, today_in_germany
from mahnwerk.services.cases import add_cost
from mahnwerk.services.dunning.compose import mobile, valid_contacts
from mahnwerk.services.dunning.summary import Progress, RunSummary
from mahnwerk.services.workspace.workflow import add_task
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Debtor, Document
from mahnwerk.store.workflow import (
    CaseStrategy,
    ContactPreference,
    OutboxMessage,
)

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime


MAX_ATTEMPTS = 5

_CONTACT_KIND = {
    "letter": ContactKind.LETTER,
    "email": ContactKind.EMAIL,
    "sms": ContactKind.SMS,
    "phone_task": ContactKind.CALL,
}
_EXTENSION = {"email": "eml", "sms": "json", "letter": "pdf"}


class _Holidays:
    """Public holidays per Land and year (holidays package), cached for the run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str | None, int], set[date]] = {}

    def predicate(self, land: str | None) -> Callable[[date], bool]:
        def is_holiday(day: date) -> bool:
            key = (land, day.year)
            if key not in self._cache:
                import holidays

                self._cache[key] = set(holidays.country_holidays("DE", subdiv=land, years=day.year))
            return day in self._cache[key]

        return is_holiday


def deliver_outbox(
    runtime: Runtime,
    now: datetime,
    summary: RunSummary,
    *,
    report: Progress | None = None,
    batch_size: int = 500,
) -> None:
    """Send every pending outbox message whose ``not_before`` has come."""
    now = now.astimezone(UTC)
    with runtime.sessions() as s:
        ids = list(
            s.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == "pending",
                    or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
                )
                .order_by(OutboxMessage.id)
            )
        )
    holidays = _Holidays()
    policy = ContactPolicy(weekly_cap=runtime.settings.contacts_per_week)
    for n, message_id in enumerate(ids, 1):
        try:
            with transaction(runtime.sessions) as s:
                deliver_one(s, message_id, now, runtime, policy, holidays, summary)
        except Exception as exc:
            summary.errors.append(f"Nachricht {message_id}: {type(exc).__name__}: {exc}")
        if report is not None and (n % batch_size == 0 or n == len(ids)):
            report("Zustellung", n, len(ids))


def _recent_contacts(s: Session, debtor: Debtor, since: datetime) -> list[datetime]:
    """Moments of the messages sent to this person (across creditors) since ``since``."""
    rows = s.scalars(
        select(OutboxMessage.sent_at)
        .join(Case, Case.id == OutboxMessage.case_id)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(
            Debtor.person_id == debtor.person_id,
            OutboxMessage.status == "sent",
            OutboxMessage.channel != "phone_task",
            OutboxMessage.sent_at >= since,
        )
    )
    return [r if r.tzinfo else r.replace(tzinfo=UTC) for r in rows if r is not None]


def deliver_one(
    s: Session,
    message_id: int,
    now: datetime,
    runtime: Runtime,
    policy: ContactPolicy,
    holidays: _Holidays,
    summary: RunSummary,
) -> None:
    msg = s.get(OutboxMessage, message_id)
    if msg is None or msg.status != "pending":
        return
    case = s.get(Case, msg.case_id)
    assert case is not None
    debtor = case.debtor
    address = debtor.current_address
    land = land_for_postcode(address.postcode, address.country) if address else None
    prefs = [
        Preference(ContactKind(p.channel), p.earliest_hour, p.latest_hour)
        for p in s.scalars(
            select(ContactPreference).where(ContactPreference.debtor_id == debtor.id)
        )
        if p.channel in ContactKind.__members__.values()
    ]
    kind = _CONTACT_KIND[msg.channel]
    check = check_contact(
        kind,
        now,
        is_holiday=holidays.predicate(land),
        recent_contacts=_recent_contacts(s, debtor, now - timedelta(days=7)),
        policy=policy,
        preferences=prefs,
    )
    if not check.allowed:
        if check.next_allowed is None:
            if msg.channel == "email" and address is not None:
                msg.channel = "letter"  # the debtor does not want e-mail: write a letter
                msg.error = f"E-Mail nicht erwünscht ({check.reason}); Brief stattdessen"
                deliver_one(s, message_id, now, runtime, policy, holidays, summary)
                return
            msg.status = "skipped"
            msg.error = check.reason[:500]
            events.emit(
                s,
                case,
                "message.skipped",
                SYSTEM,
                outbox_id=msg.id,
                channel=msg.channel,
                reason=check.reason,
            )
            summary.deferred += 1
            return
        msg.not_before = check.next_allowed.astimezone(UTC)
        msg.error = f"zurückgestellt: {check.reason}"[:500]
        summary.deferred += 1
        return

    if msg.channel == "phone_task":
        task = add_task(
            s,
            case.id,
            "phone_call",
            f"outbox:{msg.id}",
            "Schuldner anrufen (Mahnstrategie, Schritt "
            f"{msg.step_index + 1}): offen {msg.payload.get('totals', {}).get('total_open')} €",
            due_at=now,
            data={"outbox_id": msg.id, "template": msg.template},
        )
        if task is not None:
            summary.tasks_created += 1
        _mark_sent(s, msg, case, now, None, summary)
        return

    try:
        sent = _send(msg, debtor, runtime.channels)
    except _NotConfigured as exc:
        msg.error = str(exc)
        summary.deferred += 1
        return
    except DeliveryError as exc:
        _failed(s, msg, case, debtor, exc, now, summary)
        return
    document = store_document(s, runtime.settings.documents_dir, case, msg, sent, now)
    _mark_sent(s, msg, case, now, document, summary)


class _NotConfigured(Exception):
    pass


def _send(msg: OutboxMessage, debtor: Debtor, channels: Channels) -> Sent:
    payload = msg.payload
    if msg.channel == "letter":
        if channels.letters is None:
            raise _NotConfigured("kein Briefrenderer konfiguriert: Brief wartet")
        return Sent("brief.pdf", "application/pdf", channels.letters.render(payload))
    if msg.channel == "email":
        if channels.email is None:
            raise _NotConfigured("kein SMTP-Server konfiguriert: E-Mail wartet")
        to = next((c.value for c in valid_contacts(debtor, "email")), None)
        if to is None:
            raise DeliveryError("keine gültige E-Mail-Adresse", permanent=True)
        if payload.get("first_contact"):
            gaps = first_contact_gaps(payload)
            if gaps:
                raise DeliveryError(
                    "Erstkontakt unvollständig (§ 13a RDG): " + ", ".join(gaps), permanent=True
                )
        attachments: tuple[Attachment, ...] = ()
        if channels.letters is not None:
            pdf = channels.letters.render(payload)
            name = f"Forderungsaufstellung-{payload.get('case_reference')}.pdf"
            attachments = (Attachment(name, "application/pdf", pdf),)
        return channels.email.send(
            to=to,
            subject=subject(payload),
            text=email_text(payload),
            attachments=attachments,
            reference=str(payload.get("case_reference")),
        )
    if msg.channel == "sms":
        if channels.sms is None:
            raise _NotConfigured("kein SMS-Gateway konfiguriert: SMS wartet")
        to = next((c.value for c in debtor.contacts if c.status == "valid" and mobile(c)), None)
        if to is None:
            raise DeliveryError("keine Mobilnummer", permanent=True)
        return channels.sms.send(
            to=to, text=sms_text(payload), reference=str(payload.get("case_reference"))
        )
    raise DeliveryError(f"unbekannter Kanal {msg.channel}", permanent=True)


def _failed(
    s: Session,
    msg: OutboxMessage,
    case: Case,
    debtor: Debtor,
    exc: DeliveryError,
    now: datetime,
    summary: RunSummary,
) -> None:
    msg.attempts += 1
    msg.error = str(exc)[:500]
    if exc.permanent or msg.attempts >= MAX_ATTEMPTS:
        msg.status = "failed"
        summary.failed += 1
        if msg.channel == "email" and exc.permanent and "abgelehnt" in str(exc):
            for contact in valid_contacts(debtor, "email"):
                contact.status = "bounced"
        if "§ 13a" in str(exc):
            add_task(
                s,
                case.id,
                "review_flag",
                f"outbox_failed:{msg.id}",
                f"Nachricht nicht gesendet: {exc}"[:500],
            )
        events.emit(
            s,
            case,
            "message.failed",
            SYSTEM,
            outbox_id=msg.id,
            channel=msg.channel,
            error=msg.error,
            strategy=msg.strategy_name,
            strategy_version=msg.strategy_version,
        )
    else:
        msg.not_before = now + timedelta(minutes=15 * 2 ** (msg.attempts - 1))
        summary.deferred += 1


def store_document(
    s: Session,
    documents_dir: Path,
    case: Case,
    msg: OutboxMessage,
    sent: Sent,
    now: datetime,
) -> Document:
    """The message exactly as sent, as a file of the case and a document row with its hash."""
    ext = _EXTENSION.get(msg.channel, "bin")
    filename = f"{msg.id:08d}-{msg.template}.{ext}"
    folder = documents_dir / str(case.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(sent.content)
    os.replace(tmp, path)
    document = Document(
        case_id=case.id,
        kind=msg.channel,
        filename=filename,
        path=str(Path(str(case.id)) / filename),
        media_type=sent.media_type,
        sha256=hashlib.sha256(sent.content).hexdigest(),
        size=len(sent.content),
        created_at=now,
    )
    s.add(document)
    s.flush()
    return document


def book_fees(
    s: Session, msg: OutboxMessage, case: Case, now: datetime, summary: RunSummary
) -> None:
    """The fees of the step, booked now that its message went out (dated as the message)."""
    fees = msg.payload.get("fees") or []
    if not fees:
        return
    day = date.fromisoformat(str(msg.payload["date"]))
    source = f"strategy:{msg.strategy_name}@{msg.strategy_version}"
    for fee in fees:
        add_cost(
            s,
            case,
            day,
            str(fee["label"]),
            Decimal(str(fee["amount"])),
            source=source,
            now=now,
            code=str(fee["code"]),
        )
        summary.fees_charged += 1
    s.expire(case, ["costs"])


def _mark_sent(
    s: Session,
    msg: OutboxMessage,
    case: Case,
    now: datetime,
    document: Document | None,
    summary: RunSummary,
) -> None:
    msg.status = "sent"
    msg.attempts += 1
    msg.sent_at = now
    book_fees(s, msg, case, now, summary)
    msg.error = None
    msg.document_id = document.id if document else None
    state = s.get(CaseStrategy, case.id)
    if state is not None:
        if msg.first_contact and msg.channel in ("letter", "email"):
            state.first_contact_done = True
        if msg.payload.get("credit_bureau_notice") and state.bureau_notice_on is None:
            state.bureau_notice_on = today_in_germany(now)
    summary.delivered[msg.channel] += 1
    events.emit(
        s,
        case,
        "message.sent",
        SYSTEM,
        outbox_id=msg.id,
        channel=msg.channel,
        template=msg.template,
        stage=msg.stage,
        step=msg.step_index,
        strategy=msg.strategy_name,
        strategy_version=msg.strategy_version,
        first_contact=msg.first_contact,
        document_id=document.id if document else None,
        sha256=document.sha256 if document else None,
    )
