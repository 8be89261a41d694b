"""Tables of the agent workspace: call logs.

A :class:`CallLog` is one phone call an agent made or took on a case: who, when, what came
of it (:data:`CALL_OUTCOMES`), a free-text note (internal: never shown to the creditor) and
the agreed next step. The timeline also gets a ``call.logged`` event (without the note).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import ID, Base, pk, ts

#: reached, not reached, wrong number, promise to pay, payment plan, dispute, call back
CALL_OUTCOMES = (
    "reached",
    "not_reached",
    "wrong_number",
    "promise",
    "plan",
    "dispute",
    "callback",
)


class CallLog(Base):
    __tablename__ = "call_log"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ID, ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = ts()
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(2000), default="")
    next_step: Mapped[str] = mapped_column(String(500), default="")
    next_step_on: Mapped[date | None] = mapped_column(Date)
