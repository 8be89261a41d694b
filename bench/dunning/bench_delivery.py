"""Delivery throughput: letters rendered and bundled per second by 1 and 2 ``mahnwerk worker``
processes on PostgreSQL.

Each run gets a fresh database with N due letters (real cases, payloads composed by the
daily run's ``message_payload``), then starts K real ``mahnwerk worker`` processes (the
command, with procrastinate) and times from the first message claimed to the last one
booked: rendered from its message with typst (PDF/A, GiroCode), handed over in a print
bundle (PDFs + manifest, synced, renamed), stored as the case's document, event written.
Worker start-up (imports, typst warm-up, schema check) is outside the clock. Reports the
median of R runs per K.

Usage (needs a PostgreSQL server; ``eval "$(bash scripts/pg-start.sh)"`` gives one)::

    python bench/dunning/bench_delivery.py [--letters 1000] [--runs 3] [--workers 1 2]

Writes ``bench/results/delivery.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "dunning"))
from outbox_data import AGENCY_ENV, fill_outbox  # noqa: E402

from mahnwerk.config import load_settings  # noqa: E402
from mahnwerk.store.db import make_engine, session_factory  # noqa: E402
from mahnwerk.store.migrate import upgrade  # noqa: E402
from mahnwerk.store.workflow import OutboxMessage  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "delivery.json"


def fresh_database(admin_url: str, template: str | None) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"mw_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(
            text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        )
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(False)


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    admin.dispose()


def one_run(admin_url: str, template: str, letters: int, workers: int) -> float:
    url = fresh_database(admin_url, template)
    var = Path(tempfile.mkdtemp(prefix="mw-bench-delivery-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env.update(AGENCY_ENV)
    env.update(
        {
            "MAHNWERK_DATABASE_URL": url,
            "MAHNWERK_VAR_DIR": str(var),
            "MAHNWERK_SECRET_KEY": "bench",
            "MAHNWERK_CONTACTS_PER_WEEK": "1000000",
            "MAHNWERK_DAILY_RUN_AT": "off",
            "MAHNWERK_WEBHOOK_INTERVAL": "0",
            "MAHNWERK_WORKER_POLL": "0.5",
            "MAHNWERK_DELIVERY_BATCH": "100",
        }
    )
    engine = make_engine(url)
    sessions = session_factory(engine)
    fill_outbox(
        sessions, load_settings(env), cases_count=letters // 10, per_case=10, mix=(10, 0, 0)
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mahnwerk.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        start = None
        while True:
            with sessions() as s:
                counts = dict(
                    s.execute(
                        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                    ).all()
                )
            now = time.perf_counter()
            if start is None and counts.get("pending", 0) < letters:
                start = now
            if counts.get("sent", 0) == letters:
                assert start is not None
                return letters / (now - start)
            if any(p.poll() is not None for p in procs):
                raise RuntimeError("a worker ended early")
            time.sleep(0.05)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        engine.dispose()
        drop_database(admin_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", default=os.environ.get("MAHNWERK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.postgres:
        sys.exit("needs PostgreSQL: --postgres URL or MAHNWERK_TEST_POSTGRES_URL")
    template_url = fresh_database(args.postgres, None)
    engine = make_engine(template_url)
    upgrade(engine)
    engine.dispose()
    template = make_url(template_url).database
    results = {}
    try:
        for k in args.workers:
            rates = [one_run(args.postgres, template, args.letters, k) for _ in range(args.runs)]
            results[str(k)] = {
                "letters_per_second_median": round(statistics.median(rates), 1),
                "runs": [round(r, 1) for r in rates],
            }
            print(
                f"{k} worker(s): {statistics.median(rates):.1f} letters/s (runs {results[str(k)]['runs']})"
            )
    finally:
        drop_database(args.postgres, template_url)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "letters": args.letters,
                "workers": results,
                "cpus": os.cpu_count(),
                "load_average_at_end": os.getloadavg(),
                "python": platform.python_version(),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
