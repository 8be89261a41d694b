"""Fees: the step formula against every row of the official tables, the worked examples of
legal-facts.md §§ 4.4 and 5.2, and the boundaries (500.00/500.01, 50 EUR rule, 2025-06-01)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mahnwerk.reference
from mahnwerk.domain.fees import (
    FEE_SCHEDULES,
    KV1100_MINIMUM_2025_UNVERIFIED,
    agency_fee,
    agreement_fee,
    dunning_court_fee,
    gkg_fee,
    gkg_schedule,
    rvg_fee,
    rvg_schedule,
)

DATA = Path(mahnwerk.reference.__file__).parent / "data"
OLD = date(2024, 3, 1)  # 2021 law
NEW = date(2025, 7, 1)  # 2025 law


def table(name: str) -> list[tuple[D, D]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return [(D(r["gegenstandswert_upto"]), D(r["fee_eur"])) for r in csv.DictReader(fh)]


TABLES = {
    "rvg_2025.csv": (rvg_fee, NEW),
    "rvg_2021.csv": (rvg_fee, OLD),
    "gkg_2025.csv": (gkg_fee, NEW),
    "gkg_2021.csv": (gkg_fee, OLD),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_formula_reproduces_every_row_of_the_official_table(name):
    fn, on = TABLES[name]
    rows = table(name)
    assert len(rows) == 42
    previous_upto = D(0)
    for upto, fee in rows:
        assert fn(upto, on) == fee, (name, upto)
        # the whole band (previous_upto, upto] has the same fee
        assert fn(previous_upto + D("0.01"), on) == fee, (name, upto)
        assert fn(upto - D("0.01"), on) == fee or upto == D(500), (name, upto)
        previous_upto = upto


@pytest.mark.parametrize("name", sorted(TABLES))
def test_formula_continues_above_the_table(name):
    fn, on = TABLES[name]
    last = table(name)[-1][1]
    step = FEE_SCHEDULES[name.replace("_", "").removesuffix(".csv")].steps[-1].increment
    assert fn(D("500000.01"), on) == last + step
    assert fn(D("550000"), on) == last + step
    assert fn(D("550000.01"), on) == last + 2 * step


def test_values_above_500000():
    assert rvg_fee(D("600000"), NEW) == D("4102.00")  # 3,752 + 2 x 175
    assert rvg_fee(D("1000000"), NEW) == D("3752.00") + 10 * D("175.00")
    assert gkg_fee(D("1000000"), NEW) == D("4138.00") + 10 * D("210.00")


def test_boundary_500_and_500_01():
    assert rvg_fee(D("500.00"), NEW) == D("51.50")
    assert rvg_fee(D("500.01"), NEW) == D("93.00")
    assert rvg_fee(D("500.00"), OLD) == D("49.00")
    assert rvg_fee(D("500.01"), OLD) == D("88.00")
    assert gkg_fee(D("500.00"), NEW) == D("40.00")
    assert gkg_fee(D("500.01"), NEW) == D("61.00")


def test_date_switch_on_2025_06_01():
    assert rvg_schedule(date(2025, 5, 31)).name == "rvg2021"
    assert rvg_schedule(date(2025, 6, 1)).name == "rvg2025"
    assert gkg_schedule(date(2025, 5, 31)).name == "gkg2021"
    assert gkg_schedule(date(2025, 6, 1)).name == "gkg2025"
    assert rvg_fee(D("1000"), date(2025, 5, 31)) == D("88.00")
    assert rvg_fee(D("1000"), date(2025, 6, 1)) == D("93.00")


def test_schedule_by_stable_name_overrides_the_date():
    assert rvg_fee(D("1000"), NEW, schedule="rvg2021") == D("88.00")
    assert gkg_fee(D("1000"), OLD, schedule="gkg2025") == D("61.00")
    with pytest.raises(ValueError, match="unknown"):
        rvg_fee(D("1000"), NEW, schedule="gkg2025")


def test_before_2021_is_not_covered():
    with pytest.raises(ValueError, match="not covered"):
        rvg_fee(D("1000"), date(2020, 12, 31))
    with pytest.raises(ValueError, match="not covered"):
        gkg_fee(D("1000"), date(2020, 12, 31))
    assert rvg_fee(D("1000"), date(2021, 1, 1)) == D("88.00")


def test_negative_value_is_refused():
    with pytest.raises(ValueError):
        rvg_fee(D("-1"), NEW)


# legal-facts.md § 4.4: claim up to | 1.0 | 0.5 (+7002) | 0.9 (+7002) | 1.3 (+7002)
AGENCY_EXAMPLES = [
    ("50", "31.50", ("15.75", "18.90"), ("28.35", "34.02"), ("40.95", "49.14")),
    ("500", "51.50", ("25.75", "30.90"), ("46.35", "55.62"), ("66.95", "80.34")),
    ("1000", "93.00", ("46.50", "55.80"), ("83.70", "100.44"), ("120.90", "140.90")),
    ("2000", "176.00", ("88.00", "105.60"), ("158.40", "178.40"), ("228.80", "248.80")),
    ("5000", "354.50", ("177.25", "197.25"), ("319.05", "339.05"), ("460.85", "480.85")),
]


@pytest.mark.parametrize("value, full, half, normal, maximum", AGENCY_EXAMPLES)
def test_agency_fee_worked_examples_2025(value, full, half, normal, maximum):
    for factor, (fee, with_expenses) in zip(
        ("0.5", "0.9", "1.3"), (half, normal, maximum), strict=True
    ):
        b = agency_fee(D(value), NEW, factor=D(factor))
        assert b.fees == D(fee)
        assert b.net == D(with_expenses)
        assert b.vat == D("0.00")
        assert b.total == D(with_expenses)
        assert [line.code for line in b.lines] == ["VV 2300", "VV 7002"]
        assert b.schedule == "rvg2025"


def test_agency_fee_lines_and_vat():
    b = agency_fee(D("1000.00"), NEW, factor=D("0.5"), vat=True)
    assert [(line.code, line.amount) for line in b.lines] == [
        ("VV 2300", D("46.50")),
        ("VV 7002", D("9.30")),
        ("VV 7008", D("10.60")),  # 19 % of 55.80 = 10.602
    ]
    assert b.total == D("66.40")
    assert "Geschäftsgebühr" in b.lines[0].label
    b7 = agency_fee(D("1000.00"), NEW, factor=D("0.5"), vat=True, vat_rate=D("7"))
    assert b7.vat == D("3.91")


def test_fifty_euro_rule_2025_and_2021():
    assert agency_fee(D("50.00"), NEW, factor=D("0.9")).fees == D("28.35")  # 0.9 x 31.50
    assert agency_fee(D("50.01"), NEW, factor=D("0.9")).fees == D("46.35")  # 0.9 x 51.50
    # 2021 law: 1.0 fee 30 EUR up to 50 EUR (§ 13 Abs. 2 RVG a. F.)
    assert agency_fee(D("50.00"), OLD, factor=D("0.9")).fees == D("27.00")
    assert agency_fee(D("50.00"), OLD, factor=D("0.5")).fees == D("15.00")
    assert agency_fee(D("50.01"), OLD, factor=D("0.9")).fees == D("44.10")  # 0.9 x 49


def test_minimum_fee_applies_to_the_rated_fee():
    # 0.5 x 30.00 = 15.00 is exactly the minimum; never below 15 EUR (§ 13 Abs. 3 RVG)
    b = agency_fee(D("10.00"), OLD, factor=D("0.5"))
    assert b.fees == D("15.00")
    assert b.expenses == D("3.00")


def test_agency_fee_date_switch():
    assert agency_fee(D("1000"), date(2025, 5, 31), factor=D("0.5")).fees == D("44.00")
    assert agency_fee(D("1000"), date(2025, 6, 1), factor=D("0.5")).fees == D("46.50")


def test_agency_fee_refuses_other_factors_and_old_mandates():
    # VV 2300 Anm. Abs. 2 with § 13e RDG: steps of 0.1 up to 1.3, nothing above or between
    for factor in ("1.4", "0.35", "1.5", "2.5", "0", "0.05"):
        with pytest.raises(ValueError, match="not allowed"):
            agency_fee(D("1000"), NEW, factor=D(factor))
    # any step up to the limits: 0.3 x 93.00 = 27.90; 0.7 x 93.00 = 65.10; 1.0 x 93.00
    assert [agency_fee(D("1000"), NEW, factor=D(f)).fees for f in ("0.3", "0.7", "1.0")] == [
        D("27.90"),
        D("65.10"),
        D("93.00"),
    ]
    with pytest.raises(ValueError, match="2021-10-01"):
        agency_fee(D("1000"), date(2021, 9, 30))
    with pytest.raises(ValueError):
        agency_fee(D("0"), NEW)
    with pytest.raises(ValueError):
        agency_fee(D("-5"), NEW)


def test_agreement_fee_is_0_7_on_half_the_claim():
    b = agreement_fee(D("1000.00"), NEW)
    assert b.value == D("500.00")
    assert b.fees == D("36.05")  # 0.7 x 51.50
    assert b.expenses == D("7.21")
    assert [line.code for line in b.lines] == ["VV 1000", "VV 7002"]
    b = agreement_fee(D("5000.00"), NEW, vat=True)
    assert b.value == D("2500.00")
    assert b.fees == D("164.85")  # 0.7 x 235.50
    assert b.expenses == D("20.00")
    assert b.vat == D("35.12")  # 19 % of 184.85
    assert b.total == D("219.97")
    # 2021 law
    assert agreement_fee(D("1000.00"), OLD).fees == D("34.30")  # 0.7 x 49


def test_agreement_fee_shares_the_7002_cap_with_the_business_fee():
    business = agency_fee(D("1000.00"), NEW, factor=D("0.9"))  # 83.70, 7002 = 16.74
    b = agreement_fee(D("1000.00"), NEW, business_fee=business.fees)
    assert b.expenses == D("3.26")  # 20.00 - 16.74
    full = agency_fee(D("5000.00"), NEW, factor=D("1.3"))
    assert agreement_fee(D("5000.00"), NEW, business_fee=full.fees).expenses == D("0.00")


KV1100_EXAMPLES = [
    ("500", "38.00"),
    ("1000", "38.00"),
    ("1500", "41.00"),
    ("2000", "51.50"),
    ("3000", "62.75"),
    ("5000", "85.25"),
    ("10000", "141.50"),
    ("25000", "217.75"),
    ("50000", "319.00"),
]


@pytest.mark.parametrize("value, fee", KV1100_EXAMPLES)
def test_dunning_court_fee_worked_examples_2025(value, fee):
    c = dunning_court_fee(D(value), NEW)
    assert c.amount == D(fee)
    assert c.code == "KV 1100"
    assert c.unverified is True
    assert any("UNVERIFIED" in note for note in c.notes)


def test_dunning_court_fee_minimum_and_date_switch():
    minimum = KV1100_MINIMUM_2025_UNVERIFIED
    assert minimum == D("38.00")
    old = dunning_court_fee(D("1000"), date(2025, 5, 31))
    assert old.amount == D("36.00")  # 0.5 x 58 = 29 -> minimum 36
    assert old.minimum_applied and not old.unverified
    assert not any("UNVERIFIED" in note for note in old.notes)
    new = dunning_court_fee(D("1000"), date(2025, 6, 1))
    assert new.amount == D("38.00") and new.minimum_applied and new.unverified
    assert dunning_court_fee(D("1500"), date(2025, 5, 31)).amount == D("39.00")  # 0.5 x 78
    big = dunning_court_fee(D("2000"), NEW)
    assert big.full_fee == D("103.00") and not big.minimum_applied


@given(st.decimals(min_value=0, max_value=2_000_000, places=2))
def test_fees_never_fall_when_the_value_rises(value):
    for fn in (rvg_fee, gkg_fee):
        for on in (OLD, NEW):
            assert fn(value, on) <= fn(value + D("0.01"), on)
            assert fn(value, on) <= fn(value + D("1000"), on)


@given(st.decimals(min_value=D("0.01"), max_value=1_000_000, places=2))
def test_agency_fee_invariants(value):
    previous = D(0)
    for factor in ("0.5", "0.9", "1.3"):
        b = agency_fee(value, NEW, factor=D(factor))
        assert b.fees >= D("15.00")
        assert b.expenses <= D("20.00")
        assert b.net == b.fees + b.expenses
        assert b.fees > previous
        previous = b.fees
