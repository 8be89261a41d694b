"""Creditor registration through the one ASGI app (in-process), on SQLite and PostgreSQL:
the form, the pending creditor and user, the confirmation e-mail through a real local SMTP
server (aiosmtpd), the link, the login refusals, and the approval by an admin (CLI)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.channels.email import SmtpConfig, SmtpEmailSender
from mahnwerk.cli import main as cli_main
from mahnwerk.config import Settings
from mahnwerk.services.actor import CLI, Actor, utcnow
from mahnwerk.services.admin import registration
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor, User
from mahnwerk.store.web_accounts import CreditorRegistration

PASSWORD = "sehr-geheimes-passwort"


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

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def settings(db_url, tmp_path, smtp_server):
    return Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_tls="none",
        smtp_from="service@inkasso-nord.example",
        agency_name="Inkasso Nord GmbH",
        public_url="https://portal.inkasso-nord.example",
    )


@pytest.fixture
def client(settings, engine, sessions, smtp_server):
    sender = SmtpEmailSender(
        SmtpConfig(
            host=smtp_server.host,
            port=smtp_server.port,
            tls="none",
            sender=settings.smtp_from,
            timeout=5,
        )
    )
    runtime = Runtime(settings, engine, sessions, Channels(email=sender))
    with TestClient(create_asgi_app(runtime), base_url="https://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def form(client, **overrides):
    data = {
        "company": "Bäckerei Sonnenschein GmbH",
        "contact_name": "Erika Mustermann",
        "email": "Erika@Sonnenschein.example",
        "password": PASSWORD,
        "terms": "1",
        "csrf": csrf_of(client.get("/register").text),
    }
    data.update(overrides)
    return client.post("/register", data=data)


def login(client, email="erika@sonnenschein.example", password=PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": token},
        follow_redirects=False,
    )


def test_registration_form_is_labelled(client):
    page = client.get("/register")
    assert page.status_code == 200 and "Als Mandant registrieren" in page.text
    for name in ("company", "contact_name", "email", "password", "terms"):
        assert f'<label for="{name}">' in page.text
    assert 'autocomplete="new-password"' in page.text
    assert "Register as a creditor" in client.get("/register?lang=en").text


def test_bad_input_names_each_field_and_stores_nothing(client, sessions):
    answer = form(client, company=" ", email="keine-adresse", password="kurz", terms="")
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    for name in ("company", "email", "password", "terms"):
        assert f'id="{name}-error"' in answer.text
    assert 'aria-describedby="password-hint password-error" aria-invalid="true"' in answer.text
    with sessions() as s:
        assert s.scalars(select(CreditorRegistration)).all() == []
        assert s.scalars(select(Creditor)).all() == []
    assert form(client, csrf="falsch").status_code == 400


def test_register_confirm_by_mail_then_approve_then_login(
    client, sessions, smtp_server, db_url, tmp_path, monkeypatch
):
    answer = form(client)
    assert answer.status_code == 200 and "erika@sonnenschein.example" in answer.text
    with sessions() as s:
        (reg,) = s.scalars(select(CreditorRegistration)).all()
        creditor = s.get(Creditor, reg.creditor_id)
        user = s.get(User, reg.user_id)
        assert creditor.status == "pending" and creditor.name == "Bäckerei Sonnenschein GmbH"
        assert user.role == "creditor" and user.creditor_id == creditor.id
        assert reg.email_confirmed_at is None and reg.contact_name == "Erika Mustermann"
        expires = reg.token_expires_at.replace(tzinfo=None) - reg.created_at.replace(tzinfo=None)
        assert expires == timedelta(hours=48)
        creditor_id, token_hash = creditor.id, reg.token_hash

    (mail,) = smtp_server.messages()
    assert mail["To"] == "erika@sonnenschein.example"
    assert "bestätigen" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    link = re.search(r"https://portal\.inkasso-nord\.example(/register/confirm\?token=\S+)", body)
    assert link, body
    token = link.group(1).split("token=")[1]
    assert registration.token_hash(token) == token_hash and token not in token_hash

    # not yet confirmed: the login says so (and does not sign in)
    refused = login(client)
    assert refused.status_code == 403 and "bestätigen Sie zuerst" in refused.text
    assert client.get("/register/confirm?token=falsch").status_code == 400

    confirmed = client.get(link.group(1))
    assert confirmed.status_code == 200 and "ist bestätigt" in confirmed.text
    assert "schon bestätigt" in client.get(link.group(1)).text

    # confirmed but pending: refused with its own message
    pending = login(client)
    assert pending.status_code == 403 and "noch nicht freigeschaltet" in pending.text
    assert login(client, password="falsches-passwort").status_code == 401

    # the admin approves on the command line (against the same database)
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "test-secret")
    assert cli_main(["creditor", "pending"]) == 0
    assert cli_main(["creditor", "approve", str(creditor_id)]) == 0
    assert cli_main(["creditor", "approve", str(creditor_id)]) == 2  # already active
    with sessions() as s:
        assert s.get(Creditor, creditor_id).status == "active"
        reg = s.scalar(select(CreditorRegistration))
        assert reg.approved_at is not None and reg.approved_by.startswith("cli:")

    ok = login(client)
    assert ok.status_code == 303 and ok.headers["location"] == "/portfolio"


def test_approval_needs_a_confirmed_address_and_an_admin(sessions):
    with transaction(sessions) as s:
        done = registration.register(
            s,
            company="Firma",
            contact_name="Max",
            email="max@firma.example",
            password=PASSWORD,
            accepted_terms=True,
        )
        creditor_id = done.registration.creditor_id
        with pytest.raises(registration.ApprovalError, match="nicht bestätigt"):
            registration.approve(s, CLI, creditor_id)
        assert registration.confirm(s, done.token) == "confirmed"
        agent = Actor(kind="user", id="7", role="agent")
        with pytest.raises(registration.ApprovalError, match="Admin"):
            registration.approve(s, agent, creditor_id)
        assert [c.id for c, _ in registration.pending(s)] == [creditor_id]
        assert registration.approve(s, CLI, creditor_id).status == "active"
        assert registration.pending(s) == []


def test_link_expires_after_48_hours_and_email_is_unique(client, sessions):
    with transaction(sessions) as s:
        done = registration.register(
            s,
            company="Firma",
            contact_name="Max",
            email="max@firma.example",
            password=PASSWORD,
            accepted_terms=True,
            now=utcnow() - timedelta(hours=49),
        )
        token = done.token
    expired = client.get(f"/register/confirm?token={token}")
    assert expired.status_code == 400 and "abgelaufen" in expired.text
    taken = form(client, email="MAX@firma.example")
    assert taken.status_code == 422 and "gibt es schon" in taken.text


def test_registration_without_mail_server_is_stored_and_says_so(db_url, engine, sessions, tmp_path):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="x")
    with TestClient(
        create_asgi_app(Runtime(settings, engine, sessions)), base_url="https://testserver"
    ) as c:
        answer = form(c)
    # the prospect is not told about the agency's mail set-up; an administrator passes it on
    assert answer.status_code == 200 and "nicht eingerichtet" not in answer.text
    assert "erika@sonnenschein.example" in answer.text.lower()
    with sessions() as s:
        (registration,) = s.scalars(select(CreditorRegistration)).all()
        assert registration.mail_status == "handover"
