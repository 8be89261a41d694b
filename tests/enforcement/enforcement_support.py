"""Helpers of the enforcement tests: hand-made cases and reading a produced PDF back."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from mahnwerk.documents.forms import CheckBox, FormDocument, FormField, FormTable, Note
from mahnwerk.domain import ledger
from mahnwerk.domain.interest import FixedInterest, StatutoryInterest
from mahnwerk.enforcement.values import (
    Address,
    EnforcementCase,
    Party,
    PaymentAccount,
    Representative,
    TitleRef,
)


def sample_case(as_of: date = date(2026, 3, 31), **changes) -> EnforcementCase:
    """A consumer with two claims, a Vollstreckungsbescheid, titled and later enforcement
    costs, and one payment (worked through by hand in test_forms.py)."""
    claims = (
        ledger.Claim(
            "R-2024-17",
            D("1000.00"),
            date(2025, 1, 1),
            StatutoryInterest(),
            label="Stromlieferung 2024",
        ),
        ledger.Claim("R-2024-31", D("250.00"), date(2025, 3, 1), FixedInterest(D("8.5"))),
    )
    costs = (
        ledger.Cost(date(2025, 2, 1), "Inkassokosten", D("80.34"), "VV 2300"),
        ledger.Cost(date(2025, 5, 20), "Gerichtskosten Mahnverfahren", D("38.00"), "KV 1100"),
        ledger.Cost(date(2025, 9, 1), "Gerichtsvollzieherkosten", D("45.20"), "GvKostG"),
        ledger.Cost(
            date(2026, 1, 15),
            "Gerichtsvollzieherkosten Vermögensauskunft",
            D("62.40"),
            "GvKostG 260",
        ),
    )
    # the debtor names R-2024-17 (§ 366 Abs. 1 BGB): after the costs the payment goes to it,
    # as the figures worked through by hand in test_forms.py assume (without the designation
    # § 366 Abs. 2 would serve the more burdensome R-2024-31 at 8.5 % first)
    payments = (ledger.Payment(date(2025, 10, 1), D("300.00"), claim="R-2024-17"),)
    values = dict(
        reference="MW-20250001-07",
        creditor=Party(
            "legal",
            "Stadtwerke Musterstadt GmbH",
            Address("Werkstraße 1", "10115", "Berlin"),
            register="Amtsgericht Charlottenburg HRB 12345",
            represented_by="Erika Beispiel (Geschäftsführerin)",
        ),
        debtor=Party(
            "natural",
            "Jürgen Schuldmann",
            Address("Hauptstraße 5", "80331", "München"),
            first_name="Jürgen",
            last_name="Schuldmann",
            birth_date=date(1979, 3, 14),
            salutation="Herr",
        ),
        titles=(
            TitleRef(
                "vollstreckungsbescheid",
                "Amtsgericht Coburg",
                date(2025, 6, 2),
                "25-1234567-0-3",
                final=date(2025, 6, 30),
                served=date(2025, 6, 10),
            ),
        ),
        ledger_case=ledger.Case(consumer=True, claims=claims, costs=costs, payments=payments),
        as_of=as_of,
        place="Berlin",
        representative=Representative(
            "mahnwerk Inkasso GmbH",
            Address("Inkassoweg 2", "10117", "Berlin"),
            phone="030 1234567",
            email="zv@mahnwerk.example",
            safe_id="DE.Justiz.1234-5678",
        ),
        creditor_account=PaymentAccount(
            "mahnwerk Inkasso GmbH Treuhandkonto", "DE02120300000000202051", "BYLADEM1001"
        ),
    )
    values.update(changes)
    return EnforcementCase(**values)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as ``pdftotext -layout`` (poppler-utils) reads it: a table row
    stays on one line, in the order of its cells."""
    assert shutil.which("pdftotext"), "pdftotext missing (make test installs poppler-utils)"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
        )
    return out.stdout.decode("utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def expected_sequence(docs: list[FormDocument]) -> list[tuple[str, str]]:
    """What a reader must find, in order: (what, text) for every label, value, box and cell."""
    seq: list[tuple[str, str]] = []
    for doc in docs:
        seq.append(("title", doc.title))
        for module in doc.modules:
            seq.append(("module", module.title))
            for item in module.items:
                if isinstance(item, FormField):
                    seq.append((f"{item.key} label", item.label))
                    if item.value:
                        seq.append((f"{item.key} value", item.value))
                elif isinstance(item, CheckBox):
                    mark = "☒" if item.checked else "☐"
                    seq.append((f"{item.key} box", f"{mark} {item.label}"))
                elif isinstance(item, FormTable):
                    for row in (item.columns, *item.rows, item.total):
                        seq += [(f"{item.key} cell", cell) for cell in row if cell]
                elif isinstance(item, Note):
                    seq.append(("note", item.text))
    return seq


def assert_reads_back(pdf: bytes, docs: list[FormDocument]) -> str:
    """Every label, value, check box and table cell of ``docs`` is in the PDF, in order."""
    text = _squash(pdf_text(pdf))
    cursor = 0
    for what, expected in expected_sequence(docs):
        if what.endswith(" cell"):
            # a table cell may wrap: its first word must come next, the rest later (the
            # continuation line of a wrapped cell follows the rest of its row)
            first, *rest = expected.split()
            found = text.find(first, cursor)
            assert found >= 0, f"{what}: {expected!r} not found after position {cursor}"
            after = found + len(first)
            for word in rest:
                after = text.find(word, after)
                assert after >= 0, f"{what}: {expected!r}: {word!r} missing"
            cursor = found + len(first)
            continue
        found = text.find(_squash(expected), cursor)
        assert found >= 0, f"{what}: {expected!r} not found after position {cursor}"
        cursor = found + len(_squash(expected))
    return text
