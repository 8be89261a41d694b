"""Roles and their pages in-process on SQLite and PostgreSQL: each role lands on its own
start page and gets 404 on the others' pages; the administrator sets up a creditor (address,
payment account) on its page, with errors on the fields; the team lead's page shows the
queue with counts and decides; compliance sees a case's audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.web.test_workspace import (  # noqa: F401  (fixtures)
    PASSWORD,
    client,
    csrf_of,
    login,
    runtime,
    world,
)

from mahnwerk.services.actor import CLI, START_PAGES
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import AuditEntry, Creditor
from mahnwerk.store.workflow import Approval

ROLE_PAGES = {"teamlead": "/lead", "compliance": "/compliance", "admin": "/admin"}
IBAN = "DE89370400440532013000"


@pytest.fixture
def people(world, sessions):  # noqa: F811
    with transaction(sessions) as s:
        for role in ("teamlead", "compliance", "admin"):
            accounts.add_user(s, CLI, f"{role}@example.org", PASSWORD, role)
    return {
        "agent": "agent@example.org",
        "teamlead": "teamlead@example.org",
        "compliance": "compliance@example.org",
        "admin": "admin@example.org",
        "creditor": "a@example.org",
    }


def sign_in(client, email: str):  # noqa: F811
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )


@pytest.mark.parametrize("role", ["agent", "teamlead", "compliance", "admin", "creditor"])
def test_each_role_lands_on_its_page_and_is_refused_elsewhere(client, people, role):  # noqa: F811
    answer = sign_in(client, people[role])
    assert answer.status_code == 303 and answer.headers["location"] == START_PAGES[role]
    assert client.get(START_PAGES[role]).status_code == 200
    for other, path in ROLE_PAGES.items():
        status = client.get(path, follow_redirects=False).status_code
        assert status == (200 if other == role else 404), (role, path, status)
    staff = role != "creditor"
    assert client.get("/work", follow_redirects=False).status_code == (200 if staff else 404)
    assert client.get("/portfolio", follow_redirects=False).status_code == (404 if staff else 200)
    if role != "admin":
        assert client.get("/admin/creditors/new").status_code == 404
        assert client.get("/admin/users").status_code == 404
    if role != "compliance":
        assert client.get("/compliance/trail", params={"case": "A-1"}).status_code == 404


def test_a_visitor_is_sent_to_the_sign_in_page(client):  # noqa: F811
    for path in ROLE_PAGES.values():
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_administrator_sets_up_a_creditor_with_errors_on_the_fields(
    client,  # noqa: F811
    people,
    sessions,
):
    sign_in(client, people["admin"])
    token = csrf_of(client.get("/admin/creditors/new").text)
    form = {
        "csrf": token,
        "name": "Bäckerei Korn GmbH",
        "address": "Mühlenweg 3 21335 Lüneburg",  # no comma: not an address a letter can use
        "payment": "own",
        "iban": "DE00370400440532013000",  # wrong check digits
        "strategy": "standard",
    }
    wrong = client.post("/admin/creditors", data=form, follow_redirects=False)
    assert wrong.status_code == 422
    assert 'id="c-address-error"' in wrong.text and 'id="c-iban-error"' in wrong.text
    with sessions() as s:
        assert s.scalar(select(Creditor).where(Creditor.name == form["name"])) is None
    form.update(address="Mühlenweg 3, 21335 Lüneburg", iban=IBAN, holder="Bäckerei Korn GmbH")
    made = client.post("/admin/creditors", data=form, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "Mandant angelegt." in page.text and 'data-testid="creditor-complete"' in page.text
    with sessions() as s:
        creditor = s.scalar(select(Creditor).where(Creditor.name == form["name"]))
        settings = creditor.settings
        assert settings["address"] == "Mühlenweg 3, 21335 Lüneburg"
        assert settings["payment_account"]["iban"] == IBAN
        assert settings["payment_account"]["holder"] == "Bäckerei Korn GmbH"
        assert s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "creditor", AuditEntry.action == "create")
        ).all()


def test_the_team_lead_sees_counts_and_sends_back_with_a_reason(
    client,  # noqa: F811
    people,
    world,  # noqa: F811
    sessions,
):
    sign_in(client, people["teamlead"])
    page = client.get("/lead")
    assert page.status_code == 200
    assert f'data-testid="approval-{world.approval}"' in page.text
    assert "Letzte Mahnung ohne Zahlung" in page.text
    filtered = client.get("/lead", params={"stage": "write_off"})
    assert f'data-testid="approval-{world.approval}"' not in filtered.text
    token = csrf_of(page.text)
    answer = client.post(
        f"/work/approvals/{world.approval}/decide",
        data={
            "csrf": token,
            "case_id": world.case_a,
            "decision": "reject",
            "reason": "Anschrift erst prüfen",
            "back": "lead",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/lead")
    with sessions() as s:
        approval = s.get(Approval, world.approval)
        assert (approval.status, approval.decision_reason) == ("rejected", "Anschrift erst prüfen")
    assert f'data-testid="approval-{world.approval}"' not in client.get("/lead").text


def test_compliance_reads_the_audit_trail_of_a_case(client, people, world):  # noqa: F811
    sign_in(client, people["agent"])
    client.get(f"/work/cases/{world.case_a}")  # the agent reads the case
    client.post("/logout", data={"csrf": csrf_of(client.get("/login").text)})
    sign_in(client, people["compliance"])
    trail = client.get("/compliance/trail", params={"case": "A-1"})
    assert trail.status_code == 200
    assert "agent@example.org" in trail.text


def test_the_administrator_gives_a_staff_key_its_scopes(client, people, sessions):  # noqa: F811
    from mahnwerk.store.models import ApiKey, User

    sign_in(client, people["admin"])
    page = client.get("/admin/apikeys")
    assert page.status_code == 200 and 'name="scope" value="bank"' in page.text
    with transaction(sessions) as s:
        agent_id = s.scalar(select(User.id).where(User.email == people["agent"]))
    owner = f"user:{agent_id}"
    refused = client.post(
        "/admin/apikeys",
        data={"owner": owner, "name": "Abruf", "csrf": csrf_of(page.text)},
    )
    assert "mindestens eine Berechtigung" in refused.text
    with transaction(sessions) as s:
        assert s.scalars(select(ApiKey).where(ApiKey.user_id == agent_id)).all() == []
    made = client.post(
        "/admin/apikeys",
        data={
            "owner": owner,
            "name": "Abruf",
            "scope": ["bank", "read"],
            "csrf": csrf_of(page.text),
        },
    )
    assert made.status_code == 200 and "mwk_" in made.text
    assert "lesen, Kontoauszüge und Klärung" in made.text
    with transaction(sessions) as s:
        (key,) = s.scalars(select(ApiKey).where(ApiKey.user_id == agent_id)).all()
        assert key.scopes == "read,bank"
