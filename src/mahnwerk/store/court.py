"""Tables of the court dunning procedure and of titles.

- :class:`Title` (with :class:`TitleClaim` and :class:`TitleEnforcementAct`): an enforceable
  title of a case (Vollstreckungsbescheid, Urteil, Vergleich, notarielle Urkunde). A case may
  have several; a title without claim links covers every claim of its case. The enforcement
  acts recorded against a title restart its limitation (§ 212 Abs. 1 Nr. 2 BGB).
- :class:`CourtProcedure`: one court dunning procedure of a case, from the prepared
  Mahnbescheid application to the title, with its state, the court's file number (GNR), every
  date that starts a period, and the applications exactly as approved (``application``,
  ``vb_application``: the JSON of :class:`mahnwerk.court.application.Application`).
- :class:`EdaFile`: one EDA file written to the outbox (name, Satzart, hash, the court's
  receipt when it came back).
- :class:`CourtReply`, :class:`CourtMessage`: an imported reply file (its hash makes a
  repeated import a no-op) and each message in it, matched to a procedure or left for review.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mahnwerk.store.models import Base, pk, ts
from mahnwerk.store.types import Cents


class Title(Base):
    """Vollstreckungstitel of a case (see :class:`mahnwerk.domain.title.Title`)."""

    __tablename__ = "title"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("court_procedure.id"))
    kind: Mapped[str] = mapped_column(String(30))
    court: Mapped[str] = mapped_column(String(200))
    file_number: Mapped[str] = mapped_column(String(60))
    issued: Mapped[date] = mapped_column(Date)
    final: Mapped[date | None] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Cents)
    interest_from: Mapped[date | None] = mapped_column(Date)
    interest: Mapped[str] = mapped_column(String(30), default="none")
    interest_amount: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0))
    costs: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = ts()
    created_by: Mapped[str] = mapped_column(String(100))

    claims: Mapped[list[TitleClaim]] = relationship(
        order_by="TitleClaim.id", cascade="all, delete-orphan"
    )
    enforcement_acts: Mapped[list[TitleEnforcementAct]] = relationship(
        order_by="TitleEnforcementAct.acted_on", cascade="all, delete-orphan"
    )


class TitleClaim(Base):
    """A claim covered by a title, with the part of the title that concerns it."""

    __tablename__ = "title_claim"
    id: Mapped[int] = pk()
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    claim_ref: Mapped[str] = mapped_column(String(100))
    principal: Mapped[Decimal] = mapped_column(Cents)
    interest_from: Mapped[date | None] = mapped_column(Date)
    interest: Mapped[str] = mapped_column(String(30), default="none")


class TitleEnforcementAct(Base):
    """An enforcement act applied for or carried out on a title (§ 212 Abs. 1 Nr. 2 BGB)."""

    __tablename__ = "title_enforcement_act"
    id: Mapped[int] = pk()
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id"), index=True)
    acted_on: Mapped[date] = mapped_column(Date)
    what: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = ts()
    created_by: Mapped[str] = mapped_column(String(100))


class EdaFile(Base):
    """An EDA file written for the Mahngericht (applications out)."""

    __tablename__ = "eda_file"
    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. ABC021.EDA
    edaid: Mapped[str] = mapped_column(String(6))
    satzart: Mapped[str] = mapped_column(String(2))
    format: Mapped[str] = mapped_column(String(4))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    applications: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = ts()
    created_by: Mapped[str] = mapped_column(String(100))
    receipt: Mapped[str | None] = mapped_column(Text)  # the court's Quittung (Satzart 90)
    receipt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CourtProcedure(Base):
    """One court dunning procedure of a case (states: :mod:`mahnwerk.domain.court`)."""

    __tablename__ = "court_procedure"
    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    state_since: Mapped[date] = mapped_column(Date)
    tgz: Mapped[str] = mapped_column(String(35), index=True)  # our reference, echoed as ASGZ
    gnr: Mapped[str | None] = mapped_column(String(11), index=True)
    court_id: Mapped[str] = mapped_column(String(10))  # XJustiz id of the Mahngericht
    application: Mapped[dict[str, Any]] = mapped_column(JSON)
    application_digest: Mapped[str] = mapped_column(String(64))
    vb_application: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    vb_digest: Mapped[str | None] = mapped_column(String(64))
    prepared_by: Mapped[str] = mapped_column(String(100))
    prepared_at: Mapped[datetime] = ts()
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vb_prepared_by: Mapped[str | None] = mapped_column(String(100))
    vb_approved_by: Mapped[str | None] = mapped_column(String(100))
    returned_reason: Mapped[str | None] = mapped_column(String(500))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    vb_approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    mb_file_id: Mapped[int | None] = mapped_column(ForeignKey("eda_file.id"), index=True)
    vb_file_id: Mapped[int | None] = mapped_column(ForeignKey("eda_file.id"), index=True)
    filed_on: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[date | None] = mapped_column(Date)
    served_on: Mapped[date | None] = mapped_column(Date)
    not_served_on: Mapped[date | None] = mapped_column(Date)
    objection_on: Mapped[date | None] = mapped_column(Date)
    vb_prepared_on: Mapped[date | None] = mapped_column(Date)
    vb_filed_on: Mapped[date | None] = mapped_column(Date)
    vb_issued_on: Mapped[date | None] = mapped_column(Date)
    vb_served_on: Mapped[date | None] = mapped_column(Date)
    vb_not_served_on: Mapped[date | None] = mapped_column(Date)
    handed_over_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = ts()
    updated_at: Mapped[datetime] = ts()


class CourtReply(Base):
    """An imported file of court messages; its hash makes a repeated import a no-op."""

    __tablename__ = "court_reply"
    id: Mapped[int] = pk()
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    framing: Mapped[str] = mapped_column(String(10))  # stream, crlf
    messages: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = ts()
    imported_by: Mapped[str] = mapped_column(String(100))


class CourtMessage(Base):
    """One court message (Satzart 03, 05, 16, 18, 20, 22, 90) and what became of it.

    ``status``: ``applied`` (moved its procedure), ``info`` (nothing to change: Monierung,
    Quittung, or a message the state already reflects), ``review`` (matched, but not
    applicable in the procedure's state: a person looks at it), ``unmatched`` (no procedure
    for its reference: the review list), ``resolved`` (a person closed a review item).
    ``digest`` (SHA-256 of the message's records) keeps the same message from applying twice.
    """

    __tablename__ = "court_message"
    id: Mapped[int] = pk()
    reply_id: Mapped[int] = mapped_column(ForeignKey("court_reply.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    satzart: Mapped[str] = mapped_column(String(2))
    reference: Mapped[str] = mapped_column(String(35), default="")  # ASGZ as sent back
    gnr: Mapped[str] = mapped_column(String(11), default="")
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("court_procedure.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    outcome: Mapped[str] = mapped_column(String(500), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = ts()
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
