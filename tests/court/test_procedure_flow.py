"""The whole court procedure on SQLite and PostgreSQL, driven by the court's replies in both
framings: MB filed → issued → served → no Widerspruch → VB prepared, approved, filed → issued
→ served → titled; and the branches not served, Widerspruch, Monierung, Abgabe, unknown
references and the receipt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from court_support import (
    court_file,
    make_case,
    make_creditor,
    msg_abgabe,
    msg_mb_issued,
    msg_monierung,
    msg_receipt,
    msg_service,
    msg_vb_issued,
    msg_widerspruch,
)
from sqlalchemy import select

from mahnwerk.court.reader import EdaReadError, read
from mahnwerk.domain.title import claim_barred_from
from mahnwerk.services.actor import Actor
from mahnwerk.services.court import export as court_export
from mahnwerk.services.court import prepare as court
from mahnwerk.services.court.facts import court_facts
from mahnwerk.services.court.replies import import_reply, pending_review
from mahnwerk.services.court.tick import advance
from mahnwerk.services.workspace import workflow
from mahnwerk.store.court import CourtMessage, CourtProcedure, EdaFile, Title
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent, Cost
from mahnwerk.store.workflow import Approval, Task

AGENT = Actor("user", "11", "agent", origin="test")
LEAD = Actor("user", "12", "teamlead", origin="test")
GNR = "26123456701"


def procedure(sessions, case_id: int) -> CourtProcedure:
    with sessions() as s:
        row = s.scalars(
            select(CourtProcedure)
            .where(CourtProcedure.case_id == case_id)
            .order_by(CourtProcedure.id.desc())
        ).first()
        assert row is not None
        return row


def prepare_and_file(runtime, sessions, case_id: int, day: date) -> CourtProcedure:
    with transaction(sessions) as s:
        p = court.prepare(s, AGENT, case_id, today=day)
        approval_id = p.approval_id
    with transaction(sessions) as s:
        workflow.approve(s, LEAD, approval_id, "Unterlagen geprüft", today=day)
    export(runtime, sessions, day)
    return procedure(sessions, case_id)


def export(runtime, sessions, day: date) -> court_export.ExportResult:
    with transaction(sessions) as s:
        result = court_export.export(s, LEAD, runtime.settings, today=day)
    with transaction(sessions) as s:
        court_export.deliver(s)
    return result


def reply(sessions, data: bytes, name: str, day: date):
    with transaction(sessions) as s:
        return import_reply(s, LEAD, data, name, today=day)


def timeline(sessions, case_id: int) -> list[str]:
    with sessions() as s:
        return [
            str(e.data.get("detail", ""))
            for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))
            if e.kind.startswith(("court.", "title."))
        ]


def open_tasks(sessions, case_id: int) -> list[str]:
    with sessions() as s:
        return [
            t.reason
            for t in s.scalars(select(Task).where(Task.case_id == case_id, Task.status == "open"))
        ]


def test_mahnbescheid_to_title(runtime, sessions):
    case_id = make_case(sessions, make_creditor(sessions))
    p = prepare_and_file(runtime, sessions, case_id, date(2026, 3, 2))
    assert p.state == "filed" and p.filed_on == date(2026, 3, 2)
    ref = p.tgz
    with sessions() as s:
        files = s.scalars(select(EdaFile)).all()
        assert [(f.satzart, f.applications) for f in files] == [("01", 1)]
        written = (runtime.settings.eda_outbox_dir / files[0].name).read_bytes()
        assert written == files[0].content and files[0].delivered_at is not None
    assert read(written).files[0].trailer.claims_cents == 125000

    # 03 Kostennachricht (unbroken records): issued, costs booked
    r = reply(sessions, court_file("03", [msg_mb_issued(ref, GNR, date(2026, 3, 4))]),
              "K03.EDA", date(2026, 3, 5))  # fmt: skip
    assert len(r.applied) == 1
    p = procedure(sessions, case_id)
    assert (p.state, p.gnr, p.issued_on) == ("issued", GNR, date(2026, 3, 4))
    with sessions() as s:
        costs = sorted(
            (c.code, c.amount) for c in s.scalars(select(Cost).where(Cost.case_id == case_id))
        )
    assert costs == [("KV 1100", D("38.00")), ("VV 3305", D("93.00")), ("VV 7002", D("18.60"))]

    # 05 served (126 characters + CR LF): periods start, limitation suspended
    data = court_file("05", [msg_service(ref, GNR, 5, date(2026, 3, 6))], framing="crlf")
    reply(sessions, data, "Z05.EDA", date(2026, 3, 9))
    p = procedure(sessions, case_id)
    assert (p.state, p.served_on) == ("served", date(2026, 3, 6))
    with sessions() as s:
        facts = court_facts(s, [case_id])[case_id]
    assert facts.running and facts.court[0].start == date(2026, 3, 2)
    assert claim_barred_from(date(2023, 1, 1), court=facts.court) is None

    # the same file again: nothing changes
    again = reply(sessions, data, "Z05.EDA", date(2026, 3, 9))
    assert again.already and procedure(sessions, case_id).state == "served"

    # the Widerspruch period (two weeks, to Friday 20 March) passes: the VB is prepared
    with transaction(sessions) as s:
        assert advance(s, date(2026, 3, 20)).vb_prepared == []
    with transaction(sessions) as s:
        assert advance(s, date(2026, 3, 21)).vb_prepared == [p.tgz]
    p = procedure(sessions, case_id)
    assert p.state == "vb_prepared" and p.vb_approval_id is not None
    with transaction(sessions) as s:
        assert advance(s, date(2026, 3, 22)).vb_prepared == []  # once

    # the system proposed it: a team lead approves (agents propose, they never decide)
    with transaction(sessions) as s:
        workflow.approve(s, LEAD, p.vb_approval_id, "kein Widerspruch", today=date(2026, 3, 23))
    result = export(runtime, sessions, date(2026, 3, 23))
    assert [(f.satzart, f.applications) for f in result.files] == [("08", 1)]
    p = procedure(sessions, case_id)
    assert (p.state, p.vb_filed_on) == ("vb_filed", date(2026, 3, 23))
    vb = read(result.files[0].path.read_bytes()).files[0]
    assert vb.header.format == "4100" and vb.records[0].fields["GNR"] == GNR

    # 22 VB issued, 05/08 VB served: titled
    reply(sessions, court_file("22", [msg_vb_issued(ref, GNR, date(2026, 3, 25))]), "K22.EDA",
          date(2026, 3, 26))  # fmt: skip
    assert procedure(sessions, case_id).state == "vb_issued"
    reply(sessions, court_file("05", [msg_service(ref, GNR, 8, date(2026, 3, 27))], framing="crlf"),
          "Z05b.EDA", date(2026, 3, 30))  # fmt: skip
    p = procedure(sessions, case_id)
    assert p.state == "titled"
    with sessions() as s:
        title = s.scalars(select(Title).where(Title.case_id == case_id)).one()
        assert title.kind == "vollstreckungsbescheid"
        assert title.court == "Amtsgericht Uelzen" and title.file_number == GNR
        assert title.issued == date(2026, 3, 25)
        # Einspruch period: two weeks from 27 March, Friday 10 April; final from 11 April
        assert title.final == date(2026, 4, 11)
        assert title.principal == D("1250.00")
        assert (title.interest_from, title.interest) == (date(2025, 11, 16), "base_plus:5")
        # court fee 38.00, VV 3305 93.00, VV 7002 18.60, VV 3308 46.50
        assert title.costs == D("196.10")
        facts = court_facts(s, [case_id])[case_id]
        case = s.get(Case, case_id)
        assert facts.titled(c.id for c in case.claims) and not facts.running
    lines = timeline(sessions, case_id)
    assert any("Mahnbescheid zugestellt am 06.03.2026" in t for t in lines)
    assert any(t.startswith("Vollstreckungsbescheid Amtsgericht Uelzen 26123456701") for t in lines)


def test_not_served_widerspruch_monierung_and_abgabe(runtime, sessions):
    creditor = make_creditor(sessions)
    a = make_case(sessions, creditor, "A-1")
    b = make_case(sessions, creditor, "B-1", last_name="Schmidt")
    pa = prepare_and_file(runtime, sessions, a, date(2026, 3, 2))
    pb = prepare_and_file(runtime, sessions, b, date(2026, 3, 2))
    data = court_file(
        "05",
        [
            msg_service(pa.tgz, "26000000101", 6, date(2026, 3, 6), "Empfänger unbekannt verzogen"),
            msg_service(pb.tgz, "26000000202", 5, date(2026, 3, 6)),
        ],
        framing="crlf",
    )
    r = reply(sessions, data, "Z.EDA", date(2026, 3, 9))
    assert len(r.applied) == 2
    assert procedure(sessions, a).state == "not_served"
    assert any("Anschrift ermitteln und neue Zustellung beantragen" in t and "unbekannt verzogen" in t
               for t in open_tasks(sessions, a))  # fmt: skip
    with sessions() as s:
        facts = court_facts(s, [a])[a]
    assert facts.court[0].start is None  # not served: no Hemmung

    # Monierung: a task, no change; Widerspruch: objected, task
    reply(sessions, court_file("20", [msg_monierung(pb.tgz, "26000000202", date(2026, 3, 10))]),
          "M.EDA", date(2026, 3, 10))  # fmt: skip
    assert procedure(sessions, b).state == "served"
    assert any(t.startswith("Monierung vom 10.03.2026") for t in open_tasks(sessions, b))
    reply(sessions, court_file("18", [msg_widerspruch(pb.tgz, "26000000202", date(2026, 3, 12))]),
          "W.EDA", date(2026, 3, 13))  # fmt: skip
    p = procedure(sessions, b)
    assert (p.state, p.objection_on) == ("objected", date(2026, 3, 12))
    assert any("streitige Verfahren" in t for t in open_tasks(sessions, b))
    with transaction(sessions) as s:
        assert advance(s, date(2026, 3, 30)).vb_prepared == []  # no VB after a Widerspruch
    reply(sessions, court_file("16", [msg_abgabe(pb.tgz, "26000000202", date(2026, 4, 9))]),
          "A.EDA", date(2026, 4, 10))  # fmt: skip
    assert procedure(sessions, b).state == "handed_over"

    # later served after all: the periods start
    reply(sessions, court_file("05", [msg_service(pa.tgz, "26000000101", 5, date(2026, 4, 2))]),
          "Z2.EDA", date(2026, 4, 3))  # fmt: skip
    assert procedure(sessions, a).state == "served"


def test_unknown_references_go_to_review_and_receipts_to_their_file(runtime, sessions):
    case_id = make_case(sessions, make_creditor(sessions))
    p = prepare_and_file(runtime, sessions, case_id, date(2026, 3, 2))
    with sessions() as s:
        sent = s.scalars(select(EdaFile)).one()
    data = court_file("05", [msg_service("XY-UNBEKANNT", "26999999901", 5, date(2026, 3, 6))])
    r = reply(sessions, data, "Z.EDA", date(2026, 3, 9))
    assert r.unmatched and not r.applied
    # a message that does not fit the state is kept for review, not applied
    r = reply(sessions, court_file("05", [msg_service(p.tgz, GNR, 8, date(2026, 3, 6))]),
              "Z8.EDA", date(2026, 3, 9))  # fmt: skip
    assert r.review and procedure(sessions, case_id).state == "filed"
    with sessions() as s:
        assert {m.status for m in pending_review(s)} == {"unmatched", "review"}
    receipt = court_file("90", [msg_receipt(f"Datei {sent.edaid} eingegangen, 1 Antrag")])
    r = reply(sessions, receipt, f"{sent.edaid}QU.EDA", date(2026, 3, 3))
    with sessions() as s:
        row = s.get(EdaFile, sent.id)
        assert (
            row.receipt
            == f"Eingangsbestätigung des Gerichts: Datei {sent.edaid} eingegangen, 1 Antrag"
        )
        assert (
            s.scalars(select(CourtMessage).where(CourtMessage.satzart == "90")).one().status
            == "info"
        )


def test_a_broken_file_is_refused_whole(runtime, sessions):
    case_id = make_case(sessions, make_creditor(sessions))
    p = prepare_and_file(runtime, sessions, case_id, date(2026, 3, 2))
    good = msg_service(p.tgz, GNR, 5, date(2026, 3, 6))
    broken = [good[0][:65] + "26133" + good[0][70:]]  # 33 March
    data = court_file("05", [good, broken])
    with pytest.raises(EdaReadError) as err:
        reply(sessions, data, "Z.EDA", date(2026, 3, 9))
    assert err.value.record == 3 and err.value.field.startswith("ZUD")
    assert procedure(sessions, case_id).state == "filed"  # the good message was not applied
    with sessions() as s:
        assert s.scalars(select(CourtMessage)).all() == []


def test_four_eyes_and_sending_back(runtime, sessions):
    case_id = make_case(sessions, make_creditor(sessions))
    with transaction(sessions) as s:
        p = court.prepare(s, AGENT, case_id, today=date(2026, 3, 2))
        approval_id = p.approval_id
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="Vier-Augen"):
        workflow.approve(s, AGENT, approval_id, "selbst freigegeben")
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match="Mensch"):
        from mahnwerk.services.actor import SYSTEM

        workflow.approve(s, SYSTEM, approval_id, "automatisch")
    with transaction(sessions) as s:
        workflow.reject(s, LEAD, approval_id, "Forderung erst mit dem Mandanten klären")
    p = procedure(sessions, case_id)
    assert (p.state, p.returned_reason) == ("returned", "Forderung erst mit dem Mandanten klären")
    with sessions() as s:
        assert s.get(Approval, approval_id).status == "rejected"
    assert export(runtime, sessions, date(2026, 3, 3)).files == []
    # prepared again after being sent back
    with transaction(sessions) as s:
        assert court.prepare(s, AGENT, case_id, today=date(2026, 3, 4)).state == "prepared"
