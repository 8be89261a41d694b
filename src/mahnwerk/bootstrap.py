"""The one place where settings are read and engines, sessions and adapters are built.

Nothing is built at import time: commands and the web server call :func:`build` when they
start, and tests build their own with a database of their choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.config import Settings, load_settings
from mahnwerk.store.db import make_engine, session_factory
from mahnwerk.store.migrate import upgrade


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def build(settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
    """Settings from the environment (unless given), the engine, and the schema up to date."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return Runtime(settings=settings, engine=engine, sessions=session_factory(engine))
