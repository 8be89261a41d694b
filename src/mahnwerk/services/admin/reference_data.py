"""Legal reference values an operator adds without a release: the base rate of the next
half-year (§ 247 BGB, published by the Bundesbank) and the garnishment amounts of the next
1 July (§ 850c Abs. 4 ZPO, Pfändungsfreigrenzenbekanntmachung).

Each value is stored with its source and who added it, audited, and installed into the
reference loader at once (and at every start, :func:`mahnwerk.bootstrap.build`), so the ledger,
the daily run, the pages and the API use it from then on. The rules:

- a base rate starts on 1 January or 1 July and continues the table without a gap (the
  half-year after the last known one), or replaces a row marked UNVERIFIED;
- garnishment amounts start on 1 July after the last known set of that period;
- a shipped value that is not UNVERIFIED is never replaced, an operator value never twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from mahnwerk import reference
from mahnwerk.domain.base_rate import BaseRateTable, next_half_year
from mahnwerk.domain.garnishment import PERIODS, all_parameters
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.store.reference import ReferenceValue, install_operator_values, operator_values

BASE_RATES = "basiszinssatz.csv"
GARNISHMENT = "pfaendung_params.csv"
#: Rounding steps of § 850c Abs. 5 S. 1 ZPO per payment period.
STEPS = {"monthly": Decimal("10.00"), "weekly": Decimal("2.50"), "daily": Decimal("0.50")}


class ReferenceError(ValueError):
    """A value that cannot be added (German message)."""


@dataclass(frozen=True)
class Added:
    dataset: str
    key: str
    data: dict[str, str]


def _source(text: str) -> str:
    text = text.strip()
    if not text.startswith(("http://", "https://")) or len(text) > 500:
        raise ReferenceError(
            "--source: die Fundstelle als Internetadresse angeben (http… oder https…), z. B. "
            "die Bekanntmachung der Bundesbank"
        )
    return text


def _amount(text: str, name: str, *, signed: bool = False) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ReferenceError(f"{name}: {text!r} ist keine Zahl") from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ReferenceError(f"{name}: {text!r} hat mehr als zwei Nachkommastellen")
    if not signed and value <= 0:
        raise ReferenceError(f"{name}: muss größer als 0 sein")
    return value.quantize(Decimal("0.01"))


def _not_yet(session: Session, dataset: str, key: str) -> None:
    existing = {v.key: v for v in operator_values(session, dataset)}
    if key in existing:
        old = existing[key]
        raise ReferenceError(
            f"{key} ist schon eingetragen ({old.added_by}, {old.added_at:%d.%m.%Y}, {old.source})"
        )


def _store(
    session: Session, actor: Actor, dataset: str, key: str, valid_from: date, data: dict[str, str]
) -> Added:
    _not_yet(session, dataset, key)
    row = ReferenceValue(
        dataset=dataset,
        key=key,
        valid_from=valid_from,
        data=data,
        source=data["sources"] if "sources" in data else data["source"],
        added_by=actor.label[:100],
        added_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "reference_value",
        row.id,
        details={"dataset": dataset, "key": key, **data},
    )
    install_operator_values(session)
    return Added(dataset, key, data)


def add_base_rate(
    session: Session, actor: Actor, valid_from: date, rate: str, source: str
) -> Added:
    """Add the base rate in force from ``valid_from`` (see the module docstring)."""
    if (valid_from.month, valid_from.day) not in ((1, 1), (7, 1)):
        raise ReferenceError(
            f"{valid_from.isoformat()}: der Basiszinssatz ändert sich nur zum 1. Januar und "
            "1. Juli (§ 247 Abs. 1 BGB)"
        )
    _not_yet(session, BASE_RATES, valid_from.isoformat())
    value = _amount(rate, "Satz", signed=True)
    if not Decimal("-10") <= value <= Decimal("20"):
        raise ReferenceError(f"Satz {value} % ist nicht plausibel (zwischen -10 und 20)")
    table = BaseRateTable.official()
    shipped = {r["valid_from"]: r for r in reference.read_rows(BASE_RATES)}
    row = shipped.get(valid_from.isoformat())
    if row is not None and not reference.is_unverified(row):
        raise ReferenceError(
            f"{valid_from.isoformat()}: der Basiszinssatz {row['rate_percent']} % ist schon "
            "belegt und wird nicht ersetzt"
        )
    expected = next_half_year(table.entries[-1].valid_from)
    if row is None and valid_from != expected:
        raise ReferenceError(
            f"{valid_from.isoformat()}: als Nächstes fehlt das Halbjahr ab {expected.isoformat()}"
            " (die Tabelle wird ohne Lücke fortgeschrieben)"
        )
    data = {
        "valid_from": valid_from.isoformat(),
        "rate_percent": f"{value:f}",
        "status": "operator",
        "sources": _source(source),
        "added_by": actor.label,
    }
    return _store(session, actor, BASE_RATES, valid_from.isoformat(), valid_from, data)


def add_garnishment(
    session: Session,
    actor: Actor,
    valid_from: date,
    *,
    base: str,
    first: str,
    further: str,
    cap: str,
    source: str,
    period: str = "monthly",
    pkonto_base: str | None = None,
) -> Added:
    """Add the § 850c ZPO amounts of one payment period in force from ``valid_from``."""
    if period not in PERIODS:
        raise ReferenceError(f"--period: {period!r} unbekannt (erlaubt: {', '.join(PERIODS)})")
    if (valid_from.month, valid_from.day) != (7, 1):
        raise ReferenceError(
            f"{valid_from.isoformat()}: die Pfändungsfreigrenzen ändern sich zum 1. Juli "
            "(§ 850c Abs. 4 ZPO)"
        )
    last = max(p.valid_from for p in all_parameters() if p.period == period)
    if valid_from <= last:
        raise ReferenceError(
            f"{valid_from.isoformat()}: für {period} gelten schon Werte ab {last.isoformat()}; "
            "eingetragen werden nur spätere"
        )
    amounts = {
        "base": _amount(base, "--base"),
        "first_dependant": _amount(first, "--first"),
        "further_dependant": _amount(further, "--further"),
        "cap": _amount(cap, "--cap"),
    }
    if amounts["cap"] <= amounts["base"]:
        raise ReferenceError("--cap muss über --base liegen")
    data = {
        "valid_from": valid_from.isoformat(),
        "period": period,
        **{k: f"{v:f}" for k, v in amounts.items()},
        "step": f"{STEPS[period]:f}",
        "pkonto_base": "" if pkonto_base is None else f"{_amount(pkonto_base, '--pkonto'):f}",
        "source": _source(source),
        "added_by": actor.label,
    }
    key = f"{valid_from.isoformat()}/{period}"
    return _store(session, actor, GARNISHMENT, key, valid_from, data)
