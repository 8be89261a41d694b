"""Issue 20, "Staff login limits", "Sessions" and "Request size before authentication":
limits kept in the database (they survive a restart and hold for every worker), the client's
address from X-Forwarded-For only behind a trusted proxy, server-side sessions that end at
logout, on a password or role change and after the idle and absolute timeouts, and bodies
refused by size (and, for the API, without a valid key) before they are read."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings, load_settings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts, signin
from mahnwerk.store.db import transaction
from mahnwerk.store.security import AuthFailure, WebSession

EMAIL = "agent@example.org"
PASSWORD = "richtig-langes-passwort"


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="test-secret")


@pytest.fixture
def runtime(settings, engine, sessions) -> Runtime:
    return Runtime(settings=settings, engine=engine, sessions=sessions)


def app_client(runtime: Runtime, **kwargs) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_asgi_app(runtime), **kwargs)


@pytest.fixture
def client(runtime):
    with app_client(runtime) as c:
        yield c


@pytest.fixture
def agent_id(sessions) -> int:
    with transaction(sessions) as s:
        return accounts.add_user(s, CLI, EMAIL, PASSWORD, "agent").id


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def login(client: TestClient, email: str = EMAIL, password: str = PASSWORD, **kw):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": token},
        follow_redirects=False,
        **kw,
    )


def signed_in(client: TestClient) -> bool:
    return client.get("/work", follow_redirects=False).status_code == 200


# ------------------------------------------------------------------------- limits


def test_failures_are_kept_in_the_database_across_a_restart(runtime, agent_id):
    with app_client(runtime) as first:
        for _ in range(5):
            assert login(first, password="falsch-falsch").status_code == 401
    # a new server process (another worker, or after a restart) knows them
    with app_client(runtime) as second:
        assert login(second).status_code == 429


def test_a_source_is_limited_over_all_accounts_and_a_success_does_not_forgive_it(
    client, agent_id, sessions
):
    for n in range(signin.LOGIN_SOURCE.failures - 1):
        assert login(client, email=f"nobody{n}@example.org").status_code == 401
    assert login(client).status_code == 303  # the right password for a real account ...
    # ... clears that account's count only, not the source's guesses at other accounts
    assert login(client, email="another@example.org").status_code == 401
    assert login(client, email="third@example.org").status_code == 429
    with sessions() as s:
        stored = s.scalars(select(AuthFailure.key_hash)).all()
    assert stored and not any("@" in k or "testclient" in k for k in stored)


def test_forwarded_for_counts_only_from_a_trusted_proxy(runtime, agent_id):
    proxied = dataclasses.replace(runtime.settings, trusted_proxies=("127.0.0.0/8",))
    behind = dataclasses.replace(runtime, settings=proxied)
    # TestClient's peer is "testclient": not a trusted proxy, the header is ignored
    with app_client(runtime) as direct:
        for n in range(5):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert login(direct, password="falsch-falsch", headers=headers).status_code == 401
        assert login(direct, headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 429
    assert signin.client_address("127.0.0.1", "203.0.113.5", proxied.trusted_proxies) == (
        "203.0.113.5"
    )
    assert signin.client_address("203.0.113.5", "127.0.0.1", proxied.trusted_proxies) == (
        "203.0.113.5"
    )
    assert behind.settings.trusted_proxies == ("127.0.0.0/8",)


def test_trusted_proxies_setting_is_read_and_checked():
    assert load_settings({"MAHNWERK_TRUSTED_PROXIES": "10.0.0.1, 10.1.0.0/16"}).trusted_proxies == (
        "10.0.0.1/32",
        "10.1.0.0/16",
    )
    with pytest.raises(ValueError, match="MAHNWERK_TRUSTED_PROXIES"):
        load_settings({"MAHNWERK_TRUSTED_PROXIES": "proxy.example"})


# ----------------------------------------------------------------------- sessions


def test_logout_ends_the_session_on_the_server(client, agent_id):
    assert login(client).status_code == 303
    stolen = dict(client.cookies)
    token = csrf_of(client.get("/work").text)
    client.post("/logout", data={"csrf": token})
    assert not signed_in(client)
    client.cookies.clear()
    client.cookies.update(stolen)  # the cookie from before the logout, replayed
    assert not signed_in(client)


def test_login_starts_a_new_session(client, agent_id, sessions):
    assert login(client).status_code == 303
    first = client.cookies.get("mw_session")
    assert login(client).status_code == 303
    assert client.cookies.get("mw_session") != first
    with sessions() as s:
        reasons = sorted(str(r) for r in s.scalars(select(WebSession.end_reason)).all())
    assert reasons == ["None", "replaced"]


@pytest.mark.parametrize("change", ["password", "role", "deactivate"])
def test_a_password_or_role_change_ends_every_session_of_the_user(
    change, client, agent_id, sessions
):
    assert login(client).status_code == 303 and signed_in(client)
    with transaction(sessions) as s:
        if change == "password":
            accounts.set_password(s, CLI, agent_id, "ein-ganz-neues-passwort")
        elif change == "role":
            accounts.set_role(s, CLI, agent_id, "compliance")
        else:
            accounts.deactivate_user(s, CLI, agent_id)
    assert not signed_in(client)


@pytest.mark.parametrize(("column", "age"), [("last_seen_at", 31), ("created_at", 601)])
def test_idle_and_absolute_timeouts(column, age, client, agent_id, sessions):
    assert login(client).status_code == 303
    moved = timedelta(minutes=age)
    with transaction(sessions) as s:
        row = s.scalars(select(WebSession)).one()
        values = {"last_seen_at": row.last_seen_at - moved}
        if column == "created_at":  # signed in 10 hours ago, active all the time
            values["expires_at"] = row.expires_at - moved
        s.execute(update(WebSession).values(**values))
    assert not signed_in(client)
    with sessions() as s:
        assert s.scalars(select(WebSession.end_reason)).one() == (
            "idle" if column == "last_seen_at" else "expired"
        )


def test_the_cookie_is_secure_when_the_public_address_is_https(runtime, agent_id):
    https = dataclasses.replace(runtime.settings, public_url="https://inkasso.example")
    with app_client(
        dataclasses.replace(runtime, settings=https), base_url="https://testserver"
    ) as c:
        cookie = login(c).headers["set-cookie"]
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()
    with app_client(runtime) as plain:
        assert "secure" not in login(plain).headers["set-cookie"].lower()


# ---------------------------------------------------------------- request size


def through_limits(runtime: Runtime, path: str, headers: dict[str, str], chunks: int):
    """Run a request of ``chunks`` × 64 KiB (no Content-Length) through the size limits in
    front of an app that reads every byte; how many chunks were taken from the client and
    the answer's status."""
    from mahnwerk.api.limits import BodyLimits

    taken = 0
    sent: list[dict] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while True:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():  # type: ignore[no-untyped-def]
        nonlocal taken
        taken += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": taken < chunks}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    limits = BodyLimits(app, settings=runtime.settings, sessions=runtime.sessions)
    anyio.run(limits, scope, receive, send)
    return taken, sent[0]["status"]


def test_a_declared_size_above_the_limit_is_refused_before_reading(runtime):
    small = dataclasses.replace(runtime.settings, limit_form=1024)
    with app_client(dataclasses.replace(runtime, settings=small)) as c:
        answer = c.post("/login", content=b"email=" + b"a" * 5000, headers={
            "content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 413 and "höchstens 1 KB" in answer.text


def test_a_chunked_body_is_cut_off_at_the_limit(runtime):
    small = dataclasses.replace(runtime.settings, limit_form=100_000)
    form = {"content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked"}
    taken, status = through_limits(
        dataclasses.replace(runtime, settings=small), "/login", form, 160
    )
    assert (taken, status) == (2, 413)  # 128 KiB of 10 MiB taken in
    assert through_limits(runtime, "/login", form, 2) == (2, 200)
    with app_client(dataclasses.replace(runtime, settings=small)) as c:
        answer = c.post("/login", content=iter([b"x" * 65536] * 4), headers=form)
    assert answer.status_code == 413 and "höchstens 97 KB" in answer.text


def test_an_api_body_without_a_valid_key_is_not_read(runtime):
    headers = {"content-type": "multipart/form-data; boundary=x", "transfer-encoding": "chunked"}
    for authorization in (None, "Bearer mwk_fake", "Basic eDp5"):
        sent = headers if authorization is None else {**headers, "authorization": authorization}
        taken, status = through_limits(runtime, "/api/v1/bank/statements", sent, 100)
        assert (taken, status) == (0, 401)
    with app_client(runtime) as c:
        answer = c.post("/api/v1/cases", content=b"{}", headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_api_json_over_its_limit_gets_413_problem(runtime, sessions):
    from mahnwerk.store.models import Creditor

    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Muster GmbH")
        key = accounts.create_api_key(s, CLI, creditor.id).key
        assert s.get(Creditor, creditor.id) is not None
    small = dataclasses.replace(runtime.settings, limit_api_json=2048)
    with app_client(dataclasses.replace(runtime, settings=small)) as c:
        answer = c.post(
            "/api/v1/cases",
            content=b'{"x": "' + b"a" * 4000 + b'"}',
            headers={"content-type": "application/json", "Authorization": f"Bearer {key}"},
        )
    assert answer.status_code == 413
    assert answer.json()["type"].endswith("too-large")
