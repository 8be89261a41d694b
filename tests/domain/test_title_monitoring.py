"""The re-check schedule of titled cases, worked through by hand."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.domain.title_monitoring import MonitoringFacts, schedule

TITLE = date(2023, 6, 1)


def test_title_from_2023_without_payment_is_rechecked_on_2027_06_01():
    s = schedule(MonitoringFacts(title_final=TITLE), date(2026, 12, 5))
    assert s.next_check == date(2027, 6, 1) and s.interval_months == 12
    assert s.due_check == date(2026, 6, 1)
    # once the check of 2026-06-01 was raised, nothing is due until 2027-06-01
    again = schedule(MonitoringFacts(TITLE, last_check=date(2026, 6, 1)), date(2026, 12, 6))
    assert again.due_check is None and again.next_check == date(2027, 6, 1)
    assert [t.code for t in again.tasks] == ["interest_limitation:2023"]


def test_every_six_months_while_enforcement_is_active_then_yearly():
    act = date(2026, 9, 15)
    active = schedule(MonitoringFacts(TITLE, last_enforcement_act=act), date(2026, 12, 5))
    assert active.interval_months == 6 and active.next_check == date(2027, 3, 15)
    quiet = schedule(MonitoringFacts(TITLE, last_enforcement_act=act), date(2027, 3, 16))
    assert quiet.interval_months == 12 and quiet.next_check == date(2027, 9, 15)
    running = schedule(MonitoringFacts(TITLE, measure_running=True), date(2026, 12, 5))
    assert running.interval_months == 6 and running.next_check == date(2027, 6, 1)
    assert running.due_check == date(2026, 12, 1)


def test_new_address_employer_or_account_raises_a_task_at_once():
    facts = MonitoringFacts(
        TITLE,
        last_check=date(2026, 6, 1),
        new_info=(("employer", date(2026, 11, 20)), ("address", date(2026, 1, 5))),
    )
    codes = [t.code for t in schedule(facts, date(2026, 12, 5)).tasks]
    assert "new_info:employer:2026-11-20" in codes
    assert "new_info:address:2026-01-05" not in codes  # known before the last check


def test_two_years_after_a_vermoegensauskunft_a_new_one_is_proposed():
    facts = MonitoringFacts(
        TITLE, last_asset_disclosure=date(2025, 2, 10), last_check=date(2026, 6, 1)
    )
    before = schedule(facts, date(2026, 12, 5))
    assert before.next_check == date(2027, 2, 10)  # earlier than the yearly 2027-06-01
    at = schedule(facts, date(2027, 2, 10))
    assert "disclosure_renewal:2027-02-10" in [t.code for t in at.tasks]
    assert "§ 802d ZPO" in at.tasks[0].reason


def test_interest_limitation_alert_follows_the_years():
    s = schedule(MonitoringFacts(TITLE, last_check=date(2027, 6, 1)), date(2027, 7, 1))
    (task,) = [t for t in s.tasks if t.code.startswith("interest_limitation")]
    assert task.code == "interest_limitation:2024" and "31.12.2027" in task.reason
    assert schedule(MonitoringFacts(date(2025, 6, 1)), date(2026, 12, 5)).interest_alert_on == (
        date(2028, 1, 1)
    )


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=4000),
    st.booleans(),
)
def test_the_next_check_is_always_after_today_and_the_due_one_not(final, days, running):
    from datetime import timedelta

    today = final + timedelta(days=days)
    s = schedule(MonitoringFacts(final, measure_running=running), today)
    assert s.next_check > today
    assert s.due_check is None or final < s.due_check <= today
