"""Limitation (Verjährung): hand-checked worked examples, each computed by hand from the BGB
rules quoted in the test names, plus a few properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.domain.limitation import (
    INTEREST_AFTER_TITLE_NOTE,
    EventKind,
    LimitationEvent,
    acknowledgement,
    add_months,
    add_years,
    dunning_order_served,
    dunning_procedure_ended,
    enforcement,
    limitation_date,
    title_final,
)


def last_day(origin, *events, knowledge=None):
    return limitation_date(origin, list(events), knowledge=knowledge).last_day_not_barred


def test_regular_period_ends_three_years_after_the_end_of_the_year():
    r = limitation_date(date(2022, 3, 15))
    assert r.last_day_not_barred == date(2025, 12, 31)
    assert r.barred_from == date(2026, 1, 1)
    assert r.rule == "regular"
    assert "199 Abs. 1" in r.rule_text
    assert not r.is_barred_on(date(2025, 12, 31))
    assert r.is_barred_on(date(2026, 1, 1))
    assert r.steps[0] == "Anspruch entstanden am 15.03.2022."
    assert r.steps[-1].startswith("Ergebnis: Verjährung mit Ablauf des 31.12.2025")


def test_year_end_boundaries():
    assert last_day(date(2022, 12, 31)) == date(2025, 12, 31)
    assert last_day(date(2023, 1, 1)) == date(2026, 12, 31)


def test_late_knowledge_moves_the_start_to_the_end_of_that_year():
    assert last_day(date(2022, 3, 15), knowledge=date(2023, 2, 1)) == date(2026, 12, 31)
    # knowledge before the claim arose: the later date counts (§ 199 Abs. 1 Nr. 1 and 2)
    assert last_day(date(2022, 3, 15), knowledge=date(2021, 1, 1)) == date(2025, 12, 31)


def test_ten_year_maximum_from_origin_when_knowledge_is_very_late():
    r = limitation_date(date(2015, 3, 15), knowledge=date(2023, 6, 1))
    # regular: end of 2023 + 3 years = 2026-12-31; maximum: 2015-03-15 + 10 years (§ 199 Abs. 4)
    assert r.last_day_not_barred == date(2025, 3, 15)
    assert r.rule == "maximum"
    r = limitation_date(date(2015, 3, 15), knowledge=date(2020, 6, 1))
    assert r.last_day_not_barred == date(2023, 12, 31)
    assert r.rule == "regular"


def test_dunning_order_suspends_until_six_months_after_the_end():
    # Hemmung 2025-10-01 .. 2026-07-15 (six months after 2026-01-15) = 288 days, both ends
    # included (§ 209); 2025-12-31 + 288 days = 2026-10-15. Check by hand: 92 days were left on
    # 2025-10-01 (Oct 31 + Nov 30 + Dec 31); they run again from 2026-07-16 -> 2026-10-15.
    r = limitation_date(
        date(2022, 3, 15),
        [dunning_order_served(date(2025, 10, 1)), dunning_procedure_ended(date(2026, 1, 15))],
    )
    assert r.last_day_not_barred == date(2026, 10, 15)
    assert r.suspended_days == 288
    assert r.rule == "regular"
    assert any("§ 204 Abs. 1 Nr. 3" in step for step in r.steps)
    assert any("15.07.2026" in step for step in r.steps)


def test_events_may_be_given_in_any_order():
    events = [dunning_procedure_ended(date(2026, 1, 15)), dunning_order_served(date(2025, 10, 1))]
    assert last_day(date(2022, 3, 15), *events) == date(2026, 10, 15)


def test_open_dunning_procedure_keeps_the_claim_suspended():
    r = limitation_date(date(2022, 3, 15), [dunning_order_served(date(2025, 10, 1))])
    assert r.last_day_not_barred is None
    assert r.barred_from is None
    assert r.suspension_open
    assert not r.is_barred_on(date(2040, 1, 1))


def test_dunning_order_after_the_claim_was_barred_has_no_effect():
    r = limitation_date(
        date(2021, 5, 1),
        [dunning_order_served(date(2025, 2, 1)), dunning_procedure_ended(date(2025, 3, 1))],
    )
    assert r.last_day_not_barred == date(2024, 12, 31)
    assert any("ohne Wirkung" in step for step in r.steps)


def test_suspension_before_the_period_starts_postpones_the_start():
    # Hemmung 2022-06-01 .. 2023-02-01: the period starts on 2023-02-02 and runs 3 years
    assert last_day(
        date(2022, 3, 15),
        dunning_order_served(date(2022, 6, 1)),
        dunning_procedure_ended(date(2022, 8, 1)),
    ) == date(2026, 2, 1)
    # across a leap day: Hemmung until 2024-03-15 -> start 2024-03-16 -> end 2027-03-15
    assert last_day(
        date(2023, 3, 15),
        dunning_order_served(date(2023, 6, 1)),
        dunning_procedure_ended(date(2023, 9, 15)),
    ) == date(2027, 3, 15)


def test_part_payment_restarts_the_full_period_without_year_end_rule():
    r = limitation_date(date(2022, 3, 15), [acknowledgement(date(2024, 5, 10))])
    # new period from 2024-05-11, three years -> expiry of 2027-05-10 (§§ 187 Abs. 1, 188 Abs. 2)
    assert r.last_day_not_barred == date(2027, 5, 10)
    assert r.rule == "restart_acknowledgement"
    assert any("11.05.2024 neu" in step for step in r.steps)


def test_enforcement_act_restarts_the_period():
    r = limitation_date(date(2022, 3, 15), [enforcement(date(2025, 11, 3))])
    assert r.last_day_not_barred == date(2028, 11, 3)
    assert r.rule == "restart_enforcement"


def test_part_payment_after_limitation_does_not_restart():
    r = limitation_date(date(2020, 1, 10), [acknowledgement(date(2024, 2, 1))])
    assert r.last_day_not_barred == date(2023, 12, 31)
    assert r.rule == "regular"
    assert any("kein Neubeginn" in step for step in r.steps)


def test_acknowledgement_before_the_period_began_has_no_effect():
    assert last_day(date(2022, 3, 15), acknowledgement(date(2022, 6, 1))) == date(2025, 12, 31)


def test_restart_then_suspension_in_date_order():
    # restart 2024-05-10 -> 2027-05-10; Hemmung 2025-10-01..2026-07-15 = 288 days -> 2028-02-22
    assert last_day(
        date(2022, 3, 15),
        dunning_order_served(date(2025, 10, 1)),
        dunning_procedure_ended(date(2026, 1, 15)),
        acknowledgement(date(2024, 5, 10)),
    ) == date(2028, 2, 22)


def test_restart_during_suspension_runs_from_the_end_of_the_suspension():
    # acknowledgement 2023-11-20 during Hemmung 2023-10-01..2024-07-15: the new period starts on
    # 2024-07-16 and ends with 2027-07-15 (by the calendar, across 29 Feb 2024)
    assert last_day(
        date(2021, 3, 15),
        dunning_order_served(date(2023, 10, 1)),
        dunning_procedure_ended(date(2024, 1, 15)),
        acknowledgement(date(2023, 11, 20)),
    ) == date(2027, 7, 15)


def test_title_runs_thirty_years_from_legal_force():
    r = limitation_date(date(2022, 3, 15), [title_final(date(2023, 2, 1))])
    assert r.last_day_not_barred == date(2053, 2, 1)
    assert r.rule == "title"
    assert "§ 197 Abs. 1 Nr. 3" in r.rule_text
    assert INTEREST_AFTER_TITLE_NOTE in r.notes
    assert "§ 197 Abs. 2" in INTEREST_AFTER_TITLE_NOTE


def test_enforcement_after_title_restarts_thirty_years():
    r = limitation_date(
        date(2022, 3, 15),
        [
            dunning_order_served(date(2022, 9, 1)),
            dunning_procedure_ended(date(2023, 2, 1)),
            title_final(date(2023, 2, 1)),
            enforcement(date(2030, 1, 5)),
        ],
    )
    assert r.last_day_not_barred == date(2060, 1, 5)
    assert r.rule == "restart_enforcement"


def test_title_on_a_barred_claim_still_counts_with_a_note():
    r = limitation_date(date(2018, 1, 10), [title_final(date(2023, 2, 1))])
    assert r.last_day_not_barred == date(2053, 2, 1)
    assert any("verjährt" in note for note in r.notes)


def test_leap_day_periods():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert last_day(date(2022, 3, 15), acknowledgement(date(2024, 2, 29))) == date(2027, 2, 28)


def test_bad_event_sequences_are_refused():
    with pytest.raises(ValueError, match="before the claim arose"):
        limitation_date(date(2022, 3, 15), [acknowledgement(date(2022, 3, 14))])
    with pytest.raises(ValueError, match="without a served"):
        limitation_date(date(2022, 3, 15), [dunning_procedure_ended(date(2023, 1, 1))])
    with pytest.raises(ValueError, match="has not ended"):
        limitation_date(
            date(2022, 3, 15),
            [dunning_order_served(date(2023, 1, 1)), dunning_order_served(date(2023, 5, 1))],
        )


def test_events_are_immutable_values():
    event = LimitationEvent(EventKind.ENFORCEMENT, date(2025, 1, 1))
    assert event == enforcement(date(2025, 1, 1))
    with pytest.raises(AttributeError):
        event.on = date(2025, 1, 2)  # type: ignore[misc]


ORIGINS = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@given(ORIGINS, st.integers(min_value=0, max_value=2000))
def test_an_acknowledgement_never_shortens_the_period(origin, offset):
    base = last_day(origin)
    assert last_day(origin, acknowledgement(origin + timedelta(days=offset))) >= base


@given(ORIGINS, st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=900))
def test_a_suspension_never_shortens_the_period(origin, offset, length):
    served = origin + timedelta(days=offset)
    ended = served + timedelta(days=length)
    result = last_day(origin, dunning_order_served(served), dunning_procedure_ended(ended))
    assert result >= last_day(origin)
