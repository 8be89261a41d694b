"""The agent workspace and the creditor view in a real browser against the real server:
an agent works a call and records a promise, a team lead (compliance) approves a court
step, a creditor sees only their own cases. Screenshots go to test-artifacts/screenshots."""

from __future__ import annotations

import json
import re
import sys
import uuid
from datetime import timedelta

import pytest
from conftest_e2e import screenshot

from mahnwerk.services.actor import today_in_germany

PASSWORD = "e2e-ein-langes-passwort"

SETUP = r"""
import json, sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from sqlalchemy import select
from mahnwerk.bootstrap import build
from mahnwerk.services import cases
from mahnwerk.services.workspace import workflow
from mahnwerk.services.actor import CLI
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor
from mahnwerk.store.workflow import CaseStrategy

tag, today = sys.argv[1], date.fromisoformat(sys.argv[2])
rt = build()
out = {}
with transaction(rt.sessions) as s:
    for key, name, last, amount in (("a", f"Stadtwerke {tag}", "Müller", "982.00"),
                                    ("b", f"Fitness {tag}", "Schmidt", "2500.00")):
        creditor = s.scalar(select(Creditor).where(Creditor.name == name))
        creditor.settings = {"plan_limits": {"max_months": 12, "min_instalment": "50.00"}}
        debtor = cases.DebtorInput(kind="natural", consumer=True, first_name="Jürgen",
            last_name=f"{last} {tag}", birth_date=date(1980, 5, 17), street="Hauptstraße 5",
            postcode="80331", city="München", phone="0151 2345678")
        claim = cases.ClaimInput(invoice_no=f"R-{tag}-{key}", amount=D(amount),
            default_from=date(2025, 2, 15), invoice_date=date(2025, 1, 15), label="Stromlieferung")
        case = cases.create_case(s, CLI, creditor.id, cases.CaseInput(f"{key.upper()}-{tag}", debtor, (claim,)))
        case.created_at = datetime.now(UTC) - timedelta(days=60)
        case.stage = "final_notice"
        s.add(CaseStrategy(case_id=case.id, strategy_name="standard", strategy_version=1,
            step_index=5, stage_since=today - timedelta(days=30), first_contact_done=True,
            updated_at=datetime.now(UTC)))
        workflow.add_task(s, case.id, "phone_call", f"e2e:{tag}", "Schuldner anrufen (e2e)")
        out[key] = case.id
        out["creditor_" + key] = creditor.id
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def world(live_server):
    import subprocess

    tag = uuid.uuid4().hex[:6]
    ids = {}
    for key, name in (("a", f"Stadtwerke {tag}"), ("b", f"Fitness {tag}")):
        r = live_server.cli("creditor", "add", name)
        assert r.returncode == 0, r.stderr
        ids[key] = int(re.search(r"\d+", r.stdout).group())
    users = {
        "agent": (f"agent-{tag}@example.org", "agent", None),
        "lead": (f"lead-{tag}@example.org", "teamlead", None),
        "creditor": (f"mandant-{tag}@example.org", "creditor", ids["a"]),
    }
    for email, role, cid in users.values():
        args = ["user", "add", email, "--role", role, "--password-stdin"]
        if cid is not None:
            args += ["--creditor", str(cid)]
        r = live_server.cli(*args, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
    today = today_in_germany()
    r = subprocess.run(
        [sys.executable, "-c", SETUP, tag, today.isoformat()],
        env=live_server.env,
        cwd=live_server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    cases = json.loads(r.stdout.strip().splitlines()[-1])
    run = live_server.cli("run", "--date", today.isoformat())
    assert run.returncode == 0, run.stderr + run.stdout
    return {"tag": tag, "users": {k: v[0] for k, v in users.items()}, **cases}


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_agent_works_a_call_and_records_a_promise(live_server, page, world):
    sign_in(page, live_server, world["users"]["agent"])
    page.wait_for_url("**/work")
    assert page.locator("h1").inner_text() == "Arbeitsliste"
    assert page.locator(f'a[href="/work/cases/{world["a"]}"]').first.is_visible()
    screenshot(page, "work-queue")
    page.get_by_label("Art").select_option("approval")  # HTMX swaps the list
    page.wait_for_url("**/work?kind=approval*")
    page.locator(f'a[href="/work/cases/{world["a"]}"]').first.click()
    page.wait_for_url(f"**/work/cases/{world['a']}")
    assert "Forderungsaufstellung" in page.content()
    screenshot(page, "case-page")
    page.get_by_role("link", name="Anruf starten").first.click()
    page.wait_for_url(f"**/work/cases/{world['a']}/call")
    sentence = page.locator("#owed-sentence").inner_text()
    assert sentence.startswith("Offen sind ") and f"R-{world['tag']}-a vom 15.01.2025" in sentence
    assert "§ 13a Abs. 3 RDG" in page.content() and "§ 13a Abs. 4 RDG" in page.content()
    screenshot(page, "call-view")
    page.get_by_label("Zahlungsversprechen", exact=True).check()
    page.get_by_label("Was der Schuldner gesagt hat (intern)").fill("zahlt am Monatsende")
    page.get_by_label("Betrag (€)").fill("200,00")
    page.get_by_label("Zahlung bis").fill((today_in_germany() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Telefonat speichern").click()
    page.get_by_text("Telefonat und Zahlungsversprechen gespeichert").wait_for()
    assert "zahlt am Monatsende" in page.content()
    page.goto(live_server.url + f"/work/cases/{world['a']}")
    timeline = page.locator("ol.timeline").inner_text()
    assert "Zahlungsversprechen" in timeline and "Telefonat" in timeline
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + f"/work/cases/{world['a']}/call")
    screenshot(page, "call-view-phone")


def test_team_lead_approves_a_court_step(live_server, page, world):
    sign_in(page, live_server, world["users"]["lead"])
    page.wait_for_url("**/lead")
    page.goto(live_server.url + f"/work/cases/{world['b']}")
    approvals = page.locator("#approvals")
    assert "Gerichtliches Mahnverfahren" in approvals.inner_text()
    approvals.get_by_label("Begründung (Pflicht, wird protokolliert)").first.fill(
        "Forderung unbestritten, Mahnbescheid sinnvoll"
    )
    approvals.get_by_role("button", name="Freigeben").first.click()
    page.get_by_text("Freigegeben. Der Fall ist in die neue Stufe gewechselt.").wait_for()
    meta = page.locator("p.meta").inner_text()
    assert "Gerichtliches Mahnverfahren" in meta
    assert "Forderung unbestritten" in page.locator("#approvals").inner_text()


def test_creditor_sees_only_their_own_cases(live_server, page, world):
    sign_in(page, live_server, world["users"]["creditor"])
    page.wait_for_url("**/portfolio")
    content = page.content()
    assert f"/portfolio/cases/{world['a']}" in content
    assert f"/portfolio/cases/{world['b']}" not in content and "Schmidt" not in content
    screenshot(page, "portfolio")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "portfolio-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(f'a[href="/portfolio/cases/{world["a"]}"]').click()
    assert "Forderungsaufstellung" in page.content()
    response = page.goto(live_server.url + f"/portfolio/cases/{world['b']}")
    assert response.status == 404
    assert "nicht sehen" in page.content()
    assert page.goto(live_server.url + "/work").status == 404
