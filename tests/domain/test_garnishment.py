"""Garnishment (§ 850c ZPO): every cell of the official table, the worked examples of
pfaendung.md, and the monotonicity properties."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.domain.garnishment import garnishable, parameters_for

TABLE = Path(__file__).parents[1] / "data" / "pfaendungstabelle.csv"
COLUMNS = [f"pfaendbar_{n}" for n in range(5)] + ["pfaendbar_5plus"]


def table_rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = table_rows()
GROUPS = sorted({(r["valid_from"], r["period"]) for r in ROWS})


def test_the_table_covers_all_periods_and_years():
    assert len(ROWS) > 2500
    expected = [
        (year, period)
        for year in ("2024-07-01", "2025-07-01", "2026-07-01")
        for period in ("daily", "monthly", "weekly")
    ]
    assert expected == GROUPS


@pytest.mark.parametrize("valid_from, period", GROUPS)
def test_every_cell_of_the_official_table(valid_from, period):
    on = date.fromisoformat(valid_from)
    mismatches = []
    cells = 0
    for row in ROWS:
        if (row["valid_from"], row["period"]) != (valid_from, period):
            continue
        for income in (D(row["income_from"]), D(row["income_to"])):
            for n, column in enumerate(COLUMNS):
                expected = D(row[column])
                got = garnishable(income, n, on, period).garnishable
                cells += 1
                if got != expected:
                    mismatches.append((str(income), n, str(expected), str(got)))
    assert cells > 0
    assert mismatches == []


def test_more_than_five_dependants_counts_as_five():
    row = next(r for r in ROWS if r["valid_from"] == "2025-07-01" and r["income_from"] == "4000.00")
    on = date(2025, 7, 1)
    for n in (5, 6, 9):
        assert garnishable(D("4000.00"), n, on).garnishable == D(row["pfaendbar_5plus"])
    assert garnishable(D("4000.00"), 9, on).dependants_counted == 5


def test_worked_examples_of_pfaendung_md():
    on = date(2025, 7, 15)
    assert garnishable(D("1565.00"), 0, on).garnishable == D("3.50")
    assert garnishable(D("4766.99"), 1, on).garnishable == D("1309.89")
    r = garnishable(D("6000.00"), 0, on)
    assert r.garnishable == D("3476.51")
    assert r.above_cap == D("1233.01")
    assert r.table_income == D("4760.00")
    assert r.exempt == D("2523.49")
    assert r.valid_from == date(2025, 7, 1)
    assert "2025" in r.source


def test_parameter_set_changes_on_1_july():
    assert parameters_for(date(2025, 6, 30)).valid_from == date(2024, 7, 1)
    assert parameters_for(date(2025, 7, 1)).valid_from == date(2025, 7, 1)
    assert parameters_for(date(2026, 7, 1), "weekly").base == D("365.33")
    assert parameters_for(date(2030, 1, 1)).valid_from == date(2026, 7, 1)
    assert parameters_for(date(2025, 7, 1)).pkonto_base == D("1560.00")
    assert parameters_for(date(2025, 7, 1), "daily").pkonto_base is None
    # same income, different year
    assert garnishable(D("2000.00"), 0, date(2025, 6, 30)).garnishable == D("355.78")
    assert garnishable(D("2000.00"), 0, date(2025, 7, 1)).garnishable == D("311.50")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="2024-07-01"):
        garnishable(D("2000.00"), 0, date(2024, 6, 30))
    with pytest.raises(ValueError, match="period"):
        garnishable(D("2000.00"), 0, date(2025, 7, 1), "yearly")
    with pytest.raises(ValueError):
        garnishable(D("-1.00"), 0, date(2025, 7, 1))
    with pytest.raises(ValueError):
        garnishable(D("2000.00"), -1, date(2025, 7, 1))
    with pytest.raises(TypeError):
        garnishable(2000.0, 0, date(2025, 7, 1))  # type: ignore[arg-type]


DATES = st.sampled_from([date(2024, 7, 1), date(2025, 7, 1), date(2026, 7, 1), date(2025, 12, 3)])
PERIODS = st.sampled_from(["monthly", "weekly", "daily"])
INCOMES = st.decimals(min_value=0, max_value=20_000, places=2)


@given(INCOMES, st.integers(min_value=0, max_value=7), DATES, PERIODS)
def test_more_dependants_never_increase_the_garnishable_amount(income, n, on, period):
    assert (
        garnishable(income, n + 1, on, period).garnishable
        <= garnishable(income, n, on, period).garnishable
    )


@given(INCOMES, INCOMES, st.integers(min_value=0, max_value=6), DATES, PERIODS)
def test_higher_income_never_decreases_the_garnishable_amount(a, b, n, on, period):
    low, high = sorted((a, b))
    assert (
        garnishable(low, n, on, period).garnishable <= garnishable(high, n, on, period).garnishable
    )


@given(INCOMES, st.integers(min_value=0, max_value=6), DATES, PERIODS)
def test_garnishable_plus_exempt_is_the_income(income, n, on, period):
    r = garnishable(income, n, on, period)
    assert r.garnishable + r.exempt == income
    assert D(0) <= r.garnishable <= income
