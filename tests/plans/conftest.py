"""Fixtures of the plan tests: a runtime with its own var directory, the one ASGI app, a
creditor with plan limits, a consumer's case, a debtor signed in to the portal and an agent
signed in to the workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case

SECRET = "test-secret"
PASSWORD = "ein-langes-passwort"
LIMITS = {"max_months": 12, "min_instalment": "25.00"}


@pytest.fixture
def runtime(db_url, engine, sessions, tmp_path):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key=SECRET)
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def client(runtime):
    with TestClient(create_asgi_app(runtime)) as c:
        yield c


@dataclass
class Setup:
    creditor_id: int
    case_id: int


def add_case(sessions, creditor_id: int, ref: str, amount: str = "1800.00") -> int:
    """A consumer's claim of ``amount`` (in default since yesterday, so hardly any interest)
    handed over today."""
    with transaction(sessions) as s:
        data = cases.CaseInput(
            ref,
            cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name="Jürgen",
                last_name="Ratenmann",
                birth_date=date(1980, 5, 17),
                street="Hauptstraße 5",
                postcode="80331",
                city="München",
            ),
            (
                cases.ClaimInput(
                    invoice_no=f"R-{ref}",
                    amount=D(amount),
                    default_from=today_in_germany(),
                    invoice_date=date(2026, 1, 15),
                    label="Küche, Ratenkauf",
                ),
            ),
        )
        case = cases.create_case(s, CLI, creditor_id, data)
        case.created_at = datetime.now(UTC)
        return case.id


@pytest.fixture
def setup(sessions) -> Setup:
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Möbelhaus Nord GmbH")
        creditor.settings = {"plan_limits": LIMITS}
        accounts.add_user(s, CLI, "agent@example.org", PASSWORD, "agent", None)
        creditor_id = creditor.id
    return Setup(creditor_id, add_case(sessions, creditor_id, "P-1"))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def portal_sign_in(client, sessions, case_id: int) -> str:
    with transaction(sessions) as s:
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, SECRET, case_id)
    token = csrf_of(client.get("/portal").text)
    answer = client.post(
        "/portal",
        data={"reference": reference, "code": code, "postcode": "80331", "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return csrf_of(client.get("/portal/case").text)


def staff_sign_in(client, email: str = "agent@example.org") -> str:
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return csrf_of(client.get("/login").text)
