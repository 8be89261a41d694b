"""Money that cannot be edited: payments, costs, their reversing rows and the postings refuse
UPDATE and DELETE in the database itself (SQLite and PostgreSQL, also with row triggers
skipped); a correction is a reversing row with its reason and author."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, Actor
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import (
    ANONYMISED,
    Cost,
    CostReversal,
    LedgerPosting,
    Payment,
    PaymentReversal,
)

AGENT = Actor(kind="user", id="7", role="agent", origin="test")

#: the money tables and the one text column that may be overwritten with ANONYMISED
MONEY = {
    "payment": "reference",
    "cost": "label",
    "payment_reversal": "reason",
    "cost_reversal": "reason",
    "ledger_posting": "reason",
}


def _case_with_money(sessions) -> int:
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        debtor = cases.DebtorInput(
            kind="natural", consumer=True, first_name="Jürgen", last_name="Müller",
            street="Hauptstraße 5", postcode="10115", city="Berlin",
        )  # fmt: skip
        claim = cases.ClaimInput(
            invoice_no="R-1", amount=D("500.00"), default_from=date(2025, 2, 1)
        )
        case = cases.create_case(
            s, CLI, creditor.id,
            cases.CaseInput("K-1", debtor, (claim,), costs=((date(2025, 3, 1), "Mahngebühr", D("5.00")),)),
        )  # fmt: skip
        p = cases.record_payment(
            s, AGENT, case, day=date(2025, 4, 1), amount=D("100.00"), source="bank",
            reference="RE R-1 Jürgen Müller", external_id="e-1",
        )  # fmt: skip
        cases.reverse_payment(
            s, AGENT, p, day=date(2025, 4, 9), reason="Rücklastschrift MD06", source="bank"
        )
        cases.reverse_cost(s, AGENT, case.costs[0], day=date(2025, 4, 9), reason="erlassen")
        return case.id


def _other_value(engine: Engine, table: str, column: str) -> str:
    kind = {c["name"]: c["type"] for c in inspect(engine).get_columns(table)}[column]
    python = kind.python_type
    if python is int:
        return f"COALESCE({column}, 0) + 1"  # a NULL (no claim named) changes too
    if python is bool:
        return f"NOT {column}"
    if python is date:
        return "DATE '2001-01-01'" if engine.dialect.name == "postgresql" else "'2001-01-01'"
    if python.__name__ == "datetime":
        return "CURRENT_TIMESTAMP"
    return f"{column} || 'x'"


@pytest.mark.parametrize("table", sorted(MONEY))
def test_every_column_of_the_money_tables_refuses_update_and_rows_refuse_delete(
    sessions, engine, table
):
    case_id = _case_with_money(sessions)
    columns = [c["name"] for c in inspect(engine).get_columns(table)]
    for column in columns:
        statement = f"UPDATE {table} SET {column} = {_other_value(engine, table, column)}"
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
    with engine.connect() as conn:
        assert conn.scalar(text(f"SELECT COUNT(*) FROM {table}")) >= 1
    with transaction(sessions) as s:  # nothing changed: the statement is what it was
        case = cases.get_case(s, CLI, case_id)
        assert cases.statement(case, date(2025, 12, 31)).totals.principal_open == D("500.00")


@pytest.mark.parametrize("table", sorted(MONEY))
def test_only_the_personal_text_may_be_overwritten_with_the_anonymised_word(
    sessions, engine, table
):
    _case_with_money(sessions)
    column = MONEY[table]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = 'something else'"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :a, id = id + 1000"), {"a": ANONYMISED})
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :a"), {"a": ANONYMISED})
        assert set(conn.scalars(text(f"SELECT {column} FROM {table}"))) == {ANONYMISED}


def test_money_stays_append_only_when_row_triggers_are_skipped(sessions, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    _case_with_money(sessions)
    for table in MONEY:
        for statement in (f"UPDATE {table} SET id = id + 1000", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(text(statement))


def test_a_reversal_is_a_row_with_reason_and_author_and_the_payment_row_is_unchanged(sessions):
    case_id = _case_with_money(sessions)
    with transaction(sessions) as s:
        payment = s.scalar(select(Payment).where(Payment.case_id == case_id))
        assert (payment.amount, payment.reference, payment.reversed) == (
            D("100.00"), "RE R-1 Jürgen Müller", True,
        )  # fmt: skip
        rev = s.scalar(select(PaymentReversal).where(PaymentReversal.payment_id == payment.id))
        assert (rev.date, rev.reason, rev.author) == (
            date(2025, 4, 9), "Rücklastschrift MD06", "bank:user:7",
        )  # fmt: skip
        cost = s.scalar(select(Cost).where(Cost.case_id == case_id))
        assert cost.reversed and cost.amount == D("5.00")
        crev = s.scalar(select(CostReversal).where(CostReversal.cost_id == cost.id))
        assert (crev.reason, crev.author) == ("erlassen", "cli:user:7")
        postings = s.execute(
            select(LedgerPosting.kind, LedgerPosting.amount)
            .where(LedgerPosting.case_id == case_id)
            .order_by(LedgerPosting.id)
        ).all()
        assert postings == [
            ("claim", D("500.00")),
            ("cost", D("5.00")),
            ("payment", D("-100.00")),
            ("reversal", D("100.00")),
            ("reversal", D("-5.00")),
        ]
        case = cases.get_case(s, CLI, case_id)
        totals = cases.statement(case, date(2025, 1, 31)).totals
        assert (totals.principal_open, totals.costs_open) == (D("500.00"), D("0.00"))


def test_a_payment_or_cost_is_reversed_once_and_only_with_a_reason(sessions):
    case_id = _case_with_money(sessions)
    with transaction(sessions) as s:
        payment = s.scalar(select(Payment).where(Payment.case_id == case_id))
        with pytest.raises(cases.CaseError, match="schon storniert"):
            cases.reverse_payment(s, AGENT, payment, day=date(2025, 5, 1), reason="x", source="cli")
        cost = s.scalar(select(Cost).where(Cost.case_id == case_id))
        with pytest.raises(cases.CaseError, match="schon storniert"):
            cases.reverse_cost(s, AGENT, cost, day=date(2025, 5, 1), reason="x")
        case = cases.get_case(s, CLI, case_id)
        fresh = cases.record_payment(
            s, AGENT, case, day=date(2025, 5, 1), amount=D("10.00"), source="creditor"
        )
        with pytest.raises(cases.CaseError, match="Grund"):
            cases.reverse_payment(s, AGENT, fresh, day=date(2025, 5, 2), reason=" ", source="cli")
