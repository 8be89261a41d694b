"""``mahnwerk statement`` with the fields of issue 17: a payment naming its claim, claim kinds,
the § 288 Abs. 5 flat fee, claims not in default and the grounds of default, the warnings of
an unknown or UNVERIFIED base rate (amounts checked by hand in the comments)."""

from __future__ import annotations

import json

import pytest

from mahnwerk.cli import main


def run_json(tmp_path, capsys, data):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["statement", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def two_claims(**payment):
    return {
        "id": "K-17",
        "as_of": "2025-04-01",
        "debtor": {"consumer": True},
        "claims": [
            {"id": "A", "principal": "1000.00", "default_from": "2025-01-01",
             "interest": {"kind": "statutory"}},
            {"id": "B", "principal": "500.00", "default_from": "2025-03-01",
             "interest": {"kind": "statutory"}},
        ],
        "payments": [{"date": "2025-04-01", "amount": "600.00", **payment}],
    }  # fmt: skip


def test_a_payment_naming_its_claim_json_and_text(tmp_path, capsys):
    out = run_json(tmp_path, capsys, two_claims(claim="B"))
    (x,) = out["allocations"]
    # B: 500 × 7.27 % × 32/365 = 3.19 interest, then 500.00; the rest 96.81 in the default
    # order: A's interest 18.13 (91 days), then 78.68 of its principal
    assert x["claim"] == "B"
    assert [(i["kind"], i["target"], i["amount"]) for i in x["items"]] == [
        ("interest", "B", "3.19"),
        ("principal", "B", "500.00"),
        ("interest", "A", "18.13"),
        ("principal", "A", "78.68"),
    ]
    assert out["totals"]["principal_open"] == "921.32" and out["warnings"] == []
    path = tmp_path / "case.json"
    assert main(["statement", str(path)]) == 0
    assert "600,00 € (bestimmt für B, § 366 Abs. 1 BGB) →" in capsys.readouterr().out


def test_a_payment_naming_no_claim_of_the_case_exits_2(tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(two_claims(claim="Z")), encoding="utf-8")
    assert main(["statement", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "payments[0].claim" in captured.err and '"Z" ist keine Forderung' in captured.err


def test_kind_other_gets_five_points_and_the_entgelt_with_its_flat_fee_goes_first(tmp_path, capsys):
    data = {
        "as_of": "2025-03-01",
        "debtor": {"consumer": False},
        "claims": [
            {"id": "X", "principal": "1000.00", "default_from": "2025-01-01", "kind": "other",
             "interest": {"kind": "statutory"}},
            {"id": "Y", "principal": "1000.00", "default_from": "2025-02-01", "flat_fee": True,
             "interest": {"kind": "statutory"}},
        ],
        "payments": [{"date": "2025-03-01", "amount": "540.00"}],
    }  # fmt: skip
    out = run_json(tmp_path, capsys, data)
    assert [c["kind"] for c in out["claims"]] == ["other", "entgelt"]
    assert [c["periods"][0]["rate"] for c in out["claims"]] == ["7.27", "11.27"]
    # the flat fee of Y is a cost from its default day; 540 = 40 flat fee + Y's interest 8.95
    # (1000 × 11.27 % × 29/365) + 491.05 of Y's principal; X (older, lower rate) waits
    assert out["costs"] == [
        {"date": "2025-02-01", "label": "Verzugspauschale (§ 288 Abs. 5 BGB) Y",
         "amount": "40.00", "paid": "40.00", "open": "0.00", "claim": "Y"},
    ]  # fmt: skip
    (x,) = out["allocations"]
    assert [(i["target"], i["amount"]) for i in x["items"]] == [
        ("Verzugspauschale (§ 288 Abs. 5 BGB) Y", "40.00"),
        ("Y", "8.95"),
        ("Y", "491.05"),
    ]


@pytest.mark.parametrize(
    ("claim", "consumer", "message"),
    [
        ({"flat_fee": True}, True, "nie gegenüber Verbrauchern"),
        ({"flat_fee": True, "kind": "other"}, False, "nur für Entgeltforderungen"),
        ({"flat_fee": True, "default_from": None, "due_date": "2025-01-01"}, False, "nicht in Verzug"),
        ({"kind": "damages"}, True, "claims[0].kind"),
        ({"default_from": None}, True, "claims[0].default_from: fehlt"),
        ({"default_from": None, "due_date": "2025-03-01", "reminder_date": "2025-02-01"}, True,
         "claims[0].reminder_date"),
    ],
)  # fmt: skip
def test_bad_new_fields_exit_2_naming_the_field(tmp_path, capsys, claim, consumer, message):
    data = {
        "as_of": "2025-06-01",
        "debtor": {"consumer": consumer},
        "claims": [{"id": "R", "principal": "100.00", "default_from": "2025-01-01",
                    "interest": {"kind": "statutory"}, **claim}],
    }  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["statement", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_a_claim_only_due_is_not_in_default_and_a_reminder_puts_it_there(tmp_path, capsys):
    data = {
        "as_of": "2025-03-31",
        "debtor": {"consumer": True},
        "claims": [
            {"id": "D", "principal": "1000.00", "due_date": "2025-03-01",
             "interest": {"kind": "statutory"}},
            {"id": "M", "principal": "1000.00", "due_date": "2025-03-01",
             "reminder_date": "2025-03-10", "interest": {"kind": "statutory"}},
        ],
    }  # fmt: skip
    out = run_json(tmp_path, capsys, data)
    due, reminded = out["claims"]
    assert (due["default_from"], due["periods"], due["interest_open"]) == (None, [], "0.00")
    # the reminder of 10.03. arrives 14.03.: interest from 15.03. to 31.03. = 17 days,
    # 1000 × 7.27 % × 17/365 = 3.386… → 3.39
    assert reminded["default_from"] == "2025-03-15"
    assert [(p["from"], p["days"], p["interest"]) for p in reminded["periods"]] == [
        ("2025-03-15", 17, "3.39")
    ]
    path = tmp_path / "case.json"
    assert main(["statement", str(path)]) == 0
    assert "nicht in Verzug, keine Verzugszinsen" in capsys.readouterr().out


def test_unknown_and_unverified_base_rates_are_warned_about_in_json_and_text(tmp_path, capsys):
    data = {
        "as_of": "2027-02-28",
        "debtor": {"consumer": True},
        "claims": [{"id": "R", "principal": "1000.00", "default_from": "2026-12-01",
                    "interest": {"kind": "statutory"}}],
    }  # fmt: skip
    out = run_json(tmp_path, capsys, data)
    (claim,) = out["claims"]
    # December 2026 at 1.52 (UNVERIFIED) + 5: 1000 × 6.52 % × 31/365 = 5.54; 2027 not charged
    assert [p["interest"] for p in claim["periods"]] == ["5.54"]
    assert claim["uncharged"] == [{"from": "2027-01-01", "to": "2027-02-28"}]
    assert len(out["warnings"]) == 2
    assert "UNVERIFIED" in out["warnings"][0] and "unbekannt" in out["warnings"][1]
    path = tmp_path / "case.json"
    assert main(["statement", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Hinweise" in text
    assert "! Basiszinssatz für das Halbjahr ab 01.01.2027 unbekannt" in text
