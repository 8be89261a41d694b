"""The ports of the outbound channels and what a delivery returns.

A channel sends one message and returns it exactly as sent (:class:`Sent`: the bytes of the
``.eml``, the JSON body of the SMS request, the letter PDF), so that the caller can store it
as a document on the case. Channels know nothing of the database: storing documents, events
and tasks is the job of :mod:`mahnwerk.services.dunning.deliver`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


class DeliveryError(Exception):
    """Sending failed. ``permanent``: retrying will not help (unknown recipient, bad data)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class EmailSender(Protocol):
    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        reference: str = "",
    ) -> Sent: ...


class SmsSender(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> Sent: ...


class LetterRenderer(Protocol):
    """Turns the letter data of an outbox message (JSON-ready mapping, see
    ``services.dunning.compose.message_payload``) into a PDF."""

    def render(self, data: Mapping[str, Any]) -> bytes: ...


@dataclass(frozen=True)
class Channels:
    """The configured channels; ``None`` = not configured (messages wait in the outbox).
    Phone tasks need no adapter: they become rows of the agents' task queue."""

    email: EmailSender | None = None
    sms: SmsSender | None = None
    letters: LetterRenderer | None = None
