"""The statement of a title (Forderungsaufstellung aus dem Titel) as a ledger case.

Once a claim is titled, what is owed is what the title says, not what was handed over: the
titled principal with the title's interest from the title's start, the titled costs, the
interest titled as an amount, then the costs of enforcement as they arise (§ 788 ZPO) and the
payments since, allocated by the case's rule (§ 367 BGB by default). :func:`title_case`
builds that as a :class:`mahnwerk.domain.ledger.Case`, so that
:func:`~mahnwerk.domain.ledger.compute_statement` computes it with the one set of ledger rules.

Conventions (documented choices):

- Payments and costs dated on or before the day of issue are taken as already reflected in
  the title (the Vollstreckungsbescheid states the payments received, § 699 Abs. 1 ZPO); later
  ones count.
- The titled costs are one cost dated on the day of issue (code :data:`TITLED_COSTS`); the
  interest titled as an amount is a second one (code :data:`TITLED_INTEREST`): it bears no
  interest (§ 289 BGB) and is paid before the principal, as interest is under § 367 BGB.

>>> from datetime import date
>>> from mahnwerk.domain.title import Title
>>> t = Title("vollstreckungsbescheid", "AG Coburg", "25-1", date(2025, 6, 2), date(2025, 6, 30),
...     Decimal("1000.00"), date(2025, 1, 1), "base_plus:5", Decimal("118.34"))
>>> c = title_case(t, consumer=True, later_costs=(), payments=())
>>> [(x.id, x.principal, x.interest.describe()) for x in c.claims]
[('25-1', Decimal('1000.00'), '5 Prozentpunkte über dem Basiszinssatz')]
>>> [(x.label, x.amount) for x in c.costs]
[('Kosten laut Titel', Decimal('118.34'))]
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from mahnwerk.domain import ledger
from mahnwerk.domain.allocation import DEFAULT_ALLOCATION
from mahnwerk.domain.daycount import DEFAULT_DAY_COUNT
from mahnwerk.domain.interest import (
    BasePlusInterest,
    FixedInterest,
    InterestTerms,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.domain.title import Title, parse_interest

TITLED_COSTS = "TITEL_KOSTEN"
TITLED_INTEREST = "TITEL_ZINSEN"


def interest_terms(text: str) -> InterestTerms:
    """A title's interest text as the ledger's terms (``per_claim`` has none of its own)."""
    kind, value = parse_interest(text)
    if kind == "statutory":
        return StatutoryInterest()
    if kind == "base_plus" and value is not None:
        return BasePlusInterest(value)
    if kind == "fixed" and value is not None:
        return FixedInterest(value)
    return NoInterest()


def title_case(
    title: Title,
    *,
    consumer: bool,
    later_costs: Iterable[ledger.Cost],
    payments: Iterable[ledger.Payment],
    day_count: str = DEFAULT_DAY_COUNT,
    allocation: str = DEFAULT_ALLOCATION,
) -> ledger.Case:
    """The ledger case of ``title`` (see the module docstring)."""
    claims = tuple(
        ledger.Claim(
            id=line.claim or title.file_number,
            principal=line.principal,
            default_from=line.interest_from or title.issued,
            interest=interest_terms(line.interest),
            label="" if line.claim else "Hauptforderung laut Titel",
        )
        for line in title.interest_lines()
    )
    costs: list[ledger.Cost] = []
    if title.costs > 0:
        costs.append(ledger.Cost(title.issued, "Kosten laut Titel", title.costs, TITLED_COSTS))
    if title.interest_amount > 0:
        costs.append(
            ledger.Cost(
                title.issued, "Zinsen laut Titel (ausgerechnet)", title.interest_amount,
                TITLED_INTEREST,
            )
        )  # fmt: skip
    costs.extend(c for c in later_costs if c.date > title.issued)
    return ledger.Case(
        consumer=consumer,
        claims=claims,
        costs=tuple(costs),
        payments=tuple(p for p in payments if p.date > title.issued),
        day_count=day_count,
        allocation=allocation,
    )


def titled_amount(title: Title) -> Decimal:
    """Everything the title states as an amount (principal, titled interest, costs)."""
    return title.principal + title.interest_amount + title.costs
