"""The claim ledger: worked examples checked by hand, and the invariants as properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.daycount import DAY_COUNTS
from mahnwerk.domain.interest import (
    BasePlusInterest,
    FixedInterest,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.domain.ledger import Case, Claim, Cost, Payment, compute_statement, period_interest

STAT = StatutoryInterest()


def one_claim(principal="1250.00", default_from=date(2025, 2, 15), interest=STAT, **kw):
    return Case(
        consumer=kw.pop("consumer", True),
        claims=(Claim("R-1", D(principal), default_from, interest),),
        **kw,
    )


def test_issue_example_by_hand():
    # 1250.00 from 2025-02-15, consumer: 2.27+5 = 7.27 % until 30.06.2025, 1.27+5 = 6.27 % after.
    case = one_claim(
        costs=(Cost(date(2025, 3, 1), "Mahngebühr", D("5.00")),),
        payments=(Payment(date(2025, 6, 1), D("300.00")),),
    )
    s = compute_statement(case, date(2026, 3, 31))
    periods = [(p.start, p.end, p.days, p.rate, p.base, p.interest) for p in s.claims[0].periods]
    assert periods == [
        # 1250 × 7.27 % × 107/365 = 26.639… (15.02.–01.06.: 14+31+30+31+1 days)
        (date(2025, 2, 15), date(2025, 6, 1), 107, D("7.27"), D("1250.00"), D("26.64")),
        # after 300 − 5 costs − 26.64 interest = 268.36 principal: 981.64 × 7.27 % × 29/365 = 5.670…
        (date(2025, 6, 2), date(2025, 6, 30), 29, D("7.27"), D("981.64"), D("5.67")),
        (date(2025, 7, 1), date(2025, 12, 31), 184, D("6.27"), D("981.64"), D("31.03")),
        (date(2026, 1, 1), date(2026, 3, 31), 90, D("6.27"), D("981.64"), D("15.18")),
    ]
    (alloc,) = s.allocations
    assert (alloc.to_costs, alloc.to_interest, alloc.to_principal, alloc.unapplied) == (
        D("5.00"),
        D("26.64"),
        D("268.36"),
        D("0.00"),
    )
    t = s.totals
    assert (t.principal_open, t.interest_open, t.costs_open, t.total_open, t.credit) == (
        D("981.64"),
        D("51.88"),
        D("0.00"),
        D("1033.52"),
        D("0.00"),
    )


def test_interest_runs_from_default_day_inclusive_to_statement_day_inclusive():
    case = one_claim("1000.00", date(2025, 7, 1))
    s = compute_statement(case, date(2025, 7, 1))
    # one day: 1000 × 6.27 % / 365 = 0.1717… → 0.17
    assert [(p.days, p.interest) for p in s.claims[0].periods] == [(1, D("0.17"))]
    assert compute_statement(case, date(2025, 6, 30)).claims[0].periods == ()


def test_business_debtor_gets_nine_points_and_eight_before_2014():
    case = one_claim("10000.00", date(2025, 7, 1), consumer=False)
    (p,) = compute_statement(case, date(2025, 7, 31)).claims[0].periods
    # 10000 × 10.27 % × 31/365 = 87.2246… → 87.22
    assert (p.rate, p.interest) == (D("10.27"), D("87.22"))
    assert STAT.points(consumer=False, origin=date(2014, 7, 28)) == D("8")
    assert STAT.points(consumer=False, origin=date(2014, 7, 29)) == D("9")


def test_periods_are_cut_at_half_years_even_without_rate_change():
    # base rate 1.27 both in H2 2025 and H1 2026, still two periods
    case = one_claim("1000.00", date(2025, 12, 1), interest=FixedInterest(D("5")))
    s = compute_statement(case, date(2026, 1, 31))
    assert [(p.start, p.end, p.interest) for p in s.claims[0].periods] == [
        (date(2025, 12, 1), date(2025, 12, 31), D("4.25")),  # 1000×5%×31/365 = 4.2465…
        (date(2026, 1, 1), date(2026, 1, 31), D("4.25")),
    ]


def test_act_act_uses_366_in_a_leap_year():
    case = one_claim(
        "1000.00", date(2024, 1, 1), interest=FixedInterest(D("10")), day_count="act/act"
    )
    (p,) = compute_statement(case, date(2024, 1, 31)).claims[0].periods
    assert (p.days, p.basis, p.interest) == (31, 366, D("8.47"))  # 1000×10%×31/366 = 8.4699…
    case365 = one_claim("1000.00", date(2024, 1, 1), interest=FixedInterest(D("10")))
    (q,) = compute_statement(case365, date(2024, 1, 31)).claims[0].periods
    assert (q.basis, q.interest) == (365, D("8.49"))  # 8.4931…


def test_thirty_360_as_the_mahngericht_counts():
    dc = DAY_COUNTS["30/360"]
    assert dc.days(date(2026, 1, 1), date(2026, 6, 30)) == 180
    assert dc.days(date(2026, 7, 1), date(2026, 12, 31)) == 180
    assert dc.days(date(2026, 2, 1), date(2026, 2, 28)) == 30  # February counts as 30
    assert dc.days(date(2026, 1, 31), date(2026, 1, 31)) == 0  # the 31st adds nothing
    assert dc.days(date(2026, 1, 15), date(2026, 3, 14)) == 60  # both ends counted: 16+30+14
    case = one_claim(
        "1000.00", date(2026, 1, 15), interest=FixedInterest(D("9")), day_count="30/360"
    )
    (p,) = compute_statement(case, date(2026, 3, 14)).claims[0].periods
    assert (p.days, p.basis, p.interest) == (60, 360, D("15.00"))  # 1000 × 9 % × 60/360


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    a=st.integers(0, 400),
    b=st.integers(1, 400),
)
def test_thirty_360_periods_add_up_when_cut_anywhere(start, a, b):
    dc = DAY_COUNTS["30/360"]
    cut = start + timedelta(days=a)
    end = cut + timedelta(days=b)
    assert dc.days(start, cut) + dc.days(cut + timedelta(days=1), end) == dc.days(start, end)


def test_bgb497_pays_principal_before_interest():
    claim = Claim("R-1", D("1000.00"), date(2025, 7, 1), FixedInterest(D("10")))
    paid = (Payment(date(2025, 7, 31), D("100.00")),)
    # 31 days: 1000 × 10 % × 31/365 = 8.4931… → 8.49 interest
    (a367,) = compute_statement(Case(True, (claim,), payments=paid), date(2025, 7, 31)).allocations
    assert (a367.to_interest, a367.to_principal) == (D("8.49"), D("91.51"))
    s497 = compute_statement(
        Case(True, (claim,), payments=paid, allocation="bgb497"), date(2025, 7, 31)
    )
    assert (s497.allocations[0].to_interest, s497.allocations[0].to_principal) == (
        D("0.00"),
        D("100.00"),
    )
    assert s497.claims[0].interest_open == D("8.49")


def test_costs_first_oldest_first_and_only_when_dated_by_the_payment():
    case = one_claim(
        "100.00",
        date(2025, 7, 1),
        interest=NoInterest(),
        costs=(
            Cost(date(2025, 8, 1), "Auskunft", D("10.00")),
            Cost(date(2025, 7, 5), "Mahngebühr", D("5.00")),
            Cost(date(2025, 9, 1), "später", D("7.00")),
        ),
        payments=(Payment(date(2025, 8, 1), D("12.00")),),
    )
    s = compute_statement(case, date(2025, 12, 31))
    (a,) = s.allocations
    assert [(i.kind, i.target, i.amount) for i in a.items] == [
        ("cost", "Mahngebühr", D("5.00")),
        ("cost", "Auskunft", D("7.00")),
    ]
    assert s.totals.costs_open == D("3.00") + D("7.00")


def test_claims_in_order_of_default_then_input_each_whole_before_the_next():
    claims = (
        Claim("B", D("100.00"), date(2025, 8, 1), NoInterest()),
        Claim("A", D("100.00"), date(2025, 7, 1), FixedInterest(D("36.5"))),  # 0.10 per day
        Claim("C", D("100.00"), date(2025, 8, 1), NoInterest()),
    )
    case = Case(True, claims, payments=(Payment(date(2025, 7, 10), D("160.00")),))
    (a,) = compute_statement(case, date(2025, 7, 10)).allocations
    # A: 10 days interest 1.00 then principal 100, then B (input order before C) gets 59.00
    assert [(i.kind, i.target, i.amount) for i in a.items] == [
        ("interest", "A", D("1.00")),
        ("principal", "A", D("100.00")),
        ("principal", "B", D("59.00")),
    ]


def test_overpayment_stays_as_credit_and_is_not_used_later():
    case = one_claim(
        "100.00",
        date(2025, 7, 1),
        interest=NoInterest(),
        payments=(Payment(date(2025, 7, 2), D("150.00")),),
        costs=(Cost(date(2025, 7, 3), "Mahngebühr", D("5.00")),),
    )
    s = compute_statement(case, date(2025, 12, 31))
    assert s.allocations[0].unapplied == D("50.00")
    assert (s.totals.credit, s.totals.costs_open, s.totals.total_open) == (
        D("50.00"),
        D("5.00"),
        D("5.00"),
    )


def test_same_day_payments_share_the_interest_of_that_day():
    case = one_claim(
        "1000.00",
        date(2025, 7, 1),
        interest=FixedInterest(D("36.5")),
        payments=(Payment(date(2025, 7, 10), D("0.50")), Payment(date(2025, 7, 10), D("1.00"))),
    )
    s = compute_statement(case, date(2025, 7, 10))
    # interest through 10.07: 1000 × 36.5 % × 10/365 = 10.00
    assert [(a.to_interest, a.to_principal) for a in s.allocations] == [
        (D("0.50"), D("0.00")),
        (D("1.00"), D("0.00")),
    ]


def test_later_booking_with_earlier_date_recalculates_from_that_date():
    base = one_claim("1000.00", date(2025, 7, 1), interest=FixedInterest(D("10")))
    late = Case(**{**base.__dict__, "payments": (Payment(date(2025, 8, 1), D("500.00")),)})
    before = compute_statement(base, date(2025, 7, 31))
    after = compute_statement(late, date(2025, 7, 31))
    assert before == after  # the payment after the statement date changes nothing
    assert (
        compute_statement(late, date(2025, 12, 31)).totals.total_open
        < compute_statement(base, date(2025, 12, 31)).totals.total_open
    )


def test_negative_base_rate_is_floored_at_zero():
    case = one_claim("1000.00", date(2020, 7, 1), interest=BasePlusInterest(D("0.5")))
    (p,) = compute_statement(case, date(2020, 7, 31)).claims[0].periods
    assert p.rate == D("0") and p.interest == D("0.00")  # −0.88 + 0.5 < 0


def test_period_interest_rounds_half_up():
    # 365 × 1 % × 1/365 = … construct exactly 0.005: 182.5 × 1 % × 1/365 = 0.005
    assert period_interest(D("182.50"), D("1"), 1, 365) == D("0.01")
    assert period_interest(D("182.49"), D("1"), 1, 365) == D("0.00")


def test_unverified_base_rate_is_marked():
    entry = BaseRateTable.official().entry_on(date(2026, 8, 1))
    assert entry.rate == D("1.52") and entry.verified is False
    assert BaseRateTable.official().entry_on(date(2026, 6, 30)).verified is True


# ------------------------------------------------------------------ property tests

amounts = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
days = st.dates(date(2015, 1, 1), date(2027, 12, 31))
terms = st.one_of(
    st.just(StatutoryInterest()),
    st.builds(BasePlusInterest, st.decimals(min_value=D("0"), max_value=D("12"), places=2)),
    st.builds(FixedInterest, st.decimals(min_value=D("0"), max_value=D("25"), places=3)),
    st.just(NoInterest()),
)
cases = st.builds(
    Case,
    consumer=st.booleans(),
    claims=st.lists(
        st.builds(
            Claim, id=st.uuids().map(str), principal=amounts, default_from=days, interest=terms
        ),
        min_size=1,
        max_size=4,
    ).map(tuple),
    costs=st.lists(
        st.builds(Cost, date=days, label=st.just("Kosten"), amount=amounts), max_size=3
    ).map(tuple),
    payments=st.lists(st.builds(Payment, date=days, amount=amounts), max_size=6).map(tuple),
    day_count=st.sampled_from(sorted(DAY_COUNTS)),
    allocation=st.sampled_from(["bgb367", "bgb497"]),
)


@settings(max_examples=300, deadline=None)
@given(case=cases, as_of=days)
def test_every_payment_is_fully_accounted_for_and_nothing_goes_negative(case, as_of):
    s = compute_statement(case, as_of)
    for a in s.allocations:
        assert a.to_costs + a.to_interest + a.to_principal + a.unapplied == a.amount
        assert min(a.to_costs, a.to_interest, a.to_principal, a.unapplied) >= 0
        assert sum(i.amount for i in a.items) + a.unapplied == a.amount
    for c in s.claims:
        assert c.principal_open >= 0 and c.interest_open >= 0 and c.interest_accrued >= 0
        assert all(p.interest >= 0 for p in c.periods)
    assert all(c.open >= 0 for c in s.costs)
    paid = sum((a.amount for a in s.allocations), D(0))
    owed_before = (
        sum(c.principal for c in case.claims)
        + sum(c.interest_accrued for c in s.claims)
        + sum(c.amount for c in s.costs)
    )
    assert owed_before - paid + s.totals.credit == s.totals.total_open


@settings(max_examples=200, deadline=None)
@given(case=cases, as_of=days, later=st.integers(0, 800))
def test_a_later_statement_date_never_lowers_interest_accrued(case, as_of, later):
    first = compute_statement(case, as_of)
    second = compute_statement(case, as_of + timedelta(days=later))
    for a, b in zip(first.claims, second.claims, strict=True):
        assert b.interest_accrued >= a.interest_accrued


@pytest.mark.parametrize("day_count", sorted(DAY_COUNTS))
def test_full_year_of_fixed_interest_is_the_rate(day_count):
    case = one_claim(
        "1000.00", date(2025, 1, 1), interest=FixedInterest(D("8")), day_count=day_count
    )
    s = compute_statement(case, date(2025, 12, 31))
    assert s.claims[0].interest_accrued == D("80.00")
