"""The staff API upload of court replies, and the court pages in-process: preparing from the
case page, the application exactly as filed, the approval queue (four-eyes, the digest of
what was shown, sending back), role checks."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from court_support import case_ref, court_file, make_case, make_creditor, msg_service
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.api import create_app
from mahnwerk.asgi import create_asgi_app
from mahnwerk.services.actor import CLI, Actor, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.court import export as court_export
from mahnwerk.services.court import prepare as court
from mahnwerk.services.workspace import workflow
from mahnwerk.store.court import CourtProcedure
from mahnwerk.store.db import transaction
from mahnwerk.store.workflow import Approval

PASSWORD = "ein-langes-passwort"


@pytest.fixture
def people(sessions) -> dict[str, str]:
    keys = {}
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Versand Süd")
        for email, role, cid in (
            ("agent@inkasso.example", "agent", None),
            ("lead@inkasso.example", "teamlead", None),
            ("mandant@example.org", "creditor", creditor.id),
        ):
            accounts.add_user(s, CLI, email, PASSWORD, role, cid)
        keys["staff"] = accounts.create_staff_api_key(
            s, CLI, "agent@inkasso.example", scopes=("read", "cases")
        ).key
        keys["creditor"] = accounts.create_api_key(s, CLI, creditor.id).key
    return keys


def filed(runtime, sessions) -> CourtProcedure:
    case_id = make_case(sessions, make_creditor(sessions))
    agent, lead = Actor("user", "91", "agent"), Actor("user", "92", "teamlead")
    day = today_in_germany() - timedelta(days=10)
    with transaction(sessions) as s:
        p = court.prepare(s, agent, case_id, today=day)
        workflow.approve(s, lead, p.approval_id, "ok", today=day)
    with transaction(sessions) as s:
        court_export.export(s, lead, runtime.settings, today=day)
    with transaction(sessions) as s:
        court_export.deliver(s)
        return s.scalars(select(CourtProcedure)).one()


def test_replies_through_the_staff_api(runtime, sessions, people):
    p = filed(runtime, sessions)
    api = TestClient(create_app(runtime))
    served = today_in_germany() - timedelta(days=3)  # the upload moves time-bound steps too
    data = court_file("05", [msg_service(p.tgz, "26123456701", 5, served)], framing="crlf")

    def upload(key, body):
        return api.post("/api/v1/court/replies", files={"file": ("Z.EDA", body)},
                        headers={"Authorization": f"Bearer {key}"})  # fmt: skip

    assert upload(people["creditor"], data).status_code == 403
    r = upload(people["staff"], data)
    assert r.status_code == 200, r.text
    assert r.json()["applied"][0].endswith(f"Mahnbescheid zugestellt am {served:%d.%m.%Y}: die "
        "Widerspruchsfrist von zwei Wochen und die Sechsmonatsfrist des § 701 ZPO laufen.")  # fmt: skip
    assert upload(people["staff"], data).json()["already_imported"] is True
    broken = upload(people["staff"], data[:-5])
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("application/problem+json")
    assert "kein Vielfaches von 128" in broken.json()["detail"]
    with sessions() as s:
        assert s.get(CourtProcedure, p.id).state == "served"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, email: str) -> str:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return csrf_of(client.get("/login").text)


def test_prepare_review_and_approve_on_the_pages(runtime, sessions, people):
    case_id = make_case(sessions, make_creditor(sessions))
    ref = case_ref(sessions, case_id)
    with TestClient(create_asgi_app(runtime)) as web:
        token = login(web, "agent@inkasso.example")
        page = web.get(f"/work/cases/{case_id}")
        assert "Gerichtliches Mahnverfahren" in page.text
        assert f'href="/work/cases/{case_id}/court"' in page.text
        preview = web.get(f"/work/cases/{case_id}/court")
        assert preview.status_code == 200
        for text in ("Der Antrag, wie er eingereicht wird", "Amtsgericht Uelzen (29525 Uelzen)",
                     "Katalog-Nr. 43 Warenlieferung/-en", "Rechnung R-1 vom 01.11.2025",
                     "5 Prozentpunkte über dem Basiszinssatz aus 1.250,00 € seit 16.11.2025",
                     "Amtsgericht 80331 München", "Gegenleistung ab, die erbracht ist"):  # fmt: skip
            assert text in preview.text, text
        r = web.post(f"/work/cases/{case_id}/court/prepare", data={"csrf": token},
                     follow_redirects=False)  # fmt: skip
        assert r.status_code == 303 and r.headers["location"].startswith("/work/court/")
        procedure_page = web.get(r.headers["location"])
        assert "Vier-Augen-Prinzip" in procedure_page.text  # the agent prepared it
        assert "wartet auf Freigabe" in procedure_page.text

        token = login(web, "lead@inkasso.example")
        queue = web.get("/work/approvals")
        assert queue.status_code == 200 and ref in queue.text
        assert "Katalog-Nr. 43 Warenlieferung/-en" in queue.text
        with sessions() as s:
            approval = s.scalars(select(Approval)).one()
            digest = s.scalars(select(CourtProcedure)).one().application_digest
        assert f'name="digest" value="{digest}"' in queue.text
        stale = web.post(f"/work/approvals/{approval.id}/decide", data={
            "csrf": token, "case_id": case_id, "decision": "approve", "reason": "geprüft",
            "digest": "0" * 64, "back": "queue"})  # fmt: skip
        assert "der Antrag hat sich geändert" in stale.text
        done = web.post(f"/work/approvals/{approval.id}/decide", data={
            "csrf": token, "case_id": case_id, "decision": "approve", "reason": "geprüft",
            "digest": digest, "back": "queue"}, follow_redirects=False)  # fmt: skip
        assert done.headers["location"] == "/work/approvals"
        assert "Keine offenen Freigaben." in web.get("/work/approvals").text
    with sessions() as s:
        p = s.scalars(select(CourtProcedure)).one()
        assert (p.state, p.approved_by) == ("approved", p.approved_by)
        assert p.prepared_by != p.approved_by


def test_sending_back_and_roles(runtime, sessions, people):
    case_id = make_case(sessions, make_creditor(sessions))
    with transaction(sessions) as s:
        p = court.prepare(s, Actor("user", "91", "agent"), case_id, today=date(2026, 3, 2))
        approval_id, procedure_id = p.approval_id, p.id
    with TestClient(create_asgi_app(runtime)) as web:
        login(web, "mandant@example.org")
        for path in (
            "/work/approvals",
            f"/work/court/{procedure_id}",
            f"/work/cases/{case_id}/court",
        ):
            assert web.get(path).status_code == 404, path
        token = login(web, "lead@inkasso.example")
        web.post(f"/work/approvals/{approval_id}/decide", data={
            "csrf": token, "case_id": case_id, "decision": "reject",
            "reason": "Anschrift erst prüfen", "back": f"court:{procedure_id}"})  # fmt: skip
        page = web.get(f"/work/court/{procedure_id}")
        assert "Mahnbescheid zurückgegeben" in page.text
        assert "Zurückgegeben: Anschrift erst prüfen" in page.text
        # the case page offers to prepare again
        assert f'href="/work/cases/{case_id}/court"' in web.get(f"/work/cases/{case_id}").text
