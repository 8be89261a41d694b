"""Tables of the web pages: creditor registrations and their e-mail confirmation.

A registration links the pending creditor and its first user to the confirmation token (only
its SHA-256 is stored, so a copy of the database cannot confirm anything) and records when the
e-mail address was confirmed and who approved the account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts


class CreditorRegistration(Base):
    __tablename__ = "creditor_registration"
    id: Mapped[int] = pk()
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime] = ts()
    terms_accepted_at: Mapped[datetime] = ts()
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    origin: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = ts()
    #: how the confirmation went out: ``sent`` (e-mail), ``handover`` (no mail server, or the
    #: mail failed: an administrator passes the link on, see the registrations page)
    mail_status: Mapped[str] = mapped_column(String(20), default="sent")
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejected_by: Mapped[str | None] = mapped_column(String(100))
    rejection_reason: Mapped[str | None] = mapped_column(String(1000))
