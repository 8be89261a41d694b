"""Calculators: ``mahnwerk fees``, ``mahnwerk garnish``, ``mahnwerk limitation``.

Thin shells over :mod:`mahnwerk.domain.fees`, :mod:`mahnwerk.domain.garnishment` and
:mod:`mahnwerk.domain.limitation`. Text output is German; ``--format json`` prints amounts as
strings with two decimals and dates as ``YYYY-MM-DD``. Bad input ends with exit code 2 and one
message on stderr naming the option. Only this shell may use today's date as a default.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.domain.fees import (
    AGENCY_FACTORS,
    CourtFee,
    FeeBreakdown,
    agency_fee,
    agreement_fee,
    dunning_court_fee,
    rvg_schedule,
)
from mahnwerk.domain.garnishment import PERIODS, GarnishmentResult, garnishable
from mahnwerk.domain.limitation import (
    LimitationEvent,
    LimitationResult,
    acknowledgement,
    dunning_order_served,
    dunning_procedure_ended,
    enforcement,
    limitation_date,
    title_final,
)
from mahnwerk.domain.money import AmountError, format_amount, format_eur, parse_amount
from mahnwerk.services.actor import today_in_germany

EXIT_OK = 0
EXIT_BAD_INPUT = 2
FORMATS = ("text", "json")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^\d+$")


class InputError(Exception):
    """Bad command-line input; the message names the option."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


# --- parsing -------------------------------------------------------------------------------


def _required(value: str | None, option: str) -> str:
    if value is None or not value.strip():
        raise InputError(option, "Angabe fehlt (required)")
    return value


def _amount(value: str | None, option: str, *, allow_zero: bool) -> Decimal:
    text = _required(value, option)
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        raise InputError(
            option,
            f"„{text}“ ist kein gültiger Betrag – Dezimalpunkt verwenden, z. B. 1250.50 ({exc})",
        ) from exc
    if amount < 0 or (amount == 0 and not allow_zero):
        which = "negativ" if amount < 0 else "null"
        raise InputError(option, f"Betrag darf nicht {which} sein: {text}")
    return amount


def _date(value: str | None, option: str, default_today: bool = False) -> date:
    if value is None and default_today:
        return today_in_germany()
    text = _required(value, option).strip()
    if not _DATE.match(text):
        raise InputError(option, f"„{text}“ ist kein Datum im Format JJJJ-MM-TT (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(option, f"„{text}“ ist kein gültiges Datum ({exc})") from exc


def _choice(value: str, option: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(option, f"„{value}“ ist nicht erlaubt; erlaubt: {', '.join(choices)}")
    return value


def _fail(command: str, message: str) -> int:
    print(f"mahnwerk {command}: Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _de(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# --- fees ----------------------------------------------------------------------------------


def _breakdown_json(b: FeeBreakdown) -> dict[str, Any]:
    return {
        "schedule": b.schedule,
        "claim_value": format_amount(b.claim_value),
        "value": format_amount(b.value),
        "lines": [
            {
                "code": line.code,
                "label": line.label,
                "rate": None if line.rate is None else str(line.rate),
                "amount": format_amount(line.amount),
            }
            for line in b.lines
        ],
        "fees": format_amount(b.fees),
        "expenses": format_amount(b.expenses),
        "net": format_amount(b.net),
        "vat": format_amount(b.vat),
        "total": format_amount(b.total),
        "notes": list(b.notes),
    }


def _court_json(c: CourtFee) -> dict[str, Any]:
    return {
        "code": c.code,
        "label": c.label,
        "schedule": c.schedule,
        "value": format_amount(c.value),
        "rate": str(c.rate),
        "full_fee": format_amount(c.full_fee),
        "minimum": format_amount(c.minimum),
        "minimum_applied": c.minimum_applied,
        "amount": format_amount(c.amount),
        "unverified": c.unverified,
        "notes": list(c.notes),
    }


def _breakdown_text(title: str, b: FeeBreakdown) -> list[str]:
    out = [title]
    for line in b.lines:
        out.append(f"  {line.code:<8} {line.label:<66} {format_eur(line.amount):>14}")
    out.append(f"  {'Summe':<75} {format_eur(b.total):>14}")
    out.extend(f"  Hinweis: {note}" for note in b.notes)
    return out


def _fees(args: argparse.Namespace) -> int:
    try:
        value = _amount(args.value, "--value", allow_zero=False)
        on = _date(args.date, "--date", default_today=True)
        factor_text = _choice(args.factor, "--factor", tuple(str(f) for f in AGENCY_FACTORS))
        fmt = _choice(args.format, "--format", FORMATS)
        try:
            schedule = rvg_schedule(on)
            agency = agency_fee(value, on, factor=Decimal(factor_text), vat=args.vat)
            agreement = agreement_fee(value, on, vat=args.vat, business_fee=agency.fees)
            court = dunning_court_fee(value, on)
        except ValueError as exc:
            raise InputError("--date", f"{_de(on)} wird nicht abgedeckt ({exc})") from exc
    except InputError as exc:
        return _fail("fees", str(exc))

    if fmt == "json":
        _print_json(
            {
                "claim_value": format_amount(value),
                "date": on.isoformat(),
                "factor": factor_text,
                "vat": bool(args.vat),
                "agency_fee": _breakdown_json(agency),
                "agreement_fee": _breakdown_json(agreement),
                "court_fee": _court_json(court),
            }
        )
        return EXIT_OK

    lines = [
        f"Gebühren für eine Forderung von {format_eur(value)} "
        f"(Auftrag/Antrag vom {_de(on)}, {schedule.law})",
        "",
    ]
    lines += _breakdown_text(
        "Inkassokosten (§ 13e Abs. 1 RDG: höchstens die Vergütung eines Rechtsanwalts nach RVG)",
        agency,
    )
    lines.append("")
    lines += _breakdown_text(
        f"Einigungsgebühr bei Zahlungsvereinbarung (Gegenstandswert {format_eur(agreement.value)})",
        agreement,
    )
    lines.append("")
    lines.append(f"Gerichtskosten Mahnverfahren (Streitwert {format_eur(court.value)})")
    lines.append(f"  {court.code:<8} {court.label:<66} {format_eur(court.amount):>14}")
    if court.minimum_applied:
        lines.append(
            f"  Hinweis: Mindestgebühr {format_eur(court.minimum)} angewandt "
            f"(0,5-Gebühr wäre {format_eur(court.full_fee * court.rate)})."
        )
    lines.extend(f"  Hinweis: {note}" for note in court.notes)
    print("\n".join(lines))
    return EXIT_OK


# --- garnishment ---------------------------------------------------------------------------

_PERIOD_DE = {"monthly": "monatlich", "weekly": "wöchentlich", "daily": "täglich"}


def _garnish_json(r: GarnishmentResult) -> dict[str, Any]:
    return {
        "income": format_amount(r.income),
        "dependants": r.dependants,
        "dependants_counted": r.dependants_counted,
        "period": r.period,
        "garnishable": format_amount(r.garnishable),
        "exempt": format_amount(r.exempt),
        "exempt_threshold": format_amount(r.exempt_threshold),
        "share": str(r.share),
        "table_income": format_amount(r.table_income),
        "above_cap": format_amount(r.above_cap),
        "cap": format_amount(r.parameters.cap),
        "valid_from": r.valid_from.isoformat(),
        "source": r.source,
    }


def _garnish(args: argparse.Namespace) -> int:
    try:
        income = _amount(args.income, "--income", allow_zero=True)
        dep_text = _required(args.dependants, "--dependants").strip()
        if not _INT.match(dep_text):
            raise InputError("--dependants", f"„{dep_text}“ ist keine ganze Zahl ≥ 0")
        dependants = int(dep_text)
        on = _date(args.date, "--date", default_today=True)
        period = _choice(args.period, "--period", PERIODS)
        fmt = _choice(args.format, "--format", FORMATS)
        try:
            result = garnishable(income, dependants, on, period)
        except ValueError as exc:
            raise InputError("--date", f"{_de(on)} wird nicht abgedeckt ({exc})") from exc
    except InputError as exc:
        return _fail("garnish", str(exc))

    if fmt == "json":
        _print_json(_garnish_json(result))
        return EXIT_OK
    counted = ""
    if result.dependants != result.dependants_counted:
        counted = f" (berücksichtigt: {result.dependants_counted}, § 850c Abs. 2 ZPO)"
    share = f"{int(result.share * 100)} %"
    lines = [
        "Pfändbarer Betrag aus Arbeitseinkommen (§ 850c ZPO)",
        f"  Nettoeinkommen ({_PERIOD_DE[period]}):  {format_eur(result.income)}",
        f"  Unterhaltspflichten:  {result.dependants}{counted}",
        f"  Pfändungsfreibetrag:  {format_eur(result.exempt_threshold)}",
        f"  Einkommen laut Tabelle (abgerundet):  {format_eur(result.table_income)}",
        f"  pfändbarer Anteil des Mehrbetrags:  {share}",
    ]
    if result.above_cap:
        lines.append(
            f"  über {format_eur(result.parameters.cap)} voll pfändbar:  "
            f"{format_eur(result.above_cap)}"
        )
    lines += [
        f"  pfändbar:  {format_eur(result.garnishable)}",
        f"  unpfändbar:  {format_eur(result.exempt)}",
        f"  Werte gültig ab {_de(result.valid_from)}: {result.source}",
    ]
    print("\n".join(lines))
    return EXIT_OK


# --- limitation ----------------------------------------------------------------------------


def _limitation_json(r: LimitationResult) -> dict[str, Any]:
    last, barred = r.last_day_not_barred, r.barred_from
    return {
        "last_day_not_barred": None if last is None else last.isoformat(),
        "barred_from": None if barred is None else barred.isoformat(),
        "rule": r.rule,
        "rule_text": r.rule_text,
        "suspended_days": r.suspended_days,
        "suspension_open": r.suspension_open,
        "steps": list(r.steps),
        "notes": list(r.notes),
    }


def _limitation(args: argparse.Namespace) -> int:
    try:
        origin = _date(args.origin, "--origin")
        knowledge = None if args.knowledge is None else _date(args.knowledge, "--knowledge")
        events: list[LimitationEvent] = []

        def event_date(value: str, option: str) -> date:
            day = _date(value, option)
            if day < origin:
                raise InputError(option, f"{_de(day)} liegt vor der Entstehung ({_de(origin)})")
            return day

        served = ended = None
        if args.served is not None:
            served = event_date(args.served, "--dunning-order-served")
            events.append(dunning_order_served(served))
        if args.ended is not None:
            ended = event_date(args.ended, "--dunning-procedure-ended")
            if served is None:
                raise InputError(
                    "--dunning-procedure-ended", "nur zusammen mit --dunning-order-served"
                )
            if ended < served:
                raise InputError(
                    "--dunning-procedure-ended", "liegt vor der Zustellung des Mahnbescheids"
                )
            events.append(dunning_procedure_ended(ended))
        for value in args.acknowledged or []:
            events.append(acknowledgement(event_date(value, "--acknowledged")))
        for value in args.enforcement or []:
            events.append(enforcement(event_date(value, "--enforcement")))
        if args.title is not None:
            events.append(title_final(event_date(args.title, "--title")))
        fmt = _choice(args.format, "--format", FORMATS)
        try:
            result = limitation_date(origin, events, knowledge=knowledge)
        except ValueError as exc:  # pragma: no cover - the checks above come first
            raise InputError("--origin", str(exc)) from exc
    except InputError as exc:
        return _fail("limitation", str(exc))

    if fmt == "json":
        _print_json(_limitation_json(result))
        return EXIT_OK
    lines = ["Verjährung (§§ 195 ff. BGB)"]
    if result.last_day_not_barred is None or result.barred_from is None:
        lines.append("  Ergebnis: gehemmt – das Mahnverfahren ist nicht beendet")
    else:
        lines.append(
            f"  verjährt mit Ablauf des {_de(result.last_day_not_barred)} "
            f"(Einrede möglich ab {_de(result.barred_from)})"
        )
    lines.append(f"  maßgebliche Regel: {result.rule_text}")
    lines.append("Berechnung:")
    lines.extend(f"  {i}. {step}" for i, step in enumerate(result.steps, start=1))
    if result.notes:
        lines.append("Hinweise:")
        lines.extend(f"  - {note}" for note in result.notes)
    print("\n".join(lines))
    return EXIT_OK


# --- registration --------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add the ``fees``, ``garnish`` and ``limitation`` subcommands."""
    fees = subparsers.add_parser(
        "fees",
        help="Inkassokosten, Einigungsgebühr und Gerichtskosten des Mahnverfahrens",
        description=(
            "Gebühren für eine Forderung: Inkassokosten (§ 13e RDG, Nr. 2300/7002/7008 VV RVG), "
            "Einigungsgebühr bei Zahlungsvereinbarung (Nr. 1000 VV RVG, § 31b RVG) und "
            "Gerichtsgebühr des Mahnverfahrens (Nr. 1100 KV GKG)."
        ),
    )
    fees.add_argument("--value", help="Forderung (Hauptforderung) in Euro, z. B. 1250.50 (Pflicht)")
    fees.add_argument(
        "--date",
        help="Datum des unbedingten Auftrags bzw. des Mahnantrags, JJJJ-MM-TT (Standard: heute)",
    )
    fees.add_argument(
        "--factor",
        default="0.9",
        help="Gebührensatz VV 2300 in Schritten von 0.1: bis 0.5 im einfachen Fall, sonst bis "
        "0.9, bis 1.3 nur bei besonders umfangreicher oder schwieriger Tätigkeit",
    )
    fees.add_argument(
        "--vat",
        action="store_true",
        help="Umsatzsteuer ansetzen (Gläubiger nicht vorsteuerabzugsberechtigt)",
    )
    fees.add_argument("--format", default="text", help="text oder json")
    fees.set_defaults(handler=_fees)

    garnish = subparsers.add_parser(
        "garnish",
        help="pfändbarer Betrag aus Arbeitseinkommen (§ 850c ZPO)",
        description="Pfändbarer Betrag nach der Pfändungstabelle (§ 850c ZPO).",
    )
    garnish.add_argument("--income", help="Nettoeinkommen im Zeitraum, z. B. 2400.00 (Pflicht)")
    garnish.add_argument("--dependants", help="Anzahl Unterhaltsberechtigte, 0 bis 5+ (Pflicht)")
    garnish.add_argument("--date", help="Zahltag, JJJJ-MM-TT (Standard: heute)")
    garnish.add_argument("--period", default="monthly", help="monthly, weekly oder daily")
    garnish.add_argument("--format", default="text", help="text oder json")
    garnish.set_defaults(handler=_garnish)

    limitation = subparsers.add_parser(
        "limitation",
        help="Verjährung einer Forderung (§§ 195 ff. BGB)",
        description="Tag, mit dessen Ablauf die Forderung verjährt (§§ 195 ff. BGB).",
    )
    limitation.add_argument("--origin", help="Entstehung des Anspruchs, JJJJ-MM-TT (Pflicht)")
    limitation.add_argument("--knowledge", help="Kenntnis des Gläubigers (Standard: --origin)")
    limitation.add_argument(
        "--dunning-order-served", dest="served", help="Zustellung des Mahnbescheids"
    )
    limitation.add_argument(
        "--dunning-procedure-ended", dest="ended", help="Ende des Mahnverfahrens"
    )
    limitation.add_argument(
        "--acknowledged",
        action="append",
        help="Anerkenntnis, z. B. Teilzahlung (mehrfach möglich)",
    )
    limitation.add_argument(
        "--enforcement",
        action="append",
        help="Vollstreckungshandlung beantragt/vorgenommen (mehrfach möglich)",
    )
    limitation.add_argument(
        "--title", help="Rechtskraft des Titels (Urteil/Vollstreckungsbescheid)"
    )
    limitation.add_argument("--format", default="text", help="text oder json")
    limitation.set_defaults(handler=_limitation)
