"""The balance step of the daily run over 1,000,000 open cases on PostgreSQL, on 2 cores.

Starts a throwaway PostgreSQL server (``scripts/pg-start.sh``, stopped again with
``scripts/pg-stop.sh``) unless ``--url`` names one, migrates a fresh database with
``mahnwerk.store.migrate.upgrade``, and writes a seeded, realistic portfolio into it with
COPY: one creditor, one debtor per case (80 % consumers), 1–4 claims per case (all interest
kinds, some with an origin before 2014), 0–3 costs, 0–6 payments (some after the statement
date, some reversed), default dates from 2015 on, all day counts and both allocations.

Then it times :func:`mahnwerk.batch.parallel.run_partitions` (bulk load by binary COPY plus the
vectorised computation, 2 partitions in 2 processes) three times and reports the median and
the share of loading vs computing, checks 1,000 random cases against the reference ledger
(:func:`mahnwerk.services.cases.statement`), and writes ``bench/results/balances.json``.

Usage: ``.venv/bin/python bench/batch/bench_balances.py [--cases N] [--runs R] [--url URL]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, selectinload

from mahnwerk.batch.balances import Balances, day_number
from mahnwerk.batch.loader import Partition
from mahnwerk.batch.parallel import run_partitions
from mahnwerk.services.cases import statement
from mahnwerk.store.db import make_engine
from mahnwerk.store.migrate import upgrade
from mahnwerk.store.models import Case, Debtor

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "balances.json"
AS_OF = date(2026, 11, 23)
CHUNK = 250_000
NOW = "2026-11-23 06:00:00+00"
TOTALS = ("principal_open", "interest_open", "costs_open", "total_open", "credit")


# ------------------------------------------------------------------------ server


def start_server() -> dict[str, str]:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-start.sh")], capture_output=True, text=True, check=True
    ).stdout
    env: dict[str, str] = {}
    for line in out.splitlines():
        for word in shlex.split(line.removeprefix("export ")):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def stop_server(env: dict[str, str]) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-stop.sh")], env={**os.environ, **env}, check=False
    )


def server_cpu_seconds(env: dict[str, str]) -> float | None:
    """CPU seconds used so far by the throwaway server: the postmaster, its live children and
    its exited children (backends of finished connections); ``None`` if not measurable."""
    try:
        pid_file = Path(env["PG_TMP"]) / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            elif ppid == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (KeyError, OSError, ValueError, IndexError):
        return None


def fresh_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


# -------------------------------------------------------------------- generation


def _dates(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"))


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    columns = ", ".join(frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def copy_payments(cursor, frame: pd.DataFrame) -> None:
    """Payments, with a ``reversed`` flag per row: payments are append-only, so a reversed
    one is a payment plus its ``payment_reversal`` row (on the payment's day)."""
    _copy(cursor, "payment", frame.drop(columns=["reversed"]))
    gone = frame[frame["reversed"].to_numpy(bool)]
    if len(gone):
        _copy(
            cursor,
            "payment_reversal",
            pd.DataFrame(
                {
                    "payment_id": gone["id"].to_numpy(),
                    "case_id": gone["case_id"].to_numpy(),
                    "date": gone["date"].to_numpy(),
                    "reason": "Rücklastschrift",
                    "author": "bench",
                    "created_at": gone["created_at"].to_numpy(),
                }
            ),
        )


def post_journal(cursor) -> None:
    """The ledger postings of everything generated (claims, costs, payments, reversals), as
    the product books them one by one, so that the daily run's reconciliation holds."""
    for sql in (
        "INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source, "
        "claim_id, posted_at) SELECT case_id, COALESCE(default_from, due_date, invoice_date, DATE '2020-01-01'), 'claim', "
        "principal, 'Forderung', 'bench', id, now() FROM claim",
        "INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source, "
        "cost_id, posted_at) SELECT case_id, date, 'cost', amount, label, 'bench', id, now() "
        "FROM cost",
        "INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source, "
        "payment_id, posted_at) SELECT case_id, date, 'payment', -amount, 'Zahlung', 'bench', "
        "id, now() FROM payment",
        "INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source, "
        "payment_id, posted_at) SELECT r.case_id, r.date, 'reversal', p.amount, r.reason, "
        "'bench', p.id, now() FROM payment_reversal r JOIN payment p ON p.id = r.payment_id",
    ):
        cursor.execute(sql)


def copy_cases(
    cursor,
    rng: np.random.Generator,
    ids: np.ndarray,
    consumer: np.ndarray,
    *,
    stage,
    created_at,
    now: str,
) -> None:
    """One person, one debtor and one open case per id (creditor 1), written at ``now``;
    ``stage`` and the case's ``created_at`` are a value or an array per case. Draws day
    count and allocation from ``rng`` in this order."""
    keys = np.char.add("bench-", ids.astype(str))
    _copy(cursor, "person", pd.DataFrame({"id": ids, "identity_key": keys, "created_at": now}))
    _copy(
        cursor,
        "debtor",
        pd.DataFrame(
            {
                "id": ids,
                "creditor_id": 1,
                "person_id": ids,
                "kind": np.where(consumer, "natural", "legal"),
                "consumer": consumer,
                "last_name": np.char.add("Muster", ids.astype(str)),
                "identity_key": keys,
                "created_at": now,
            }
        ),
    )
    n = len(ids)
    _copy(
        cursor,
        "case_file",
        pd.DataFrame(
            {
                "id": ids,
                "creditor_id": 1,
                "debtor_id": ids,
                "external_ref": np.char.add("EXT-", ids.astype(str)),
                "reference": np.char.add("AZ-", ids.astype(str)),
                "stage": stage,
                "status": "open",
                "day_count": rng.choice(["act/365", "act/act", "30/360"], n, p=[0.85, 0.1, 0.05]),
                "allocation": rng.choice(["bgb367", "bgb497"], n, p=[0.85, 0.15]),
                "created_at": created_at,
                "updated_at": now,
            }
        ),
    )


def generate(url: str, n_cases: int, seed: int = 20261123) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    as_of = day_number(AS_OF)
    first = day_number(date(2015, 1, 1))
    counts = {"cases": 0, "claims": 0, "costs": 0, "payments": 0}
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "INSERT INTO creditor (id, name, status, settings, created_at)"
            f" VALUES (1, 'Bench Stadtwerke', 'active', '{{}}', '{NOW}')"
        )
        claim_id = cost_id = payment_id = 0
        for lo in range(1, n_cases + 1, CHUNK):
            ids = np.arange(lo, min(lo + CHUNK, n_cases + 1), dtype=np.int64)
            n = len(ids)
            consumer = rng.random(n) < 0.8
            copy_cases(cursor, rng, ids, consumer, stage="dunning", created_at=NOW, now=NOW)

            # claims: 1–4 per case, default dates from 2015 up to a month ago
            per_case = rng.choice([1, 2, 3, 4], n, p=[0.6, 0.25, 0.1, 0.05])
            case_of = np.repeat(ids, per_case)
            m = len(case_of)
            within = np.arange(m) - np.repeat(np.cumsum(per_case) - per_case, per_case)
            case_start = rng.integers(first, as_of - 30, n)
            default_from = np.minimum(
                np.repeat(case_start, per_case) + rng.integers(0, 180, m), as_of - 1
            )
            principal = np.clip(rng.lognormal(np.log(30_000), 1.2, m), 500, 100_000_000).astype(
                np.int64
            )
            kind = rng.choice(
                ["statutory", "base_plus", "fixed", "none"], m, p=[0.8, 0.08, 0.08, 0.04]
            )
            value = np.where(
                kind == "base_plus",
                rng.choice(["2.5", "5", "9"], m),
                np.where(
                    kind == "fixed",
                    np.char.add(
                        rng.integers(3, 16, m).astype(str),
                        rng.choice([".0", ".25", ".5", ".75", ".125"], m),
                    ),
                    "",
                ),
            )
            origin = np.where(
                rng.random(m) < 0.1,
                _dates(rng.integers(day_number(date(2010, 1, 1)), day_number(date(2020, 1, 1)), m)),
                "",
            )
            _copy(
                cursor,
                "claim",
                pd.DataFrame(
                    {
                        "id": np.arange(claim_id + 1, claim_id + m + 1),
                        "case_id": case_of,
                        "invoice_no": np.char.add("R-", within.astype(str)),
                        "default_from": _dates(default_from),
                        "principal": principal,
                        "interest_kind": kind,
                        "interest_value": value,
                        "origin": origin,
                        "label": "Rechnung",
                        "created_at": NOW,
                    }
                ),
            )
            claim_id += m

            # costs: 0–3 per case, after the case started
            k_per_case = rng.choice([0, 1, 2, 3], n, p=[0.3, 0.3, 0.25, 0.15])
            k_case = np.repeat(ids, k_per_case)
            k = len(k_case)
            k_start = np.repeat(case_start, k_per_case)
            k_date = k_start + (rng.random(k) * (as_of + 60 - k_start)).astype(np.int64)
            _copy(
                cursor,
                "cost",
                pd.DataFrame(
                    {
                        "id": np.arange(cost_id + 1, cost_id + k + 1),
                        "case_id": k_case,
                        "date": _dates(k_date),
                        "label": "Mahngebühr",
                        "code": "mahn",
                        "amount": rng.choice([250, 500, 1200, 4000, 7050, 15000], k),
                        "created_at": NOW,
                    }
                ),
            )
            cost_id += k

            # payments: none for 40 % of cases, else 1–6; some after the statement date
            p_per_case = np.where(rng.random(n) < 0.4, 0, rng.integers(1, 7, n))
            p_case = np.repeat(ids, p_per_case)
            q = len(p_case)
            p_start = np.repeat(case_start, p_per_case)
            p_date = p_start + (rng.random(q) * (as_of + 90 - p_start)).astype(np.int64)
            case_principal = np.bincount(
                np.repeat(np.arange(n), per_case), weights=principal, minlength=n
            ).astype(np.int64)
            p_amount = np.maximum(
                100,
                (np.repeat(case_principal, p_per_case) * rng.uniform(0.05, 0.6, q)).astype(
                    np.int64
                ),
            )
            copy_payments(
                cursor,
                pd.DataFrame(
                    {
                        "id": np.arange(payment_id + 1, payment_id + q + 1),
                        "case_id": p_case,
                        "date": _dates(p_date),
                        "amount": p_amount,
                        "source": "bank",
                        "reference": "Zahlung",
                        "reversed": rng.random(q) < 0.01,
                        "created_at": NOW,
                    }
                ),
            )
            payment_id += q
            raw.commit()
            counts["cases"] += n
            counts["claims"] += m
            counts["costs"] += k
            counts["payments"] += q
            print(f"  generated {counts['cases']:,} cases", file=sys.stderr)
        post_journal(cursor)
        for table in ("person", "debtor", "case_file", "claim", "cost", "payment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True
        driver.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return counts


# ---------------------------------------------------------------------- checking


def verify(url: str, balances: Balances, sample: int, seed: int = 7) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    chosen = rng.choice(balances.case_id, size=min(sample, len(balances)), replace=False)
    order = np.argsort(balances.case_id)
    mismatches = []
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        rows = session.scalars(
            select(Case)
            .where(Case.id.in_([int(c) for c in chosen]))
            .options(
                selectinload(Case.claims),
                selectinload(Case.costs),
                selectinload(Case.payments),
                selectinload(Case.debtor).selectinload(Debtor.addresses),
            )
        ).all()
        for case in rows:
            row = int(order[np.searchsorted(balances.case_id, case.id, sorter=order)])
            expected = statement(case, AS_OF).totals
            want = {name: getattr(expected, name) for name in TOTALS}
            got = balances.totals(row)
            if got != want:
                mismatches.append({"case_id": case.id, "ledger": str(want), "vectorised": str(got)})
    engine.dispose()
    return {
        "cases_checked": len(rows),
        "mismatches": len(mismatches),
        "examples": mismatches[:5],
        "seconds": round(time.perf_counter() - started, 2),
    }


# -------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--url", help="admin URL of a running server (else a throwaway one)")
    args = parser.parse_args()

    server: dict[str, str] = {}
    admin_url = args.url
    if not admin_url:
        server = start_server()
        admin_url = server["MAHNWERK_TEST_POSTGRES_URL"]
    try:
        url = fresh_database(admin_url, "mahnwerk_bench_balances")
        started = time.perf_counter()
        counts = generate(url, args.cases)
        generation = time.perf_counter() - started
        print(f"generated {counts} in {generation:.1f} s", file=sys.stderr)

        runs = []
        balances = None
        load_average_before = os.getloadavg()
        for run in range(args.runs):
            server_before = server_cpu_seconds(server)
            started = time.perf_counter()
            results = run_partitions(
                url, AS_OF, Partition.all(args.processes), processes=args.processes
            )
            wall = time.perf_counter() - started
            time.sleep(0.5)  # let the postmaster reap the finished backends
            server_after = server_cpu_seconds(server)
            server_cpu = (
                None
                if server_before is None or server_after is None
                else round(server_after - server_before, 2)
            )
            load = sum(r.load_seconds for r in results)
            compute = sum(r.compute_seconds for r in results)
            runs.append(
                {
                    "wall_seconds": round(wall, 2),
                    "partitions": [
                        {
                            "partition": f"{r.partition.index}/{r.partition.count}",
                            "cases": len(r.balances),
                            "load_seconds": round(r.load_seconds, 2),
                            "compute_seconds": round(r.compute_seconds, 2),
                            "load_client_cpu_seconds": round(r.load_cpu_seconds, 2),
                            "compute_cpu_seconds": round(r.compute_cpu_seconds, 2),
                        }
                        for r in results
                    ],
                    "load_share": round(load / (load + compute), 3),
                    "postgres_server_cpu_seconds": server_cpu,
                    "cpu_seconds_total": None
                    if server_cpu is None
                    else round(
                        server_cpu
                        + sum(r.load_cpu_seconds + r.compute_cpu_seconds for r in results),
                        2,
                    ),
                }
            )
            print(f"run {run + 1}: {runs[-1]}", file=sys.stderr)
            balances = Balances.concat([r.balances for r in results])
        assert balances is not None
        assert len(balances) == counts["cases"]
        check = verify(url, balances, args.sample)
        print(f"verification: {check}", file=sys.stderr)

        walls = [r["wall_seconds"] for r in runs]
        median_run = sorted(runs, key=lambda r: r["wall_seconds"])[len(runs) // 2]
        result = {
            "benchmark": "daily-run balance step: bulk load (binary COPY) + vectorised balances",
            "as_of": AS_OF.isoformat(),
            "data": counts,
            "processes": args.processes,
            "cpu_count": os.cpu_count(),
            "median_wall_seconds": statistics.median(walls),
            "median_cases_per_second": round(counts["cases"] / statistics.median(walls)),
            "median_run": median_run,
            "runs": runs,
            "generation_seconds": round(generation, 1),
            "machine_load_average_1_5_15min": {
                "before_runs": [round(x, 2) for x in load_average_before],
                "after_runs": [round(x, 2) for x in os.getloadavg()],
            },
            "verification": check,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "machine": platform.machine(),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
        if check["mismatches"]:
            sys.exit(1)
    finally:
        if server:
            stop_server(server)


if __name__ == "__main__":
    main()
