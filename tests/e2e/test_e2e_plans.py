"""Payment plans from affordability in a real browser against the real server: a debtor
states income, dependants, rent and fixed costs, sees the proposal with its two
alternatives and the cost notice, and agrees to the proposed plan; a second debtor's plan
beyond the creditor's limits reaches an agent on the call view, who makes a counter-offer
that the debtor accepts in the portal."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from conftest_e2e import screenshot
from sqlalchemy import select

from mahnwerk.bootstrap import build
from mahnwerk.config import load_settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.plans import PlanOffer
from mahnwerk.store.workflow import PaymentPlan

PASSWORD = "ein-langes-passwort-e2e"


def _case(s, creditor_id, ref, amount, first_name):
    data = cases.CaseInput(
        ref,
        cases.DebtorInput(
            kind="natural",
            consumer=True,
            first_name=first_name,
            last_name="Ratenkauf",
            street="Lindenweg 3",
            postcode="28195",
            city="Bremen",
        ),
        (
            cases.ClaimInput(
                invoice_no=f"R-{ref}",
                amount=D(amount),
                default_from=today_in_germany(),
                invoice_date=today_in_germany() - timedelta(days=40),
                label="Sofa, Ratenkauf",
            ),
        ),
    )
    case = cases.create_case(s, CLI, creditor_id, data)
    case.created_at = datetime.now(UTC)
    return case.id


def _sign_in(page, url, sessions, secret, case_id):
    with transaction(sessions) as s:
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, secret, case_id)
    page.goto(url + "/portal")
    page.get_by_label("Aktenzeichen").fill(reference)
    page.get_by_label("Zugangscode").fill(code)
    page.get_by_label("Ihre Postleitzahl").fill("28195")
    page.get_by_role("button", name="Vorgang öffnen").click()
    page.wait_for_url("**/portal/case")


def _state_finances(page, income, dependants, rent, fixed):
    page.get_by_role("navigation", name="Ihr Vorgang").get_by_role(
        "link", name="Raten vorschlagen"
    ).click()
    page.get_by_label("Ihr Nettoeinkommen im Monat in Euro").fill(income)
    page.get_by_label("Personen, denen Sie Unterhalt zahlen").fill(dependants)
    page.get_by_label("Miete mit Nebenkosten im Monat in Euro").fill(rent)
    page.get_by_label("Sonstige feste Kosten im Monat in Euro").fill(fixed)
    page.get_by_role("button", name="Raten berechnen").click()


def test_debtor_states_income_and_agrees_to_the_proposed_plan(live_server, page):
    runtime = build(load_settings(live_server.env))
    sessions, secret = runtime.sessions, runtime.settings.secret_key
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Möbel Weser GmbH")
        creditor.settings = {"plan_limits": {"max_months": 12, "min_instalment": "25.00"}}
        accounts.add_user(s, CLI, "agentin@example.org", PASSWORD, "agent", None)
        first = _case(s, creditor.id, "E2E-PLAN-1", "1800.00", "Jana")
        second = _case(s, creditor.id, "E2E-PLAN-2", "1800.00", "Till")
    with sessions() as s:
        owed = cases.statement(s.get(Case, first), today_in_germany()).totals.total_open

    # single, 2,400 € net, rent 750 €, fixed costs 250 € → 518 € a month (§ 850c + margin)
    _sign_in(page, live_server.url, sessions, secret, first)
    _state_finances(page, "2.400,00", "0", "750", "250")
    assert "518,00 € möglich" in page.get_by_test_id("capacity").inner_text()
    months = math.ceil(owed / 518)
    instalment = D(math.ceil(owed / months))
    proposal = page.get_by_test_id("option-proposal")
    assert f"{months} Monatsraten" in proposal.inner_text()
    assert page.get_by_test_id("option-shorter").is_visible()
    assert page.get_by_test_id("option-longer").is_visible()
    assert page.get_by_label("Unser Vorschlag", exact=False).is_checked()
    notice = page.get_by_test_id("cost-notice").inner_text()
    assert "Einigungsgebühr" in notice and "Verzugszinsen" in notice
    screenshot(page, "portal-plan-affordability")
    page.get_by_label("Ich habe die Kosten der Ratenzahlung gelesen.").check()
    page.get_by_role("button", name="Ratenzahlung verbindlich vorschlagen").click()
    assert page.get_by_test_id("plan-result").inner_text() == "Ihre Ratenzahlung ist vereinbart."
    screenshot(page, "portal-plan-affordability-agreed")
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == first)).all()
        assert (plan.status, plan.instalment, plan.count) == ("active", instalment, months)
        offer = s.scalars(select(PlanOffer).where(PlanOffer.case_id == first)).one()
        assert (offer.status, offer.plan_id, offer.net_income) == ("accepted", plan.id, D("2400"))
    page.get_by_role("button", name="Abmelden").click()

    # a smaller income: 19 months, more than the creditor allows → an agent decides
    _sign_in(page, live_server.url, sessions, secret, second)
    _state_finances(page, "1800", "0", "600", "100")
    page.get_by_label("Ich habe die Kosten der Ratenzahlung gelesen.").check()
    page.get_by_role("button", name="Ratenzahlung verbindlich vorschlagen").click()
    assert "prüft" in page.get_by_test_id("plan-result").inner_text()
    page.get_by_role("button", name="Abmelden").click()

    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill("agentin@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_server.url}/work/cases/{second}/call")
    with sessions() as s:
        pending = s.scalars(select(PlanOffer).where(PlanOffer.case_id == second)).one()
    box = page.get_by_test_id(f"pending-offer-{pending.id}")
    assert "Höchstens 12 Monatsraten" in box.inner_text()
    screenshot(page, "work-plan-decision")
    box.get_by_label("Gegenvorschlag").check()
    box.get_by_label("Monatsrate (€)").fill("151")
    box.get_by_label("Anzahl Raten").fill("12")
    start = today_in_germany() + timedelta(days=10)
    box.get_by_label("Erste Rate am").fill(start.isoformat())
    box.get_by_label("Hinweis an die Schuldnerin oder den Schuldner").fill(
        "Zwölf Raten sind das Längste, was der Gläubiger zulässt."
    )
    box.get_by_role("button", name="Entscheidung speichern").click()
    page.wait_for_url(f"**/work/cases/{second}/call")
    assert "Entscheidung zum Ratenvorschlag gespeichert." in page.content()
    page.get_by_role("button", name="Abmelden").click()

    _sign_in(page, live_server.url, sessions, secret, second)
    assert "12 Monatsraten zu 151,00 €" in page.get_by_test_id("counter-offer").inner_text()
    screenshot(page, "portal-plan-counter-offer")
    page.get_by_label("Ich habe die Kosten der Ratenzahlung gelesen.").check()
    page.get_by_role("button", name="Gegenvorschlag verbindlich annehmen").click()
    page.wait_for_url("**/portal/case?ok=plan")
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == second)).all()
        assert (plan.instalment, plan.count, plan.start) == (D("151.00"), 12, start)
    runtime.engine.dispose()
