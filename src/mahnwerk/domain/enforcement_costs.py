"""Costs of enforcement measures: bailiff fees (GvKostG), the lawyer's fees of enforcement
(VV 3309/3310 RVG, § 25 RVG) and the court fee of a PfÜB (GKG KV 2111).

The figures come from ``enforcement_costs.csv`` in :mod:`mahnwerk.reference` with their
source; the GvKostG amounts are those of the law text of 2026-08-19 and their valid-from date
is UNVERIFIED (every line says so). The GKG Kostenverzeichnis is not in the project's law
texts, so KV 2111 has no shipped amount: an operator sets it (``MAHNWERK_GKG_KV2111``) and
until then an estimate that needs it is marked incomplete rather than guessed.

Estimates, not invoices: the bailiff's travel money (Nr. 711 beyond the first step) and
postage of formal service (Nr. 701, "in voller Höhe") depend on the case and are named in the
notes; VAT on the lawyer's fees (VV 7008) is not added.

>>> e = pfueb_costs(Decimal("1279.48"), date(2026, 3, 31), court_fee=None)
>>> e.complete, e.missing, e.known_total
(False, ('KV 2111',), Decimal('67.14'))
>>> asset_disclosure_costs(Decimal("1279.48"), date(2026, 3, 31)).known_total
Decimal('111.12')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from mahnwerk.domain.fees import EXPENSE_CAP, EXPENSE_RATE, MINIMUM_FEE, rvg_fee
from mahnwerk.domain.money import ZERO, format_eur, round_cents
from mahnwerk.reference import read_rows

#: § 25 Abs. 1 Nr. 4 RVG: Vermögensauskunft and Drittauskünfte, value at most 2,000 EUR.
ASSET_DISCLOSURE_VALUE_CAP = Decimal("2000.00")

NOTE_EXTRAS = (
    "zuzüglich Wegegeld (GvKostG Nr. 711, je nach Entfernung) und Zustellungsentgelten "
    "(Nr. 701, in voller Höhe), soweit sie anfallen"
)
NOTE_VAT = "Anwaltsgebühren ohne Umsatzsteuer (VV 7008 RVG)"


@dataclass(frozen=True)
class CostItem:
    code: str
    law: str
    description: str
    kind: str  # fixed, rate, factor
    amount: Decimal | None
    rate: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    valid_from: date
    status: str
    source: str


@dataclass(frozen=True)
class CostLine:
    code: str
    label: str
    amount: Decimal | None
    """``None``: the figure is not known (see ``status``)."""
    basis: str = ""
    status: str = ""
    source: str = ""


@dataclass(frozen=True)
class CostEstimate:
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...] = ()

    @property
    def known_total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount is not None), ZERO)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(line.code for line in self.lines if line.amount is None)

    @property
    def complete(self) -> bool:
        return not self.missing

    def describe(self) -> str:
        """``123,45 €`` or ``mindestens 76,29 € (KV 2111 nicht hinterlegt)``."""
        if self.complete:
            return format_eur(self.known_total)
        missing = ", ".join(self.missing)
        return f"mindestens {format_eur(self.known_total)} ({missing} nicht hinterlegt)"


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


@cache
def cost_items() -> dict[str, CostItem]:
    """Every cost figure of the reference file by its code (``GvKostG 260``, ``VV 3309`` …)."""
    items = {}
    for row in read_rows("enforcement_costs.csv"):
        items[row["code"]] = CostItem(
            code=row["code"],
            law=row["law"],
            description=row["description"],
            kind=row["kind"],
            amount=_dec(row["amount"]),
            rate=_dec(row["rate"]),
            minimum=_dec(row["minimum"]),
            maximum=_dec(row["maximum"]),
            valid_from=date.fromisoformat(row["valid_from"]),
            status=row["status"],
            source=row["source"],
        )
    return items


def _fixed(code: str) -> CostLine:
    item = cost_items()[code]
    return CostLine(code, item.description, item.amount, "", item.status, item.source)


def bailiff_fees(codes: Sequence[str]) -> list[CostLine]:
    """The bailiff's fees ``codes`` and the flat rate for expenses (Nr. 716: 20 % of the
    fees, at least 3.00, at most 10.00 EUR per order).

    >>> [(l.code, l.amount) for l in bailiff_fees(["GvKostG 260", "GvKostG 208"])][-1]
    ('GvKostG 716', Decimal('9.82'))
    """
    lines = [_fixed(code) for code in codes]
    fees = sum((line.amount for line in lines if line.amount is not None), ZERO)
    flat = cost_items()["GvKostG 716"]
    assert flat.rate is not None and flat.minimum is not None and flat.maximum is not None
    amount = min(flat.maximum, max(flat.minimum, round_cents(fees * flat.rate)))
    lines.append(
        CostLine(
            flat.code,
            flat.description,
            amount,
            f"20 % von {format_eur(fees)}, mindestens 3,00 €, höchstens 10,00 €",
            flat.status,
            flat.source,
        )
    )
    return lines


def lawyer_fees(value: Decimal, on: date, *, hearing: bool = False) -> list[CostLine]:
    """VV 3309 (0.3) and, for taking part in the hearing, VV 3310 (0.3) on the value, plus
    VV 7002 (20 %, at most 20.00 EUR); each fee at least 15.00 EUR (§ 13 Abs. 3 RVG)."""
    full = rvg_fee(value, on)
    lines = []
    for code in ("VV 3309",) + (("VV 3310",) if hearing else ()):
        item = cost_items()[code]
        assert item.rate is not None
        amount = max(MINIMUM_FEE, round_cents(item.rate * full))
        basis = f"{item.rate} × {format_eur(full)} (Gegenstandswert {format_eur(value)})"
        lines.append(
            CostLine(
                code, item.description, amount, basis.replace(".", ","), item.status, item.source
            )
        )
    fees = sum((line.amount for line in lines if line.amount is not None), ZERO)
    lines.append(
        CostLine(
            "VV 7002",
            "Post- und Telekommunikationspauschale",
            min(EXPENSE_CAP, round_cents(fees * EXPENSE_RATE)),
            "20 % der Gebühren, höchstens 20,00 €",
            "verified",
            "RVG Anlage 1 VV 7002",
        )
    )
    return lines


def court_fee_kv2111(operator_amount: Decimal | None) -> CostLine:
    """GKG KV 2111: the shipped figure is missing; an operator's value is used if set."""
    item = cost_items()["KV 2111"]
    if operator_amount is None:
        return CostLine(item.code, item.description, None, "", "MISSING", item.source)
    return CostLine(
        item.code,
        item.description,
        operator_amount,
        "vom Betreiber hinterlegt (MAHNWERK_GKG_KV2111)",
        "operator",
        item.source,
    )


def pfueb_costs(value: Decimal, on: date, *, court_fee: Decimal | None) -> CostEstimate:
    """A Pfändungs- und Überweisungsbeschluss: court fee, lawyer's fees on the whole claim
    (§ 25 Abs. 1 Nr. 1 RVG), the bailiff's service to the Drittschuldner (in person, Nr. 100)
    and to the debtor (by post, Nr. 102, Vorbemerkung 1 Abs. 2)."""
    lines = [
        court_fee_kv2111(court_fee),
        *lawyer_fees(value, on),
        *bailiff_fees(["GvKostG 100", "GvKostG 102"]),
    ]
    return CostEstimate(tuple(lines), (NOTE_EXTRAS, NOTE_VAT))


def asset_disclosure_costs(value: Decimal, on: date, *, hearing: bool = False) -> CostEstimate:
    """A Vermögensauskunft with a combined attempt at an amicable settlement: bailiff fees
    Nr. 260 and 208, the summons served by post (Nr. 102, Vorbemerkung 1 Abs. 2); lawyer's
    fees on the value capped at 2,000 EUR (§ 25 Abs. 1 Nr. 4 RVG)."""
    capped = min(value, ASSET_DISCLOSURE_VALUE_CAP)
    lines = [
        *bailiff_fees(["GvKostG 260", "GvKostG 208", "GvKostG 102"]),
        *lawyer_fees(capped, on, hearing=hearing),
    ]
    return CostEstimate(tuple(lines), (NOTE_EXTRAS, NOTE_VAT))
