"""Batches for a print-and-mail service: PDFs plus a CSV and a JSON manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from mahnwerk.documents.bundle import MANIFEST_FIELDS, BundleError, bundle, file_name
from mahnwerk.documents.examples import example_letter
from mahnwerk.documents.letters import Creditor


@pytest.fixture(scope="module")
def batch():
    return [example_letter(i) for i in range(7)]


def test_manifest_matches_files_and_hashes(renderer, batch, tmp_path: Path):
    entries = bundle(batch, renderer, tmp_path / "stapel")
    folder = tmp_path / "stapel"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert pdfs == [e.file for e in entries]
    assert sorted(p.name for p in folder.iterdir()) == [*pdfs, "manifest.csv", "manifest.json"]

    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["count"] == len(batch) == len(data["letters"])
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert tuple(rows[0]) == MANIFEST_FIELDS
    assert [{k: str(v) for k, v in row.items()} for row in data["letters"]] == rows
    assert data["pages"] == sum(int(r["pages"]) for r in rows)

    for letter, row in zip(batch, data["letters"], strict=True):
        pdf = (folder / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(pdf).hexdigest()
        assert row["pages"] == len(PdfReader(io.BytesIO(pdf)).pages) >= 1
        assert row["recipient_name"] == letter.recipient.name
        address = letter.recipient.address
        assert (row["postcode"], row["city"], row["country"]) == (
            address.postcode,
            address.city,
            address.country,
        )
        assert (row["case_reference"], row["kind"]) == (letter.case_reference, letter.kind)
    assert data["letters"][0]["file"] == "00001_K-2026-000000_reminder.pdf"


def test_names_and_bytes_are_deterministic(renderer, batch, tmp_path: Path):
    first = bundle(batch[:3], renderer, tmp_path / "a")
    second = bundle(batch[:3], renderer, tmp_path / "b")
    assert first == second
    assert (tmp_path / "a" / "manifest.csv").read_bytes() == (
        tmp_path / "b" / "manifest.csv"
    ).read_bytes()


def test_unsafe_characters_in_the_reference_are_replaced():
    letter = replace(example_letter(1), case_reference="A/B 7:../x")
    assert file_name(12, letter) == "00012_A-B-7-x_dunning_1.pdf"


def test_an_invalid_letter_stops_the_batch_before_anything_is_written(renderer, batch, tmp_path):
    bad = replace(batch[0], creditor=Creditor("Stadtwerke Lüneburg GmbH"))
    with pytest.raises(BundleError) as exc:
        bundle([batch[1], bad], renderer, tmp_path / "x")
    assert list(exc.value.problems) == [2]
    assert exc.value.problems[2][0].field == "creditor.address"
    assert not (tmp_path / "x").exists()


def test_an_existing_batch_is_not_overwritten(renderer, batch, tmp_path: Path):
    bundle(batch[:1], renderer, tmp_path)
    with pytest.raises(BundleError, match="schon einen Stapel"):
        bundle(batch[:1], renderer, tmp_path)
