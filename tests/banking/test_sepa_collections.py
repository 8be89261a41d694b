"""Direct debits for payment plans: mandates, FRST then RCUR, one file per due date,
pre-notification on the case, and the collection's credit and return found again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from mahnwerk.banking import sepa
from mahnwerk.banking.camt import schema_errors
from mahnwerk.banking.statement import Sign
from mahnwerk.services.actor import CLI
from mahnwerk.services.banking.collections import CollectionError, add_mandate, collect
from mahnwerk.services.banking.statements import import_statement
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import SepaCollection, SepaMandate
from mahnwerk.store.db import transaction
from mahnwerk.store.models import CaseEvent, Payment

AGENCY = sepa.Creditor("Inkasso Nord GmbH", "DE02120300000000202051", "DE98ZZZ09999999999")
DEBTOR_IBAN = "DE89370400440532013000"


def _plan_with_mandate(bank, ref="K-1", amount="300.00", start=date(2026, 4, 1)):
    cid, reference = bank.case(ref, amount)
    with transaction(bank.sessions) as s:
        workflow.add_plan(s, CLI, cid, amount=D("100.00"), start=start, count=3)
        add_mandate(
            s, CLI, cid, mandate_id=f"MW-M-{cid}", signed_on=date(2026, 3, 1),
            holder="Jürgen Müller", iban=DEBTOR_IBAN,
        )  # fmt: skip
    return cid, reference


def test_mandate_iban_is_validated(bank):
    cid, _ = bank.case("K-1")
    with transaction(bank.sessions) as s, pytest.raises(CollectionError) as err:
        add_mandate(s, CLI, cid, mandate_id="M1", signed_on=date(2026, 3, 1),
                    holder="X", iban="DE89370400440532013001")  # fmt: skip
    assert "IBAN" in str(err.value)


@pytest.mark.parametrize("schema", ["pain.008.001.02", "pain.008.001.08"])
def test_collection_file_per_due_date_frst_then_rcur(bank, schema):
    cid, reference = _plan_with_mandate(bank)
    with transaction(bank.sessions) as s:
        run = collect(
            s, CLI, date(2026, 4, 1), agency=AGENCY, today=date(2026, 3, 10), schema=schema
        )
    assert run.xml is not None and len(run.debits) == 1
    assert schema_errors(run.xml, sepa.sepaxml_schema_path(schema)) == []
    assert b"<SeqTp>FRST</SeqTp>" in run.xml and f"{reference}-260401".encode() in run.xml
    # the same date again: nothing twice
    with transaction(bank.sessions) as s:
        again = collect(
            s, CLI, date(2026, 4, 1), agency=AGENCY, today=date(2026, 3, 10), schema=schema
        )
    assert again.xml is None and again.already == 1
    with transaction(bank.sessions) as s:
        second = collect(
            s, CLI, date(2026, 5, 1), agency=AGENCY, today=date(2026, 4, 10), schema=schema
        )
    assert second.xml is not None and b"<SeqTp>RCUR</SeqTp>" in second.xml
    assert schema_errors(second.xml, sepa.sepaxml_schema_path(schema)) == []
    with bank.sessions() as s:
        notes = s.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == cid, CaseEvent.kind == "sepa.pre_notification"
            )
        ).all()
        assert len(notes) == 2
        assert "Vorabankündigung" in notes[0].data["text"] and "01.04.2026" in notes[0].data["text"]
        assert s.scalar(select(SepaMandate.sequence_state)) == "RCUR"


def test_too_late_for_the_pre_notification_is_skipped(bank):
    _plan_with_mandate(bank)
    with transaction(bank.sessions) as s:
        run = collect(s, CLI, date(2026, 4, 1), agency=AGENCY, today=date(2026, 3, 25))
    assert run.xml is None and run.skipped and "Vorabankündigung" in run.skipped[0]


def test_collection_credit_and_return_are_found_by_end_to_end_id(bank, credit):
    cid, _reference = _plan_with_mandate(bank)
    with transaction(bank.sessions) as s:
        run = collect(s, CLI, date(2026, 4, 1), agency=AGENCY, today=date(2026, 3, 10))
    e2e = run.debits[0].end_to_end_id
    paid = credit("100.00", "SEPA-Lastschrift", name="Jürgen Müller", ref="C1",
                  end_to_end_id=e2e, mandate_id=f"MW-M-{cid}", day=date(2026, 4, 1))  # fmt: skip
    assert import_statement(bank.runtime, CLI, bank.write([paid])).booked == 1
    back = replace(
        credit("103.50", "Ruecklastschrift", name="Jürgen Müller", ref="C2",
               end_to_end_id=e2e, mandate_id=f"MW-M-{cid}", day=date(2026, 4, 6)),
        sign=Sign.DEBIT, is_return=True, return_reason="MD06", charges=D("3.50"),
    )  # fmt: skip
    summary = import_statement(bank.runtime, CLI, bank.write([back]))
    assert summary.returns == 1
    with bank.sessions() as s:
        [p] = s.scalars(select(Payment).where(Payment.case_id == cid)).all()
        assert p.reversed
        assert s.scalar(select(SepaCollection.status)) == "returned"
    assert bank.statement(cid, date(2026, 4, 30)).totals.total_open == D("303.50")
