"""The staff route of the court procedure: upload a file of the Mahngericht's messages
(``POST /api/v1/court/replies``), the same as ``mahnwerk court import FILE``.

Only staff API keys may call it (a creditor's key gets 403, like the bank routes). The file
is read whole or refused whole (422 with the record number and field); the same file twice
changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, File, Request, UploadFile
from pydantic import BaseModel, Field

from mahnwerk.api.auth import runtime, unit_of_work
from mahnwerk.api.bank import StaffActor
from mahnwerk.api.problems import ApiProblem, responses
from mahnwerk.court.reader import EdaReadError
from mahnwerk.services.actor import today_in_germany
from mahnwerk.services.court.replies import import_reply
from mahnwerk.services.court.tick import advance

PREFIX = "/api/v1/court"
#: A day's messages of a large agency are a few MB (128 bytes per record).
MAX_REPLY_BYTES = 50 * 1024 * 1024


class ReplyOut(BaseModel):
    filename: str
    already_imported: bool = Field(description="dieselbe Datei wurde schon eingelesen")
    applied: list[str] = Field(description="Nachrichten, die ein Verfahren fortgeschrieben haben")
    info: list[str] = Field(description="zur Kenntnis (Monierung, Quittung)")
    review: list[str] = Field(description="passen nicht zum Stand des Verfahrens: prüfen")
    unmatched: list[str] = Field(description="kein Verfahren zum Geschäftszeichen: prüfen")
    duplicates: int


def upload_reply(
    actor: StaffActor,
    request: Request,
    file: Annotated[UploadFile, File(description="Nachrichten des Mahngerichts (EDA, CP850)")],
) -> ReplyOut:
    data = file.file.read(MAX_REPLY_BYTES + 1)
    if len(data) > MAX_REPLY_BYTES:
        raise ApiProblem(413, "too-large", "Datei zu groß", "höchstens 50 MB")
    name = (file.filename or "nachrichten.EDA")[:300]
    day = today_in_germany()
    try:
        with unit_of_work(runtime(request)) as session:
            result = import_reply(session, actor, data, name, today=day)
    except EdaReadError as exc:
        raise ApiProblem(
            422,
            "eda-unreadable",
            "Datei des Mahngerichts nicht lesbar",
            f"{exc} – nichts wurde eingelesen",
            record=exc.record,
            field=exc.field,
        ) from exc
    with unit_of_work(runtime(request)) as session:
        advance(session, day)
    return ReplyOut(
        filename=result.filename,
        already_imported=result.already,
        applied=result.applied,
        info=result.info,
        review=result.review,
        unmatched=result.unmatched,
        duplicates=result.duplicates,
    )


def install(app: FastAPI) -> None:
    app.add_api_route(
        PREFIX + "/replies",
        upload_reply,
        methods=["POST"],
        response_model=ReplyOut,
        summary="Nachrichten des Mahngerichts einlesen (EDA: Kosten-, Zustellungs-, Widerspruchs-, "
        "Abgabenachricht, Monierung, Quittung) – ganz oder gar nicht, jede nur einmal",
        tags=["court"],
        responses={**responses(401, 403, 422), **responses(400, 413)},
    )
