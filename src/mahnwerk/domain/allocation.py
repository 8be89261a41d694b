"""Payment allocation strategies (Verrechnung), registered under stable names.

Costs always come first (oldest first). A payment that names a claim (the debtor's
determination, § 366 Abs. 1 BGB) then goes to that claim; the rest, and every payment that
names none, goes to the claims in the default order of § 366 Abs. 2 BGB
(:func:`claim_order_key`). Within one claim the strategy decides:

- ``bgb367``: interest, then principal (§ 367 Abs. 1 BGB: Kosten, Zinsen, Hauptleistung).
- ``bgb497``: principal, then interest (§ 497 Abs. 3 BGB, consumer loans: Kosten,
  übriger geschuldeter Betrag, zuletzt Zinsen). The order among the claims is the same.

>>> ALLOCATIONS["bgb367"].claim_order
('interest', 'principal')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

ClaimPart = Literal["interest", "principal"]


@dataclass(frozen=True)
class AllocationStrategy:
    name: str
    claim_order: tuple[ClaimPart, ClaimPart]
    description: str


ALLOCATIONS: dict[str, AllocationStrategy] = {
    s.name: s
    for s in (
        AllocationStrategy(
            "bgb367", ("interest", "principal"), "§ 367 BGB: Kosten, Zinsen, Hauptforderung"
        ),
        AllocationStrategy(
            "bgb497",
            ("principal", "interest"),
            "§ 497 Abs. 3 BGB: Kosten, Hauptforderung, Zinsen",
        ),
    )
}
DEFAULT_ALLOCATION = "bgb367"

_NEVER = date.max


def claim_order_key(
    *, day: date, default_from: date | None, rate: Decimal, index: int
) -> tuple[bool, Decimal, date, int]:
    """Sort key of a claim for a payment on ``day`` in the order of § 366 Abs. 2 BGB.

    1. claims in default on that day (``default_from`` on or before it) before those that are
       not (a claim in default is the due one that burdens the debtor);
    2. the one more burdensome to the debtor first: the higher interest rate in force on that
       day (a rate below zero counts as zero);
    3. the older one: the earlier ``default_from`` (a claim never in default counts as the
       youngest);
    4. input order (``index``). The law would split claims equal in all of this in proportion
       (§ 366 Abs. 2 a. E.); the project serves them one after another in input order, so that
       every payment lands on whole claims and a statement stays readable (see the README).

    The security a creditor holds (rule 2 of the statute) is not known to the ledger; all
    claims count as equally secured.

    >>> late = claim_order_key(day=date(2025, 6, 1), default_from=date(2025, 7, 1),
    ...     rate=Decimal("12"), index=0)
    >>> high = claim_order_key(day=date(2025, 6, 1), default_from=date(2025, 3, 1),
    ...     rate=Decimal("10.27"), index=2)
    >>> low = claim_order_key(day=date(2025, 6, 1), default_from=date(2025, 1, 1),
    ...     rate=Decimal("6.27"), index=1)
    >>> sorted([late, low, high]) == [high, low, late]
    True
    """
    in_default = default_from is not None and default_from <= day
    return (not in_default, -max(rate, Decimal(0)), default_from or _NEVER, index)


def designated_claim(remittance: str, invoice_numbers: Sequence[str]) -> str | None:
    """The claim a payment's remittance text names (§ 366 Abs. 1 BGB), when it names exactly
    one of the case's invoice numbers (as a whole word); ``None`` if it names none or several.
    What the bank matching passes to ``services.cases.record_payment(claim=…)``.

    >>> designated_claim("Zahlung Rechnung 4712 Kd 99", ["4711", "4712"])
    '4712'
    >>> designated_claim("Rechnungen 4711 und 4712", ["4711", "4712"]) is None
    True
    >>> designated_claim("RE-47110", ["4711"]) is None
    True
    """
    text = remittance.casefold()
    named = [
        n
        for n in invoice_numbers
        if n and re.search(rf"(?<![0-9a-z]){re.escape(n.casefold())}(?![0-9a-z])", text)
    ]
    return named[0] if len(named) == 1 else None
