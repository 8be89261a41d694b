"""The FastAPI application factory. Nothing is built at import time.

``create_app(runtime)`` gives the app for a runtime (engine and sessions) built by
:func:`mahnwerk.bootstrap.build` or by a test. ``webhook_interval`` (seconds) switches on the
background loop that delivers webhooks; tests leave it off and call
:func:`mahnwerk.services.admin.webhooks.deliver_due` themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from mahnwerk import __version__
from mahnwerk.api import bank, court, insolvency, problems, routes
from mahnwerk.api.auth import single_query_values
from mahnwerk.api.limits import BodyLimits
from mahnwerk.bootstrap import Runtime
from mahnwerk.services.admin import webhooks

log = logging.getLogger(__name__)

OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/v1/docs"

DESCRIPTION = """\
Die Schnittstelle für Gläubiger (Mandanten) von mahnwerk: Fälle übergeben, Fälle und
Forderungsaufstellungen lesen, Direktzahlungen melden, Fälle zurückrufen, Webhooks verwalten.
Für Mitarbeiter der Inkassostelle (Schlüssel mit `mahnwerk apikey create --user E-MAIL`):
Kontoauszüge einlesen und Klärungsfälle des Zahlungsabgleichs entscheiden (`/api/v1/bank/…`),
Nachrichten des Mahngerichts einlesen (`/api/v1/court/replies`).
Insolvenzbekanntmachungen einlesen und unsichere Treffer entscheiden (`/api/v1/insolvency/…`).

Anmeldung mit `Authorization: Bearer <API-Schlüssel>`. Fehler kommen als
`application/problem+json` (RFC 9457) mit `type`, `title`, `status`, `detail`, `instance`
und bei Eingabefehlern `errors` (ein Eintrag je Feld). Beträge sind Text mit zwei
Nachkommastellen (`"1250.00"`).

Webhooks tragen `Mahnwerk-Signature: t=<Unix-Sekunden>,v1=<hex>`: HMAC-SHA256 mit dem
Webhook-Geheimnis über `<t>.<Rohtext des Bodys>`.
"""


def create_app(runtime: Runtime, *, webhook_interval: float | None = None) -> FastAPI:
    """The API app for ``runtime``; with ``webhook_interval`` it also delivers webhooks."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if webhook_interval:
            task = asyncio.create_task(_deliver_forever(runtime, webhook_interval))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="mahnwerk API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=DOCS_URL,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
        dependencies=[Depends(single_query_values)],
    )
    app.state.runtime = runtime
    app.add_middleware(BodyLimits, settings=runtime.settings, sessions=runtime.sessions)
    problems.install(app)
    routes.install(app)
    bank.install(app)
    court.install(app)
    insolvency.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _problem_media_types(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _problem_media_types(document: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as application/problem+json, as they are sent."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[problems.MEDIA_TYPE] = content.pop("application/json")
    return document


async def _deliver_forever(runtime: Runtime, interval: float) -> None:
    """Deliver due webhooks every ``interval`` seconds until cancelled."""
    with httpx.Client(follow_redirects=False) as client:
        while True:
            try:
                report = await asyncio.to_thread(webhooks.deliver_due, runtime, None, client)
                if report.attempted:
                    log.info(
                        "webhooks: %d zugestellt, %d später erneut, %d aufgegeben",
                        report.delivered,
                        report.retried,
                        report.failed,
                    )
            except Exception:  # keep the loop alive; the next pass tries again
                log.exception("webhook delivery pass failed")
            await asyncio.sleep(interval)
