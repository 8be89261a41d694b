"""Issue 20: two imports of one statement at the same time book it once; the one that
loses gets a clear "already imported" (API 409, command line exit 2), never a traceback."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from typing import Any

from sqlalchemy import event, select

from mahnwerk.banking.statement import StatementAlreadyImported
from mahnwerk.services.actor import CLI, utcnow
from mahnwerk.services.banking.statements import import_statement, parse_statement_file
from mahnwerk.store.banking_store import BankStatement
from mahnwerk.store.models import Payment

from .conftest import DAY


def _payments(bank, case_id: int) -> list[D]:
    with bank.sessions() as s:
        return [p.amount for p in s.scalars(select(Payment).where(Payment.case_id == case_id))]


def _in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # handed to the test, which asserts on it
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


@contextmanager
def _when_inserting_the_statement(engine: Any) -> Iterator[threading.Event]:
    """Set once an import is about to store its statement row: it has looked for the file
    and not found it, so from then on it collides with whoever stores it first."""
    about_to_insert = threading.Event()

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO BANK_STATEMENT "):
            about_to_insert.set()

    event.listen(engine, "before_cursor_execute", spy)
    try:
        yield about_to_insert
    finally:
        event.remove(engine, "before_cursor_execute", spy)


def test_the_loser_of_two_concurrent_imports_books_nothing_and_is_told(bank, credit):
    cid, ref = bank.case("K-1", "100.00")
    path = bank.write([credit("100.00", f"Az. {ref}", ref="E1")])
    data = path.read_bytes()
    [st] = parse_statement_file(data)
    # the winner, half-way: it has stored the statement and not committed yet
    winner = bank.sessions()
    winner.begin()
    winner.add(
        BankStatement(
            account_iban=st.account_iban, statement_id=st.statement_id,
            source_format=st.source_format, filename=path.name,
            file_sha256=hashlib.sha256(data).hexdigest(), entries=len(st.entries),
            imported_by="Gewinner", imported_at=utcnow(),
        )
    )  # fmt: skip
    winner.flush()
    with _when_inserting_the_statement(bank.runtime.engine) as about_to_insert:
        thread, box = _in_thread(lambda: import_statement(bank.runtime, CLI, path, as_of=DAY))
        try:
            assert about_to_insert.wait(30)
        finally:
            winner.commit()
            winner.close()
    thread.join(60)
    assert not thread.is_alive()
    error = box.get("error")
    assert isinstance(error, StatementAlreadyImported), box
    assert "gleichzeitig schon importiert" in str(error) and path.name in str(error)
    assert _payments(bank, cid) == []  # the loser rolled back whole


def test_two_imports_at_once_book_the_payment_once(bank, credit):
    cid, ref = bank.case("K-1", "100.00")
    path = bank.write([credit("100.00", f"Az. {ref}", ref="E1")])
    start = threading.Barrier(2)

    def once() -> Any:
        start.wait()
        return import_statement(bank.runtime, CLI, path, as_of=DAY)

    runs = [_in_thread(once) for _ in range(2)]
    for thread, _ in runs:
        thread.join(60)
    outcomes = [box.get("result", box.get("error")) for _, box in runs]
    # whichever way they interleave: one books, the other sees duplicates or is told
    booked = [o for o in outcomes if not isinstance(o, BaseException) and o.booked == 1]
    assert len(booked) == 1, outcomes
    for other in outcomes:
        if other is booked[0]:
            continue
        assert isinstance(other, StatementAlreadyImported) or other.duplicates == 1, outcomes
    assert _payments(bank, cid) == [D("100.00")]
