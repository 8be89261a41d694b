"""The portal assistant's use cases (the language side is :mod:`mahnwerk.assistant`):
answer a debtor's message from the case and act within the rules (:mod:`.reply`), the
instalment offers (:mod:`.plans`), the office hours a hand-over names (:mod:`.office`), the
stored conversations (:mod:`.conversation`) and the German texts (:mod:`.texts`)."""

from mahnwerk.services.assistant.conversation import (
    ConversationView,
    conversations_for_case,
    export_for_debtor,
)
from mahnwerk.services.assistant.reply import (
    AssistantConfig,
    AssistantError,
    Reply,
    accept_offer_of_conversation,
    apply_stated_address,
    reply,
)

__all__ = [
    "AssistantConfig",
    "AssistantError",
    "ConversationView",
    "Reply",
    "accept_offer_of_conversation",
    "apply_stated_address",
    "conversations_for_case",
    "export_for_debtor",
    "reply",
]
