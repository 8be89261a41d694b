"""The ports of the outbound channels and what a delivery returns.

A channel sends one message and returns it exactly as sent (:class:`Sent`: the bytes of the
``.eml``, the JSON body of the SMS request, the letter PDF), so that the caller can store it
as a document on the case. Channels know nothing of the database: storing documents, events
and tasks is the job of :mod:`mahnwerk.services.dunning.deliver`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Sent:
    """A message exactly as it left: file name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes
    external_id: str = ""


class Failure(StrEnum):
    """Why a message could not be sent; the delivery acts on this, never on the text.

    >>> Failure.RECIPIENT.permanent, Failure.TEMPORARY.permanent
    (True, False)
    """

    TEMPORARY = "temporary"
    """The server or gateway could not be reached or answered "later": retried with backoff."""
    RECIPIENT = "recipient"
    """The recipient is unknown or refused (address bounced, no number): parked; an e-mail
    address refused is marked bounced."""
    INCOMPLETE = "incomplete"
    """The message lacks what the law or the letter needs (§ 13a RDG items, an address):
    parked with a task for a person."""
    REJECTED = "rejected"
    """The server refused the message for another permanent reason: parked."""
    NOT_CONFIGURED = "not_configured"
    """The channel is not configured: the message waits in the outbox until it is."""

    @property
    def permanent(self) -> bool:
        return self in (Failure.RECIPIENT, Failure.INCOMPLETE, Failure.REJECTED)


class DeliveryError(Exception):
    """Sending failed, for the reason ``failure``; the message says what happened (German)."""

    def __init__(self, message: str, failure: Failure = Failure.TEMPORARY) -> None:
        super().__init__(message)
        self.failure = failure

    @property
    def permanent(self) -> bool:
        return self.failure.permanent


class EmailSender(Protocol):
    """``message_id``: the Message-ID to use, deterministic per outbox message so that a
    person can look up whether a message left when a worker died while sending it."""

    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        reference: str = "",
        message_id: str | None = None,
    ) -> Sent: ...

    def message_id(self, outbox_id: int, reference: str) -> str:
        """The Message-ID of the outbox message ``outbox_id`` (the same on every attempt)."""
        ...


class SmsSender(Protocol):
    """``idempotency_key``: the same on every attempt for one message; the gateway drops a
    repeat, so a retry after a crash does not send a second SMS."""

    def send(self, *, to: str, text: str, reference: str, idempotency_key: str = "") -> Sent: ...


class LetterRenderer(Protocol):
    """Turns the letter data of an outbox message (JSON-ready mapping, see
    ``services.dunning.compose.message_payload``) into a PDF; raises :class:`DeliveryError`
    (``Failure.INCOMPLETE``) for a letter that cannot be made right from it."""

    def render(self, data: Mapping[str, Any]) -> bytes: ...


@dataclass(frozen=True)
class Channels:
    """The configured channels; ``None`` = not configured (messages wait in the outbox).
    Phone tasks need no adapter: they become rows of the agents' task queue."""

    email: EmailSender | None = None
    sms: SmsSender | None = None
    letters: LetterRenderer | None = None
