"""Enforcement in a real browser against the real server: an agent proposes a wage
garnishment (PfÜB) on the enforcement page of a titled case, a team lead approves it with a
reason, and the filled form downloads as a PDF naming the employer and the title."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D

from conftest_e2e import screenshot
from pypdf import PdfReader

from mahnwerk.bootstrap import build
from mahnwerk.config import load_settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.enforcement import measures
from mahnwerk.services.enforcement.titles import add_title
from mahnwerk.store.db import transaction

PASSWORD = "ein-langes-passwort"


def _seed(live_server) -> int:
    runtime = build(load_settings(live_server.env))
    with transaction(runtime.sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Versorger West GmbH")
        creditor.settings = {"address": "Rheinufer 2, 40213 Düsseldorf"}
        accounts.add_user(s, CLI, "zv-agent@example.org", PASSWORD, "agent")
        accounts.add_user(s, CLI, "zv-lead@example.org", PASSWORD, "teamlead")
        debtor = cases.DebtorInput(
            kind="natural", consumer=True, first_name="Petra", last_name="Vollstreck",
            birth_date=date(1975, 8, 30), street="Kölner Straße 12", postcode="40211",
            city="Düsseldorf",
        )  # fmt: skip
        claim = cases.ClaimInput("R-ZV-1", D("1480.00"), date(2024, 11, 1))
        case = cases.create_case(s, CLI, creditor.id, cases.CaseInput("E2E-ZV-1", debtor, (claim,)))
        add_title(
            s, CLI, case.id, kind="vollstreckungsbescheid", court="Amtsgericht Euskirchen",
            file_no="25-7654321-0-9", issued=date(2025, 4, 2), final=date(2025, 4, 22),
            interest="statutory", costs=D("112.35"),
        )  # fmt: skip
        measures.add_employer(
            s, CLI, case.id, "Rheinlogistik AG", address="Hafenweg 8, 40221 Düsseldorf",
            net_income=D("2860.00"), dependants=0,
        )  # fmt: skip
        return case.id


def _login(page, url, email, landing="**/work"):
    page.goto(url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(landing)


def test_agent_proposes_a_pfueb_lead_approves_and_the_pdf_downloads(live_server, page, tmp_path):
    case_id = _seed(live_server)
    url = live_server.url

    _login(page, url, "zv-agent@example.org")
    page.goto(f"{url}/work/cases/{case_id}")
    page.get_by_role("link", name="Vollstreckung").click()
    page.wait_for_url(f"**/work/cases/{case_id}/enforcement")
    proposal = page.locator("#proposal")
    assert "Lohnpfändung" in proposal.inner_text()
    assert "Arbeitgeber bekannt: Rheinlogistik AG" in proposal.inner_text()
    page.get_by_role("button", name="Zur Freigabe vorschlagen").click()
    page.wait_for_selector("p.flash")
    assert "Zur Freigabe vorgeschlagen" in page.locator("p.flash").inner_text()
    assert "Vorschau des Formulars" in page.content()
    screenshot(page, "enforcement-proposed")
    page.get_by_role("button", name="Abmelden").click()

    _login(page, url, "zv-lead@example.org", landing="**/lead*")  # a team lead lands there
    page.goto(f"{url}/work/cases/{case_id}/enforcement")
    measures_box = page.locator("#measures")
    measures_box.get_by_label("Begründung").fill("Arbeitgeber laut Auskunft bestätigt")
    measures_box.get_by_role("button", name="Freigeben").click()
    page.wait_for_selector("p.flash")
    assert "Freigegeben" in page.locator("p.flash").inner_text()
    screenshot(page, "enforcement-approved")
    with page.expect_download() as info:
        page.get_by_role("link", name="Formular (PDF) herunterladen").click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.suffix == ".pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Antrag auf Erlass eines Pfändungsbeschlusses" in text
    assert "Rheinlogistik AG" in text and "Hafenweg 8, 40221 Düsseldorf" in text
    assert "25-7654321-0-9" in text and "Petra Vollstreck" in text
    assert (
        "Aufstellung von Forderungen, die keine gesetzlichen Unterhaltsansprüche sind"
        in " ".join(text.split())
    )
