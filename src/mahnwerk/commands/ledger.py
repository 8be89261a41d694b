"""``mahnwerk ledger check``: the reconciliation of the journal with the claims, costs and
payments of every case (:mod:`mahnwerk.batch.reconcile`). Exit status 0 when everything
agrees, 1 when a case does not (each such case is listed with the figures that differ)."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK = 0
EXIT_MISMATCH = 1


def register(subparsers: Any) -> None:
    ledger = subparsers.add_parser("ledger", help="Buchungsjournal prüfen")
    sub = ledger.add_subparsers(dest="ledger_command", metavar="BEFEHL", required=True)
    sub.add_parser(
        "check", help="Kontenabstimmung: stimmen Journal und Salden für jeden Fall?"
    ).set_defaults(handler=check_command)


def check_command(args: argparse.Namespace) -> int:
    from mahnwerk.batch.reconcile import check
    from mahnwerk.bootstrap import build

    runtime = build()
    with runtime.sessions() as s:
        report = check(s.connection())
    print(report.german())
    return EXIT_OK if report.ok else EXIT_MISMATCH
