"""Settlement statement (Abrechnung) for a creditor: CSV for Excel and PDF/A via typst.

The data is a plain :class:`Settlement` (no store, no banking): the lines of the payments
settled and the totals. ``gross = commission + fees_retained + net`` holds for every line
and for the totals.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from mahnwerk.documents import spreadsheet
from mahnwerk.documents.render import PDF_STANDARD, TEMPLATES, PdfStandard, default_font_paths

SETTLEMENT_TEMPLATE = TEMPLATES / "settlement.typ"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SettlementLine:
    day: date
    case_reference: str
    external_ref: str
    kind: str  # Zahlung, Storno
    gross: Decimal
    principal: Decimal
    interest: Decimal
    costs: Decimal
    commission: Decimal
    fees_retained: Decimal
    net: Decimal


@dataclass(frozen=True)
class Settlement:
    agency: str
    creditor: str
    period_from: date
    period_to: date
    created: date
    number: str
    commission_percent: Decimal
    commission_on: str
    lines: tuple[SettlementLine, ...]

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)


MONEY_COLUMNS = (
    ("gross", "Zahlung"),
    ("principal", "davon Hauptforderung"),
    ("interest", "davon Zinsen"),
    ("costs", "davon Kosten"),
    ("commission", "Provision"),
    ("fees_retained", "Kosten einbehalten"),
    ("net", "Auszahlung"),
)


def german_amount(amount: Decimal) -> str:
    """``1234.5`` → ``1234,50`` (no thousands separator: Excel reads it as a number)."""
    return f"{amount:.2f}".replace(".", ",")


def german_eur(amount: Decimal) -> str:
    text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{text} €"


def settlement_csv(s: Settlement) -> bytes:
    """CSV for German Excel: ``;`` separated, decimal comma, UTF-8 with BOM, a sum line."""
    out = io.StringIO()
    w = spreadsheet.writer(out)
    w.writerow(["Datum", "Aktenzeichen", "Ihr Zeichen", "Art", *(t for _, t in MONEY_COLUMNS)])
    for line in s.lines:
        w.writerow(
            [
                f"{line.day:%d.%m.%Y}",
                line.case_reference,
                line.external_ref,
                line.kind,
                *(german_amount(getattr(line, n)) for n, _ in MONEY_COLUMNS),
            ]
        )
    w.writerow(["Summe", "", "", "", *(german_amount(s.total(n)) for n, _ in MONEY_COLUMNS)])
    return out.getvalue().encode("utf-8-sig")


def template_data(s: Settlement) -> dict[str, object]:
    return {
        "agency": s.agency,
        "creditor": s.creditor,
        "number": s.number,
        "period": f"{s.period_from:%d.%m.%Y} – {s.period_to:%d.%m.%Y}",
        "created": f"{s.created:%d.%m.%Y}",
        "terms": (
            f"Provision {german_amount(s.commission_percent).rstrip('0').rstrip(',')} % "
            f"auf {'die Hauptforderung' if s.commission_on == 'principal' else 'den Betrag'}"
        ),
        "columns": [t for _, t in MONEY_COLUMNS],
        "lines": [
            {
                "day": f"{line.day:%d.%m.%Y}",
                "case": line.case_reference,
                "ref": line.external_ref,
                "kind": line.kind,
                "amounts": [german_amount(getattr(line, n)) for n, _ in MONEY_COLUMNS],
            }
            for line in s.lines
        ],
        "totals": {n: german_eur(s.total(n)) for n, _ in MONEY_COLUMNS},
    }


class SettlementRenderer:
    """Renders settlements to PDF/A with one reused typst compiler."""

    def __init__(
        self, *, font_paths: Sequence[Path] | None = None, pdf_standard: PdfStandard = PDF_STANDARD
    ) -> None:
        import typst

        fonts = list(font_paths) if font_paths is not None else default_font_paths()
        self._pdf_standard = pdf_standard
        self._compiler = typst.Compiler(
            str(SETTLEMENT_TEMPLATE),
            root=str(TEMPLATES),
            font_paths=[str(f) for f in fonts],
            ignore_system_fonts=True,
        )

    def render(self, s: Settlement) -> bytes:
        data = json.dumps(template_data(s), ensure_ascii=False)
        stamp = int(datetime.combine(s.created, time(12), tzinfo=UTC).timestamp())
        pdf = self._compiler.compile(
            format="pdf", sys_inputs={"data": data}, pdf_standards=self._pdf_standard,
            timestamp=stamp,
        )  # fmt: skip
        assert isinstance(pdf, bytes)
        return pdf


def settlement_pdf(s: Settlement) -> bytes:
    return SettlementRenderer().render(s)
