"""``mahnwerk reference``: legal reference values an operator adds without a release.

- ``mahnwerk reference base-rate add 2027-01-01 1.27 --source URL``: the base rate (§ 247
  BGB) of the next half-year, or the confirmation of one marked UNVERIFIED;
- ``mahnwerk reference base-rate list``: the table with status and source of every row;
- ``mahnwerk reference garnishment add 2027-07-01 --base … --first … --further … --cap …
  --source URL [--period monthly|weekly|daily] [--pkonto-base …]``: the amounts of § 850c ZPO;
- ``mahnwerk reference garnishment list``.

Values are stored in the database with who added them (``--by``, default the operating-system
user), audited, and used from then on by everything that reads the tables.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "reference", help="Rechtliche Bezugswerte nachtragen (Basiszinssatz, Pfändungsgrenzen)"
    )
    sub = p.add_subparsers(dest="reference_command", metavar="TABELLE")

    rate = sub.add_parser("base-rate", help="Basiszinssatz (§ 247 BGB)")
    rate_sub = rate.add_subparsers(dest="base_rate_command", metavar="BEFEHL")
    add = rate_sub.add_parser("add", help="Basiszinssatz eines Halbjahrs nachtragen")
    add.add_argument("valid_from", help="gültig ab JJJJ-01-01 oder JJJJ-07-01")
    add.add_argument("rate", help="Satz in Prozent, z. B. 1.27 oder -0.88")
    add.add_argument("--source", required=True, help="Fundstelle (Internetadresse)")
    add.add_argument("--by", help="wer den Wert einträgt (Standard: Benutzer des Systems)")
    add.set_defaults(handler=add_base_rate)
    rate_sub.add_parser("list", help="die Tabelle mit Status und Quelle").set_defaults(
        handler=list_base_rates
    )

    garnish = sub.add_parser("garnishment", help="Pfändungsfreigrenzen (§ 850c ZPO)")
    g_sub = garnish.add_subparsers(dest="garnishment_command", metavar="BEFEHL")
    g_add = g_sub.add_parser("add", help="Beträge ab dem nächsten 1. Juli nachtragen")
    g_add.add_argument("valid_from", help="gültig ab JJJJ-07-01")
    g_add.add_argument("--period", default="monthly", help="monthly, weekly oder daily")
    g_add.add_argument("--base", required=True, help="Grundfreibetrag")
    g_add.add_argument("--first", required=True, help="Erhöhung für die erste Person")
    g_add.add_argument("--further", required=True, help="Erhöhung für die 2.–5. Person")
    g_add.add_argument("--cap", required=True, help="Obergrenze (darüber voll pfändbar)")
    g_add.add_argument("--pkonto-base", dest="pkonto_base", help="P-Konto-Grundfreibetrag")
    g_add.add_argument("--source", required=True, help="Fundstelle (Internetadresse)")
    g_add.add_argument("--by", help="wer den Wert einträgt (Standard: Benutzer des Systems)")
    g_add.set_defaults(handler=add_garnishment)
    g_sub.add_parser("list", help="die Beträge je Stichtag").set_defaults(handler=list_garnishment)


def _actor(by: str | None) -> Any:
    from mahnwerk.commands.admin import _actor as os_actor
    from mahnwerk.services.actor import Actor

    if by:
        return Actor(kind="cli", id=by[:90], role="admin", origin="cli")
    return os_actor()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(f'Fehler: "{text}" ist kein Datum (JJJJ-MM-TT)', file=sys.stderr)
        return None


def add_base_rate(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin.reference_data import ReferenceError, add_base_rate
    from mahnwerk.store.db import transaction

    day = _day(args.valid_from)
    if day is None:
        return EXIT_BAD_INPUT
    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            added = add_base_rate(s, _actor(args.by), day, args.rate, args.source)
    except ReferenceError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"Basiszinssatz ab {day:%d.%m.%Y}: {added.data['rate_percent']} % eingetragen "
        f"({added.data['added_by']}; Quelle {added.data['sources']})."
    )
    return EXIT_OK


def list_base_rates(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.domain.base_rate import BaseRateTable

    build()  # installs the values operators added
    table = BaseRateTable.official()
    for e in table.entries:
        status = "bestätigt" if e.verified else "UNVERIFIED"
        who = f", eingetragen von {e.added_by}" if e.added_by else ""
        print(f"{e.valid_from.isoformat()}  {e.rate:>6} %  {status}{who}  {e.source}")
    print(f"bekannt bis {table.known_until.isoformat()}")
    return EXIT_OK


def add_garnishment(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin.reference_data import ReferenceError, add_garnishment
    from mahnwerk.store.db import transaction

    day = _day(args.valid_from)
    if day is None:
        return EXIT_BAD_INPUT
    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            added = add_garnishment(
                s,
                _actor(args.by),
                day,
                base=args.base,
                first=args.first,
                further=args.further,
                cap=args.cap,
                source=args.source,
                period=args.period,
                pkonto_base=args.pkonto_base,
            )
    except ReferenceError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Pfändungsfreigrenzen ({added.data['period']}) ab {day:%d.%m.%Y} eingetragen.")
    return EXIT_OK


def list_garnishment(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.domain.garnishment import all_parameters

    build()
    for p in all_parameters():
        print(
            f"{p.valid_from.isoformat()}  {p.period:<8} Grundfreibetrag {p.base}  "
            f"1. Person {p.first_dependant}  weitere {p.further_dependant}  Obergrenze {p.cap}"
            f"  {p.source}"
        )
    return EXIT_OK
