"""The plan-completion model commands (payment plans from affordability):

- ``mahnwerk plan-model train [--as-of D]``: train on the plans of the store judged by then
  (default today), with a fairness audit on the held-out test split; the artefact goes to
  ``var/plan_models/<version>/``;
- ``mahnwerk plan-model activate VERSION [--override-reason TEXT --by EMAIL]``: only after a
  passed audit, or with a compliance person's written reason;
- ``mahnwerk plan-model list``.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    mp = subparsers.add_parser(
        "plan-model", help="Ratenplan-Modell (Erfüllungswahrscheinlichkeit): trainieren, aktivieren"
    )
    sub = mp.add_subparsers(dest="action", metavar="AKTION", required=True)
    tr = sub.add_parser("train", help="aus den beurteilten Ratenplänen des Bestands trainieren")
    tr.add_argument("--as-of", dest="as_of", help="Stichtag JJJJ-MM-TT (Standard: heute)")
    tr.set_defaults(handler=train_command)
    ac = sub.add_parser("activate", help="Version aktivieren (nach bestandener Fairness-Prüfung)")
    ac.add_argument("version")
    ac.add_argument("--override-reason", dest="override_reason", help="Begründung (Compliance)")
    ac.add_argument("--by", help="E-Mail der Compliance-Person")
    ac.set_defaults(handler=activate_command)
    sub.add_parser("list", help="Versionen anzeigen").set_defaults(handler=list_command)


def train_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.plans.completion import train_plan_model
    from mahnwerk.services.scoring.scores import ScoringError

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
        row = train_plan_model(build(), as_of)
    except (ScoringError, ValueError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    m = row.metrics
    print(f"Planmodell {row.version} trainiert ({row.n_plans} beurteilte Ratenpläne).")
    print(
        f"  Erfüllt binnen Laufzeit: AUC {m.get('auc', float('nan')):.3f}, "
        f"ECE {m.get('ece', float('nan')):.3f} (Testanteil)"
    )
    audit = "bestanden" if row.audit_passed else "NICHT bestanden"
    print(f"  Fairness-Prüfung: {audit} – var/{row.audit_path}")
    print(f"  Nächster Schritt: mahnwerk plan-model activate {row.version}")
    return EXIT_OK


def activate_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.plans.completion import activate_plan_model
    from mahnwerk.services.scoring.scores import ScoringError

    try:
        row = activate_plan_model(
            build(), args.version, override_reason=args.override_reason, by=args.by
        )
    except ScoringError as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return EXIT_FAILED
    extra = f" (übersteuert von {row.override_by})" if row.override_by else ""
    print(f"Planmodell {row.version} ist aktiv{extra}.")
    return EXIT_OK


def list_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.plans.completion import list_plan_models

    runtime = build()
    with runtime.sessions() as s:
        rows = list_plan_models(s)
        if not rows:
            print("Noch kein Planmodell. `mahnwerk plan-model train`.")
            return EXIT_OK
        status_de = {"trained": "trainiert", "active": "AKTIV", "retired": "abgelöst"}
        for r in rows:
            audit = "bestanden" if r.audit_passed else "nicht bestanden"
            print(
                f"{r.version:<26} {status_de.get(r.status, r.status):<10} Prüfung {audit:<16} "
                f"AUC {r.metrics.get('auc', float('nan')):.3f} Stichtag {r.as_of} "
                f"Pläne {r.n_plans}"
            )
    return EXIT_OK
