"""Issue 17 in the ledger: designation (§ 366 Abs. 1 BGB), the default order (§ 366 Abs. 2),
claim kinds (§ 288 Abs. 2), the flat fee (§ 288 Abs. 5), claims not in default, unknown and
UNVERIFIED base rates; worked examples checked by hand, and the old results kept where the law
does not change them (the frozen ledger of before the issue as the oracle)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain._ledger_before_issue17 import compute_statement as statement_before

from mahnwerk.domain.base_rate import BaseRate, BaseRateTable, UnknownBaseRate
from mahnwerk.domain.daycount import DAY_COUNTS
from mahnwerk.domain.interest import (
    BasePlusInterest,
    FixedInterest,
    NoInterest,
    StatutoryInterest,
    above_statutory,
)
from mahnwerk.domain.ledger import (
    FLAT_FEE_CODE,
    Case,
    Claim,
    Cost,
    Payment,
    compute_statement,
)

STAT = StatutoryInterest()


def parts(allocation):
    return [(i.kind, i.target, i.amount) for i in allocation.items]


# ------------------------------------------------------------ § 366 Abs. 1 BGB


def test_a_designated_payment_goes_to_the_named_claim_first_and_the_rest_in_default_order():
    # consumer; A 1000.00 from 2025-01-01, B 500.00 from 2025-03-01, both statutory (7.27 %
    # in H1 2025). 600.00 paid on 2025-04-01 "for B".
    a = Claim("A", D("1000.00"), date(2025, 1, 1), STAT)
    b = Claim("B", D("500.00"), date(2025, 3, 1), STAT)
    named = Case(True, (a, b), payments=(Payment(date(2025, 4, 1), D("600.00"), claim="B"),))
    s = compute_statement(named, date(2025, 4, 1))
    # A: 1000 × 7.27 % × 91/365 = 18.125… → 18.13 (Jan 31 + Feb 28 + Mar 31 + 1 day)
    # B: 500 × 7.27 % × 32/365 = 3.1868… → 3.19 (Mar 31 + 1 day)
    (x,) = s.allocations
    assert x.claim == "B"
    assert parts(x) == [
        ("interest", "B", D("3.19")),
        ("principal", "B", D("500.00")),
        # 600 − 503.19 = 96.81 goes on in the default order: A's interest, then principal
        ("interest", "A", D("18.13")),
        ("principal", "A", D("78.68")),
    ]
    assert [c.principal_open for c in s.claims] == [D("921.32"), D("0.00")]
    # without the designation the older claim A is served first
    plain = dataclasses.replace(named, payments=(Payment(date(2025, 4, 1), D("600.00")),))
    (y,) = compute_statement(plain, date(2025, 4, 1)).allocations
    assert parts(y) == [("interest", "A", D("18.13")), ("principal", "A", D("581.87"))]


def test_costs_of_the_case_come_before_the_named_claim():
    case = Case(
        True,
        (Claim("A", D("100.00"), date(2025, 1, 1), NoInterest()),),
        costs=(Cost(date(2025, 1, 10), "Mahnkosten", D("5.00")),),
        payments=(Payment(date(2025, 2, 1), D("50.00"), claim="A"),),
    )
    (x,) = compute_statement(case, date(2025, 2, 1)).allocations
    assert parts(x) == [("cost", "Mahnkosten", D("5.00")), ("principal", "A", D("45.00"))]


def test_a_payment_naming_no_claim_of_the_case_is_refused():
    case = Case(
        True,
        (Claim("A", D("100.00"), date(2025, 1, 1), STAT),),
        payments=(Payment(date(2025, 2, 1), D("50.00"), claim="Z"),),
    )
    with pytest.raises(ValueError, match="keine Forderung 'Z'"):
        compute_statement(case, date(2025, 2, 1))


# ------------------------------------------------------------ § 366 Abs. 2 BGB


def business_case(allocation="bgb367"):
    # not a consumer: X (damages, kind other) 5 points, Y (Entgelt) 9 points
    x = Claim("X", D("1000.00"), date(2025, 1, 1), STAT, kind="other")
    y = Claim("Y", D("1000.00"), date(2025, 2, 1), STAT)
    return Case(
        False,
        (x, y),
        payments=(Payment(date(2025, 3, 1), D("500.00")),),
        allocation=allocation,
    )


def test_the_more_burdensome_claim_first_the_higher_rate_before_the_older_one():
    s = compute_statement(business_case(), date(2025, 3, 1))
    # X: 1000 × (2.27 + 5) % × 60/365 = 11.950… → 11.95 (Jan 31 + Feb 28 + 1 day)
    # Y: 1000 × (2.27 + 9) % × 29/365 = 8.954… → 8.95 (Feb 28 + 1 day)
    assert [c.periods[0].rate for c in s.claims] == [D("7.27"), D("11.27")]
    (x,) = s.allocations
    assert parts(x) == [("interest", "Y", D("8.95")), ("principal", "Y", D("491.05"))]
    assert [(c.principal_open, c.interest_open) for c in s.claims] == [
        (D("1000.00"), D("11.95")),
        (D("508.95"), D("0.00")),
    ]


def test_the_same_order_among_claims_under_bgb497():
    (x,) = compute_statement(business_case("bgb497"), date(2025, 3, 1)).allocations
    assert parts(x) == [("principal", "Y", D("500.00"))]


def test_claims_not_in_default_come_last():
    # N (not in default, no interest) stands first in the input; M is in default since
    # 2025-01-01: M 100 × 7.27 % × 32/365 = 0.637… → 0.64, then principal 100.00; 49.36 to N.
    n = Claim("N", D("200.00"), None, STAT)
    m = Claim("M", D("100.00"), date(2025, 1, 1), STAT)
    case = Case(True, (n, m), payments=(Payment(date(2025, 2, 1), D("150.00")),))
    s = compute_statement(case, date(2025, 2, 1))
    (x,) = s.allocations
    assert parts(x) == [
        ("interest", "M", D("0.64")),
        ("principal", "M", D("100.00")),
        ("principal", "N", D("49.36")),
    ]
    assert s.claims[0].periods == () and s.claims[0].default_from is None


def test_a_claim_not_yet_in_default_on_the_payment_day_waits_even_if_its_rate_is_higher():
    # F: fixed 12 %, default only from 2025-06-01; G statutory, in default since 2025-01-01
    f = Claim("F", D("100.00"), date(2025, 6, 1), FixedInterest(D("12")))
    g = Claim("G", D("100.00"), date(2025, 1, 1), NoInterest())
    case = Case(True, (f, g), payments=(Payment(date(2025, 3, 1), D("50.00")),))
    (x,) = compute_statement(case, date(2025, 3, 1)).allocations
    assert parts(x) == [("principal", "G", D("50.00"))]


# ------------------------------------------------------------ § 288 Abs. 2 and 5 BGB


def test_nine_points_only_for_entgelt_claims_against_non_consumers():
    # 10000 × 10.27 % × 31/365 = 87.2246… → 87.22; as kind other: 6.27 % → 53.2493… → 53.25
    for kind, rate, interest in (("entgelt", "10.27", "87.22"), ("other", "6.27", "53.25")):
        case = Case(False, (Claim("R", D("10000.00"), date(2025, 7, 1), STAT, kind=kind),))
        (p,) = compute_statement(case, date(2025, 7, 31)).claims[0].periods
        assert (p.rate, p.interest) == (D(rate), D(interest)), kind
    # a consumer pays 5 points either way
    case = Case(True, (Claim("R", D("10000.00"), date(2025, 7, 1), STAT),))
    assert compute_statement(case, date(2025, 7, 31)).claims[0].periods[0].rate == D("6.27")


def test_the_flat_fee_is_credited_against_the_agency_fee_charged_later():
    # Entgelt 1000.00 against a business in default since 2025-01-01; the 40.00 flat fee of
    # § 288 Abs. 5 on that day; the agency fee (mandate 2025-02-01, 2021 law: 1.0 fee 88.00,
    # 0.5 → 44.00, VV 7002 20 % = 8.80) a month later: 40.00 of the 44.00 are credited.
    case = Case(
        False,
        (Claim("R", D("1000.00"), date(2025, 1, 1), NoInterest()),),
        costs=(
            Cost(date(2025, 1, 1), "Verzugspauschale", D("40.00"), FLAT_FEE_CODE, "R"),
            Cost(date(2025, 2, 1), "Geschäftsgebühr 0,5", D("44.00"), "VV 2300"),
            Cost(date(2025, 2, 1), "Auslagenpauschale", D("8.80"), "VV 7002"),
        ),
    )
    s = compute_statement(case, date(2025, 2, 1))
    assert [(c.amount, c.credited, c.open) for c in s.costs] == [
        (D("40.00"), D("0.00"), D("40.00")),
        (D("44.00"), D("40.00"), D("4.00")),
        (D("8.80"), D("0.00"), D("8.80")),
    ]
    assert s.totals.costs_open == D("52.80")  # what the agency fee alone costs
    # before the agency fee is charged, the flat fee stands on its own
    assert compute_statement(case, date(2025, 1, 31)).totals.costs_open == D("40.00")


def test_an_agency_fee_charged_before_the_flat_fee_is_not_credited():
    case = Case(
        False,
        (Claim("R", D("1000.00"), date(2025, 1, 1), NoInterest()),),
        costs=(
            Cost(date(2025, 1, 1), "Geschäftsgebühr 0,5", D("44.00"), "VV 2300"),
            Cost(date(2025, 2, 1), "Verzugspauschale", D("40.00"), FLAT_FEE_CODE, "R"),
        ),
    )
    assert compute_statement(case, date(2025, 2, 1)).totals.costs_open == D("84.00")


# ------------------------------------------------------------ base rate


def test_a_half_year_without_a_known_base_rate_is_not_charged_and_is_warned_about():
    # 1000.00 from 2026-12-01 for a consumer: December at 1.52 (UNVERIFIED) + 5 = 6.52 %:
    # 1000 × 6.52 % × 31/365 = 5.537… → 5.54; January 2027: no base rate known → nothing.
    case = Case(
        True,
        (
            Claim("R-1", D("1000.00"), date(2026, 12, 1), STAT),
            Claim("R-2", D("1000.00"), date(2026, 12, 1), FixedInterest(D("8"))),
        ),
    )
    s = compute_statement(case, date(2027, 1, 31))
    one, two = s.claims
    assert [(p.start, p.rate, p.interest) for p in one.periods] == [
        (date(2026, 12, 1), D("6.52"), D("5.54"))
    ]
    assert one.uncharged == ((date(2027, 1, 1), date(2027, 1, 31)),)
    # a fixed rate needs no base rate: 1000 × 8 % × 31/365 = 6.794… → 6.79 twice
    assert [p.interest for p in two.periods] == [D("6.79"), D("6.79")]
    assert s.base_rate_unknown == date(2027, 1, 1)
    unverified, unknown = s.warnings
    assert "01.07.2026 (1,52 %) nicht amtlich bestätigt (UNVERIFIED)" in unverified
    assert "Halbjahr ab 01.01.2027 unbekannt" in unknown
    assert "vom 01.01.2027 bis 31.01.2027 nicht berechnet (Forderung R-1)" in unknown
    assert "mahnwerk reference base-rate add 2027-01-01" in unknown
    # a statement of a known and verified time has no warnings
    assert compute_statement(case, date(2026, 6, 30)).warnings == ()


def test_an_operator_rate_closes_the_gap():
    table = BaseRateTable.official()
    with pytest.raises(UnknownBaseRate):
        table.rate_on(date(2027, 1, 1))
    added = BaseRateTable(
        (*table.entries, BaseRate(date(2027, 1, 1), D("1.27"), True, "https://x", "user:1"))
    )
    case = Case(True, (Claim("R-1", D("1000.00"), date(2027, 1, 1), STAT),))
    s = compute_statement(case, date(2027, 1, 31), added)
    # 1000 × 6.27 % × 31/365 = 5.325… → 5.33
    assert [p.interest for p in s.claims[0].periods] == [D("5.33")] and s.warnings == ()


def test_rate_above_the_statutory_one_needs_the_notice_of_13a_nr_4():
    rates = BaseRateTable.official()
    day = date(2026, 3, 1)  # base 1.27: consumer 6.27 %, business Entgelt 10.27 %
    assert above_statutory(FixedInterest(D("6.28")), day, consumer=True, base_rates=rates)
    assert not above_statutory(FixedInterest(D("6.27")), day, consumer=True, base_rates=rates)
    assert not above_statutory(BasePlusInterest(D("9")), day, consumer=False, base_rates=rates)
    assert above_statutory(
        BasePlusInterest(D("9")), day, consumer=False, base_rates=rates, entgelt=False
    )
    assert not above_statutory(STAT, day, consumer=True, base_rates=rates)


# ------------------------------------------------- the old results where the law is the same

amounts = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
# every half-year of these days has a known base rate (the table ends with 2026-07-01)
days = st.dates(date(2015, 1, 1), date(2026, 12, 31))
terms = st.one_of(
    st.just(StatutoryInterest()),
    st.builds(BasePlusInterest, st.decimals(min_value=D("0"), max_value=D("12"), places=2)),
    st.builds(FixedInterest, st.decimals(min_value=D("0"), max_value=D("25"), places=3)),
    st.just(NoInterest()),
)


@st.composite
def equal_rate_cases(draw):
    """Cases that use none of the new fields, all claims with the same interest terms."""
    shared = draw(terms)
    claims = draw(
        st.lists(
            st.builds(
                Claim,
                id=st.uuids().map(str),
                principal=amounts,
                default_from=days,
                interest=st.just(shared),
                origin=st.one_of(st.none(), st.dates(date(2010, 1, 1), date(2020, 1, 1))),
            ),
            min_size=1,
            max_size=4,
        )
    )
    if isinstance(shared, StatutoryInterest):
        # equal rates: the 8 points of old business claims only if all claims share them
        old = draw(st.booleans())
        claims = [dataclasses.replace(c, origin=date(2012, 1, 1) if old else None) for c in claims]
    return Case(
        consumer=draw(st.booleans()),
        claims=tuple(claims),
        costs=tuple(
            draw(
                st.lists(
                    st.builds(
                        Cost,
                        date=days,
                        label=st.just("Kosten"),
                        amount=amounts,
                        code=st.sampled_from(["", "MG", "VV 2300"]),
                    ),
                    max_size=3,
                )
            )
        ),
        payments=tuple(draw(st.lists(st.builds(Payment, date=days, amount=amounts), max_size=6))),
        day_count=draw(st.sampled_from(sorted(DAY_COUNTS))),
        allocation=draw(st.sampled_from(["bgb367", "bgb497"])),
    )


@settings(max_examples=400, deadline=None)
@given(case=equal_rate_cases(), as_of=days)
def test_statements_are_the_same_as_before_where_the_law_did_not_change(case, as_of):
    new = compute_statement(case, as_of)
    old = statement_before(case, as_of)
    assert dataclasses.replace(new, base_rate_notes=()) == old


# ------------------------------------------------------------ the statement stored with a message


def test_the_statement_stored_with_a_message_keeps_every_new_fact():
    # what the daily run stores with a message (domain.statement_json) and the letter is
    # rendered from: a designation, a claim not in default, an "other" claim, a flat fee
    # credited against the agency fee and an unknown half-year all survive the round trip
    from mahnwerk.domain import statement_json

    case = Case(
        False,
        (
            Claim("A", D("1000.00"), date(2026, 12, 1), STAT),
            Claim("B", D("200.00"), None, NoInterest(), kind="other"),
        ),
        costs=(
            Cost(date(2026, 12, 1), "Verzugspauschale", D("40.00"), FLAT_FEE_CODE, "A"),
            Cost(date(2026, 12, 2), "Geschäftsgebühr 0,5", D("44.00"), "VV 2300"),
        ),
        payments=(Payment(date(2026, 12, 10), D("100.00"), claim="B"),),
    )
    st = compute_statement(case, date(2027, 1, 31))
    assert st.costs[1].credited == D("40.00") and st.allocations[0].claim == "B"
    assert st.claims[1].default_from is None and st.claims[1].kind == "other"
    assert st.base_rate_unknown == date(2027, 1, 1) and st.claims[0].uncharged
    again = statement_json.load(statement_json.dump(st))
    assert again == st and again.warnings == st.warnings
