"""Title commands:

- ``mahnwerk title add CASE --kind {vollstreckungsbescheid,urteil,vergleich,notarielle_urkunde}
  --court TEXT --file-no TEXT --issued D --final D [--principal EUR --interest-from D
  --interest statutory|fixed:8.5|base_plus:5 --costs EUR]``: record a title (judgments,
  settlements, notarial deeds, titles bought with a portfolio);
- ``mahnwerk title list CASE``: the case's titles with their limitation dates, recomputed now;
- ``mahnwerk title import FILE [--creditor ID]``: the titles of a bought portfolio (CSV with
  ``case;kind;court;file_no;issued;final;principal;interest_from;interest;costs``), whole or
  nothing; a title recorded before is left as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mahnwerk.commands.enforcement import (
    EXIT_OK,
    BadInput,
    actor,
    amount_of,
    case_id_of,
    day_of,
    fail,
)

KINDS = ("vollstreckungsbescheid", "urteil", "vergleich", "notarielle_urkunde")


def register(subparsers: Any) -> None:
    tp = subparsers.add_parser("title", help="Vollstreckungstitel erfassen und überwachen")
    sub = tp.add_subparsers(dest="title_action", metavar="AKTION", required=True)
    add = sub.add_parser("add", help="Titel erfassen")
    add.add_argument("case", help="Aktenzeichen oder Fallnummer")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--court", required=True, help="Gericht oder Notar")
    add.add_argument("--file-no", required=True, help="Aktenzeichen des Titels")
    add.add_argument("--issued", required=True, help="erlassen am JJJJ-MM-TT")
    add.add_argument("--final", help="rechtskräftig seit JJJJ-MM-TT")
    add.add_argument("--principal", help="titulierte Hauptforderung (Standard: Forderungen)")
    add.add_argument("--interest-from", help="Zinsen ab JJJJ-MM-TT")
    add.add_argument("--interest", help="statutory, none, fixed:8.5 oder base_plus:5")
    add.add_argument("--costs", help="titulierte Kosten (Standard: Kosten bis zum Titel)")
    add.set_defaults(handler=add_command)
    ls = sub.add_parser("list", help="Titel des Falls mit Verjährung")
    ls.add_argument("case", help="Aktenzeichen oder Fallnummer")
    ls.add_argument("--date", dest="day", help="Stichtag (Standard: heute)")
    ls.set_defaults(handler=list_command)
    imp = sub.add_parser("import", help="Titel eines gekauften Portfolios (CSV)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--creditor", type=int, help="Mandant: Spalte case ist dann external_ref")
    imp.set_defaults(handler=import_command)


def add_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement.titles import TitleError, add_title
    from mahnwerk.services.enforcement.titles import title_info as info_of
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Case

    runtime = build()
    try:
        issued = day_of(args.issued, "--issued")
        final = day_of(args.final, "--final") if args.final else None
        since = day_of(args.interest_from, "--interest-from") if args.interest_from else None
        principal = amount_of(args.principal, "--principal")
        costs = amount_of(args.costs, "--costs")
        with transaction(runtime.sessions) as s:
            case_id = case_id_of(s, args.case)
            row = add_title(
                s,
                actor(),
                case_id,
                kind=args.kind,
                court=args.court,
                file_no=args.file_no,
                issued=issued,
                final=final,
                principal=principal,
                interest_from=since,
                interest=args.interest,
                costs=costs,
            )
            case = s.get(Case, case_id)
            assert case is not None
            info = info_of(s, case, row, day_of(None, ""))
            print(f"Titel {row.id} erfasst für {case.reference}.")
            _print_info(info)
    except (BadInput, TitleError) as exc:
        return fail(str(exc))
    return EXIT_OK


def _print_info(info: Any) -> None:
    row = info.row
    print(
        f"  {row.kind} {row.court} {row.file_number} vom {row.issued:%d.%m.%Y}"
        + (f", rechtskräftig seit {row.final:%d.%m.%Y}" if row.final else ", nicht rechtskräftig")
    )
    if info.limitation is not None and info.limitation.last_day_not_barred is not None:
        print(
            f"  Verjährung des Titels: mit Ablauf des "
            f"{info.limitation.last_day_not_barred:%d.%m.%Y} (§ 197 Abs. 1 Nr. 3, § 212 BGB)"
        )
    if info.interest_barred_through is not None:
        print(f"  Zinsen verjährt bis einschließlich {info.interest_barred_through:%d.%m.%Y}")
    t = info.statement.totals
    print(
        f"  offen laut Titel: {t.total_open} € (Hauptforderung {t.principal_open} €, Zinsen "
        f"{t.interest_open} €, Kosten {t.costs_open} €)"
    )


def list_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.court.titles import titles_of_case
    from mahnwerk.services.enforcement.monitoring import next_check
    from mahnwerk.services.enforcement.titles import title_info
    from mahnwerk.store.models import Case

    runtime = build()
    try:
        day = day_of(args.day, "--date")
        with runtime.sessions() as s:
            case = s.get(Case, case_id_of(s, args.case))
            assert case is not None
            rows = titles_of_case(s, case.id)
            if not rows:
                print("Kein Titel erfasst.")
            for row in rows:
                print(f"Titel {row.id}:")
                _print_info(title_info(s, case, row, day))
            monitor = next_check(s, case.id)
            if monitor is not None:
                print(f"Nächste Prüfung: {monitor.next_check_on:%d.%m.%Y}")
    except BadInput as exc:
        return fail(str(exc))
    return EXIT_OK


def import_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement.titles import TitleError, import_titles, parse_titles_csv
    from mahnwerk.store.db import transaction

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return fail(f"{args.file}: {exc.strerror}")
    runtime = build()
    try:
        rows = parse_titles_csv(data, args.file.name)
        with transaction(runtime.sessions) as s:
            recorded, known = import_titles(
                s, actor(), rows, args.file.name, creditor_id=args.creditor
            )
    except (TitleError, UnicodeDecodeError) as exc:
        return fail(f"{exc} – nichts wurde gespeichert")
    print(f"{recorded} Titel erfasst, {known} schon bekannt.")
    return EXIT_OK
