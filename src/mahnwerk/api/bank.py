"""The staff routes of the bank: statement import and the review queue (Klärungsfälle).

Only staff API keys with the scope ``bank`` (``mahnwerk apikey create --user EMAIL --scope
bank``) may call them; a creditor's key gets a 403 problem, since these routes name no
creditor's resource and there is nothing to hide. Each handler calls one use case of
:mod:`mahnwerk.services.banking.statements` or :mod:`mahnwerk.services.banking.review` in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, FastAPI, File, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from mahnwerk.api import schemas as s
from mahnwerk.api.auth import CurrentActor, runtime, unit_of_work
from mahnwerk.api.problems import ApiProblem, not_found, responses
from mahnwerk.banking.statement import StatementAlreadyImported, StatementError
from mahnwerk.services.actor import Actor
from mahnwerk.services.banking import review as bank_review
from mahnwerk.services.banking import statements as bank_import
from mahnwerk.store.banking_store import BankEntry

PREFIX = "/api/v1/bank"
#: A day's statement of a large agency is a few MB; this refuses accidents, not statements.
MAX_STATEMENT_BYTES = 50 * 1024 * 1024

EntryId = Annotated[int, Path(ge=1, le=s.MAX_ID, description="id des Umsatzes")]


# --------------------------------------------------------------------------- bodies


class ImportOut(BaseModel):
    filename: str
    statements: int
    entries: int
    booked: int
    review: int
    unapplied: int
    returns: int
    ignored: int
    duplicates: int
    amount_booked: s.Amount
    amount_unapplied: s.Amount
    amount_returned: s.Amount


class ReviewAllocationOut(BaseModel):
    case_id: int
    case_reference: str
    amount: s.Amount


class ReviewCandidateOut(BaseModel):
    kind: str
    confidence: float
    allocations: list[ReviewAllocationOut]
    reasons: list[str]


class ReviewEntryOut(BaseModel):
    id: int
    status: str = Field(description="review, unapplied, booked, returned oder ignored")
    booking_date: date
    amount: s.Amount
    sign: str
    counterparty_name: str
    counterparty_iban: str
    remittance: str
    is_return: bool
    note: str
    candidates: list[ReviewCandidateOut]


class ReviewList(BaseModel):
    items: list[ReviewEntryOut]


class ConfirmIn(s.Strict):
    candidate: int = Field(
        default=1, ge=1, le=20, description="Nummer des Vorschlags (1 = der beste)"
    )


class AllocationIn(s.Strict):
    case_id: int = Field(ge=1, le=s.MAX_ID)
    amount: s.Amount


class CorrectIn(s.Strict):
    allocations: list[AllocationIn] = Field(min_length=1, max_length=50)


class NotOursIn(s.Strict):
    note: s.OptText500 = ""


# ------------------------------------------------------------------------- handlers


def staff_actor(actor: CurrentActor) -> Actor:
    """The caller, who must be staff: checked before the body is read."""
    if not actor.is_staff:
        raise ApiProblem(
            403,
            "staff-only",
            "Nur für Mitarbeiter",
            "Kontoauszüge und Klärungsfälle sind nur mit dem API-Schlüssel eines Mitarbeiters "
            "zugänglich (anlegen mit: mahnwerk apikey create --user E-MAIL --scope bank)",
        )
    return actor


StaffActor = Annotated[Actor, Depends(staff_actor)]


def import_statement(
    actor: StaffActor,
    request: Request,
    file: Annotated[UploadFile, File(description="Kontoauszug: CAMT.053/.054 (XML) oder MT940")],
) -> ImportOut:
    data = file.file.read(MAX_STATEMENT_BYTES + 1)
    if len(data) > MAX_STATEMENT_BYTES:
        raise ApiProblem(
            413,
            "too-large",
            "Datei zu groß",
            f"Ein Kontoauszug darf höchstens {MAX_STATEMENT_BYTES // 2**20} MB groß sein",
        )
    filename = (file.filename or "kontoauszug")[:300]
    try:
        summary = bank_import.import_statement_bytes(
            runtime(request), actor, data, filename=filename
        )
    except StatementAlreadyImported as exc:
        raise ApiProblem(
            409, "statement-already-imported", "Kontoauszug bereits importiert", str(exc)
        ) from exc
    except StatementError as exc:
        raise ApiProblem(
            422,
            "statement-unreadable",
            "Kontoauszug nicht lesbar",
            f"{exc} – nichts wurde gebucht",
            where=exc.where,
            line=exc.line,
        ) from exc
    return ImportOut(
        filename=summary.filename,
        statements=summary.statements,
        entries=summary.entries,
        booked=summary.booked,
        review=summary.review,
        unapplied=summary.unapplied,
        returns=summary.returns,
        ignored=summary.ignored,
        duplicates=summary.duplicates,
        amount_booked=s.amount_text(summary.amount_booked),
        amount_unapplied=s.amount_text(summary.amount_unapplied),
        amount_returned=s.amount_text(summary.amount_returned),
    )


def _entry_out(item: bank_review.ReviewItem) -> ReviewEntryOut:
    e = item.entry
    return ReviewEntryOut(
        id=e.id,
        status=e.status,
        booking_date=e.booking_date,
        amount=s.amount_text(e.amount),
        sign=e.sign,
        counterparty_name=e.counterparty_name,
        counterparty_iban=e.counterparty_iban,
        remittance=e.remittance,
        is_return=e.is_return,
        note=e.note,
        candidates=[
            ReviewCandidateOut(
                kind=c.kind,
                confidence=c.confidence,
                allocations=[
                    ReviewAllocationOut(
                        case_id=case_id, case_reference=ref, amount=s.amount_text(amount)
                    )
                    for case_id, ref, amount in c.allocations
                ],
                reasons=list(c.reasons),
            )
            for c in item.candidates
        ],
    )


def list_reviews(
    actor: StaffActor,
    request: Request,
    include_unapplied: Annotated[
        bool, Query(description="auch nicht zugeordnete Zahlungen (unklare Zahlungen)")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ReviewList:
    with unit_of_work(runtime(request)) as session:
        items = bank_review.open_reviews(
            session, actor, include_unapplied=include_unapplied, limit=limit
        )
        return ReviewList(items=[_entry_out(i) for i in items])


def _decided(
    request: Request, actor: Actor, entry_id: int, decide: Callable[[Session], BankEntry]
) -> ReviewEntryOut:
    try:
        with unit_of_work(runtime(request)) as session:
            row = decide(session)
            return _entry_out(bank_review.ReviewItem(row, ()))
    except bank_review.EntryNotFound as exc:
        raise not_found(f"Den Umsatz {entry_id}") from exc
    except bank_review.ReviewError as exc:
        raise ApiProblem(422, "review-rejected", "Nicht gebucht", str(exc)) from exc


def confirm(
    entry_id: EntryId, body: ConfirmIn, actor: StaffActor, request: Request
) -> ReviewEntryOut:
    return _decided(
        request,
        actor,
        entry_id,
        lambda session: bank_review.confirm(session, actor, entry_id, body.candidate - 1),
    )


def correct(
    entry_id: EntryId, body: CorrectIn, actor: StaffActor, request: Request
) -> ReviewEntryOut:
    allocations = [(a.case_id, Decimal(a.amount)) for a in body.allocations]
    return _decided(
        request,
        actor,
        entry_id,
        lambda session: bank_review.correct(session, actor, entry_id, allocations),
    )


def not_ours(
    entry_id: EntryId, body: NotOursIn, actor: StaffActor, request: Request
) -> ReviewEntryOut:
    return _decided(
        request,
        actor,
        entry_id,
        lambda session: bank_review.mark_not_ours(session, actor, entry_id, body.note),
    )


# ---------------------------------------------------------------------- registration


def install(app: FastAPI) -> None:
    staff = responses(401, 403, 422)
    app.add_api_route(
        PREFIX + "/statements",
        import_statement,
        methods=["POST"],
        response_model=ImportOut,
        summary="Kontoauszug (CAMT.053/.054, MT940) einlesen und buchen – ganz oder gar nicht, "
        "jeder Umsatz nur einmal",
        tags=["bank"],
        responses={**staff, **responses(400, 409, 413)},
    )
    app.add_api_route(
        PREFIX + "/reviews",
        list_reviews,
        methods=["GET"],
        response_model=ReviewList,
        summary="Offene Klärungsfälle mit den Vorschlägen des Abgleichs",
        tags=["bank"],
        responses=staff,
    )
    for suffix, handler, summary in (
        ("confirm", confirm, "Vorschlag des Abgleichs bestätigen und buchen"),
        ("correct", correct, "Umsatz auf die angegebenen Fälle buchen (Korrektur, wird gelernt)"),
        ("not-ours", not_ours, "Umsatz als „nicht unser“ markieren"),
    ):
        app.add_api_route(
            PREFIX + "/reviews/{entry_id}/" + suffix,
            handler,
            methods=["POST"],
            response_model=ReviewEntryOut,
            summary=summary,
            tags=["bank"],
            responses={**staff, **responses(400, 404)},
        )
