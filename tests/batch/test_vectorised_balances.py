"""The vectorised balances agree to the cent with the reference ledger.

A property test over many random portfolios (several cases each, every interest kind, day
count, allocation strategy, consumer flag and origin), hand-picked edge cases, and the path
through a real database (SQLite and PostgreSQL) with the bulk loader.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahnwerk.batch.balances import NO_DAY, Balances, Portfolio, compute_balances, day_number
from mahnwerk.batch.loader import Partition, load_open_cases
from mahnwerk.domain.daycount import DAY_COUNTS
from mahnwerk.domain.interest import BasePlusInterest, FixedInterest, NoInterest, StatutoryInterest
from mahnwerk.domain.ledger import FLAT_FEE_CODE, Case, Claim, Cost, Payment, compute_statement

STAT = StatutoryInterest()
TOTALS = ("principal_open", "interest_open", "costs_open", "total_open", "credit")


def cents(amount: D) -> int:
    return int(amount * 100)


def assert_agrees(cases: list[Case], as_of: date, balances: Balances | None = None) -> None:
    """Every case's totals, and every claim's open principal and interest, equal the ledger's."""
    balances = balances or compute_balances(Portfolio.from_cases(cases), as_of)
    row = 0
    for i, case in enumerate(cases):
        statement = compute_statement(case, as_of)
        t = statement.totals
        expected = {name: cents(getattr(t, name)) for name in TOTALS}
        got = {name: int(getattr(balances, name)[i]) for name in TOTALS}
        assert got == expected, f"case {i} as of {as_of}: {case}"
        unknown = statement.base_rate_unknown
        assert int(balances.base_rate_unknown[i]) == (
            NO_DAY if unknown is None else day_number(unknown)
        ), f"case {i}: base rate unknown from {unknown}"
        for claim in statement.claims:
            assert (
                int(balances.claim_principal_open[row]),
                int(balances.claim_interest_accrued[row]),
                int(balances.claim_interest_open[row]),
            ) == (
                cents(claim.principal_open),
                cents(claim.interest_accrued),
                cents(claim.interest_open),
            ), f"case {i} claim {claim.id}"
            row += 1


# ------------------------------------------------------------------ property test

amounts = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
small_amounts = st.decimals(min_value=D("0.01"), max_value=D("300"), places=2)
days = st.dates(date(2015, 1, 1), date(2027, 12, 31))
terms = st.one_of(
    st.just(STAT),
    st.builds(BasePlusInterest, st.decimals(min_value=D("0"), max_value=D("12"), places=2)),
    st.builds(FixedInterest, st.decimals(min_value=D("0"), max_value=D("25"), places=3)),
    st.just(NoInterest()),
)
origins = st.one_of(st.none(), st.dates(date(2010, 1, 1), date(2020, 12, 31)))
# month ends, leap days, half-year boundaries: drawn often, so that payments fall on the
# default day, on the same day as each other, on 30/31 and on 28/29 February
special_days = st.sampled_from(
    [
        date(2016, 2, 29),
        date(2016, 3, 1),
        date(2019, 2, 28),
        date(2020, 2, 29),
        date(2022, 12, 31),
        date(2023, 1, 1),
        date(2024, 1, 31),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 6, 30),
        date(2024, 7, 1),
        date(2024, 8, 31),
        date(2025, 3, 30),
        date(2025, 3, 31),
    ]
)
any_day = st.one_of(days, special_days)


def case_strategy(dates):
    return st.builds(
        Case,
        consumer=st.booleans(),
        claims=st.lists(
            st.builds(
                Claim,
                id=st.uuids().map(str),
                principal=amounts,
                default_from=dates,
                interest=terms,
                origin=origins,
            ),
            min_size=1,
            max_size=4,
        ).map(tuple),
        costs=st.lists(
            st.builds(Cost, date=dates, label=st.just("Kosten"), amount=small_amounts), max_size=3
        ).map(tuple),
        payments=st.lists(
            st.builds(Payment, date=dates, amount=st.one_of(amounts, small_amounts)), max_size=6
        ).map(tuple),
        day_count=st.sampled_from(sorted(DAY_COUNTS)),
        allocation=st.sampled_from(["bgb367", "bgb497"]),
    )


@st.composite
def legal_cases(draw, dates=any_day):
    """Cases with the fields of issue 17: claim kinds, claims not in default, payments naming
    a claim (§ 366 Abs. 1 BGB), flat fees (§ 288 Abs. 5 BGB) and agency fees."""
    claims = draw(
        st.lists(
            st.builds(
                Claim,
                id=st.sampled_from("ABCDEF"),
                principal=amounts,
                default_from=st.one_of(st.none(), dates),
                interest=terms,
                origin=origins,
                kind=st.sampled_from(["entgelt", "other"]),
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda c: c.id,
        )
    )
    ids = st.sampled_from([""] + [c.id for c in claims])
    costs = draw(
        st.lists(
            st.builds(
                Cost,
                date=dates,
                label=st.just("Kosten"),
                amount=small_amounts,
                code=st.sampled_from(["", FLAT_FEE_CODE, "VV 2300", "VV 7002", "MG"]),
                claim=ids,
            ),
            max_size=4,
        )
    )
    payments = draw(
        st.lists(
            st.builds(Payment, date=dates, amount=st.one_of(amounts, small_amounts), claim=ids),
            max_size=6,
        )
    )
    return Case(
        consumer=draw(st.booleans()),
        claims=tuple(claims),
        costs=tuple(costs),
        payments=tuple(payments),
        day_count=draw(st.sampled_from(sorted(DAY_COUNTS))),
        allocation=draw(st.sampled_from(["bgb367", "bgb497"])),
    )


cases = st.one_of(
    case_strategy(days),
    case_strategy(special_days),
    case_strategy(any_day),
    legal_cases(),
    legal_cases(days),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolio=st.lists(cases, min_size=1, max_size=8), as_of=any_day)
def test_vectorised_balances_equal_the_ledger_case_by_case(portfolio, as_of):
    assert_agrees(portfolio, as_of)


@settings(max_examples=100, deadline=None)
@given(portfolio=st.lists(cases, min_size=1, max_size=6), as_of=days, later=st.integers(1, 900))
def test_the_same_portfolio_on_two_dates(portfolio, as_of, later):
    assert_agrees(portfolio, as_of)
    assert_agrees(portfolio, as_of + timedelta(days=later))


# --------------------------------------------------------------------- edge cases


def case(*claims, costs=(), payments=(), consumer=True, day_count="act/365", allocation="bgb367"):
    return Case(
        consumer=consumer,
        claims=tuple(claims),
        costs=tuple(costs),
        payments=tuple(payments),
        day_count=day_count,
        allocation=allocation,
    )


def claim(principal="1000.00", default_from=date(2025, 2, 15), interest=STAT, origin=None, id="R"):
    return Claim(id, D(principal), default_from, interest, origin=origin)


def pay(day, amount):
    return Payment(day, D(amount))


ALL = [(dc, al) for dc in sorted(DAY_COUNTS) for al in ("bgb367", "bgb497")]


@pytest.mark.parametrize(("day_count", "allocation"), ALL)
def test_edge_cases(day_count, allocation):
    kw = dict(day_count=day_count, allocation=allocation)
    d0 = date(2025, 2, 15)
    edge = [
        # payment on the default day: one day of interest before it is applied
        case(claim(default_from=d0), payments=[pay(d0, "100.00")], **kw),
        # payment before the default day: pays principal, no interest yet
        case(claim(default_from=d0), payments=[pay(date(2025, 1, 10), "100.00")], **kw),
        # same-day payments share the interest of that day, in input order
        case(
            claim(),
            claim("500.00", date(2024, 5, 1), id="S"),
            costs=[Cost(date(2025, 3, 1), "Mahngebühr", D("5.00"))],
            payments=[pay(date(2025, 6, 1), "3.00"), pay(date(2025, 6, 1), "700.00")],
            **kw,
        ),
        # overpayment: the rest is credit and is not used for later interest or costs
        case(
            claim("100.00"),
            costs=[Cost(date(2025, 9, 1), "Auskunft", D("12.00"))],
            payments=[pay(date(2025, 3, 1), "500.00")],
            **kw,
        ),
        # a cost dated after the payment is not open to it
        case(
            claim("100.00", interest=NoInterest()),
            costs=[Cost(date(2025, 8, 1), "spät", D("50.00")), Cost(d0, "früh", D("5.00"))],
            payments=[pay(date(2025, 7, 1), "20.00")],
            **kw,
        ),
        # payments after the statement date are ignored
        case(claim(), payments=[pay(date(2027, 1, 1), "100.00")], **kw),
        # negative base rate era: base + 5 is positive, base + 0.5 floored at zero
        case(
            claim("10000.00", date(2016, 3, 1)),
            claim("10000.00", date(2016, 3, 1), BasePlusInterest(D("0.5")), id="S"),
            claim("800.00", date(2019, 1, 1), FixedInterest(D("-1")), id="T"),
            payments=[pay(date(2020, 2, 29), "1000.00"), pay(date(2022, 12, 31), "50.00")],
            **kw,
        ),
        # business claims: 9 points, 8 with an origin before 2014-07-29
        case(
            claim("5000.00", date(2016, 1, 1), origin=date(2014, 7, 28)),
            claim("5000.00", date(2016, 1, 1), origin=date(2014, 7, 29), id="S"),
            claim("5000.00", date(2016, 1, 1), id="T"),
            consumer=False,
            payments=[pay(date(2023, 6, 30), "2000.00")],
            **kw,
        ),
        # leap years: a period across 29 February, act/act basis 366 in 2024
        case(
            claim("3650.00", date(2024, 2, 28), FixedInterest(D("10"))),
            payments=[pay(date(2024, 2, 29), "1.00"), pay(date(2024, 12, 31), "10.00")],
            **kw,
        ),
        # 30/360 month ends: the 31st, the last of February, payments on them
        case(
            claim("1000.00", date(2025, 1, 31), FixedInterest(D("9"))),
            payments=[
                pay(date(2025, 2, 28), "10.00"),
                pay(date(2025, 3, 31), "10.00"),
                pay(date(2025, 8, 31), "10.00"),
            ],
            **kw,
        ),
        case(
            claim("1000.00", date(2024, 2, 29), FixedInterest(D("9"))),
            payments=[pay(date(2024, 3, 1), "10.00")],
            **kw,
        ),
        # no payments, no costs, claims in the future of the statement date
        case(claim(default_from=date(2026, 6, 1)), **kw),
        # several claims: (default_from, input order) decides which is paid first
        case(
            claim("100.00", date(2025, 3, 1), id="A"),
            claim("100.00", date(2025, 1, 1), id="B"),
            claim("100.00", date(2025, 1, 1), FixedInterest(D("12.5")), id="C"),
            payments=[pay(date(2025, 4, 1), "150.00"), pay(date(2025, 5, 1), "60.00")],
            **kw,
        ),
        # a fully paid claim stops bearing interest, its unpaid interest stays open (bgb497)
        case(claim("100.00", date(2024, 1, 1)), payments=[pay(date(2025, 1, 1), "100.00")], **kw),
    ]
    for as_of in (date(2025, 2, 15), date(2025, 12, 31), date(2026, 3, 31), date(2024, 2, 29)):
        assert_agrees(edge, as_of)


def test_half_up_rounding_at_exactly_half_a_cent():
    # 1000.00 × 7.3 % × 1 / 365 = 0.2 → 0.20; 250.00 × 7.3 % × 1/365 = 0.05 exactly;
    # 2.50 × 7.3 % × 1/365 = 0.0005 → 0.00; 125.00 × 7.3 % / 365 = 0.025 → 0.03 (half up)
    cases_ = [
        case(claim(p, date(2025, 7, 1), FixedInterest(D("7.3"))))
        for p in ("1000.00", "250.00", "2.50", "125.00")
    ]
    balances = compute_balances(Portfolio.from_cases(cases_), date(2025, 7, 1))
    assert balances.interest_open.tolist() == [20, 5, 0, 3]
    assert_agrees(cases_, date(2025, 7, 1), balances)


def test_rates_with_more_decimals_and_huge_principals_stay_exact():
    cases_ = [
        case(claim("123456789012.34", date(2015, 1, 1), FixedInterest(D("24.123456789")))),
        case(
            claim("99999999.99", date(2016, 5, 5), BasePlusInterest(D("7.0000001"))),
            payments=[pay(date(2020, 1, 1), "12345.67")],
        ),
        case(claim("10.00", date(2025, 1, 1), FixedInterest(D("5")))),
    ]
    portfolio = Portfolio.from_cases(cases_)
    assert portfolio.rate_scale == 10**9
    assert_agrees(cases_, date(2026, 6, 30))


def test_an_empty_portfolio_and_a_case_without_anything_due():
    empty = compute_balances(Portfolio.from_cases([]), date(2026, 1, 1))
    assert len(empty) == 0
    assert_agrees([case(claim("0.00"))], date(2026, 1, 1))


def test_negative_amounts_are_refused():
    bad = case(claim(), costs=[Cost(date(2025, 3, 1), "x", D("-1.00"))])
    with pytest.raises(ValueError, match="negative"):
        compute_balances(Portfolio.from_cases([bad]), date(2026, 1, 1))


# ------------------------------------------------------------------ from a database


def test_loaded_from_the_database_equal_the_stored_statement(sessions, engine):
    from mahnwerk.services import cases as case_service
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Case as CaseRow
    from mahnwerk.store.models import Claim as ClaimRow

    def debtor(n, consumer):
        return case_service.DebtorInput(
            kind="natural" if consumer else "legal",
            consumer=consumer,
            first_name="Erika" if consumer else None,
            last_name=f"Muster{n}" if consumer else None,
            company=None if consumer else f"Firma {n} GmbH",
            street=f"Weg {n}",
            postcode="10115",
            city="Berlin",
        )

    kinds = [("statutory", None), ("base_plus", D("2.5")), ("fixed", D("8.125")), ("none", None)]
    as_of = date(2026, 3, 31)
    ids = []
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        for n in range(12):
            claims = tuple(
                case_service.ClaimInput(
                    invoice_no=f"R-{n}-{j}",
                    amount=D(f"{100 + 37 * n + 11 * j}.{(n * 7 + j) % 100:02d}"),
                    default_from=date(2016 + n % 10, 1 + (n * 5 + j) % 12, 1 + (n * 3 + j) % 28),
                    interest_kind=kinds[(n + j) % 4][0],
                    interest_value=kinds[(n + j) % 4][1],
                )
                for j in range(1 + n % 3)
            )
            data = case_service.CaseInput(
                external_ref=f"K-{n}",
                debtor=debtor(n, consumer=n % 2 == 0),
                claims=claims,
                day_count=sorted(DAY_COUNTS)[n % 3],
                allocation=("bgb367", "bgb497")[n % 2],
                costs=tuple(
                    (date(2024, 1 + k, 10), f"Kosten {k}", D(f"{5 + k}.50")) for k in range(n % 3)
                ),
            )
            c = case_service.create_case(s, CLI, creditor.id, data)
            if n == 5:  # an origin before 29 July 2014 for a business debtor
                s.get(ClaimRow, c.claims[0].id).origin = date(2014, 1, 1)
            for k in range(n % 5):
                case_service.record_payment(
                    s,
                    CLI,
                    c,
                    day=date(2024, 3 + 2 * k, 1 + n),
                    amount=D(f"{40 * (k + 1)}.00"),
                    source="bank",
                    external_id=f"p-{n}-{k}",
                )
            if n == 7:  # a payment after the statement date
                case_service.record_payment(
                    s,
                    CLI,
                    c,
                    day=date(2026, 5, 1),
                    amount=D("99.00"),
                    source="bank",
                    external_id="late",
                )
            if n == 9:  # a reversed payment is left out
                p = case_service.record_payment(
                    s,
                    CLI,
                    c,
                    day=date(2025, 5, 1),
                    amount=D("77.00"),
                    source="bank",
                    external_id="rev",
                )
                case_service.reverse_payment(
                    s, CLI, p, day=date(2025, 5, 20), reason="Rücklastschrift", source="bank"
                )
            if n == 10:  # a reversed cost is left out
                case_service.reverse_cost(
                    s, CLI, c.costs[0], day=date(2025, 1, 5), reason="Gebühr erlassen"
                )
            if n == 11:
                c.status = "closed"
            ids.append(c.id)

    with engine.connect() as conn:
        whole = load_open_cases(conn, as_of)
        halves = [load_open_cases(conn, as_of, Partition(i, 2)) for i in range(2)]
    assert sorted(whole.cases.id.tolist()) == sorted(ids[:11])
    assert sorted(halves[0].cases.id.tolist() + halves[1].cases.id.tolist()) == sorted(ids[:11])
    for portfolio in (whole, *halves):
        balances = compute_balances(portfolio, as_of)
        with transaction(sessions) as s:
            for row, case_id in enumerate(balances.case_id.tolist()):
                stored = case_service.get_case(s, CLI, case_id)
                expected = case_service.statement(stored, as_of).totals
                assert balances.totals(row) == {n: getattr(expected, n) for n in TOTALS}
    with transaction(sessions) as s:
        assert s.get(CaseRow, ids[11]).status == "closed"
