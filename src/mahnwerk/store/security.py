"""Tables of sign-in security: server-side sessions of the pages and failed sign-in
attempts (the limits against guessing).

- :class:`WebSession`: one signed-in browser session of a staff or creditor user (``user_id``)
  or of a debtor in the portal (``case_id``). The cookie carries a random token; only its
  SHA-256 is stored. A session ends at logout, after the idle or absolute timeout, or when
  the user's password or role changes (``ended_at`` and ``end_reason``).
- :class:`AuthFailure`: one failed attempt under a limit's key (an account, a client
  address, a case, or a case from one address). Keys are stored as a keyed hash (HMAC with
  the application's key), so the table names no address or account; rows older than the
  longest window are deleted as new ones come in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts


class WebSession(Base):
    __tablename__ = "web_session"
    id: Mapped[int] = pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = ts()
    last_seen_at: Mapped[datetime] = ts()
    expires_at: Mapped[datetime] = ts()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: logout, idle, expired, password, role, deactivated, code_revoked
    end_reason: Mapped[str | None] = mapped_column(String(30))


class AuthFailure(Base):
    __tablename__ = "auth_failure"
    id: Mapped[int] = pk()
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = ts()
    __table_args__ = (
        Index("ix_auth_failure_key_at", "key_hash", "at"),
        Index("ix_auth_failure_at", "at"),
    )
