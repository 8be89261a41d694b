"""Strategies as data: validation with messages naming step and field; the shipped files."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from mahnwerk.domain.strategy import GATED_STAGES, Channel, Stage, parse_strategy
from mahnwerk.strategies import (
    StrategyBook,
    StrategyError,
    builtin_strategies,
    load_strategy_file,
)


def base(*steps):
    return {"name": "test", "version": 1, "steps": list(steps)}


REMINDER = {"stage": "reminder", "wait_days": 0, "channel": "email", "template": "reminder"}


def test_the_standard_strategy_loads_and_gates_court_and_enforcement():
    (standard,) = [s for s in builtin_strategies() if s.name == "standard"]
    assert standard.version == 1
    assert standard.steps[0].channel is Channel.EMAIL
    assert [s.wait_days for s in standard.steps[1:3]] == [14, 14]
    gated = [s.stage for s in standard.steps if s.approval_required]
    assert gated == [Stage.COURT_HANDOVER, Stage.ENFORCEMENT]
    channels = {s.channel for s in standard.steps}
    assert {Channel.LETTER, Channel.EMAIL, Channel.SMS, Channel.PHONE_TASK} <= channels


def test_problems_name_the_step_and_the_field():
    _, problems = parse_strategy(
        base(
            REMINDER,
            {"stage": "dunning_9", "wait_days": 14, "channel": "letter"},
            {"stage": "dunning_1", "wait_days": "14", "channel": "letter", "colour": "red"},
        )
    )
    assert "Schritt 2 (dunning_9), Feld 'stage': unbekannte Stufe 'dunning_9'" in problems[0]
    assert any(p.startswith("Schritt 3 (dunning_1), Feld 'wait_days'") for p in problems)
    assert "Schritt 3 (dunning_1): unbekanntes Feld 'colour'" in problems


@pytest.mark.parametrize("stage", sorted(GATED_STAGES))
def test_approval_cannot_be_configured_away(stage):
    strategy, problems = parse_strategy(
        base(REMINDER, {"stage": stage, "wait_days": 30, "approval": False})
    )
    assert strategy is None
    assert problems == [
        f"Schritt 2 ({stage}), Feld 'approval': Gericht, Vollstreckung, Ausbuchung und "
        "Auskunftei-Meldung brauchen immer eine Freigabe durch einen Menschen"
    ]
    ok, _ = parse_strategy(base(REMINDER, {"stage": stage, "wait_days": 30}))
    assert ok.steps[1].approval_required


def test_fees_stay_within_13e_rdg():
    _, problems = parse_strategy(
        base(
            {**REMINDER, "fees": [{"code": "agency_fee", "factor": "1.5"}]},
            {
                "stage": "dunning_1",
                "wait_days": 14,
                "channel": "letter",
                "fees": [{"code": "dunning_flat", "amount": "7.50"}, {"code": "bonus"}],
            },
        )
    )
    assert any("Schritt 1 (reminder), Feld 'fees': Gebühr 1: Faktor '1.5'" in p for p in problems)
    assert any("Mahnpauschale 7.50 € über der Obergrenze 2.50 €" in p for p in problems)
    assert any("unbekannter code 'bonus'" in p for p in problems)


def test_the_agency_fee_only_once_per_strategy_and_yaml_floats_are_read_exactly():
    _, problems = parse_strategy(
        base(
            {**REMINDER, "fees": [{"code": "agency_fee", "factor": 0.5}]},
            {
                "stage": "dunning_1",
                "wait_days": 14,
                "channel": "letter",
                "fees": [{"code": "agency_fee", "factor": 0.9}],
            },
        )
    )
    assert problems == [
        "Schritte 1, 2, Feld 'fees': die Geschäftsgebühr (agency_fee) darf nur "
        "einmal je Fall berechnet werden (§ 13e RDG)"
    ]
    s, _ = parse_strategy(
        base({**REMINDER, "fees": [{"code": "dunning_flat", "amount": 2.5}]}), flat_fee_cap=D("5")
    )
    assert s.steps[0].fees[0].amount == D("2.50")


def test_the_first_contact_must_be_written_and_gated_steps_need_no_channel():
    _, problems = parse_strategy(base({"stage": "reminder", "wait_days": 0, "channel": "sms"}))
    assert problems[0].startswith("Schritt 1: der erste Kontakt muss schriftlich sein")
    _, problems = parse_strategy(base(REMINDER, {"stage": "dunning_1", "wait_days": 14}))
    assert problems == [
        "Schritt 2 (dunning_1), Feld 'channel': fehlt (nur Freigabe-Schritte und "
        "Überwachung kommen ohne Kanal aus)"
    ]


def test_conditions_are_checked():
    _, problems = parse_strategy(
        base(
            {
                **REMINDER,
                "conditions": {
                    "min_open": "100",
                    "max_open": "50",
                    "debtor_types": ["consumer", "robot"],
                },
            }
        )
    )
    assert (
        "Schritt 1 (reminder), Feld 'conditions': min_open 100.00 ist größer als max_open "
        "50.00" in problems
    )
    assert any("unbekannter Schuldnertyp 'robot'" in p for p in problems)


def test_top_level_problems():
    assert parse_strategy([1, 2])[1] == [
        "die Strategie muss eine Zuordnung (name, version, steps) sein"
    ]
    _, problems = parse_strategy({"name": "Böse Strategie", "version": 0, "steps": []})
    assert len(problems) == 3


def test_a_file_error_names_the_file_the_step_and_the_field(tmp_path):
    path = tmp_path / "eigen.yaml"
    path.write_text(
        "name: eigen\nversion: 2\nsteps:\n  - stage: reminder\n    wait_days: 0\n"
        "    channel: email\n  - stage: court_handover\n    wait_days: x\n",
        encoding="utf-8",
    )
    with pytest.raises(StrategyError) as info:
        load_strategy_file(path)
    assert str(info.value) == (
        f"{path}: Schritt 2 (court_handover), Feld 'wait_days': muss eine "
        "ganze Zahl ≥ 0 sein, nicht 'x'"
    )
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(StrategyError, match="kein gültiges YAML"):
        load_strategy_file(path)


def test_a_creditor_chooses_its_strategy_and_the_operator_dir_wins(tmp_path):
    (tmp_path / "sanft.yaml").write_text(
        "name: sanft\nversion: 3\nsteps:\n  - stage: reminder\n    wait_days: 7\n"
        "    channel: letter\n",
        encoding="utf-8",
    )
    book = StrategyBook((tmp_path,))
    assert book.for_creditor({"strategy": "sanft"}).label == "sanft@3"
    assert book.for_creditor({}).name == "standard"
    with pytest.raises(StrategyError, match="nicht gefunden"):
        book.get("gibtsnicht")
    with pytest.raises(StrategyError, match="ungültiger Strategiename"):
        book.get("../etc/passwd")
