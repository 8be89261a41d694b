"""The title value and the limitation rules of titled claims, on dates checked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mahnwerk.domain.title import (
    CourtFacts,
    CourtSuspension,
    Title,
    TitleCover,
    TitledClaim,
    case_barred_from,
    claim_barred_from,
    format_interest,
    interest_barred_through,
    parse_interest,
    title_limitation,
    validate_title,
)


def vb(**kw) -> Title:
    base = dict(
        kind="vollstreckungsbescheid",
        court="AG Hünfeld",
        file_number="26-1234567-0-1",
        issued=date(2026, 3, 2),
        final=date(2026, 3, 17),
        principal=D("1250.00"),
        interest_from=date(2025, 11, 1),
        interest="base_plus:5",
        costs=D("71.80"),
    )
    base.update(kw)
    return Title(**base)


def test_a_complete_title_has_no_problems():
    assert validate_title(vb()) == []


def test_every_problem_is_named_at_once():
    t = vb(kind="beschluss", court=" ", principal=D("0"), interest="statutory", interest_from=None)
    problems = validate_title(t)
    assert problems == [
        "unbekannte Titelart 'beschluss' (vollstreckungsbescheid, urteil, vergleich, "
        "notarielle_urkunde)",
        "Gericht fehlt",
        "Hauptforderung muss größer als 0 sein",
        "Zinsbeginn fehlt",
    ]


def test_parts_must_add_up_and_carry_their_own_interest():
    parts = (
        TitledClaim("R-1", D("1000.00"), date(2025, 11, 1), "base_plus:5"),
        TitledClaim("R-2", D("200.00"), date(2025, 12, 1), "per_claim"),
    )
    problems = validate_title(vb(interest="per_claim", claims=parts))
    assert problems == [
        "Summe der Forderungen (1200.00) ungleich Hauptforderung (1250.00)",
        "Forderung R-2: Zinsen 'per_claim' nicht erlaubt",
    ]
    ok = vb(
        principal=D("1200.00"),
        interest="per_claim",
        claims=(parts[0], TitledClaim("R-2", D("200.00"), date(2025, 12, 1), "fixed:4")),
    )
    assert validate_title(ok) == []
    assert [line.claim for line in ok.interest_lines()] == ["R-1", "R-2"]
    assert validate_title(vb(interest="per_claim")) == [
        "Zinsen 'per_claim' nur mit Aufteilung nach Forderungen"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("statutory", ("statutory", None)),
        ("base_plus:9", ("base_plus", D("9"))),
        ("fixed:12.25", ("fixed", D("12.25"))),
        ("none", ("none", None)),
    ],
)
def test_interest_texts(text, expected):
    assert parse_interest(text) == expected


@pytest.mark.parametrize("text", ["", "base_plus", "fixed:", "fixed:abc", "base:5", "fixed:101"])
def test_bad_interest_texts_are_refused(text):
    with pytest.raises(ValueError, match="Zinssatz"):
        parse_interest(text)


def test_interest_in_words():
    assert format_interest("base_plus:9") == "9 Prozentpunkte über dem Basiszinssatz"
    assert format_interest("fixed:4.25") == "4,25 % jährlich"


# --------------------------------------------------------------- 30 years, § 197 Abs. 1 Nr. 3


def test_thirty_years_from_legal_force():
    # final on 17 March 2026: the day is not counted (§ 187 Abs. 1), the period ends with
    # the expiry of 17 March 2056 (§ 188 Abs. 2); barred from 18 March 2056
    result = title_limitation(date(2026, 3, 17))
    assert result.last_day_not_barred == date(2056, 3, 17)
    assert result.barred_from == date(2056, 3, 18)
    assert result.rule == "title"


def test_an_enforcement_act_restarts_the_thirty_years():
    # act on 10 May 2040 -> new period from 11 May 2040, ends 10 May 2070
    result = title_limitation(date(2026, 3, 17), [date(2040, 5, 10)])
    assert result.last_day_not_barred == date(2070, 5, 10)
    assert result.rule == "restart_enforcement"


def test_an_act_after_the_title_expired_restarts_nothing():
    result = title_limitation(date(2026, 3, 17), [date(2057, 1, 2)])
    assert result.last_day_not_barred == date(2056, 3, 17)


def test_a_title_on_29_february():
    # final 29 Feb 2028: 2058 has no 29 February -> 28 Feb 2058 (§ 188 Abs. 3)
    assert title_limitation(date(2028, 2, 29)).last_day_not_barred == date(2058, 2, 28)


# ---------------------------------------------------- interest after the title, § 197 Abs. 2


def test_interest_of_a_year_is_barred_from_the_fourth_new_year():
    final = date(2026, 3, 17)
    assert interest_barred_through(final, date(2029, 12, 31)) is None
    assert interest_barred_through(final, date(2030, 1, 1)) == date(2026, 12, 31)
    assert interest_barred_through(final, date(2031, 6, 30)) == date(2027, 12, 31)


def test_an_enforcement_act_restarts_the_interest_accrued_until_then():
    final = date(2026, 3, 17)
    act = date(2029, 6, 1)
    # 2026 interest: year-end rule 31 Dec 2029, restarted to 1 June 2032 by the act
    assert interest_barred_through(final, date(2030, 1, 1), [act]) is None
    assert interest_barred_through(final, date(2032, 6, 1), [act]) is None
    # on 2 June 2032 the interest accrued until the act of 2026..2028 is barred; that of 2029
    # keeps its year-end rule (31 Dec 2032)
    assert interest_barred_through(final, date(2032, 6, 2), [act]) == date(2028, 12, 31)
    assert interest_barred_through(final, date(2033, 1, 1), [act]) == date(2029, 12, 31)


@settings(max_examples=200, deadline=None)
@given(
    final=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    offset=st.integers(0, 6000),
    acts=st.lists(st.integers(0, 5000), max_size=3),
)
def test_the_barred_interest_is_exactly_the_days_whose_period_ended(final, offset, acts):
    on = final + timedelta(days=offset)
    act_days = [final + timedelta(days=a) for a in acts]
    through = interest_barred_through(final, on, act_days)

    def end(accrued: date) -> date:  # written out again, by the rule
        last = date(accrued.year + 3, 12, 31)
        for a in sorted(act_days):
            if accrued <= a <= last:
                last = max(
                    last,
                    a.replace(year=a.year + 3)
                    if (a.month, a.day) != (2, 29)
                    else date(a.year + 3, 2, 28),
                )
        return last

    for probe in {final, on - timedelta(days=1), *(a for a in act_days if final <= a < on)}:
        if probe < final or probe >= on:
            continue
        barred = on > end(probe)
        assert barred == (through is not None and probe <= through), (probe, through)


# ------------------------------------------------------------- the daily run's question


def test_a_titled_claim_whose_last_payment_is_four_years_old_is_not_barred():
    origin, payment = date(2021, 5, 3), date(2022, 1, 10)
    # without title: restart on the payment, barred from 11 Jan 2025
    assert claim_barred_from(origin, [payment]) == date(2025, 1, 11)
    # titled (final 20 Sep 2022): 30 years
    assert claim_barred_from(origin, [payment], titles=[(date(2022, 9, 20), ())]) == date(
        2052, 9, 21
    )
    # a title not yet final: the procedure runs, no date
    assert claim_barred_from(origin, [payment], titles=[(None, ())]) is None


def test_a_served_dunning_order_suspends_limitation():
    origin = date(2022, 3, 15)  # regular end 31 Dec 2025
    # applied for 1 Oct 2025, served; procedure ended 15 Jan 2026 -> suspended until
    # 15 Jul 2026; 92 days of the period were left on 1 Oct 2025 (1 Oct-31 Dec) ->
    # it runs out 15 Oct 2026
    s = CourtSuspension(date(2025, 10, 1), date(2026, 1, 15))
    assert claim_barred_from(origin, court=[s]) == date(2026, 10, 16)
    # never served: no suspension
    assert claim_barred_from(origin, court=[CourtSuspension(None, None)]) == date(2026, 1, 1)
    # still running: not barred
    assert claim_barred_from(origin, court=[CourtSuspension(date(2025, 10, 1))]) is None


def test_overlapping_procedures_do_not_suspend_twice():
    origin = date(2022, 3, 15)
    one = CourtSuspension(date(2025, 10, 1), date(2026, 1, 15))
    inside = CourtSuspension(date(2025, 11, 1), date(2025, 12, 1))
    assert claim_barred_from(origin, court=[one, inside]) == claim_barred_from(origin, court=[one])


def test_the_case_answer_is_the_earliest_claim_and_titles_cover_their_claims():
    facts = CourtFacts(titles=(TitleCover(frozenset({1}), date(2022, 9, 20)),))
    claims = [(1, date(2021, 5, 3)), (2, date(2021, 6, 1))]
    # claim 2 is not titled: regular limitation from its origin, restarted by the payment
    assert case_barred_from(claims, [date(2022, 1, 10)], facts) == date(2025, 1, 11)
    assert facts.titled([1]) and not facts.titled([1, 2])
    whole = CourtFacts(titles=(TitleCover(None, date(2022, 9, 20)),))
    assert whole.titled([1, 2])
    assert case_barred_from(claims, [date(2022, 1, 10)], whole) == date(2052, 9, 21)
