"""Webhooks: registration through the API, signed delivery to a real local HTTP server,
retries with backoff, giving up, and the delivery log."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.server
import itertools
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from api_support import assert_problem, case_body
from fastapi.testclient import TestClient

from mahnwerk.api import create_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.services.actor import utcnow
from mahnwerk.services.admin import webhooks


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it receives and answers ``status``."""

    def __init__(self, status: int = 204, tls: ssl.SSLContext | None = None) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/hooks/mahnwerk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def register(client, tenant, url, events=None):
    body = {"url": url} if events is None else {"url": url, "events": events}
    response = client.post("/api/v1/webhooks", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_signed_deliveries_reach_a_real_server(client, tenants, runtime, receiver):
    hook = register(client, tenants.a, receiver.url)
    assert hook["secret"].startswith("whsec_")
    case = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers).json()
    client.post(
        f"/api/v1/cases/{case['id']}/payments",
        json={"date": "2025-06-01", "amount": "300.00"},
        headers=tenants.a.headers,
    )

    with httpx.Client() as http_client:
        report = webhooks.deliver_due(runtime, utcnow(), http_client)
    assert (report.delivered, report.retried, report.failed) == (2, 0, 0)
    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        signature = headers["Mahnwerk-Signature"]
        assert webhooks.verify_signature(hook["secret"], signature, body)
        # the scheme as documented, recomputed independently
        t = signature.split(",")[0].removeprefix("t=")
        mac = hmac.new(hook["secret"].encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        assert signature == f"t={t},v1={mac}"
        assert abs(int(t) - time.time()) < 60
        assert headers["Content-Type"] == "application/json"
    events = [json.loads(body) for _, body in receiver.received]
    assert [e["type"] for e in events] == ["case.created", "payment.received"]
    assert [h["Mahnwerk-Event"] for h, _ in receiver.received] == [
        "case.created",
        "payment.received",
    ]
    assert events[1]["case"] == {
        "id": case["id"],
        "external_ref": "K-1",
        "stage": "new",
        "status": "open",
    }
    assert events[1]["data"]["amount"] == "300.00"
    assert "Müller" not in receiver.received[0][1].decode()  # no personal data in events

    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=tenants.a.headers).json()
    assert [
        (d["event_type"], d["status"], d["attempts"], d["last_status_code"]) for d in log["items"]
    ] == [("payment.received", "delivered", 1, 204), ("case.created", "delivered", 1, 204)]
    assert {str(d["id"]) for d in log["items"]} == {
        h["Mahnwerk-Delivery"] for h, _ in receiver.received
    }
    assert all(d["next_attempt_at"] is None and d["delivered_at"] for d in log["items"])
    # delivered ones are not sent again
    assert webhooks.deliver_due(runtime, utcnow() + timedelta(days=1)).attempted == 0


def test_a_failing_receiver_is_retried_with_backoff_until_failed(client, tenants, runtime):
    with Receiver(status=500) as failing:
        hook = register(client, tenants.a, failing.url, events=["case.recalled"])
        case = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers).json()
        client.post(f"/api/v1/cases/{case['id']}/recall", json={}, headers=tenants.a.headers)
        now = utcnow()
        delays = []
        for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
            report = webhooks.deliver_due(runtime, now)
            assert report.attempted == 1, attempt
            # not due again before its backoff has passed
            assert webhooks.deliver_due(runtime, now + timedelta(seconds=1)).attempted == 0
            item = client.get(
                f"/api/v1/webhooks/{hook['id']}/deliveries", headers=tenants.a.headers
            ).json()["items"][0]
            assert (item["attempts"], item["last_status_code"]) == (attempt, 500)
            assert item["last_error"] == "HTTP 500"
            if attempt < webhooks.MAX_ATTEMPTS:
                assert item["status"] == "pending"
                due = _parse(item["next_attempt_at"])
                delays.append(due - now)
                now = due
            else:
                assert item["status"] == "failed" and item["next_attempt_at"] is None
        assert len(failing.received) == webhooks.MAX_ATTEMPTS
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert max(delays) <= webhooks.MAX_DELAY
    assert webhooks.deliver_due(runtime, now + timedelta(days=30)).attempted == 0


def test_an_unreachable_receiver_is_recorded_as_an_error(client, tenants, runtime):
    with Receiver() as gone:
        url = gone.url
    hook = register(client, tenants.a, url)
    client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    assert webhooks.deliver_due(runtime).retried == 1
    item = client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", headers=tenants.a.headers
    ).json()["items"][0]
    assert item["status"] == "pending" and item["last_status_code"] is None
    assert "ConnectError" in item["last_error"]


def _parse(text):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_only_the_chosen_event_types_are_queued(client, tenants, runtime, receiver):
    register(client, tenants.a, receiver.url, events=["payment.received"])
    case = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers).json()
    client.post(
        f"/api/v1/cases/{case['id']}/payments",
        json={"date": "2025-06-01", "amount": "1.00"},
        headers=tenants.a.headers,
    )
    webhooks.deliver_due(runtime)
    assert [h["Mahnwerk-Event"] for h, _ in receiver.received] == ["payment.received"]


def test_webhook_api_lists_reads_and_deletes(client, tenants, runtime, receiver):
    hook = register(client, tenants.a, receiver.url, events=["case.created", "case.created"])
    assert hook["events"] == ["case.created"]
    listed = client.get("/api/v1/webhooks", headers=tenants.a.headers).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    one = client.get(f"/api/v1/webhooks/{hook['id']}", headers=tenants.a.headers)
    assert one.json()["url"] == receiver.url and "secret" not in one.json()
    client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)  # queued, not sent
    deleted = client.delete(f"/api/v1/webhooks/{hook['id']}", headers=tenants.a.headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get("/api/v1/webhooks", headers=tenants.a.headers).json()["items"] == []
    for method, path in (("GET", ""), ("GET", "/deliveries"), ("DELETE", "")):
        assert_problem(
            client.request(
                method, f"/api/v1/webhooks/{hook['id']}{path}", headers=tenants.a.headers
            ),
            404,
        )
    assert webhooks.deliver_due(runtime).attempted == 0
    assert receiver.received == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": "http://"}, "url"),
        ({"url": "http://example.org/" + "x" * 500}, "url"),
        ({"url": "http://example.org/x", "events": ["case.deleted"]}, "events[0]"),
        ({}, "url"),
    ],
)
def test_invalid_webhooks_are_refused(client, tenants, body, field):
    problem = assert_problem(
        client.post("/api/v1/webhooks", json=body, headers=tenants.a.headers), 422
    )
    assert field in [e["field"] for e in problem["errors"]]


def test_verify_signature_refuses_tampering_old_timestamps_and_garbage():
    body = b'{"id": 1}'
    now = 1_800_000_000
    header = webhooks.sign("whsec_x", now, body)
    assert webhooks.verify_signature("whsec_x", header, body, now=now + 10)
    assert webhooks.verify_signature("whsec_x", header, body.decode(), now=now)
    assert not webhooks.verify_signature("whsec_y", header, body, now=now)
    assert not webhooks.verify_signature("whsec_x", header, b'{"id": 2}', now=now)
    assert not webhooks.verify_signature("whsec_x", header, body, now=now + 301)
    assert webhooks.verify_signature("whsec_x", header, body, tolerance=600, now=now + 301)
    rotated = header.replace("v1=", "v1=00,v1=")
    assert webhooks.verify_signature("whsec_x", rotated, body, now=now)
    for bad in ("", "t=abc,v1=00", f"t={now}", "v1=00", "garbage"):
        assert not webhooks.verify_signature("whsec_x", bad, body, now=now)


def test_backoff_doubles_and_is_capped():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(40) == webhooks.MAX_DELAY


def test_the_server_loop_delivers_in_the_background(runtime, tenants, receiver):
    app = create_app(runtime, webhook_interval=0.2)
    with TestClient(app) as client:  # the context runs the lifespan, which starts the loop
        register(client, tenants.a, receiver.url)
        client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [h["Mahnwerk-Event"] for h, _ in receiver.received] == ["case.created"]


def strict(runtime: Runtime) -> Runtime:
    """The same database, with the default: no webhooks to internal addresses."""
    settings = dataclasses.replace(runtime.settings, webhook_allow_private=False)
    return dataclasses.replace(runtime, settings=settings)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",  # cloud metadata
        "http://10.1.2.3/erp",
        "http://[::1]/hook",
        "http://[::ffff:192.168.0.1]/hook",
        "http://0.0.0.0:8000/",
    ],
)
def test_internal_targets_are_refused_unless_the_operator_allows_them(
    url, client, tenants, runtime
):
    with TestClient(create_app(strict(runtime))) as strict_client:
        response = strict_client.post(
            "/api/v1/webhooks", json={"url": url}, headers=tenants.a.headers
        )
    problem = assert_problem(response, 422)
    assert "keine öffentliche Adresse" in problem["detail"]
    assert "MAHNWERK_WEBHOOK_ALLOW_PRIVATE" in problem["detail"]
    allowed = client.post("/api/v1/webhooks", json={"url": url}, headers=tenants.a.headers)
    assert allowed.status_code == 201


def test_public_names_are_not_looked_up_at_registration():
    assert webhooks.refused_target("https://erp.example.com/hook", allow_private=False,
                                   resolve=False) is None  # fmt: skip


def test_an_internal_target_is_not_delivered_to(client, tenants, runtime, receiver):
    # registered while the operator allowed internal targets, delivered after they stopped
    register(client, tenants.a, receiver.url.replace("127.0.0.1", "localhost"))
    client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    report = webhooks.deliver_due(strict(runtime), utcnow())
    assert (report.delivered, report.retried) == (0, 1)
    assert receiver.received == []
    hook_id = client.get("/api/v1/webhooks", headers=tenants.a.headers).json()["items"][0]["id"]
    [delivery] = client.get(
        f"/api/v1/webhooks/{hook_id}/deliveries", headers=tenants.a.headers
    ).json()["items"]
    assert "keine öffentliche Adresse" in delivery["last_error"]


class OneAnswerResolver:
    """A DNS stand-in: ``hooks.example`` (unknown here) resolves to 127.0.0.1 once; every
    later lookup fails, as if its owner had pointed the name elsewhere since (rebinding)."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "hooks.example":
            return self.real(host, port, *args, **kwargs)
        self.calls += 1
        if self.calls > 1:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 0))]


@pytest.fixture
def public_name(monkeypatch) -> OneAnswerResolver:
    resolver = OneAnswerResolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    # this machine reaches no public receiver: loopback stands in for one
    monkeypatch.setattr(webhooks, "_internal", lambda address: False)
    return resolver


def test_the_connection_goes_to_the_address_that_was_checked(
    client, tenants, runtime, receiver, public_name
):
    register(client, tenants.a, f"http://hooks.example:{receiver.port}/hooks/mahnwerk")
    client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    report = webhooks.deliver_due(strict(runtime), utcnow())
    assert (report.delivered, report.retried) == (1, 0)
    assert public_name.calls == 1  # a second lookup would have failed
    [(headers, _)] = receiver.received
    assert headers["Host"] == f"hooks.example:{receiver.port}"


def certificate(tmp_path, name: str) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = str(tmp_path / f"{name}.pem"), str(tmp_path / f"{name}.key")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize(("served_name", "delivered"), [("hooks.example", 1), ("other.example", 0)])
def test_tls_is_checked_against_the_name_not_the_pinned_address(
    served_name, delivered, client, tenants, runtime, tmp_path, public_name
):
    cert, key = certificate(tmp_path, served_name)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    with Receiver(tls=server_side) as secure:
        register(client, tenants.a, f"https://hooks.example:{secure.port}/hooks/mahnwerk")
        client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
        with httpx.Client(verify=ssl.create_default_context(cafile=cert)) as http_client:
            report = webhooks.deliver_due(strict(runtime), utcnow(), http_client)
        assert report.delivered == delivered and len(secure.received) == delivered
    if not delivered:
        log = client.get("/api/v1/webhooks", headers=tenants.a.headers).json()
        hook_id = log["items"][0]["id"]
        deliveries = client.get(
            f"/api/v1/webhooks/{hook_id}/deliveries", headers=tenants.a.headers
        ).json()
        assert "CERTIFICATE_VERIFY_FAILED" in deliveries["items"][0]["last_error"]
