"""The ZVFV forms: every field read back from the produced PDF (pdftotext) against the case,
and the Forderungsaufstellung equal to the ledger to the cent.

Worked example (by hand, act/365, base rate 2.27 % to 30.06.2025 and 1.27 % after):

claim R-2024-17, 1,000.00 from 01.01.2025, statutory consumer interest (+5 points)
  01.01.–30.06.2025  181 days × 7.27 % on 1,000.00 = 36.0512 → 36.05
  01.07.–01.10.2025   93 days × 6.27 % on 1,000.00 = 15.9756 → 15.98
  payment 300.00 on 01.10.2025: costs to that day 80.34 + 38.00 + 45.20 = 163.54,
  then interest 52.03, then principal 84.43 → 915.57 open
  02.10.–31.12.2025   91 days × 6.27 % on 915.57 = 14.3122 → 14.31
  01.01.–31.03.2026   90 days × 6.27 % on 915.57 = 14.1550 → 14.15
  interest 80.49, paid 52.03, open 28.46
claim R-2024-31, 250.00 from 01.03.2025 at 8.5 %: 7.10 + 5.41 + 5.30 + 5.24 = 23.05
costs: titled (on or before the title of 02.06.2025) 80.34 + 38.00, paid; enforcement
  45.20 (paid) and 62.40 (open)
total open 915.57 + 250.00 + 28.46 + 23.05 + 62.40 = 1,279.48
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from enforcement_support import assert_reads_back, pdf_text, sample_case

from mahnwerk.documents.forms import FormRenderer, iter_fields
from mahnwerk.domain.ledger import compute_statement
from mahnwerk.enforcement import forderungsaufstellung as fa
from mahnwerk.enforcement import gv_auftrag, pfueb
from mahnwerk.enforcement.values import Drittschuldner, FormError


@pytest.fixture(scope="module")
def renderer() -> FormRenderer:
    return FormRenderer()


def test_statement_sections_equal_the_ledger_to_the_cent():
    case = sample_case()
    totals = fa.totals(case)
    assert totals == {
        "principal": D("1165.57"),
        "interest": D("51.51"),
        "titled_interest": D("0.00"),
        "titled_costs": D("0.00"),
        "enforcement_costs": D("62.40"),
        "total": D("1279.48"),
    }
    ledger_totals = compute_statement(case.ledger_case, case.as_of).totals
    assert totals["total"] == ledger_totals.total_open
    assert totals["principal"] == ledger_totals.principal_open
    assert totals["interest"] == ledger_totals.interest_open
    costs = totals["titled_interest"] + totals["titled_costs"] + totals["enforcement_costs"]
    assert costs == ledger_totals.costs_open


def test_forderungsaufstellung_reads_back_with_the_ledgers_amounts(renderer):
    case = sample_case()
    doc = fa.form(case, fa.Anlage.BAILIFF)
    pdf = renderer.render([doc])
    text = assert_reads_back(pdf, [doc])
    fields = {f.key: f for f in iter_fields(doc)}
    assert fields["claim[R-2024-17].kind"].value == "Restforderung"
    assert fields["claim[R-2024-17].open"].value == "915,57"
    assert fields["claim[R-2024-17].interest_terms"].value == (
        "5 Prozentpunkte über dem jeweiligen Basiszinssatz"
    )
    assert fields["claim[R-2024-17].interest_open"].value == "28,46"
    assert fields["claim[R-2024-31].kind"].value == "Hauptforderung"
    assert fields["claim[R-2024-31].interest_terms"].value == "8,5 Prozent"
    assert fields["claim[R-2024-31].interest_open"].value == "23,05"
    assert fields["sum.total"].value == "1.279,48"
    # the interest rows merge the ledger's periods while the amount is the same
    assert "01.01.202501.10.20251.000,0052,03" in text
    assert "02.10.202531.03.2026915,5728,46" in text
    assert "Aufstellung von Forderungen für Vollstreckungsaufträge an Gerichtsvollzieher" in (
        " ".join(pdf_text(pdf).split())
    )


def test_gv_auftrag_every_field_reads_back(renderer):
    case = sample_case()
    order = gv_auftrag.BailiffOrder(
        case,
        (gv_auftrag.Module.AMICABLE, gv_auftrag.Module.ASSET_DISCLOSURE),
        court="Amtsgericht München",
    )
    docs = gv_auftrag.documents(order)
    pdf = renderer.render(docs)
    assert_reads_back(pdf, docs)
    fields = {f.key: f for f in iter_fields(docs[0])}
    assert fields["p1.court"].value == "Amtsgericht München"
    assert fields["p1.debtor.herr"].checked and not fields["p1.debtor.frau"].checked
    assert fields["p1.by.agent"].checked and not fields["p1.by.creditor"].checked
    assert fields["b.last_name"].value == "Schuldmann"
    assert fields["b.first_name"].value == "Jürgen"
    assert fields["b.birth_date"].value == "14.03.1979"
    assert fields["b.address"].value == "Hauptstraße 5, 80331 München"
    assert fields["c.title[1].kind"].value == "Vollstreckungsbescheid"
    assert fields["c.title[1].file_no"].value == "25-1234567-0-3"
    assert fields["c.title[1].served"].value == "10.06.2025"
    assert fields["c.statements"].value == "1"
    assert fields["m.h.802c"].checked and not fields["m.h.802d"].checked
    assert fields["m.g.combined"].checked
    assert fields["d.enforcement_costs"].checked
    assert fields["e.authority"].checked
    assert fields["p.order[1]"].value.startswith("Modul G")
    assert fields["p.order[2]"].value.startswith("Modul H")
    assert fields["p1.account.iban"].value == "DE02120300000000202051"
    assert fields["p1.place_date"].value == "Berlin, 31.03.2026"
    # modules not ordered are left out with their frame (§ 3 Abs. 2 Nr. 6 b ZVFV)
    assert {m.letter for m in docs[0].modules} == {"", "A", "B", "C", "D", "E", "G", "H", "P"}


def test_pfueb_employer_every_field_reads_back(renderer):
    case = sample_case()
    app = pfueb.GarnishmentApplication(
        case,
        Drittschuldner.parse("Muster Logistik GmbH, Hafenstraße 4, 20457 Hamburg", "employer"),
        court="Amtsgericht München – Vollstreckungsgericht",
    )
    docs = pfueb.documents(app)
    assert [d.anlage.split(" (")[0] for d in docs] == ["Anlage 4", "Anlage 5", "Anlage 7"]
    pdf = renderer.render(docs)
    assert_reads_back(pdf, docs)
    a5 = {f.key: f for f in iter_fields(docs[1])}
    assert a5["ds.name"].value == "Muster Logistik GmbH"
    assert a5["ds.address"].value == "Hafenstraße 4, 20457 Hamburg"
    assert a5["ds.modules"].value == "E"
    assert a5["an.collection"].checked and not a5["an.in_lieu"].checked
    assert "Arbeitseinkommens" in pdf_text(pdf)
    a4 = {f.key: f for f in iter_fields(docs[0])}
    assert a4["p4.pre_garnishment.no"].checked
    assert a4["p4.request.declaration"].checked
    a7 = {f.key: f for f in iter_fields(docs[2])}
    assert a7["sum.total"].value == "1.279,48"


def test_pfueb_bank_names_the_account_claim(renderer):
    app = pfueb.GarnishmentApplication(
        sample_case(),
        Drittschuldner.parse("Sparkasse Musterstadt, Am Markt 1, 80331 München", "bank"),
    )
    docs = pfueb.documents(app)
    pdf = renderer.render(docs)
    assert_reads_back(pdf, docs)
    a5 = {f.key: f for f in iter_fields(docs[1])}
    assert a5["ds.modules"].value == "H"
    assert "Guthaben" in pdf_text(pdf)
    a4 = {f.key: f for f in iter_fields(docs[0])}
    assert a4["p4.court"].value == "zuständig für den Wohnsitz des Schuldners (80331 München)"


def test_a_form_that_would_be_wrong_is_refused_with_every_problem():
    case = sample_case(titles=(), debtor=sample_case().debtor.__class__("natural", "", None))
    with pytest.raises(FormError) as err:
        gv_auftrag.documents(gv_auftrag.BailiffOrder(case, ()))
    fields = {p.field for p in err.value.problems}
    assert {"debtor.name", "debtor.address", "titles", "modules"} <= fields


def test_further_disclosure_within_two_years_needs_a_reason():
    order = gv_auftrag.BailiffOrder(
        sample_case(), (gv_auftrag.Module.ASSET_DISCLOSURE,), last_disclosure=date(2025, 11, 1)
    )
    with pytest.raises(FormError, match="802d"):
        gv_auftrag.form(order)
    ok = gv_auftrag.form(
        gv_auftrag.BailiffOrder(
            sample_case(),
            (gv_auftrag.Module.ASSET_DISCLOSURE,),
            last_disclosure=date(2025, 11, 1),
            further_disclosure_reason="neuer Arbeitgeber laut Melderegisterauskunft",
        )
    )
    fields = {f.key: f for f in iter_fields(ok)}
    assert fields["m.h.802d"].checked and not fields["m.h.802c"].checked


def test_simplified_application_only_from_a_vollstreckungsbescheid_up_to_5000():
    app = pfueb.GarnishmentApplication(
        sample_case(),
        Drittschuldner.parse("Bank AG, Ring 1, 10115 Berlin", "bank"),
        simplified=True,
    )
    assert pfueb.problems(app) == []
    from dataclasses import replace

    urteil = replace(sample_case().titles[0], kind="urteil")
    bad = replace(app, case=sample_case(titles=(urteil,)))
    assert [p.field for p in pfueb.problems(bad)] == ["simplified"]


def test_a_paid_case_gets_no_form():
    from mahnwerk.domain import ledger

    case = sample_case()
    paid = sample_case(
        ledger_case=ledger.Case(
            consumer=True,
            claims=case.ledger_case.claims,
            costs=case.ledger_case.costs,
            payments=(*case.ledger_case.payments, ledger.Payment(date(2026, 3, 1), D("5000.00"))),
        )
    )
    with pytest.raises(FormError, match="nichts mehr offen"):
        fa.form(paid, fa.Anlage.GARNISHMENT)


def test_drittschuldner_text_must_name_street_postcode_and_city():
    with pytest.raises(ValueError, match="Name, Straße 1, 12345 Ort"):
        Drittschuldner.parse("Muster GmbH Hamburg", "employer")
