"""Portfolio import throughput: claims per second and peak memory, PostgreSQL and SQLite.

Generates a German CSV (``;``, decimal comma, ``dd.mm.yyyy``, UTF-8 with BOM as Excel's
"CSV UTF-8" writes it) of N claims, about 1.3 claims per case, streamed to a temp file, and
imports it with :func:`mahnwerk.services.portfolio.importing.import_file` in a child process
per run (fresh database each run; the schema migration is not timed). Peak memory is the
child's ``ru_maxrss``; the median of the runs is reported. PostgreSQL is a throwaway server
started with ``scripts/pg-start.sh`` (fsync off, as in the tests).

Usage::

    python bench/bench_import.py                       # 250k, 500k, 1M; 3 runs each
    python bench/bench_import.py --sizes 100000 --runs 1 --sqlite-1m-runs 1
    python bench/bench_import.py --postgres-url "$MAHNWERK_TEST_POSTGRES_URL"  # a running server
    python bench/bench_import.py --only postgresql --sizes 1000000 --runs 0 --checked-runs 3
    python bench/bench_import.py --only postgresql --sizes 1000000 --checked-runs 0 \
        --postgres-url "$DURABLE_SERVER" --postgres-section postgresql_durable

PostgreSQL runs as its superuser, so the import skips the per-row foreign-key triggers
(see ``portfolio_import._Store.skip_row_triggers``); ``--checked-runs`` adds runs at the
largest size as a role without that right. Results go to ``bench/results/import.json``
with the server's durability settings; the sections and sizes not run keep their earlier
figures there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "import.json"
HEADER = (
    "creditor_ref;invoice_no;invoice_date;due_date;default_from;amount;debtor_type;first_name;"
    "last_name;company;birth_date;street;postcode;city;country;email;phone;iban"
)
FIRST = ["Jürgen", "Anna", "Özlem", "Lukas", "Marie", "Sören", "Jörg", "Lea", "Paul", "Zoë",
         "Hans", "Grete", "Emre", "Sophie", "Max", "Lena", "Björn", "Ute", "Ali", "Jana"]  # fmt: skip
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
        "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
        "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann"]  # fmt: skip
STREETS = ["Hauptstraße", "Schulstraße", "Gartenweg", "Bahnhofstr.", "Dorfstraße", "Lindenallee",
           "Bergstraße", "Kirchplatz", "Am Markt", "Weidenweg"]  # fmt: skip
CITIES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"),
          ("01067", "Dresden"), ("04109", "Leipzig"), ("90402", "Nürnberg"),
          ("70173", "Stuttgart"), ("60311", "Frankfurt am Main"), ("28195", "Bremen")]  # fmt: skip
COMPANY = ["Bau", "Elektro", "Gartenbau", "Logistik", "Software", "Bäckerei", "Malerbetrieb"]
FORMS = ["GmbH", "UG (haftungsbeschränkt)", "KG", "e.K.", "GmbH & Co. KG"]


def iban(rng: random.Random) -> str:
    bban = f"{rng.randrange(10_000_000, 99_999_999)}{rng.randrange(10**9, 10**10)}"
    check = 98 - int(bban + "131400") % 97  # "DE" = 13 14, then "00"
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def german_amount(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}"


def de(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def debtor_cells(rng: random.Random) -> list[str]:
    postcode, city = rng.choice(CITIES)
    street = f"{rng.choice(STREETS)} {rng.randrange(1, 200)}"
    email = phone = account = ""
    if rng.random() < 0.85:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        birth = de(date(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365)))
        kind, company = "consumer", ""
        if rng.random() < 0.5:
            email = f"{first[0].lower()}.{rng.randrange(10**6)}@example.org"
    else:
        first = last = birth = ""
        kind = "business"
        company = (
            f"{rng.choice(LAST)} {rng.choice(COMPANY)} {rng.choice(FORMS)} {rng.randrange(10**5)}"
        )
        email = f"buchhaltung{rng.randrange(10**6)}@example.com"
    if rng.random() < 0.4:
        phone = f"0{rng.randrange(30, 999)} {rng.randrange(100000, 9999999)}"
    if rng.random() < 0.5:
        account = iban(rng)
    return [kind, first, last, company, birth, street, postcode, city, "DE", email, phone, account]


def generate(path: Path, claims: int, seed: int = 20261123) -> int:
    """Write ``claims`` rows; returns the number of cases. ~1.3 claims per case; 3 % of
    the cases belong to a debtor seen before (same person, another case)."""
    rng = random.Random(seed)
    written = cases = 0
    recent: list[list[str]] = []
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        f.write(HEADER + "\r\n")
        while written < claims:
            cases += 1
            if recent and rng.random() < 0.03:
                debtor = rng.choice(recent)
            else:
                debtor = debtor_cells(rng)
                if len(recent) < 1000:
                    recent.append(debtor)
                else:
                    recent[rng.randrange(1000)] = debtor
            roll = rng.random()
            count = 1 if roll < 0.75 else 2 if roll < 0.95 else 3
            for k in range(min(count, claims - written)):
                invoice = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365))
                due = invoice + timedelta(days=14)
                default = (
                    "" if rng.random() < 0.6 else de(due + timedelta(days=rng.randrange(1, 40)))
                )
                cells = [
                    f"K-{cases:08d}",
                    f"R-{cases}-{k + 1}",
                    de(invoice),
                    de(due),
                    default,
                    german_amount(rng.randrange(500, 500_000)),
                    *debtor,
                ]
                f.write(";".join(cells) + "\r\n")
                written += 1
    return cases


# ---------------------------------------------------------------------------- child run


def child(url: str, file: str) -> None:
    """Runs in a fresh process: migrate, add a creditor, import (timed), print JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    from sqlalchemy import text

    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.services.portfolio.importing import import_file
    from mahnwerk.store.db import make_engine, session_factory, transaction
    from mahnwerk.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        creditor_id = accounts.add_creditor(s, CLI, "Bench GmbH").id
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(info) -> None:  # type: ignore[no-untyped-def]
        phases.setdefault(f"{info.phase}:{info.done}/{info.total}", time.perf_counter() - started)

    report = import_file(sessions, CLI, file, creditor_id, progress=progress)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with engine.connect() as conn:
        claims = conn.execute(text("SELECT COUNT(*) FROM claim")).scalar()
        postings = conn.execute(text("SELECT COUNT(*) FROM ledger_posting")).scalar()
    read_end = max((v for k, v in phases.items() if k.startswith("read")), default=0.0)
    print(
        json.dumps(
            {
                "ok": report.ok,
                "problems": [str(p) for p in report.problems[:5]],
                "rows": report.rows,
                "cases": report.cases_created,
                "claims": report.claims_created,
                "claims_in_db": claims,
                "postings_in_db": postings,
                "seconds": seconds,
                "row_triggers_skipped": report.row_triggers_skipped,
                "read_and_stage_seconds": read_end,
                "maxrss_mb_before_import": before / 1024,
                "maxrss_mb": peak / 1024,
            }
        )
    )


def run_child(url: str, file: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["ok"] or result["claims_in_db"] != result["rows"]:
        raise SystemExit(f"import incomplete: {result}")
    return result


# ------------------------------------------------------------------------------ servers


def start_postgres() -> dict[str, str]:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-start.sh")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env: dict[str, str] = {}
    for line in out.splitlines():
        for part in line.removeprefix("export ").split(" "):
            if "=" in part:
                key, value = part.split("=", 1)
                env[key] = value.strip("'")
    return env


def stop_postgres(env: dict[str, str]) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-stop.sh")], env={**os.environ, **env}, check=False
    )


def postgres_database(admin_url: str, own_role: bool = False) -> tuple[str, str]:
    """A fresh database: (name, URL). With ``own_role``, it belongs to a new login role of
    the same name without superuser rights, and the URL logs in as that role."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if own_role:
            conn.execute(text(f"CREATE ROLE {name} LOGIN"))
            conn.execute(text(f"CREATE DATABASE {name} OWNER {name}"))
            url = url.set(username=name)
        else:
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return name, url.render_as_string(False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"DROP ROLE IF EXISTS {name}"))
    admin.dispose()


def postgres_runs(admin: str, path: Path, runs: int, own_role: bool) -> list[dict]:
    results = []
    for _ in range(runs):
        name, url = postgres_database(admin, own_role)
        try:
            results.append(run_child(url, path))
        finally:
            drop_postgres_database(admin, name)
    return results


def show(admin_url: str, setting: str) -> str:
    return subprocess.run(
        ["psql", "-tA", admin_url.replace("+psycopg", ""), "-c", f"SHOW {setting}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def summarize(runs: list[dict], claims: int) -> dict:
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "claims": claims,
        "cases": runs[0]["cases"],
        "runs": len(runs),
        "median_seconds": round(seconds, 2),
        "claims_per_second": round(claims / seconds),
        "median_read_and_stage_seconds": round(
            statistics.median(r["read_and_stage_seconds"] for r in runs), 2
        ),
        "peak_rss_mb": round(max(r["maxrss_mb"] for r in runs), 1),
        "rss_mb_before_import": round(max(r["maxrss_mb_before_import"] for r in runs), 1),
        "all_seconds": [round(r["seconds"], 2) for r in runs],
        "row_triggers_skipped": all(r["row_triggers_skipped"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250000,500000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-1m-runs", type=int, default=3)
    parser.add_argument(
        "--checked-runs",
        type=int,
        default=1,
        help="PostgreSQL runs at the largest size as a role that may not set "
        "session_replication_role, so that every foreign key is checked row by row",
    )
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    parser.add_argument(
        "--postgres-url",
        help="admin URL of a running server to use instead of starting a throwaway one "
        "(each run still gets its own database)",
    )
    parser.add_argument(
        "--postgres-section",
        default="postgresql",
        help="where the PostgreSQL runs are filed in the results, e.g. postgresql_durable for "
        "runs against a --postgres-url server with fsync on",
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict = {
        "benchmark": "portfolio import (mahnwerk import): German CSV → cases, claims, postings",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "file": "German CSV, UTF-8 with BOM, ~1.3 claims per case, 50 % with IBAN",
        "postgresql": {},
        "postgresql_checked": {},
        "sqlite": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n in sizes:
            path = Path(tmp) / f"claims_{n}.csv"
            t0 = time.perf_counter()
            cases = generate(path, n)
            print(
                f"generated {n:,} claims / {cases:,} cases, {path.stat().st_size / 1e6:.0f} MB "
                f"in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            files[n] = path
        if args.only != "sqlite":
            env = (
                {"MAHNWERK_TEST_POSTGRES_URL": args.postgres_url}
                if args.postgres_url
                else start_postgres()
            )
            try:
                admin = env["MAHNWERK_TEST_POSTGRES_URL"]
                section = results.setdefault(args.postgres_section, {})
                section["server"] = show(admin, "server_version") or "15"
                section["settings"] = {
                    name: show(admin, name)
                    for name in ("fsync", "full_page_writes", "synchronous_commit", "max_wal_size")
                }
                for n, path in files.items() if args.runs else ():
                    runs = postgres_runs(admin, path, args.runs, own_role=False)
                    section[str(n)] = summarize(runs, n)
                    print(args.postgres_section, n, section[str(n)], flush=True)
                if args.checked_runs:
                    n = max(files)
                    runs = postgres_runs(admin, files[n], args.checked_runs, own_role=True)
                    results["postgresql_checked"][str(n)] = summarize(runs, n)
                    print("postgresql, checked", n, results["postgresql_checked"][str(n)])
            finally:
                if not args.postgres_url:
                    stop_postgres(env)
        if args.only != "postgresql":
            for n, path in files.items():
                runs = []
                count = args.sqlite_1m_runs if n >= 1_000_000 else args.runs
                for i in range(count):
                    db = Path(tmp) / f"sqlite_{n}_{i}.db"
                    try:
                        runs.append(run_child(f"sqlite:///{db}", path))
                    finally:
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{db}{suffix}").unlink(missing_ok=True)
                results["sqlite"][str(n)] = summarize(runs, n)
                print("sqlite", n, results["sqlite"][str(n)], flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if RESULTS.exists():  # sizes and databases not run this time keep their figures
        kept = json.loads(RESULTS.read_text())
        for name, figures in kept.items():
            if isinstance(figures, dict) and name != "machine":
                results[name] = {**figures, **results.get(name, {})}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
