"""Generated statements parse back to exactly the labelled entries."""

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mahnwerk.banking.camt import parse_camt
from mahnwerk.banking.generator import (
    AGENCY_IBAN,
    SCENARIOS,
    as_parsed,
    generate,
    to_camt053,
    to_mt940,
    typo,
)
from mahnwerk.banking.iban import validate_iban
from mahnwerk.banking.mt940 import parse_mt940


@pytest.fixture(scope="module")
def gen():
    return generate(400, 300, seed=11)


def test_generator_is_deterministic_and_covers_every_scenario(gen):
    again = generate(400, 300, seed=11)
    assert again.entries == gen.entries and again.labels == gen.labels
    assert len(gen.entries) == len(gen.labels) == 300
    # the traps (copies of a case by another creditor) are rare: a larger portfolio
    bigger = generate(6000, 3000, seed=1)
    assert {label.scenario for label in bigger.labels} == set(SCENARIOS)


def test_traps_are_what_they_claim():
    """Namesakes share the name and the amount; neighbours are consecutive case numbers of
    different debtors with the same amount; a copy has another creditor and debtor but the
    same invoice numbers, name and balance."""
    from mahnwerk.banking.generator import generate_open_items
    from mahnwerk.domain.case_reference import parse_case_reference

    p = generate_open_items(20000, seed=4)
    assert p.twins and p.neighbours and p.copies
    items = p.items
    for a, b in p.twins:
        assert items[a].debtor_names == items[b].debtor_names
        assert items[a].open_balance == items[b].open_balance
        assert items[a].debtor_id != items[b].debtor_id
    for a, b in p.neighbours:
        na, nb = (parse_case_reference(items[i].case_reference) for i in (a, b))
        assert na is not None and nb == na + 1
        assert items[a].open_balance == items[b].open_balance
        assert items[a].debtor_id != items[b].debtor_id
    for a, b in p.copies:
        original, copy = items[a], items[b]
        assert copy.creditor_id != original.creditor_id
        assert copy.debtor_id != original.debtor_id and copy.ibans == ()
        assert copy.invoice_numbers == original.invoice_numbers
        assert (copy.debtor_names, copy.open_balance) == (
            original.debtor_names,
            original.open_balance,
        )
    # established accounts only reach the matcher
    for item in items[:2000]:
        own = {a.iban for a in p.accounts[item.debtor_id] if a.established}
        assert set(item.ibans) == own


def test_generated_ibans_and_labels_are_sound(gen):
    for item in gen.items[:100]:
        for iban in item.ibans:
            assert validate_iban(iban) == []
    by_case = {it.case_id: it for it in gen.items}
    for entry, label in zip(gen.entries, gen.labels, strict=True):
        if label.scenario == "return":
            assert entry.is_return and label.allocations[0].amount == -entry.returned_amount
        elif label.allocations:
            assert sum(a.amount for a in label.allocations) == entry.amount
            assert all(a.case_id in by_case for a in label.allocations)
        assert entry.amount > 0


@pytest.mark.parametrize("version", ["02", "08"])
def test_camt_round_trip(gen, version):
    xml = to_camt053(gen.entries, version=version, opening_balance=Decimal("5000.00"))
    [statement] = parse_camt(xml)
    assert statement.account_iban == AGENCY_IBAN
    assert statement.source_format == f"camt.053.001.{version}"
    assert statement.entries == tuple(as_parsed(e) for e in gen.entries)


def test_camt_batches_round_trip(gen):
    xml = to_camt053(gen.entries, batch_size=4)
    assert xml.count(b"<Btch>") > 5
    [statement] = parse_camt(xml)
    assert statement.entries == tuple(as_parsed(e) for e in gen.entries)


def test_mt940_round_trip(gen):
    text = to_mt940(gen.entries)
    [statement] = parse_mt940(text)
    assert statement.account_iban == AGENCY_IBAN
    got = statement.entries
    assert len(got) == len(gen.entries)
    for parsed, original in zip(got, gen.entries, strict=True):
        expected = replace(
            as_parsed(original),
            bank_transaction_code=parsed.bank_transaction_code,
            counterparty_bic="",
        )
        assert parsed == expected


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=30))
def test_any_generated_statement_round_trips(seed, n):
    g = generate(30, n, seed=seed)
    [camt] = parse_camt(to_camt053(g.entries, version="08", batch_size=3))
    [mt] = parse_mt940(to_mt940(g.entries))
    assert camt.entries == tuple(as_parsed(e) for e in g.entries)
    assert [e.entry_key for e in mt.entries] == [e.entry_key for e in camt.entries]


@given(st.integers(min_value=0, max_value=10**6))
def test_typo_is_one_edit(seed):
    from rapidfuzz.distance import OSA

    rng = random.Random(seed)
    ref = f"MW-2025-{rng.randrange(10**6):06d}"
    assert OSA.distance(typo(rng, ref), ref) == 1
