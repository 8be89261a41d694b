"""Admin commands for creditors:

- ``mahnwerk creditor add NAME [--email E] [--address "Straße 1, 12345 Ort"] [--iban IBAN]
  [--bic BIC] [--strategy NAME] …``: a new creditor with what its letters and payouts need;
  prints its id (the set-up is checked before anything is stored);
- ``mahnwerk creditor set ID --address … --iban …``: change a creditor's set-up (an empty
  value clears a field);
- ``mahnwerk creditor show ID``: the set-up, and what is missing for letters and payouts;
- ``mahnwerk creditor pending``: registrations waiting for approval;
- ``mahnwerk creditor approve ID``: approve a registered creditor (its e-mail address must
  be confirmed); its users can sign in from then on.

The options of ``add`` and ``set`` (every field of
:data:`mahnwerk.services.admin.creditors.FIELDS`): ``--email``, ``--contact-person``,
``--phone``, ``--address``, ``--address-withheld-reason``, ``--trust-account`` (debtors pay
to the agency's trust account) or ``--own-account``, ``--holder``, ``--iban``, ``--bic`` (the
account debtors pay to; the BIC is looked up from the IBAN when left out), ``--payout-iban``,
``--payout-bic`` (where payouts go; by default the creditor's own account), ``--strategy``,
``--max-months``, ``--min-instalment``, ``--commission-percent``, ``--commission-on``,
``--fees-retained yes|no``, ``--register``, ``--representative``, ``--vat-id``.
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
    add = sub.add_parser("add", help="Mandanten anlegen; gibt seine id aus")
    add.add_argument("name", help="Name des Mandanten (rechtlich)")
    _setup_options(add)
    add.set_defaults(handler=add_command)
    change = sub.add_parser("set", help="Angaben eines Mandanten ändern (leer: löschen)")
    change.add_argument("id", type=int, help="Nummer des Mandanten")
    change.add_argument("--name", help="Name (rechtlich)")
    _setup_options(change)
    change.set_defaults(handler=set_command)
    show = sub.add_parser("show", help="Angaben eines Mandanten und was fehlt")
    show.add_argument("id", type=int, help="Nummer des Mandanten")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=show_command)
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


_OPTIONS = (
    ("email", "E-Mail-Adresse"),
    ("contact_person", "Ansprechpartner"),
    ("phone", "Telefon"),
    ("address", "Anschrift „Straße 1, 12345 Ort“"),
    ("address_withheld_reason", "Grund, die Anschrift in Briefen nicht zu nennen"),
    ("holder", "Kontoinhaber des Zahlungskontos"),
    ("iban", "IBAN des Kontos, auf das Schuldner zahlen"),
    ("bic", "BIC dazu (sonst aus der IBAN)"),
    ("payout_iban", "IBAN für Auskehrungen (sonst das eigene Konto)"),
    ("payout_bic", "BIC für Auskehrungen"),
    ("strategy", "Mahnstrategie (z. B. standard)"),
    ("max_months", "Raten: höchstens so viele Monate"),
    ("min_instalment", "Raten: mindestens dieser Betrag je Rate"),
    ("commission_percent", "Provision in Prozent"),
    ("commission_on", "Provision auf principal, principal_and_interest oder collected"),
    ("fees_retained", "Inkassokosten bleiben bei der Agentur (yes/no)"),
    ("register", "Registereintrag, z. B. HRB 1234, Amtsgericht Lüneburg"),
    ("representative", "Vertreten durch, z. B. Geschäftsführerin Anna Beispiel"),
    ("vat_id", "USt-IdNr."),
)


def _setup_options(parser: argparse.ArgumentParser) -> None:
    for name, helptext in _OPTIONS:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, help=helptext)
    account = parser.add_mutually_exclusive_group()
    account.add_argument(
        "--trust-account",
        dest="trust_account",
        action="store_const",
        const=True,
        help="Schuldner zahlen auf das Treuhandkonto der Agentur (MAHNWERK_AGENCY_IBAN)",
    )
    account.add_argument(
        "--own-account",
        dest="trust_account",
        action="store_const",
        const=False,
        help="Schuldner zahlen auf das eigene Konto des Mandanten (--iban)",
    )


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    from mahnwerk.services.admin.creditors import FIELDS

    return {k: getattr(args, k) for k in FIELDS if getattr(args, k, None) is not None}


def _print_problems(errors: dict[str, str]) -> int:
    from mahnwerk.services.admin.creditors import LABELS

    for key, message in errors.items():
        option = "--" + key.replace("_", "-")
        print(f"Fehler: {option} ({LABELS.get(key, key)}): {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import creditors
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            creditor = creditors.add_creditor(
                s,
                _actor(),
                args.name,
                _changes(args),
                strategy_known=creditors.strategy_checker(runtime.settings),
            )
            creditor_id = creditor.id
            sheet = creditors.sheet(creditor, creditors.Agency.of(runtime.settings))
    except creditors.SetupError as exc:
        return _print_problems(exc.errors)
    print(f"Mandant {args.name.strip()!r} angelegt, id:", file=sys.stderr)
    for p in sheet.problems:
        print(f"Hinweis: {p.message}", file=sys.stderr)
    print(creditor_id)
    return EXIT_OK


def set_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import creditors
    from mahnwerk.store.db import transaction

    runtime = build()
    changes = _changes(args)
    if not changes:
        print("Fehler: nichts zu ändern (Optionen siehe mahnwerk creditor set -h)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with transaction(runtime.sessions) as s:
            creditor, changed = creditors.update_creditor(
                s,
                _actor(),
                args.id,
                changes,
                strategy_known=creditors.strategy_checker(runtime.settings),
            )
            sheet = creditors.sheet(creditor, creditors.Agency.of(runtime.settings))
    except creditors.SetupError as exc:
        return _print_problems(exc.errors)
    except LookupError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    names = ", ".join(creditors.LABELS[k] for k in dict.fromkeys(changed)) or "nichts"
    print(f"Mandant {args.id} geändert: {names}")
    for p in sheet.problems:
        print(f"Hinweis: {p.message}", file=sys.stderr)
    return EXIT_OK


def show_command(args: argparse.Namespace) -> int:
    import json

    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import creditors
    from mahnwerk.store.models import Creditor

    runtime = build()
    with runtime.sessions() as s:
        creditor = s.get(Creditor, args.id)
        if creditor is None:
            print(f"Fehler: Mandant {args.id} gibt es nicht", file=sys.stderr)
            return EXIT_BAD_INPUT
        sheet = creditors.sheet(
            creditor,
            creditors.Agency.of(runtime.settings),
            creditors.strategy_checker(runtime.settings),
        )
        if args.format == "json":
            body = {
                "id": creditor.id,
                "status": creditor.status,
                **sheet.values,
                "letters_blocked": sheet.letters_blocked,
                "problems": [
                    {"field": p.field, "message": p.message, "blocks_letters": p.blocks_letters}
                    for p in sheet.problems
                ],
            }
            print(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            print("\n".join(sheet.lines()))
    return EXIT_OK


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
