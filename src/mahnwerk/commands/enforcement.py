"""Enforcement commands (CASE is the agency's reference ``MW-…`` or the internal id):

- ``mahnwerk enforcement form CASE --kind {gv_auftrag,pfueb} --out FILE.pdf
  [--drittschuldner "Name, Straße 1, 12345 Ort"] [--bank] [--modules G,H] [--date D]``;
- ``mahnwerk enforcement propose CASE [--drittschuldner …]``: the measure most likely to work,
  as an approval for a person (``mahnwerk approvals approve ID --reason …``);
- ``mahnwerk enforcement filed MEASURE --on D``: the approved measure was filed;
- ``mahnwerk enforcement outcome CASE --kind K --on D [--measure ID] [--amount A] [--note T]``;
- ``mahnwerk enforcement employer CASE --name N [--address A] [--income I] [--dependants N]``;
- ``mahnwerk enforcement register CASE --entered-on D --reason R``: Schuldnerverzeichnis;
- ``mahnwerk enforcement cost CASE --amount A --label T [--date D]``: a cost of enforcement;
- ``mahnwerk enforcement history CASE``.

Exit code 2 with a German message naming what is wrong; nothing is half stored.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2
OUTCOME_KINDS = (
    "asset_disclosure_received",
    "garnishment_served",
    "third_party_positive",
    "third_party_negative",
    "nothing_to_seize",
    "completed",
)


class BadInput(Exception):
    pass


def actor() -> Any:
    from mahnwerk.services.actor import Actor

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment
        user = "local"
    return Actor(kind="cli", id=user, role="admin", origin="cli")


def day_of(text: str | None, what: str) -> date:
    if not text:
        from mahnwerk.services.actor import today_in_germany

        return today_in_germany()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"{what}: {text!r} ist kein Datum JJJJ-MM-TT") from exc


def amount_of(text: str | None, what: str) -> Decimal | None:
    if text is None:
        return None
    from mahnwerk.domain.money import AmountError, parse_amount

    try:
        return parse_amount(text)
    except AmountError as exc:
        raise BadInput(f"{what}: {exc}") from exc


def case_id_of(session: Any, text: str) -> int:
    from sqlalchemy import select

    from mahnwerk.store.models import Case

    found = session.scalar(select(Case.id).where(Case.reference == text))
    if found is None and text.isdigit():
        found = session.scalar(select(Case.id).where(Case.id == int(text)))
    if found is None:
        raise BadInput(f"Fall {text!r} nicht gefunden")
    return int(found)


def fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def register(subparsers: Any) -> None:
    en = subparsers.add_parser("enforcement", help="Zwangsvollstreckung: Formulare, Maßnahmen")
    sub = en.add_subparsers(dest="enforcement_action", metavar="AKTION", required=True)

    form = sub.add_parser("form", help="amtliches Formular als PDF (ZVFV)")
    form.add_argument("case", help="Aktenzeichen oder Fallnummer")
    form.add_argument("--kind", required=True, choices=("gv_auftrag", "pfueb"))
    form.add_argument("--out", required=True, type=Path, help="PDF-Datei")
    form.add_argument("--drittschuldner", default="", help='"Name, Straße 1, 12345 Ort"')
    form.add_argument("--bank", action="store_true", help="Drittschuldner ist eine Bank")
    form.add_argument("--modules", default="", help="Module des GV-Auftrags, z. B. G,H")
    form.add_argument("--date", dest="day", help="Tag des Formulars (Standard: heute)")
    form.add_argument("--title", type=int, help="Nummer des Titels (Standard: der neueste)")
    form.set_defaults(handler=form_command)

    prop = sub.add_parser("propose", help="nächste Maßnahme vorschlagen (zur Freigabe)")
    prop.add_argument("case", help="Aktenzeichen oder Fallnummer")
    prop.add_argument("--drittschuldner", default="", help='"Name, Straße 1, 12345 Ort"')
    prop.add_argument("--date", dest="day", help="Tag (Standard: heute)")
    prop.set_defaults(handler=propose_command)

    filed = sub.add_parser("filed", help="freigegebene Maßnahme wurde eingereicht")
    filed.add_argument("measure", type=int, help="Nummer der Maßnahme")
    filed.add_argument("--on", required=True, help="Tag der Einreichung JJJJ-MM-TT")
    filed.set_defaults(handler=filed_command)

    out = sub.add_parser("outcome", help="Ergebnis einer Maßnahme erfassen")
    out.add_argument("case", help="Aktenzeichen oder Fallnummer")
    out.add_argument("--kind", required=True, choices=OUTCOME_KINDS)
    out.add_argument("--on", required=True, help="Tag JJJJ-MM-TT")
    out.add_argument("--measure", type=int, help="Nummer der Maßnahme")
    out.add_argument("--amount", help="Betrag (z. B. pfändbarer Betrag im Monat)")
    out.add_argument("--note", default="", help="Vermerk")
    out.set_defaults(handler=outcome_command)

    emp = sub.add_parser("employer", help="Arbeitgeber des Schuldners erfassen")
    emp.add_argument("case", help="Aktenzeichen oder Fallnummer")
    emp.add_argument("--name", required=True)
    emp.add_argument("--address", default="", help='"Straße 1, 12345 Ort"')
    emp.add_argument("--income", help="Nettoeinkommen im Monat")
    emp.add_argument("--dependants", type=int, help="Unterhaltspflichten")
    emp.add_argument("--since", help="bekannt seit JJJJ-MM-TT")
    emp.set_defaults(handler=employer_command)

    reg = sub.add_parser("register", help="Eintrag im Schuldnerverzeichnis erfassen")
    reg.add_argument("case", help="Aktenzeichen oder Fallnummer")
    reg.add_argument("--entered-on", required=True, help="Tag der Eintragungsanordnung")
    reg.add_argument("--reason", required=True, help="Grund (§ 882c Abs. 1 Nr. … ZPO)")
    reg.add_argument("--court", default="")
    reg.add_argument("--file-no", default="")
    reg.set_defaults(handler=register_command)

    cost = sub.add_parser("cost", help="Kosten der Vollstreckung buchen (§ 788 ZPO)")
    cost.add_argument("case", help="Aktenzeichen oder Fallnummer")
    cost.add_argument("--amount", required=True, help="Betrag, z. B. 45.20")
    cost.add_argument("--label", required=True, help="Art, z. B. Gerichtsvollzieherkosten")
    cost.add_argument("--date", dest="day", help="Tag (Standard: heute)")
    cost.add_argument("--measure", type=int, help="Nummer der Maßnahme")
    cost.set_defaults(handler=cost_command)

    hist = sub.add_parser("history", help="Titel, Maßnahmen und Ergebnisse des Falls")
    hist.add_argument("case", help="Aktenzeichen oder Fallnummer")
    hist.set_defaults(handler=history_command)


def form_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.enforcement.gv_auftrag import Module
    from mahnwerk.enforcement.values import FormError
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    try:
        day = day_of(args.day, "--date")
        modules = tuple(Module(m.strip().upper()) for m in args.modules.split(",") if m.strip())
    except ValueError as exc:
        return fail(f"--modules: {exc} (G, H, K, L, M, N)")
    except BadInput as exc:
        return fail(str(exc))
    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            pdf, doc = measures.form_pdf(
                s,
                actor(),
                runtime.settings,
                case_id_of(s, args.case),
                args.kind,
                today=day,
                drittschuldner=args.drittschuldner,
                drittschuldner_kind="bank" if args.bank else "employer",
                modules=modules,
                title_id=args.title,
            )
    except (BadInput, FormError, measures.MeasureError, ValueError) as exc:
        return fail(str(exc))
    args.out.write_bytes(pdf)
    print(f"{args.out} geschrieben ({len(pdf)} Bytes, Dokument {doc.id} der Akte)")
    return EXIT_OK


def propose_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        day = day_of(args.day, "--date")
        with transaction(runtime.sessions) as s:
            proposal, measure = measures.propose_measure(
                s,
                actor(),
                runtime.settings,
                case_id_of(s, args.case),
                today=day,
                drittschuldner=args.drittschuldner,
            )
            approval_id = measure.approval_id if measure else None
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    print(f"Vorschlag: {proposal.measure.german}")
    for reason in proposal.reasons:
        print(f"  – {reason}")
    if proposal.costs.lines:
        print(f"  Kosten: {proposal.costs.describe()}")
        for line in proposal.costs.lines:
            amount = "nicht hinterlegt" if line.amount is None else f"{line.amount} €"
            print(f"    {line.code:<12} {amount:>16}  {line.label}")
    if proposal.expected_recovery is not None or proposal.recovery_basis:
        print(f"  Erwarteter Ertrag: {proposal.recovery_basis}")
    if approval_id is not None:
        print(f"Freigabe {approval_id} angefragt (mahnwerk approvals approve {approval_id} …)")
    return EXIT_OK


def filed_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        on = day_of(args.on, "--on")
        with transaction(runtime.sessions) as s:
            m = measures.mark_filed(s, actor(), args.measure, on)
            print(f"Maßnahme {m.id} eingereicht am {on:%d.%m.%Y}: Verjährung des Titels neu")
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    return EXIT_OK


def outcome_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        on = day_of(args.on, "--on")
        amount = amount_of(args.amount, "--amount")
        with transaction(runtime.sessions) as s:
            row = measures.record_outcome(
                s,
                actor(),
                case_id_of(s, args.case),
                args.kind,
                on,
                measure_id=args.measure,
                amount=amount,
                note=args.note,
            )
            print(f"Ergebnis {row.id} erfasst.")
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    return EXIT_OK


def employer_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        income = amount_of(args.income, "--income")
        since = day_of(args.since, "--since") if args.since else None
        with transaction(runtime.sessions) as s:
            row = measures.add_employer(
                s,
                actor(),
                case_id_of(s, args.case),
                args.name,
                address=args.address,
                net_income=income,
                dependants=args.dependants,
                since=since,
            )
            print(f"Arbeitgeber {row.id} erfasst: {row.name}")
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    return EXIT_OK


def register_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        on = day_of(args.entered_on, "--entered-on")
        with transaction(runtime.sessions) as s:
            measures.add_register_entry(
                s, actor(), case_id_of(s, args.case), on, args.reason,
                court=args.court, file_no=args.file_no,
            )  # fmt: skip
            print(f"Eintrag im Schuldnerverzeichnis vom {on:%d.%m.%Y} erfasst.")
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    return EXIT_OK


def cost_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        day = day_of(args.day, "--date")
        amount = amount_of(args.amount, "--amount")
        assert amount is not None
        with transaction(runtime.sessions) as s:
            measures.add_enforcement_cost(
                s, actor(), case_id_of(s, args.case), day, args.label, amount,
                measure_id=args.measure,
            )  # fmt: skip
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    print(f"Kosten {amount} € gebucht ({args.label}, {day:%d.%m.%Y}).")
    return EXIT_OK


def history_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import measures
    from mahnwerk.store.models import Case

    runtime = build()
    try:
        with runtime.sessions() as s:
            case = s.get(Case, case_id_of(s, args.case))
            assert case is not None
            entries = measures.history(s, case)
            if not entries:
                print("Noch keine Vollstreckung.")
            for e in entries:
                print(f"{e.on:%d.%m.%Y}  {e.text}")
    except BadInput as exc:
        return fail(str(exc))
    return EXIT_OK
