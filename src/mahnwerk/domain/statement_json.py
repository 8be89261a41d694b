"""A statement (Forderungsaufstellung) as JSON-ready data and back, without loss.

The daily run computes a case's statement once, when it plans a message, and stores it with
the message; the letter is rendered later, by a worker, from exactly that data. Amounts are
decimal strings and dates ISO strings, so the round trip is exact to the cent:

>>> from mahnwerk.domain.interest import StatutoryInterest
>>> from mahnwerk.domain.ledger import Case, Claim, Cost, Payment, compute_statement
>>> st = compute_statement(Case(consumer=True,
...     claims=(Claim("R-1", Decimal("1000.00"), date(2025, 7, 1), StatutoryInterest()),),
...     costs=(Cost(date(2025, 7, 2), "Mahngebühr", Decimal("5.00"), "fee"),),
...     payments=(Payment(date(2025, 7, 5), Decimal("100.00")),)), date(2025, 7, 10))
>>> load(dump(st)) == st
True
>>> dump(st)["totals"]["total_open"]  # 1000 - (100 - 5.00 fee - 0.86 interest) + 0.78
'906.64'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.domain.interest import ENTGELT
from mahnwerk.domain.ledger import (
    Allocation,
    AllocationItem,
    BaseRateNote,
    ClaimStatement,
    CostStatement,
    InterestPeriod,
    Statement,
    Totals,
)
from mahnwerk.domain.money import ZERO


def dump(st: Statement) -> dict[str, Any]:
    """The statement as JSON-ready data (amounts as strings, dates ISO)."""
    return {
        "as_of": st.as_of.isoformat(),
        "day_count": st.day_count,
        "allocation": st.allocation,
        "claims": [
            {
                "id": c.id,
                "label": c.label,
                "principal": str(c.principal),
                "default_from": c.default_from.isoformat() if c.default_from else None,
                "interest_terms": c.interest_terms,
                "principal_open": str(c.principal_open),
                "interest_accrued": str(c.interest_accrued),
                "interest_paid": str(c.interest_paid),
                "interest_open": str(c.interest_open),
                "periods": [
                    [
                        p.start.isoformat(),
                        p.end.isoformat(),
                        p.days,
                        p.basis,
                        str(p.rate),
                        str(p.base),
                        str(p.interest),
                    ]
                    for p in c.periods
                ],
                "kind": c.kind,
                "uncharged": [[a.isoformat(), b.isoformat()] for a, b in c.uncharged],
            }
            for c in st.claims
        ],
        "costs": [
            [
                k.date.isoformat(),
                k.label,
                k.code,
                str(k.amount),
                str(k.paid),
                str(k.open),
                str(k.credited),
                k.claim,
            ]
            for k in st.costs
        ],
        "allocations": [
            {
                "date": a.date.isoformat(),
                "amount": str(a.amount),
                "to_costs": str(a.to_costs),
                "to_interest": str(a.to_interest),
                "to_principal": str(a.to_principal),
                "unapplied": str(a.unapplied),
                "items": [[i.kind, i.target, str(i.amount)] for i in a.items],
                "claim": a.claim,
            }
            for a in st.allocations
        ],
        "totals": {
            "principal_open": str(st.totals.principal_open),
            "interest_open": str(st.totals.interest_open),
            "costs_open": str(st.totals.costs_open),
            "total_open": str(st.totals.total_open),
            "credit": str(st.totals.credit),
        },
        "base_rate_notes": [
            {
                "half_year": n.half_year.isoformat(),
                "status": n.status,
                "rate": None if n.rate is None else str(n.rate),
                "claims": list(n.claims),
                "first_day": n.first_day.isoformat() if n.first_day else None,
                "last_day": n.last_day.isoformat() if n.last_day else None,
            }
            for n in st.base_rate_notes
        ],
    }


def load(data: dict[str, Any]) -> Statement:
    """The statement from :func:`dump`'s data; ``KeyError``/``ValueError`` if it is not one."""
    d = date.fromisoformat
    return Statement(
        as_of=d(data["as_of"]),
        day_count=str(data["day_count"]),
        allocation=str(data["allocation"]),
        claims=tuple(
            ClaimStatement(
                id=str(c["id"]),
                label=str(c["label"]),
                principal=Decimal(c["principal"]),
                default_from=d(c["default_from"]) if c["default_from"] else None,
                interest_terms=str(c["interest_terms"]),
                principal_open=Decimal(c["principal_open"]),
                interest_accrued=Decimal(c["interest_accrued"]),
                interest_paid=Decimal(c["interest_paid"]),
                interest_open=Decimal(c["interest_open"]),
                periods=tuple(
                    InterestPeriod(
                        d(p[0]),
                        d(p[1]),
                        int(p[2]),
                        int(p[3]),
                        Decimal(p[4]),
                        Decimal(p[5]),
                        Decimal(p[6]),
                    )
                    for p in c["periods"]
                ),
                kind=str(c.get("kind", ENTGELT)),
                uncharged=tuple((d(a), d(b)) for a, b in c.get("uncharged", ())),
            )
            for c in data["claims"]
        ),
        costs=tuple(
            CostStatement(
                d(k[0]),
                str(k[1]),
                str(k[2]),
                Decimal(k[3]),
                Decimal(k[4]),
                Decimal(k[5]),
                Decimal(k[6]) if len(k) > 6 else ZERO,
                str(k[7]) if len(k) > 7 else "",
            )
            for k in data["costs"]
        ),
        allocations=tuple(
            Allocation(
                date=d(a["date"]),
                amount=Decimal(a["amount"]),
                to_costs=Decimal(a["to_costs"]),
                to_interest=Decimal(a["to_interest"]),
                to_principal=Decimal(a["to_principal"]),
                unapplied=Decimal(a["unapplied"]),
                items=tuple(
                    AllocationItem(str(i[0]), str(i[1]), Decimal(i[2])) for i in a["items"]
                ),
                claim=str(a.get("claim", "")),
            )
            for a in data["allocations"]
        ),
        totals=Totals(**{k: Decimal(v) for k, v in data["totals"].items()}),
        base_rate_notes=tuple(
            BaseRateNote(
                half_year=d(n["half_year"]),
                status=str(n["status"]),
                rate=None if n["rate"] is None else Decimal(n["rate"]),
                claims=tuple(str(c) for c in n["claims"]),
                first_day=d(n["first_day"]) if n["first_day"] else None,
                last_day=d(n["last_day"]) if n["last_day"] else None,
            )
            for n in data.get("base_rate_notes", ())
        ),
    )
