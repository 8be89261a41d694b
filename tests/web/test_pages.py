"""The pages through the one ASGI app (in-process): landing, login, language, error pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction


@pytest.fixture
def client(db_url, engine, sessions, tmp_path):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="test-secret")
    app = create_asgi_app(Runtime(settings=settings, engine=engine, sessions=sessions))
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_landing_page_is_german_first_and_english_on_request(client):
    page = client.get("/")
    assert page.status_code == 200 and 'lang="de"' in page.text
    assert "Schuldnerportal" in page.text and 'href="#main"' in page.text
    english = client.get("/?lang=en")
    assert 'lang="en"' in english.text and "Debtor portal" in english.text
    assert 'lang="en"' in client.get("/").text  # remembered in a cookie


def test_login_with_csrf_and_wrong_password_and_limit(client, sessions):
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@example.org", "richtig-langes-passwort", "agent")
    form = client.get("/login")
    token = csrf_of(form.text)
    bad = client.post(
        "/login", data={"email": "agent@example.org", "password": "falsch-falsch", "csrf": token}
    )
    assert bad.status_code == 401 and "stimmen nicht" in bad.text
    no_csrf = client.post(
        "/login", data={"email": "agent@example.org", "password": "richtig-langes-passwort"}
    )
    assert no_csrf.status_code == 400
    ok = client.post(
        "/login",
        data={"email": "agent@example.org", "password": "richtig-langes-passwort", "csrf": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/work"


def test_login_locks_after_five_failures(client, sessions):
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post(
            "/login", data={"email": "x@example.org", "password": "nope-nope-no", "csrf": token}
        )
    locked = client.post(
        "/login", data={"email": "x@example.org", "password": "nope-nope-no", "csrf": token}
    )
    assert locked.status_code == 429


def test_unknown_page_is_html_but_unknown_api_path_is_problem_json(client):
    page = client.get("/gibt-es-nicht")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    api = client.get("/api/v1/gibt-es-nicht")
    assert api.status_code == 404 and api.headers["content-type"].startswith(
        "application/problem+json"
    )
