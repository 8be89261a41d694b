"""Helpers of the store-backed ML tests: a runtime on the test database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.config import load_settings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction


def runtime_for(engine: Engine, sessions: sessionmaker[Session], var: Path) -> Runtime:
    settings = load_settings(
        {
            "MAHNWERK_VAR_DIR": str(var),
            "MAHNWERK_DATABASE_URL": str(engine.url),
            "MAHNWERK_SECRET_KEY": "test",
        }
    )
    return Runtime(settings=settings, engine=engine, sessions=sessions, channels=Channels())


def creditors(runtime: Runtime, n: int = 3) -> list[int]:
    with transaction(runtime.sessions) as s:
        return [accounts.add_creditor(s, CLI, f"Gläubiger {i}").id for i in range(n)]
