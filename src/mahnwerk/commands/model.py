"""The model commands:

- ``mahnwerk model train [--as-of D]``: train on the store (default: 180 days ago, so the
  outcome window is complete); artefact under ``var/models/<version>/``;
- ``mahnwerk model audit VERSION``: fairness audit (HTML, JSON, PDF);
- ``mahnwerk model activate VERSION [--override-reason TEXT --by EMAIL]``;
- ``mahnwerk model evaluate --dataset german-credit``: 5-fold CV AUC beside logistic
  regression and the fairness gaps by sex and age;
- ``mahnwerk model list``;
- ``mahnwerk model score [--date D]``: score the open cases now (the daily run does it too).
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    mp = subparsers.add_parser("model", help="Zahlungsprognose: trainieren, prüfen, aktivieren")
    sub = mp.add_subparsers(dest="action", metavar="AKTION", required=True)
    tr = sub.add_parser("train", help="Modell aus dem Bestand trainieren")
    tr.add_argument("--as-of", dest="as_of", help="Stichtag JJJJ-MM-TT (Standard: vor 180 Tagen)")
    tr.set_defaults(handler=train_command)
    au = sub.add_parser("audit", help="Fairness-Prüfung einer Version (HTML und PDF)")
    au.add_argument("version")
    au.set_defaults(handler=audit_command)
    ac = sub.add_parser("activate", help="Version aktivieren (nur nach bestandener Prüfung)")
    ac.add_argument("version")
    ac.add_argument("--override-reason", dest="override_reason", help="Begründung (Compliance)")
    ac.add_argument("--by", help="E-Mail der Compliance-Person")
    ac.set_defaults(handler=activate_command)
    ev = sub.add_parser("evaluate", help="Auswertung auf öffentlichen Kreditdaten")
    ev.add_argument("--dataset", choices=["german-credit"], default="german-credit")
    ev.add_argument("--repeats", type=int, default=1, help="Wiederholungen der 5-fach-CV")
    ev.set_defaults(handler=evaluate_command)
    sub.add_parser("list", help="Modellversionen anzeigen").set_defaults(handler=list_command)
    sc = sub.add_parser("score", help="offene Fälle jetzt bewerten")
    sc.add_argument("--date", dest="day", help="Tag JJJJ-MM-TT (Standard: heute)")
    sc.set_defaults(handler=score_command)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def train_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.scoring.scores import ScoringError, train_model

    try:
        row = train_model(build(), _day(args.as_of))
    except (ScoringError, ValueError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    m = row.metrics.get("pay_30d", {})
    print(f"Modell {row.version} trainiert ({row.n_cases} Fälle, Stichtag {row.as_of}).")
    print(
        f"  Zahlung binnen 30 Tagen: AUC {m.get('auc', float('nan')):.3f}, "
        f"ECE {m.get('ece', float('nan')):.3f}"
    )
    print(f"  Artefakt: var/{row.path}")
    print(f"  Nächster Schritt: mahnwerk model audit {row.version}")
    return EXIT_OK


def audit_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.scoring.scores import ScoringError, audit_model

    try:
        out = audit_model(build(), args.version)
    except ScoringError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Fairness-Prüfung {out.version}: {'bestanden' if out.passed else 'NICHT bestanden'}")
    for f in out.failed:
        print(
            f"  überschritten: {f['metric']} ({f['attribute']}) = {f['value']:.3f} > {f['limit']}"
        )
    print(f"  Bericht: {out.html_path}")
    if out.pdf_path:
        print(f"  PDF:     {out.pdf_path}")
    return EXIT_OK if out.passed else EXIT_FAILED


def activate_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.scoring.scores import ScoringError, activate_model

    try:
        row = activate_model(
            build(), args.version, override_reason=args.override_reason, by=args.by
        )
    except ScoringError as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return EXIT_FAILED
    extra = (
        f" (übersteuert von {row.override_by}: {row.override_reason})" if row.override_by else ""
    )
    print(f"Modell {row.version} ist aktiv{extra}.")
    return EXIT_OK


def evaluate_command(args: Any) -> int:
    from mahnwerk.ml import german_credit

    r = german_credit.evaluate(n_repeats=args.repeats, folds=5)
    auc = r["auc"]
    print(f"German Credit (Statlog, {r['rows']} Zeilen), 5-fach-Kreuzvalidierung × {args.repeats}:")
    names = {
        "lightgbm": "LightGBM (mahnwerk)",
        "logistic_regression": "Logistische Regression",
        "blend": "Mittel aus beiden",
    }
    for k, v in auc.items():
        print(f"  {names.get(k, k):<26} AUC {v['mean']:.3f} ± {v['sd']:.3f}")
    print("Fairness der LightGBM-Prognosen (Unterschiede zwischen Gruppen):")
    for attr, f in r["fairness_lightgbm_oof"].items():
        label = {"sex": "Geschlecht", "age_band": "Altersgruppe"}.get(attr, attr)
        print(
            f"  {label:<13} Auswahlquote {f['dp_difference']:.3f}, "
            f"Fehlerraten {f['eo_difference']:.3f}"
        )
    return EXIT_OK


def list_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.scoring.scores import list_models

    runtime = build()
    with runtime.sessions() as s:
        rows = list_models(s)
        if not rows:
            print("Noch kein Modell. `mahnwerk model train`.")
            return EXIT_OK
        status_de = {"trained": "trainiert", "active": "AKTIV", "retired": "abgelöst"}
        audit_de = {None: "ungeprüft", True: "bestanden", False: "nicht bestanden"}
        for r in rows:
            auc = r.metrics.get("pay_30d", {}).get("auc")
            print(
                f"{r.version:<22} {status_de.get(r.status, r.status):<10} "
                f"Prüfung {audit_de[r.audit_passed]:<16} AUC {auc or float('nan'):.3f} "
                f"Stichtag {r.as_of} Fälle {r.n_cases}"
            )
            if r.override_by:
                print(f"    übersteuert von {r.override_by}: {r.override_reason}")
    return EXIT_OK


def score_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import today_in_germany
    from mahnwerk.services.scoring.scores import score_open_cases

    summary = score_open_cases(build(), _day(args.day) or today_in_germany())
    if summary is None:
        print("Kein aktives Modell.", file=sys.stderr)
        return EXIT_FAILED
    print(summary.german())
    return EXIT_OK
