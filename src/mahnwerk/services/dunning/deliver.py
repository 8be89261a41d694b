"""Phase 2 of the daily run: the delivery of the outbox, exactly once per message.

The outbox is the source of truth (transactional outbox); a job engine only carries the
work. Every step of a message is a status transition guarded in SQL, so two workers can
never both send one message:

``pending`` → (queued into a batch: :func:`queue_due`) → ``claimed`` (by one worker, with a
lease: :func:`deliver_batch`) → ``sending`` (committed just before the message leaves) →
``sent``, booked in one transaction with its document, its fees and its event. Off the
path: ``failed`` (parked with its reason), ``skipped`` (the debtor's contact rules forbid
it for good), ``cancelled`` (the case was closed, recalled, disputed or stopped meanwhile),
``uncertain`` (an e-mail whose worker died while sending, see below).

A worker renews the lease of what it holds with every step; a claim whose lease ran out
(the worker was killed) is taken over by the next job for its batch (:func:`stuck_batches`
finds those). What the new holder does with a message found in ``sending`` depends on the
channel, since only the channel can tell whether it left:

- **letter**: a letter counts as sent when its bundle is handed over to the print service
  (an atomic rename to the batch's deterministic name in ``MAHNWERK_PRINT_DIR``); a bundle
  of that name present means it was handed over, and only the bookkeeping is finished, from
  the bundle's own PDFs; no bundle means nothing left, and the letters are rendered again.
- **SMS**: sent again with the same ``Idempotency-Key`` (the outbox id): the gateway drops
  the repeat.
- **e-mail**: SMTP cannot drop a repeat, so the message is not sent again but parked as
  ``uncertain`` with a task for a person, who checks the mail server's log for its
  deterministic Message-ID (:func:`mahnwerk.channels.email.message_id`).
- **phone task**: claimed and done in one transaction; never in ``sending``.

Before a message goes out its case is checked once more (a closed, recalled or disputed
case, or one flagged insolvent, deceased, do-not-contact or hardship, gets its messages
cancelled), then the contact rules (quiet hours, Sundays and holidays of the debtor's Land,
the weekly cap, the debtor's preferences): a message not allowed now goes back to
``pending`` with ``not_before`` at the next allowed moment. Temporary failures are retried
with backoff (15 min × 2^(attempts − 1), at most :data:`MAX_ATTEMPTS` attempts); permanent
ones park the message with their :class:`~mahnwerk.channels.base.Failure`.

Every message is stored exactly as sent as a document of the case (``.eml``, ``.json``,
``.pdf`` under ``settings.documents_dir/<case id>/`` with its SHA-256) and as a case event.
A letter is rendered once, from its message (the statement computed when it was planned);
the portal access code is derived here, in the delivery transaction, and handed to the
renderer with the message.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from mahnwerk.channels.base import Attachment, Channels, DeliveryError, Failure, Sent
from mahnwerk.channels.email import message_id as email_message_id
from mahnwerk.channels.texts import email_text, first_contact_gaps, sms_text, subject
from mahnwerk.documents.bundle import AlreadyHandedOver, ManifestEntry, RenderedLetter, hand_over
from mahnwerk.domain import notices
from mahnwerk.domain.contact_rules import (
    ContactKind,
    ContactPolicy,
    Preference,
    check_contact,
    land_for_postcode,
)
from mahnwerk.domain.dunning import ClaimFacts, defaults_by_reminder, is_written_reminder
from mahnwerk.domain.strategy import Channel, Stage
from mahnwerk.services import events
from mahnwerk.services.actor import SYSTEM, today_in_germany, utcnow
from mahnwerk.services.admin.creditors import Agency, payment_account
from mahnwerk.services.cases import add_cost
from mahnwerk.services.dunning.compose import mobile, valid_contacts
from mahnwerk.services.dunning.summary import Progress, RunSummary
from mahnwerk.services.portal.access import access_code
from mahnwerk.services.workspace.workflow import add_task, stated_preferences
from mahnwerk.store.assistant import Conversation
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Creditor, Debtor, Document
from mahnwerk.store.portal import PortalAccess
from mahnwerk.store.workflow import (
    CaseFlag,
    CaseStrategy,
    Dispute,
    OutboxMessage,
)

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime


MAX_ATTEMPTS = 5
#: the phone task's words for the call windows of the next-best-action policy
CALL_WINDOW_TEXT = {
    "call_morning": "vormittags 8–12 Uhr",
    "call_afternoon": "nachmittags 12–17 Uhr",
    "call_evening": "abends 17–20 Uhr",
}
RETRY_AFTER = timedelta(minutes=15)
#: a message whose channel is not configured is looked at again after this
NOT_CONFIGURED_WAIT = timedelta(minutes=15)
#: flags that stop (or pause) dunning: their cases' messages are cancelled, not sent
STOP_FLAGS = ("insolvency", "deceased", "do_not_contact", "hardship")
HELD = ("claimed", "sending")
STAGES = frozenset(str(s) for s in Stage)

_CONTACT_KIND = {
    "letter": ContactKind.LETTER,
    "email": ContactKind.EMAIL,
    "sms": ContactKind.SMS,
    "phone_task": ContactKind.CALL,
}
_EXTENSION = {"email": "eml", "sms": "json", "letter": "pdf"}


class _Holidays:
    """Public holidays per Land and year (holidays package), cached for the process."""

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


_HOLIDAYS = _Holidays()


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------- queueing


def queue_due(
    runtime: Runtime,
    now: datetime,
    *,
    limit: int = 100_000,
    hold: Collection[int] = (),
) -> list[str]:
    """Put the pending messages whose time has come into batches of one channel each (at
    most ``settings.delivery_batch`` messages); return the new batches' names. Letters to
    debtors of the creditors in ``hold`` (set-up incomplete) stay pending; the rest goes on.

    A batch's name is fixed when it is made (time, channel, first message, its attempts), so
    its delivery job and its print bundle have the same name on every retry."""
    now = now.astimezone(UTC)
    size = runtime.settings.delivery_batch
    postgres = runtime.engine.dialect.name == "postgresql"
    with transaction(runtime.sessions) as s:
        query = (
            select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.attempts)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.batch.is_(None),
                or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
            )
            .order_by(OutboxMessage.channel, OutboxMessage.id)
            .limit(limit)
        )
        if hold:
            query = query.where(
                or_(
                    OutboxMessage.channel != "letter",
                    OutboxMessage.case_id.not_in(
                        select(Case.id).where(Case.creditor_id.in_(sorted(hold)))
                    ),
                )
            )
        if postgres:  # two schedulers never wait for each other's rows
            query = query.with_for_update(skip_locked=True)
        by_channel: dict[str, list[tuple[int, int]]] = {}
        for row in s.execute(query):
            by_channel.setdefault(row.channel, []).append((row.id, row.attempts))
        names = []
        for channel, rows in by_channel.items():
            for k in range(0, len(rows), size):
                chunk = rows[k : k + size]
                first, attempts = chunk[0]
                name = f"{now:%Y%m%d-%H%M%S}-{channel}-{first}-{attempts}"
                done = s.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_([i for i, _ in chunk]),
                        OutboxMessage.status == "pending",
                        OutboxMessage.batch.is_(None),
                    )
                    .values(batch=name, queued_at=now)
                    .execution_options(synchronize_session=False)
                )
                if _rowcount(done):
                    names.append(name)
    return names


def stuck_batches(runtime: Runtime, now: datetime) -> list[str]:
    """Batches whose work was lost: claims whose lease ran out (the worker died) and queued
    messages nobody claimed for a lease's time (the job was lost). Their ``queued_at`` is
    renewed, so that each is queued again only once per lease."""
    now = now.astimezone(UTC)
    lease = timedelta(seconds=runtime.settings.delivery_lease)
    stale = or_(
        and_(OutboxMessage.status.in_(HELD), OutboxMessage.lease_until < now),
        and_(
            OutboxMessage.status == "pending",
            OutboxMessage.batch.is_not(None),
            OutboxMessage.queued_at < now - lease,
        ),
    )
    with transaction(runtime.sessions) as s:
        names = sorted(
            {
                b
                for b in s.scalars(
                    select(OutboxMessage.batch).where(stale, OutboxMessage.batch.is_not(None))
                )
                if b
            }
        )
        if names:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.batch.in_(names), OutboxMessage.status == "pending")
                .values(queued_at=now)
                .execution_options(synchronize_session=False)
            )
    return names


# ----------------------------------------------------------------------- one batch


@dataclass
class _Case:
    """What the checks before sending need of a message's case."""

    case: Case
    stop: str | None
    land: str | None
    preferences: list[Preference]
    recent: list[datetime]
    code_version: int


@dataclass
class _Batch:
    runtime: Runtime
    name: str
    worker: str
    now: datetime
    summary: RunSummary
    policy: ContactPolicy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = ContactPolicy(weekly_cap=self.runtime.settings.contacts_per_week)

    @property
    def lease_until(self) -> datetime:
        return self.now + timedelta(seconds=self.runtime.settings.delivery_lease)

    @property
    def receipt_days(self) -> int:
        return self.runtime.settings.receipt_days


def deliver_batch(
    runtime: Runtime,
    batch: str,
    *,
    worker: str,
    now: datetime | None = None,
    summary: RunSummary | None = None,
) -> RunSummary:
    """Deliver what the batch ``batch`` holds that nobody else holds: claim, check, send,
    book. Safe to call any number of times, from any number of workers."""
    now = (now or utcnow()).astimezone(UTC)
    summary = summary if summary is not None else RunSummary(today_in_germany(now))
    b = _Batch(runtime, batch, worker, now, summary)
    in_doubt = _claim(b)
    ids = _held_ids(b, "claimed")
    if in_doubt:
        ids = _settle_in_doubt(b, in_doubt) + ids
    if not ids:
        return summary
    accepted = _check(b, ids)
    by_channel: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for message_id, channel, message in accepted:
        by_channel.setdefault(channel, []).append((message_id, message))
    for channel, items in by_channel.items():
        if channel == "letter":
            _deliver_letters(b, items)
        else:
            for message_id, message in items:
                _deliver_single(b, channel, message_id, message)
    return summary


def _claim(b: _Batch) -> list[int]:
    """Claim the batch's free messages; return those found in ``sending`` whose holder's
    lease ran out (they may have left: :func:`_settle_in_doubt`)."""
    with transaction(b.runtime.sessions) as s:
        s.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.batch == b.name,
                or_(
                    OutboxMessage.status == "pending",
                    and_(OutboxMessage.status == "claimed", OutboxMessage.lease_until < b.now),
                ),
            )
            .values(status="claimed", claimed_by=b.worker, lease_until=b.lease_until)
            .execution_options(synchronize_session=False)
        )
        doubtful = list(
            s.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.batch == b.name,
                    OutboxMessage.status == "sending",
                    OutboxMessage.lease_until < b.now,
                )
            )
        )
        taken = []
        for message_id in doubtful:
            result = s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == "sending",
                    OutboxMessage.lease_until < b.now,
                )
                .values(claimed_by=b.worker, lease_until=b.lease_until)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result):
                taken.append(message_id)
    return taken


def _held_ids(b: _Batch, status: str) -> list[int]:
    with b.runtime.sessions() as s:
        return list(
            s.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.batch == b.name,
                    OutboxMessage.status == status,
                    OutboxMessage.claimed_by == b.worker,
                )
                .order_by(OutboxMessage.id)
            )
        )


def _settle_in_doubt(b: _Batch, ids: list[int]) -> list[int]:
    """Messages a dead worker left in ``sending``; return those to be sent (again)."""
    with b.runtime.sessions() as s:
        rows = {
            m.id: m.channel
            for m in s.execute(
                select(OutboxMessage.id, OutboxMessage.channel).where(OutboxMessage.id.in_(ids))
            )
        }
    letters = [i for i in ids if rows.get(i) == "letter"]
    again: list[int] = []
    if letters:
        directory = b.runtime.settings.bundles_dir / b.name
        if directory.exists():
            from mahnwerk.documents.bundle import read_manifest

            _book_bundle(b, directory, read_manifest(directory))
        again += letters  # not in a bundle: nothing left, render them again
    for message_id in ids:
        channel = rows.get(message_id)
        if channel == "sms":
            again.append(message_id)  # the gateway drops the repeat (Idempotency-Key)
        elif channel == "email":
            _uncertain(b, message_id)
    if again:
        with transaction(b.runtime.sessions) as s:
            s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(again),
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by == b.worker,
                )
                .values(status="claimed")
                .execution_options(synchronize_session=False)
            )
    return again


def _uncertain(b: _Batch, message_id: int, why: str = "Worker während des Sendens beendet") -> None:
    with transaction(b.runtime.sessions) as s:
        msg = _own(s, message_id, b, "sending")
        if msg is None:
            return
        case = s.get(Case, msg.case_id)
        assert case is not None
        reference = str(msg.payload.get("case_reference", case.reference))
        email = b.runtime.channels.email
        mid = (
            email.message_id(msg.id, reference)
            if email is not None
            else email_message_id(msg.id, reference, b.runtime.settings.smtp_from)
        )
        msg.status = "uncertain"
        msg.claimed_by = None
        msg.error = (
            f"Zustellung ungewiss: {why}; nicht erneut gesendet. "
            f"Im Protokoll des Mailservers nach Message-ID {mid} sehen."
        )[:500]
        add_task(
            s,
            case.id,
            "review_flag",
            f"outbox_uncertain:{msg.id}",
            f"E-Mail vielleicht versandt (Message-ID {mid}): im Mailserver prüfen, dann "
            "als versandt werten oder neu senden"[:500],
            data={"outbox_id": msg.id, "message_id": mid},
        )
        events.emit(
            s, case, "message.uncertain", SYSTEM, outbox_id=msg.id, channel=msg.channel,
            message_id=mid,
        )  # fmt: skip
        b.summary.failed += 1


def _own(s: Session, message_id: int, b: _Batch, status: str) -> OutboxMessage | None:
    """The message if this worker holds it in ``status`` (locked on PostgreSQL)."""
    return s.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == status,
            OutboxMessage.claimed_by == b.worker,
        )
        .with_for_update()
    )


# ------------------------------------------------------------- checks before sending


def _check(b: _Batch, ids: list[int]) -> list[tuple[int, str, dict[str, Any]]]:
    """Cancel, defer or accept each claimed message; return the accepted ones with the
    message the channel gets (the payload plus the portal access)."""
    accepted: list[tuple[int, str, dict[str, Any]]] = []
    with transaction(b.runtime.sessions) as s:
        messages = list(
            s.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == "claimed",
                    OutboxMessage.claimed_by == b.worker,
                )
                .order_by(OutboxMessage.id)
            )
        )
        cases = _cases(s, {m.case_id for m in messages}, b.now)
        creditors = {
            c.id: c
            for c in s.scalars(
                select(Creditor).where(
                    Creditor.id.in_({i.case.creditor_id for i in cases.values()})
                )
            )
        }
        for msg in messages:
            info = cases[msg.case_id]
            if info.stop is not None:
                _cancel(s, msg, info.case, info.stop, b)
                continue
            if not _allowed(s, msg, info, b):
                continue
            if msg.channel != "phone_task":
                info.recent.append(b.now)  # counts for the weekly cap of the next message
            creditor = creditors[info.case.creditor_id]
            accepted.append((msg.id, msg.channel, _message(msg, info, b, creditor)))
    return accepted


def _cases(s: Session, case_ids: set[int], now: datetime) -> dict[int, _Case]:
    cases = list(
        s.scalars(
            select(Case)
            .where(Case.id.in_(case_ids))
            .options(
                selectinload(Case.debtor).selectinload(Debtor.addresses),
                selectinload(Case.debtor).selectinload(Debtor.contacts),
            )
        )
    )
    disputed = set(
        s.scalars(
            select(Dispute.case_id).where(Dispute.case_id.in_(case_ids), Dispute.status == "open")
        )
    )
    flags: dict[int, set[str]] = {}
    for case_id, kind in s.execute(
        select(CaseFlag.case_id, CaseFlag.kind).where(
            CaseFlag.case_id.in_(case_ids), CaseFlag.cleared_at.is_(None)
        )
    ):
        flags.setdefault(case_id, set()).add(kind)
    debtor_ids = {c.debtor_id for c in cases}
    prefs = stated_preferences(s, debtor_ids)
    persons = {c.debtor.person_id for c in cases}
    recent: dict[Any, list[datetime]] = {p: [] for p in persons}
    for person, sent_at in s.execute(
        select(Debtor.person_id, OutboxMessage.sent_at)
        .join(Case, Case.id == OutboxMessage.case_id)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(
            Debtor.person_id.in_(persons),
            OutboxMessage.status == "sent",
            OutboxMessage.channel != "phone_task",
            OutboxMessage.sent_at >= now - timedelta(days=7),
        )
    ):
        moment = _aware(sent_at)
        if moment is not None:
            recent[person].append(moment)
    for person, started_at in s.execute(  # a conversation with the portal assistant
        select(Debtor.person_id, Conversation.started_at)
        .join(Debtor, Debtor.id == Conversation.debtor_id)
        .where(Debtor.person_id.in_(persons), Conversation.started_at >= now - timedelta(days=7))
    ):
        moment = _aware(started_at)
        if moment is not None:
            recent[person].append(moment)
    versions = dict(
        s.execute(
            select(PortalAccess.case_id, PortalAccess.code_version).where(
                PortalAccess.case_id.in_(case_ids)
            )
        ).all()
    )
    out = {}
    for case in cases:
        address = case.debtor.current_address
        out[case.id] = _Case(
            case=case,
            stop=_stop_reason(case, case.id in disputed, flags.get(case.id, set())),
            land=land_for_postcode(address.postcode, address.country) if address else None,
            preferences=prefs.get(case.debtor_id, []),
            recent=recent[case.debtor.person_id],  # shared by the person's cases
            code_version=int(versions.get(case.id, 1)),
        )
    return out


def _stop_reason(case: Case, disputed: bool, flags: set[str]) -> str | None:
    if case.status != "open":
        return f"Fall {case.status}"
    if disputed:
        return "Widerspruch offen"
    stopping = sorted(flags.intersection(STOP_FLAGS))
    return f"Kennzeichen {', '.join(stopping)}" if stopping else None


def _cancel(s: Session, msg: OutboxMessage, case: Case, reason: str, b: _Batch) -> None:
    msg.status = "cancelled"
    msg.claimed_by = None
    msg.error = f"nicht gesendet: {reason}"[:500]
    events.emit(
        s, case, "message.cancelled", SYSTEM, outbox_id=msg.id, channel=msg.channel,
        reason=reason,
    )  # fmt: skip
    b.summary.cancelled += 1


def _release(msg: OutboxMessage, not_before: datetime | None, error: str | None) -> None:
    """Back to ``pending``, out of the batch: queued again when ``not_before`` comes."""
    msg.status = "pending"
    msg.batch = None
    msg.claimed_by = None
    msg.lease_until = None
    msg.not_before = not_before
    msg.error = None if error is None else error[:500]


def _allowed(s: Session, msg: OutboxMessage, info: _Case, b: _Batch) -> bool:
    """The contact rules; a message not allowed now is deferred, switched or skipped."""
    check = check_contact(
        _CONTACT_KIND[msg.channel],
        b.now,
        is_holiday=_HOLIDAYS.predicate(info.land),
        recent_contacts=[m for m in info.recent if m >= b.now - timedelta(days=7)],
        policy=b.policy,
        preferences=info.preferences,
    )
    if check.allowed:
        return True
    if check.next_allowed is not None:
        _release(msg, check.next_allowed.astimezone(UTC), f"zurückgestellt: {check.reason}")
        b.summary.deferred += 1
        return False
    if msg.channel == "email" and info.case.debtor.current_address is not None:
        msg.channel = "letter"  # the debtor does not want e-mail: write a letter
        _release(msg, None, f"E-Mail nicht erwünscht ({check.reason}); Brief stattdessen")
        return False
    msg.status = "skipped"
    msg.claimed_by = None
    msg.error = check.reason[:500]
    events.emit(
        s, info.case, "message.skipped", SYSTEM, outbox_id=msg.id, channel=msg.channel,
        reason=check.reason,
    )  # fmt: skip
    b.summary.deferred += 1
    return False


def _message(
    msg: OutboxMessage, info: _Case, b: _Batch, creditor: Creditor | None = None
) -> dict[str, Any]:
    """What the channel gets: the payload as planned, the outbox id and the portal access
    (derived from the secret here, never stored); the creditor's address and payment account
    as they are now (a letter held while its creditor was being set up goes out with the
    set-up)."""
    settings = b.runtime.settings
    now_known: dict[str, Any] = {}
    if creditor is not None:
        cset = creditor.settings or {}
        now_known = {
            "creditor": {
                **(msg.payload.get("creditor") or {}),
                "address": cset.get("address", ""),
                "address_withheld_reason": cset.get("address_withheld_reason", ""),
            },
            "bank": payment_account(creditor.name, cset, Agency.of(settings)),
        }
    debtor = info.case.debtor
    current = {  # read now: an address that bounced since the planning is not used
        "email": next((c.value for c in valid_contacts(debtor, "email")), None),
        "mobile": next(
            (c.value for c in debtor.contacts if c.status == "valid" and mobile(c)), None
        ),
    }
    return {
        **msg.payload,
        **now_known,
        "debtor": {**(msg.payload.get("debtor") or {}), **current},
        "outbox_id": msg.id,
        "template": msg.payload.get("template", msg.template),
        "portal": {
            "url": f"{settings.public_url}/portal",
            "access_code": access_code(settings.secret_key, msg.case_id, info.code_version),
        },
    }


# --------------------------------------------------------------------------- letters


def _deliver_letters(b: _Batch, items: list[tuple[int, dict[str, Any]]]) -> None:
    """Render each letter once, hand the batch's bundle over, then book it."""
    renderer = b.runtime.channels.letters
    if renderer is None:
        _not_configured(b, [i for i, _ in items], "kein Briefrenderer konfiguriert: Brief wartet")
        return
    rendered: list[RenderedLetter] = []
    for message_id, message in items:
        try:
            refuse_without_sender(message)
            pdf = renderer.render(message)
        except DeliveryError as exc:
            _failed(b, message_id, exc, "claimed")
            continue
        except Exception as exc:  # the renderer broke (fonts, typst): retried, then parked
            _failed(b, message_id, _unexpected("Brief nicht erzeugt", exc), "claimed")
            continue
        address = (message.get("debtor") or {}).get("address") or {}
        rendered.append(
            RenderedLetter(
                message_id=message_id,
                pdf=pdf,
                recipient_name=str((message.get("debtor") or {}).get("name", "")),
                postcode=str(address.get("postcode", "")),
                city=str(address.get("city", "")),
                country=str(address.get("country") or "DE"),
                case_reference=str(message.get("case_reference", "")),
                kind=str(message.get("template", "")),
            )
        )
    moved = set(_to_sending(b, [r.message_id for r in rendered]))
    rendered = [r for r in rendered if r.message_id in moved]
    if not rendered:
        return
    print_dir = b.runtime.settings.bundles_dir
    try:
        entries = hand_over(print_dir, b.name, rendered)
        pdfs = {r.message_id: r.pdf for r in rendered}
    except AlreadyHandedOver as exc:  # a worker before this one handed it over and died
        entries, pdfs = exc.entries, {}
        _requeue_missing(b, rendered, entries)
    _book_bundle(b, print_dir / b.name, entries, pdfs)


def _requeue_missing(
    b: _Batch, rendered: Sequence[RenderedLetter], entries: Sequence[ManifestEntry]
) -> None:
    """Letters of this batch that are not in its bundle handed over earlier: they never
    left, so they go back to ``pending`` for a new batch (and a new bundle)."""
    bundled = {e.message_id for e in entries}
    missing = [r.message_id for r in rendered if str(r.message_id) not in bundled]
    with transaction(b.runtime.sessions) as s:
        for message_id in missing:
            msg = _own(s, message_id, b, "sending")
            if msg is not None:
                _release(msg, None, "nicht im übergebenen Stapel: neu eingereiht")


def _to_sending(b: _Batch, ids: Sequence[int]) -> list[int]:
    """``claimed`` → ``sending`` for the messages this worker still holds (committed before
    anything leaves); the lease of the batch is renewed with it. Returns the ids moved."""
    if not ids:
        return []
    with transaction(b.runtime.sessions) as s:
        moved = list(
            s.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(list(ids)),
                    OutboxMessage.status == "claimed",
                    OutboxMessage.claimed_by == b.worker,
                )
                .values(
                    status="sending",
                    attempts=OutboxMessage.attempts + 1,
                    lease_until=b.lease_until,
                )
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
        _renew(s, b)
    return moved


def _renew(s: Session, b: _Batch) -> None:
    s.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.batch == b.name,
            OutboxMessage.claimed_by == b.worker,
            OutboxMessage.status.in_(HELD),
        )
        .values(lease_until=b.lease_until)
        .execution_options(synchronize_session=False)
    )


def _book_bundle(
    b: _Batch,
    directory: Path,
    entries: Iterable[ManifestEntry],
    pdfs: dict[int, bytes] | None = None,
) -> None:
    """The letters of a handed-over bundle are sent: document, fees, event, each once."""
    pdfs = pdfs or {}
    with transaction(b.runtime.sessions) as s:
        for entry in entries:
            if not entry.message_id:
                continue
            msg = _own(s, int(entry.message_id), b, "sending")
            if msg is None:
                continue  # booked already, or held by another worker
            pdf = pdfs.get(msg.id)
            if pdf is None:
                pdf = (directory / entry.file).read_bytes()
            case = s.get(Case, msg.case_id)
            assert case is not None
            sent = Sent("brief.pdf", "application/pdf", pdf)
            document = store_document(s, b.runtime.settings.documents_dir, case, msg, sent, b.now)
            _mark_sent(s, msg, case, b.now, document, b.summary, sent, b.receipt_days)


# ------------------------------------------------------------- e-mail, SMS, phone


def _deliver_single(b: _Batch, channel: str, message_id: int, message: dict[str, Any]) -> None:
    if channel == "phone_task":
        _phone_task(b, message_id, message)
        return
    channels = b.runtime.channels
    if (channel == "email" and channels.email is None) or (
        channel == "sms" and channels.sms is None
    ):
        name = "kein SMTP-Server" if channel == "email" else "kein SMS-Gateway"
        _not_configured(b, [message_id], f"{name} konfiguriert: Nachricht wartet")
        return
    if not _to_sending(b, [message_id]):
        return
    try:
        sent = _send(channel, message, channels)
    except DeliveryError as exc:
        _failed(b, message_id, exc, "sending")
        return
    except Exception as exc:  # a fault of ours while sending: it may have left
        if channel == "email":
            _uncertain(b, message_id, f"Fehler beim Senden ({type(exc).__name__})")
        else:  # the SMS gateway drops a repeat (Idempotency-Key): retried, then parked
            _failed(b, message_id, _unexpected("Nachricht nicht gesendet", exc), "sending")
        return
    with transaction(b.runtime.sessions) as s:
        msg = _own(s, message_id, b, "sending")
        if msg is None:
            return  # taken over meanwhile: the new holder settles it
        case = s.get(Case, msg.case_id)
        assert case is not None
        document = store_document(s, b.runtime.settings.documents_dir, case, msg, sent, b.now)
        _mark_sent(s, msg, case, b.now, document, b.summary, sent, b.receipt_days)


def _phone_task(b: _Batch, message_id: int, message: dict[str, Any]) -> None:
    with transaction(b.runtime.sessions) as s:
        msg = _own(s, message_id, b, "claimed")
        if msg is None:
            return
        window = message.get("call_window") or None
        due, when = b.now, ""
        if window:  # chosen by the next-best-action policy: call in that window
            start = datetime.fromisoformat(window["from"])
            due = max(b.now, start)
            when = f", {CALL_WINDOW_TEXT.get(window['action'], window['action'])}"
        task = add_task(
            s,
            msg.case_id,
            "phone_call",
            f"outbox:{msg.id}",
            "Schuldner anrufen (Mahnstrategie, Schritt "
            f"{msg.step_index + 1}{when}): offen {message.get('totals', {}).get('total_open')} €",
            due_at=due,
            data={"outbox_id": msg.id, "template": msg.template, "call_window": window},
        )
        if task is not None:
            b.summary.tasks_created += 1
        case = s.get(Case, msg.case_id)
        assert case is not None
        msg.attempts += 1
        _mark_sent(s, msg, case, b.now, None, b.summary, None, b.receipt_days)


def _send(channel: str, message: dict[str, Any], channels: Channels) -> Sent:
    """Send one e-mail or SMS; everything comes from the message."""
    refuse_without_sender(message)
    debtor = message.get("debtor") or {}
    reference = str(message.get("case_reference"))
    outbox_id = int(message["outbox_id"])
    if channel == "email":
        assert channels.email is not None
        to = debtor.get("email")
        if not to:
            raise DeliveryError("keine gültige E-Mail-Adresse", Failure.RECIPIENT)
        if message.get("first_contact"):
            gaps = first_contact_gaps(message)
            if gaps:
                raise DeliveryError(
                    "Erstkontakt unvollständig (§ 13a RDG): " + ", ".join(gaps), Failure.INCOMPLETE
                )
        attachments: tuple[Attachment, ...] = ()
        if channels.letters is not None:
            pdf = channels.letters.render(message)
            name = f"Forderungsaufstellung-{reference}.pdf"
            attachments = (Attachment(name, "application/pdf", pdf),)
        return channels.email.send(
            to=str(to),
            subject=subject(message),
            text=email_text(message),
            attachments=attachments,
            reference=reference,
            message_id=channels.email.message_id(outbox_id, reference),
        )
    if channel == "sms":
        assert channels.sms is not None
        to = debtor.get("mobile")
        if not to:
            raise DeliveryError("keine Mobilnummer", Failure.RECIPIENT)
        return channels.sms.send(
            to=str(to),
            text=sms_text(message),
            reference=reference,
            idempotency_key=f"mahnwerk-outbox-{outbox_id}",
        )
    raise DeliveryError(f"unbekannter Kanal {channel}", Failure.REJECTED)


def refuse_without_sender(message: dict[str, Any]) -> None:
    """No letter, e-mail or SMS leaves without the agency's name, address, registration and
    contact (§ 13a Abs. 1 Nr. 1 RDG; never a placeholder): :class:`DeliveryError`
    (INCOMPLETE) naming what is missing."""
    agency = message.get("agency") or {}
    missing = notices.sender_problems(
        name=str(agency.get("name") or ""),
        address=str(agency.get("address") or ""),
        registration=str(agency.get("registration") or ""),
        email=str(agency.get("email") or ""),
        phone=str(agency.get("phone") or ""),
    )
    if missing:
        raise DeliveryError("Absender unvollständig: " + "; ".join(missing), Failure.INCOMPLETE)


# --------------------------------------------------------------------------- outcomes


def _unexpected(what: str, exc: Exception) -> DeliveryError:
    return DeliveryError(f"{what}: {type(exc).__name__}: {exc}", Failure.TEMPORARY)


def _not_configured(b: _Batch, ids: list[int], reason: str) -> None:
    with transaction(b.runtime.sessions) as s:
        for message_id in ids:
            msg = _own(s, message_id, b, "claimed")
            if msg is not None:
                _release(msg, b.now + NOT_CONFIGURED_WAIT, reason)
                b.summary.deferred += 1


def _failed(b: _Batch, message_id: int, exc: DeliveryError, status: str) -> None:
    """A failed attempt: retried later (TEMPORARY) or parked with its reason."""
    with transaction(b.runtime.sessions) as s:
        msg = _own(s, message_id, b, status)
        if msg is None:
            return
        if status == "claimed":
            msg.attempts += 1  # failed before it could leave (the letter was refused)
        failure = exc.failure
        if failure is Failure.NOT_CONFIGURED:
            _release(msg, b.now + NOT_CONFIGURED_WAIT, str(exc))
            b.summary.deferred += 1
            return
        if not failure.permanent and msg.attempts < MAX_ATTEMPTS:
            _release(msg, b.now + RETRY_AFTER * 2 ** (msg.attempts - 1), str(exc))
            b.summary.deferred += 1
            return
        case = s.get(Case, msg.case_id)
        assert case is not None
        msg.status = "failed"
        msg.claimed_by = None
        msg.error = f"{exc}"[:500]
        b.summary.failed += 1
        if failure is Failure.RECIPIENT and msg.channel == "email":
            for contact in valid_contacts(case.debtor, "email"):
                contact.status = "bounced"
        if failure is Failure.INCOMPLETE:
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
            failure=str(failure),
            strategy=msg.strategy_name,
            strategy_version=msg.strategy_version,
        )


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
            claim_id=int(fee["claim_id"]) if fee.get("claim_id") else None,
        )
        summary.fees_charged += 1
    s.expire(case, ["costs"])


def sent_text(channel: str, sent: Sent) -> str:
    """The text of a message as sent: the e-mail's text part, the letter PDF's text, the SMS
    request's body (empty if it cannot be read)."""
    if channel == "email":
        from email import message_from_bytes, policy
        from email.message import EmailMessage

        message = message_from_bytes(sent.content, policy=policy.default)
        body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
        return str(body.get_content()) if body is not None else ""
    if channel == "letter":
        import io

        try:
            from pypdf import PdfReader

            return "\n".join(
                p.extract_text() or "" for p in PdfReader(io.BytesIO(sent.content)).pages
            )
        except Exception:  # not a readable PDF: it cannot be shown to contain anything
            return ""
    return sent.content.decode("utf-8", errors="replace")


def put_in_default(
    s: Session, msg: OutboxMessage, case: Case, now: datetime, receipt_days: int
) -> None:
    """§ 286 Abs. 1 BGB: a written reminder puts the due claims not yet in default in default
    on the day it is taken to have arrived (``domain.dunning.defaults_by_reminder``)."""
    if msg.stage not in STAGES or not is_written_reminder(Stage(msg.stage), Channel(msg.channel)):
        return
    letter_day = max(date.fromisoformat(str(msg.payload["date"])), today_in_germany(now))
    facts = [
        ClaimFacts(c.id, c.principal, c.default_from, c.due_date, c.kind != "other")
        for c in case.claims
    ]
    changed = dict(defaults_by_reminder(facts, letter_day, receipt_days))
    for claim in case.claims:
        if claim.id not in changed:
            continue
        claim.default_from = changed[claim.id]
        claim.default_ground = (
            f"Mahnung vom {letter_day:%d.%m.%Y}, Zugang angenommen nach {receipt_days} Tagen "
            "(§ 286 Abs. 1 BGB)"
        )[:200]
        events.emit(
            s,
            case,
            "claim.default",
            SYSTEM,
            claim=claim.invoice_no,
            default_from=claim.default_from.isoformat(),
            outbox_id=msg.id,
        )


def _mark_sent(
    s: Session,
    msg: OutboxMessage,
    case: Case,
    now: datetime,
    document: Document | None,
    summary: RunSummary,
    sent: Sent | None = None,
    receipt_days: int = 4,
) -> None:
    msg.status = "sent"
    msg.sent_at = now
    msg.lease_until = None  # claimed_by stays: the worker that sent it
    book_fees(s, msg, case, now, summary)
    put_in_default(s, msg, case, now, receipt_days)
    msg.error = None
    msg.document_id = document.id if document else None
    state = s.get(CaseStrategy, case.id)
    if state is not None:
        if msg.first_contact and msg.channel in ("letter", "email"):
            state.first_contact_done = True
        if (
            msg.payload.get("credit_bureau_notice")
            and state.bureau_notice_on is None
            and sent is not None
            and notices.contains_notice(sent_text(msg.channel, sent))
        ):
            # § 31 Abs. 2 Nr. 4 c BDSG: recorded only when the document sent contains it
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


# ----------------------------------------------------------------------- in-process


def deliver_outbox(
    runtime: Runtime,
    now: datetime,
    summary: RunSummary,
    *,
    report: Progress | None = None,
    worker: str | None = None,
    hold: Collection[int] = (),
) -> None:
    """Deliver in this process everything that is due at ``now`` (the embedded engine, and
    ``mahnwerk run`` when no worker is running): queue, then deliver batch after batch;
    ``hold``: creditors whose messages stay pending (see :func:`queue_due`)."""
    worker = worker or f"run:{os.uname().nodename}:{os.getpid()}"
    done = 0
    for _ in range(10):  # a message switched to another channel is queued again once
        batches = stuck_batches(runtime, now) + queue_due(runtime, now, hold=hold)
        if not batches:
            break
        for name in batches:
            try:
                deliver_batch(runtime, name, worker=worker, now=now, summary=summary)
            except Exception as exc:  # the batch stays claimed; its lease runs out, then retried
                summary.errors.append(f"Stapel {name}: {type(exc).__name__}: {exc}")
            done += 1
            if report is not None:
                report("Zustellung", done, len(batches))


def _rowcount(result: object) -> int:
    """Rows an UPDATE changed (a ``CursorResult``; typed as ``Result`` by the session)."""
    return int(getattr(result, "rowcount", 0) or 0)
