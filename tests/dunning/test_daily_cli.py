"""The commands: mahnwerk run, approvals, dispute, plan (German output)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from mahnwerk.cli import main
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import Approval, CaseStrategy, Dispute, OutboxMessage, PaymentPlan


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    for name in ("MAHNWERK_SMTP_HOST", "MAHNWERK_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in SENDER.items():
        monkeypatch.setenv(name, value)


SENDER = {
    "MAHNWERK_AGENCY_NAME": "Inkasso Nord GmbH",
    "MAHNWERK_AGENCY_ADDRESS": "Ballindamm 17, 20095 Hamburg",
    "MAHNWERK_AGENCY_EMAIL": "service@inkasso-nord.example",
    "MAHNWERK_AGENCY_REGISTRATION": "Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
}


def test_without_a_configured_sender_no_letter_goes_out_and_the_summary_says_why(
    env, sessions, capsys, make_case, monkeypatch
):
    for name in SENDER:
        monkeypatch.delenv(name)
    case_id = make_case(email=None)
    assert main(["run", "--date", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "Briefe:                  0 geplant, 0 zugestellt" in out
    assert "zurückgehalten (1 Fälle): Absender unvollständig: Name der Agentur fehlt" in out
    assert "MAHNWERK_AGENCY_ADDRESS" in out and "MAHNWERK_AGENCY_REGISTRATION" in out
    with sessions() as s:
        assert s.scalars(select(OutboxMessage)).all() == []
        state = s.get(CaseStrategy, case_id)
        assert state.step_index is None  # the step waits for the sender, nothing is booked
        assert s.get(Case, case_id).costs == []


def test_run_prints_a_german_summary_and_renders_the_letter(env, sessions, capsys, make_case):
    make_case(
        email=None,
        creditor_settings={
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {
                "holder": "Inkasso Nord GmbH",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
        },
    )
    assert main(["run", "--date", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "Mahnlauf für den 02.03.2026" in out
    assert "heute bearbeitet:        1" in out
    assert "Briefe:                  1 geplant, 1 zugestellt" in out
    with sessions() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.status == "sent" and msg.document_id is not None
    assert main(["run", "--date", "2026-03-02"]) == 0
    assert "heute bearbeitet:        0" in capsys.readouterr().out


def test_bad_date_is_refused(env, capsys):
    assert main(["run", "--date", "2.3.2026"]) == 2
    assert "ist kein Datum" in capsys.readouterr().err


def test_approvals_list_and_approve(env, sessions, capsys, make_case):
    case_id = make_case(email=None)
    main(["run", "--date", "2026-03-02"])
    with transaction(sessions) as s:
        s.scalars(select(OutboxMessage)).one().status = "sent"
        state = s.get(CaseStrategy, case_id)
        state.step_index, state.stage_since = 5, date(2026, 4, 1)
    main(["run", "--date", "2026-04-20"])
    capsys.readouterr()
    assert main(["approvals", "list"]) == 0
    out = capsys.readouterr().out
    with sessions() as s:
        approval = s.scalars(select(Approval)).one()
        reference = s.get(Case, case_id).reference
    assert f"{approval.id:>6}  {reference}  court_handover" in out
    assert main(["approvals", "approve", str(approval.id), "--reason", "unbestritten"]) == 0
    assert "Freigabe" in capsys.readouterr().out
    assert main(["approvals", "reject", str(approval.id), "--reason", "doch nicht"]) == 2
    assert "schon entschieden" in capsys.readouterr().err
    with sessions() as s:
        assert s.get(Case, case_id).stage == "court_handover"
    assert main(["approvals", "list"]) == 0
    assert "Keine offenen Freigaben." in capsys.readouterr().out


def test_dispute_open_and_plan_add(env, sessions, capsys, make_case):
    case_id = make_case(email=None)
    with sessions() as s:
        reference = s.get(Case, case_id).reference
    assert main(["dispute", "open", reference, "--reason", "Rechnung bereits bezahlt"]) == 0
    assert "Widerspruch" in capsys.readouterr().out
    assert (
        main(
            [
                "plan",
                "add",
                str(case_id),
                "--amount",
                "50.00",
                "--start",
                "2026-04-01",
                "--count",
                "6",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Ratenzahlung") and "§ 13a Abs. 3 RDG" in out
    with sessions() as s:
        assert s.scalars(select(Dispute)).one().status == "open"
        plan = s.scalars(select(PaymentPlan)).one()
        assert (plan.kind, plan.count, str(plan.instalment)) == ("plan", 6, "50.00")
    assert main(["dispute", "open", "MW-99999999-00", "--reason", "x"]) == 2
    assert main(["plan", "add", str(case_id), "--amount", "abc", "--start", "2026-04-01"]) == 2
