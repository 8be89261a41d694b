"""Contact rules with fixed moments: quiet hours, Sundays, Bavarian holidays, the weekly cap
and the debtor's preferences."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from mahnwerk.domain.contact_rules import (
    ContactKind,
    ContactPolicy,
    Preference,
    check_contact,
    land_for_postcode,
)

BERLIN = ZoneInfo("Europe/Berlin")


def at(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=BERLIN)


def bavaria(day: date) -> bool:
    return day in holidays.country_holidays("DE", subdiv="BY", years=day.year)


def berlin(day: date) -> bool:
    return day in holidays.country_holidays("DE", subdiv="BE", years=day.year)


@pytest.mark.parametrize("kind", [ContactKind.SMS, ContactKind.CALL])
def test_no_sms_or_calls_on_a_sunday(kind):
    r = check_contact(kind, at(2026, 3, 8, 12))  # Sunday
    assert not r.allowed and r.reason == "sonntags keine SMS oder Anrufe"
    assert r.next_allowed == at(2026, 3, 9, 8)


def test_not_at_21_00_and_not_before_8_00():
    r = check_contact(ContactKind.SMS, at(2026, 3, 10, 21))
    assert (r.allowed, r.reason, r.next_allowed) == (
        False,
        "ab 20:00 Uhr nicht erlaubt",
        at(2026, 3, 11, 8),
    )
    r = check_contact(ContactKind.CALL, at(2026, 3, 10, 7, 59))
    assert (r.reason, r.next_allowed) == ("vor 08:00 Uhr nicht erlaubt", at(2026, 3, 10, 8))
    assert check_contact(ContactKind.CALL, at(2026, 3, 10, 8)).allowed
    assert check_contact(ContactKind.CALL, at(2026, 3, 10, 19, 59)).allowed
    assert not check_contact(ContactKind.CALL, at(2026, 3, 10, 20)).allowed


def test_saturday_evening_moves_past_sunday_to_monday():
    r = check_contact(ContactKind.SMS, at(2026, 3, 7, 20, 30))
    assert r.next_allowed == at(2026, 3, 9, 8)


def test_a_bavarian_holiday_blocks_calls_in_bavaria_but_not_in_berlin():
    epiphany = at(2026, 1, 6, 10)  # Heilige Drei Könige: BY, BW, ST - not BE
    r = check_contact(ContactKind.CALL, epiphany, is_holiday=bavaria)
    assert (r.allowed, r.reason) == (False, "an Feiertagen keine SMS oder Anrufe")
    assert r.next_allowed == at(2026, 1, 7, 8)
    assert check_contact(ContactKind.CALL, epiphany, is_holiday=berlin).allowed
    # Good Friday -> Saturday; Easter Sunday -> past Easter Monday to Tuesday
    r = check_contact(ContactKind.SMS, at(2026, 4, 3, 9), is_holiday=bavaria)
    assert r.next_allowed == at(2026, 4, 4, 8)
    r = check_contact(ContactKind.SMS, at(2026, 4, 5, 9), is_holiday=bavaria)
    assert r.next_allowed == at(2026, 4, 7, 8)


def test_letters_and_emails_are_not_bound_to_quiet_hours():
    sunday_night = at(2026, 3, 8, 23)
    assert check_contact(ContactKind.LETTER, sunday_night, is_holiday=bavaria).allowed
    assert check_contact(ContactKind.EMAIL, sunday_night).allowed


def test_weekly_cap_counts_every_kind_and_says_when_it_frees_up():
    now = at(2026, 3, 12, 10)
    earlier = [now - timedelta(days=6), now - timedelta(days=3), now - timedelta(hours=2)]
    r = check_contact(ContactKind.LETTER, now, recent_contacts=earlier)
    assert not r.allowed and r.reason == "höchstens 3 Kontakte in 7 Tagen (schon 3)"
    assert r.next_allowed == earlier[0] + timedelta(days=7, seconds=1)
    assert check_contact(ContactKind.LETTER, now, recent_contacts=earlier[1:]).allowed
    assert check_contact(
        ContactKind.LETTER, now, recent_contacts=earlier, policy=ContactPolicy(weekly_cap=4)
    ).allowed
    # contacts older than a week do not count
    old = [now - timedelta(days=8)] * 5
    assert check_contact(ContactKind.EMAIL, now, recent_contacts=old).allowed


def test_the_cap_release_on_a_sunday_moves_an_sms_to_monday():
    now = at(2026, 3, 14, 10)  # Saturday
    earlier = [at(2026, 3, 8, 11), at(2026, 3, 10, 9), at(2026, 3, 13, 9)]
    r = check_contact(ContactKind.SMS, now, recent_contacts=earlier)
    assert r.next_allowed == at(2026, 3, 16, 8)


def test_debtor_preferences_channel_and_hours():
    prefs = [Preference(ContactKind.CALL, 17, 19)]
    r = check_contact(ContactKind.CALL, at(2026, 3, 10, 10), preferences=prefs)
    assert (r.allowed, r.next_allowed) == (False, at(2026, 3, 10, 17))
    assert check_contact(ContactKind.CALL, at(2026, 3, 10, 18), preferences=prefs).allowed
    r = check_contact(ContactKind.SMS, at(2026, 3, 10, 18), preferences=prefs)
    assert (r.allowed, r.next_allowed) == (False, None)
    assert r.reason == "der Schuldner wünscht Kontakt nur über: call"
    # a letter is always possible
    assert check_contact(ContactKind.LETTER, at(2026, 3, 10, 10), preferences=prefs).allowed


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        check_contact(ContactKind.SMS, datetime(2026, 3, 10, 10))


@pytest.mark.parametrize(
    ("postcode", "land"),
    [
        ("80331", "BY"),
        ("90402", "BY"),
        ("10115", "BE"),
        ("01067", "SN"),
        ("50667", "NW"),
        ("20095", "HH"),
        ("28195", "HB"),
        ("70173", "BW"),
        ("99084", "TH"),
        ("66111", "SL"),
        ("55116", "RP"),
        ("24103", "SH"),
        ("19053", "MV"),
        ("39104", "ST"),
        ("14467", "BB"),
        ("60311", "HE"),
        ("30159", "NI"),
    ],
)
def test_postcode_to_land_approximation_for_capitals_and_big_cities(postcode, land):
    assert land_for_postcode(postcode) == land


def test_postcode_outside_germany_or_malformed():
    assert land_for_postcode("1010", "AT") is None
    assert land_for_postcode("8033") is None
    assert land_for_postcode("00123") is None
