"""Payment plans from affordability: worked examples checked by hand.

The § 850c ZPO amounts are those of the Pfändungsfreigrenzenbekanntmachung 2026 (monthly,
from 1 July 2026): allowance 1,587.40 €, + 597.42 € for the first and + 332.83 € for each
further dependant; 70 / 50 / 40 % of the excess garnishable with 0 / 1 / 2 dependants; income
counted in steps of 10 € (rounded down). Before 1 July 2026 the 2025 amounts apply
(1,555.00 €). Budget: margin 50 €, living costs 600 € plus 300 € per dependant. RVG 2025:
1.0 fee up to 500 € 51.50 €, up to 1,000 € 93.00 €.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.domain.affordability import (
    Budget,
    Finances,
    PlanLimits,
    affordable_capacity,
    agreement_value,
    check_finances,
    check_plan,
    cost_notice,
    propose,
)

TODAY = date(2026, 7, 20)
START = date(2026, 8, 1)
LIMITS = PlanLimits(12, D("25.00"))


def test_single_income_the_law_binds():
    # 2,400 − 1,587.40 = 812.60; 70 % = 568.82 garnishable; − 50 margin = 518.82.
    # Budget: 2,400 − 750 − 250 − 600 − 50 = 750. So 518 € a month.
    f = Finances(D("2400"), 0, D("750"), D("250"))
    cap = affordable_capacity(f, TODAY, Budget())
    assert (cap.garnishable, cap.allowance) == (D("568.82"), D("1831.18"))
    assert (cap.legal_cap, cap.budget_cap, cap.instalment) == (D("518.82"), D("750.00"), D("518"))
    assert cap.binding == "garnishment" and cap.table_from == date(2026, 7, 1)
    # 1,800 open: ceil(1,800 / 518) = 4 months of 450; shorter 3 × 600 (above 518, so not
    # affordable); longer: half as many months again = 6 × 300.
    offer = propose(f, D("1800.00"), LIMITS, START, TODAY)
    got = [(o.label, o.count, o.instalment, o.last_instalment, o.affordable) for o in offer.options]
    assert got == [
        ("proposal", 4, D("450"), D("450.00"), True),
        ("shorter", 3, D("600"), D("600.00"), False),
        ("longer", 6, D("300"), D("300.00"), True),
    ]
    assert offer.proposal.end == date(2026, 11, 1)
    assert all(o.within_limits for o in offer.options)


def test_two_children_and_an_uneven_last_instalment():
    # allowance with 2 dependants: 1,587.40 + 597.42 + 332.83 = 2,517.65;
    # (3,100 − 2,517.65) × 0.4 = 232.94; − 50 = 182.94. Budget: 3,100 − 900 − 300 − 600 −
    # 2 × 300 − 50 = 650. So 182 € a month.
    f = Finances(D("3100"), 2, D("900"), D("300"))
    offer = propose(f, D("1500.00"), LIMITS, START, TODAY)
    assert offer.capacity.instalment == D("182")
    # ceil(1,500 / 182) = 9 months; 1,500 / 9 = 166.67 → 167 a month; 8 × 167 = 1,336,
    # last 164. Shorter: 8 months → 188 (> 182). Longer: 13.5 → 14, but at most 12 months
    # → 125 × 12.
    p, short, long_ = offer.options
    assert (p.count, p.instalment, p.last_instalment) == (9, D("167"), D("164.00"))
    assert (short.count, short.instalment, short.affordable) == (8, D("188"), False)
    assert (long_.count, long_.instalment, long_.within_limits) == (12, D("125"), True)


def test_high_rent_the_budget_binds():
    # law: (3,000 − 1,587.40) × 0.7 = 988.82 → 938.82; budget: 3,000 − 1,400 − 600 − 600 −
    # 50 = 350 → 350 € a month; 2,000 open → 6 × 334 (last 330).
    f = Finances(D("3000"), 0, D("1400"), D("600"))
    offer = propose(f, D("2000.00"), LIMITS, START, TODAY)
    assert (offer.capacity.instalment, offer.capacity.binding) == (D("350"), "budget")
    assert (offer.proposal.count, offer.proposal.instalment) == (6, D("334"))
    assert offer.proposal.last_instalment == D("330.00")


def test_nothing_left_no_proposal_only_the_longest_plan_flagged():
    # (1,650 − 1,587.40) × 0.7 = 43.82 < 50 margin: nothing.
    offer = propose(Finances(D("1650"), 0, D("600"), D("0")), D("480.00"), LIMITS, START, TODAY)
    assert offer.proposal is None and offer.reason == "no_capacity"
    assert offer.capacity.instalment == D("0")
    assert (offer.longer.count, offer.longer.instalment, offer.longer.affordable) == (
        12,
        D("40"),
        False,
    )


def test_the_table_of_the_day_is_used():
    # 30 June 2026: the 2025 allowance of 1,555.00 → (2,400 − 1,555) × 0.7 = 591.50.
    f = Finances(D("2400"), 0, D("750"), D("250"))
    before = affordable_capacity(f, date(2026, 6, 30), Budget())
    after = affordable_capacity(f, date(2026, 7, 1), Budget())
    assert (before.garnishable, after.garnishable) == (D("591.50"), D("568.82"))
    assert before.table_from == date(2025, 7, 1)


def test_capacity_beyond_the_limits_goes_to_a_person():
    # 182 € a month on 3,000 € needs 17 months: more than the creditor's 12.
    f = Finances(D("3100"), 2, D("900"), D("300"))
    offer = propose(f, D("3000.00"), LIMITS, START, TODAY)
    assert offer.proposal.count == 17 and not offer.proposal.within_limits
    assert [p.code for p in offer.proposal.problems] == ["max_months"]
    assert offer.shorter.count == 16 and offer.longer is not None


def test_a_margin_setting_changes_the_capacity():
    f = Finances(D("2400"), 0, D("750"), D("250"))
    cap = affordable_capacity(f, TODAY, Budget(margin=D("150")))
    assert cap.instalment == D("418")


def test_plan_checks_every_field_at_once():
    problems = check_plan(D("900"), 14, date(2026, 7, 1), D("800.00"), LIMITS, TODAY)
    assert [(p.field, p.code) for p in problems] == [
        ("start", "start_past"),
        ("amount", "above_owed"),
        ("count", "max_months"),
    ]
    assert problems[1].text == "Die Rate ist höher als der offene Betrag von 800,00 €."
    late = check_plan(D("100"), 2, date(2026, 8, 20), D("200.00"), LIMITS, TODAY)
    assert [p.code for p in late] == ["start_range"]
    small = check_plan(D("20"), 2, TODAY, D("40.00"), LIMITS, TODAY)
    assert [(p.code, p.values) for p in small] == [("min_instalment", (("min", "25,00 €"),))]
    partial = check_plan(D("50"), 4, TODAY, D("300.00"), LIMITS, TODAY)
    assert partial == []  # a plan over part of the debt is allowed (dunning resumes after it)
    many = check_plan(D("100"), 4, TODAY, D("300.00"), LIMITS, TODAY)
    assert [p.code for p in many] == ["too_many"]


def test_minimum_instalment_is_never_above_what_is_owed():
    # 18.40 € owed, creditor minimum 25 €: one payment of 18.40 is fine, 10 € is too little
    assert check_plan(D("18.40"), 1, TODAY, D("18.40"), LIMITS, TODAY) == []
    assert [p.code for p in check_plan(D("10"), 2, TODAY, D("18.40"), LIMITS, TODAY)] == [
        "min_instalment"
    ]
    assert LIMITS.minimum_for(D("18.40")) == D("18.40")


def test_finances_problems_are_all_reported():
    problems = check_finances(None, 21, D("12.345"), D("-1"))
    assert [(p.field, p.code) for p in problems] == [
        ("net_income", "missing"),
        ("dependants", "dependants"),
        ("rent", "cents"),
        ("fixed_costs", "negative"),
    ]


def test_cost_notice_on_the_open_principal_not_the_original():
    # 1,000 € principal of which 400 € paid: open principal 600 € → value 300 € (§ 31b
    # RVG) → 1.0 fee 51.50 €, 0.7 = 36.05 €, 20 % expenses 7.21 € = 43.26 €. On the
    # original principal (1,000 → 500 → 51.50) it would have been the same band; take
    # 1,600 open of 2,400: value 800 → 93.00 × 0.7 = 65.10 + 13.02 = 78.12 € (on the
    # original 2,400 → 1,200: 134.50 × 0.7 = 94.15 + 18.83 = 112.98 €).
    n = cost_notice(D("1800.00"), D("1600.00"), D("200.00"), D("2400.00"), date(2026, 7, 1))
    assert n.value == D("1600.00") and n.fee is not None
    assert (n.fee.value, n.fee.fees, n.fee.expenses, n.fee.total) == (
        D("800.00"),
        D("65.10"),
        D("13.02"),
        D("78.12"),
    )
    assert "1.800,00 €" in n.text and "78,12 €" in n.text and "1.600,00 €" in n.text
    assert "Verzugszinsen" in n.text


def test_agreement_value_when_only_interest_and_costs_are_left():
    assert agreement_value(D("0.00"), D("95.40"), D("1000.00")) == D("95.40")
    assert agreement_value(D("0.00"), D("1500.00"), D("1000.00")) == D("1000.00")
    n = cost_notice(D("95.40"), D("0.00"), D("95.40"), D("1000.00"), date(2026, 7, 1))
    assert "Zinsen und Kosten" in n.text


@given(
    income=st.integers(0, 9000),
    dependants=st.integers(0, 6),
    rent=st.integers(0, 2500),
    fixed=st.integers(0, 1500),
    owed_cents=st.integers(100, 2_000_000),
)
def test_every_affordable_option_leaves_the_allowance_and_the_margin(
    income, dependants, rent, fixed, owed_cents
):
    f = Finances(D(income), dependants, D(rent), D(fixed))
    owed = D(owed_cents) / 100
    offer = propose(f, owed, LIMITS, START, TODAY)
    cap = offer.capacity
    for o in offer.options:
        assert o.count >= 1 and o.instalment > 0 and o.last_instalment > 0
        assert o.instalment * (o.count - 1) + o.last_instalment == owed
        assert o.last_instalment <= o.instalment
        if o.affordable:
            # the debtor keeps the § 850c allowance plus the margin, and the budget holds
            assert D(income) - o.instalment >= cap.allowance + Budget().margin
            assert o.instalment <= cap.budget_cap
    if offer.proposal is not None:
        assert offer.proposal.affordable
        if offer.shorter is not None:
            assert offer.shorter.count < offer.proposal.count
        if offer.longer is not None:
            assert offer.longer.count > offer.proposal.count


@pytest.mark.parametrize("day", [date(2024, 6, 30)])
def test_a_day_without_a_known_table_is_refused(day):
    with pytest.raises(ValueError, match="not covered"):
        affordable_capacity(Finances(D("2000"), 0, D("0"), D("0")), day, Budget())
