"""``mahnwerk fees``, ``garnish`` and ``limitation``: text and JSON output, bad input -> exit 2."""

from __future__ import annotations

import json

import pytest

from mahnwerk.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- fees ----------------------------------------------------------------------------------


def test_fees_text(capsys):
    code, out, err = run(capsys, "fees", "--value", "1000.00", "--date", "2025-07-01")
    assert code == 0, err
    assert err == ""
    assert "1.000,00 €" in out
    # 0.9 by default (VV 2300 Anm. Abs. 2): 0.9 × 93.00 = 83.70, + 7002: 20 % = 16.74
    assert "VV 2300" in out and "83,70 €" in out
    assert "100,44 €" in out
    assert "VV 1000" in out and "36,05 €" in out
    assert "KV 1100" in out and "38,00 €" in out
    assert "UNVERIFIED" in out


def test_fees_json(capsys):
    code, out, _ = run(
        capsys,
        "fees",
        "--value",
        "1000.00",
        "--date",
        "2025-07-01",
        "--factor",
        "0.5",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["claim_value"] == "1000.00"
    agency = data["agency_fee"]
    assert [(line["code"], line["amount"]) for line in agency["lines"]] == [
        ("VV 2300", "46.50"),
        ("VV 7002", "9.30"),
    ]
    assert agency["net"] == "55.80"
    assert agency["total"] == "55.80"
    assert agency["vat"] == "0.00"
    assert data["agreement_fee"]["value"] == "500.00"
    assert data["agreement_fee"]["fees"] == "36.05"
    assert data["agreement_fee"]["expenses"] == "7.21"
    court = data["court_fee"]
    assert court["amount"] == "38.00"
    assert court["unverified"] is True
    assert court["minimum_applied"] is True


def test_fees_json_with_vat_and_old_law(capsys):
    code, out, _ = run(
        capsys,
        "fees",
        "--value",
        "2000.00",
        "--date",
        "2025-05-31",
        "--vat",
        "--factor",
        "1.3",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    agency = data["agency_fee"]
    assert agency["schedule"] == "rvg2021"
    assert agency["fees"] == "215.80"  # 1.3 x 166.00
    assert agency["expenses"] == "20.00"
    assert agency["vat"] == "44.80"  # 19 % of 235.80
    assert agency["lines"][-1]["code"] == "VV 7008"
    assert data["court_fee"]["amount"] == "49.00"  # 0.5 x 98.00
    assert data["court_fee"]["unverified"] is False


@pytest.mark.parametrize(
    "argv, option",
    [
        (["fees", "--value", "12,50", "--date", "2025-07-01"], "--value"),
        (["fees", "--value", "-5.00", "--date", "2025-07-01"], "--value"),
        (["fees", "--value", "0.00", "--date", "2025-07-01"], "--value"),
        (["fees", "--date", "2025-07-01"], "--value"),
        (["fees", "--value", "100.00", "--date", "01.07.2025"], "--date"),
        (["fees", "--value", "100.00", "--date", "2025-02-30"], "--date"),
        (["fees", "--value", "100.00", "--date", "2020-01-01"], "--date"),
        (["fees", "--value", "100.00", "--factor", "1.4"], "--factor"),
        (["fees", "--value", "100.00", "--factor", "0.35"], "--factor"),
        (["fees", "--value", "100.00", "--format", "xml"], "--format"),
    ],
)
def test_fees_bad_input(capsys, argv, option):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert option in err
    assert len(err.strip().splitlines()) == 1


def test_fees_default_date_is_today(capsys):
    code, out, _ = run(capsys, "fees", "--value", "100.00", "--format", "json")
    assert code == 0
    assert json.loads(out)["date"]


# --- garnish -------------------------------------------------------------------------------


def test_garnish_text(capsys):
    code, out, err = run(
        capsys, "garnish", "--income", "6000.00", "--dependants", "0", "--date", "2025-07-15"
    )
    assert code == 0, err
    assert "3.476,51 €" in out
    assert "2.523,49 €" in out
    assert "01.07.2025" in out


def test_garnish_json(capsys):
    code, out, _ = run(
        capsys,
        "garnish",
        "--income",
        "600.00",
        "--dependants",
        "1",
        "--date",
        "2025-07-15",
        "--period",
        "weekly",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["period"] == "weekly"
    assert data["valid_from"] == "2025-07-01"
    # weekly 2025: free 357.87 + 134.69 = 492.56; (600.00 - 492.56) x 0.5 = 53.72
    assert data["garnishable"] == "53.72"
    assert data["exempt"] == "546.28"
    assert "PfändfreiGrBek 2025" in data["source"]


@pytest.mark.parametrize(
    "argv, option",
    [
        (["garnish", "--income", "2000,00", "--dependants", "0"], "--income"),
        (["garnish", "--income", "-1.00", "--dependants", "0"], "--income"),
        (["garnish", "--dependants", "0"], "--income"),
        (["garnish", "--income", "2000.00"], "--dependants"),
        (["garnish", "--income", "2000.00", "--dependants", "-1"], "--dependants"),
        (["garnish", "--income", "2000.00", "--dependants", "zwei"], "--dependants"),
        (["garnish", "--income", "2000.00", "--dependants", "0", "--period", "yearly"], "--period"),
        (["garnish", "--income", "2000.00", "--dependants", "0", "--date", "2024-06-30"], "--date"),
    ],
)
def test_garnish_bad_input(capsys, argv, option):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert option in err
    assert len(err.strip().splitlines()) == 1


# --- limitation ----------------------------------------------------------------------------


def test_limitation_text(capsys):
    code, out, err = run(capsys, "limitation", "--origin", "2022-03-15")
    assert code == 0, err
    assert "31.12.2025" in out
    assert "01.01.2026" in out
    assert "§ 195" in out


def test_limitation_json_with_events(capsys):
    code, out, _ = run(
        capsys,
        "limitation",
        "--origin",
        "2022-03-15",
        "--acknowledged",
        "2024-05-10",
        "--dunning-order-served",
        "2025-10-01",
        "--dunning-procedure-ended",
        "2026-01-15",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["last_day_not_barred"] == "2028-02-22"
    assert data["barred_from"] == "2028-02-23"
    assert data["rule"] == "restart_acknowledgement"
    assert len(data["steps"]) == 5


def test_limitation_title_and_repeated_enforcement(capsys):
    code, out, _ = run(
        capsys,
        "limitation",
        "--origin",
        "2022-03-15",
        "--title",
        "2023-02-01",
        "--enforcement",
        "2024-01-10",
        "--enforcement",
        "2026-03-02",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["last_day_not_barred"] == "2056-03-02"
    assert any("§ 197 Abs. 2" in note for note in data["notes"])


def test_limitation_open_procedure(capsys):
    code, out, _ = run(
        capsys, "limitation", "--origin", "2022-03-15", "--dunning-order-served", "2025-10-01"
    )
    assert code == 0
    assert "gehemmt" in out


@pytest.mark.parametrize(
    "argv, option",
    [
        (["limitation"], "--origin"),
        (["limitation", "--origin", "15.03.2022"], "--origin"),
        (["limitation", "--origin", "2022-03-15", "--knowledge", "x"], "--knowledge"),
        (
            ["limitation", "--origin", "2022-03-15", "--dunning-procedure-ended", "2025-01-01"],
            "--dunning-procedure-ended",
        ),
        (
            [
                "limitation",
                "--origin",
                "2022-03-15",
                "--dunning-order-served",
                "2025-01-01",
                "--dunning-procedure-ended",
                "2024-12-01",
            ],
            "--dunning-procedure-ended",
        ),
        (
            ["limitation", "--origin", "2022-03-15", "--acknowledged", "2021-01-01"],
            "--acknowledged",
        ),
        (["limitation", "--origin", "2022-03-15", "--title", "2022-13-01"], "--title"),
    ],
)
def test_limitation_bad_input(capsys, argv, option):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert option in err
    assert len(err.strip().splitlines()) == 1
