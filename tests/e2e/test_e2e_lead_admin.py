"""A team lead and an administrator at work in a real browser against the real server:

- the team lead lands on the team-lead page, sees the open approvals with their counts,
  approves one and sends another back, each with a reason;
- the administrator lands on the administration page, creates a creditor with its address
  and payment account on the creditor page, and the next daily run (``mahnwerk run``) writes
  that creditor's letter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from conftest_e2e import screenshot

PASSWORD = "ein-langes-passwort"

SETUP = r"""
import json, sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from mahnwerk.bootstrap import build
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor
from mahnwerk.store.workflow import Approval, CaseStrategy

creditor_id, tag, with_approvals = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
runtime = build()
out = {}
with transaction(runtime.sessions) as s:
    for n, stage in enumerate(("write_off", "credit_bureau_report")):
        debtor = cases.DebtorInput(kind="natural", consumer=True, first_name="Erika",
            last_name=f"Brief{n} {tag}", birth_date=date(1975, 3, 1),
            street="Lindenallee 2", postcode="04109", city="Leipzig")
        claim = cases.ClaimInput(invoice_no=f"R-{tag}-{n}", amount=D("320.00"),
            default_from=date(2025, 10, 1), invoice_date=date(2025, 9, 1),
            due_date=date(2025, 9, 30), label="Warenlieferung")
        case = cases.create_case(s, CLI, creditor_id, cases.CaseInput(f"E-{tag}-{n}", debtor, (claim,)))
        out[stage] = case.reference
        if with_approvals:
            s.add(CaseStrategy(case_id=case.id, strategy_name="standard", strategy_version=1,
                step_index=8, stage_since=date(2026, 1, 1), updated_at=datetime.now(UTC)))
            case.stage = "final_notice"
            s.add(Approval(case_id=case.id, step_index=9, stage=stage, strategy_name="standard",
                strategy_version=1, reason=f"Vorschlag {stage}", status="pending",
                requested_at=datetime.now(UTC) - timedelta(days=1)))
print(json.dumps(out))
"""


def setup_cases(live_server, creditor_id: int, tag: str, approvals: bool) -> dict[str, str]:
    r = subprocess.run(
        [sys.executable, "-c", SETUP, str(creditor_id), tag, "1" if approvals else "0"],
        env=live_server.env,
        cwd=live_server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def people(live_server):
    tag = uuid.uuid4().hex[:6]
    users = {role: f"{role}-{tag}@example.org" for role in ("teamlead", "admin")}
    for role, email in users.items():
        r = live_server.cli("user", "add", email, "--role", role, "--password-stdin",
                            stdin=PASSWORD + "\n")  # fmt: skip
        assert r.returncode == 0, r.stderr
    return {"tag": tag, **users}


def sign_in(page, live_server, email, landing):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(landing)


def test_team_lead_approves_one_proposal_and_sends_another_back(live_server, page, people):
    tag = people["tag"]
    r = live_server.cli("creditor", "add", f"Handel {tag} GmbH")
    assert r.returncode == 0, r.stderr
    refs = setup_cases(live_server, int(r.stdout.strip()), tag, approvals=True)

    sign_in(page, live_server, people["teamlead"], "**/lead")
    assert page.get_by_role("heading", name="Teamleitung", exact=True).is_visible()
    write_off = page.locator("article", has_text=refs["write_off"])
    bureau = page.locator("article", has_text=refs["credit_bureau_report"])
    assert "Vorschlag write_off" in write_off.inner_text()
    screenshot(page, "lead-approvals")

    write_off.get_by_label("Begründung (Pflicht, wird protokolliert)").fill(
        "Schuldner verstorben, Nachlass überschuldet"
    )
    write_off.get_by_role("button", name="Freigeben").click()
    page.wait_for_url("**/lead*")
    page.get_by_text("Freigegeben.", exact=False).first.wait_for()
    assert page.locator("article", has_text=refs["write_off"]).count() == 0

    bureau = page.locator("article", has_text=refs["credit_bureau_report"])
    bureau.get_by_label("Begründung (Pflicht, wird protokolliert)").fill(
        "Forderung ist bestritten, erst klären"
    )
    bureau.get_by_role("button", name="Zurückgeben").click()
    page.wait_for_url("**/lead*")
    page.get_by_text("Zurückgegeben.", exact=False).first.wait_for()
    assert page.locator("article", has_text=refs["credit_bureau_report"]).count() == 0
    screenshot(page, "lead-after-decisions")

    listed = live_server.cli("approvals", "list")
    assert refs["write_off"] not in listed.stdout
    assert refs["credit_bureau_report"] not in listed.stdout
    # the team lead may not open the administrator's pages
    assert page.goto(live_server.url + "/admin").status == 404


def test_administrator_creates_a_creditor_whose_letters_go_out(live_server, page, people):
    tag = people["tag"]
    sign_in(page, live_server, people["admin"], "**/admin")
    assert page.get_by_role("heading", name="Verwaltung", exact=True).is_visible()
    page.goto(live_server.url + "/admin/creditors/new")
    name = f"Gärtnerei {tag} GmbH"
    page.locator("#c-name").fill(name)
    page.locator("#c-address").fill("Gartenweg 7 04109 Leipzig")  # no comma: refused
    page.locator("#c-holder").fill(name)
    page.locator("#c-iban").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_role("button", name="Mandanten anlegen").click()
    assert page.locator("#c-address-error").is_visible()
    page.locator("#c-address").fill("Gartenweg 7, 04109 Leipzig")
    page.get_by_role("button", name="Mandanten anlegen").click()
    page.get_by_text("Mandant angelegt.").wait_for()
    assert page.get_by_test_id("creditor-complete").is_visible()
    screenshot(page, "admin-creditor-created")
    creditor_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])

    refs = setup_cases(live_server, creditor_id, tag, approvals=False)
    run = live_server.cli("run")
    assert run.returncode == 0, run.stderr
    assert f"Mandant {creditor_id} " not in run.stderr  # no warning about this creditor
    shown = live_server.cli("creditor", "show", str(creditor_id), "--format", "json")
    assert json.loads(shown.stdout)["letters_blocked"] is False

    check = subprocess.run(
        [sys.executable, "-c", LETTERS, str(creditor_id)],
        env=live_server.env, cwd=live_server.workdir, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    letters = json.loads(check.stdout.strip().splitlines()[-1])
    assert letters["sent"] == len(refs) and letters["documents"] == len(refs), letters


LETTERS = r"""
import json, sys
from sqlalchemy import select
from mahnwerk.bootstrap import build
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import OutboxMessage
runtime = build()
with runtime.sessions() as s:
    rows = s.execute(select(OutboxMessage.status, OutboxMessage.document_id, OutboxMessage.error)
        .join(Case, Case.id == OutboxMessage.case_id)
        .where(Case.creditor_id == int(sys.argv[1]), OutboxMessage.channel == "letter")).all()
print(json.dumps({"sent": sum(r[0] == "sent" for r in rows),
    "documents": sum(r[1] is not None for r in rows), "errors": [r[2] for r in rows if r[2]]}))
"""
