"""A team lead and an agent take a case to court in a real browser against the real server:
the agent prepares the Mahnbescheid from the case page and sees the application as it will be
filed; the team lead reviews it in the approval queue and approves it; the operator's export
then writes the EDA file. Screenshots go to test-artifacts/screenshots."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from conftest_e2e import screenshot

PASSWORD = "e2e-ein-langes-passwort"

SETUP = r"""
import json, sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from sqlalchemy import select
from mahnwerk.bootstrap import build
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor

tag = sys.argv[1]
rt = build()
with transaction(rt.sessions) as s:
    creditor = s.scalar(select(Creditor).where(Creditor.name == f"Versand {tag} GmbH"))
    creditor.settings = {"court": {
        "legal_form": "GmbH", "street": "Ballindamm 17", "postcode": "20095", "city": "Hamburg",
        "land": "HH", "counter_performance": "rendered",
        "representatives": [{"function": "Geschäftsführerin", "name": "Dr. Hanna Berg"}],
        "catalogue": {"nr": 43, "document": "Rechnung"}}}
    debtor = cases.DebtorInput(kind="natural", consumer=True, first_name="Jürgen",
        last_name=f"Weiß {tag}", birth_date=date(1980, 5, 17), street="Hauptstraße 5",
        postcode="80331", city="München")
    claim = cases.ClaimInput(invoice_no=f"R-{tag}", amount=D("1250.00"),
        default_from=date(2025, 11, 16), invoice_date=date(2025, 11, 1),
        due_date=date(2025, 11, 15), label="Warenlieferung")
    case = cases.create_case(s, CLI, creditor.id, cases.CaseInput(f"G-{tag}", debtor, (claim,)))
    case.created_at = datetime.now(UTC) - timedelta(days=90)
    s.flush()
    print(json.dumps({"case": case.id, "reference": case.reference}))
"""


@pytest.fixture(scope="module")
def court_world(live_server):
    tag = uuid.uuid4().hex[:6]
    r = live_server.cli("creditor", "add", f"Versand {tag} GmbH")
    assert r.returncode == 0, r.stderr
    users = {"agent": f"agent-court-{tag}@example.org", "lead": f"lead-court-{tag}@example.org"}
    for key, role in (("agent", "agent"), ("lead", "teamlead")):
        r = live_server.cli("user", "add", users[key], "--role", role, "--password-stdin",
                            stdin=PASSWORD + "\n")  # fmt: skip
        assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [sys.executable, "-c", SETUP, tag],
        env=live_server.env,
        cwd=live_server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return {"tag": tag, "users": users, **json.loads(r.stdout.strip().splitlines()[-1])}


def sign_in(page, live_server, email, landing="**/work"):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(landing)


def test_prepare_review_and_approve_a_mahnbescheid(live_server, browser, court_world):
    case_id, reference = court_world["case"], court_world["reference"]

    # the agent prepares it from the case page
    agent = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    agent.set_default_timeout(60000)
    sign_in(agent, live_server, court_world["users"]["agent"])
    agent.goto(live_server.url + f"/work/cases/{case_id}")
    court = agent.locator("#court")
    assert "Gerichtliches Mahnverfahren" in court.inner_text()
    court.get_by_role("link", name="Mahnbescheid vorbereiten").click()
    agent.wait_for_url(f"**/work/cases/{case_id}/court")
    application = agent.get_by_test_id("application")
    text = application.inner_text()
    for expected in ("Amtsgericht Hamburg-Altona (22765 Hamburg)", "Katalog-Nr. 43",
                     "5 Prozentpunkte über dem Basiszinssatz aus 1.250,00 € seit 16.11.2025",
                     f"Jürgen Weiß {court_world['tag']}", "Amtsgericht 80331 München",
                     "1.250,00 €"):  # fmt: skip
        assert expected in text, expected
    screenshot(agent, "court-prepare")
    agent.get_by_role("button", name="Mahnbescheid vorbereiten und zur Freigabe geben").click()
    agent.wait_for_url("**/work/court/*")
    agent.get_by_text(
        "Mahnbescheid vorbereitet: er wartet auf die Freigabe der Teamleitung."
    ).wait_for()
    assert "Vier-Augen-Prinzip" in agent.content()  # the agent cannot approve it
    screenshot(agent, "court-prepared")
    agent.context.close()

    # the team lead reviews it in the approval queue and approves it
    lead = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    lead.set_default_timeout(60000)
    sign_in(lead, live_server, court_world["users"]["lead"], landing="**/lead")
    lead.get_by_role("link", name="Freigaben", exact=True).click()
    lead.wait_for_url("**/work/approvals")
    item = lead.locator("article", has_text=reference)
    assert "Mahnbescheid gegen Jürgen Weiß" in item.inner_text()
    details = item.locator("details")
    if details.get_attribute("open") is None:  # only the queue's first application is open
        details.locator("summary").click()
    assert "Katalog-Nr. 43" in item.get_by_test_id("application").inner_text()
    screenshot(lead, "court-approval-queue")
    item.get_by_label("Begründung (Pflicht, wird protokolliert)").fill(
        "Forderung belegt, Anschrift aktuell"
    )
    item.get_by_role("button", name="Freigeben").click()
    lead.wait_for_url("**/work/approvals")
    lead.get_by_text("Freigegeben.", exact=False).first.wait_for()
    assert lead.locator("article", has_text=reference).count() == 0
    lead.goto(live_server.url + f"/work/cases/{case_id}")
    assert "Mahnbescheid freigegeben, wartet auf Ausgabe" in lead.locator("#court").inner_text()
    screenshot(lead, "court-approved-case")
    lead.context.close()

    # the operator writes the file for the beA/EGVP client
    env = {**live_server.env, "MAHNWERK_EDA_KENNZIFFER": "07774512"}
    r = subprocess.run(
        [sys.executable, "-m", "mahnwerk.cli", "court", "export"],
        env=env, cwd=live_server.workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "(1 Anträge, Satzart 01)" in r.stdout
