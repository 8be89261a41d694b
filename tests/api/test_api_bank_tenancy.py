"""Issue 20, first High finding: payments must not cross tenants in bank matching.

Creditor A creates a case through the API with creditor B's invoice number, debtor name,
open amount and the debtor's IBAN; B's debtor then pays B's invoice. Before the fix the
payment was booked automatically to A's copy (A's typed-in IBAN counted as the debtor's
account), and without the IBAN A's copy still ranked above B's real case in the review
queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from api_support import case_body
from sqlalchemy import select

from mahnwerk.banking.generator import to_camt053
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.banking_store import BankEntry as StoredEntry
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor, Payment

DAY = date(2026, 3, 2)
DEBTOR_IBAN = "DE89370400440532013000"  # B's debtor's account
B_OWN_ACCOUNT = "DE75512108001245126199"  # B's own collection account


@pytest.fixture
def staff(sessions) -> dict[str, str]:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "kasse@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(
            s, CLI, "kasse@inkasso.example", "Abruf", scopes=("bank",)
        ).key
    return {"Authorization": f"Bearer {key}"}


def _case(client, tenant, ref: str, *, interest: dict, iban: str | None, birth: str) -> dict:
    body = case_body(ref)
    claim = body["claims"][0]
    claim.update(invoice_no="R-7788", amount="250.00", default_from="2025-02-15")
    claim["interest"] = interest
    body["debtor"]["birth_date"] = birth
    if iban is None:
        body["debtor"].pop("iban")
    else:
        body["debtor"]["iban"] = iban
    response = client.post("/api/v1/cases", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _setup(client, tenants, *, copy_iban: bool) -> tuple[dict, dict]:
    """B's real case (statutory interest, B does not know the IBAN), then A's copy: the same
    invoice number, name and amount (no interest, so its balance is what the debtor pays)."""
    real = _case(
        client, tenants.b, "B-1", interest={"kind": "statutory"}, iban=None, birth="1980-05-17"
    )
    copy = _case(
        client, tenants.a, "A-1", interest={"kind": "none"},
        iban=DEBTOR_IBAN if copy_iban else None, birth="1979-01-01",
    )  # fmt: skip
    return real, copy


def _pay(client, staff, remittance: str, *, account: str | None = None, ref: str = "P1"):
    entry = BankEntry(
        amount=D("250.00"),
        sign=Sign.CREDIT,
        booking_date=DAY,
        value_date=DAY,
        counterparty_name="Jürgen Müller",
        counterparty_iban=DEBTOR_IBAN,
        remittance=remittance,
        bank_reference=ref,
        bank_transaction_code="PMNT/RCDT/ESCT",
    )
    extra = {"account_iban": account} if account else {}
    data = to_camt053([entry], statement_id=ref, **extra)
    response = client.post(
        "/api/v1/bank/statements",
        files={"file": ("auszug.xml", data, "application/xml")},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _payments(sessions, case_id: int) -> list[D]:
    with sessions() as s:
        return [p.amount for p in s.scalars(select(Payment).where(Payment.case_id == case_id))]


def _entry(sessions) -> StoredEntry:
    with sessions() as s:
        row = s.scalars(select(StoredEntry).order_by(StoredEntry.id.desc())).first()
        assert row is not None
        return row


@pytest.mark.parametrize("copy_iban", [True, False], ids=["with-iban", "without-iban"])
def test_a_copy_by_another_creditor_never_captures_the_payment(
    client, tenants, staff, sessions, copy_iban
):
    real, copy = _setup(client, tenants, copy_iban=copy_iban)
    result = _pay(client, staff, "Rechnung R-7788")
    # never booked automatically, to neither case
    assert (result["booked"], result["review"]) == (0, 1)
    assert _payments(sessions, copy["id"]) == _payments(sessions, real["id"]) == []
    # review with both shown; the copy does not outrank the real case
    row = _entry(sessions)
    ranked = [c["allocations"][0]["case_id"] for c in row.candidates]
    assert ranked[:2] == [real["id"], copy["id"]], row.candidates
    first, second = row.candidates[:2]
    assert first["confidence"] >= second["confidence"]
    assert all("mehrerer Mandanten" in c["hold"] for c in (first, second))


def test_our_case_number_binds_the_payment_to_its_creditor(client, tenants, staff, sessions):
    real, copy = _setup(client, tenants, copy_iban=True)
    result = _pay(client, staff, f"Az. {real['reference']} Rechnung R-7788")
    assert result["booked"] == 1
    assert _payments(sessions, real["id"]) == [D("250.00")]
    assert _payments(sessions, copy["id"]) == []


def test_a_creditors_own_account_binds_the_payment_to_it(client, tenants, staff, sessions):
    with transaction(sessions) as s:
        creditor = s.get(Creditor, tenants.b.creditor_id)
        assert creditor is not None
        creditor.settings = {"payment_account": {"iban": B_OWN_ACCOUNT, "exclusive": True}}
    real, copy = _setup(client, tenants, copy_iban=True)
    result = _pay(client, staff, "Rechnung R-7788", account=B_OWN_ACCOUNT)
    assert result["booked"] == 1, _entry(sessions).candidates
    assert _payments(sessions, real["id"]) == [D("250.00")]
    assert _payments(sessions, copy["id"]) == []


def test_an_iban_a_creditor_typed_in_is_not_the_debtors_account(client, tenants, staff, sessions):
    """A's copy alone, with the debtor's IBAN typed in: a payment from that account without
    a reference is not booked to A (before the fix: IBAN, name and amount booked it)."""
    copy = _case(
        client, tenants.a, "A-1", interest={"kind": "none"}, iban=DEBTOR_IBAN, birth="1979-01-01"
    )
    result = _pay(client, staff, "Zahlung")
    assert result["booked"] == 0
    assert _payments(sessions, copy["id"]) == []
