"""The slower of two concurrent imports of one statement gets 409 with a clear problem, not a
500 (the race itself is reproduced in tests/banking/test_concurrent_import.py)."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import assert_problem
from sqlalchemy.exc import IntegrityError

from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.banking import statements
from mahnwerk.store.db import transaction

CAMT = b"""<?xml version="1.0"?><Document/>"""


@pytest.fixture
def staff(sessions) -> dict[str, str]:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "kasse@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(s, CLI, "kasse@inkasso.example", "Abruf").key
    return {"Authorization": f"Bearer {key}"}


def test_the_loser_of_a_concurrent_import_gets_409(client, staff, monkeypatch):
    def lose(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError(
            "INSERT INTO bank_entry", {}, Exception('unique constraint "bank_entry_key"')
        )

    monkeypatch.setattr(statements, "parse_statement_file", lambda data, source=None: [])
    monkeypatch.setattr(statements, "_import", lose)
    response = client.post(
        "/api/v1/bank/statements",
        files={"file": ("auszug.xml", CAMT, "application/xml")},
        headers=staff,
    )
    body = assert_problem(response, 409)
    assert body["type"].endswith("statement-already-imported")
    assert "schon importiert – nichts wurde gebucht" in body["detail"]


def test_an_unrelated_database_error_is_not_disguised(client, staff, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("INSERT INTO audit_entry", {}, Exception("NOT NULL failed: x.y"))

    monkeypatch.setattr(statements, "parse_statement_file", lambda data, source=None: [])
    monkeypatch.setattr(statements, "_import", broken)
    with pytest.raises(IntegrityError):
        client.post(
            "/api/v1/bank/statements",
            files={"file": ("auszug.xml", CAMT, "application/xml")},
            headers=staff,
        )
