"""Insolvency notices against the store, on SQLite and PostgreSQL: sure matches stop the
case, probable ones wait for a person, a file imported twice books nothing twice, the
Restschuldbefreiung closes what it covers, and the Forderungsanmeldung equals the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from enforcement_support import pdf_text
from sqlalchemy import func, select

from mahnwerk.domain.dunning import Flag
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, SYSTEM, Actor
from mahnwerk.services.enforcement import insolvency as svc
from mahnwerk.store.db import transaction
from mahnwerk.store.enforcement import (
    InsolvencyMatch,
    InsolvencyNotice,
    RegisterEntry,
)
from mahnwerk.store.models import Case, CaseEvent, Claim
from mahnwerk.store.workflow import CaseFlag, Task

HEADER = "court;file_number;date;kind;last_name;first_name;birth_date;postcode;administrator;claims_deadline\n"
OPENING = (
    HEADER
    # exact: Hans Meier, born 01.05.1980
    + "AG Charlottenburg;36 IK 123/26;2026-03-02;Eröffnung;Meier;Hans;01.05.1980;10115;"
    "RA Vera Walter, Kantstraße 1, 10623 Berlin;2026-04-15\n"
    # misspelt: Jürgen Müler for Jürgen Müller, born 17.05.1970
    + "AG München;1507 IK 77/26;2026-03-03;Eröffnung;Müler;Jürgen;17.05.1970;80331;;\n"
    # same name as Hans Meier, other birth date
    + "AG Charlottenburg;36 IK 124/26;2026-03-02;Eröffnung;Meier;Hans;12.12.1961;10115;;\n"
    # unrelated
    + "AG Köln;73 IK 5/26;2026-03-04;Eröffnung;Otto;Karl;01.01.1960;50667;;\n"
).encode()
TODAY = date(2026, 3, 10)
AGENT = Actor(kind="user", id="7", role="agent")


@pytest.fixture
def three_cases(store_case):
    meier = store_case("K-MEIER")
    mueller = store_case(
        "K-MUELLER",
        first_name="Jürgen",
        last_name="Müller",
        birth_date=date(1970, 5, 17),
        postcode="80331",
        city="München",
    )
    other = store_case(
        "K-OTHER", first_name="Petra", last_name="Klein", birth_date=date(1960, 1, 1)
    )
    return meier, mueller, other


def flags(sessions, case_id):
    with sessions() as s:
        return {
            f.kind
            for f in s.scalars(
                select(CaseFlag).where(CaseFlag.case_id == case_id, CaseFlag.cleared_at.is_(None))
            )
        }


def counts(sessions):
    with sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t))
            for t in (InsolvencyNotice, InsolvencyMatch, Task, CaseFlag, CaseEvent)
        )


def test_sure_stops_probable_waits_others_untouched_and_twice_books_nothing(sessions, three_cases):
    meier, mueller, other = three_cases
    with transaction(sessions) as s:
        summary = svc.import_notices(s, CLI, OPENING, "heute.csv", today=TODAY)
    assert (summary.notices, summary.new, summary.sure, summary.probable) == (4, 4, 1, 1)
    assert summary.cases_stopped == 1
    assert flags(sessions, meier) == {Flag.INSOLVENCY.value}
    assert flags(sessions, mueller) == set() and flags(sessions, other) == set()
    with sessions() as s:
        (task,) = s.scalars(
            select(Task).where(Task.case_id == meier, Task.kind == "insolvency_filing")
        )
        assert "bis 15.04.2026" in task.reason and "36 IK 123/26" in task.reason
    before = counts(sessions)
    with transaction(sessions) as s:
        again = svc.import_notices(s, CLI, OPENING, "heute-nochmal.csv", today=TODAY)
    assert (again.new, again.duplicates, again.sure, again.probable) == (0, 4, 0, 0)
    assert counts(sessions) == before

    with transaction(sessions) as s:
        (item,) = svc.review_list(s, AGENT)
        assert item.debtor.last_name == "Müller" and [c.id for c in item.cases] == [mueller]
        with pytest.raises(svc.InsolvencyError, match="Mensch"):
            svc.confirm_match(s, SYSTEM, item.match.id)
        svc.confirm_match(s, AGENT, item.match.id, today=TODAY)
    assert flags(sessions, mueller) == {Flag.INSOLVENCY.value}
    with transaction(sessions) as s:
        assert svc.review_list(s, AGENT) == []


def test_a_rejected_probable_match_changes_nothing(sessions, three_cases):
    _, mueller, _ = three_cases
    with transaction(sessions) as s:
        svc.import_notices(s, CLI, OPENING, "heute.csv", today=TODAY)
        (item,) = svc.review_list(s, AGENT)
        svc.reject_match(s, AGENT, item.match.id)
        with pytest.raises(svc.InsolvencyError, match="schon entschieden"):
            svc.reject_match(s, AGENT, item.match.id)
    assert flags(sessions, mueller) == set()


def test_a_bad_file_writes_nothing(sessions, three_cases):
    from mahnwerk.enforcement.insolvency import NoticeFileError

    bad = OPENING + b"AG X;1 IK 1/26;gestern;Eroeffnung;Meier;Hans;;;;\n"
    with pytest.raises(NoticeFileError, match="Zeile 6, Feld date"), transaction(sessions) as s:
        svc.import_notices(s, CLI, bad, "bad.csv", today=TODAY)
    assert counts(sessions)[:2] == (0, 0)


def discharge(kind="Restschuldbefreiung erteilt"):
    return (
        HEADER + f"AG Charlottenburg;36 IK 123/26;2032-05-01;{kind};Meier;Hans;1980-05-01;10115;;\n"
    ).encode()


def test_discharge_closes_the_cases_it_covers(sessions, three_cases):
    meier, _, _ = three_cases
    with transaction(sessions) as s:
        svc.import_notices(s, CLI, OPENING, "a.csv", today=TODAY)
        summary = svc.import_notices(s, CLI, discharge(), "b.csv", today=date(2032, 5, 10))
    assert summary.cases_closed == 1
    with sessions() as s:
        assert s.get(Case, meier).status == "closed"
    assert flags(sessions, meier) == set()


def test_discharge_keeps_claims_excepted_by_section_302(sessions, store_case):
    case_id = store_case(
        "K-TORT", claims=[("R-1", "500.00", date(2025, 1, 1)), ("R-2", "300.00", date(2025, 2, 1))]
    )
    with transaction(sessions) as s:
        svc.import_notices(s, CLI, OPENING, "a.csv", today=TODAY)
        claim = s.scalar(select(Claim).where(Claim.case_id == case_id, Claim.invoice_no == "R-2"))
        svc.mark_excepted(s, AGENT, claim.id, "vorsätzliche unerlaubte Handlung (§ 302 Nr. 1 InsO)")
        svc.import_notices(s, CLI, discharge(), "b.csv", today=date(2032, 5, 10))
    with sessions() as s:
        assert s.get(Case, case_id).status == "open"
        (task,) = s.scalars(
            select(Task).where(Task.case_id == case_id, Task.code.like("insolvency_discharged:%"))
        )
        assert "R-2" in task.reason and "nicht mehr durchsetzbar: R-1" in task.reason


def test_dismissal_for_lack_of_assets_records_a_register_entry_and_no_stop(sessions, three_cases):
    meier, _, _ = three_cases
    with transaction(sessions) as s:
        svc.import_notices(s, CLI, discharge("Abweisung mangels Masse"), "c.csv", today=TODAY)
    assert flags(sessions, meier) == set()
    with sessions() as s:
        (entry,) = s.scalars(select(RegisterEntry))
        assert entry.reason.startswith("Abweisung mangels Masse") and entry.entered_on == date(
            2032, 5, 1
        )


def test_claim_filing_splits_principal_interest_to_the_day_before_opening_and_costs(
    sessions, settings, store_case
):
    case_id = store_case("K-FILE", costs=[(date(2025, 2, 1), "Inkassokosten", "80.34")])
    with transaction(sessions) as s:
        svc.import_notices(s, CLI, OPENING, "a.csv", today=TODAY)
        pdf, doc = svc.claim_filing_pdf(s, AGENT, settings, case_id, today=TODAY)
        st = cases.statement(s.get(Case, case_id), date(2026, 3, 1))
    # 1,000.00 from 01.01.2025 at base rate + 5: 181 d × 7.27 % + 184 d × 6.27 % + 60 d × 6.27 %
    # = 36.05 + 31.61 + 10.31 = 77.97 up to 01.03.2026, the day before the opening
    assert st.totals.interest_open == D("77.97")
    assert st.totals.total_open == D("1158.31")
    text = " ".join(pdf_text(pdf).split())
    assert "Hauptforderung (€) 1.000,00" in text
    assert "Zinsen bis zum Tag vor der Eröffnung, 01.03.2026 (€) 77,97" in text
    assert "Kosten (€) 80,34" in text
    assert "angemeldeter Gesamtbetrag (€) 1.158,31" in text
    assert doc.kind == "claim_filing" and doc.size == len(pdf)
    with sessions() as s, pytest.raises(svc.InsolvencyError, match="kein eröffnetes"):
        svc.claim_filing_pdf(s, AGENT, settings, store_case("K-NONE", last_name="Nobody"))
