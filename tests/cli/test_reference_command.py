"""``mahnwerk reference``: the next base rate and garnishment amounts added by an operator,
stored with who added them, audited, and used from then on (also by ``mahnwerk statement``)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from mahnwerk import reference
from mahnwerk.cli import main
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.garnishment import garnishable, parameters_for
from mahnwerk.store.models import AuditEntry
from mahnwerk.store.reference import ReferenceValue

URL = "https://www.bundesbank.de/de/bundesbank/organisation/agb-und-regelungen/basiszinssatz"


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))


def add(*args):
    return main(["reference", "base-rate", "add", *args])


def test_a_base_rate_added_is_stored_audited_and_used_from_then_on(env, sessions, tmp_path, capsys):
    case = {
        "as_of": "2027-01-31",
        "debtor": {"consumer": True},
        "claims": [{"id": "R", "principal": "1000.00", "default_from": "2027-01-01",
                    "interest": {"kind": "statutory"}}],
    }  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["claims"][0]["interest_accrued"] == "0.00" and before["warnings"]

    assert add("2027-01-01", "1.27", "--source", URL, "--by", "Petra Schulz") == 0
    assert "Basiszinssatz ab 01.01.2027: 1.27 % eingetragen (cli:Petra Schulz" in (
        capsys.readouterr().out
    )
    with sessions() as s:
        (row,) = s.scalars(select(ReferenceValue)).all()
        assert (row.dataset, row.key, row.added_by, row.source) == (
            "basiszinssatz.csv",
            "2027-01-01",
            "cli:Petra Schulz",
            URL,
        )
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.entity == "reference_value"))
        assert entry.actor == "cli:Petra Schulz" and entry.details["rate_percent"] == "1.27"
    assert BaseRateTable.official().rate_on(date(2027, 1, 1)) == D("1.27")

    # a new process (the statement command) reads it from the database
    reference.install_operator_rows("basiszinssatz.csv", [])
    assert main(["statement", str(path), "--format", "json"]) == 0
    after = json.loads(capsys.readouterr().out)
    # 1000 × 6.27 % × 31/365 = 5.325… → 5.33, no warning left for January 2027
    assert after["claims"][0]["interest_accrued"] == "5.33"
    assert not any("2027" in w for w in after["warnings"])

    assert main(["reference", "base-rate", "list"]) == 0
    listing = capsys.readouterr().out
    assert "2027-01-01    1.27 %  bestätigt, eingetragen von cli:Petra Schulz" in listing
    assert "2026-07-01    1.52 %  UNVERIFIED" in listing and "bekannt bis 2027-06-30" in listing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2027-03-01", "1.27"), "nur zum 1. Januar und 1. Juli"),
        (("2027-07-01", "1.27"), "als Nächstes fehlt das Halbjahr ab 2027-01-01"),
        (("2025-07-01", "1.30"), "ist schon belegt und wird nicht ersetzt"),
        (("2027-01-01", "1,275"), "mehr als zwei Nachkommastellen"),
        (("2027-01-01", "25"), "nicht plausibel"),
    ],
)
def test_a_rate_that_would_break_the_table_is_refused(env, capsys, args, message):
    assert add(*args, "--source", URL) == 2
    assert message in capsys.readouterr().err


def test_no_source_no_rate_and_never_twice(env, capsys):
    assert add("2027-01-01", "1.27", "--source", "Bundesbank") == 2
    assert "Internetadresse" in capsys.readouterr().err
    assert add("2027-01-01", "1.27", "--source", URL) == 0
    capsys.readouterr()
    assert add("2027-01-01", "1.27", "--source", URL) == 2
    assert "ist schon eingetragen" in capsys.readouterr().err


def test_the_unverified_half_year_can_be_confirmed(env, capsys):
    assert BaseRateTable.official().status_on(date(2026, 8, 1)) == "unverified"
    assert add("2026-07-01", "1.52", "--source", URL) == 0
    assert BaseRateTable.official().status_on(date(2026, 8, 1)) == "verified"


def test_the_next_garnishment_amounts(env, capsys):
    args = ["--base", "1620.00", "--first", "609.00", "--further", "339.30", "--cap", "4960.00"]
    assert main(["reference", "garnishment", "add", "2027-07-01", *args, "--source", URL]) == 0
    params = parameters_for(date(2027, 7, 15))
    assert (params.valid_from, params.base, params.cap) == (
        date(2027, 7, 1),
        D("1620.00"),
        D("4960.00"),
    )
    # 2,000.00 without dependants: (2000 − 1620) × 70 % = 266.00
    assert garnishable(D("2000.00"), 0, date(2027, 7, 15)).garnishable == D("266.00")
    assert parameters_for(date(2027, 6, 30)).valid_from == date(2026, 7, 1)
    assert main(["reference", "garnishment", "add", "2026-07-01", *args, "--source", URL]) == 2
    assert "eingetragen werden nur spätere" in capsys.readouterr().err
