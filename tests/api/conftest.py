"""Fixtures of the API tests: an app on a fresh database (SQLite and PostgreSQL) and two
creditors with an API key each."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_support import Tenant, Tenants
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.api import create_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction


@pytest.fixture
def runtime(
    db_url: str, engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> Runtime:
    # the webhook tests deliver to a receiver on loopback
    settings = Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret",
        webhook_allow_private=True,
    )
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def tenants(sessions: sessionmaker[Session]) -> Tenants:
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        b = accounts.add_creditor(s, CLI, "Versand Süd")
        key_a = accounts.create_api_key(s, CLI, a.id, "erp").key
        key_b = accounts.create_api_key(s, CLI, b.id, "erp").key
        return Tenants(Tenant(a.id, key_a), Tenant(b.id, key_b))
