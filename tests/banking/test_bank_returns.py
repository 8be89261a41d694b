"""Returned direct debits (Rücklastschrift): the booking is reversed, the fee becomes a cost."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from sqlalchemy import select

from mahnwerk.banking.statement import Sign
from mahnwerk.services.actor import CLI
from mahnwerk.services.banking.statements import import_statement
from mahnwerk.store.banking_store import BankEntry, BankMatch
from mahnwerk.store.models import Cost, LedgerPosting, Payment


def test_return_with_fee_reverses_payment_and_adds_cost(bank, credit):
    cid, ref = bank.case("K-1", "145.00", iban="DE89370400440532013000")
    paid = credit("45.00", f"Rate {ref}", iban="DE89370400440532013000", ref="P1")
    assert import_statement(bank.runtime, CLI, bank.write([paid])).booked == 1
    assert bank.statement(cid).totals.total_open == D("100.00")
    back = replace(
        credit("48.00", f"RUECKLASTSCHRIFT AC04 {ref}", iban="DE89370400440532013000", ref="P2"),
        sign=Sign.DEBIT,
        is_return=True,
        return_reason="AC04",
        charges=D("3.00"),
        end_to_end_id=f"{ref}-R01",
        bank_transaction_code="PMNT/IDDT/UPDD",
    )
    summary = import_statement(bank.runtime, CLI, bank.write([back]))
    assert (summary.returns, summary.amount_returned) == (1, D("45.00"))
    assert "Rücklastschriften:          1" in summary.german()
    with bank.sessions() as s:
        [p] = s.scalars(select(Payment).where(Payment.case_id == cid)).all()
        assert p.reversed
        reversal = s.scalar(select(LedgerPosting).where(LedgerPosting.kind == "reversal"))
        assert reversal is not None and reversal.amount == D("45.00")
        assert reversal.payment_id == p.id and "AC04" in reversal.reason
        assert reversal.source.startswith("bank:")
        [fee] = s.scalars(select(Cost).where(Cost.case_id == cid)).all()
        assert (fee.amount, fee.code) == (D("3.00"), "return_fee")
        row = s.scalars(select(BankEntry).where(BankEntry.entry_key == "ref:P2")).one()
        assert row.status == "returned"
        m = s.scalars(select(BankMatch).where(BankMatch.entry_id == row.id)).one()
        assert (m.kind, m.amount, m.payment_id, m.fee_cost_id) == (
            "return",
            D("-45.00"),
            p.id,
            fee.id,
        )
    st = bank.statement(cid)
    assert st.totals.principal_open == D("145.00")
    assert st.totals.costs_open == D("3.00")
    assert st.totals.total_open == D("148.00")
    assert [c.label for c in st.costs] == ["Rücklastschriftgebühr der Bank"]
    # importing the return again changes nothing
    again = import_statement(bank.runtime, CLI, bank.write([back]))
    assert (again.returns, again.duplicates) == (0, 1)
    assert bank.statement(cid).totals.total_open == D("148.00")


def test_return_without_a_booked_payment_goes_to_review(bank, credit):
    _cid, ref = bank.case("K-1", "145.00")
    back = replace(
        credit("45.00", f"RUECKLASTSCHRIFT {ref}", ref="X1"),
        sign=Sign.DEBIT,
        is_return=True,
        return_reason="MD06",
    )
    summary = import_statement(bank.runtime, CLI, bank.write([back]))
    assert summary.review == 1 and summary.returns == 0
    with bank.sessions() as s:
        row = s.scalars(select(BankEntry)).one()
        assert row.status == "review" and "nicht gefunden" in row.note
