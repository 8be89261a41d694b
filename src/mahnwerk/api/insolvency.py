"""Staff routes of insolvency notices: upload a notice file, list and decide the review list.

Only staff API keys (``mahnwerk apikey create --user EMAIL``) may call them (a creditor's key
gets a 403 problem, as for the bank routes). Each handler calls one use case of
:mod:`mahnwerk.services.enforcement.insolvency` in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import FastAPI, File, Path, Request, UploadFile
from pydantic import BaseModel, Field

from mahnwerk.api import schemas as s
from mahnwerk.api.auth import runtime, unit_of_work
from mahnwerk.api.bank import StaffActor
from mahnwerk.api.problems import ApiProblem, responses
from mahnwerk.enforcement.insolvency import NoticeFileError
from mahnwerk.services.enforcement import insolvency

PREFIX = "/api/v1/insolvency"
MAX_NOTICE_BYTES = 50 * 1024 * 1024
MatchId = Annotated[int, Path(ge=1, le=s.MAX_ID, description="Nummer des Treffers")]


class NoticeImportOut(BaseModel):
    filename: str
    notices: int
    new: int
    duplicates: int = Field(description="schon bekannte Bekanntmachungen: nichts doppelt")
    sure: int = Field(description="sichere Treffer (Name und Geburtsdatum), sofort wirksam")
    probable: int = Field(description="unsichere Treffer: warten auf eine Person")
    cases_stopped: int
    cases_closed: int


class ReviewMatchOut(BaseModel):
    id: int
    confidence: float
    reasons: list[str]
    notice_kind: str
    court: str
    file_number: str
    day: date
    notice_name: str
    debtor_id: int
    debtor_name: str
    case_references: list[str]


class ReviewMatchList(BaseModel):
    items: list[ReviewMatchOut]


class DecisionOut(BaseModel):
    id: int
    status: str
    cases_stopped: int = 0
    cases_closed: int = 0


def import_notices(
    actor: StaffActor,
    request: Request,
    file: Annotated[UploadFile, File(description="Insolvenzbekanntmachungen als CSV oder JSON")],
) -> NoticeImportOut:
    data = file.file.read(MAX_NOTICE_BYTES + 1)
    if len(data) > MAX_NOTICE_BYTES:
        raise ApiProblem(413, "too-large", "Datei zu groß", "höchstens 50 MB je Datei")
    filename = (file.filename or "bekanntmachungen")[:300]
    try:
        with unit_of_work(runtime(request)) as session:
            summary = insolvency.import_notices(session, actor, data, filename)
    except NoticeFileError as exc:
        raise ApiProblem(
            422,
            "notices-unreadable",
            "Bekanntmachungen nicht lesbar",
            f"{exc} – nichts wurde gespeichert",
            errors=[
                {
                    "location": "body",
                    "field": p.field,
                    "message": f"{p.where}: {p.message}",
                    "code": "notice_invalid",
                }
                for p in exc.problems
            ],
        ) from exc
    return NoticeImportOut(
        filename=summary.filename,
        notices=summary.notices,
        new=summary.new,
        duplicates=summary.duplicates,
        sure=summary.sure,
        probable=summary.probable,
        cases_stopped=summary.cases_stopped,
        cases_closed=summary.cases_closed,
    )


def list_review(actor: StaffActor, request: Request) -> ReviewMatchList:
    with unit_of_work(runtime(request)) as session:
        items = insolvency.review_list(session, actor)
        return ReviewMatchList(
            items=[
                ReviewMatchOut(
                    id=i.match.id,
                    confidence=i.match.confidence,
                    reasons=list(i.match.reasons),
                    notice_kind=i.notice.kind,
                    court=i.notice.court,
                    file_number=i.notice.file_number,
                    day=i.notice.day,
                    notice_name=" ".join(
                        p for p in (i.notice.first_name, i.notice.last_name, i.notice.company) if p
                    ),
                    debtor_id=i.debtor.id,
                    debtor_name=i.debtor.display_name,
                    case_references=[c.reference for c in i.cases],
                )
                for i in items
            ]
        )


def _decide(request: Request, actor: StaffActor, match_id: int, confirm: bool) -> DecisionOut:
    try:
        with unit_of_work(runtime(request)) as session:
            if confirm:
                stopped, closed = insolvency.confirm_match(session, actor, match_id)
                return DecisionOut(
                    id=match_id, status="confirmed", cases_stopped=stopped, cases_closed=closed
                )
            insolvency.reject_match(session, actor, match_id)
            return DecisionOut(id=match_id, status="rejected")
    except insolvency.InsolvencyError as exc:
        raise ApiProblem(422, "match-rejected", "Nicht entschieden", str(exc)) from exc


def confirm(match_id: MatchId, actor: StaffActor, request: Request) -> DecisionOut:
    return _decide(request, actor, match_id, True)


def reject(match_id: MatchId, actor: StaffActor, request: Request) -> DecisionOut:
    return _decide(request, actor, match_id, False)


def install(app: FastAPI) -> None:
    staff = responses(401, 403, 422)
    app.add_api_route(
        PREFIX + "/notices",
        import_notices,
        methods=["POST"],
        response_model=NoticeImportOut,
        summary="Insolvenzbekanntmachungen einlesen und mit allen Schuldnern abgleichen – ganz "
        "oder gar nicht, jede Bekanntmachung nur einmal",
        tags=["insolvency"],
        responses={**staff, **responses(400, 413)},
    )
    app.add_api_route(
        PREFIX + "/review",
        list_review,
        methods=["GET"],
        response_model=ReviewMatchList,
        summary="Unsichere Treffer, die auf eine Person warten",
        tags=["insolvency"],
        responses=staff,
    )
    for suffix, handler, summary in (
        ("confirm", confirm, "Treffer bestätigen: die Bekanntmachung wirkt auf die Fälle"),
        ("reject", reject, "Treffer verwerfen: nicht dieser Schuldner"),
    ):
        app.add_api_route(
            PREFIX + "/review/{match_id}/" + suffix,
            handler,
            methods=["POST"],
            response_model=DecisionOut,
            summary=summary,
            tags=["insolvency"],
            responses={**staff, **responses(400, 404)},
        )
