"""Tables of the portal assistant: conversations and their messages.

Both carry the ``case_id`` and the ``debtor_id`` they belong to, so that the privacy export
and the retention rules find a debtor's conversations without a join:

- :class:`Conversation` (``assistant_conversation``): one chat of a debtor about one case,
  where it happened (``portal``, ``cli``), whether it went to a person (``handover_task_id``)
  and the plan offer waiting for the debtor's yes (``pending_offer``).
- :class:`AssistantMessage` (``assistant_message``): every message of the debtor and every
  answer of the assistant, with the detected intent, its confidence and source (``rule``,
  ``model``, ``dialog``), the entities, whether it went to a person and what was done
  (``actions``: promise recorded, dispute opened, task …).

The texts are personal data: they are shown to agents on the case page and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import ID, Base, pk, ts


class Conversation(Base):
    __tablename__ = "assistant_conversation"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # portal, cli
    status: Mapped[str] = mapped_column(String(15), default="open")  # open, handed_over
    started_at: Mapped[datetime] = ts()
    last_at: Mapped[datetime] = ts()
    handover_task_id: Mapped[int | None] = mapped_column(ID, ForeignKey("task.id"))
    #: a plan offered and not yet accepted: {"amount", "start", "count"}
    pending_offer: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AssistantMessage(Base):
    __tablename__ = "assistant_message"
    id: Mapped[int] = pk()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_conversation.id"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    at: Mapped[datetime] = ts()
    sender: Mapped[str] = mapped_column(String(10))  # debtor, assistant
    text: Mapped[str] = mapped_column(String(4000))
    intent: Mapped[str | None] = mapped_column(String(30))
    confidence: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(10))  # rule, model, dialog
    entities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    handover: Mapped[bool] = mapped_column(Boolean, default=False)
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
