"""The measure proposal on hand-made cases of each kind, and the costs it states.

Worked example of a wage garnishment (checked by hand, § 850c ZPO amounts from 01.07.2025):
net income 2,500.00, one dependant: exempt 1,555.00 + 585.23 = 2,140.23; table income 2,500;
(2,500 − 2,140.23) × 50 % = 179.885 → 179.89 a month; open 1,279.48 → paid within 12 months
(7.1 → 8 months), expected recovery 1,279.48.

Costs of a PfÜB on 1,279.48 (RVG 2025, 1.0 fee up to 1,500 = 134.50): VV 3309 0.3 = 40.35,
VV 7002 20 % = 8.07; bailiff Nr. 100 12.00 + Nr. 102 3.60 + Nr. 716 20 % = 3.12; together
67.14 plus the court fee KV 2111 (not shipped: 67.14 + 24.00 set by an operator = 91.14).
Costs of a Vermögensauskunft: Nr. 260 39.50 + Nr. 208 9.60 + Nr. 102 3.60, Nr. 716 capped at
10.00, VV 3309 40.35 + VV 7002 8.07 = 111.12.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from mahnwerk.domain.enforcement import (
    Account,
    Employer,
    EnforcementSnapshot,
    Measure,
    Outcome,
    OutcomeKind,
    RunningMeasure,
    propose,
)

TODAY = date(2026, 3, 31)
OPEN = D("1279.48")
EMPLOYER = Employer("employer:1", "Muster Logistik GmbH", date(2025, 11, 3), D("2500.00"), 1)
ACCOUNT = Account(
    "iban:DE02120300000000202051",
    "DE02120300000000202051",
    date(2025, 10, 1),
    source="payment",
    bank="Deutsche Kreditbank",
)


def snap(**kw) -> EnforcementSnapshot:
    return EnforcementSnapshot(**{"titled": True, "open_amount": OPEN, **kw})


def test_employer_known_proposes_a_wage_garnishment_with_the_850c_amount():
    p = propose(snap(employers=(EMPLOYER,), accounts=(ACCOUNT,)), TODAY)
    assert p.measure is Measure.WAGE_GARNISHMENT and p.form == "pfueb"
    assert p.target == "employer:1"
    assert p.expected_recovery == D("1279.48")
    assert "pfändbar 179,89 € im Monat" in p.recovery_basis and "8 Monaten" in p.recovery_basis
    assert p.costs.known_total == D("67.14") and p.costs.missing == ("KV 2111",)
    assert not p.costs.complete and "KV 2111 nicht hinterlegt" in p.costs.describe()
    assert p.alternatives and "Kontopfändung" in p.alternatives[0]
    with_fee = propose(snap(employers=(EMPLOYER,), court_fee_kv2111=D("24.00")), TODAY)
    assert with_fee.costs.complete and with_fee.costs.known_total == D("91.14")


def test_income_below_the_exemption_is_nothing_to_seize():
    poor = Employer("employer:2", "Teilzeit GmbH", date(2025, 11, 3), D("1400.00"), 0)
    p = propose(snap(employers=(poor,), accounts=(ACCOUNT,)), TODAY)
    assert p.measure is Measure.ACCOUNT_GARNISHMENT
    assert "unter der Pfändungsfreigrenze" in p.reasons[0]


def test_account_known_from_payments_proposes_an_account_garnishment():
    p = propose(snap(accounts=(ACCOUNT,)), TODAY)
    assert p.measure is Measure.ACCOUNT_GARNISHMENT and p.target == ACCOUNT.key
    assert "aus einer Zahlung des Schuldners" in p.reasons[-1]
    assert p.expected_recovery is None and "1.560,00 €" in p.recovery_basis


def test_nothing_known_proposes_a_vermoegensauskunft():
    p = propose(snap(), TODAY)
    assert p.measure is Measure.ASSET_DISCLOSURE and p.form == "gv_auftrag"
    assert p.costs.complete and p.costs.known_total == D("111.12")
    assert p.reasons == ("kein Arbeitgeber und kein Konto bekannt, keine Vermögensauskunft",)


def test_a_vermoegensauskunft_older_than_two_years_is_renewed_a_younger_one_waits():
    old = propose(snap(last_asset_disclosure=date(2024, 3, 30)), TODAY)
    assert old.measure is Measure.ASSET_DISCLOSURE and "älter als zwei Jahre" in old.reasons[0]
    young = propose(snap(last_asset_disclosure=date(2024, 4, 1)), TODAY)
    assert young.measure is Measure.WAIT and young.wait_until == date(2026, 4, 1)


def test_a_recent_schuldnerverzeichnis_entry_means_wait_and_monitor():
    p = propose(snap(register_entries=(date(2025, 9, 1),)), TODAY)
    assert p.measure is Measure.WAIT and p.wait_until == date(2027, 9, 1)
    assert "Schuldnerverzeichnis" in p.reasons[0]
    assert propose(snap(register_entries=(date(2024, 1, 1),)), TODAY).measure is (
        Measure.ASSET_DISCLOSURE
    )


def test_outcomes_feed_the_proposal():
    negative = Outcome(OutcomeKind.THIRD_PARTY_NEGATIVE, date(2026, 2, 1), "employer:1")
    p = propose(snap(employers=(EMPLOYER,), accounts=(ACCOUNT,), outcomes=(negative,)), TODAY)
    assert p.measure is Measure.ACCOUNT_GARNISHMENT
    assert "Muster Logistik GmbH: Drittschuldnererklärung: nichts zu pfänden" in p.reasons[0]
    # newer information about the same employer revives it
    rehired = Employer("employer:1", EMPLOYER.name, date(2026, 3, 1), D("2500.00"), 1)
    assert propose(snap(employers=(rehired,), outcomes=(negative,)), TODAY).measure is (
        Measure.WAGE_GARNISHMENT
    )
    received = Outcome(OutcomeKind.ASSET_DISCLOSURE_RECEIVED, date(2025, 6, 1))
    assert propose(snap(outcomes=(received,)), TODAY).measure is Measure.WAIT


def test_a_running_measure_is_awaited_until_its_outcome():
    running = (RunningMeasure(Measure.WAGE_GARNISHMENT, date(2026, 1, 10), "employer:1"),)
    p = propose(snap(employers=(EMPLOYER,), running=running), TODAY)
    assert p.measure is Measure.WAIT and "läuft seit 10.01.2026" in p.reasons[0]
    ended = (Outcome(OutcomeKind.NOTHING_TO_SEIZE, date(2026, 2, 15), "employer:1"),)
    assert propose(snap(employers=(EMPLOYER,), running=running, outcomes=ended), TODAY).measure is (
        Measure.ASSET_DISCLOSURE
    )


def test_no_measure_without_title_or_while_insolvency_or_when_paid():
    assert propose(snap(titled=False), TODAY).measure is Measure.NONE
    p = propose(snap(insolvency=True, employers=(EMPLOYER,)), TODAY)
    assert p.measure is Measure.NONE and "§ 89 InsO" in p.reasons[0]
    assert propose(snap(open_amount=D("0.00")), TODAY).measure is Measure.NONE
    assert propose(snap(open_dispute=True), TODAY).measure is Measure.NONE
