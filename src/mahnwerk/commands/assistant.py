"""``mahnwerk assistant``: the portal assistant on the command line.

- ``mahnwerk assistant reply --case MW-00000123-20 --text "kann ich in raten zahlen"
  [--conversation ID] [--format json|text] [--today JJJJ-MM-TT]``: answers as the portal's
  chat would and does what it would do (records promises, disputes, tasks); JSON has the keys
  ``intent``, ``confidence``, ``entities``, ``reply``, ``handover``, ``actions`` (and
  ``conversation_id`` to continue with ``--conversation``).
- ``mahnwerk assistant train``: trains the intent model into ``var/assistant`` (otherwise the
  first message trains it) and prints how long it took.
- ``mahnwerk assistant evaluate [--format json]``: accuracy per intent on the corpus's held-out
  test and the must-hand-over check (the figures of the README).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("assistant", help="der Assistent des Schuldnerportals")
    sub = p.add_subparsers(dest="assistant_command", metavar="BEFEHL")
    r = sub.add_parser("reply", help="eine Nachricht beantworten, wie das Portal es täte")
    r.add_argument("--case", required=True, help="Aktenzeichen, z. B. MW-00000123-20")
    r.add_argument("--text", required=True, help="die Nachricht des Schuldners")
    r.add_argument("--conversation", type=int, help="Gespräch fortsetzen (conversation_id)")
    r.add_argument("--format", choices=("json", "text"), default="text")
    r.add_argument("--today", help="Stichtag JJJJ-MM-TT (Vorgabe: heute in Deutschland)")
    r.set_defaults(handler=reply_command)
    t = sub.add_parser("train", help="Sprachmodell trainieren (sonst beim ersten Gespräch)")
    t.set_defaults(handler=train_command)
    e = sub.add_parser("evaluate", help="Genauigkeit je Absicht auf dem zurückgehaltenen Test")
    e.add_argument("--format", choices=("json", "text"), default="text")
    e.set_defaults(handler=evaluate_command)
    p.set_defaults(handler=lambda args: (p.print_help(), EXIT_BAD_INPUT)[1])


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def reply_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.domain.case_reference import parse_case_reference
    from mahnwerk.services import assistant
    from mahnwerk.services.actor import CLI, today_in_germany
    from mahnwerk.store.db import transaction

    case_id = parse_case_reference(args.case)
    if case_id is None:
        return _fail(f"„{args.case}“ ist kein gültiges Aktenzeichen (MW-00000123-20)")
    try:
        today = date.fromisoformat(args.today) if args.today else today_in_germany()
    except ValueError:
        return _fail(f"--today: „{args.today}“ ist kein Datum (JJJJ-MM-TT)")
    runtime = build()
    config = assistant.AssistantConfig.from_settings(runtime.settings, channel="cli")
    try:
        with transaction(runtime.sessions) as s:
            answer = assistant.reply(
                s, CLI, case_id, args.text, args.conversation, today, config=config
            )
    except LookupError:
        return _fail(f"Vorgang {args.case} gibt es nicht")
    except assistant.AssistantError as exc:
        return _fail(str(exc))
    finally:
        runtime.engine.dispose()
    if args.format == "json":
        print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
    else:
        mark = " → an eine Person übergeben" if answer.handover else ""
        print(f"[{answer.intent}, {answer.confidence:.0%}{mark}]")
        print(answer.reply)
        for action in answer.actions:
            print(f"  · {action['kind']}")
    return EXIT_OK


def train_command(args: argparse.Namespace) -> int:
    from mahnwerk.assistant.model import load_or_train
    from mahnwerk.config import load_settings

    settings = load_settings()
    start = time.perf_counter()
    model = load_or_train(settings.assistant_dir)
    print(
        f"Sprachmodell {model.digest} bereit in {time.perf_counter() - start:.1f} s "
        f"({settings.assistant_dir})"
    )
    return EXIT_OK


def evaluate_command(args: argparse.Namespace) -> int:
    from mahnwerk.assistant.corpus import split
    from mahnwerk.assistant.evaluation import evaluate
    from mahnwerk.assistant.model import load_or_train
    from mahnwerk.config import load_settings

    model = load_or_train(load_settings().assistant_dir)
    report = evaluate(model, split()[1])
    if args.format == "json":
        print(
            json.dumps(
                {
                    "n": report.n,
                    "accuracy": round(report.accuracy, 4),
                    "missed_handovers": len(report.missed_handovers),
                    "handover_rate_self_service": round(report.handover_rate_other, 4),
                    "per_intent": {
                        i: {
                            "n": f.n,
                            "accuracy": round(f.accuracy, 4),
                            "precision": round(f.precision, 4),
                            "handed_over": f.handed_over,
                        }
                        for i, f in report.per_intent.items()
                    },
                },
                indent=2,
            )
        )
    else:
        print(f"Genauigkeit {report.accuracy:.1%} auf {report.n} zurückgehaltenen Nachrichten")
        print(f"Übergabepflichtige Nachrichten ohne Übergabe: {len(report.missed_handovers)}")
        for intent, f in report.per_intent.items():
            print(f"  {intent:<20} {f.accuracy:6.1%}  (n={f.n}, Präzision {f.precision:.1%})")
    return EXIT_OK if not report.missed_handovers else EXIT_BAD_INPUT
