"""Issue 20, "One tenant's webhook stops everyone's": webhook addresses are checked whole at
registration, and every delivery stands alone (an error of one counts against that one,
never stops the pass, never leaves the others reserved). Webhook secrets are stored
encrypted with the application's key."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta

import pytest
from api_support import assert_problem, case_body
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from test_webhooks import Receiver, register

from mahnwerk.api import create_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.services.actor import utcnow
from mahnwerk.services.admin import webhook_targets, webhooks
from mahnwerk.store.db import make_engine, transaction
from mahnwerk.store.migrate import upgrade
from mahnwerk.store.models import Webhook, WebhookDelivery
from mahnwerk.store.sealed import is_sealed, seal, unseal

LONG_LABEL = "a" * 64


def strict(runtime: Runtime) -> Runtime:
    settings = dataclasses.replace(runtime.settings, webhook_allow_private=False)
    return dataclasses.replace(runtime, settings=settings)


# ---------------------------------------------------------------- registration


@pytest.mark.parametrize(
    "url",
    [
        f"https://{LONG_LABEL}.example.com/hook",  # the finding: a label > 63 characters
        "https://" + ".".join(["abcdefghij"] * 24) + ".com/hook",  # 268 characters in all
        "https://hooks..example.com/",
        "https://hooks_1.example.com/",
        "https://-hooks.example.com/",
        "https://user:pass@hooks.example.com/",
        "https://hooks.example.com/#fragment",
        "ftp://hooks.example.com/",
        "https://hooks.example.com\\@127.0.0.1/",
        "https://127.1/",  # inet_aton forms of 127.0.0.1
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0x7f.0.0.1/",
        "https://0177.0.0.1/",
        "https://hooks.example.0x1/",
        "https://[fe80::1%25eth0]/",
    ],
)
def test_malformed_addresses_are_refused_even_where_internal_targets_are_allowed(
    url, client, tenants
):
    # the runtime of these tests allows internal targets: the form is checked regardless
    response = client.post("/api/v1/webhooks", json={"url": url}, headers=tenants.a.headers)
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254
        "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata service
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of loopback
        "http://[64:ff9b:1::808:808]/hook",  # a local NAT64 prefix
        "http://[::ffff:7f00:1]/hook",  # IPv4-mapped
        "http://[::127.0.0.1]/hook",  # IPv4-compatible
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
        "http://[ff02::1]/hook",
        "http://224.0.0.1/hook",
        "http://100.64.0.1/hook",  # shared address space (carrier NAT)
        "http://intranet/hook",  # a single label: the server's search domains
        "http://erp.internal/hook",
        "http://printer.local/hook",
        "http://hooks.localhost/hook",
    ],
)
def test_internal_addresses_in_every_form_are_refused(url, runtime, tenants):
    with TestClient(create_app(strict(runtime))) as strict_client:
        response = strict_client.post(
            "/api/v1/webhooks", json={"url": url}, headers=tenants.a.headers
        )
    problem = assert_problem(response, 422)
    assert "keine öffentliche Adresse" in problem["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "https://erp.example.com/hooks/mahnwerk",
        "https://erp.example.com:8443/h?tenant=1",
        "https://bücher.example/hook",  # an internationalised name
        "https://8.8.8.8/hook",
        "https://[2606:4700::1111]/hook",
        "https://[2002:808:808::1]/hook",  # 6to4 of a public address
        "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address
        "https://" + ".".join(["a" * 63] * 3) + ".de/",  # 63-character labels, 195 in all
    ],
)
def test_public_addresses_are_accepted(url):
    assert webhook_targets.url_problem(url) is None


# ---------------------------------------------------------------------- delivery


def stored_webhook(runtime: Runtime, creditor_id: int, url: str, secret: str = "whsec_x") -> int:
    """A webhook as it may be stored from before the full check (registered then)."""
    with transaction(runtime.sessions) as s:
        hook = Webhook(
            creditor_id=creditor_id,
            url=url,
            secret=seal(runtime.settings.secret_key, secret),
            events={"types": []},
            active=True,
            created_at=utcnow(),
        )
        s.add(hook)
        s.flush()
        return hook.id


def deliveries(runtime: Runtime) -> dict[int, list[WebhookDelivery]]:
    with runtime.sessions() as s:
        rows = s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    out: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        out.setdefault(row.webhook_id, []).append(row)
    return out


def _aware(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def public_receiver(monkeypatch):
    """``hooks.example`` resolves to 127.0.0.1, which counts as public here (this machine
    reaches no public receiver); every other name goes to the real resolver."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(webhooks, "_internal", lambda address: address != "127.0.0.1")

    def url(receiver: Receiver) -> str:
        return f"http://hooks.example:{receiver.port}/hooks/mahnwerk"

    return url


def test_one_tenants_bad_webhook_does_not_stop_the_others(
    client, tenants, runtime, public_receiver
):
    """The finding: a host with a 64-character label stored for creditor B; at delivery the
    address check raised, the pass ended, and A's deliveries claimed with it stayed leased."""
    bad = stored_webhook(runtime, tenants.b.creditor_id, f"https://{LONG_LABEL}.example.com/h")
    client.post("/api/v1/cases", json=case_body("B-1"), headers=tenants.b.headers)
    with Receiver() as receiver:
        good = register(client, tenants.a, public_receiver(receiver))["id"]
        client.post("/api/v1/cases", json=case_body("A-1"), headers=tenants.a.headers)
        now = utcnow()
        report = webhooks.deliver_due(strict(runtime), now)
    assert (report.delivered, report.retried, report.failed) == (1, 1, 0)
    assert len(receiver.received) == 1
    rows = deliveries(runtime)
    [failed] = rows[bad]
    assert failed.status == "pending" and failed.attempts == 1
    assert "63" in (failed.last_error or "")
    assert _aware(failed.next_attempt_at) == now + webhooks.backoff(1)
    [delivered] = rows[good]
    assert (delivered.status, delivered.attempts) == ("delivered", 1)


def test_an_unexpected_error_counts_against_its_own_delivery(
    client, tenants, runtime, monkeypatch, public_receiver
):
    broken = stored_webhook(runtime, tenants.b.creditor_id, "https://broken.example.com/h")
    client.post("/api/v1/cases", json=case_body("B-1"), headers=tenants.b.headers)
    real_check = webhooks.check_target

    def check(url, **kwargs):  # type: ignore[no-untyped-def]
        if "broken" in url:
            raise RuntimeError("resolver exploded")
        return real_check(url, **kwargs)

    monkeypatch.setattr(webhooks, "check_target", check)
    with Receiver() as receiver:
        register(client, tenants.a, public_receiver(receiver))
        client.post("/api/v1/cases", json=case_body("A-1"), headers=tenants.a.headers)
        report = webhooks.deliver_due(strict(runtime), utcnow())
    assert (report.delivered, report.retried) == (1, 1)
    [row] = deliveries(runtime)[broken]
    assert row.attempts == 1 and "RuntimeError" in (row.last_error or "")


def test_a_secret_the_key_cannot_open_fails_that_delivery_only(client, tenants, runtime):
    with Receiver() as receiver:
        register(client, tenants.a, receiver.url)
        other = dataclasses.replace(
            runtime, settings=dataclasses.replace(runtime.settings, secret_key="another key")
        )
        hook_b = stored_webhook(other, tenants.b.creditor_id, receiver.url)
        client.post("/api/v1/cases", json=case_body("A-1"), headers=tenants.a.headers)
        client.post("/api/v1/cases", json=case_body("B-1"), headers=tenants.b.headers)
        report = webhooks.deliver_due(runtime, utcnow())
    assert (report.delivered, report.retried) == (1, 1)
    [row] = deliveries(runtime)[hook_b]
    assert "MAHNWERK_SECRET_KEY" in (row.last_error or "")


def test_a_failed_receiver_is_not_tried_again_in_the_same_pass(client, tenants, runtime):
    with Receiver(status=503) as down:
        hook = register(client, tenants.a, down.url)["id"]
        for n in range(3):
            client.post("/api/v1/cases", json=case_body(f"A-{n}"), headers=tenants.a.headers)
        now = utcnow()
        report = webhooks.deliver_due(runtime, now)
    assert (report.attempted, len(down.received)) == (1, 1)
    rows = deliveries(runtime)[hook]
    assert [r.attempts for r in rows] == [1, 0, 0]
    # the others wait as long as the failed one, without an attempt counted
    assert {_aware(r.next_attempt_at) for r in rows} == {now + webhooks.backoff(1)}


def test_one_creditors_backlog_leaves_room_for_the_others(client, tenants, runtime, monkeypatch):
    monkeypatch.setattr(webhooks, "PER_WEBHOOK", 2)
    with Receiver() as receiver:
        hook_a = register(client, tenants.a, receiver.url)["id"]
        hook_b = register(client, tenants.b, receiver.url)["id"]
        for n in range(5):
            client.post("/api/v1/cases", json=case_body(f"A-{n}"), headers=tenants.a.headers)
        client.post("/api/v1/cases", json=case_body("B-1"), headers=tenants.b.headers)
        report = webhooks.deliver_due(runtime, utcnow(), limit=3)
    assert report.delivered == 3
    rows = deliveries(runtime)
    assert [r.status for r in rows[hook_a]].count("delivered") == 2
    assert [r.status for r in rows[hook_b]] == ["delivered"]


def test_what_a_pass_cannot_start_in_time_is_released_not_left_leased(
    client, tenants, runtime, monkeypatch
):
    with Receiver() as receiver:
        hook = register(client, tenants.a, receiver.url)["id"]
        client.post("/api/v1/cases", json=case_body("A-1"), headers=tenants.a.headers)
        # a lease shorter than one request's timeout: the pass may start nothing
        monkeypatch.setattr(webhooks, "LEASE", timedelta(seconds=1))
        now = utcnow()
        report = webhooks.deliver_due(runtime, now)
        assert report.attempted == 0 and receiver.received == []
        [row] = deliveries(runtime)[hook]
        assert row.attempts == 0 and _aware(row.next_attempt_at) == now
        monkeypatch.setattr(webhooks, "LEASE", timedelta(minutes=2))
        assert webhooks.deliver_due(runtime, now).delivered == 1


# ----------------------------------------------------------------------- secrets


def test_secrets_are_stored_encrypted(client, tenants, runtime, engine: Engine):
    hook = register(client, tenants.a, "https://erp.example.com/hook")
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT secret FROM webhook WHERE id = :id"), {"id": hook["id"]}
        ).scalar_one()
    assert hook["secret"] not in stored and is_sealed(stored)


def test_the_migration_seals_secrets_stored_in_the_clear(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0014")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO creditor (name, status, settings, created_at) "
                "VALUES ('Alt', 'active', '{}', '2025-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO webhook (creditor_id, url, secret, events, active, created_at) "
                "VALUES (1, 'https://erp.example.com/h', 'whsec_plain', '{}', 1, '2025-01-01')"
            )
        )
    with pytest.raises(RuntimeError, match="Schlüssel der Anwendung"):
        upgrade(engine)
    upgrade(engine, secret_key="the key")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret FROM webhook")).scalar_one()
    assert is_sealed(stored)
    assert unseal("the key", stored) == "whsec_plain"
    engine.dispose()
