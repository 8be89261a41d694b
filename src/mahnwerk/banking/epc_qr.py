"""EPC QR code ("GiroCode") for a SEPA credit transfer: the one place its payload is made.

The payload follows EPC069-12 (Quick Response Code: Guidelines to Enable Data Capture for
the Initiation of a SEPA Credit Transfer), version 002, UTF-8: twelve lines separated by LF,
trailing empty lines dropped, at most 331 bytes. segno draws the code; we build the payload
ourselves so that letters, the portal and tests share one exact, checkable text (segno's
helper does not expose it).

>>> print(epc_payload(EpcTransfer("Inkasso Nord GmbH", "DE89370400440532013000",
...     Decimal("123.45"), "K-2025-0001 R-4711")))
BCD
002
1
SCT
<BLANKLINE>
Inkasso Nord GmbH
DE89370400440532013000
EUR123.45
<BLANKLINE>
<BLANKLINE>
K-2025-0001 R-4711
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import segno

from mahnwerk.domain.money import round_cents

MAX_PAYLOAD_BYTES = 331
MAX_AMOUNT = Decimal("999999999.99")


class EpcError(ValueError):
    """Data that an EPC QR code cannot carry."""


@dataclass(frozen=True)
class EpcTransfer:
    name: str
    iban: str
    amount: Decimal
    remittance: str = ""
    bic: str = ""
    purpose: str = ""
    structured_reference: str = ""


def epc_payload(t: EpcTransfer) -> str:
    problems = validate(t)
    if problems:
        raise EpcError("; ".join(problems))
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        t.bic,
        t.name,
        t.iban.replace(" ", "").upper(),
        f"EUR{round_cents(t.amount)}",
        t.purpose,
        t.structured_reference,
        "" if t.structured_reference else t.remittance,
    ]
    while lines and lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise EpcError(f"payload has more than {MAX_PAYLOAD_BYTES} bytes")
    return payload


def validate(t: EpcTransfer) -> list[str]:
    problems = []
    if not t.name or len(t.name) > 70:
        problems.append("name: 1 to 70 characters")
    if not (Decimal("0.01") <= t.amount <= MAX_AMOUNT):
        problems.append("amount: between 0.01 and 999999999.99 EUR")
    if len(t.remittance) > 140:
        problems.append("remittance: at most 140 characters")
    if len(t.structured_reference) > 35:
        problems.append("structured_reference: at most 35 characters")
    if t.bic and len(t.bic) not in (8, 11):
        problems.append("bic: 8 or 11 characters")
    if t.purpose and len(t.purpose) != 4:
        problems.append("purpose: 4 characters")
    return problems


def qr_svg(t: EpcTransfer, scale: int = 4, *, scalable: bool = False) -> str:
    """The code as SVG text (error correction M, as EPC069-12 requires). ``scalable``: with
    a ``viewBox`` and no fixed size, for a page that sets the size itself (a fixed-size SVG
    drawn smaller is cut off instead of shrunk)."""
    buf = io.BytesIO()
    if scalable:
        _qr(t).save(buf, kind="svg", scale=scale, omitsize=True, xmldecl=False)
    else:
        _qr(t).save(buf, kind="svg", scale=scale)
    return buf.getvalue().decode("utf-8")


def qr_png(t: EpcTransfer, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    _qr(t).save(buf, kind="png", scale=scale)
    return buf.getvalue()


def _qr(t: EpcTransfer) -> segno.QRCode:
    # EPC069-12: error correction level M, character set 1 = UTF-8.
    # A fixed mask: any of the eight masks gives a valid code, and trying all of them
    # costs five times the rest of the encoding (measured in the letter benchmark).
    return segno.make(epc_payload(t), error="m", micro=False, encoding="utf-8", mask=0)
