"""Two imports of the same statement at the same time: one books, the other gets a clear
"already imported" (API 409, CLI exit 2), never a server error, and nothing is booked twice
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from mahnwerk.services.actor import CLI
from mahnwerk.services.banking import statements
from mahnwerk.services.banking.statements import StatementAlreadyImported, import_statement
from mahnwerk.store.banking_store import BankEntry
from mahnwerk.store.models import Payment


def _race(bank: Any, path: Any, monkeypatch: Any) -> list[object]:
    """Both imports start their transaction before either stores anything."""
    barrier = threading.Barrier(2, timeout=30)
    original = statements._Importer.statement

    def statement(self: Any, *args: Any, **kwargs: Any) -> None:
        self.s.connection()  # the transaction (and its snapshot) begins here
        barrier.wait()
        original(self, *args, **kwargs)

    monkeypatch.setattr(statements._Importer, "statement", statement)
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(import_statement(bank.runtime, CLI, path))
        except Exception as exc:  # the test asserts which ones may come
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_the_slower_of_two_concurrent_imports_is_told_already_imported(bank, credit, monkeypatch):
    _, ref = bank.case("K-1", "120.00")
    path = bank.write([credit("120.00", f"Az. {ref}", ref="B1")])
    outcomes = _race(bank, path, monkeypatch)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    summaries = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(outcomes) == 2
    assert [type(e) for e in errors] in ([], [StatementAlreadyImported]), errors
    assert sorted(s.booked for s in summaries)[-1] == 1
    if errors:
        assert "schon importiert" in str(errors[0])
    with bank.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 1
        assert s.scalar(select(func.count()).select_from(BankEntry)) == 1
    monkeypatch.undo()
    again = import_statement(bank.runtime, CLI, path)  # later: the duplicates as before
    assert (again.booked, again.duplicates) == (0, 1)


def test_cli_exit_2_and_api_409_for_the_loser(bank, credit, monkeypatch, capsys):
    from mahnwerk.banking.statement import StatementError

    assert issubclass(StatementAlreadyImported, StatementError)  # the CLI's exit 2 path
    _, ref = bank.case("K-1", "120.00")
    path = bank.write([credit("120.00", f"Az. {ref}", ref="B1")])

    def lose(*args: Any, **kwargs: Any) -> None:
        from sqlalchemy.exc import IntegrityError

        raise IntegrityError(
            "INSERT INTO bank_entry",
            {},
            Exception("UNIQUE constraint failed: bank_entry.entry_key"),
        )

    monkeypatch.setattr(statements, "_import", lose)
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", str(bank.runtime.settings.database_url))
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(bank.runtime.settings.var_dir))
    from mahnwerk.cli import main

    assert main(["bank", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "schon importiert – nichts wurde gebucht" in err
