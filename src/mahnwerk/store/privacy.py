"""Tables of retention and erasure (Art. 17, 18 GDPR; § 35 BDSG).

- :class:`PrivacyBlock`: a debtor whose cases have all ended. From then on the data is kept
  only for the duties to keep it (books, letters) and processing is restricted: the debtor's
  cases are shown only to compliance and administrators (Sperrung, Art. 18 GDPR,
  § 35 Abs. 3 BDSG).
- :class:`PrivacyErasure`: one kind of a debtor's data (see
  :mod:`mahnwerk.services.privacy.retention`) erased or anonymised, when, on what trigger
  (``retention`` or ``request``), why and by whom. Each kind is erased once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mahnwerk.store.models import Base, pk, ts


class PrivacyBlock(Base):
    __tablename__ = "privacy_block"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), unique=True)
    #: the day the debtor's last case ended: retention periods run from the end of its year
    ended_on: Mapped[date] = mapped_column(Date)
    blocked_at: Mapped[datetime] = ts()
    reason: Mapped[str] = mapped_column(String(200))


class PrivacyErasure(Base):
    __tablename__ = "privacy_erasure"
    id: Mapped[int] = pk()
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"))
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(10))  # retention, request
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    rows: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = ts()
    __table_args__ = (UniqueConstraint("debtor_id", "kind"),)
