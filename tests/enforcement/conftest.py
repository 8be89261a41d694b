"""Fixtures of the enforcement tests: settings on the test database and stored cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction

CREDITOR_SETTINGS = {
    "address": "Werkstraße 1, 10115 Berlin",
    "register": "Amtsgericht Charlottenburg HRB 12345",
    "payment_account": {"holder": "Inkasso Nord GmbH", "iban": "DE89370400440532013000"},
}


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_phone="040 1234567",
        agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
        agency_safe_id="DE.Justiz.ab12-cd34",
    )


@pytest.fixture
def runtime(settings, engine, sessions) -> Runtime:
    return Runtime(settings, engine, sessions)


@pytest.fixture
def creditor_id(sessions) -> int:
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Musterstadt GmbH")
        creditor.settings = dict(CREDITOR_SETTINGS)
        return creditor.id


@pytest.fixture
def store_case(sessions, creditor_id):
    """``store_case(ref, claims=[(no, amount, default_from), …], **debtor) -> case id``."""

    def make(ref: str, *, claims: Any = None, costs: Any = (), **debtor: Any) -> int:
        base: dict[str, Any] = dict(
            kind="natural",
            consumer=True,
            first_name="Hans",
            last_name="Meier",
            birth_date=date(1980, 5, 1),
            street="Lindenstraße 3",
            postcode="10115",
            city="Berlin",
        )
        base.update(debtor)
        items = claims or [(f"R-{ref}", "1000.00", date(2025, 1, 1))]
        data = cases.CaseInput(
            ref,
            cases.DebtorInput(**base),
            tuple(
                cases.ClaimInput(no, D(amount), day, label="Lieferung") for no, amount, day in items
            ),
            costs=tuple((day, label, D(amount)) for day, label, amount in costs),
        )
        with transaction(sessions) as s:
            return cases.create_case(s, CLI, creditor_id, data).id

    return make
