"""``mahnwerk statement``: JSON and JSON Lines in, text and JSON out, bad input refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mahnwerk.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "case.json"


def case(**overrides):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(overrides)
    return data


def test_example_as_json_matches_the_hand_checked_totals(capsys):
    assert main(["statement", str(EXAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"] == {
        "principal_open": "981.64",
        "interest_open": "51.88",
        "costs_open": "0.00",
        "total_open": "1033.52",
        "credit": "0.00",
    }
    assert out["allocations"][0] | {"items": None} == {
        "date": "2025-06-01",
        "amount": "300.00",
        "to_costs": "5.00",
        "to_interest": "26.64",
        "to_principal": "268.36",
        "unapplied": "0.00",
        "items": None,
    }
    assert out["claims"][0]["periods"][0] == {
        "from": "2025-02-15",
        "to": "2025-06-01",
        "days": 107,
        "basis": 365,
        "rate": "7.27",
        "base": "1250.00",
        "interest": "26.64",
    }


def test_text_is_a_german_forderungsaufstellung(capsys):
    assert main(["statement", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Forderungsaufstellung zum 31.03.2026" in out
    assert "Gesamtforderung" in out and "1.033,52 €" in out
    assert "15.02.2025–01.06.2025" in out and "7,27 %" in out


def test_as_of_option_overrides_the_file(capsys):
    assert main(["statement", str(EXAMPLE), "--format", "json", "--as-of", "2025-06-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2025-06-01"
    assert out["totals"]["principal_open"] == "981.64"
    assert out["totals"]["interest_open"] == "0.00"


def test_jsonl_prints_one_line_per_case_in_order(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    lines = [case(id=f"K-{i}", as_of=f"2026-0{i}-01") for i in range(1, 4)]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 0
    outs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["as_of"] for o in outs] == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_numbers_with_a_decimal_point_are_read_exactly(tmp_path, capsys):
    path = tmp_path / "c.json"
    raw = json.dumps(case()).replace('"1250.00"', "1250.10")
    path.write_text(raw, encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["claims"][0]["principal"] == "1250.10"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c["claims"][0].pop("principal"), "claims[0].principal"),
        (lambda c: c["claims"][0].update(principal="12,50"), "claims[0].principal"),
        (lambda c: c["claims"][0].update(interest={"kind": "usury"}), "claims[0].interest.kind"),
        (lambda c: c["claims"][0].update(default_from="2025-02-30"), "claims[0].default_from"),
        (lambda c: c["payments"][0].update(amount="-300.00"), "payments[0].amount"),
        (lambda c: c["costs"][0].update(amount="-5.00"), "costs[0].amount"),
        (lambda c: c.pop("debtor"), "debtor.consumer"),
        (lambda c: c.update(day_count="30/365"), "day_count"),
    ],
)
def test_bad_jsonl_line_exits_2_naming_line_and_field_and_prints_nothing(
    tmp_path, capsys, mutate, field
):
    good, bad = case(id="K-1"), case(id="K-2")
    mutate(bad)
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Zeile 2" in captured.err and "Fall K-2" in captured.err and field in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_broken_json_names_the_line(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case()) + "\n{not json\n", encoding="utf-8")
    assert main(["statement", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Zeile 2" in captured.err and "JSON" in captured.err


def test_large_files_are_computed_in_parallel_in_order_and_still_refused_whole(
    tmp_path, capsys, monkeypatch
):
    from mahnwerk.commands import statement

    monkeypatch.setattr(statement, "PARALLEL_FROM", 3)
    monkeypatch.setattr(statement, "CHUNK", 2)
    monkeypatch.setattr(statement.os, "cpu_count", lambda: 2)
    path = tmp_path / "cases.jsonl"
    lines = [case(id=f"K-{i}", as_of=f"2026-{i:02d}-01") for i in range(1, 8)]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 0
    outs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["as_of"] for o in outs] == [f"2026-{i:02d}-01" for i in range(1, 8)]

    lines[5]["claims"][0]["principal"] = "12,50"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == "" and "Zeile 6" in captured.err and "claims[0].principal" in captured.err
    )
