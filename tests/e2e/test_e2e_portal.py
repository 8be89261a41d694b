"""The debtor portal in a real browser against the real server: a debtor reads the access
code from a generated letter PDF, signs in, sees the statement the ledger computes, agrees
a payment plan inside the creditor's limits, disputes a second case, and the next daily run
leaves that case alone."""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from conftest_e2e import screenshot
from pypdf import PdfReader
from sqlalchemy import select

from mahnwerk.bootstrap import build
from mahnwerk.config import load_settings
from mahnwerk.domain.money import format_eur
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.run import run_day
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Document
from mahnwerk.store.workflow import Dispute, OutboxMessage, PaymentPlan

BERLIN = ZoneInfo("Europe/Berlin")
HANDED_OVER = date(2026, 10, 5)  # a Monday
NEXT_STEP = HANDED_OVER + timedelta(days=14)  # the standard strategy's first dunning letter
CODE = re.compile(r"Zugangscode:\s*([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})")
REFERENCE = re.compile(r"MW-\d{8}-\d{2}")


def _case(s, creditor_id, ref, amount, postcode="80331", first_name="Jürgen"):
    data = cases.CaseInput(
        ref,
        cases.DebtorInput(
            kind="natural",
            consumer=True,
            first_name=first_name,
            last_name="Portalmann",
            birth_date=date(1979, 3, 14),
            street="Hauptstraße 5",
            postcode=postcode,
            city="München" if postcode == "80331" else "Hamburg",
        ),
        (
            cases.ClaimInput(
                invoice_no=f"R-{ref}",
                amount=D(amount),
                default_from=date(2026, 8, 1),
                invoice_date=date(2026, 7, 1),
                due_date=date(2026, 7, 31),
                label="Internet und Telefon, Juli 2026",
            ),
        ),
    )
    case = cases.create_case(s, CLI, creditor_id, data)
    case.created_at = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)
    return case.id


def _letter_text(runtime, sessions, case_id) -> str:
    with sessions() as s:
        (doc,) = s.scalars(
            select(Document).where(Document.case_id == case_id, Document.kind == "letter")
        ).all()
        pdf = (runtime.settings.documents_dir / doc.path).read_bytes()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _sign_in(page, url, reference, code, postcode):
    page.goto(url + "/portal")
    page.get_by_label("Aktenzeichen").fill(reference)
    page.get_by_label("Zugangscode").fill(code)
    page.get_by_label("Ihre Postleitzahl").fill(postcode)
    page.get_by_role("button", name="Vorgang öffnen").click()
    page.wait_for_url("**/portal/case")


def test_debtor_reads_code_from_letter_pays_in_instalments_and_disputes(live_server, page):
    runtime = build(load_settings(live_server.env))
    sessions = runtime.sessions
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Netzwerk Süd GmbH")
        creditor.settings = {
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {
                "holder": "Inkasso Nord GmbH",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
            "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
        }
        first = _case(s, creditor.id, "E2E-PORTAL-1", "840.00")
        second = _case(s, creditor.id, "E2E-PORTAL-2", "310.00")
        control = _case(s, creditor.id, "E2E-PORTAL-3", "420.00", "20095", "Karla")
        assert s.get(Case, first).debtor_id == s.get(Case, second).debtor_id

    summary = run_day(runtime, HANDED_OVER, now=datetime(2026, 10, 5, 10, tzinfo=BERLIN))
    assert summary.delivered.get("letter", 0) >= 3

    # the debtor reads reference and code from the letters, as printed
    letter = _letter_text(runtime, sessions, first)
    reference, code = REFERENCE.search(letter).group(0), CODE.search(letter).group(1)
    second_letter = _letter_text(runtime, sessions, second)
    reference2, code2 = (
        REFERENCE.search(second_letter).group(0),
        CODE.search(second_letter).group(1),
    )
    assert reference != reference2 and code != code2

    page.goto(live_server.url + "/portal")
    screenshot(page, "portal-login")
    _sign_in(page, live_server.url, reference, code, "80331")
    with sessions() as s:
        total = cases.statement(s.get(Case, first), today_in_germany()).totals.total_open
    assert page.get_by_test_id("total-open").inner_text() == format_eur(total)
    assert page.locator("h1").inner_text() == "Ihr Vorgang"
    assert page.get_by_text("Internet und Telefon, Juli 2026").is_visible()
    assert page.locator("#zahlen svg").count() == 1  # the GiroCode
    assert f"EUR{total}" in page.get_by_test_id("epc-payload").text_content()
    letter_link = page.get_by_role("link", name=re.compile(r"^Brief vom 05\.10\.2026"))
    pdf = page.request.get(live_server.url + letter_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    screenshot(page, "portal-case")

    # a plan inside the limits: the costs first, then accepted at once
    amount = D(math.ceil(total / 6 / 10) * 10)  # six instalments, a round amount
    start = today_in_germany() + timedelta(days=10)
    page.get_by_role("navigation", name="Ihr Vorgang").get_by_role(
        "link", name="Raten vorschlagen"
    ).click()
    page.get_by_label("Monatliche Rate in Euro").fill(f"{amount:.2f}".replace(".", ","))
    page.get_by_label("Erste Rate am").fill(start.isoformat())
    screenshot(page, "portal-plan")
    page.get_by_role("button", name="Weiter: Kosten ansehen").click()
    notice = page.get_by_test_id("cost-notice").inner_text()
    assert "Einigungsgebühr" in notice and "Verzugszinsen" in notice
    with sessions() as s:
        assert s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == first)).all() == []
    screenshot(page, "portal-plan-costs")
    page.get_by_label("Ich habe die Kosten der Ratenzahlung gelesen.").check()
    page.get_by_role("button", name="Ratenzahlung verbindlich vorschlagen").click()
    assert page.get_by_test_id("plan-result").inner_text() == "Ihre Ratenzahlung ist vereinbart."
    screenshot(page, "portal-plan-accepted")
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == first)).all()
        assert plan.status == "active" and plan.instalment == amount
        assert plan.count == math.ceil(total / amount) <= 12

    # the same debtor disputes the second case with that letter's code
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/portal?bye=1")
    _sign_in(page, live_server.url, reference2, code2, "80331")
    page.get_by_role("navigation", name="Ihr Vorgang").get_by_role(
        "link", name="Widerspruch oder Härtefall"
    ).click()
    page.get_by_label(re.compile("^Widerspruch")).check()
    page.get_by_label("Ihre Begründung").fill(
        "Den Vertrag habe ich im Juni gekündigt; die Rechnung für Juli ist falsch."
    )
    screenshot(page, "portal-dispute")
    page.get_by_role("button", name="Absenden").click()
    assert page.get_by_role("status").first.inner_text().startswith("Ihr Widerspruch ist")
    screenshot(page, "portal-disputed")
    with sessions() as s:
        (dispute,) = s.scalars(select(Dispute).where(Dispute.case_id == second)).all()
        assert dispute.status == "open"

    # a phone-sized view of the overview
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/portal/case")
    screenshot(page, "portal-case-phone")

    # the next step of the strategy is due: the disputed case is left alone
    run_day(runtime, NEXT_STEP, now=datetime(2026, 10, 19, 10, tzinfo=BERLIN))
    with sessions() as s:

        def messages(case_id):
            return s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.case_id == case_id, OutboxMessage.run_date == NEXT_STEP
                )
            ).all()

        assert messages(second) == []
        assert messages(control), "the undisputed control case gets its next letter"
    runtime.engine.dispose()
