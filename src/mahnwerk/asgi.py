"""The one ASGI app of mahnwerk: the REST API under ``/api/v1`` and the web pages.

Composed here, above both, so that neither the API nor the pages import each other.
"""

from __future__ import annotations

import gc
import logging

from fastapi import FastAPI

from mahnwerk.api import create_app
from mahnwerk.bootstrap import Runtime, build, warm_assistant
from mahnwerk.config import private_files
from mahnwerk.store.db import load_all_models
from mahnwerk.web.app import mount_web


def create_asgi_app(runtime: Runtime, *, webhook_interval: float | None = None) -> FastAPI:
    app = create_app(runtime, webhook_interval=webhook_interval)
    mount_web(app, runtime)
    quiet_access_log()
    return app


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, templates, models, reference tables) out of the
    garbage collector's full passes. Measured on the 5,000-case demo at 100 requests/s:
    without this, each full pass paused a worker for 110–150 ms and made the 99th
    percentile of the pages 200–300 ms; with it the passes take 13–23 ms."""
    gc.collect()
    gc.freeze()


def serving_app(runtime: Runtime, *, webhook_interval: float | None) -> FastAPI:
    """The application as ``mahnwerk serve`` runs it: every table loaded before requests are
    served in threads (see :func:`~mahnwerk.store.db.load_all_models`), the assistant's
    model warming up, the start-up heap frozen."""
    load_all_models()
    warm_assistant(runtime.settings)
    app = create_asgi_app(runtime, webhook_interval=webhook_interval)
    freeze_startup_heap()
    return app


def asgi_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``mahnwerk serve --workers N``)."""
    private_files()
    runtime = build()
    return serving_app(runtime, webhook_interval=runtime.settings.webhook_interval or None)


class NoQueryStrings(logging.Filter):
    """Uvicorn's access log without query strings: they can carry tokens (a registration
    link) or personal data (a search)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def quiet_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
