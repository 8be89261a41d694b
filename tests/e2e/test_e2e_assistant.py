"""The portal assistant in a real browser on a phone-sized screen, against the real server:
a debtor signs in, asks what is owed (the answer equals the statement), asks for
instalments, reads the offer with its cost notice and accepts it – all without a page
reload (HTMX) – and the plan is stored inside the creditor's limits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

from conftest_e2e import screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from mahnwerk.bootstrap import build
from mahnwerk.config import load_settings
from mahnwerk.domain.money import format_eur
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import PaymentPlan

PHONE = {"width": 390, "height": 844}
#: the server trains its intent model at its first start; the first answer may wait for it
FIRST_ANSWER_MS = 240_000


def _case(s, creditor_id):
    data = cases.CaseInput(
        "E2E-ASSISTANT-1",
        cases.DebtorInput(
            kind="natural",
            consumer=True,
            first_name="Aylin",
            last_name="Chatfrau",
            birth_date=date(1988, 6, 2),
            street="Lindenstraße 3",
            postcode="28195",
            city="Bremen",
        ),
        (
            cases.ClaimInput(
                invoice_no="R-E2E-A",
                amount=D("612.40"),
                default_from=date(2026, 8, 1),
                invoice_date=date(2026, 7, 1),
                label="Mobilfunkvertrag, Juli 2026",
            ),
        ),
    )
    return cases.create_case(s, CLI, creditor_id, data).id


def test_a_debtor_asks_the_balance_asks_for_instalments_and_accepts_on_a_phone(live_server, page):
    runtime = build(load_settings(live_server.env))
    with transaction(runtime.sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Funk Nord GmbH")
        creditor.settings = {
            "payment_account": {
                "holder": "Inkasso Nord GmbH",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
            "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
        }
        case_id = _case(s, creditor.id)
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, live_server.env["MAHNWERK_SECRET_KEY"], case_id)

    page.set_viewport_size(PHONE)  # the page fixture fails the test on any CSP violation
    page.set_default_timeout(60000)
    page.goto(live_server.url + "/portal")
    page.get_by_label("Aktenzeichen").fill(reference)
    page.get_by_label("Zugangscode").fill(code)
    page.get_by_label("Ihre Postleitzahl").fill("28195")
    page.get_by_role("button", name="Vorgang öffnen").click()
    page.wait_for_url("**/portal/case")
    page.get_by_role("navigation", name="Ihr Vorgang").get_by_role(
        "link", name="Fragen an den Assistenten"
    ).click()
    page.wait_for_url("**/portal/assistant")
    assert page.get_by_text("Computerprogramm, kein Mensch").is_visible()
    page.evaluate("window.__noReload = 'still here'")  # gone if the page reloaded

    # 1. the balance, equal to the statement
    page.get_by_label("Ihre Nachricht").fill("Wie viel muss ich noch zahlen?")
    page.get_by_role("button", name="Senden").click()
    answers = page.get_by_test_id("msg-assistant")
    answers.filter(has_text="insgesamt").wait_for(timeout=FIRST_ANSWER_MS)
    with runtime.sessions() as s:
        total = cases.statement(s.get(Case, case_id), today_in_germany()).totals.total_open
    balance = answers.filter(has_text="insgesamt").inner_text()
    assert f"insgesamt {format_eur(total)} offen" in balance
    expect(page.get_by_label("Ihre Nachricht")).to_have_value("")  # the form was reset
    screenshot(page, "assistant-phone-balance")

    # 2. instalments: an offer with the § 13a Abs. 3 RDG notice
    page.get_by_label("Ihre Nachricht").fill("Kann ich in Raten zahlen?")
    page.get_by_role("button", name="Senden").click()
    offer = answers.filter(has_text="§ 13a Abs. 3 RDG")
    offer.wait_for()
    terms = re.search(r"(\d+) Monatsraten zu ([\d.]+,\d{2}) €", offer.inner_text())
    count, amount = int(terms.group(1)), D(terms.group(2).replace(".", "").replace(",", "."))
    assert count <= 12 and amount >= D("25.00")
    assert "Einigungsgebühr" in offer.inner_text()
    screenshot(page, "assistant-phone-offer")

    # 3. accepted after reading the costs
    page.get_by_label("Ich habe die Kosten der Ratenzahlung gelesen.").check()
    page.get_by_role("button", name="Angebot verbindlich annehmen").click()
    answers.filter(has_text="Ihre Ratenzahlung ist vereinbart").wait_for()
    assert page.get_by_role("button", name="Angebot verbindlich annehmen").count() == 0
    assert page.evaluate("window.__noReload") == "still here"
    # usable on a phone: nothing wider than the screen, the form in view
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.get_by_label("Ihre Nachricht").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "assistant-phone-accepted")

    with runtime.sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
        assert (plan.kind, plan.status, plan.count, plan.instalment) == (
            "plan",
            "active",
            count,
            amount,
        )
    runtime.engine.dispose()
