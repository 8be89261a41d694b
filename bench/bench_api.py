"""Read-heavy API load on loopback: requests per second and p50/p99 latency.

For each database (SQLite file; PostgreSQL started with scripts/pg-start.sh unless
``MAHNWERK_TEST_POSTGRES_URL`` names a server) the benchmark

1. creates ~5,000 cases (1–3 claims, some with a payment) through the services,
2. starts ``mahnwerk serve`` as a subprocess (webhook loop off, no access log),
3. runs a load generator in a separate process: a thread pool of httpx clients sending
   GET /api/v1/cases (40 %), GET /api/v1/cases/{id} (40 %) and
   GET /api/v1/cases/{id}/statement (20 %) with a valid API key, for ``--duration`` seconds,
4. repeats the load ``--runs`` times and reports the medians.

Every GET of a case writes an audit entry (as in production), so "read-heavy" includes
those inserts. The load generator shares the machine's cores with the server.

Usage: ``python bench/bench_api.py [--cases 5000] [--duration 15] [--runs 3]
[--concurrency 8] [--databases sqlite,postgresql] [--workers 1]``. Writes
bench/results/api.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "api.json"
MIX = (("list", 0.4), ("case", 0.4), ("statement", 0.2))


# ------------------------------------------------------------------------ seeding


def seed(database_url: str, n_cases: int, var_dir: Path) -> tuple[str, list[int], float]:
    """Create the creditor, its key and ``n_cases`` cases; returns key, case ids, seconds."""
    from mahnwerk.bootstrap import build
    from mahnwerk.config import Settings
    from mahnwerk.services import cases
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    runtime = build(Settings(database_url=database_url, var_dir=var_dir, secret_key="bench"))
    rng = random.Random(7)
    start = time.perf_counter()
    with transaction(runtime.sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Bench Stadtwerke")
        key = accounts.create_api_key(s, CLI, creditor.id, "bench").key
        creditor_id = creditor.id
    ids: list[int] = []
    chunk = 250
    for first in range(0, n_cases, chunk):
        with transaction(runtime.sessions) as s:
            for n in range(first, min(first + chunk, n_cases)):
                day = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1500))
                debtor = cases.DebtorInput(
                    kind="natural",
                    consumer=rng.random() < 0.8,
                    first_name=rng.choice(["Anna", "Jürgen", "Mehmet", "Olga", "Peter"]),
                    last_name=f"Muster{n}",
                    birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(0, 18000)),
                    street=f"Hauptstraße {n % 200 + 1}",
                    postcode=f"{10000 + n % 89999:05d}",
                    city="Berlin",
                    email=f"schuldner{n}@example.org",
                )
                claims = tuple(
                    cases.ClaimInput(
                        invoice_no=f"R-{n}-{i}",
                        amount=Decimal(rng.randrange(2000, 500000)) / 100,
                        default_from=day + timedelta(days=30 * i),
                    )
                    for i in range(rng.randint(1, 3))
                )
                case = cases.create_case(
                    s, CLI, creditor_id, cases.CaseInput(f"K-{n}", debtor, claims)
                )
                if rng.random() < 0.3:
                    cases.record_payment(
                        s,
                        CLI,
                        case,
                        day=day + timedelta(days=rng.randrange(30, 400)),
                        amount=Decimal(rng.randrange(1000, 30000)) / 100,
                        source="creditor",
                        external_id=f"P-{n}",
                    )
                ids.append(case.id)
    seconds = time.perf_counter() - start
    runtime.engine.dispose()
    return key, ids, seconds


# ------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, var_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "MAHNWERK_DATABASE_URL": database_url,
        "MAHNWERK_VAR_DIR": str(var_dir),
        "MAHNWERK_SECRET_KEY": "bench",
    }
    cmd = [sys.executable, "-m", "mahnwerk.cli", "serve", "--port", str(port)]
    cmd += ["--webhook-interval", "0", "--no-access-log", "--workers", str(workers)]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/v1/openapi.json", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "exited")
    process.terminate()
    raise RuntimeError("server did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# --------------------------------------------------------------------------- load


def load(base: str, key: str, ids: list[int], duration: float, concurrency: int) -> dict:
    """The load generator (runs in its own process): returns counts and latencies."""
    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    stop_at = time.perf_counter() + duration
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
    errors: dict[str, int] = {}

    def worker(seed_: int) -> None:
        rng = random.Random(seed_)
        names = [name for name, _ in MIX]
        weights = [w for _, w in MIX]
        local: dict[str, list[float]] = {name: [] for name in names}
        local_errors: dict[str, int] = {}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.perf_counter() < stop_at:
                name = rng.choices(names, weights)[0]
                case_id = rng.choice(ids)
                if name == "list":
                    url = "/api/v1/cases?limit=50&status=open&created_from=2020-01-01"
                    if rng.random() < 0.5:
                        url = f"/api/v1/cases?limit=20&external_ref=K-{rng.randrange(len(ids))}"
                elif name == "case":
                    url = f"/api/v1/cases/{case_id}"
                else:
                    url = f"/api/v1/cases/{case_id}/statement?as_of=2026-06-30"
                t0 = time.perf_counter()
                try:
                    response = client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t0
                if ok:
                    local[name].append(elapsed)
                else:
                    local_errors[name] = local_errors.get(name, 0) + 1
        with lock:
            for name, values in local.items():
                latencies[name].extend(values)
            for name, count in local_errors.items():
                errors[name] = errors.get(name, 0) + count

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    wall = time.perf_counter() - started
    everything = sorted(v for values in latencies.values() for v in values)

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return (
            round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 2) if values else 0.0
        )

    return {
        "requests": len(everything),
        "errors": sum(errors.values()),
        "rps": round(len(everything) / wall, 1),
        "p50_ms": pct(everything, 0.50),
        "p99_ms": pct(everything, 0.99),
        "by_endpoint": {
            name: {"requests": len(v), "p50_ms": pct(v, 0.5), "p99_ms": pct(v, 0.99)}
            for name, v in latencies.items()
        },
    }


def run_load_process(base: str, key: str, ids_file: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--load", base, key, str(ids_file)]
    cmd += ["--duration", str(args.duration), "--concurrency", str(args.concurrency)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


# -------------------------------------------------------------------------- runs


def postgres_url() -> tuple[str, dict[str, str] | None]:
    """An admin URL of a PostgreSQL server: the test server if set, else one started here."""
    if os.environ.get("MAHNWERK_TEST_POSTGRES_URL"):
        return os.environ["MAHNWERK_TEST_POSTGRES_URL"], None
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-start.sh")], check=True, capture_output=True, text=True
    ).stdout
    started: dict[str, str] = {}
    for line in out.splitlines():
        for part in line.removeprefix("export ").split(" "):
            name, _, value = part.partition("=")
            started[name] = value.strip("'")
    return started["MAHNWERK_TEST_POSTGRES_URL"], started


def fresh_postgres_db(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"mw_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(False)


def bench_database(kind: str, args: argparse.Namespace, tmp: Path) -> dict:
    started_pg = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        admin_url, started_pg = postgres_url()
        url = fresh_postgres_db(admin_url)
    try:
        var_dir = tmp / f"var-{kind}"
        key, ids, seed_seconds = seed(url, args.cases, var_dir)
        ids_file = tmp / f"ids-{kind}.json"
        ids_file.write_text(json.dumps(ids))
        process, base = start_server(url, var_dir, args.workers)
        try:
            run_load_process(base, key, ids_file, argparse.Namespace(duration=3, concurrency=2))
            runs = [run_load_process(base, key, ids_file, args) for _ in range(args.runs)]
        finally:
            stop_server(process)
    finally:
        if started_pg:
            env = {**os.environ, **started_pg}
            subprocess.run(["bash", str(ROOT / "scripts" / "pg-stop.sh")], env=env, check=False)
    result = {
        "cases": len(ids),
        "seed_seconds": round(seed_seconds, 1),
        "runs": runs,
        "median": {
            metric: statistics.median(r[metric] for r in runs)
            for metric in ("rps", "p50_ms", "p99_ms", "errors")
        },
    }
    med = result["median"]
    print(
        f"{kind:>10}: {med['rps']:8.1f} req/s  p50 {med['p50_ms']:6.2f} ms  "
        f"p99 {med['p99_ms']:7.2f} ms  errors {med['errors']}  "
        f"(seeded {len(ids)} cases in {seed_seconds:.0f} s)",
        flush=True,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", nargs=3, metavar=("BASE", "KEY", "IDS"), help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if args.load:
        base, key, ids_file = args.load
        ids = json.loads(Path(ids_file).read_text())
        print(json.dumps(load(base, key, ids, args.duration, args.concurrency)))
        return 0
    results = {
        "benchmark": "read-heavy API load on loopback (GET list 40 %, case 40 %, statement 20 %)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {
            "cases": args.cases,
            "duration_s": args.duration,
            "runs": args.runs,
            "concurrency": args.concurrency,
            "server_workers": args.workers,
            "client": "httpx, thread pool, separate process",
        },
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="mahnwerk-bench-api-") as tmp:
        for kind in args.databases.split(","):
            results["databases"][kind] = bench_database(kind.strip(), args, Path(tmp))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"→ {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
