"""Fixtures of the banking store tests: a runtime on the test database (SQLite and
PostgreSQL), creditors and cases, and statement files written with the generator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from mahnwerk.banking.generator import to_camt053
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, Actor
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case

AGENT = Actor(kind="user", id="7", role="agent", origin="test")
DAY = date(2026, 3, 2)


@dataclass
class Bank:
    runtime: Runtime
    tmp: Path
    creditors: dict[str, int] = field(default_factory=dict)
    _files: int = 0

    @property
    def sessions(self) -> Any:
        return self.runtime.sessions

    def creditor(self, name: str = "Stadtwerke Nord GmbH", **settings: Any) -> int:
        if name in self.creditors:
            return self.creditors[name]
        with transaction(self.sessions) as s:
            c = accounts.add_creditor(s, CLI, name)
            c.iban = settings.pop("iban", "DE75512108001245126199")
            c.settings = settings
            self.creditors[name] = c.id
            return c.id

    def case(
        self,
        ref: str,
        amount: str = "100.00",
        *,
        first: str = "Jürgen",
        last: str = "Müller",
        iban: str | None = None,
        creditor: str = "Stadtwerke Nord GmbH",
        invoice: str | None = None,
        costs: tuple[tuple[date, str, D], ...] = (),
        interest: str = "none",
        birth: date = date(1980, 5, 17),
        default_from: date = date(2026, 1, 16),
        invoices: tuple[tuple[str, str], ...] = (),
    ) -> tuple[int, str]:
        """A case (interest ``none`` unless given, so the balance is the amount); with
        ``invoices`` ``((number, amount), …)`` one claim per invoice instead."""
        creditor_id = self.creditor(creditor)
        with transaction(self.sessions) as s:
            debtor = cases.DebtorInput(
                kind="natural", consumer=True, first_name=first, last_name=last,
                birth_date=birth, street="Hauptstraße 5", postcode="80331", city="München",
                iban=iban,
            )  # fmt: skip
            claims = tuple(
                cases.ClaimInput(
                    invoice_no=number, amount=D(value), default_from=default_from,
                    interest_kind=interest,
                )
                for number, value in (invoices or ((invoice or f"R-{ref}", amount),))
            )  # fmt: skip
            case = cases.create_case(
                s, CLI, creditor_id, cases.CaseInput(ref, debtor, claims, costs=costs)
            )
            return case.id, case.reference

    def write(self, entries: list[BankEntry], version: str = "08", name: str = "") -> Path:
        self._files += 1
        path = self.tmp / (name or f"auszug-{self._files}.xml")
        path.write_bytes(to_camt053(entries, version=version, statement_id=f"STMT-{self._files}"))
        return path

    def statement(self, case_id: int, as_of: date = DAY) -> Any:
        with self.sessions() as s:
            case = s.get(Case, case_id)
            s.refresh(case)
            return cases.statement(case, as_of)


def make_credit(
    amount: str,
    remittance: str,
    *,
    name: str = "Jürgen Müller",
    iban: str = "",
    ref: str = "",
    day: date = DAY,
    **kw: Any,
) -> BankEntry:
    return BankEntry(
        amount=D(amount),
        sign=Sign.CREDIT,
        booking_date=day,
        value_date=day,
        counterparty_name=name,
        counterparty_iban=iban,
        remittance=remittance,
        bank_reference=ref,
        bank_transaction_code="PMNT/RCDT/ESCT",
        **kw,
    )


@pytest.fixture
def runtime(db_url: str, engine: Any, sessions: Any, tmp_path: Path) -> Runtime:
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="test")
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def bank(runtime: Runtime, tmp_path: Path) -> Bank:
    return Bank(runtime, tmp_path)


@pytest.fixture
def credit() -> Any:
    """``credit(amount, remittance, name=…, iban=…, ref=…)``: a credit entry."""
    return make_credit


@pytest.fixture
def agent() -> Actor:
    return AGENT
