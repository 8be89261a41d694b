"""``mahnwerk worker [--concurrency N]``: deliver the outbox and run the schedule.

The worker delivers letters (print bundles), e-mails, SMS and phone tasks as jobs, starts the
daily run at ``MAHNWERK_DAILY_RUN_AT`` on working days and the other periodic jobs (scores,
webhook retries, …). Start it on as many machines as needed; on PostgreSQL the jobs are
spread over all of them (procrastinate), on SQLite it delivers in its own process.

``--concurrency N`` starts N worker processes (this one and N − 1 children): rendering
letters is CPU-bound, so processes, not threads, use the cores. The children end when this
process ends.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "worker",
        help="Zustellung (Briefe, E-Mail, SMS) und Zeitplan (Mahnlauf, Bewertung, Webhooks)",
        description="Worker: stellt den Ausgang zu und startet den täglichen Mahnlauf.",
    )
    p.add_argument(
        "--concurrency", type=int, default=1, help="Anzahl der Worker-Prozesse (Standard 1)"
    )
    p.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    p.set_defaults(handler=worker)


def worker(args: argparse.Namespace) -> int:
    import logging

    from mahnwerk.bootstrap import build
    from mahnwerk.jobs.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    count = max(1, args.concurrency)
    if count > 1:
        build()  # migrate once, before the children start
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "mahnwerk.cli", "worker", "--parent", str(os.getpid())]
        )
        for _ in range(count - 1)
    ]
    print(
        f"mahnwerk worker: {count} Prozess(e) (pid {os.getpid()}); beenden mit Strg+C",
        file=sys.stderr,
        flush=True,
    )
    try:
        run_worker(build, parent=args.parent)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0
