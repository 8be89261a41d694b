"""The real ``mahnwerk run --plan-only``: planning and writing its effects, timed as a command.

Two measurements, each the median of ``--runs`` runs of the command as a user starts it (a
child process: start-up, schema check, planning in parallel processes, the set-based writes;
no delivery):

- **PostgreSQL, 1,000,000 open cases** (``--pg-cases``): the portfolio with the workflow state
  of a running agency that ``bench/batch/bench_daily_run.py`` generates (steps of every stage,
  sent messages, plans, disputes, flags, approvals, tasks), written once into a template
  database; every run gets a fresh copy (``CREATE DATABASE … TEMPLATE``) and plans the day
  2026-11-23. Aim: under 2 minutes on 2 cores.
- **SQLite, 20,000 imported cases** (``--sqlite-cases``): a German CSV imported with
  ``mahnwerk import`` (so every case is due its first step the day of the run: the heaviest
  day, a message with its statement for every case), copied per run. Compared with
  ``mahnwerk statement`` over the same cases' statements (their ledger exported as JSON
  Lines): aim under twice its time.

Results go to ``bench/results/run.json``.

Usage::

    .venv/bin/python bench/dunning/bench_run.py                       # both, 3 runs each
    .venv/bin/python bench/dunning/bench_run.py --only sqlite --runs 5
    .venv/bin/python bench/dunning/bench_run.py --only postgresql --pg-cases 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "batch"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_balances import fresh_database, start_server, stop_server  # noqa: E402
from bench_daily_run import DAY as PG_DAY  # noqa: E402
from bench_daily_run import generate as generate_pg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench_import import generate as generate_csv  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "run.json"
MAHNWERK = str(ROOT / ".venv" / "bin" / "mahnwerk")


def command(args: list[str], env: dict[str, str], out: Path | None = None) -> tuple[float, str]:
    """Run ``mahnwerk ARGS``; wall seconds and what it printed."""
    started = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        done = subprocess.run(
            [MAHNWERK, *args],
            env=env,
            stdout=subprocess.PIPE if out is None else sink,
            stderr=subprocess.PIPE,
            check=False,
        )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"mahnwerk {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return wall, (done.stdout or b"").decode()


def environment(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env.update(
        MAHNWERK_DATABASE_URL=database_url,
        MAHNWERK_VAR_DIR=str(var_dir),
        MAHNWERK_SECRET_KEY="bench",
        MAHNWERK_AGENCY_NAME="Inkasso Nord GmbH",
        MAHNWERK_AGENCY_ADDRESS="Ballindamm 17, 20095 Hamburg",
        MAHNWERK_AGENCY_EMAIL="service@inkasso-nord.example",
        MAHNWERK_AGENCY_REGISTRATION="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    )
    return env


def summary_counts(printed: str) -> dict[str, str]:
    """The lines of the German run summary that count something."""
    out = {}
    for line in printed.splitlines():
        if ":" in line:
            key, _, value = line.strip().partition(":")
            out[key.strip()] = value.strip()
    return out


# ------------------------------------------------------------------------- PostgreSQL


def bench_postgres(admin_url: str, cases: int, runs: int) -> dict[str, object]:
    template = fresh_database(admin_url, "mahnwerk_bench_run_template")
    started = time.perf_counter()
    counts = generate_pg(template, cases)
    generation = round(time.perf_counter() - started, 1)
    print(f"generated {counts} in {generation} s", file=sys.stderr)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    walls, printed = [], ""
    try:
        for run in range(runs):
            name = f"mahnwerk_bench_run_{run}"
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                conn.execute(text(f"CREATE DATABASE {name} TEMPLATE mahnwerk_bench_run_template"))
            url = make_url(admin_url).set(database=name).render_as_string(False)
            with tempfile.TemporaryDirectory() as var:
                wall, printed = command(
                    ["run", "--plan-only", "--date", PG_DAY.isoformat()],
                    environment(url, Path(var)),
                )
            walls.append(round(wall, 2))
            print(f"postgresql run {run + 1}: {wall:.1f} s", file=sys.stderr)
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        admin.dispose()
    return {
        "cases": cases,
        "data": counts,
        "generation_seconds": generation,
        "runs_wall_seconds": walls,
        "median_wall_seconds": statistics.median(walls),
        "summary": summary_counts(printed),
        "printed": printed,
    }


# ----------------------------------------------------------------------------- SQLite


def statement_lines(database: Path, day: date, out: Path) -> int:
    """Every open case's ledger as a ``mahnwerk statement`` input line."""
    sys.path.insert(0, str(ROOT / "src"))
    from sqlalchemy import select
    from sqlalchemy.orm import Session, selectinload

    from mahnwerk.store.db import make_engine
    from mahnwerk.store.ledger_map import domain_case
    from mahnwerk.store.models import Case, Debtor

    engine = make_engine(f"sqlite:///{database}")
    n = 0
    with Session(engine) as s, out.open("w", encoding="utf-8") as f:
        query = (
            select(Case)
            .where(Case.status == "open")
            .options(
                selectinload(Case.claims),
                selectinload(Case.costs),
                selectinload(Case.payments),
                selectinload(Case.debtor).selectinload(Debtor.addresses),
            )
            .order_by(Case.id)
        )
        for case in s.scalars(query):
            ledger = domain_case(case)
            f.write(
                json.dumps(
                    {
                        "as_of": day.isoformat(),
                        "debtor": {"consumer": ledger.consumer},
                        "day_count": ledger.day_count,
                        "allocation": ledger.allocation,
                        "claims": [
                            {
                                "id": c.id,
                                "principal": str(c.principal),
                                "interest": {"kind": "statutory"},
                            }
                            # a claim not yet in default (an import without "Verzug seit"
                            # waits for the first reminder) is given with its due date
                            | (
                                {"default_from": c.default_from.isoformat()}
                                if c.default_from
                                else {"due_date": stored.due_date.isoformat()}
                            )
                            for c, stored in zip(ledger.claims, case.claims, strict=True)
                        ],
                        "costs": [
                            {"date": c.date.isoformat(), "label": c.label, "amount": str(c.amount)}
                            for c in ledger.costs
                        ],
                        "payments": [
                            {"date": p.date.isoformat(), "amount": str(p.amount)}
                            for p in ledger.payments
                        ],
                    }
                )
                + "\n"
            )
            n += 1
    engine.dispose()
    return n


def bench_sqlite(cases: int, runs: int, work: Path) -> dict[str, object]:
    csv_path = work / "portfolio.csv"
    claims = generate_csv(csv_path, round(cases * 1.3))
    template = work / "template.db"
    env = environment(f"sqlite:///{template}", work / "var-import")
    command(["db", "upgrade"], env)
    command(["creditor", "add", "Bench Stadtwerke"], env)
    wall, printed = command(["import", str(csv_path), "--creditor", "1"], env)
    print(f"imported {claims} claims in {wall:.1f} s", file=sys.stderr)
    from mahnwerk.services.actor import today_in_germany

    day = today_in_germany()
    lines = work / "cases.jsonl"
    n_cases = statement_lines(template, day, lines)
    statement_walls = []
    for run in range(runs):
        wall, _ = command(["statement", str(lines), "--format", "json"], env, out=work / "out")
        statement_walls.append(round(wall, 2))
        print(f"statement run {run + 1}: {wall:.2f} s", file=sys.stderr)
    run_walls, printed = [], ""
    for run in range(runs):
        copy = work / f"run-{run}.db"
        shutil.copy(template, copy)
        for suffix in ("-wal", "-shm"):
            if Path(str(template) + suffix).exists():
                shutil.copy(str(template) + suffix, str(copy) + suffix)
        wall, printed = command(
            ["run", "--plan-only", "--date", day.isoformat()],
            environment(f"sqlite:///{copy}", work / f"var-{run}"),
        )
        run_walls.append(round(wall, 2))
        print(f"sqlite run {run + 1}: {wall:.2f} s", file=sys.stderr)
        copy.unlink()
    run_median, statement_median = statistics.median(run_walls), statistics.median(statement_walls)
    return {
        "cases": n_cases,
        "claims": claims,
        "day": day.isoformat(),
        "run_plan_only_wall_seconds": run_walls,
        "run_plan_only_median_seconds": run_median,
        "statement_wall_seconds": statement_walls,
        "statement_median_seconds": statement_median,
        "ratio_run_to_statement": round(run_median / statement_median, 2),
        "summary": summary_counts(printed),
        "printed": printed,
    }


def compile_code() -> None:
    """The project's bytecode, as an installation writes it: the commands are timed as a
    user runs them, not with their modules compiled from source at every start (which they
    are where ``PYTHONDONTWRITEBYTECODE`` is set, as in some sandboxes)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "mahnwerk")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg-cases", type=int, default=1_000_000)
    parser.add_argument("--sqlite-cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    parser.add_argument("--url", help="admin URL of a running PostgreSQL (else a throwaway one)")
    args = parser.parse_args()
    results: dict[str, object] = {}
    if RESULTS.exists():
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    compile_code()
    load_before = os.getloadavg()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as work:
            results["sqlite"] = bench_sqlite(args.sqlite_cases, args.runs, Path(work))
    if args.only in (None, "postgresql"):
        server: dict[str, str] = {}
        admin_url = args.url
        if not admin_url:
            server = start_server()
            admin_url = server["MAHNWERK_TEST_POSTGRES_URL"]
        try:
            results["postgresql"] = bench_postgres(admin_url, args.pg_cases, args.runs)
        finally:
            if server:
                stop_server(server)
    results["machine"] = {
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "printed"}, indent=2, default=str))


if __name__ == "__main__":
    main()
