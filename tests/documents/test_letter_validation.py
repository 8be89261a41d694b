"""Validation of letters before rendering: every problem is listed with its field."""

from __future__ import annotations

import doctest
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from mahnwerk.documents import examples, letters
from mahnwerk.documents.examples import example_letter, first_contact_letter
from mahnwerk.documents.letters import (
    ClaimReason,
    Creditor,
    LetterError,
    LetterKind,
    PaymentPlanOffer,
    PostalAddress,
    Recipient,
    iban_ok,
    template_data,
    transfer_of,
    validate,
)
from mahnwerk.domain.interest import NoInterest
from mahnwerk.domain.ledger import Case, Claim, Payment, compute_statement


def fields(letter) -> list[str]:
    return [p.field for p in validate(letter)]


def test_doctests_of_the_module():
    for module in (letters, examples):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize("i", range(12))
def test_the_examples_are_valid(i):
    assert validate(example_letter(i)) == []


def test_first_contact_needs_the_creditor_address():
    letter = replace(first_contact_letter(), creditor=Creditor("Stadtwerke Lüneburg GmbH"))
    problems = validate(letter)
    assert [p.field for p in problems] == ["creditor.address"]
    assert "§ 13a Abs. 1 Nr. 1 RDG" in problems[0].message


def test_creditor_address_may_be_withheld_with_a_reason():
    creditor = Creditor("Frauenhaus e. V.", address_withheld_reason="Schutz der Bewohnerinnen")
    assert validate(replace(first_contact_letter(), creditor=creditor)) == []


def test_without_first_contact_the_creditor_address_is_optional():
    letter = replace(example_letter(2, LetterKind.DUNNING_2), creditor=Creditor("X GmbH"))
    assert validate(letter) == []


def test_first_contact_needs_reason_and_date_of_every_claim_and_cost():
    letter = replace(first_contact_letter(1), claim_reasons=(), cost_reasons=())
    assert fields(letter) == [
        "statement.claims[0]",
        "statement.claims[1]",
        "statement.costs[0]",
        "statement.costs[1]",
    ]


def test_reasons_must_name_existing_claims_and_costs():
    letter = example_letter(0)
    letter = replace(
        letter,
        claim_reasons=(*letter.claim_reasons, ClaimReason("R-9", "Miete", letter.date)),
        cost_reasons=(*letter.cost_reasons, replace(letter.cost_reasons[0], key="XX")),
    )
    assert fields(letter) == ["claim_reasons[1].claim_id", "cost_reasons[2].key"]


def test_rate_above_statutory_needs_a_reason():
    letter = replace(first_contact_letter(), rate_reason=" ")
    assert fields(letter) == ["rate_reason"]


def test_payment_plan_offer_needs_a_plan_and_only_it_may_carry_one():
    offer = example_letter(4, LetterKind.PAYMENT_PLAN_OFFER)
    assert fields(replace(offer, payment_plan=None)) == ["payment_plan"]
    assert offer.payment_plan is not None
    assert fields(replace(offer, kind=LetterKind.DUNNING_1)) == ["payment_plan"]
    bad = PaymentPlanOffer(1, Decimal("10.001"), offer.date - timedelta(days=1))
    assert fields(replace(offer, payment_plan=bad)) == [
        "payment_plan.instalments",
        "payment_plan.instalment_amount",
        "payment_plan.first_due",
    ]


def test_court_notice_needs_the_application_date():
    letter = example_letter(5, LetterKind.COURT_NOTICE)
    assert fields(replace(letter, court_application_after=None)) == ["court_application_after"]


def test_bank_dates_addresses_and_reference():
    letter = example_letter(0)
    letter = replace(
        letter,
        bank=replace(letter.bank, iban="DE89370400440532013001", bic="COBA"),
        due_date=letter.date - timedelta(days=1),
        recipient=Recipient("X" * 60, PostalAddress("Weg 1", "1234", "Berlin", "Deutschland")),
        case_reference="",
    )
    assert fields(letter) == [
        "recipient.name",
        "recipient.address.country",
        "case_reference",
        "due_date",
        "bank.iban",
        "bank.bic",
    ]


def test_german_postcodes_have_five_digits():
    letter = example_letter(0)
    address = replace(letter.recipient.address, postcode="1234")
    assert fields(replace(letter, recipient=replace(letter.recipient, address=address))) == [
        "recipient.address.postcode"
    ]
    abroad = PostalAddress("Ringstraße 1", "1010", "Wien", "AT")
    assert validate(replace(letter, recipient=replace(letter.recipient, address=abroad))) == []


def test_nothing_open_means_no_letter():
    claim = Claim("R-1", Decimal("100.00"), example_letter(0).date, NoInterest())
    paid = Case(True, (claim,), payments=(Payment(claim.default_from, Decimal("100.00")),))
    letter = replace(
        example_letter(0),
        statement=compute_statement(paid, claim.default_from),
        cost_reasons=(),
    )
    assert fields(letter) == ["statement.totals.total_open"]


def test_render_refuses_an_invalid_letter(renderer):
    letter = replace(first_contact_letter(), creditor=Creditor("Stadtwerke Lüneburg GmbH"))
    with pytest.raises(LetterError) as exc:
        renderer.render(letter)
    assert exc.value.problems[0].field == "creditor.address"


def test_iban_check():
    assert iban_ok("DE89 3704 0044 0532 0130 00")
    assert not iban_ok("DE88370400440532013000")
    assert not iban_ok("DE89")


def test_transfer_carries_the_exact_open_total_and_the_case_reference():
    letter = example_letter(7)
    t = transfer_of(letter)
    assert t.amount == letter.statement.totals.total_open
    assert t.remittance == letter.case_reference == "K-2026-000007"
    assert (t.name, t.iban, t.bic) == ("Inkasso Nord GmbH", "DE89370400440532013000", "COBADEFFXXX")


def test_template_data_formats_money_in_german():
    letter = example_letter(0)
    data = template_data(letter, "<svg/>")
    assert data["amount_due"].endswith(" €") and "," in data["amount_due"]
    assert data["statement"]["totals"]["total_open"] == data["amount_due"]
    assert data["recipient"]["address"]["country"] == ""
    abroad = replace(letter.recipient.address, country="AT", postcode="1010", city="Wien")
    data = template_data(replace(letter, recipient=replace(letter.recipient, address=abroad)), "")
    assert data["recipient"]["address"]["country"] == "ÖSTERREICH"
