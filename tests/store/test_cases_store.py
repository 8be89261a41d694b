"""The store and the case use cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mahnwerk.domain.case_reference import parse_case_reference
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.audit import entries_for_case
from mahnwerk.store.db import transaction
from mahnwerk.store.models import AuditEntry, Case, LedgerPosting, Person


def consumer(**kw):
    base = dict(
        kind="natural",
        consumer=True,
        first_name="Jürgen",
        last_name="Müller",
        birth_date=date(1980, 5, 17),
        street="Hauptstraße 5",
        postcode="10115",
        city="Berlin",
        email="j.mueller@example.org",
        iban="DE89370400440532013000",
    )
    base.update(kw)
    return cases.DebtorInput(**base)


def case_input(ref="K-1", debtor=None, amounts=("1250.00",)):
    claims = tuple(
        cases.ClaimInput(invoice_no=f"R-{i}", amount=D(a), default_from=date(2025, 2, 15))
        for i, a in enumerate(amounts, 1)
    )
    return cases.CaseInput(external_ref=ref, debtor=debtor or consumer(), claims=claims)


def test_a_case_is_stored_with_postings_and_its_statement_comes_from_the_ledger(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        case_id = case.id
    with transaction(sessions) as s:
        case = cases.get_case(s, CLI, case_id)
        assert parse_case_reference(case.reference) == case_id
        cases.record_payment(
            s,
            CLI,
            case,
            day=date(2025, 6, 1),
            amount=D("300.00"),
            source="creditor",
            external_id="p-1",
        )
    with transaction(sessions) as s:
        case = cases.get_case(s, CLI, case_id)
        st = cases.statement(case, date(2026, 3, 31))
        # same figures as the hand-checked ledger example, without the 5.00 cost
        assert st.allocations[0].to_interest == D("26.64")
        assert st.allocations[0].to_principal == D("273.36")
        postings = s.scalars(select(LedgerPosting).where(LedgerPosting.case_id == case_id)).all()
        assert [(p.kind, p.amount) for p in postings] == [
            ("claim", D("1250.00")),
            ("payment", D("-300.00")),
        ]


def test_repeating_a_payment_with_the_same_external_id_books_nothing(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        for _ in range(2):
            cases.record_payment(
                s,
                CLI,
                case,
                day=date(2025, 6, 1),
                amount=D("10.00"),
                source="creditor",
                external_id="same",
            )
        assert len(case.payments) == 1


def test_one_person_across_creditors_but_separate_debtor_rows(sessions):
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "A")
        b = accounts.add_creditor(s, CLI, "B")
        ca = cases.create_case(s, CLI, a.id, case_input("X"))
        cb = cases.create_case(
            s, CLI, b.id, case_input("Y", consumer(first_name="juergen", last_name="MUELLER"))
        )
        assert ca.debtor_id != cb.debtor_id
        assert ca.debtor.person_id == cb.debtor.person_id
        assert s.scalar(select(Person).where(Person.id == ca.debtor.person_id)) is not None


def test_duplicate_external_ref_is_refused(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        cases.create_case(s, CLI, creditor.id, case_input())
        with pytest.raises(cases.DuplicateCase):
            cases.create_case(s, CLI, creditor.id, case_input())


def test_foreign_creditor_sees_nothing(sessions):
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "A")
        b = accounts.add_creditor(s, CLI, "B")
        case = cases.create_case(s, CLI, a.id, case_input())
        key_b = accounts.create_api_key(s, CLI, b.id)
        actor_b = accounts.actor_for_api_key(key_b.record, "127.0.0.1")
        assert cases.get_case(s, actor_b, case.id) is None
        assert cases.list_cases(s, actor_b).items == []


def test_audit_trail_is_append_only_in_the_database(sessions, engine):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        cases.get_case(s, CLI, case.id)
        assert [e.action for e in entries_for_case(s, case.id)] == ["create", "read"]
    for statement in (
        "UPDATE audit_entry SET actor = 'x'",
        "DELETE FROM audit_entry",
        "DELETE FROM ledger_posting",
    ):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(statement))
    with transaction(sessions) as s:
        assert s.scalar(select(AuditEntry).limit(1)) is not None


def test_the_audit_trail_stays_append_only_when_row_triggers_are_skipped(sessions, engine):
    """The import may run with ``session_replication_role = replica`` (no foreign-key
    triggers); the triggers that keep the audit trail and the ledger append-only fire even
    then."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        cases.create_case(s, CLI, creditor.id, case_input())
    for statement in (
        "UPDATE audit_entry SET actor = 'x'",
        "DELETE FROM audit_entry",
        "DELETE FROM ledger_posting",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM ledger_posting")) > 0


def test_api_keys_are_stored_as_hashes_and_passwords_with_argon2(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        new = accounts.create_api_key(s, CLI, creditor.id)
        assert new.key not in (new.record.key_hash, new.record.prefix)
        assert accounts.authenticate_api_key(s, new.key).id == new.record.id
        assert accounts.authenticate_api_key(s, new.key + "x") is None
        user = accounts.add_user(s, CLI, "Agent@Example.org", "correct horse battery", "agent")
        assert user.password_hash.startswith("$argon2id$")
        assert (
            accounts.verify_password(s, "agent@example.org", "correct horse battery").id == user.id
        )
        assert accounts.verify_password(s, "agent@example.org", "wrong password!") is None


def test_list_cases_paginates_with_a_cursor(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        for i in range(5):
            cases.create_case(s, CLI, creditor.id, case_input(f"K-{i}"))
        page1 = cases.list_cases(s, CLI, limit=2)
        page2 = cases.list_cases(s, CLI, limit=2, cursor=page1.next_cursor)
        page3 = cases.list_cases(s, CLI, limit=2, cursor=page2.next_cursor)
        refs = [c.external_ref for p in (page1, page2, page3) for c in p.items]
        assert refs == [f"K-{i}" for i in range(5)] and page3.next_cursor is None
        assert [c.external_ref for c in cases.list_cases(s, CLI, external_ref="K-3").items] == [
            "K-3"
        ]
        assert isinstance(page1.items[0], Case)


def test_the_created_filter_counts_days_as_in_germany(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "A")
        case = cases.create_case(s, CLI, creditor.id, case_input())
        case.created_at = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 00:30 on 5 Dec in Berlin
    with transaction(sessions) as s:

        def refs(**days):
            return [c.external_ref for c in cases.list_cases(s, CLI, **days).items]

        assert refs(created_from=date(2026, 12, 5)) == ["K-1"]
        assert refs(created_to=date(2026, 12, 5)) == ["K-1"]
        assert refs(created_to=date(2026, 12, 4)) == []
        assert refs(created_from=date(2026, 12, 6)) == []
        assert refs(created_from=date.min, created_to=date.max) == ["K-1"]
