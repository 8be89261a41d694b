"""Server and administration commands.

- ``mahnwerk serve [--host 127.0.0.1] [--port 8000]``: the REST API (and webhook delivery)
- ``mahnwerk creditor add|set|show``: see :mod:`mahnwerk.commands.admin`
- ``mahnwerk apikey create --creditor ID | --user EMAIL --scope S… [--name N]``: prints a new
  API key once (a creditor's, or a staff user's acting with that user's role within its
  scopes: read, cases, bank, admin)
- ``mahnwerk apikey list [--creditor ID]`` and ``mahnwerk apikey revoke ID``: the keys with
  their owner, name, last use and status (never the secret); revoking ends a key at once
- ``mahnwerk user add EMAIL --role ROLE [--creditor ID] [--password-stdin]``
- ``mahnwerk audit --case ID [--format text|json]``: who read or changed the case, when, from where
- ``mahnwerk db upgrade``: bring the database schema up to date
- ``mahnwerk webhooks deliver``: one delivery pass over due webhook deliveries

Heavy imports (uvicorn, FastAPI, SQLAlchemy) stay inside the handlers.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="REST-API starten (mit Webhook-Zustellung)",
        description="Startet die REST-API; OpenAPI unter /api/v1/openapi.json.",
    )
    p.add_argument("--host", default="127.0.0.1", help="Adresse (Standard 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="Port (Standard 8000)")
    p.add_argument("--workers", type=int, default=1, help="Prozesse (Standard 1)")
    p.add_argument(
        "--webhook-interval",
        type=float,
        default=5.0,
        help="Sekunden zwischen zwei Zustellrunden der Webhooks; 0 schaltet sie ab",
    )
    p.add_argument("--no-access-log", action="store_true", help="keine Zeile je Anfrage")
    p.set_defaults(handler=serve)

    creditor = subparsers.add_parser("creditor", help="Mandanten verwalten")
    creditor.add_subparsers(dest="creditor_command", metavar="BEFEHL")  # add/set/show: admin.py
    creditor.set_defaults(handler=_help(creditor))

    apikey = subparsers.add_parser("apikey", help="API-Schlüssel verwalten")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", metavar="BEFEHL")
    k = apikey_sub.add_parser(
        "create",
        help="API-Schlüssel für einen Mandanten oder einen Mitarbeiter anlegen "
        "(wird nur einmal angezeigt)",
    )
    owner = k.add_mutually_exclusive_group(required=True)
    owner.add_argument("--creditor", type=int, help="id des Mandanten")
    owner.add_argument(
        "--user",
        metavar="E-MAIL",
        help="aktiver Mitarbeiter (agent, teamlead, compliance, admin), z. B. für den "
        "Kontoauszugsabruf",
    )
    k.add_argument("--name", default="", help="Bezeichnung, z. B. ERP-Anbindung")
    k.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="BERECHTIGUNG",
        help="nur mit --user, nötig, wiederholbar: read (lesen), cases (Fälle ändern), bank "
        "(Kontoauszüge und Klärung), admin (Webhooks); der Schlüssel kann nie mehr als die "
        "Rolle des Mitarbeiters",
    )
    k.set_defaults(handler=apikey_create)
    k = apikey_sub.add_parser(
        "list", help="API-Schlüssel auflisten (Inhaber, Bezeichnung, zuletzt benutzt, Status)"
    )
    k.add_argument("--creditor", type=int, help="nur die Schlüssel dieses Mandanten")
    k.set_defaults(handler=apikey_list)
    k = apikey_sub.add_parser("revoke", help="API-Schlüssel sofort widerrufen")
    k.add_argument("id", type=int, help="id des Schlüssels (aus apikey list)")
    k.set_defaults(handler=apikey_revoke)
    apikey.set_defaults(handler=_help(apikey))

    user = subparsers.add_parser("user", help="Benutzer verwalten")
    user_sub = user.add_subparsers(dest="user_command", metavar="BEFEHL")
    u = user_sub.add_parser("add", help="Benutzer anlegen (Passwort per Eingabe oder stdin)")
    u.add_argument("email")
    u.add_argument(
        "--role",
        required=True,
        choices=("agent", "teamlead", "compliance", "admin", "creditor"),
        help="agent (Sachbearbeitung), teamlead (Teamleitung: Freigaben), compliance "
        "(Modelle, Prüfpfad), admin (Verwaltung), creditor (Mandant, mit --creditor)",
    )
    u.add_argument("--creditor", type=int, help="id des Mandanten (nur Rolle creditor)")
    u.add_argument(
        "--password-stdin", action="store_true", help="Passwort als erste Zeile von stdin lesen"
    )
    u.set_defaults(handler=user_add)
    user.set_defaults(handler=_help(user))

    a = subparsers.add_parser(
        "audit", help="Prüfpfad eines Falls: wer hat wann was gelesen oder geändert, von wo"
    )
    a.add_argument("--case", type=int, required=True, help="id des Falls")
    a.add_argument("--format", choices=("text", "json"), default="text")
    a.set_defaults(handler=audit_trail)

    db = subparsers.add_parser("db", help="Datenbank")
    db_sub = db.add_subparsers(dest="db_command", metavar="BEFEHL")
    d = db_sub.add_parser("upgrade", help="Schema auf den neuesten Stand bringen")
    d.set_defaults(handler=db_upgrade)
    db.set_defaults(handler=_help(db))

    w = subparsers.add_parser("webhooks", help="Webhooks")
    w_sub = w.add_subparsers(dest="webhooks_command", metavar="BEFEHL")
    wd = w_sub.add_parser("deliver", help="fällige Webhook-Zustellungen jetzt senden (ein Lauf)")
    wd.set_defaults(handler=webhooks_deliver)
    w.set_defaults(handler=_help(w))


def _help(parser: argparse.ArgumentParser) -> Any:
    def show(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT

    return show


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# ---------------------------------------------------------------------------- serve


def serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from mahnwerk.asgi import serving_app
    from mahnwerk.bootstrap import build

    interval = args.webhook_interval or None
    print(
        f"mahnwerk auf http://{args.host}:{args.port}/ (API: /api/v1/docs, "
        f"OpenAPI: /api/v1/openapi.json); beenden mit Strg+C",
        file=sys.stderr,
        flush=True,
    )
    if args.workers > 1:
        build()  # migrate once, before the workers start
        os.environ["MAHNWERK_WEBHOOK_INTERVAL"] = str(args.webhook_interval)
        uvicorn.run(
            "mahnwerk.asgi:asgi_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=not args.no_access_log,
        )
    else:
        app = serving_app(build(), webhook_interval=interval)
        uvicorn.run(app, host=args.host, port=args.port, access_log=not args.no_access_log)
    return 0


# ------------------------------------------------------------------------- accounts


def apikey_create(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    if args.user and not args.scope:
        return _fail(
            "ein Mitarbeiter-Schlüssel braucht mindestens eine Berechtigung: "
            "--scope read|cases|bank|admin"
        )
    if args.creditor is not None and args.scope:
        return _fail("--scope gilt nur für Mitarbeiter-Schlüssel (--user)")
    runtime = build()
    try:
        with transaction(runtime.sessions) as session:
            if args.user:
                new = accounts.create_staff_api_key(
                    session, CLI, args.user, args.name, scopes=args.scope
                )
            else:
                new = accounts.create_api_key(session, CLI, args.creditor, args.name)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    owner = f"Benutzer {args.user}" if args.user else f"Mandant {args.creditor}"
    print(
        f"API-Schlüssel für {owner} – er wird nur jetzt angezeigt, gespeichert ist nur sein Hash:",
        file=sys.stderr,
    )
    print(new.key)
    return 0


def apikey_list(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    runtime = build()
    with transaction(runtime.sessions) as session:
        rows = [
            (
                str(key.id),
                f"Mandant {key.creditor_id}" if key.creditor_id else f"Benutzer {key.user_id}",
                key.name or "–",
                "–" if key.creditor_id else (key.scopes.replace(",", " ") or "keine"),
                f"mwk_{key.prefix}_…",
                _when(key.created_at),
                _when(key.last_used_at),
                f"widerrufen {_when(key.revoked_at)}" if key.revoked_at else "aktiv",
            )
            for key in accounts.list_api_keys(session, args.creditor)
        ]
    header = (
        "id",
        "Inhaber",
        "Bezeichnung",
        "Berechtigungen",
        "Schlüssel",
        "angelegt",
        "zuletzt benutzt",
        "Status",
    )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _when(at: datetime | None) -> str:
    """A stored time as the people at the agency read it (Berlin time)."""
    if at is None:
        return "–"
    if at.tzinfo is None:  # SQLite keeps no time zone; stored times are UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y %H:%M")


def apikey_revoke(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as session:
            accounts.revoke_api_key(session, CLI, args.id)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    print(f"API-Schlüssel {args.id} widerrufen; er gilt ab sofort nicht mehr.", file=sys.stderr)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    second = getpass.getpass("Passwort wiederholen: ")
    return first if first == second else None


def user_add(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    password = _read_password(args)
    if password is None:
        return _fail("die Passwörter stimmen nicht überein")
    runtime = build()
    try:
        with transaction(runtime.sessions) as session:
            user = accounts.add_user(
                session, CLI, args.email, password, args.role, creditor_id=args.creditor
            )
            user_id = user.id
    except accounts.AccountError as exc:
        return _fail(str(exc))
    print(f"Benutzer {args.email.strip().lower()} ({args.role}) angelegt, id:", file=sys.stderr)
    print(user_id)
    return 0


# ---------------------------------------------------------------------------- audit


_ACTIONS_DE = {
    "read": "gelesen",
    "create": "angelegt",
    "update": "geändert",
    "delete": "gelöscht",
    "list": "aufgelistet",
    "statement": "Forderungsaufstellung abgerufen",
    "payment": "für Zahlung geöffnet",
    "recall": "für Rückruf geöffnet",
}


def audit_trail(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.audit import entries_for_case
    from mahnwerk.store.db import transaction

    runtime = build()
    with transaction(runtime.sessions) as session:
        rows: list[dict[str, Any]] = [
            {
                "at": (e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)).isoformat(),
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "origin": e.origin,
                "details": e.details or {},
            }
            for e in entries_for_case(session, args.case)
        ]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"Keine Einträge im Prüfpfad für Fall {args.case}.")
        return 0
    print(f"Prüfpfad Fall {args.case} ({len(rows)} Einträge)")
    print(f"{'Zeitpunkt (UTC)':<19}  {'Wer':<14} {'Von wo':<15} Was")
    for r in rows:
        action = str(r["action"])
        what = f"{r['entity']} {r['entity_id'] or ''} {_ACTIONS_DE.get(action, action)}"
        when = str(r["at"])[:19].replace("T", " ")
        print(f"{when:<19}  {r['actor']:<14} {r['origin'] or '-':<15} {what}")
    return 0


# ------------------------------------------------------------------------ db, hooks


def db_upgrade(_args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.store.migrate import current_revision

    runtime = build(migrate=True)
    print(f"Datenbankschema aktuell (Revision {current_revision(runtime.engine)})")
    return 0


def webhooks_deliver(_args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin.webhooks import deliver_due

    report = deliver_due(build())
    print(
        f"Webhooks: {report.delivered} zugestellt, {report.retried} später erneut, "
        f"{report.failed} aufgegeben"
    )
    return 0
