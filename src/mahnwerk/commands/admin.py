"""Admin commands for creditor accounts:

- ``mahnwerk creditor pending``: registrations waiting for approval;
- ``mahnwerk creditor approve ID``: approve a registered creditor (its e-mail address must
  be confirmed); its users can sign in from then on.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    sub = _creditor_commands(subparsers)
    sub.add_parser("pending", help="Registrierungen, die auf Freischaltung warten").set_defaults(
        handler=pending_command
    )
    approve = sub.add_parser("approve", help="registrierten Mandanten freischalten")
    approve.add_argument("id", type=int, help="Nummer des Mandanten")
    approve.set_defaults(handler=approve_command)


def _creditor_commands(subparsers: Any) -> Any:
    """The sub-commands of ``mahnwerk creditor`` (``add`` lives in the server commands; this
    module adds ``pending`` and ``approve`` to the same command)."""
    parser = subparsers.choices.get("creditor")
    if parser is None:
        parser = subparsers.add_parser("creditor", help="Mandanten verwalten")
        return parser.add_subparsers(dest="creditor_command", metavar="BEFEHL")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="creditor_command", metavar="BEFEHL")


def _actor() -> Any:
    from mahnwerk.services.actor import Actor

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment
        user = "local"
    return Actor(kind="cli", id=user, role="admin", origin="cli")


def pending_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import registration

    runtime = build()
    with runtime.sessions() as s:
        rows = registration.pending(s)
        if not rows:
            print("Keine Registrierungen offen.")
        for creditor, reg in rows:
            state = "bestätigt" if reg.email_confirmed_at else "E-Mail unbestätigt"
            print(
                f"{creditor.id:>6}  {creditor.name}  <{reg.email}>  {reg.contact_name}  "
                f"seit {reg.created_at:%d.%m.%Y}  {state}"
            )
    return EXIT_OK


def approve_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import registration
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            creditor = registration.approve(s, _actor(), args.id)
            name = creditor.name
    except registration.ApprovalError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Mandant {args.id} ({name}) ist freigeschaltet.")
    return EXIT_OK
