"""The review queue: list with candidates, confirm, correct (also split), not ours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from mahnwerk.services.actor import CLI, Actor
from mahnwerk.services.banking import review as bank_review
from mahnwerk.services.banking.statements import import_statement
from mahnwerk.store.banking_store import BankEntry, LearnedPayer
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Payment


def _queue(bank, agent, **kw):
    with transaction(bank.sessions) as s:
        return bank_review.open_reviews(s, agent, **kw)


def test_two_fitting_cases_go_to_review_and_confirm_books(bank, credit, agent):
    a, ref_a = bank.case("K-1", "60.00", iban="DE89370400440532013000")
    b, ref_b = bank.case("K-2", "60.00", iban="DE89370400440532013000")
    entry = credit("60.00", "Zahlung", iban="DE89370400440532013000", ref="Q1")
    summary = import_statement(bank.runtime, CLI, bank.write([entry]))
    assert summary.review == 1
    [item] = _queue(bank, agent)
    assert item.entry.amount == D("60.00")
    assert {c.allocations[0][0] for c in item.candidates} == {a, b}
    refs = {c.allocations[0][1] for c in item.candidates}
    assert refs == {ref_a, ref_b}
    chosen = item.candidates[1].allocations[0][0]
    with transaction(bank.sessions) as s:
        row = bank_review.confirm(s, agent, item.entry.id, candidate=1)
        assert row.status == "booked" and row.decided_by == agent.label
    with bank.sessions() as s:
        [p] = s.scalars(select(Payment)).all()
        assert (p.case_id, p.amount) == (chosen, D("60.00"))
        # the debtor's own account: nothing to learn
        assert s.scalars(select(LearnedPayer)).all() == []
    assert _queue(bank, agent) == []
    with transaction(bank.sessions) as s, pytest.raises(bank_review.ReviewError):
        bank_review.confirm(s, agent, item.entry.id)


def test_correct_to_a_split_and_learn(bank, credit, agent):
    a, _ = bank.case("K-1", "70.00", first="Eva", last="Ost", birth=date(1990, 2, 2))
    b, _ = bank.case("K-2", "30.00", first="Eva", last="Ost", birth=date(1990, 2, 2))
    entry = credit("100.00", "Danke", name="Firma Ost Bau", iban="DE12500105170648489890", ref="Q2")
    summary = import_statement(bank.runtime, CLI, bank.write([entry]))
    assert summary.unapplied == 1
    assert _queue(bank, agent) == []
    [item] = _queue(bank, agent, include_unapplied=True)
    with transaction(bank.sessions) as s, pytest.raises(bank_review.ReviewError):
        bank_review.correct(s, agent, item.entry.id, [(a, D("70.00")), (b, D("20.00"))])
    with transaction(bank.sessions) as s:
        bank_review.correct(s, agent, item.entry.id, [(a, D("70.00")), (b, D("30.00"))])
    with bank.sessions() as s:
        got = sorted((p.case_id, p.amount) for p in s.scalars(select(Payment)))
        assert got == [(a, D("70.00")), (b, D("30.00"))]
        [lp] = s.scalars(select(LearnedPayer)).all()
        assert (lp.iban, lp.name) == ("DE12500105170648489890", "Firma Ost Bau")


def test_mark_not_ours_keeps_the_entry(bank, credit, agent):
    bank.case("K-1", "70.00")
    import_statement(bank.runtime, CLI, bank.write([credit("12.00", "?", name="X", ref="Q3")]))
    [item] = _queue(bank, agent, include_unapplied=True)
    with transaction(bank.sessions) as s:
        bank_review.mark_not_ours(s, agent, item.entry.id, "Fehlüberweisung, zurückgesandt")
    with bank.sessions() as s:
        row = s.scalars(select(BankEntry)).one()
        assert (row.status, row.note) == ("ignored", "Fehlüberweisung, zurückgesandt")


def test_creditors_may_not_decide(bank, credit):
    creditor = Actor(kind="apikey", id="1", role="creditor", creditor_id=1)
    with transaction(bank.sessions) as s, pytest.raises(PermissionError):
        bank_review.open_reviews(s, creditor)
