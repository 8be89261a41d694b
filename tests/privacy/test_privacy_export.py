"""Auskunft (Art. 15, 20 GDPR): ``mahnwerk privacy export`` writes everything stored about a
person across creditors, machine-readable and as a readable PDF, and nothing of others."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from mahnwerk.cli import main
from mahnwerk.store.models import AuditEntry, Case


def _reference(sessions, case_id: int) -> str:
    with sessions() as s:
        return s.get(Case, case_id).reference


def test_export_holds_the_persons_data_of_every_creditor_and_nothing_of_others(
    env, sessions, person, tmp_path, capsys
):
    out = tmp_path / "auskunft.zip"
    assert (
        main(["privacy", "export", _reference(sessions, person.cases[1]), "--out", str(out)]) == 0
    )
    assert "3 Fälle" in capsys.readouterr().out
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        data = json.loads(z.read("daten.json"))
        letter = z.read(f"dokumente/{person.cases[0]}/" + next(
            n.rsplit("/", 1)[1] for n in names if n.startswith("dokumente/")))  # fmt: skip
        pdf = z.read("uebersicht.pdf")
    tables = data["tabellen"]
    assert sorted(c["id"] for c in tables["case_file"]) == sorted(person.cases)
    assert person.other_case not in {c["case_id"] for c in tables["claim"]}
    assert {d["last_name"] for d in tables["debtor"]} == {"Müller"}
    assert len(tables["debtor"]) == 2  # one record per creditor
    assert {c["value"] for c in tables["contact_point"]} == {"jm@example.org", "+4930123456"}
    assert {a["iban"] for a in tables["bank_account"]} == {"DE89370400440532013000"}
    assert tables["payment"][0]["amount"] == "50.00"
    assert tables["payment_reversal"][0]["reason"] == "Rücklastschrift Müller"
    assert tables["case_score"][0]["reason_1"] == "frühere Zahlung"
    assert {e["case_id"] for e in tables["audit_entry"]} <= set(person.cases)
    assert "path" not in tables["document"][0]  # internal, the file itself is in the archive
    assert letter.startswith(b"%PDF-1.7 Mahnung")
    assert pdf.startswith(b"%PDF")
    with sessions() as s:  # the export itself is audited
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.entity == "person"


def test_export_of_an_unknown_person_is_refused(env, sessions, person, tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["privacy", "export", "person:999999", "--out", str(out)]) == 2
    assert "keine Person" in capsys.readouterr().err
    assert not out.exists()
