"""``mahnwerk demo [--cases 5000] [--seed 1] [--weeks 6] [--force]``: the demo portfolio.

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
    p.set_defaults(handler=demo_command)


def demo_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.demo import DemoError, run_demo

    runtime = build()
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
        )
    except DemoError as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(result.german(runtime.settings.public_url))
    return EXIT_OK
