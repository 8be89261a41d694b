"""Portal assistant benchmark: how well it understands, and how long it takes.

* Understanding: accuracy, precision and hand-overs per intent on the held-out template test
  of the corpus (the acceptance set) and on the fresh set written after tuning
  (``mahnwerk.assistant.fresh``); must-hand-over messages answered without a person (must be
  0); the share of self-service messages (balance … address change) handed over anyway.
* Speed, as a user meets it: ``mahnwerk assistant train`` on a fresh installation (the
  whole command, training included), ``mahnwerk assistant reply --format json`` with the
  model cached (the whole command: start-up, model load, one answer stored), and one chat
  message through the web app (HTMX post to ``/portal/assistant``, in-process ASGI client,
  SQLite), medians over ``--runs`` runs.

Usage: ``python bench/assistant/bench_intents.py [--runs 3] [--messages 60]``.
Writes ``bench/results/assistant.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "results" / "assistant.json"
MESSAGES = (
    "wie viel muss ich noch zahlen",
    "wofür sind die kosten",
    "iban bitte",
    "kann ich in raten zahlen",
    "ich zahle nächsten freitag",
    "hab schon bezahlt",
)


def figures(report: Any) -> dict[str, Any]:
    return {
        "n": report.n,
        "accuracy": round(report.accuracy, 4),
        "missed_handovers": len(report.missed_handovers),
        "handover_rate_self_service": round(report.handover_rate_other, 4),
        "decided_by_rule": report.by_rule,
        "per_intent": {
            i: {
                "n": f.n,
                "accuracy": round(f.accuracy, 4),
                "precision": round(f.precision, 4),
                "handed_over": f.handed_over,
            }
            for i, f in report.per_intent.items()
        },
        "top_confusions": [list(c) for c in report.confusions[:10]],
    }


def understanding() -> dict[str, Any]:
    from mahnwerk.assistant.corpus import split
    from mahnwerk.assistant.evaluation import evaluate
    from mahnwerk.assistant.fresh import fresh_examples
    from mahnwerk.assistant.model import load_or_train

    train, test = split()
    model = load_or_train(None)
    return {
        "corpus": {"train": len(train), "test": len(test), "fresh": len(fresh_examples())},
        "test": figures(evaluate(model, test)),
        "fresh": figures(evaluate(model, fresh_examples())),
    }


def env_for(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MAHNWERK_VAR_DIR": str(var),
            "MAHNWERK_DATABASE_URL": f"sqlite:///{var / 'mahnwerk.db'}",
            "MAHNWERK_SECRET_KEY": "bench",
        }
    )
    return env


def command(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mahnwerk.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start


def make_case(var: Path) -> str:
    from mahnwerk.bootstrap import build
    from mahnwerk.config import load_settings
    from mahnwerk.services import cases
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    runtime = build(load_settings(env_for(var)))
    with transaction(runtime.sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Bench GmbH")
        creditor.settings = {
            "payment_account": {"holder": "Bench", "iban": "DE89370400440532013000"},
            "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
        }
        data = cases.CaseInput(
            "BENCH-1",
            cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name="A",
                last_name="B",
                street="Weg 1",
                postcode="28195",
                city="Bremen",
            ),
            (cases.ClaimInput("R-1", D("480.00"), date(2026, 1, 2), label="Bench"),),
        )
        reference = cases.create_case(s, CLI, creditor.id, data).reference
    runtime.engine.dispose()
    return reference


def speed(runs: int, messages: int) -> dict[str, Any]:
    train_s, reply_s = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = env_for(Path(tmp))
            train_s.append(command(env, "assistant", "train"))
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        reference = make_case(var)
        env = env_for(var)
        command(env, "assistant", "train")
        for i in range(runs):
            text = MESSAGES[i % len(MESSAGES)]
            reply_s.append(
                command(
                    env,
                    "assistant",
                    "reply",
                    "--case",
                    reference,
                    "--text",
                    text,
                    "--format",
                    "json",
                )
            )
        web_ms = web_turns(var, messages)
    return {
        "train_command_s_median": round(statistics.median(train_s), 2),
        "train_command_s_all": [round(x, 2) for x in train_s],
        "reply_command_s_median": round(statistics.median(reply_s), 2),
        "reply_command_s_all": [round(x, 2) for x in reply_s],
        "web_message_ms_median": round(statistics.median(web_ms), 1),
        "web_message_ms_p90": round(sorted(web_ms)[int(len(web_ms) * 0.9) - 1], 1),
        "web_messages": len(web_ms),
    }


def web_turns(var: Path, messages: int) -> list[float]:
    from fastapi.testclient import TestClient

    from mahnwerk.asgi import create_asgi_app
    from mahnwerk.bootstrap import build
    from mahnwerk.config import load_settings
    from mahnwerk.services.portal import access as portal_access
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Case

    settings = load_settings(env_for(var))
    runtime = build(settings)
    with transaction(runtime.sessions) as s:
        case = s.get(Case, 1)
        reference, code = case.reference, portal_access.code_for_case(s, "bench", 1)
    times = []
    with TestClient(create_asgi_app(runtime)) as client:
        page = client.get("/portal").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        client.post(
            "/portal",
            data={"reference": reference, "code": code, "postcode": "28195", "csrf": token},
        )
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/portal/assistant").text)
        headers = {"HX-Request": "true", "X-CSRF-Token": token.group(1)}
        for i in range(messages):
            start = time.perf_counter()
            answer = client.post(
                "/portal/assistant", data={"text": MESSAGES[i % 4]}, headers=headers
            )
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text[:200]
    runtime.engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    result = {
        "benchmark": "portal assistant: understanding per intent, commands and chat speed",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "understanding": understanding(),
        "speed": speed(args.runs, args.messages),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
