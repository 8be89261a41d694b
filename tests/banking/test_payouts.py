"""Payouts to creditors: exact split by the ledger, CSV and PDF, pain.001, nothing twice."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from pypdf import PdfReader
from sqlalchemy import select

from mahnwerk.banking import sepa
from mahnwerk.banking.camt import schema_errors
from mahnwerk.banking.statement import Sign
from mahnwerk.domain.ledger import compute_statement
from mahnwerk.services.actor import CLI
from mahnwerk.services.banking.payouts import run_payouts, write_files
from mahnwerk.services.banking.statements import import_statement
from mahnwerk.store.banking_store import CreditorPayout, CreditorPayoutItem
from mahnwerk.store.db import transaction
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case, Creditor

AGENCY = sepa.Creditor("Inkasso Nord GmbH", "DE02120300000000202051", "DE98ZZZ09999999999")
CONTRACT = {"commission_percent": "15", "commission_on": "principal", "fees_retained": True}


def _amount(text: str) -> D:
    return D(text.replace(",", "."))


def _setup(bank, credit):
    with transaction(bank.sessions) as s:
        cid = bank.creditor()
        s.get(Creditor, cid).settings = CONTRACT
    costs = ((date(2026, 1, 20), "Inkassokosten", D("40.00")),)
    a, ref_a = bank.case("K-1", "200.00", costs=costs, interest="statutory")
    b, ref_b = bank.case("K-2", "99.99", first="Eva", last="Ost", birth=date(1990, 2, 2))
    entries = [
        credit("100.00", ref_a, ref="P1", day=date(2026, 3, 2)),
        credit("99.99", ref_b, name="Eva Ost", ref="P2", day=date(2026, 3, 3)),
        credit("50.00", ref_a, ref="P3", day=date(2026, 3, 10)),
    ]
    assert import_statement(bank.runtime, CLI, bank.write(entries)).booked == 3
    return a, b


def test_payout_split_csv_pdf_pain001_and_nothing_twice(bank, credit, tmp_path):
    a, _b = _setup(bank, credit)
    with transaction(bank.sessions) as s:
        run = run_payouts(
            s, CLI, date(2026, 3, 1), date(2026, 3, 31), agency=AGENCY,
            execution_date=date(2026, 4, 2), out_dir=tmp_path / "out",
        )  # fmt: skip
        # nothing is written before the payout is committed
        assert run.pending and not (tmp_path / "out").exists()
    write_files(run)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in run.files)
    assert run.files[0].name == f"{run.message_id}.xml" and run.files[0].read_bytes() == run.xml
    assert run.xml is not None
    assert schema_errors(run.xml, sepa.sepaxml_schema_path("pain.001.001.09")) == []
    [result] = run.creditors
    s_ = result.settlement
    assert s_.total("gross") == D("249.99")
    # ledger: case a: 40.00 costs first, then interest, then principal
    with bank.sessions() as s:
        case = s.get(Case, a)
        st = compute_statement(domain_case(case), date(2026, 3, 31))
        ledger_costs = sum(i.amount for al in st.allocations for i in al.items if i.kind == "cost")
        ledger_principal = sum(
            i.amount for al in st.allocations for i in al.items if i.kind == "principal"
        )
    assert ledger_costs == D("40.00")
    lines_a = [line for line in s_.lines if line.case_reference == case.reference]
    assert sum(line.costs for line in lines_a) == ledger_costs
    assert sum(line.principal for line in lines_a) == ledger_principal
    for line in s_.lines:
        assert line.gross == line.commission + line.fees_retained + line.net
        assert line.gross == line.principal + line.interest + line.costs
        assert line.fees_retained == line.costs
    assert s_.total("fees_retained") == D("40.00")
    # CSV: German Excel, amounts add up
    rows = list(csv.reader(io.StringIO(result.csv.decode("utf-8-sig")), delimiter=";"))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    col = {name: i for i, name in enumerate(header)}
    assert len(body) == 3 and total[0] == "Summe"
    for row in [*body, total]:
        gross = _amount(row[col["Zahlung"]])
        assert gross == (
            _amount(row[col["Provision"]])
            + _amount(row[col["Kosten einbehalten"]])
            + _amount(row[col["Auszahlung"]])
        )
    assert sum(_amount(r[col["Auszahlung"]]) for r in body) == _amount(total[col["Auszahlung"]])
    assert total[col["Zahlung"]] == "249,99"
    # PDF shows the totals
    text = PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    assert "249,99 €" in text and "Abrechnung" in text
    net = s_.total("net")
    assert f"{net:.2f}".replace(".", ",") in text
    assert (tmp_path / "out" / f"Abrechnung-{result.end_to_end_id}.csv").is_file()
    assert (tmp_path / "out" / f"Abrechnung-{result.end_to_end_id}.pdf").is_file()
    # again for the same period: nothing twice
    with transaction(bank.sessions) as s:
        again = run_payouts(s, CLI, date(2026, 3, 1), date(2026, 3, 31), agency=AGENCY)
    assert again.xml is None and again.creditors == []
    with bank.sessions() as s:
        [payout] = s.scalars(select(CreditorPayout)).all()
        assert payout.net == net and payout.gross == D("249.99")
        assert len(s.scalars(select(CreditorPayoutItem)).all()) == 3


def test_return_after_payout_is_deducted_next_time(bank, credit):
    a, b = _setup(bank, credit)
    with transaction(bank.sessions) as s:
        first = run_payouts(s, CLI, date(2026, 3, 1), date(2026, 3, 31), agency=AGENCY, pdf=False)
    paid_b = next(line for line in first.creditors[0].settlement.lines if line.gross == D("99.99"))
    back = replace(
        credit("99.99", "RUECKLASTSCHRIFT", name="Eva Ost", ref="P9", day=date(2026, 4, 3)),
        sign=Sign.DEBIT,
        is_return=True,
        return_reason="MD06",
    )
    with bank.sessions() as s:
        ref_b = s.get(Case, b).reference
    back = replace(back, end_to_end_id=f"{ref_b}-R1")
    assert import_statement(bank.runtime, CLI, bank.write([back])).returns == 1
    new = credit("150.00", "Rest", name="Jürgen Müller", ref="P10", day=date(2026, 4, 5))
    with bank.sessions() as s:
        ref_a = s.get(Case, a).reference
    import_statement(bank.runtime, CLI, bank.write([replace(new, remittance=ref_a)]))
    with transaction(bank.sessions) as s:
        second = run_payouts(s, CLI, date(2026, 4, 1), date(2026, 4, 30), agency=AGENCY, pdf=False)
    lines = second.creditors[0].settlement.lines
    storno = [line for line in lines if line.gross < 0]
    assert len(storno) == 1 and storno[0].net == -paid_b.net


def test_the_worker_pays_out_the_previous_month_once(bank, credit):
    """``MAHNWERK_PAYOUT_DAY=5``: from the 5th of April the worker pays March out, once."""
    from datetime import UTC, datetime

    from mahnwerk.jobs import periodic

    _setup(bank, credit)
    settings = replace(
        bank.runtime.settings,
        payout_day=5,
        agency_name=AGENCY.name,
        agency_iban=AGENCY.iban,
        agency_creditor_id=AGENCY.creditor_id,
    )
    runtime = replace(bank.runtime, settings=settings)
    job = periodic.REGISTRY["payouts"]
    assert job.slot(settings, datetime(2026, 4, 4, 12, tzinfo=UTC)) is None
    assert job.slot(settings, datetime(2026, 4, 20, 12, tzinfo=UTC)) == "2026-04"
    assert job.slot(replace(settings, payout_day=None), datetime(2026, 4, 20, tzinfo=UTC)) is None

    job.run(runtime, datetime(2026, 4, 5, 6, tzinfo=UTC), "2026-04")
    with bank.sessions() as s:
        (payout,) = s.scalars(select(CreditorPayout)).all()
        assert (payout.period_from, payout.period_to) == (date(2026, 3, 1), date(2026, 3, 31))
    written = sorted(p.suffix for p in settings.payouts_dir.rglob("*") if p.is_file())
    assert written.count(".xml") == 1 and ".pdf" in written and ".csv" in written
    job.run(runtime, datetime(2026, 4, 5, 6, tzinfo=UTC), "2026-04")  # again: nothing new
    with bank.sessions() as s:
        assert len(s.scalars(select(CreditorPayout)).all()) == 1
