"""IBAN checks via schwifty."""

import random

from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.banking.generator import random_iban
from mahnwerk.banking.iban import (
    bic_for,
    iban_check_digits,
    mask_iban,
    normalize_iban,
    validate_iban,
)


def test_valid_ibans():
    for iban in (
        "DE89370400440532013000",
        "DE02120300000000202051",
        "AT611904300234573201",
        "NL91ABNA0417164300",
        "FR1420041010050500013M02606",
        "de89 3704 0044 0532 0130 00",
    ):
        assert validate_iban(iban) == [], iban


def test_problems_are_named():
    assert validate_iban("") == ["IBAN fehlt"]
    assert validate_iban("DE89370400440532013001") == ["Prüfziffer der IBAN stimmt nicht"]
    assert "Länge" in validate_iban("DE8937040044053201300")[0]
    assert "Ländercode" in validate_iban("XX89370400440532013000")[0]
    assert "keine IBAN" in validate_iban("12345")[0]
    assert validate_iban("DE44999999990532013000") == ["Bankleitzahl 99999999 ist nicht bekannt"]
    # right IBAN check digits, wrong account check digit for the Sparkasse KölnBonn (method 00)
    bban = "370501981234567890"
    problems = validate_iban(f"DE{iban_check_digits('DE', bban)}{bban}")
    assert len(problems) == 1 and "Prüfziffernrechnung" in problems[0]


def test_bic_and_helpers():
    assert bic_for("DE89370400440532013000") == "COBADEFFXXX"
    assert bic_for("DE44999999990532013000") is None
    assert bic_for("kaputt") is None
    assert normalize_iban("de89-3704.0044 0532/013000") == "DE89370400440532013000"
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** **** **30 00"


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_ibans_are_valid(seed):
    assert validate_iban(random_iban(random.Random(seed))) == []


@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=4, max_value=21),
    st.sampled_from("0123456789"),
)
def test_any_single_digit_change_is_caught(seed, pos, digit):
    iban = random_iban(random.Random(seed))
    changed = iban[:pos] + digit + iban[pos + 1 :]
    if changed != iban:
        assert validate_iban(changed) != []
