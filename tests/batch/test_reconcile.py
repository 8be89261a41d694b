"""The ledger check (``mahnwerk ledger check``, also in the daily run): the journal and the
claims, costs and payments agree for every case, and a case where they do not is named with
the figures that differ."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import text

from mahnwerk.batch.reconcile import Difference, check
from mahnwerk.cli import main
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))


def _cases(sessions) -> list[int]:
    """Two cases: claims, a cost, payments, a payment and a cost taken back."""
    ids = []
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        for n in (1, 2):
            debtor = cases.DebtorInput(
                kind="natural", consumer=True, first_name="Eva", last_name=f"Roth{n}",
                street="Hauptstraße 5", postcode="10115", city="Berlin",
            )  # fmt: skip
            claims = (
                cases.ClaimInput(invoice_no="R-1", amount=D("500.00"), default_from=date(2025, 2, 1)),
                cases.ClaimInput(invoice_no="R-2", amount=D("20.10"), default_from=date(2025, 2, 1)),
            )  # fmt: skip
            case = cases.create_case(
                s, CLI, creditor.id,
                cases.CaseInput(f"K-{n}", debtor, claims, costs=((date(2025, 3, 1), "Mahngebühr", D("5.00")),)),
            )  # fmt: skip
            p = cases.record_payment(
                s, CLI, case, day=date(2025, 4, 1), amount=D("100.00"), source="bank",
                external_id=f"e-{n}",
            )  # fmt: skip
            cases.record_payment(
                s, CLI, case, day=date(2025, 4, 2), amount=D("0.99"), source="creditor"
            )
            cases.reverse_payment(s, CLI, p, day=date(2025, 4, 9), reason="MD06", source="bank")
            cases.reverse_cost(s, CLI, case.costs[0], day=date(2025, 4, 9), reason="erlassen")
            ids.append(case.id)
    return ids


def _post(engine, case_id: int, kind: str, cents: int) -> None:
    """A posting written past the services (the journal accepts inserts)."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source,"
                " posted_at) VALUES (:c, :d, :k, :a, 'von Hand', 'test', :t)"
            ),
            {"c": case_id, "d": date(2025, 5, 1), "k": kind, "a": cents,
             "t": datetime(2025, 5, 1, tzinfo=UTC)},
        )  # fmt: skip


def test_journal_and_facts_agree_after_payments_costs_and_reversals(sessions, engine):
    _cases(sessions)
    with engine.connect() as c:
        report = check(c)
    assert report.ok and report.cases == 2
    assert "2 Fälle geprüft" in report.german()


def test_a_case_whose_journal_disagrees_is_reported_with_the_figures(sessions, engine):
    _, second = _cases(sessions)
    _post(engine, second, "payment", -1234)  # a payment in the journal without a payment
    _post(engine, second, "interest", 50)  # a kind the journal does not know
    with engine.connect() as c:
        report = check(c)
    assert not report.ok
    (mismatch,) = report.mismatches
    assert mismatch.case_id == second
    assert mismatch.differences == (
        Difference("payment", D("-113.33"), D("-100.99")),
        Difference("other", D("0.50"), D("0")),
    )
    assert "Zahlungen: Journal -113.33 €, Bestand -100.99 €" in report.german()


def test_a_payment_stored_without_its_posting_is_found(sessions, engine):
    first, _ = _cases(sessions)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO payment (case_id, date, amount, source, reference, created_at)"
                " VALUES (:c, :d, 700, 'api', '', :t)"
            ),
            {"c": first, "d": date(2025, 6, 1), "t": datetime(2025, 6, 1, tzinfo=UTC)},
        )
    with engine.connect() as c:
        (mismatch,) = check(c).mismatches
    assert mismatch.case_id == first
    assert mismatch.differences == (Difference("payment", D("-100.99"), D("-107.99")),)


def test_ledger_check_command_exits_1_and_names_the_case(env, sessions, engine, capsys):
    _, second = _cases(sessions)
    assert main(["ledger", "check"]) == 0
    assert "Journal und Salden stimmen" in capsys.readouterr().out
    _post(engine, second, "cost", 300)
    assert main(["ledger", "check"]) == 1
    out = capsys.readouterr().out
    assert "1 von 2 Fällen stimmen nicht" in out
    assert "Kosten: Journal 8.00 €, Bestand 5.00 €" in out


# one process: checked after the planning; two: beside the planning processes, in a thread;
# delivering: after the delivery (which books fees)
@pytest.mark.parametrize(
    "how", [["--plan-only", "--processes", "1"], ["--plan-only", "--processes", "2"], []]
)
def test_the_daily_run_reports_a_case_whose_journal_disagrees(env, sessions, engine, capsys, how):
    _, second = _cases(sessions)
    assert main(["run", "--date", "2025-06-02", *how]) == 0
    assert "Kontenabstimmung:        stimmt" in capsys.readouterr().out
    _post(engine, second, "claim", 1)
    assert main(["run", "--date", "2025-06-03", *how]) == 0
    out = capsys.readouterr().out
    assert "Kontenabstimmung:        1 Fälle falsch" in out
    assert "Forderungen: Journal 520.11 €, Bestand 520.10 €" in out
