"""Titled cases in the store, on SQLite and PostgreSQL: the daily run keeps a title from 2023
open and schedules its re-check for 2027-06-01; the title's limitation restarts with a filed
measure; a proposal becomes an approval and, approved by a person, a PfÜB whose
Forderungsaufstellung equals the title's statement to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from enforcement_support import assert_reads_back, pdf_text
from sqlalchemy import select

from mahnwerk.domain.ledger import compute_statement
from mahnwerk.services.actor import CLI, SYSTEM, Actor
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.enforcement import insolvency, measures, titles
from mahnwerk.services.workspace import desk as workspace
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.store.enforcement import EnforcementMeasure, TitleMonitor
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import Approval, Task

AGENT = Actor(kind="user", id="3", role="agent")
LEAD = Actor(kind="user", id="4", role="teamlead")
TODAY = date(2026, 12, 5)


@pytest.fixture
def titled(sessions, store_case) -> int:
    """1,000.00 owed since 2022, a Vollstreckungsbescheid of 2023 (final 2023-06-01), no
    payment since."""
    case_id = store_case("T-2023", claims=[("R-77", "1000.00", date(2022, 4, 1))])
    with transaction(sessions) as s:
        s.get(Case, case_id).created_at = datetime(2022, 9, 1, 8, 0, tzinfo=UTC)
        titles.add_title(
            s, CLI, case_id, kind="vollstreckungsbescheid", court="Amtsgericht Wedding",
            file_no="23-0123456-0-1", issued=date(2023, 5, 15), final=date(2023, 6, 1),
            interest="base_plus:5", costs=D("93.40"),
        )  # fmt: skip
    return case_id


def test_daily_run_keeps_a_2023_title_open_and_rechecks_it_on_2027_06_01(runtime, sessions, titled):
    run_day(runtime, TODAY)
    with sessions() as s:
        case = s.get(Case, titled)
        assert case.status == "open"
        codes = set(s.scalars(select(Task.code).where(Task.case_id == titled)))
        assert "review:time_barred" not in codes
        assert "title_check:2026-06-01" in codes and "interest_limitation:2023" in codes
        monitor = s.get(TitleMonitor, titled)
        assert monitor.next_check_on == date(2027, 6, 1) and monitor.interval_months == 12
        queue = workspace.work_queue(
            s, AGENT, today=TODAY, now=datetime.now(UTC), kind="monitoring"
        )
        assert {i.case_id for i in queue.items} == {titled}
        assert queue.counts["monitoring"] == 2, [(i.reason) for i in queue.items]
    with sessions() as s:
        before = len(s.scalars(select(Task)).all())
    run_day(runtime, TODAY)  # again: nothing twice
    with transaction(sessions) as s:
        assert len(s.scalars(select(Task)).all()) == before
        for task in s.scalars(select(Task).where(Task.kind == "title_monitoring")):
            workflow.close_task(s, AGENT, task.id)
    run_day(runtime, date(2026, 12, 6))  # a closed check is not raised again
    with sessions() as s:
        open_ = s.scalars(select(Task.code).where(Task.case_id == titled, Task.status == "open"))
        assert not [c for c in open_ if c.startswith(("title_check", "interest_limitation"))]


def test_title_limitation_restarts_with_a_filed_measure(sessions, settings, titled):
    with transaction(sessions) as s:
        case = s.get(Case, titled)
        row = titles.current_title(s, titled)
        info = titles.title_info(s, case, row, TODAY)
        assert info.limitation.last_day_not_barred == date(2053, 6, 1)
        assert info.interest_barred_through is None  # 2023's interest expires end of 2026
        later = titles.title_info(s, case, row, date(2027, 1, 1))
        assert later.interest_barred_through == date(2023, 12, 31)
        measures.add_employer(
            s,
            AGENT,
            titled,
            "Muster Logistik GmbH",
            address="Hafenstraße 4, 20457 Hamburg",
            net_income=D("2500.00"),
            dependants=1,
            since=date(2026, 11, 1),
        )
        _, measure = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        workflow.approve(s, LEAD, measure.approval_id, "Arbeitgeber bestätigt", today=TODAY)
        measures.mark_filed(s, AGENT, measure.id, date(2026, 12, 7))
        s.expire_all()
        info = titles.title_info(s, s.get(Case, titled), titles.current_title(s, titled), TODAY)
        assert info.limitation.last_day_not_barred == date(2056, 12, 7)
        assert info.limitation.rule == "restart_enforcement"


def test_proposal_approval_and_the_pfueb_equal_the_titles_statement(sessions, settings, titled):
    with transaction(sessions) as s:
        measures.add_employer(
            s,
            AGENT,
            titled,
            "Muster Logistik GmbH",
            address="Hafenstraße 4, 20457 Hamburg",
            net_income=D("2500.00"),
            dependants=1,
            since=date(2026, 11, 1),
        )
        proposal, measure = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        assert proposal.measure.value == "wage_garnishment"
        assert measure.drittschuldner == "Muster Logistik GmbH, Hafenstraße 4, 20457 Hamburg"
        approval = s.get(Approval, measure.approval_id)
        assert approval.status == "pending" and approval.stage == "enforcement"
        assert "Lohnpfändung" in approval.reason and "KV 2111 nicht hinterlegt" in approval.reason
        with pytest.raises(measures.MeasureError, match="wartet schon"):
            measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        with pytest.raises(measures.MeasureError, match="nicht freigegeben"):
            measures.measure_form(s, AGENT, settings, measure.id, today=TODAY)
        with pytest.raises(workflow.WorkflowError, match="Mensch"):
            workflow.approve(s, SYSTEM, approval.id, "automatisch")
        workflow.approve(s, LEAD, approval.id, "Lohnpfändung sinnvoll", today=TODAY)
        assert measure.status == "approved"
        assert s.scalars(select(Task).where(Task.code == f"measure:{measure.id}")).one()
        doc = measures.measure_form(s, AGENT, settings, measure.id, today=TODAY)
        again = measures.measure_form(s, AGENT, settings, measure.id, today=TODAY)
        assert again.id == doc.id  # produced once
        pdf = (settings.documents_dir / doc.path).read_bytes()
        case = s.get(Case, titled)
        title = titles.current_title(s, titled)
        expected = compute_statement(titles.title_ledger_case(case, title), TODAY).totals
        docs = measures.build_documents(
            s, settings, case, "pfueb", TODAY,
            drittschuldner=measures._drittschuldner(measure.drittschuldner, "employer"),
        )  # fmt: skip
    assert_reads_back(pdf, docs)
    text = " ".join(pdf_text(pdf).split())
    assert "Muster Logistik GmbH" in text and "23-0123456-0-1" in text
    total = f"{expected.total_open:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"Gesamtbetrag (€) {total}" in text
    # principal 1,000.00 + titled costs 93.40 + interest at base rate + 5 from 2022-04-02
    assert expected.principal_open == D("1000.00") and expected.costs_open == D("93.40")


def test_a_rejected_proposal_and_insolvency_stop_measures(sessions, settings, titled):
    with transaction(sessions) as s:
        _, first = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        assert first.kind == "asset_disclosure" and first.form == "gv_auftrag"
        workflow.reject(s, LEAD, first.approval_id, "erst Anschrift prüfen")
        assert first.status == "rejected"
        _, second = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        notice = (
            "court;file_number;date;kind;last_name;first_name;birth_date\n"
            "AG Charlottenburg;36 IK 9/26;2026-12-01;Eröffnung;Meier;Hans;1980-05-01\n"
        ).encode()
        insolvency.import_notices(s, CLI, notice, "n.csv", today=TODAY)
        s.refresh(second)
        assert second.status == "stopped"
        assert s.get(Approval, second.approval_id).status == "rejected"
        proposal, none = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        assert none is None and "§ 89 InsO" in proposal.reasons[0]


def test_outcomes_feed_the_next_proposal(sessions, settings, titled):
    with transaction(sessions) as s:
        emp = measures.add_employer(
            s, AGENT, titled, "Alt GmbH", address="Weg 1, 10115 Berlin", since=date(2026, 1, 1)
        )
        _, m = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        workflow.approve(s, LEAD, m.approval_id, "ok", today=TODAY)
        measures.mark_filed(s, AGENT, m.id, TODAY)
        waiting, _ = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        assert waiting.measure.value == "wait" and "läuft seit" in waiting.reasons[0]
        measures.record_outcome(s, AGENT, titled, "third_party_negative", TODAY, measure_id=m.id)
        assert m.status == "done"
        nxt, _ = measures.propose_measure(s, AGENT, settings, titled, today=TODAY)
        assert nxt.measure.value == "asset_disclosure"
        assert f"Arbeitgeber {emp.name}" in nxt.reasons[0]
        history = [e.text for e in measures.history(s, s.get(Case, titled))]
        assert any(t.startswith("Vollstreckungshandlung: Lohnpfändung") for t in history)
        assert sum(1 for e in s.scalars(select(EnforcementMeasure))) == 2


def test_enforcement_costs_arise_into_the_titles_forderungsaufstellung(sessions, settings, titled):
    from mahnwerk.enforcement import forderungsaufstellung as fa

    with transaction(sessions) as s:
        measures.add_enforcement_cost(
            s, AGENT, titled, date(2026, 9, 1), "Gerichtsvollzieherkosten", D("62.40")
        )
        with pytest.raises(measures.MeasureError, match="größer als 0"):
            measures.add_enforcement_cost(s, AGENT, titled, TODAY, "x", D("0"))
        case = s.get(Case, titled)
        docs = measures.build_documents(s, settings, case, "gv_auftrag", TODAY)
        title = titles.current_title(s, titled)
        expected = compute_statement(titles.title_ledger_case(case, title), TODAY).totals
    statement = docs[-1]
    fields = {f.key: f.value for m in statement.modules for f in m.items if hasattr(f, "value")}
    assert fields["sum.enforcement_costs"] == "62,40"
    assert fields["sum.titled_costs"] == "93,40"
    assert expected.costs_open == D("155.80")
    assert fa.Anlage.BAILIFF.heading in statement.anlage
