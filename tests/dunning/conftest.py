"""Fixtures of the dunning tests: a runtime on the test database, cases, a real local SMTP
server (aiosmtpd), a stand-in SMS gateway (http.server) and a stand-in letter renderer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal as D
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.channels.email import SmtpConfig, SmtpEmailSender
from mahnwerk.channels.sms import HttpSmsGateway, SmsConfig
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Creditor

HANDED_OVER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class StandInRenderer:
    """Stands in for the documents package's renderer: a tiny PDF-like file with the data
    (and the page tree root the print bundle's manifest reads the page count from)."""

    def __init__(self) -> None:
        self.calls: list[Mapping[str, Any]] = []

    def render(self, data: Mapping[str, Any]) -> bytes:
        self.calls.append(data)
        body = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return b"%PDF-1.7\n% stand-in\n<< /Type /Pages /Count 1 >>\n" + body + b"\n%%EOF\n"


def debtor(**kw: Any) -> cases.DebtorInput:
    base: dict[str, Any] = dict(
        kind="natural",
        consumer=True,
        first_name="Jürgen",
        last_name="Müller",
        birth_date=date(1980, 5, 17),
        street="Hauptstraße 5",
        postcode="80331",
        city="München",
        email="j.mueller@example.org",
        phone="0151 2345678",
    )
    base.update(kw)
    return cases.DebtorInput(**base)


def _make_case(
    sessions,
    ref: str = "K-1",
    *,
    amount: str = "1250.00",
    creditor_settings=None,
    creditor_id: int | None = None,
    handed_over: datetime = HANDED_OVER,
    **debtor_kw: Any,
) -> int:
    with transaction(sessions) as s:
        if creditor_id is None:
            creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
            creditor.settings = creditor_settings or {
                "address": "Am Sande 4, 21335 Lüneburg",
                "payment_account": {
                    "holder": "Inkasso Nord GmbH",
                    "iban": "DE89370400440532013000",
                },
            }
            creditor_id = creditor.id
        claim = cases.ClaimInput(
            invoice_no=f"R-{ref}",
            amount=D(amount),
            default_from=date(2026, 1, 16),
            invoice_date=date(2025, 12, 15),
            due_date=date(2026, 1, 15),
            label="Stromlieferung, Jahresabrechnung 2025",
        )
        case = cases.create_case(
            s, CLI, creditor_id, cases.CaseInput(ref, debtor(**debtor_kw), (claim,))
        )
        case.created_at = handed_over
        return case.id


def creditor_of(sessions, case_id: int) -> int:
    with sessions() as s:
        return s.get(Case, case_id).creditor_id


def set_creditor_settings(sessions, creditor_id: int, settings: dict) -> None:
    with transaction(sessions) as s:
        s.get(Creditor, creditor_id).settings = settings


@pytest.fixture
def make_case(sessions):
    """``make_case(ref, amount=…, creditor_settings=…, **debtor fields) -> case id``."""

    def make(ref: str = "K-1", **kw: Any) -> int:
        return _make_case(sessions, ref, **kw)

    return make


def with_channels(runtime: Runtime, **kw: Any) -> Runtime:
    return replace(runtime, channels=replace(runtime.channels, **kw))


@pytest.fixture
def channels_of():
    """``channels_of(runtime, email=…, sms=…)``: the runtime with these channels."""
    return with_channels


@pytest.fixture
def renderer() -> StandInRenderer:
    return StandInRenderer()


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    )


@pytest.fixture
def runtime(settings, engine, sessions, renderer) -> Runtime:
    return Runtime(settings, engine, sessions, Channels(letters=renderer))


# ------------------------------------------------------------------------- SMTP server


@dataclass
class Mailbox:
    host: str
    port: int
    envelopes: list[Any] = field(default_factory=list)

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", 0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            box.envelopes.append(envelope)
            return "250 Message accepted for delivery"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("unknown@"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    with socket.socket() as probe:  # a free port (the controller cannot report port 0)
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def email_sender(smtp_server: Mailbox) -> SmtpEmailSender:
    return SmtpEmailSender(
        SmtpConfig(
            host=smtp_server.host,
            port=smtp_server.port,
            tls="none",
            sender="service@inkasso-nord.example",
            timeout=5,
        )
    )


# --------------------------------------------------------------------- SMS stand-in


@dataclass
class SmsRecorder:
    """Every request, and the SMS the gateway sent: like a real gateway it sends a request
    whose ``Idempotency-Key`` it has seen once only, and answers the repeat as before."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, bytes] = field(default_factory=dict)
    status: int = 200


@pytest.fixture
def sms_server() -> Iterator[SmsRecorder]:
    recorder = SmsRecorder("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            recorder.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            key = self.headers.get("Idempotency-Key") or f"request-{len(recorder.requests)}"
            if recorder.status < 300:
                recorder.delivered.setdefault(key, body)
            answer = json.dumps({"id": f"sms-{key}"}).encode()
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sms_gateway(sms_server: SmsRecorder) -> HttpSmsGateway:
    return HttpSmsGateway(SmsConfig(url=sms_server.url, token="geheim-123", timeout=5))
