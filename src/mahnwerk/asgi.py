"""The one ASGI app of mahnwerk: the REST API under ``/api/v1`` and the web pages.

Composed here, above both, so that neither the API nor the pages import each other.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from mahnwerk.api import create_app
from mahnwerk.bootstrap import Runtime, build
from mahnwerk.web.app import mount_web


def create_asgi_app(runtime: Runtime, *, webhook_interval: float | None = None) -> FastAPI:
    app = create_app(runtime, webhook_interval=webhook_interval)
    mount_web(app, runtime)
    return app


def asgi_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``mahnwerk serve --workers N``)."""
    interval = float(os.environ.get("MAHNWERK_WEBHOOK_INTERVAL", "5") or 0)
    return create_asgi_app(build(), webhook_interval=interval or None)
