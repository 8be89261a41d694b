"""The PostgreSQL import with and without the right to skip per-row foreign-key triggers.

A role that may ``SET session_replication_role`` (a superuser, or one granted
``SET ON PARAMETER session_replication_role``) imports without the per-row foreign-key
checks; any other role gets the checked path. Both must store the same rows, leave no
reference dangling, and lock the stored rows the import points to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from tests.importing.test_portfolio_import import BAU, MUELLER, csv_file

from mahnwerk.domain.identity import identity_key
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.portfolio.importing import PortfolioImportError, Progress, import_file
from mahnwerk.store.db import make_engine, session_factory, transaction
from mahnwerk.store.migrate import upgrade

#: tables the import writes, with the columns that differ from run to run left out
COMPARED = {
    "person": "identity_key",
    "debtor": "id, creditor_id, person_id, kind, first_name, last_name, company, birth_date",
    "address": "debtor_id, street, postcode, city",
    "contact_point": "debtor_id, kind, value",
    "bank_account": "debtor_id, iban",
    "case_file": "id, creditor_id, debtor_id, external_ref, reference, stage",
    "claim": "id, case_id, invoice_no, principal, default_from",
    "ledger_posting": "case_id, claim_id, kind, amount, value_date, source",
    "case_event": "case_id, kind, data::text",
}


@pytest.fixture
def admin(postgres_admin_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def role_database(admin: Engine, postgres_admin_url: str) -> Iterator[tuple[str, str]]:
    """A database owned by a fresh role without superuser rights: (role, URL as that role)."""
    role = f"mw_importer_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {role} OWNER {role}"))
    url = make_url(postgres_admin_url).set(username=role, database=role)
    try:
        yield role, url.render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {role} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def portfolio(engine: Engine, tmp_path: Path) -> tuple[list[bool], dict[str, list[tuple]]]:
    """Two creditors, a person known to both, a debtor and a case stored before the file
    came, and a case the second file extends. Returns whether each import skipped the
    row triggers, and the rows of every compared table."""
    tmp_path.mkdir(exist_ok=True)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        first = accounts.add_creditor(s, CLI, "Stadtwerke Nord").id
        second = accounts.add_creditor(s, CLI, "Versandhaus Süd").id
        cases.create_case(
            s,
            CLI,
            first,
            cases.CaseInput(
                external_ref="API-1",
                debtor=cases.DebtorInput(
                    kind="natural",
                    consumer=True,
                    first_name="Jürgen",
                    last_name="Müller",
                    birth_date=date(1980, 5, 17),
                ),
                claims=(cases.ClaimInput("A", D("1.00"), date(2025, 1, 1)),),
            ),
        )
    files = [
        (
            first,
            [
                f"K-1;R-1;01.02.2025;15.02.2025;;1.234,56;{MUELLER}",
                f"K-1;R-2;01.03.2025;15.03.2025;01.04.2025;99,90;{MUELLER}",
                f"K-2;R-3;01.03.2025;15.03.2025;;500,00;{BAU}",
            ],
        ),
        (first, [f"K-2;R-4;01.04.2025;15.04.2025;;70,00;{BAU}"]),
        (second, [f"X-1;77;01.02.2025;15.02.2025;;50,00;{MUELLER}"]),
    ]
    skipped = []
    for n, (creditor, rows) in enumerate(files):
        report = import_file(sessions, CLI, csv_file(tmp_path / f"{n}.csv", rows), creditor)
        assert report.ok, report.problems
        skipped.append(report.row_triggers_skipped)
    with engine.connect() as conn:
        stored = {
            table: [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY 1"))]
            for table, cols in COMPARED.items()
        }
    return skipped, stored


def dangling_references(engine: Engine) -> dict[str, int]:
    """Rows whose foreign key points nowhere, for every foreign key of the schema."""
    found = {}
    with engine.connect() as conn:
        keys = conn.execute(
            text(
                """SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
                          a.attname, fa.attname
                   FROM pg_constraint c
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                   JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
                   WHERE c.contype = 'f' AND cardinality(c.conkey) = 1"""
            )
        ).all()
        assert len(keys) > 20
        for name, child, parent, column, parent_column in keys:
            found[name] = conn.execute(
                text(
                    f"""SELECT COUNT(*) FROM {child} x WHERE x.{column} IS NOT NULL AND NOT EXISTS
                        (SELECT 1 FROM {parent} p WHERE p.{parent_column} = x.{column})"""
                )
            ).scalar_one()
    return {name: n for name, n in found.items() if n}


def test_a_role_without_the_right_gets_the_checked_path_and_the_same_rows(
    tmp_path, admin, role_database, postgres_admin_url
):
    role, url = role_database
    limited = make_engine(url)
    try:
        skipped, checked_rows = portfolio(limited, tmp_path / "limited")
    finally:
        limited.dispose()
    assert skipped == [False, False, False]

    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {role} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {role} OWNER {role}"))
        conn.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
    granted = make_engine(url)
    try:
        skipped, fast_rows = portfolio(granted, tmp_path / "granted")
        assert skipped == [True, True, True]
        assert fast_rows == checked_rows
        assert dangling_references(granted) == {}
        with granted.connect() as conn:  # the setting ended with the import's transaction
            assert conn.execute(text("SHOW session_replication_role")).scalar() == "origin"
    finally:
        granted.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"REVOKE SET ON PARAMETER session_replication_role FROM {role}"))


def test_the_fast_path_locks_the_stored_rows_it_points_to(tmp_path, engine, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    portfolio(engine, tmp_path / "first")
    sessions = session_factory(engine)
    with engine.connect() as conn:
        creditor, debtor, case = conn.execute(
            text(
                "SELECT c.creditor_id, c.debtor_id, c.id FROM case_file c "
                "WHERE c.external_ref = 'K-2'"
            )
        ).one()
    other = make_engine(db_url)
    attempts: list[str] = []

    def try_to_lock(info: Progress) -> None:
        if info.phase != "store" or info.done != 3:  # after lock_parents, before the inserts
            return
        for table, row in (("creditor", creditor), ("debtor", debtor), ("case_file", case)):
            with other.connect() as conn:
                try:
                    conn.execute(text(f"SELECT 1 FROM {table} WHERE id = {row} FOR UPDATE NOWAIT"))
                except OperationalError:
                    attempts.append(f"{table} locked")
                else:
                    attempts.append(f"{table} free")

    rows = [
        f"K-2;R-5;01.05.2025;15.05.2025;;10,00;{BAU}",
        f"K-3;R-6;01.05.2025;15.05.2025;;1,00;{BAU}",
    ]
    try:
        report = import_file(
            sessions, CLI, csv_file(tmp_path / "more.csv", rows), creditor, progress=try_to_lock
        )
    finally:
        other.dispose()
    assert report.ok and report.row_triggers_skipped
    assert report.cases_extended == 1 and report.cases_created == 1
    assert attempts == ["creditor locked", "debtor locked", "case_file locked"]
    assert dangling_references(engine) == {}


def test_a_stored_row_deleted_before_the_lock_stops_the_fast_path(tmp_path, engine, db_url):
    """The ids of stored rows are read before they are locked; one deleted in between must
    not become a dangling reference (the foreign-key triggers that would catch it are off)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord").id
    key = identity_key(last_name="Müller", first_name="Jürgen", birth_date=date(1980, 5, 17))
    with engine.begin() as conn:  # known from elsewhere, with nothing pointing to it yet
        conn.execute(text("INSERT INTO person (identity_key, created_at) VALUES (:k, now())"),
                     {"k": key})  # fmt: skip

    def delete_the_person(info: Progress) -> None:
        if info.phase == "store" and info.done == 2:  # after allocate, before lock_parents
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM person WHERE identity_key = :k"), {"k": key})

    rows = [f"K-1;R-1;01.02.2025;15.02.2025;;10,00;{MUELLER}"]
    with pytest.raises(PortfolioImportError, match="während des Imports gelöscht"):
        import_file(
            sessions, CLI, csv_file(tmp_path / "a.csv", rows), creditor, progress=delete_the_person
        )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM debtor")).scalar() == 0
    assert dangling_references(engine) == {}
