"""Errors as ``application/problem+json`` (RFC 9457), for every error the API can give.

Each problem has ``type`` (a URN naming the kind of problem), ``title`` (short, the same for
every problem of that type), ``status``, ``detail`` (what went wrong with this request and
what to do, German first, naming the fields) and ``instance`` (the request path). Validation
problems add ``errors``: one entry per field with where it was (``body``, ``query``, ``path``,
``header``), the field as a path such as ``claims[0].amount``, and the message.
"""

from __future__ import annotations

import http
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import inspect
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from mahnwerk.services.admin.accounts import AccountError
from mahnwerk.services.admin.webhooks import WebhookError
from mahnwerk.services.cases import CaseError, DuplicateCase

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:mahnwerk:problem:"


class FieldError(BaseModel):
    location: str = Field(description="body, query, path or header")
    field: str = Field(description="the field as a path, e.g. claims[0].amount")
    message: str
    code: str = Field(description="machine-readable error code (pydantic's error type)")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["urn:mahnwerk:problem:not-found"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str
    errors: list[FieldError] | None = Field(
        default=None, description="validation problems only: one entry per field"
    )
    existing_case_id: int | None = Field(
        default=None, description="duplicate case only: the id of the case that exists"
    )


class ApiProblem(Exception):
    """Raised by handlers and dependencies; rendered as a problem response."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def not_found(what: str) -> ApiProblem:
    return ApiProblem(
        404,
        "not-found",
        "Nicht gefunden",
        f"{what} gibt es nicht, oder dieser Zugang darf sie nicht sehen",
    )


def problem_response(
    request: Request,
    status: int,
    kind: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + kind if kind != "about:blank" else kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


# ------------------------------------------------------------------------ validation

_MESSAGES_DE = {
    "missing": "fehlt",
    "string_pattern_mismatch": "hat nicht die erwartete Form (Muster {pattern})",
    "string_too_short": "ist zu kurz (mindestens {min_length} Zeichen)",
    "string_too_long": "ist zu lang (höchstens {max_length} Zeichen)",
    "string_type": "muss Text sein",
    "int_parsing": "muss eine ganze Zahl sein",
    "int_type": "muss eine ganze Zahl sein",
    "bool_type": "muss true oder false sein",
    "bool_parsing": "muss true oder false sein",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "date_from_datetime_parsing": "ist kein Datum (JJJJ-MM-TT)",
    "date_parsing": "ist kein Datum (JJJJ-MM-TT)",
    "date_type": "ist kein Datum (JJJJ-MM-TT)",
    "literal_error": "muss einer dieser Werte sein: {expected}",
    "enum": "muss einer dieser Werte sein: {expected}",
    "extra_forbidden": "ist unbekannt (Tippfehler?)",
    "list_type": "muss eine Liste sein",
    "model_type": "muss ein JSON-Objekt sein",
    "dict_type": "muss ein JSON-Objekt sein",
    "too_short": "braucht mindestens {min_length} Einträge",
    "too_long": "darf höchstens {max_length} Einträge haben",
    "json_invalid": "ist kein gültiges JSON ({error})",
}


def _field_path(loc: tuple[Any, ...]) -> tuple[str, str]:
    location = str(loc[0]) if loc else "body"
    path = ""
    for part in loc[1:]:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return location, path or location


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    template = _MESSAGES_DE.get(kind)
    if kind == "value_error":
        # our own validators: the message is German already
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if template is None:
        return str(error.get("msg", "ungültig"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", "ungültig"))


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for error in exc.errors():
        location, field = _field_path(tuple(error.get("loc", ())))
        if error.get("type") == "json_invalid":
            location, field = "body", "body"
        out.append(
            {
                "location": location,
                "field": field,
                "message": _message(error),
                "code": str(error.get("type", "")),
            }
        )
    return out


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    if any(e["code"] == "json_invalid" for e in errors):
        bad = next(e for e in errors if e["code"] == "json_invalid")
        return problem_response(
            request,
            400,
            "malformed-json",
            "Ungültiges JSON",
            f"Der Anfragetext {bad['message']}; erwartet wird ein JSON-Objekt "
            "(Content-Type: application/json).",
            errors=errors,
        )
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    more = f" (und {len(errors) - 5} weitere)" if len(errors) > 5 else ""
    return problem_response(
        request,
        422,
        "validation-error",
        "Ungültige Eingabe",
        f"{len(errors)} Feld(er) beanstandet – {summary}{more}",
        errors=errors,
    )


# ------------------------------------------------------------------------- handlers

_HTTP_DETAIL_DE = {
    404: "Unter diesem Pfad gibt es nichts; die Schnittstelle beschreibt /api/v1/openapi.json",
    405: "Diese Methode ist hier nicht erlaubt",
}


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = http.HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    if detail == phrase and exc.status_code in _HTTP_DETAIL_DE:
        detail = _HTTP_DETAIL_DE[exc.status_code]
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        detail += f" (erlaubt: {headers['Allow']})"
    return problem_response(
        request, exc.status_code, "about:blank", phrase, detail, headers=headers or None
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route offers for this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL and isinstance(route, BaseRoute):
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _api_problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request, exc.status, exc.kind, exc.title, exc.detail, headers=exc.headers, **exc.extensions
    )


async def _duplicate_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DuplicateCase)
    # the transaction was rolled back, so the row is expired: its identity is still known
    identity = inspect(exc.case).identity
    case_id = int(identity[0]) if identity else None
    return problem_response(
        request,
        409,
        "duplicate-case",
        "Fall existiert schon",
        f"{exc} (id {case_id}); lesen mit GET /api/v1/cases/{case_id}",
        headers={"Location": f"/api/v1/cases/{case_id}"},
        existing_case_id=case_id,
    )


async def _rule_handler(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 422, "rule-violation", "Regel verletzt", str(exc))


async def _permission_handler(request: Request, exc: Exception) -> JSONResponse:
    # never tell a caller that something exists which it may not see
    problem = not_found("Die Ressource")
    return problem_response(request, 404, problem.kind, problem.title, problem.detail)


async def _server_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        500,
        "internal-error",
        "Interner Fehler",
        "Ein unerwarteter Fehler ist aufgetreten; er wurde protokolliert.",
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(ApiProblem, _api_problem_handler)
    app.add_exception_handler(DuplicateCase, _duplicate_handler)
    app.add_exception_handler(CaseError, _rule_handler)
    app.add_exception_handler(AccountError, _rule_handler)
    app.add_exception_handler(WebhookError, _rule_handler)
    app.add_exception_handler(PermissionError, _permission_handler)
    app.add_exception_handler(Exception, _server_error_handler)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an operation can give."""
    text = {
        400: "Anfrage nicht lesbar (kein gültiges JSON oder multipart/form-data)",
        401: "Nicht angemeldet: API-Schlüssel fehlt oder ist ungültig",
        403: (
            "Keine Berechtigung: nur mit dem Schlüssel eines Mitarbeiters, oder dem Schlüssel "
            "fehlt die Berechtigung (scope) der Route"
        ),
        404: "Nicht gefunden (oder nicht sichtbar für diesen Mandanten)",
        409: "Konflikt mit dem gespeicherten Stand",
        413: "Datei zu groß",
        422: "Ungültige Eingabe oder Regel verletzt",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": Problem, "description": text[status]}
        if status == 401:
            entry["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
            }
        out[status] = entry
    return out
