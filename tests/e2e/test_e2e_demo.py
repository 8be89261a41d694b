"""The demo as its users meet it, in a real browser against the real server (a small
``mahnwerk demo``, see ``demo_server``):

- every login that ``mahnwerk demo`` prints lands on its role's start page;
- compliance opens the model's fairness audit report (page and PDF) and the audit trail of a
  case, which names the agent who just read that case;
- after ``mahnwerk bank payout`` the creditor user downloads the settlement of its payout,
  a PDF that names the amount paid out.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from conftest_e2e import DEMO_OUTPUT, screenshot
from pypdf import PdfReader
from sqlalchemy import select

from mahnwerk.bootstrap import build
from mahnwerk.config import load_settings
from mahnwerk.services.actor import START_PAGES, today_in_germany
from mahnwerk.services.admin.demo import CREDITORS, DOMAIN, demo_logins
from mahnwerk.store.models import Case, Creditor

#: the payout account the administrator gives the demo's creditor before the payout
PAYOUT_IBAN = "DE02120300000000202051"
AGENCY_IBAN = "DE89370400440532013000"


@pytest.fixture(scope="module")
def printed_logins(demo_server) -> dict[str, str]:
    """E-mail → password, as ``mahnwerk demo`` printed them."""
    shown = (demo_server.workdir / DEMO_OUTPUT).read_text()
    password = re.search(r"Passwort für alle: (\S+?)\)", shown).group(1)
    emails = re.findall(r"^\s+(\S+@\S+)\s", shown, re.MULTILINE)
    return dict.fromkeys(emails, password)


def sign_in(page, server, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_each_printed_demo_login_lands_on_its_start_page(demo_server, page, printed_logins):
    roles = {login["email"]: login["role"] for login in demo_logins()}
    assert set(printed_logins) == set(roles)
    assert set(roles.values()) == set(START_PAGES)  # every role has a demo login
    for email, password in printed_logins.items():
        sign_in(page, demo_server, email, password)
        start = START_PAGES[roles[email]]
        page.wait_for_url(demo_server.url + start)
        assert page.locator("h1").first.is_visible(), email
        assert page.get_by_role("button", name="Abmelden").is_visible(), email


def _runtime(server):
    return build(load_settings(server.env))


def test_compliance_opens_the_fairness_report_and_a_case_trail(demo_server, page, printed_logins):
    runtime = _runtime(demo_server)
    with runtime.sessions() as s:
        case_id, reference = s.execute(
            select(Case.id, Case.reference).where(Case.status == "open").order_by(Case.id)
        ).first()
    runtime.engine.dispose()
    agent = f"agent@{DOMAIN}"
    sign_in(page, demo_server, agent, printed_logins[agent])
    page.wait_for_url("**/work")
    page.goto(demo_server.url + f"/work/cases/{case_id}")
    assert reference in page.content()

    compliance = f"compliance@{DOMAIN}"
    sign_in(page, demo_server, compliance, printed_logins[compliance])
    page.wait_for_url("**/compliance")
    models = page.locator("section", has=page.get_by_role("heading", name="Modelle"))
    models.get_by_role("link", name="Bericht", exact=True).first.click()
    page.wait_for_url(re.compile(r"/compliance/models/[^/]+$"))
    assert page.locator("h1").inner_text().startswith("Fairness-Prüfung ")
    checks = page.get_by_role("table", name="Kennzahlen und Grenzen")
    assert "Demographic Parity" in checks.inner_text()
    groups = page.get_by_role("table", name="Gruppen").locator("tbody tr")
    attributes = {groups.nth(i).locator("th").inner_text() for i in range(groups.count())}
    assert {"Geschlecht", "Altersgruppe"} <= attributes  # the simulator has no nationality
    screenshot(page, "compliance-fairness-report")
    href = page.get_by_role("link", name="Bericht als PDF").get_attribute("href")
    pdf = page.request.get(demo_server.url + href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert "Fairness" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)

    page.get_by_role("link", name="Compliance").first.click()
    page.get_by_label("Aktenzeichen, Zeichen des Mandanten oder Fallnummer").fill(reference)
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**/compliance/trail?case=*")
    assert reference in page.locator("h1").inner_text()
    rows = page.get_by_test_id("audit-trail").locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    read = [t for t in texts if agent in t and f"gelesen: Fall Nr. {case_id}" in t]
    assert read, texts[:5]
    assert "Sachbearbeitung" in read[0] or "agent" in read[0]
    screenshot(page, "compliance-audit-trail")


def test_creditor_user_downloads_the_settlement_of_a_payout(demo_server, page, printed_logins):
    runtime = _runtime(demo_server)
    name = next(c["name"] for c in CREDITORS if c["key"] == "stadtwerke")
    with runtime.sessions() as s:
        creditor_id = s.scalar(select(Creditor.id).where(Creditor.name == name))
    runtime.engine.dispose()
    done = demo_server.cli("creditor", "set", str(creditor_id), "--payout-iban", PAYOUT_IBAN)
    assert done.returncode == 0, done.stderr
    today = today_in_germany()
    paid = demo_server.cli(
        "bank", "payout", "--from", (today - timedelta(days=3 * 365)).isoformat(),
        "--to", today.isoformat(), "--iban", AGENCY_IBAN, "--name", "Inkasso Nord GmbH",
        "--out", str(demo_server.workdir / "payouts"),
    )  # fmt: skip
    assert paid.returncode == 0, paid.stderr

    user = f"stadtwerke@{DOMAIN}"
    sign_in(page, demo_server, user, printed_logins[user])
    page.wait_for_url("**/portfolio")
    payouts = page.get_by_role("table", name="Auszahlungen und Abrechnungen")
    row = payouts.locator("tbody tr").first
    number = row.locator("th").inner_text()
    net = row.locator("td strong").inner_text()
    assert re.fullmatch(r"MW-PO-\d{6}", number) and net.endswith(" €")
    screenshot(page, "creditor-payouts")
    with page.expect_download() as download:
        row.get_by_role("link", name="Abrechnung (PDF)").click()
    assert download.value.suggested_filename == f"Abrechnung-{number}.pdf"
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert number in text and name in text
    assert net.replace("\xa0", " ") in text.replace("\xa0", " "), (net, text[-600:])
