"""Payment allocation strategies (Verrechnung), registered under stable names.

Costs always come first (oldest first); then the claims one after another in § 366 Abs. 2 BGB
order (oldest ``default_from`` first, then input order). Within one claim the strategy decides:

- ``bgb367``: interest, then principal (§ 367 Abs. 1 BGB: Kosten, Zinsen, Hauptleistung).
- ``bgb497``: principal, then interest (§ 497 Abs. 3 BGB, consumer loans: Kosten,
  übriger geschuldeter Betrag, zuletzt Zinsen).

>>> ALLOCATIONS["bgb367"].claim_order
('interest', 'principal')
"""

from __future__ import annotations

from dataclasses import dataclass
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
