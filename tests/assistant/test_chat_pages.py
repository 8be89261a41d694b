"""The chat panel of the portal and the agents' view, through the one ASGI app (SQLite and
PostgreSQL): a plain form without JavaScript, HTMX fragments, labels and aria-live, the
offer accepted with the cost notice read, CSRF, nothing without a portal session, and the
conversation on the agents' case page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.assistant import AssistantMessage
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import PaymentPlan, Task

SECRET = "test-secret"


@pytest.fixture
def runtime(db_url, engine, sessions, tmp_path, model):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key=SECRET)
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def client(runtime):
    with TestClient(create_asgi_app(runtime)) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client, sessions, case_id):
    with transaction(sessions) as s:
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, SECRET, case_id)
    token = csrf_of(client.get("/portal").text)
    client.post(
        "/portal",
        data={"reference": reference, "code": code, "postcode": "80331", "csrf": token},
        follow_redirects=False,
    )
    return csrf_of(client.get("/portal/assistant").text)


def test_the_panel_is_labelled_and_announces_answers(client, sessions, case_id):
    assert client.get("/portal/assistant", follow_redirects=False).status_code == 303
    sign_in(client, sessions, case_id)
    page = client.get("/portal/assistant").text
    assert '<label for="chat-text">Ihre Nachricht</label>' in page
    assert 'id="chat-text" name="text"' in page and 'aria-live="polite"' in page
    assert 'method="post" action="/portal/assistant"' in page  # works without JavaScript
    assert 'hx-post="/portal/assistant"' in page
    assert "Computerprogramm, kein Mensch" in page
    assert 'href="/portal/assistant" aria-current="page"' in page


def test_without_javascript_a_message_posts_and_the_page_shows_the_answer(
    client, sessions, case_id
):
    token = sign_in(client, sessions, case_id)
    answer = client.post(
        "/portal/assistant",
        data={"text": "Wie viel ist noch offen?", "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/portal/assistant")
    page = client.get("/portal/assistant").text
    assert "Wie viel ist noch offen?" in page and "insgesamt" in page
    with sessions() as s:
        assert len(s.scalars(select(AssistantMessage)).all()) == 2


def test_with_htmx_only_the_new_messages_come_back(client, sessions, case_id):
    token = sign_in(client, sessions, case_id)
    fragment = client.post(
        "/portal/assistant",
        data={"text": "wohin soll ich überweisen"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.count('class="msg ') == 2
    assert "<svg" in fragment.text and "GiroCode" in fragment.text  # payment data with QR
    second = client.post(
        "/portal/assistant",
        data={"text": "kann ich in raten zahlen"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert 'id="offer-form"' in second.text and "§ 13a Abs. 3 RDG" in second.text
    with sessions() as s:  # one conversation, continued from the session
        convs = {m.conversation_id for m in s.scalars(select(AssistantMessage))}
        assert len(convs) == 1


def test_the_offer_is_accepted_only_with_the_costs_read(client, sessions, case_id):
    token = sign_in(client, sessions, case_id)
    client.post("/portal/assistant", data={"text": "Ratenzahlung bitte", "csrf": token})
    refused = client.post("/portal/assistant/accept", data={"csrf": token})
    assert refused.status_code == 422 and "Kosten" in refused.text
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
    done = client.post(
        "/portal/assistant/accept",
        data={"csrf": token, "costs_read": "1"},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "Ihre Ratenzahlung ist vereinbart" in done.text
    assert 'hx-swap-oob="delete"' in done.text  # the old offer form goes away
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan)).all()
        assert plan.kind == "plan" and plan.status == "active"


def test_csrf_and_empty_messages_are_refused(client, sessions, case_id):
    token = sign_in(client, sessions, case_id)
    assert client.post("/portal/assistant", data={"text": "hallo", "csrf": "x"}).status_code == 400
    empty = client.post("/portal/assistant", data={"text": "  ", "csrf": token})
    assert empty.status_code == 422 and "Bitte schreiben Sie eine Nachricht" in empty.text
    with sessions() as s:
        assert s.scalars(select(AssistantMessage)).all() == []


def test_agents_see_the_conversation_and_take_over_a_stated_address(client, sessions, case_id):
    token = sign_in(client, sessions, case_id)
    client.post(
        "/portal/assistant",
        data={"text": "Ich bin umgezogen: Lindenstraße 12, 10115 Berlin", "csrf": token},
    )
    client.post("/portal/logout", data={"csrf": token})
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@example.org", "ein-langes-passwort", "agent")
    token = csrf_of(client.get("/login").text)
    client.post(
        "/login",
        data={"email": "agent@example.org", "password": "ein-langes-passwort", "csrf": token},
    )
    page = client.get(f"/work/cases/{case_id}").text
    assert "Gespräche mit dem Assistenten" in page
    assert "Ich bin umgezogen: Lindenstraße 12, 10115 Berlin" in page
    assert "address_change" in page and "Nachricht an den Assistenten" in page  # timeline
    with sessions() as s:
        task = s.scalars(select(Task).where(Task.kind == "address_review")).one()
    token = csrf_of(page)
    client.post(
        f"/work/assistant/address/{task.id}/apply", data={"csrf": token, "case_id": case_id}
    )
    with sessions() as s:
        assert s.get(Case, case_id).debtor.current_address.city == "Berlin"
