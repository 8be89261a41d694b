"""The agent workspace in-process on SQLite and PostgreSQL: queue, case page, call view,
actions (each audited), role checks and tenancy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.workspace import workflow
from mahnwerk.services.workspace.desk import owed_sentence
from mahnwerk.store.calls import CallLog
from mahnwerk.store.db import transaction
from mahnwerk.store.models import AuditEntry, Case, CaseEvent, Document
from mahnwerk.store.workflow import Approval, CaseFlag, CaseStrategy, Dispute, PaymentPlan, Task

PASSWORD = "ein-langes-passwort"
#: a first due date agents may enter (not in the past, within 30 days)
SOON = today_in_germany() + timedelta(days=7)


@dataclass
class World:
    case_a: int
    case_b: int
    approval: int
    creditor_a: int
    creditor_b: int
    document: int


def make_case(s, creditor_id, ref, amount="982.00", last_name="Müller"):
    debtor = cases.DebtorInput(
        kind="natural",
        consumer=True,
        first_name="Jürgen",
        last_name=last_name,
        birth_date=date(1980, 5, 17),
        street="Hauptstraße 5",
        postcode="80331",
        city="München",
        email="j@example.org",
        phone="0151 2345678",
    )
    claim = cases.ClaimInput(
        invoice_no="R-4711",
        amount=D(amount),
        default_from=date(2025, 2, 15),
        invoice_date=date(2025, 1, 15),
        due_date=date(2025, 2, 14),
        label="Stromlieferung",
    )
    return cases.create_case(s, CLI, creditor_id, cases.CaseInput(ref, debtor, (claim,)))


@pytest.fixture
def runtime(db_url, engine, sessions, tmp_path):
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", secret_key="test-secret")
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def world(runtime, sessions) -> World:
    now = datetime.now(UTC)
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        a.settings = {"plan_limits": {"max_months": 10, "min_instalment": "50.00"}}
        b = accounts.add_creditor(s, CLI, "Fitnessstudio Süd")
        for email, role, cid in (
            ("agent@example.org", "agent", None),
            ("lead@example.org", "teamlead", None),
            ("a@example.org", "creditor", a.id),
            ("b@example.org", "creditor", b.id),
        ):
            accounts.add_user(s, CLI, email, PASSWORD, role, cid)
        case_a = make_case(s, a.id, "A-1")
        case_b = make_case(s, b.id, "B-1", amount="2500.00", last_name="Schmidt")
        for case in (case_a, case_b):
            s.add(
                CaseStrategy(
                    case_id=case.id,
                    strategy_name="standard",
                    strategy_version=1,
                    step_index=5,
                    stage_since=date(2026, 1, 1),
                    updated_at=now,
                )
            )
            case.stage = "final_notice"
        approval = Approval(
            case_id=case_a.id,
            step_index=6,
            stage="court_handover",
            strategy_name="standard",
            strategy_version=1,
            reason="Letzte Mahnung ohne Zahlung",
            status="pending",
            requested_at=now,
        )
        s.add(approval)
        workflow.add_task(s, case_a.id, "phone_call", "outbox:1", "Schuldner anrufen")
        workflow.add_task(s, case_b.id, "phone_call", "outbox:2", "Schuldner anrufen")
        docs = runtime.settings.documents_dir
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "brief-1.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
        doc = Document(
            case_id=case_a.id,
            kind="letter",
            filename="brief.pdf",
            path="brief-1.pdf",
            media_type="application/pdf",
            sha256="0" * 64,
            size=15,
            created_at=now,
        )
        s.add(doc)
        s.flush()
        return World(case_a.id, case_b.id, approval.id, a.id, b.id, doc.id)


@pytest.fixture
def client(runtime):
    with TestClient(create_asgi_app(runtime)) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, email: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return csrf_of(client.get("/login").text)


def audit_rows(sessions, **where):
    with sessions() as s:
        q = select(AuditEntry)
        for k, v in where.items():
            q = q.where(getattr(AuditEntry, k) == v)
        return list(s.scalars(q).all())


def test_visitors_go_to_login_and_creditors_get_404(client, world):
    r = client.get("/work", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login(client, "a@example.org")
    for path in (
        "/work",
        f"/work/cases/{world.case_a}",
        f"/work/cases/{world.case_a}/call",
        f"/work/documents/{world.document}",
    ):
        r = client.get(path)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"], path


def test_queue_lists_tasks_and_approvals_and_filters(client, world, sessions):
    login(client, "agent@example.org")
    page = client.get("/work")
    assert page.status_code == 200
    assert page.text.count(f'href="/work/cases/{world.case_a}"') >= 2  # phone + approval
    # the larger open amount first (B: 2.500 € vs A: 982 €)
    assert page.text.index(f"/work/cases/{world.case_b}") < page.text.index(
        f"/work/cases/{world.case_a}"
    )
    approvals = client.get("/work?kind=approval")
    assert "Letzte Mahnung ohne Zahlung" in approvals.text
    assert f'/work/cases/{world.case_b}"' not in approvals.text
    only_b = client.get(f"/work?creditor={world.creditor_b}", headers={"HX-Request": "true"})
    assert f'/work/cases/{world.case_a}"' not in only_b.text
    assert audit_rows(sessions, entity="work_queue")


def test_a_promise_due_today_comes_first(client, world, sessions):
    with transaction(sessions) as s:
        workflow.add_plan(s, CLI, world.case_a, amount=D("100"), start=today_in_germany())
    login(client, "agent@example.org")
    page = client.get("/work").text
    assert page.index(f"/work/cases/{world.case_a}") < page.index(f"/work/cases/{world.case_b}")
    assert "heute fällig" in page


def test_case_page_shows_everything_and_audits_the_read(client, world, sessions):
    login(client, "agent@example.org")
    page = client.get(f"/work/cases/{world.case_a}")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Jürgen Müller",
        "Hauptstraße 5",
        "0151 2345678",
        "Einwilligung",
        "Forderungsaufstellung",
        "R-4711",
        "Gesamtforderung",
        "Fall übergeben (1 Forderung/en)",
        f'href="/work/documents/{world.document}"',
        "Letzte Mahnung ohne Zahlung",
        "Schuldner anrufen",
        '<th scope="col"',
    ):
        assert expected in text, expected
    reads = audit_rows(sessions, action="read", entity="case", case_id=world.case_a)
    assert reads and reads[-1].actor.startswith("user:")
    doc = client.get(f"/work/documents/{world.document}")
    assert doc.status_code == 200 and doc.headers["content-type"] == "application/pdf"
    assert doc.content.startswith(b"%PDF") and "inline" in doc.headers["content-disposition"]
    assert audit_rows(sessions, action="read", entity="document")
    assert client.get("/work/cases/999999").status_code == 404
    english = client.get(f"/work/cases/{world.case_a}?lang=en")
    assert "Statement of account" in english.text


def test_call_view_says_what_is_owed_and_the_legal_notes(client, world, sessions):
    login(client, "agent@example.org")
    page = client.get(f"/work/cases/{world.case_a}/call")
    assert page.status_code == 200
    with sessions() as s:
        case = s.get(Case, world.case_a)
        sentence = owed_sentence(case, cases.statement(case, today_in_germany()))
    assert sentence.startswith("Offen sind ") and "aus der Rechnung R-4711 vom 15.01.2025" in (
        sentence
    )
    assert "(Stromlieferung) einschließlich" in sentence and sentence.endswith("Zinsen.")
    assert sentence in page.text
    assert "§ 13a Abs. 3 RDG" in page.text and "§ 13a Abs. 4 RDG" in page.text
    assert "Einigungsgebühr" in page.text or "keine Gebühren" in page.text
    assert "höchstens 10 Monate" in page.text and "Mindestrate 50,00 €" in page.text
    assert audit_rows(sessions, action="call", entity="case", case_id=world.case_a)


def test_log_call_with_promise_appears_on_the_timeline(client, world, sessions):
    token = login(client, "agent@example.org")
    r = client.post(
        f"/work/cases/{world.case_a}/call",
        data={
            "csrf": token,
            "outcome": "promise",
            "note": "zahlt nach Gehaltseingang",
            "promise_amount": "250,00",
            "promise_date": SOON.isoformat(),
            "back": "call",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/work/cases/{world.case_a}/call"
    page = client.get(r.headers["location"])
    assert "Telefonat und Zahlungsversprechen gespeichert" in page.text
    assert "zahlt nach Gehaltseingang" in page.text  # what the debtor said last time
    with sessions() as s:
        (call,) = s.scalars(select(CallLog)).all()
        assert (call.outcome, call.case_id) == ("promise", world.case_a)
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.kind, plan.instalment, plan.start) == (
            "promise",
            D("250.00"),
            SOON,
        )
        phone = s.scalars(
            select(Task).where(Task.case_id == world.case_a, Task.kind == "phone_call")
        )
        assert [t.status for t in phone] == ["done"]
        kinds = [
            e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == world.case_a))
        ]
    assert "call.logged" in kinds and "plan.agreed" in kinds
    assert audit_rows(sessions, action="create", entity="call")
    assert audit_rows(sessions, action="create", entity="payment_plan")
    case_page = client.get(f"/work/cases/{world.case_a}").text
    assert "Telefonat" in case_page and "Zahlungsvereinbarung" in case_page


def test_actions_need_csrf_and_bad_input_is_shown(client, world, sessions):
    token = login(client, "agent@example.org")
    r = client.post(f"/work/cases/{world.case_a}/call", data={"outcome": "reached"})
    assert r.status_code == 400
    r = client.post(
        f"/work/cases/{world.case_a}/promise",
        data={"csrf": token, "amount": "abc", "day": SOON.isoformat()},
    )
    assert r.status_code == 200 and "Bitte einen Betrag angeben" in r.text
    # the CSRF token also works as the header HTMX sends
    r = client.post(
        f"/work/cases/{world.case_a}/call",
        data={"outcome": "not_reached"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_plan_shows_the_cost_notice_before_it_is_saved(client, world, sessions):
    token = login(client, "agent@example.org")
    form = {"csrf": token, "amount": "100,00", "start": SOON.isoformat(), "count": "10"}
    notice = client.post(f"/work/cases/{world.case_a}/plan", data=form)
    assert notice.status_code == 200 and "§ 13a Abs. 3 RDG" in notice.text
    assert "Ratenzahlung über insgesamt 1.000,00 €" in notice.text
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
    saved = client.post(
        f"/work/cases/{world.case_a}/plan", data=form | {"confirm": "yes"}, follow_redirects=False
    )
    assert saved.status_code == 303
    with sessions() as s:
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.kind, plan.count, plan.instalment) == ("plan", 10, D("100.00"))
        assert "§" in plan.cost_notice or "Ratenzahlung" in plan.cost_notice


def test_flags_and_dispute_are_set_and_audited(client, world, sessions):
    token = login(client, "agent@example.org")
    for kind in ("hardship", "do_not_contact"):
        r = client.post(
            f"/work/cases/{world.case_a}/flag",
            data={"csrf": token, "kind": kind, "note": "Anruf"},
            follow_redirects=False,
        )
        assert r.status_code == 303
    r = client.post(
        f"/work/cases/{world.case_a}/flag",
        data={"csrf": token, "kind": "dispute", "note": "Rechnung schon bezahlt"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with sessions() as s:
        flags = {f.kind for f in s.scalars(select(CaseFlag).where(CaseFlag.cleared_at.is_(None)))}
        assert flags == {"hardship", "do_not_contact"}
        dispute = s.scalars(select(Dispute)).one()
        assert dispute.reason == "Rechnung schon bezahlt"
    assert len(audit_rows(sessions, action="set", entity="case_flag")) == 2
    assert audit_rows(sessions, action="create", entity="dispute")
    page = client.get("/work?kind=dispute").text
    assert "Rechnung schon bezahlt" in page
    client.post(f"/work/cases/{world.case_a}/flag/clear", data={"csrf": token, "kind": "hardship"})
    client.post(
        f"/work/disputes/{dispute.id}/resolve",
        data={"csrf": token, "case_id": world.case_a, "resolution": "Zahlung nicht gefunden"},
    )
    with sessions() as s:
        assert s.get(Dispute, dispute.id).status == "resolved"
        assert {
            f.kind for f in s.scalars(select(CaseFlag).where(CaseFlag.cleared_at.is_(None)))
        } == {"do_not_contact"}


def test_team_lead_approves_with_a_reason_and_the_stage_moves(client, world, sessions):
    token = login(client, "lead@example.org")
    url = f"/work/approvals/{world.approval}/decide"
    no_reason = client.post(
        url, data={"csrf": token, "case_id": world.case_a, "decision": "approve", "reason": " "}
    )
    assert "Begründung" in no_reason.text
    with sessions() as s:
        assert s.get(Approval, world.approval).status == "pending"
    client.post(
        url,
        data={
            "csrf": token,
            "case_id": world.case_a,
            "decision": "approve",
            "reason": "Forderung unbestritten",
        },
    )
    with sessions() as s:
        approval = s.get(Approval, world.approval)
        assert (approval.status, approval.decision_reason) == ("approved", "Forderung unbestritten")
        assert s.get(Case, world.case_a).stage == "court_handover"
    assert audit_rows(sessions, action="approve", entity="approval")


def test_an_agent_may_not_decide_and_the_team_lead_sends_back_with_a_reason(
    client, world, sessions
):
    data = {"case_id": world.case_a, "decision": "reject", "reason": "erst prüfen"}
    token = login(client, "agent@example.org")
    client.post(f"/work/approvals/{world.approval}/decide", data={"csrf": token, **data})
    with sessions() as s:
        assert s.get(Approval, world.approval).status == "pending"
    assert not audit_rows(sessions, action="reject", entity="approval")
    client.post("/logout", data={"csrf": token})
    token = login(client, "lead@example.org")
    client.post(f"/work/approvals/{world.approval}/decide", data={"csrf": token, **data})
    with sessions() as s:
        assert s.get(Approval, world.approval).status == "rejected"
        assert s.get(Case, world.case_a).stage == "final_notice"
    assert audit_rows(sessions, action="reject", entity="approval")


def test_close_task(client, world, sessions):
    token = login(client, "agent@example.org")
    with sessions() as s:
        task = s.scalars(select(Task).where(Task.case_id == world.case_b)).one()
    client.post(f"/work/tasks/{task.id}/close", data={"csrf": token, "case_id": world.case_b})
    with sessions() as s:
        assert s.get(Task, task.id).status == "done"


def test_callback_creates_a_phone_task(client, world, sessions):
    token = login(client, "agent@example.org")
    tomorrow = (today_in_germany() + timedelta(days=1)).isoformat()
    client.post(
        f"/work/cases/{world.case_b}/call",
        data={
            "csrf": token,
            "outcome": "callback",
            "next_step": "nach 18 Uhr",
            "next_step_on": tomorrow,
        },
    )
    with sessions() as s:
        codes = [t.code for t in s.scalars(select(Task).where(Task.case_id == world.case_b))]
    assert any(c.startswith("callback:") for c in codes)
