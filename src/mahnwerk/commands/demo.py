"""``mahnwerk demo [--cases 5000] [--seed 1] [--weeks 6] [--force] [--if-empty]``: the demo
portfolio.

Only on an empty database; ``--force`` only allows an existing var directory that holds no
models yet (the database must still be empty)."""

from __future__ import annotations

import sys
from typing import Any

EXIT_OK = 0
EXIT_REFUSED = 1


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="Demo-Bestand anlegen (nur auf leerer Datenbank)")
    p.add_argument("--cases", type=int, default=5000, help="etwa so viele Fälle (Standard 5000)")
    p.add_argument("--seed", type=int, default=1, help="Zufallszahl für Bestand und Namen")
    p.add_argument("--weeks", type=int, default=6, help="simulierte Wochen mit Mahnläufen")
    p.add_argument("--force", action="store_true", help="auch wenn var/ schon existiert")
    p.add_argument(
        "--render-today",
        action="store_true",
        help="Briefe des heutigen Laufs wirklich erzeugen (langsamer)",
    )
    p.add_argument(
        "--queue-today",
        action="store_true",
        help="Nachrichten des heutigen Laufs für den Worker einreihen (make run)",
    )
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="nur anlegen, wenn die Datenbank leer ist; sonst die Demo-Anmeldungen zeigen",
    )
    p.set_defaults(handler=demo_command)


def _has_data(runtime: Any) -> bool:
    from sqlalchemy import func, select

    from mahnwerk.store.models import Creditor

    with runtime.sessions() as session:
        return bool(session.scalar(select(func.count(Creditor.id))))


def _print_logins() -> None:
    from mahnwerk.services.admin.demo import demo_logins

    logins = demo_logins()
    print(f"Demo-Anmeldungen (Passwort für alle: {logins[0]['password']}):")
    for login in logins:
        print(f"  {login['email']:<32} {login['who']}")


def demo_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.admin.demo import DemoError, run_demo

    runtime = build()
    if args.if_empty and _has_data(runtime):
        print("Datenbank enthält schon einen Bestand; keine neue Demo angelegt.")
        _print_logins()
        return EXIT_OK
    models = runtime.settings.var_dir / "models"
    if models.exists() and any(models.iterdir()) and not args.force:
        print(
            f"Abgelehnt: {models} enthält schon Modelle (--force zum Überschreiben).",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        result = run_demo(
            runtime,
            cases=args.cases,
            seed=args.seed,
            weeks=args.weeks,
            render_today=args.render_today,
            queue_today=args.queue_today,
        )
    except DemoError as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(result.german(runtime.settings.public_url))
    return EXIT_OK
