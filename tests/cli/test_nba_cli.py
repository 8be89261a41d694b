"""``mahnwerk nba list / activate / report``: the shipped prior as the first version, its
activation only by a compliance person with a written note, the group report."""

from __future__ import annotations

import json

import pytest

from mahnwerk.cli import main
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "test")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_prior_is_activated_by_a_compliance_person_with_a_note(env, sessions, capsys):
    code, out, err = run(capsys, "nba", "list")
    assert code == 0, err
    version = out.split()[0]
    assert "Kandidat" in out and "mitgeliefert" in out
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@inkasso.example", "x" * 16, "agent")
        accounts.add_user(s, CLI, "compliance@inkasso.example", "x" * 16, "compliance")

    code, _, err = run(capsys, "nba", "activate", version, "--by", "agent@inkasso.example")
    assert code != 0 and "compliance oder admin" in err
    code, _, err = run(capsys, "nba", "activate", version, "--by", "compliance@inkasso.example")
    assert code != 0 and "Begründung" in err
    code, out, err = run(
        capsys,
        "nba",
        "activate",
        version,
        "--by",
        "compliance@inkasso.example",
        "--note",
        "Startversion aus dem Simulator, Kontrollgruppe 10 %",
    )
    assert code == 0, err
    assert "ist aktiv" in out
    code, out, _ = run(capsys, "nba", "list")
    assert "AKTIV" in out and "compliance@inkasso.example" in out

    code, out, err = run(capsys, "nba", "report", "--format", "json", "--date", "2026-03-31")
    assert code == 0, err
    report = json.loads(out)
    assert set(report["arms"]) == {"policy", "holdout"}
