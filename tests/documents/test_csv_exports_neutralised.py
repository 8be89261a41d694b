"""Every CSV mahnwerk writes neutralises what a creditor or debtor could have typed (issue 20,
CSV injection): the settlement and the print manifest here, the creditor's portfolio export
in tests/web/test_creditor_view.py; all three write through ``documents.spreadsheet``. A cell that would start a formula reaches the spreadsheet as text;
amounts stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from mahnwerk.documents.bundle import ManifestEntry, manifest_csv
from mahnwerk.documents.settlement import Settlement, SettlementLine, settlement_csv

ATTACKS = ['=HYPERLINK("http://evil.example","klick")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "\tx"]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_settlement_csv(attack):
    money = {
        n: Decimal(v)
        for n, v in dict(
            gross="-12.50",
            principal="-12.50",
            interest="0",
            costs="0",
            commission="0",
            fees_retained="0",
            net="-12.50",
        ).items()
    }
    line = SettlementLine(date(2026, 11, 2), "MW-00000001-77", attack, "Storno", **money)
    s = Settlement(
        "Inkasso Nord",
        "Stadtwerke",
        date(2026, 11, 1),
        date(2026, 11, 30),
        date(2026, 12, 1),
        "A-2026-11-1",
        Decimal("10"),
        "collected",
        (line,),
    )
    rows = cells(settlement_csv(s).decode("utf-8-sig"))
    assert rows[1][2] == "'" + attack
    assert rows[1][4] == "-12,50"  # an amount stays a number


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_print_manifest(attack):
    entry = ManifestEntry(
        "0001.pdf", "ab" * 32, 2, attack, "21335", "-Lüneburg", "DE", "MW-1", "reminder"
    )
    rows = cells(manifest_csv([entry]))
    header, row = rows
    assert row[header.index("recipient_name")] == "'" + attack
    assert row[header.index("city")] == "'-Lüneburg"
    assert row[header.index("pages")] == "2"
