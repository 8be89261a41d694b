"""The banking commands:

- ``mahnwerk bank import FILE``: read a CAMT.053/.054 or MT940 statement and book it;
- ``mahnwerk bank review list | confirm ENTRY [--candidate N | --case ID [--amount A] …] |
  ignore ENTRY [--note T]``: the review queue (Klärungsfälle);
- ``mahnwerk bank collect --date D [--out FILE]``: SEPA direct debits due on D (pain.008);
- ``mahnwerk bank payout --from D --to D [--out DIR]``: payouts to creditors (pain.001,
  settlement statements as CSV and PDF).

The agency's account for SEPA files comes from ``MAHNWERK_AGENCY_NAME``,
``MAHNWERK_AGENCY_IBAN``, ``MAHNWERK_AGENCY_BIC`` and ``MAHNWERK_AGENCY_CREDITOR_ID``
(or the options ``--iban`` / ``--creditor-id``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    bank = subparsers.add_parser(
        "bank", help="Bank: Kontoauszüge, Klärung, Lastschriften, Auskehrung"
    )
    sub = bank.add_subparsers(dest="bank_action", metavar="AKTION", required=True)

    imp = sub.add_parser("import", help="Kontoauszug (CAMT.053/054, MT940) einlesen und buchen")
    imp.add_argument("file", type=Path, help="Datei des Kontoauszugs")
    imp.add_argument("--threshold", type=float, help="Schwelle für automatische Buchung (0–1)")
    imp.set_defaults(handler=import_command)

    review = sub.add_parser("review", help="Klärungsfälle: prüfen, bestätigen, korrigieren")
    rsub = review.add_subparsers(dest="review_action", metavar="AKTION", required=True)
    rl = rsub.add_parser("list", help="offene Klärungsfälle mit Vorschlägen")
    rl.add_argument("--all", action="store_true", help="auch nicht zugeordnete Zahlungen")
    rl.set_defaults(handler=review_list)
    rc = rsub.add_parser("confirm", help="Vorschlag bestätigen oder Akte(n) angeben")
    rc.add_argument("entry", type=int, help="Nummer des Umsatzes")
    rc.add_argument("--candidate", type=int, default=1, help="Nummer des Vorschlags (1 = bester)")
    rc.add_argument("--case", action="append", default=[], help="Akte (Aktenzeichen oder Id)")
    rc.add_argument("--amount", action="append", default=[], help="Betrag je --case (Aufteilung)")
    rc.set_defaults(handler=review_confirm)
    ri = rsub.add_parser("ignore", help="nicht unser Geld (bleibt gespeichert)")
    ri.add_argument("entry", type=int, help="Nummer des Umsatzes")
    ri.add_argument("--note", default="", help="Vermerk")
    ri.set_defaults(handler=review_ignore)

    col = sub.add_parser("collect", help="SEPA-Lastschriften für einen Fälligkeitstag (pain.008)")
    col.add_argument("--date", dest="day", required=True, help="Fälligkeitstag JJJJ-MM-TT")
    col.add_argument("--out", type=Path, help="Datei für pain.008 (Standard: Ausgabe)")
    _agency_options(col)
    col.set_defaults(handler=collect_command)

    pay = sub.add_parser("payout", help="Auskehrung an Mandanten (pain.001, Abrechnungen)")
    pay.add_argument("--from", dest="start", required=True, help="erster Tag JJJJ-MM-TT")
    pay.add_argument("--to", dest="end", required=True, help="letzter Tag JJJJ-MM-TT")
    pay.add_argument("--out", type=Path, default=Path("."), help="Ordner für die Dateien")
    pay.add_argument("--execution-date", dest="execution", help="Ausführungstag JJJJ-MM-TT")
    _agency_options(pay)
    pay.set_defaults(handler=payout_command)


def _agency_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--iban", help="Konto der Inkassostelle (sonst MAHNWERK_AGENCY_IBAN)")
    p.add_argument("--creditor-id", dest="creditor_id", help="Gläubiger-ID")
    p.add_argument("--name", help="Name der Inkassostelle")


class _BadInput(Exception):
    pass


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _BadInput(f"{what}: {text!r} ist kein Datum JJJJ-MM-TT") from exc


def _actor() -> Any:
    from mahnwerk.commands.daily import _actor as actor

    return actor()


def _agency(args: argparse.Namespace) -> Any:
    from mahnwerk.config import load_settings
    from mahnwerk.services.banking.collections import agency_party

    return agency_party(
        load_settings(),
        name=args.name or "",
        iban=args.iban or "",
        creditor_id=args.creditor_id or "",
    )


def import_command(args: argparse.Namespace) -> int:
    from mahnwerk.banking.statement import StatementError
    from mahnwerk.bootstrap import build
    from mahnwerk.services.banking.statements import import_statement

    runtime = build()
    try:
        summary = import_statement(runtime, _actor(), args.file, threshold=args.threshold)
    except (StatementError, ValueError) as exc:
        return _fail(f"{exc} – nichts wurde gebucht")
    print(summary.german())
    return EXIT_OK


def review_list(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.banking.review import open_reviews
    from mahnwerk.store.db import transaction

    runtime = build()
    with transaction(runtime.sessions) as s:
        items = open_reviews(s, _actor(), include_unapplied=args.all)
        if not items:
            print("Keine offenen Klärungsfälle.")
        for item in items:
            e = item.entry
            print(
                f"{e.id:>6}  {e.booking_date:%d.%m.%Y}  {e.amount:>10} €  {e.status:<9} "
                f"{e.counterparty_name[:30]:<30}  {e.remittance[:60]}"
            )
            for n, c in enumerate(item.candidates, start=1):
                cases = ", ".join(f"{ref} ({amount} €)" for _, ref, amount in c.allocations)
                print(f"        Vorschlag {n}: {cases}  Sicherheit {c.confidence:.0%}")
                for reason in c.reasons:
                    print(f"            – {reason}")
    return EXIT_OK


def review_confirm(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.commands.daily import _BadInput as DailyBadInput
    from mahnwerk.commands.daily import _case_id
    from mahnwerk.services.banking.review import ReviewError, confirm, correct
    from mahnwerk.store.banking_store import BankEntry
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            if args.case:
                ids = [_case_id(s, c) for c in args.case]
                if args.amount:
                    if len(args.amount) != len(ids):
                        raise _BadInput("je --case ein --amount angeben")
                    amounts = [Decimal(a.replace(",", ".")) for a in args.amount]
                elif len(ids) == 1:
                    entry = s.get(BankEntry, args.entry)
                    if entry is None:
                        raise _BadInput(f"Umsatz {args.entry} nicht gefunden")
                    amounts = [entry.amount]
                else:
                    raise _BadInput("bei mehreren Akten je --case ein --amount angeben")
                row = correct(s, _actor(), args.entry, list(zip(ids, amounts, strict=True)))
            else:
                row = confirm(s, _actor(), args.entry, args.candidate - 1)
            print(f"Umsatz {row.id}: {row.status}")
    except (ReviewError, _BadInput, DailyBadInput, InvalidOperation) as exc:
        return _fail(str(exc))
    return EXIT_OK


def review_ignore(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.banking.review import ReviewError, mark_not_ours
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            row = mark_not_ours(s, _actor(), args.entry, args.note)
            print(f"Umsatz {row.id}: als „nicht unser“ markiert")
    except ReviewError as exc:
        return _fail(str(exc))
    return EXIT_OK


def collect_command(args: argparse.Namespace) -> int:
    from mahnwerk.banking.sepa import SepaError
    from mahnwerk.bootstrap import build
    from mahnwerk.services.banking.collections import CollectionError, collect
    from mahnwerk.store.db import transaction

    try:
        day = _date(args.day, "--date")
        runtime = build()
        with transaction(runtime.sessions) as s:
            run = collect(s, _actor(), day, agency=_agency(args))
            if run.xml is not None:
                if args.out:
                    args.out.write_bytes(run.xml)
                else:
                    sys.stdout.write(run.xml.decode("utf-8"))
    except (_BadInput, CollectionError, SepaError) as exc:
        return _fail(str(exc))
    print(run.german(), file=sys.stderr if not args.out else sys.stdout)
    return EXIT_OK


def payout_command(args: argparse.Namespace) -> int:
    from mahnwerk.banking.sepa import SepaError
    from mahnwerk.bootstrap import build
    from mahnwerk.services.banking.payouts import PayoutError, run_payouts, write_files
    from mahnwerk.store.db import transaction

    try:
        start, end = _date(args.start, "--from"), _date(args.end, "--to")
        execution = _date(args.execution, "--execution-date") if args.execution else None
        runtime = build()
        with transaction(runtime.sessions) as s:
            run = run_payouts(
                s, _actor(), start, end, agency=_agency(args), execution_date=execution,
                out_dir=args.out,
            )  # fmt: skip
    except (_BadInput, PayoutError, SepaError) as exc:
        return _fail(str(exc))
    write_files(run)  # only now that the payout is stored
    print(run.german())
    return EXIT_OK
