"""Staff API keys carry scopes (issue 20): a key acts with its user's role and only within its
scopes; a route whose scope the key lacks answers 403 before anything is read or changed.

The walk covers every route of the app (the table of :mod:`test_api_tenancy`), so a route
added later is checked too.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from api_support import assert_problem
from fastapi.routing import APIRoute
from test_api_tenancy import ROUTES, seed_creditor_a

from mahnwerk.api.auth import required_scope
from mahnwerk.cli import main
from mahnwerk.services.actor import API_SCOPES, CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import make_engine, transaction
from mahnwerk.store.migrate import upgrade
from mahnwerk.store.models import ApiKey, AuditEntry, User

EMAIL = "kasse@inkasso.example"


def staff_key(sessions, scopes) -> dict[str, str]:
    with transaction(sessions) as s:
        if s.scalar(sa.select(User.id).where(User.email == EMAIL)) is None:
            accounts.add_user(s, CLI, EMAIL, "sehr-geheim-123", "admin")
        key = accounts.create_staff_api_key(s, CLI, EMAIL, "Abruf", scopes=scopes).key
    return {"Authorization": f"Bearer {key}"}


def walk(client, app, headers, ids):
    """(method, path) → the response of every route, called with ``headers``."""
    answers = {}
    for route in (r for r in app.routes if isinstance(r, APIRoute)):
        for method in route.methods:
            body, _ = ROUTES[(method, route.path)]
            answers[(method, route.path)] = client.request(
                method, route.path.format(**ids), json=body, headers=headers
            )
    return answers


def test_a_staff_key_without_scopes_gets_403_on_every_route(client, app, tenants, sessions):
    ids, _ = seed_creditor_a(client, tenants.a, sessions)
    headers = staff_key(sessions, ())
    answers = walk(client, app, headers, ids)
    assert set(answers) == set(ROUTES)
    for (method, path), response in answers.items():
        problem = assert_problem(response, 403)
        assert problem["type"].endswith("forbidden"), (method, path)
        assert required_scope(method, path) in problem["detail"]
    with transaction(sessions) as s:  # nothing was handed over by the refused POST
        assert s.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 3


@pytest.mark.parametrize("scope", API_SCOPES)
def test_a_key_with_one_scope_passes_exactly_the_routes_of_that_scope(
    client, app, tenants, sessions, scope
):
    ids, _ = seed_creditor_a(client, tenants.a, sessions)
    answers = walk(client, app, staff_key(sessions, (scope,)), ids)
    for (method, path), response in answers.items():
        refused = response.status_code == 403 and response.json()["type"].endswith("forbidden")
        assert refused == (required_scope(method, path) != scope), (method, path, response.text)


def test_the_scopes_of_the_routes():
    assert required_scope("GET", "/api/v1/cases") == "read"
    assert required_scope("POST", "/api/v1/cases/{case_id}/payments") == "cases"
    assert required_scope("POST", "/api/v1/cases/{case_id}/recall") == "cases"
    assert required_scope("POST", "/api/v1/court/replies") == "cases"
    assert required_scope("GET", "/api/v1/insolvency/review") == "read"
    assert required_scope("POST", "/api/v1/bank/reviews/{entry_id}/confirm") == "bank"
    assert required_scope("POST", "/api/v1/webhooks") == "admin"


def test_a_scope_never_gives_more_than_the_role(client, sessions):
    """An agent's key with every scope still may not do what an agent may not."""
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(s, CLI, "agent@inkasso.example", scopes=API_SCOPES)
    with transaction(sessions) as s:
        actor = accounts.actor_for_key(s, key.key, None)
    assert actor is not None and actor.role == "agent"
    assert actor.scopes == frozenset(API_SCOPES)


def test_unknown_scopes_are_refused_and_creditor_keys_have_none(sessions):
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, EMAIL, "sehr-geheim-123", "admin")
        with pytest.raises(accounts.AccountError, match="unbekannte Berechtigung alles"):
            accounts.create_staff_api_key(s, CLI, EMAIL, scopes=("bank", "alles"))
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        row = accounts.create_api_key(s, CLI, creditor.id).record
        assert row.scopes == ""
        staff = accounts.create_staff_api_key(s, CLI, EMAIL, scopes=("bank", "read")).record
        assert staff.scopes == "read,bank"
    with transaction(sessions) as s:
        entry = s.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "api_key").order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.details["scopes"] == ["read", "bank"]


def test_the_command_asks_for_scopes_and_lists_them(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "test-secret")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("sehr-geheim-123\n"))
    assert main(["user", "add", "b@inkasso.example", "--role", "agent", "--password-stdin"]) == 0
    capsys.readouterr()
    assert main(["apikey", "create", "--user", "b@inkasso.example"]) == 2
    assert "--scope read|cases|bank|admin" in capsys.readouterr().err
    assert main(["apikey", "create", "--user", "b@inkasso.example", "--scope", "lesen"]) == 2
    assert "unbekannte Berechtigung lesen" in capsys.readouterr().err
    code = main(
        ["apikey", "create", "--user", "b@inkasso.example", "--scope", "bank", "--scope", "read"]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and out.strip().startswith("mwk_")
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Berechtigungen" in listed and "read bank" in listed


def test_the_migration_keeps_what_existing_staff_keys_could_do(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0020", secret_key="k")
    with engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO app_user (email, password_hash, role, active, created_at) "
                "VALUES ('k@x.example', 'h', 'agent', 1, '2025-01-01')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO creditor (name, status, settings, created_at) "
                "VALUES ('Alt', 'active', '{}', '2025-01-01')"
            )
        )
        for owner, n in (("user_id", 1), ("creditor_id", 2)):
            c.execute(
                sa.text(
                    f"INSERT INTO api_key ({owner}, prefix, key_hash, name, created_at) "
                    f"VALUES (1, 'p{n}', 'h{n}', '', '2025-01-01')"
                )
            )
    upgrade(engine, secret_key="k")
    with engine.connect() as c:
        rows = dict(c.execute(sa.text("SELECT prefix, scopes FROM api_key")).all())
    assert rows == {"p1": "read,cases,bank,admin", "p2": ""}
    engine.dispose()
