"""Fixtures of the court tests: a runtime on the test database (SQLite and PostgreSQL) with
the EDA settings; helpers live in ``court_support``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from court_support import KENNZIFFER

from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.config import Settings


class Renderer:
    def render(self, data: Mapping[str, Any]) -> bytes:
        return b"%PDF-1.7\n" + json.dumps(data, sort_keys=True).encode() + b"\n%%EOF\n"


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        eda_kennziffer=KENNZIFFER,
        eda_outbox=tmp_path / "var" / "eda" / "out",
        eda_inbox=tmp_path / "var" / "eda" / "in",
    )


@pytest.fixture
def runtime(settings, engine, sessions) -> Runtime:
    return Runtime(settings, engine, sessions, Channels(letters=Renderer()))
