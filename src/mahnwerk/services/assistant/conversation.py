"""Conversations and messages in the store: open or continue one, add a message, the
transcript for a person, the conversations of a case for the agents' case page, and the
rows of a debtor for the privacy export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.store.assistant import AssistantMessage, Conversation
from mahnwerk.store.models import Case

#: a message longer than this is cut (the portal's form allows as much)
MAX_TEXT = 2000


def open_conversation(
    session: Session, case: Case, conversation_id: int | None, channel: str, now: datetime
) -> Conversation:
    """The conversation ``conversation_id`` if it belongs to ``case``, else a new one (an id
    of another case's conversation is never continued)."""
    if conversation_id is not None:
        conv = session.get(Conversation, conversation_id)
        if conv is not None and conv.case_id == case.id:
            conv.last_at = now
            return conv
    conv = Conversation(
        case_id=case.id,
        debtor_id=case.debtor_id,
        channel=channel,
        status="open",
        started_at=now,
        last_at=now,
    )
    session.add(conv)
    session.flush()
    return conv


def add_message(
    session: Session, conv: Conversation, sender: str, text: str, now: datetime, **fields: Any
) -> AssistantMessage:
    message = AssistantMessage(
        conversation_id=conv.id,
        case_id=conv.case_id,
        debtor_id=conv.debtor_id,
        at=now,
        sender=sender,
        text=text[:4000],
        entities=fields.pop("entities", {}),
        actions=fields.pop("actions", []),
        handover=fields.pop("handover", False),
        **fields,
    )
    session.add(message)
    session.flush()
    return message


def messages(session: Session, conversation_id: int) -> list[AssistantMessage]:
    return list(
        session.scalars(
            select(AssistantMessage)
            .where(AssistantMessage.conversation_id == conversation_id)
            .order_by(AssistantMessage.id)
        )
    )


def transcript(session: Session, conversation_id: int) -> list[dict[str, Any]]:
    """The conversation as a person reads it: time, who, what (and the detected intent)."""
    return [
        {
            "at": m.at.isoformat(),
            "sender": m.sender,
            "text": m.text,
            **({"intent": m.intent} if m.sender == "debtor" and m.intent else {}),
        }
        for m in messages(session, conversation_id)
    ]


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    messages: list[AssistantMessage]


def conversations_for_case(session: Session, case_id: int) -> list[ConversationView]:
    """Every conversation of the case with its messages, newest first (for agents)."""
    convs = session.scalars(
        select(Conversation)
        .where(Conversation.case_id == case_id)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
    )
    return [ConversationView(c, messages(session, c.id)) for c in convs]


def export_for_debtor(session: Session, debtor_id: int) -> list[dict[str, Any]]:
    """A debtor's conversations with every message, as JSON values (for the privacy export
    of issue 20; the tables carry ``case_id`` and ``debtor_id``)."""
    out = []
    for conv in session.scalars(
        select(Conversation).where(Conversation.debtor_id == debtor_id).order_by(Conversation.id)
    ):
        out.append(
            {
                "conversation_id": conv.id,
                "case_id": conv.case_id,
                "channel": conv.channel,
                "started_at": conv.started_at.isoformat(),
                "messages": transcript(session, conv.id),
            }
        )
    return out
