"""The composer of a day's message data: what it composes once (a creditor's part and
account, the comparison of a kind of interest with the statutory rate) stays each creditor's
and each claim's own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

from mahnwerk.config import load_settings
from mahnwerk.domain import ledger
from mahnwerk.services.dunning.compose import Composer
from mahnwerk.store.run_reads import CaseRecord, DebtorRecord

DAY = date(2026, 3, 2)
ENV = {
    "MAHNWERK_AGENCY_NAME": "Inkasso Nord GmbH",
    "MAHNWERK_AGENCY_ADDRESS": "Ballindamm 17, 20095 Hamburg",
    "MAHNWERK_PUBLIC_URL": "https://inkasso.example",
}


def claim(no: str, kind: str, value: D | None) -> SimpleNamespace:
    return SimpleNamespace(
        invoice_no=no, label="Strom", invoice_date=date(2025, 12, 15), origin=None,
        due_date=date(2026, 1, 15), default_ground="", contract_subject="Liefervertrag",
        contract_date=date(2025, 1, 1), interest_kind=kind, interest_value=value, kind="entgelt",
    )  # fmt: skip


def case(case_id: int, creditor_id: int, *claims: SimpleNamespace) -> CaseRecord:
    debtor = DebtorRecord(case_id, "natural", True, "Jürgen", f"Müller{case_id}", None)
    return CaseRecord(case_id, f"A-{case_id}", "", creditor_id, "act/365", "bgb367", debtor,
                      claims=list(claims))  # fmt: skip


def creditor(creditor_id: int, name: str, iban: str) -> SimpleNamespace:
    account = {"holder": name, "iban": iban, "bic": "COBADEFFXXX"}
    return SimpleNamespace(
        id=creditor_id,
        name=name,
        settings={"address": f"{name}, Weg 1", "payment_account": account},
    )


def payload(composer: Composer, c: CaseRecord, cr: SimpleNamespace) -> dict:
    st = ledger.compute_statement(
        ledger.Case(True, tuple(ledger.Claim(x.invoice_no, D("100.00"), None) for x in c.claims)),
        DAY,
    )
    return composer.payload(c, cr, st, action_info={"first_contact": True})


def test_each_creditor_keeps_its_part_and_account_and_each_claim_its_rate_notice():
    composer = Composer(load_settings(ENV), DAY)
    north = creditor(1, "Stadtwerke Nord", "DE89370400440532013000")
    south = creditor(2, "Stadtwerke Süd", "DE02120300000000202051")
    fixed_high = claim("R-1", "fixed", D("15.00"))  # above 5 points over the base rate
    statutory = claim("R-2", "statutory", None)
    first = payload(composer, case(1, 1, fixed_high), north)
    second = payload(composer, case(2, 2, statutory), south)
    third = payload(composer, case(3, 1, statutory, fixed_high), north)
    assert [p["creditor"]["name"] for p in (first, second, third)] == [
        "Stadtwerke Nord", "Stadtwerke Süd", "Stadtwerke Nord"
    ]  # fmt: skip
    assert [p["bank"]["iban"] for p in (first, second, third)] == [
        "DE89370400440532013000", "DE02120300000000202051", "DE89370400440532013000"
    ]  # fmt: skip
    assert [n["claim"] for n in first["rate_notices"]] == ["R-1"]
    assert second["rate_notices"] == []
    assert [n["claim"] for n in third["rate_notices"]] == ["R-1"]
    assert first["rate_notices"][0]["rate"] == "15,00 %"
    assert first["privacy"] == {"url": "https://inkasso.example/datenschutz"}
    assert [c["invoice_no"] for c in third["claims"]] == ["R-2", "R-1"]
    assert third["claims"][1]["reason"] == (
        "Liefervertrag (Vertrag vom 01.01.2025; Rechnung R-1 vom 15.12.2025)"
    )
