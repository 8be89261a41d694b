"""Rendered letters, checked by reading the PDF back: text (pypdf), text positions (DIN 5008
form B), PDF/A metadata, fonts, page size, and the EPC QR code.

The QR code is checked twice:

- always: the code drawn in the PDF (typst turns segno's SVG into stroked PDF path segments,
  one per run of dark modules) has exactly the dark modules of ``qr_svg`` for the letter's
  transfer, and that transfer's ``epc_payload`` is the EPC069-12 text we expect, with the
  exact open total and the case reference;
- when ``pdftoppm`` and ``zbarimg`` are installed: the page is rasterised and decoded, and the
  decoded text equals ``epc_payload`` exactly.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from mahnwerk.banking.epc_qr import EpcTransfer, epc_payload, qr_svg
from mahnwerk.documents.examples import example_letter, first_contact_letter
from mahnwerk.documents.letters import (
    LetterData,
    LetterKind,
    PostalAddress,
    de_date,
    format_iban,
    transfer_of,
)
from mahnwerk.domain.money import format_eur, format_rate

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)


def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """All text, whitespace collapsed (line breaks in the PDF fall anywhere)."""
    return " ".join(" ".join(p.extract_text() for p in pdf_reader(pdf).pages).split())


def epc(letter: LetterData) -> EpcTransfer:
    t = transfer_of(letter)
    return EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic)


@pytest.fixture(scope="module")
def first_contact(renderer) -> tuple[LetterData, bytes, str]:
    letter = first_contact_letter(4)
    pdf = renderer.render(letter)
    return letter, pdf, text_of(pdf)


# ------------------------------------------------------------------------------ § 13a RDG


def test_first_contact_carries_every_13a_item(first_contact):
    letter, _, text = first_contact
    assert "Informationen nach § 13a Abs. 1 RDG" in text
    # Nr. 1: creditor name and address
    creditor = letter.creditor
    assert creditor.address is not None
    assert creditor.name in text
    assert f"{creditor.address.street}, {creditor.address.postcode} {creditor.address.city}" in text
    # Nr. 2: reason and date of every claim
    assert len(letter.claim_reasons) == len(letter.statement.claims) == 2
    for reason in letter.claim_reasons:
        assert f"{reason.subject} (Vertrag vom {de_date(reason.date)})" in text
    # Nr. 3: interest calculation: principal, rate and period of every period
    for claim in letter.statement.claims:
        assert claim.periods
        for p in claim.periods:
            row = f"{de_date(p.start)} {de_date(p.end)} {p.days}/{p.basis} {format_rate(p.rate)} "
            assert row + f"{format_eur(p.base)} {format_eur(p.interest)}" in text
    # Nr. 4: separate notice and reason for a rate above the statutory one
    assert "Gesonderter Hinweis zum Zinssatz (§ 13a Abs. 1 Nr. 4 RDG)" in text
    assert letter.rate_reason in text
    # Nr. 5: costs with type, amount and reason
    for cost, why in zip(letter.statement.costs, letter.cost_reasons, strict=True):
        assert (
            f"{cost.label} ({why.kind}), {format_eur(cost.amount)} vom {de_date(cost.date)}" in text
        )
        assert f"Entstehungsgrund: {why.reason}" in text
    # Nr. 6: VAT statement
    assert "nicht als Vorsteuer abziehen" in text
    # Nr. 7: researched address, and how to raise errors
    assert "Hinweis zu Ihrer Anschrift (§ 13a Abs. 1 Nr. 7 RDG)" in text
    assert "nicht von unserem Auftraggeber mitgeteilt, sondern von uns ermittelt" in text
    assert f"per E-Mail an {letter.sender.email}" in text
    # Nr. 8: supervisory authority with address and electronic contact
    authority = letter.sender.supervisory_authority
    assert (
        f"Zuständige Aufsichtsbehörde: Bundesamt für Justiz, Adenauerallee 99–103, 53113 Bonn, "
        f"E-Mail: {authority.email}" in text
    )
    assert letter.sender.registration in text


def test_statement_totals_and_payments_in_german_amounts(first_contact):
    letter, _, text = first_contact
    t = letter.statement.totals
    assert f"Hauptforderung offen {format_eur(t.principal_open)}" in text
    assert f"Zinsen offen {format_eur(t.interest_open)}" in text
    assert f"Kosten offen {format_eur(t.costs_open)}" in text
    assert f"Gesamtforderung {format_eur(t.total_open)}" in text
    assert (
        f"Bitte überweisen Sie {format_eur(t.total_open)} bis zum {de_date(letter.due_date)}"
        in text
    )
    (payment,) = letter.statement.allocations
    assert f"{de_date(payment.date)} {format_eur(payment.amount)} Kosten Mahngebühr" in text


def test_bank_details_and_portal(first_contact):
    letter, _, text = first_contact
    assert f"IBAN {format_iban(letter.bank.iban)}" in text
    assert f"BIC {letter.bank.bic}" in text
    assert f"Verwendungszweck {letter.case_reference}" in text
    assert letter.portal.url in text
    assert f"Ihr Zugangscode: {letter.portal.access_code}" in text


def test_later_letter_without_flags_has_no_13a_block(renderer):
    letter = example_letter(2, LetterKind.DUNNING_2)
    assert not (letter.first_contact or letter.address_researched or letter.vat_claimed)
    text = text_of(renderer.render(letter))
    assert "Zweite Mahnung" in text
    assert "§ 13a" not in text
    assert "von uns ermittelt" not in text
    assert f"Gesamtforderung {format_eur(letter.amount_due)}" in text


def test_address_notice_also_on_a_later_letter(renderer):
    letter = replace(example_letter(2, LetterKind.DUNNING_2), address_researched=True)
    text = text_of(renderer.render(letter))
    assert "Hinweis zu Ihrer Anschrift (§ 13a Abs. 1 Nr. 7 RDG)" in text
    assert "Informationen nach § 13a Abs. 1 RDG" not in text


def test_payment_plan_offer_states_its_costs(renderer):
    letter = example_letter(4, LetterKind.PAYMENT_PLAN_OFFER)
    plan = letter.payment_plan
    assert plan is not None
    text = text_of(renderer.render(letter))
    assert "Hinweis auf die Kosten der Ratenzahlungsvereinbarung (§ 13a Abs. 3 RDG)" in text
    cost = plan.costs[0]
    assert f"{cost.label}: {format_eur(cost.amount)} ({cost.reason})" in text
    assert f"Zusätzliche Kosten insgesamt: {format_eur(cost.amount)}" in text
    assert f"6 Raten zu je {format_eur(plan.instalment_amount)}" in text
    free = replace(letter, payment_plan=replace(plan, costs=(), interest_continues=False))
    text = text_of(renderer.render(free))
    assert "entstehen Ihnen keine zusätzlichen Inkassokosten" in text


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_kind_renders_with_its_title(renderer, kind):
    letter = example_letter(1, kind)
    text = text_of(renderer.render(letter))
    assert f"{kind.heading} – Unser Zeichen {letter.case_reference}" in text
    assert f"Gesamtforderung {format_eur(letter.amount_due)}" in text


# ------------------------------------------------------------------------ PDF properties


def test_pdf_a_metadata_fonts_and_page_size(first_contact):
    _, pdf, text = first_contact
    reader = pdf_reader(pdf)
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("2", "A")
    pages = len(reader.pages)
    for n, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)
        assert f"Seite {n} von {pages}" in text
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"], "font not embedded"
            assert "DejaVuSans" in descendant["/BaseFont"]


def test_rendering_is_reproducible(renderer, first_contact):
    letter, pdf, _ = first_contact
    assert renderer.render(letter) == pdf


def positions(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """(text, x mm from the left, baseline y mm from the top) of every text run."""
    found: list[tuple[str, float, float]] = []
    height = A4[1]

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, (height - y) / MM))

    pdf_reader(pdf).pages[page].extract_text(visitor_text=visit)
    return found


def at(found: list[tuple[str, float, float]], text: str) -> tuple[float, float]:
    hits = [(x, y) for t, x, y in found if t.startswith(text)]
    assert hits, f"{text!r} not found in {[t for t, _, _ in found][:30]}"
    return hits[0]


def test_din_5008_form_b_positions(first_contact):
    letter, pdf, _ = first_contact
    found = positions(pdf)
    # address field: 20 mm from the left, 45 mm from the top, 85 x 45 mm; the Anschriftzone
    # is its lower 27.3 mm (from 62.7 mm), the return line sits in the 17.7 mm above it.
    lines = [
        letter.recipient.name,
        letter.recipient.address.street,
        f"{letter.recipient.address.postcode} {letter.recipient.address.city}",
    ]
    for line in lines:
        x, y = at(found, line)
        assert 20 <= x <= 105 - 30 and x == pytest.approx(25, abs=0.5)
        assert 62.7 < y < 90, (line, y)
    x, y = at(found, f"{letter.sender.name} · {letter.sender.address.street}")
    assert x >= 20 and 45 < y < 62.7
    # information block at 125 mm from the left, from 50 mm down
    x, y = at(found, "Unser Zeichen")
    assert x == pytest.approx(125, abs=0.5) and 50 < y < 90
    x, _ = at(found, letter.case_reference)
    assert x > 125
    # subject line starts at 98.46 mm: its baseline lies a little below
    x, y = at(found, letter.kind.heading)
    assert x == pytest.approx(25, abs=0.5) and 98.46 < y < 98.46 + 5


def test_fold_and_hole_marks_on_the_first_page(first_contact):
    _, pdf, _ = first_contact
    content = pdf_reader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    marks = {
        round((A4[1] - float(y)) / MM, 1)
        for x, y in re.findall(r"q 1 0 0 -1 ([\d.]+) ([\d.]+) cm[^\n]*? 0 0 m [\d.]+ 0 l", content)
        if abs(float(x) / MM - 4) < 0.1
    }
    assert marks == {105.0, 148.5, 210.0}


# ------------------------------------------------------------------------------- QR code

EXPECTED_PAYLOAD = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nInkasso Nord GmbH\nDE89370400440532013000\nEUR{amount}\n\n\n{ref}"


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """Dark modules of segno's SVG path (``M4 4.5h7m2 0h2…``): runs along rows."""
    d = re.search(r' d="([^"]+)"', svg)
    assert d
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", d.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        elif op == "h":
            dark.update((int(y), col) for col in range(int(x), int(x + float(a))))
            x += float(a)
        else:
            raise AssertionError(op)
    return dark


def pdf_qr_modules(pdf: bytes) -> set[tuple[int, int]]:
    """Dark modules of the QR code drawn in the PDF: typst keeps the SVG's unit space under a
    scaling ``cm`` and strokes one ``x1 y m x2 y l`` segment per run of modules."""
    for page in pdf_reader(pdf).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for block in re.findall(
            r" cm/c0 cs 0 scn/c0 CS 0 SCN 4 M ((?:[\d.]+ [\d.]+ [ml] ?)+)", content
        ):
            segments = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l", block)
            if len(segments) > 100:
                dark: set[tuple[int, int]] = set()
                for x1, y1, x2, y2 in segments:
                    assert y1 == y2
                    dark.update((int(float(y1)), c) for c in range(int(float(x1)), int(float(x2))))
                return dark
    raise AssertionError("no QR code in the PDF")


def test_qr_payload_is_the_epc_text_with_exact_total_and_reference(first_contact):
    letter, _, _ = first_contact
    amount = letter.statement.totals.total_open
    assert epc_payload(epc(letter)) == EXPECTED_PAYLOAD.format(
        amount=f"{amount:.2f}", ref=letter.case_reference
    )


@pytest.mark.parametrize("i", [0, 1, 4, 7])
def test_qr_in_the_pdf_is_the_code_of_the_letters_payload(renderer, i):
    letter = example_letter(i)
    pdf = renderer.render(letter)
    expected = svg_modules(qr_svg(epc(letter)))
    assert pdf_qr_modules(pdf) == expected
    # and it is not the code of a neighbouring amount
    other = replace(epc(letter), amount=letter.amount_due + 1)
    assert svg_modules(qr_svg(other)) != expected


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed to decode the code",
)
def test_qr_decodes_to_the_epc_payload(renderer, tmp_path: Path):
    letter = replace(
        example_letter(3),
        bank=replace(example_letter(3).bank, holder="Forderungsmanagement Süd GmbH"),
        recipient=replace(
            example_letter(3).recipient,
            address=PostalAddress("Ringstraße 1", "1010", "Wien", "AT"),
        ),
    )
    (tmp_path / "letter.pdf").write_bytes(renderer.render(letter))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", "letter.pdf", "page"], cwd=tmp_path, check=True
    )
    decoded = []
    for png in sorted(tmp_path.glob("page*.png")):
        run = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sbinary", str(png)],
            capture_output=True,
        )
        if run.returncode == 0:
            decoded.append(run.stdout.decode("utf-8").removesuffix("\n"))
    assert decoded == [epc_payload(epc(letter))]
    assert "EUR" + f"{letter.amount_due:.2f}" in decoded[0]
