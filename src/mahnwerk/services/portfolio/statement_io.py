"""The case JSON format of ``mahnwerk statement`` and the API: parse, validate, render.

Input, one case::

    {"as_of": "2026-03-31", "debtor": {"consumer": true}, "day_count": "act/365",
     "allocation": "bgb367",
     "claims": [{"id": "R-1", "principal": "1250.00", "default_from": "2025-02-15",
                 "interest": {"kind": "statutory"}}],
     "costs": [{"date": "2025-03-01", "label": "Mahngebühr", "amount": "5.00"}],
     "payments": [{"date": "2025-06-01", "amount": "300.00"}]}

Interest kinds: ``statutory``, ``base_plus`` (``points``), ``fixed`` (``rate``), ``none``.
Amounts are strings or JSON numbers with a decimal point (read as Decimal, never float).
:func:`parse_case` returns every problem it finds, each naming the field.

Optional fields of a claim: ``kind`` (``entgelt``, the default, or ``other``: § 288 Abs. 2
BGB), ``origin``; instead of ``default_from`` (first day of interest) the ground of default
(:mod:`mahnwerk.domain.default`): ``due_date`` with ``reminder_date`` or ``notice_286_3`` (and
``invoice_date``), or just ``due_date`` for a claim not in default; ``flat_fee: true`` claims
the 40 EUR of § 288 Abs. 5 BGB (a cost of the claim from its default). A payment may name its
claim: ``"claim": "R-2"`` (§ 366 Abs. 1 BGB).

>>> case, as_of, problems = parse_case({"debtor": {"consumer": True}, "claims": []})
>>> [p.field for p in problems]
['as_of', 'claims']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.domain.allocation import ALLOCATIONS, DEFAULT_ALLOCATION
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.daycount import DAY_COUNTS, DEFAULT_DAY_COUNT
from mahnwerk.domain.default import default_start
from mahnwerk.domain.interest import (
    CLAIM_KINDS,
    ENTGELT,
    BasePlusInterest,
    FixedInterest,
    InterestTerms,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.domain.ledger import (
    FLAT_FEE_AMOUNT,
    FLAT_FEE_CODE,
    Case,
    Claim,
    Cost,
    Payment,
    Statement,
)
from mahnwerk.domain.money import (
    AmountError,
    format_amount,
    format_eur,
    format_rate,
    parse_amount,
    parse_rate,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, naming the field as a JSON path (``claims[0].principal``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def loads(text: str) -> Any:
    """JSON with every number read as Decimal, so that no amount passes through a float."""
    return json.loads(text, parse_float=Decimal)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def date(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> date | None:
        value = obj.get(key)
        field = f"{path}{key}"
        if value is None:
            if required:
                self.fail(field, "fehlt (Datum im Format JJJJ-MM-TT)")
            return None
        if not isinstance(value, str):
            self.fail(field, f"{value!r} ist kein Datum (JJJJ-MM-TT)")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(field, f'"{value}" ist kein Datum (JJJJ-MM-TT)')
            return None

    def amount(
        self, obj: dict[str, Any], key: str, path: str, *, positive: bool = False
    ) -> Decimal | None:
        field = f"{path}{key}"
        if key not in obj or obj[key] is None:
            self.fail(field, 'fehlt (Betrag wie "12.50")')
            return None
        try:
            amount = parse_amount(obj[key])
        except AmountError as exc:
            self.fail(field, str(exc))
            return None
        if amount < 0:
            self.fail(field, f"{amount} ist negativ")
            return None
        if positive and amount == 0:
            self.fail(field, "muss größer als 0 sein")
            return None
        return amount

    def text(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{path}{key}", "fehlt")
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.fail(f"{path}{key}", f"{value!r} ist kein Text")
            return ""
        return str(value)

    def objects(self, obj: dict[str, Any], key: str, required: bool) -> list[dict[str, Any]]:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(key, "fehlt (Liste)")
            return []
        if not isinstance(value, list):
            self.fail(key, "muss eine Liste sein")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.fail(f"{key}[{i}]", "muss ein Objekt sein")
        return good


def parse_case(
    data: Any, *, as_of_override: date | None = None
) -> tuple[Case | None, date | None, list[Problem]]:
    """Read one case. Returns the case and its statement date, or ``None`` and the problems."""
    r = _Reader()
    if not isinstance(data, dict):
        return None, None, [Problem("(Fall)", "muss ein JSON-Objekt sein")]
    as_of = as_of_override or r.date(data, "as_of", "")
    debtor = data.get("debtor")
    consumer = False
    if not isinstance(debtor, dict) or not isinstance(debtor.get("consumer"), bool):
        r.fail("debtor.consumer", "fehlt (true für Verbraucher, false sonst)")
    else:
        consumer = debtor["consumer"]
    day_count = data.get("day_count", DEFAULT_DAY_COUNT)
    if day_count not in DAY_COUNTS:
        r.fail("day_count", f"unbekannt: {day_count!r} (erlaubt: {', '.join(DAY_COUNTS)})")
    allocation = data.get("allocation", DEFAULT_ALLOCATION)
    if allocation not in ALLOCATIONS:
        r.fail("allocation", f"unbekannt: {allocation!r} (erlaubt: {', '.join(ALLOCATIONS)})")

    claims, flat_fees = _claims(r, data, consumer)
    costs = list(flat_fees)
    for i, item in enumerate(r.objects(data, "costs", required=False)):
        path = f"costs[{i}]."
        d, label, amount = (
            r.date(item, "date", path),
            r.text(item, "label", path),
            r.amount(item, "amount", path),
        )
        if d and amount is not None:
            costs.append(Cost(d, label, amount, str(item.get("code", ""))))
    payments = []
    for i, item in enumerate(r.objects(data, "payments", required=False)):
        path = f"payments[{i}]."
        d, amount = r.date(item, "date", path), r.amount(item, "amount", path, positive=True)
        named = r.text(item, "claim", path, required=False)
        if named and named not in {c.id for c in claims}:
            r.fail(f"{path}claim", f'"{named}" ist keine Forderung des Falls (§ 366 Abs. 1 BGB)')
        if d and amount is not None:
            payments.append(Payment(d, amount, str(item.get("reference", "")), named))
    if r.problems or as_of is None:
        return None, None, r.problems
    case = Case(consumer, tuple(claims), tuple(costs), tuple(payments), day_count, allocation)
    return case, as_of, []


def _claims(r: _Reader, data: dict[str, Any], consumer: bool) -> tuple[list[Claim], list[Cost]]:
    items = r.objects(data, "claims", required=True)
    if "claims" in data and isinstance(data["claims"], list) and not data["claims"]:
        r.fail("claims", "leer: ein Fall braucht mindestens eine Forderung")
    claims, seen, flat_fees = [], set(), []
    first_rate_day = BaseRateTable.official().first_day
    for i, item in enumerate(items):
        path = f"claims[{i}]."
        claim_id = r.text(item, "id", path)
        if claim_id and claim_id in seen:
            r.fail(f"{path}id", f'"{claim_id}" kommt doppelt vor')
        seen.add(claim_id)
        principal = r.amount(item, "principal", path)
        kind = item.get("kind", ENTGELT)
        if kind not in CLAIM_KINDS:
            r.fail(f"{path}kind", f"unbekannt: {kind!r} (erlaubt: entgelt, other)")
            kind = ENTGELT
        default_from, ok = _default_from(r, item, path, consumer, kind == ENTGELT)
        origin = r.date(item, "origin", path, required=False)
        terms = _interest(r, item.get("interest"), f"{path}interest")
        if (
            default_from
            and terms is not None
            and terms.kind in ("statutory", "base_plus")
            and default_from < first_rate_day
        ):
            r.fail(f"{path}default_from", f"vor {first_rate_day.isoformat()}: kein Basiszinssatz")
        flat = item.get("flat_fee", False)
        if not isinstance(flat, bool):
            r.fail(f"{path}flat_fee", "true oder false erwartet")
        elif flat:
            if consumer:
                r.fail(f"{path}flat_fee", "nie gegenüber Verbrauchern (§ 288 Abs. 5 BGB)")
            elif kind != ENTGELT:
                r.fail(f"{path}flat_fee", "nur für Entgeltforderungen (§ 288 Abs. 5 BGB)")
            elif ok and default_from is None:
                r.fail(f"{path}flat_fee", "die Forderung ist nicht in Verzug (§ 288 Abs. 5 BGB)")
            elif default_from is not None:
                label = f"Verzugspauschale (§ 288 Abs. 5 BGB) {claim_id}"
                flat_fees.append(
                    Cost(default_from, label, FLAT_FEE_AMOUNT, FLAT_FEE_CODE, claim_id)
                )
        if claim_id and principal is not None and ok and terms is not None:
            label = str(item.get("label", ""))
            claims.append(Claim(claim_id, principal, default_from, terms, origin, label, kind))
    return claims, flat_fees


def _default_from(
    r: _Reader, item: dict[str, Any], path: str, consumer: bool, entgelt: bool
) -> tuple[date | None, bool]:
    """The first day of interest (``None``: not in default) and whether the fields were good.
    ``default_from`` is required unless ``due_date`` says when the claim fell due."""
    default_from = r.date(item, "default_from", path, required=False)
    due = r.date(item, "due_date", path, required=False)
    invoice = r.date(item, "invoice_date", path, required=False)
    reminder = r.date(item, "reminder_date", path, required=False)
    notice = item.get("notice_286_3", False)
    before = len(r.problems)
    if not isinstance(notice, bool):
        r.fail(f"{path}notice_286_3", "true oder false erwartet")
        notice = False
    if "default_from" in item and item["default_from"] is not None and default_from is None:
        return None, False
    if default_from is None and due is None:
        r.fail(f"{path}default_from", "fehlt (Datum im Format JJJJ-MM-TT, oder due_date)")
        return None, False
    ground = default_start(
        due_date=due,
        default_from=default_from,
        invoice_date=invoice,
        reminder_date=reminder,
        notice_286_3=notice,
        consumer=consumer,
        entgelt=entgelt,
    )
    for field, message in ground.problems:
        r.fail(f"{path}{field}", message)
    return ground.default_from, len(r.problems) == before


def _interest(r: _Reader, spec: Any, field: str) -> InterestTerms | None:
    if spec is None:
        r.fail(field, 'fehlt (z. B. {"kind": "statutory"})')
        return None
    if not isinstance(spec, dict):
        r.fail(field, 'muss ein Objekt wie {"kind": "statutory"} sein')
        return None
    kind = spec.get("kind")
    try:
        if kind == "statutory":
            return StatutoryInterest()
        if kind == "none":
            return NoInterest()
        if kind == "base_plus":
            if "points" not in spec:
                r.fail(f"{field}.points", "fehlt (Prozentpunkte über dem Basiszinssatz)")
                return None
            return BasePlusInterest(parse_rate(spec["points"]))
        if kind == "fixed":
            if "rate" not in spec:
                r.fail(f"{field}.rate", "fehlt (Zinssatz in Prozent)")
                return None
            rate = parse_rate(spec["rate"])
            if rate < 0:
                r.fail(f"{field}.rate", f"{rate} ist negativ")
                return None
            return FixedInterest(rate)
    except AmountError as exc:
        key = "points" if kind == "base_plus" else "rate"
        r.fail(f"{field}.{key}", str(exc))
        return None
    r.fail(
        f"{field}.kind", f"unbekannte Zinsart {kind!r} (erlaubt: statutory, base_plus, fixed, none)"
    )
    return None


# -------------------------------------------------------------------------- rendering


def to_json(statement: Statement) -> dict[str, Any]:
    """The machine form: amounts as strings with two decimals, dates ISO."""
    a = format_amount
    return {
        "as_of": statement.as_of.isoformat(),
        "day_count": statement.day_count,
        "allocation": statement.allocation,
        "claims": [
            {
                "id": c.id,
                "kind": c.kind,
                "default_from": c.default_from.isoformat() if c.default_from else None,
                "principal": a(c.principal),
                "principal_open": a(c.principal_open),
                "interest_open": a(c.interest_open),
                "interest_accrued": a(c.interest_accrued),
                "interest_paid": a(c.interest_paid),
                "periods": [
                    {
                        "from": p.start.isoformat(),
                        "to": p.end.isoformat(),
                        "days": p.days,
                        "basis": p.basis,
                        "rate": f"{p.rate.normalize():f}",
                        "base": a(p.base),
                        "interest": a(p.interest),
                    }
                    for p in c.periods
                ],
                **(
                    {
                        "uncharged": [
                            {"from": f.isoformat(), "to": t.isoformat()} for f, t in c.uncharged
                        ]
                    }
                    if c.uncharged
                    else {}
                ),
            }
            for c in statement.claims
        ],
        "costs": [
            {
                "date": c.date.isoformat(),
                "label": c.label,
                "amount": a(c.amount),
                "paid": a(c.paid),
                "open": a(c.open),
                **({"credited": a(c.credited)} if c.credited else {}),
                **({"claim": c.claim} if c.claim else {}),
            }
            for c in statement.costs
        ],
        "allocations": [
            {
                "date": x.date.isoformat(),
                "amount": a(x.amount),
                "to_costs": a(x.to_costs),
                "to_interest": a(x.to_interest),
                "to_principal": a(x.to_principal),
                "unapplied": a(x.unapplied),
                "items": [
                    {"kind": i.kind, "target": i.target, "amount": a(i.amount)} for i in x.items
                ],
                **({"claim": x.claim} if x.claim else {}),
            }
            for x in statement.allocations
        ],
        "totals": {
            "principal_open": a(statement.totals.principal_open),
            "interest_open": a(statement.totals.interest_open),
            "costs_open": a(statement.totals.costs_open),
            "total_open": a(statement.totals.total_open),
            "credit": a(statement.totals.credit),
        },
        "warnings": list(statement.warnings),
    }


def _de(d: date) -> str:
    return d.strftime("%d.%m.%Y")


_PART_DE = {"cost": "Kosten", "interest": "Zinsen", "principal": "Hauptforderung"}


def to_text(statement: Statement, title: str = "") -> str:
    """A German Forderungsaufstellung a person can read."""
    e = format_eur
    lines = [f"Forderungsaufstellung zum {_de(statement.as_of)}" + (f" – {title}" if title else "")]
    lines.append(
        f"Zinsmethode: {statement.day_count} · Verrechnung: "
        f"{ALLOCATIONS[statement.allocation].description}"
    )
    for c in statement.claims:
        lines += ["", f"Forderung {c.id}{' – ' + c.label if c.label else ''}"]
        kind = "" if c.kind == ENTGELT else " (keine Entgeltforderung)"
        if c.default_from is None:
            lines.append(
                f"  Hauptforderung {e(c.principal)}{kind}: nicht in Verzug, keine Verzugszinsen"
            )
        else:
            lines.append(
                f"  Hauptforderung {e(c.principal)}{kind}, Zinsen ab {_de(c.default_from)}: "
                f"{c.interest_terms}"
            )
        if c.periods:
            lines.append(
                f"  {'Zeitraum':<23} {'Tage':>5} {'Zinssatz':>9} {'Betrag':>14} {'Zinsen':>12}"
            )
        for p in c.periods:
            lines.append(
                f"  {_de(p.start)}–{_de(p.end)} {p.days:>5} {format_rate(p.rate):>9} "
                f"{e(p.base):>14} {e(p.interest):>12}"
            )
        lines.append(
            f"  Zinsen gesamt {e(c.interest_accrued)}, davon bezahlt {e(c.interest_paid)}; "
            f"offen: Hauptforderung {e(c.principal_open)}, Zinsen {e(c.interest_open)}"
        )
    if statement.costs:
        lines += ["", "Kosten"]
        for k in statement.costs:
            lines.append(f"  {_de(k.date)} {k.label:<30} {e(k.amount):>12}  offen {e(k.open):>12}")
            if k.credited:
                lines.append(f"  {'':10} davon angerechnet (§ 288 Abs. 5 S. 3 BGB) {e(k.credited)}")
    if statement.allocations:
        lines += ["", "Zahlungen und Verrechnung"]
        for x in statement.allocations:
            parts = (
                ", ".join(f"{_PART_DE[i.kind]} {i.target} {e(i.amount)}" for i in x.items) or "–"
            )
            extra = f", nicht verrechnet {e(x.unapplied)}" if x.unapplied else ""
            named = f" (bestimmt für {x.claim}, § 366 Abs. 1 BGB)" if x.claim else ""
            lines.append(f"  {_de(x.date)} {e(x.amount):>12}{named} → {parts}{extra}")
    t = statement.totals
    lines += [
        "",
        f"  {'Hauptforderung offen':<24}{e(t.principal_open):>16}",
        f"  {'Zinsen offen':<24}{e(t.interest_open):>16}",
        f"  {'Kosten offen':<24}{e(t.costs_open):>16}",
        f"  {'Gesamtforderung':<24}{e(t.total_open):>16}",
    ]
    if t.credit:
        lines.append(f"  {'Guthaben (nicht verrechnet)':<24}{e(t.credit):>16}")
    if statement.warnings:
        lines += ["", "Hinweise"] + [f"  ! {w}" for w in statement.warnings]
    return "\n".join(lines)
