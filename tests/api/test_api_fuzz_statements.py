"""Fuzzing the statement upload through the API (hypothesis, bounded): damaged CAMT and MT940
files and random bytes get a problem response (422) or are imported, never a 5xx."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahnwerk.banking.generator import to_camt053, to_mt940
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction

EXAMPLES = int(os.environ.get("MAHNWERK_FUZZ_EXAMPLES") or 0)
ENTRY = BankEntry(
    amount=Decimal("120.00"), sign=Sign.CREDIT, booking_date=date(2026, 3, 2),
    value_date=date(2026, 3, 2), counterparty_name="Jürgen Müller",
    remittance="Az. MW-00000001-95", bank_reference="B1", bank_transaction_code="PMNT/RCDT/ESCT",
)  # fmt: skip
SEEDS = [to_camt053([ENTRY], statement_id="S-1"), to_mt940([ENTRY]).encode()]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.sampled_from(["flip", "insert", "cut"]))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at:]
    return bytes(data)


@pytest.fixture
def staff(sessions) -> dict[str, str]:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "kasse@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(
            s, CLI, "kasse@inkasso.example", "Abruf", scopes=("bank",)
        ).key
    return {"Authorization": f"Bearer {key}"}


@settings(
    max_examples=EXAMPLES or 25,
    deadline=None,
    derandomize=not EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.one_of(damaged(), st.binary(max_size=200)))
def test_no_upload_of_a_statement_gives_a_server_error(client, staff, data):
    response = client.post(
        "/api/v1/bank/statements",
        files={"file": ("auszug.xml", data, "application/octet-stream")},
        headers=staff,
    )
    assert response.status_code in (200, 422), response.text
