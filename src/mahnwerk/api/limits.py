"""Request size limits, applied before a body is read (ASGI middleware of the whole app).

Each request's body is limited by its route (settings, see :mod:`mahnwerk.config`): bank
statements (``MAHNWERK_LIMIT_BANK_STATEMENT``), other API bodies
(``MAHNWERK_LIMIT_API_JSON``), a debtor's evidence in the portal
(``MAHNWERK_LIMIT_PORTAL_EVIDENCE``) and every other page form (``MAHNWERK_LIMIT_FORM``).
A declared ``Content-Length`` above the limit is refused with 413 at once; a body without
one (chunked) is counted as it arrives and refused as soon as it passes the limit, so no
more than the limit is ever read or spooled.

An API request with a body is read only with a valid API key: without one it is answered
401 before a byte of the body is taken in.
"""

from __future__ import annotations

import json
from typing import Any

from anyio import to_thread

from mahnwerk.api.problems import TYPE_PREFIX
from mahnwerk.config import Settings
from mahnwerk.services.admin import accounts

API = "/api/"
BANK_STATEMENTS = "/api/v1/bank/statements"
PORTAL_EVIDENCE = "/portal/report"


def limit_for(path: str, settings: Settings) -> int:
    """The body limit of a route.

    >>> from pathlib import Path
    >>> s = Settings(database_url="sqlite://", var_dir=Path("var"), secret_key="k")
    >>> [limit_for(p, s) // 1024 for p in ("/api/v1/bank/statements", "/api/v1/cases",
    ...                                    "/portal/report", "/login")]
    [51200, 1024, 6144, 256]
    """
    if path.startswith(BANK_STATEMENTS):
        return settings.limit_bank_statement
    if path.startswith(API):
        return settings.limit_api_json
    if path.startswith(PORTAL_EVIDENCE):
        return settings.limit_portal_evidence
    return settings.limit_form


class BodyLimits:
    def __init__(self, app: Any, settings: Settings, sessions: Any = None) -> None:
        self.app = app
        self.settings = settings
        self.sessions = sessions

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = limit_for(path, self.settings)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        has_body = declared not in (None, b"0") or b"transfer-encoding" in headers
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, path, 413, _too_large(limit))
            return
        needs_key = has_body and path.startswith(API) and self.sessions is not None
        authorization = headers.get(b"authorization", b"")
        if needs_key and not await to_thread.run_sync(self._key_valid, authorization):
            await _refuse(send, path, 401, "Gültiger API-Schlüssel nötig (Bearer mwk_…)")
            return
        received = 0
        over = False  # the body passed the limit: whatever the app answers becomes a 413
        refused = False

        async def counted() -> Any:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # read no further; the app sees the client gone (parsers catch any
                    # exception raised here and would answer 400)
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Any) -> None:
            nonlocal refused
            if over:
                if not refused:
                    refused = True
                    await _refuse(send, path, 413, _too_large(limit))
                return
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not over:
                raise
        if over and not refused:
            await _refuse(send, path, 413, _too_large(limit))

    def _key_valid(self, authorization: bytes) -> bool:
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.startswith("mwk_") or len(token) > 200:
            return False
        with self.sessions() as session:
            return accounts.authenticate_api_key(session, token.strip()) is not None


def _too_large(limit: int) -> str:
    shown = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"
    return f"Die Anfrage ist zu groß (höchstens {shown})"


async def _refuse(send: Any, path: str, status: int, detail: str) -> None:
    if path.startswith(API):
        title = "Anfrage zu groß" if status == 413 else "Nicht angemeldet"
        kind = "too-large" if status == 413 else "unauthorized"
        body = json.dumps(
            {
                "type": TYPE_PREFIX + kind,
                "title": title,
                "status": status,
                "detail": detail,
                "instance": path,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        content_type = b"application/problem+json"
    else:
        body, content_type = detail.encode("utf-8"), b"text/plain; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="mahnwerk"'))
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
