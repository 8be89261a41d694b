"""The next-best-action commands:

- ``mahnwerk nba session [--state DIR] [--seed N] [--log FILE]``: JSON Lines on standard
  input and output – ``decide`` and ``learn`` requests, one answer per line (see
  :mod:`mahnwerk.ml.nba.session`); the same policy code as the daily run, starting from the
  shipped prior or from ``DIR/state.npz``, which it writes back at the end (and on
  ``{"op": "save"}``). ``--log`` writes every decision with its propensity as JSON Lines.
- ``mahnwerk nba prior --out FILE [--cases N] [--plan …] [--start FILE]``: learn a prior in
  the simulator (from scratch, or going on from a state).
- ``mahnwerk nba list``: the versions and their status.
- ``mahnwerk nba train``: a candidate from the settled decisions of the policy group.
- ``mahnwerk nba evaluate VERSION``: offline evaluation against the active version.
- ``mahnwerk nba activate VERSION --by EMAIL [--note TEXT | --override-reason TEXT]``.
- ``mahnwerk nba report [--creditor ID] [--format json]``: policy group against hold-out.
- ``mahnwerk nba complaint CASE --channel CHANNEL [--note TEXT]``: record a complaint.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("nba", help="Kontaktsteuerung (next best action)")
    sub = p.add_subparsers(dest="action", metavar="AKTION", required=True)
    se = sub.add_parser("session", help="JSON-Lines-Sitzung auf stdin/stdout")
    se.add_argument("--state", type=Path, help="Verzeichnis des gelernten Zustands")
    se.add_argument("--seed", type=int, default=0, help="Zufallsstartwert (Standard 0)")
    se.add_argument("--log", type=Path, help="jede Entscheidung als JSON-Zeile hierher")
    se.set_defaults(handler=session_command)
    pr = sub.add_parser("prior", help="Startzustand im Simulator lernen")
    pr.add_argument("--out", type=Path, required=True)
    pr.add_argument("--cases", type=int, default=3000)
    pr.add_argument(
        "--plan",
        default="uniform:9001,uniform:9002,policy:9003,policy:9004,policy:9005,policy:9006",
        help="Lernschritte art:seed, Komma-getrennt (art: uniform oder policy)",
    )
    pr.add_argument(
        "--start", type=Path, help="von diesem Zustand aus weiterlernen (statt von vorn)"
    )
    pr.set_defaults(handler=prior_command)
    sub.add_parser("list", help="Versionen anzeigen").set_defaults(handler=list_command)
    tr = sub.add_parser("train", help="neue Version aus den protokollierten Entscheidungen")
    tr.add_argument("--date", dest="day", help="Stichtag JJJJ-MM-TT (Standard: heute)")
    tr.set_defaults(handler=train_command)
    ev = sub.add_parser("evaluate", help="Version offline gegen die aktive bewerten")
    ev.add_argument("version")
    ev.add_argument("--date", dest="day", help="Stichtag JJJJ-MM-TT (Standard: heute)")
    ev.set_defaults(handler=evaluate_command)
    ac = sub.add_parser("activate", help="Version freigeben (Person mit Rolle compliance/admin)")
    ac.add_argument("version")
    ac.add_argument("--by", required=True, help="E-Mail der freigebenden Person")
    ac.add_argument("--note", help="Begründung (nötig für die erste Version)")
    ac.add_argument(
        "--override-reason", dest="override_reason", help="nach nicht bestandener Bewertung"
    )
    ac.set_defaults(handler=activate_command)
    rp = sub.add_parser("report", help="Kontaktsteuerung gegen Kontrollgruppe")
    rp.add_argument("--creditor", type=int, help="nur die Fälle dieses Mandanten")
    rp.add_argument("--date", dest="day", help="bis zu diesem Tag (Standard: heute)")
    rp.add_argument("--format", choices=["text", "json"], default="text")
    rp.set_defaults(handler=report_command)
    co = sub.add_parser("complaint", help="Beschwerde eines Schuldners erfassen")
    co.add_argument("case", help="Aktenzeichen oder Fall-ID")
    co.add_argument("--channel", choices=["letter", "email", "sms", "call"])
    co.add_argument("--note", default="")
    co.set_defaults(handler=complaint_command)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# ------------------------------------------------------------------------------ session


def run_session(
    stdin: TextIO,
    stdout: TextIO,
    *,
    state_dir: Path | None,
    seed: int = 0,
    log_file: TextIO | None = None,
) -> int:
    """The session loop (see the module docstring); returns the exit code."""
    from mahnwerk.config import load_nba_settings
    from mahnwerk.ml.nba.session import Session
    from mahnwerk.ml.nba.training import shipped_prior
    from mahnwerk.services.nba.decisions import policy_config

    log = None
    if log_file is not None:
        log = _decision_log(log_file)
    session = Session.open(
        shipped_prior,
        policy_config(load_nba_settings()),
        state_dir=state_dir,
        seed=seed,
        log=log,
    )
    write = stdout.write
    for line in stdin:
        answer = session.handle_line(line)
        if answer is None:
            continue
        write(json.dumps(answer, ensure_ascii=False, separators=(",", ":")) + "\n")
        stdout.flush()
    if state_dir is not None:
        session.save()
    return EXIT_OK


def _decision_log(out: TextIO) -> Any:
    def log(day: int, views: Any, decisions: Any) -> None:
        from mahnwerk.ml.nba.views import ACTIONS

        probs = decisions.probabilities
        for k, v in enumerate(views):
            out.write(
                json.dumps(
                    {
                        "day": day,
                        "id": v.id,
                        "action": decisions.actions[k],
                        "propensity": round(float(decisions.propensity[k]), 6),
                        "probabilities": {
                            a: round(float(probs[k, j]), 6)
                            for j, a in enumerate(ACTIONS)
                            if probs[k, j] > 0
                        },
                        "version": decisions.version,
                    },
                    separators=(",", ":"),
                )
                + "\n"
            )
        out.flush()

    return log


def session_command(args: Any) -> int:
    if args.state is not None:
        args.state.mkdir(parents=True, exist_ok=True)
    if args.log is not None:
        with args.log.open("w", encoding="utf-8") as log_file:
            return run_session(
                sys.stdin, sys.stdout, state_dir=args.state, seed=args.seed, log_file=log_file
            )
    return run_session(sys.stdin, sys.stdout, state_dir=args.state, seed=args.seed)


# -------------------------------------------------------------------------------- prior


def prior_command(args: Any) -> int:
    from mahnwerk.config import load_nba_settings
    from mahnwerk.ml.nba.training import train_prior
    from mahnwerk.services.nba.decisions import policy_config

    plan: list[tuple[str, int]] = []
    for part in args.plan.split(","):
        kind, _, seed = part.strip().partition(":")
        if kind not in ("uniform", "policy") or not seed.isdigit():
            print(f"Fehler: --plan: {part!r} ist nicht art:seed", file=sys.stderr)
            return EXIT_BAD_INPUT
        plan.append((kind, int(seed)))
    started = time.perf_counter()

    def progress(kind: str, seed: int, result: Any) -> None:
        print(
            f"  {kind:<8} Seed {seed}: Netto {result.net:,.0f} €, {result.contacts} Kontakte, "
            f"{result.complaints} Beschwerden ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )

    start = None
    if args.start is not None:
        from mahnwerk.ml.nba.policy import PolicyState

        try:
            start = PolicyState.load(args.start)
        except (OSError, ValueError, KeyError) as exc:
            print(f"Fehler: --start {args.start}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    state = train_prior(
        plan,
        n_cases=args.cases,
        config=policy_config(load_nba_settings()),
        progress=progress,
        state=start,
    )
    state.save(args.out)
    print(f"Startzustand {state.version} geschrieben: {args.out}")
    print(f"  {state.note}")
    return EXIT_OK


# ----------------------------------------------------------------------------- versions


def list_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.nba.versions import list_versions, register_prior

    runtime = build()
    register_prior(runtime)
    status_de = {
        "candidate": "Kandidat",
        "evaluated": "bewertet",
        "active": "AKTIV",
        "retired": "abgelöst",
        "rejected": "abgelehnt",
    }
    with runtime.sessions() as s:
        for r in list_versions(s):
            passed = {None: "unbewertet", True: "bestanden", False: "nicht bestanden"}[
                r.evaluation_passed
            ]
            source = (
                "mitgeliefert (Simulator)"
                if r.source == "prior"
                else f"aus {r.n_decisions} Entscheidungen"
            )
            print(
                f"{r.version:<18} {status_de.get(r.status, r.status):<10} {passed:<16} {source}"
                + (f", Vorgänger {r.parent}" if r.parent else "")
            )
            if r.approved_by:
                print(f"    freigegeben von {r.approved_by}: {r.approval_note or ''}")
    return EXIT_OK


def train_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.nba.decisions import NbaError
    from mahnwerk.services.nba.versions import train_version

    try:
        row = train_version(build(), today=_day(args.day))
    except NbaError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"Version {row.version} gelernt aus {row.n_decisions} Entscheidungen "
        f"(Vorgänger {row.parent})."
    )
    print(f"  Nächster Schritt: mahnwerk nba evaluate {row.version}")
    return EXIT_OK


def evaluate_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.nba.decisions import NbaError
    from mahnwerk.services.nba.versions import evaluate_version

    try:
        ev = evaluate_version(build(), args.version, today=_day(args.day))
    except NbaError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    comp = ev.details["comparison"]
    print(
        f"Bewertung {ev.version} gegen {ev.against} auf {ev.details['n']} Entscheidungen "
        f"({ev.details['from']} bis {ev.details['to']}): "
        f"{'bestanden' if ev.passed else 'NICHT bestanden'}"
    )
    for method in ("IPS", "DR"):
        c, a, d = comp["candidate"][method], comp["current"][method], comp["difference"][method]
        print(
            f"  {method:<4} Netto je Entscheidung: neu {c['value']:.3f} € "
            f"({c['low']:.3f} … {c['high']:.3f}), aktiv {a['value']:.3f} € "
            f"({a['low']:.3f} … {a['high']:.3f}), Differenz {d['value']:+.3f} € "
            f"({d['low']:+.3f} … {d['high']:+.3f})"
        )
    for reason in ev.reasons:
        print(f"  – {reason}")
    print(f"  Freigabe: mahnwerk nba activate {ev.version} --by EMAIL")
    return EXIT_OK if ev.passed else EXIT_FAILED


def activate_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.nba.decisions import NbaError
    from mahnwerk.services.nba.versions import activate_version, register_prior

    runtime = build()
    register_prior(runtime)
    try:
        row = activate_version(
            runtime,
            args.version,
            by=args.by,
            note=args.note,
            override_reason=args.override_reason,
        )
    except NbaError as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Kontaktsteuerung {row.version} ist aktiv (freigegeben von {row.approved_by}).")
    return EXIT_OK


def report_command(args: Any) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import today_in_germany
    from mahnwerk.services.nba.report import group_report

    runtime = build()
    with runtime.sessions() as s:
        report = group_report(
            s,
            runtime.settings,
            until=_day(args.day) or today_in_germany(),
            creditor_id=args.creditor,
        )
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.german())
    return EXIT_OK


def complaint_command(args: Any) -> int:
    from sqlalchemy import or_, select

    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.nba.decisions import NbaError, record_complaint
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Case

    runtime = build()
    with transaction(runtime.sessions) as s:
        key = str(args.case).strip()
        case = s.scalar(
            select(Case).where(
                or_(Case.reference == key, Case.id == (int(key) if key.isdigit() else -1))
            )
        )
        if case is None:
            print(f"Fehler: Fall {key} nicht gefunden", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            record_complaint(s, case, CLI, channel=args.channel, note=args.note)
        except NbaError as exc:
            print(f"Fehler: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(f"Beschwerde zu Fall {case.reference} erfasst.")
    return EXIT_OK
