"""The compliance page of the data export (Art. 15 GDPR): compliance and admins download the
ZIP (audited, not cached); an agent or a creditor user gets 404; CSRF is required."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import AuditEntry

PASSWORD = "ein-langes-passwort"


@pytest.fixture
def client(db_url, engine, sessions, tmp_path):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="test-secret")
    runtime = Runtime(settings=settings, engine=engine, sessions=sessions)
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        for email, role in (("c@x.example", "compliance"), ("a@x.example", "agent")):
            accounts.add_user(s, CLI, email, PASSWORD, role)
        accounts.add_user(s, CLI, "k@x.example", PASSWORD, "creditor", creditor_id=creditor.id)
        debtor = cases.DebtorInput(
            kind="natural", consumer=True, first_name="Eva", last_name="Roth"
        )
        claim = cases.ClaimInput(invoice_no="R-1", amount=D("80.00"), default_from=date(2025, 1, 1))
        case = cases.create_case(s, CLI, creditor.id, cases.CaseInput("K-1", debtor, (claim,)))
        client_reference = case.reference
    with TestClient(create_asgi_app(runtime)) as c:
        c.reference = client_reference  # type: ignore[attr-defined]
        yield c


def _login(client, email: str) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/work/privacy").text).group(1)


def test_compliance_downloads_the_export(client, sessions):
    token = _login(client, "c@x.example")
    r = client.post("/work/privacy/export", data={"csrf": token, "subject": client.reference})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert "no-store" in r.headers["cache-control"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        data = json.loads(z.read("daten.json"))
        assert z.read("uebersicht.pdf").startswith(b"%PDF")
    assert data["tabellen"]["debtor"][0]["last_name"] == "Roth"
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.actor.startswith("user:")


def test_unknown_subject_and_missing_csrf(client):
    token = _login(client, "c@x.example")
    r = client.post("/work/privacy/export", data={"csrf": token, "subject": "person:99999"})
    assert r.status_code == 404 and "Keine Person" in r.text
    r = client.post("/work/privacy/export", data={"csrf": "falsch", "subject": client.reference})
    assert r.status_code == 400


@pytest.mark.parametrize("email", ["a@x.example", "k@x.example"])
def test_agents_and_creditors_do_not_see_the_page(client, email):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token})
    assert client.get("/work/privacy").status_code == 404
    r = client.post("/work/privacy/export", data={"csrf": token, "subject": client.reference})
    assert r.status_code == 404


def test_a_visitor_is_sent_to_login(client):
    r = client.get("/work/privacy", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
