"""Creditor set-up without code: ``mahnwerk creditor add|set|show``; the daily run names the
creditors whose letters cannot go out and holds their letters until the set-up is complete;
``mahnwerk approvals approve --by`` refuses a user who may not decide."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.web.test_workspace import make_case

from mahnwerk.cli import main
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor
from mahnwerk.store.workflow import OutboxMessage

IBAN = "DE89370400440532013000"


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    for name in ("MAHNWERK_SMTP_HOST", "MAHNWERK_SMS_URL", "MAHNWERK_AGENCY_IBAN"):
        monkeypatch.delenv(name, raising=False)
    # the agency's own sender data complete (§ 13a RDG, legal review): only the creditor's
    # set-up is missing here
    monkeypatch.setenv("MAHNWERK_AGENCY_NAME", "Inkasso Nord GmbH")
    monkeypatch.setenv("MAHNWERK_AGENCY_ADDRESS", "Ballindamm 17, 20095 Hamburg")
    monkeypatch.setenv("MAHNWERK_AGENCY_EMAIL", "service@inkasso-nord.example")
    monkeypatch.setenv("MAHNWERK_AGENCY_REGISTRATION", "Rechtsdienstleistungsregister HH 3712 E-1")


def test_add_checks_every_field_and_stores_nothing_when_wrong(env, sessions, capsys):
    code = main(["creditor", "add", "Kaputt GmbH", "--address", "Nirgendwo", "--iban", "DE00"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--address" in err and "--iban" in err
    with sessions() as s:
        assert s.scalar(select(Creditor).where(Creditor.name == "Kaputt GmbH")) is None


def test_add_set_show_and_the_run_holds_letters_until_the_creditor_is_set_up(env, sessions, capsys):
    assert main(["creditor", "add", "Stadtwerke Ost GmbH", "--email", "info@sw-ost.example"]) == 0
    captured = capsys.readouterr()
    creditor_id = int(captured.out.strip())
    assert "Anschrift" in captured.err  # said right away what is missing
    with transaction(sessions) as s:
        case = make_case(s, creditor_id, "O-1")
        for contact in list(case.debtor.contacts):  # no e-mail, no phone: a letter
            s.delete(contact)
        case.debtor.contacts.clear()

    assert main(["run"]) == 0
    captured = capsys.readouterr()
    assert f"WARNUNG: Briefe können nicht raus: Mandant {creditor_id} (Stadtwerke Ost GmbH)" in (
        captured.err
    )
    assert "zurückgehalten (Mandant unvollständig): 1" in captured.out
    with sessions() as s:
        (held,) = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "letter")).all()
        assert held.status == "pending"

    args = ["creditor", "set", str(creditor_id), "--address", "Am Markt 1, 01067 Dresden"]
    assert main([*args, "--iban", IBAN, "--holder", "Stadtwerke Ost GmbH"]) == 0
    assert "Anschrift" in capsys.readouterr().out
    assert main(["creditor", "show", str(creditor_id), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["address"] == "Am Markt 1, 01067 Dresden"
    assert shown["iban"].replace(" ", "") == IBAN
    assert shown["letters_blocked"] is False
    assert shown["bic"]  # looked up from the IBAN

    assert main(["run"]) == 0  # the same day again: nothing to plan, the held letter goes
    captured = capsys.readouterr()
    assert "WARNUNG" not in captured.err
    with sessions() as s:
        sent = s.get(OutboxMessage, held.id)
        assert sent.status == "sent", sent.error
        assert sent.document_id is not None  # rendered: with the address and account now set


def test_approvals_approve_names_a_user_who_may_decide(env, sessions, capsys):
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@example.org", "ein-langes-passwort", "agent")
    args = ["approvals", "approve", "1", "--reason", "geprüft", "--by", "agent@example.org"]
    assert main(args) == 2  # no such approval, and an agent may not decide anyway
    assert capsys.readouterr().err
