"""Insolvency notices against a store of debtors: the whole command, timed (never a timed
assertion in the tests).

Usage: .venv/bin/python bench/enforcement/bench_insolvency.py [--debtors N] [--notices N]
       [--runs N] [--workdir DIR] [--postgres-url URL]

Builds a database with N debtors (default 1,000,000: natural persons with German names,
birth dates and addresses, 2 % companies; many share a name, as real debtors do) once, then
writes a notice file of M notices (default 50,000) with a known share of true matches:
2 % exact (name and birth date of a stored debtor), 1 % misspelt (one letter dropped or
doubled), 1 % the same name with another birth date, 25 % without a birth date (name and
postcode), the rest unrelated. Each run copies the database (SQLite) or truncates the notice
tables (PostgreSQL) and times ``mahnwerk insolvency import FILE`` as a subprocess: the
command as a user runs it, start-up, parsing, matching, booking and commit included.

Writes bench/results/insolvency.json (medians over the runs, plus the labelled result:
sure matches that are right, probable matches found for the misspelt ones, and matches
wrongly made for the same name with another birth date — which must be 0).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parents[2]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Nowak",
    "Kowalski",
    "Öztürk",
    "Şahin",
    "Petrović",
    "Popescu",
    "Ivanova",
    "Rossi",
    "Garcia",
]
FIRST = [
    "Hans",
    "Peter",
    "Klaus",
    "Jürgen",
    "Michael",
    "Thomas",
    "Andreas",
    "Stefan",
    "Frank",
    "Markus",
    "Christian",
    "Martin",
    "Uwe",
    "Ralf",
    "Jan",
    "Lukas",
    "Leon",
    "Finn",
    "Paul",
    "Jonas",
    "Elias",
    "Noah",
    "Ben",
    "Luis",
    "Maria",
    "Anna",
    "Ursula",
    "Monika",
    "Petra",
    "Sabine",
    "Claudia",
    "Susanne",
    "Andrea",
    "Birgit",
    "Julia",
    "Laura",
    "Lea",
    "Emma",
    "Mia",
    "Hannah",
    "Sofia",
    "Lina",
    "Marie",
    "Emilia",
    "Ayşe",
    "Fatma",
    "Mehmet",
    "Ali",
    "Olga",
    "Irina",
    "Piotr",
    "Agnieszka",
    "Giulia",
    "Marco",
]


def build_store(url: str, n: int, seed: int = 7) -> None:
    """A migrated database with one creditor and ``n`` debtors (persons and addresses)."""
    from mahnwerk.store.db import make_engine
    from mahnwerk.store.migrate import upgrade
    from mahnwerk.store.models import Address, Creditor, Debtor, Person

    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        creditor = conn.execute(
            insert(Creditor).returning(Creditor.id),
            [{"name": "Bench GmbH", "status": "active", "settings": {}, "created_at": now}],
        ).scalar_one()
        step = 50_000
        for start in range(0, n, step):
            rows = range(start, min(n, start + step))
            conn.execute(
                insert(Person),
                [{"id": i + 1, "identity_key": f"k{i}", "created_at": now} for i in rows],
            )
            debtors, addresses = [], []
            for i in rows:
                legal = rng.random() < 0.02
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 65 * 365))
                debtors.append(
                    {
                        "id": i + 1,
                        "creditor_id": creditor,
                        "person_id": i + 1,
                        "kind": "legal" if legal else "natural",
                        "consumer": not legal,
                        "first_name": None if legal else rng.choice(FIRST),
                        "last_name": None if legal else rng.choice(LAST),
                        "company": f"{rng.choice(LAST)} Bau GmbH" if legal else None,
                        "birth_date": None if legal or rng.random() < 0.1 else born,
                        "identity_key": f"k{i}",
                        "created_at": now,
                    }
                )
                addresses.append(
                    {
                        "debtor_id": i + 1,
                        "street": f"Hauptstraße {i % 200 + 1}",
                        "postcode": f"{rng.randrange(1067, 99999):05d}",
                        "city": "Musterstadt",
                        "country": "DE",
                        "source": "creditor",
                        "created_at": now,
                    }
                )
            conn.execute(insert(Debtor), debtors)
            conn.execute(insert(Address), addresses)
    engine.dispose()


def write_notices(url: str, m: int, path: Path, seed: int = 11) -> dict[str, object]:
    """The notice file and what is true about it (debtor ids per labelled notice)."""
    from mahnwerk.store.db import make_engine
    from mahnwerk.store.models import Address, Debtor

    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.connect() as conn:
        persons = conn.execute(
            select(
                Debtor.id, Debtor.last_name, Debtor.first_name, Debtor.birth_date, Address.postcode
            )
            .join(Address, Address.debtor_id == Debtor.id)
            .where(Debtor.kind == "natural", Debtor.birth_date.is_not(None))
            .order_by(Debtor.id)
            .limit(200_000)
        ).all()
    engine.dispose()
    # label → [(file number of the notice, debtor id)]
    truth: dict[str, list[tuple[str, int]]] = {"exact": [], "misspelt": [], "other_birth": []}
    header = ["court", "file_number", "date", "kind", "last_name", "first_name", "birth_date",
              "postcode", "administrator", "claims_deadline"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(header)
        for k in range(m):
            roll = rng.random()
            court, number = "Amtsgericht Bench", f"{k % 90 + 10} IK {k}/26"
            day, deadline = "2026-11-02", "2026-12-15"
            if roll < 0.02:
                d = rng.choice(persons)
                truth["exact"].append((number, d.id))
                row = [d.last_name, d.first_name, d.birth_date.isoformat(), d.postcode]
            elif roll < 0.03:
                d = rng.choice(persons)
                truth["misspelt"].append((number, d.id))
                last = d.last_name
                cut = rng.randrange(1, len(last))
                last = (
                    last[:cut] + last[cut] + last[cut:]
                    if rng.random() < 0.5
                    else (last[:cut] + last[cut + 1 :])
                )
                row = [last, d.first_name, d.birth_date.isoformat(), d.postcode]
            elif roll < 0.04:
                d = rng.choice(persons)
                truth["other_birth"].append((number, d.id))
                other = d.birth_date + timedelta(days=rng.randrange(400, 4000))
                row = [d.last_name, d.first_name, other.isoformat(), d.postcode]
            else:
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 65 * 365))
                no_birth = rng.random() < 0.25
                row = [
                    f"Z{rng.randrange(10**6):06d}{rng.choice(LAST)}",
                    rng.choice(FIRST),
                    "" if no_birth else born.isoformat(),
                    f"{rng.randrange(1067, 99999):05d}",
                ]
            w.writerow([court, number, day, "eroeffnung", *row[:3], row[3],
                        "RA Bench, Weg 1, 10115 Berlin", deadline])  # fmt: skip
    return truth


def run_command(env: dict[str, str], notices: Path) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (user + system of the child) and the command's summary."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "mahnwerk.cli", "insolvency", "import", str(notices),
         "--format", "json", "--date", "2026-11-05"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout)


def labelled(url: str, truth: dict[str, list[tuple[str, int]]]) -> dict[str, int]:
    """What became of each labelled notice (by its file number) and its debtor."""
    from mahnwerk.store.db import make_engine
    from mahnwerk.store.enforcement import InsolvencyMatch, InsolvencyNotice

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                InsolvencyNotice.file_number, InsolvencyMatch.debtor_id, InsolvencyMatch.level
            ).join(InsolvencyNotice, InsolvencyNotice.id == InsolvencyMatch.notice_id)
        ).all()
    engine.dispose()
    found = {(number, debtor): level for number, debtor, level in rows}
    return {
        "exact_notices": len(truth["exact"]),
        "exact_found_sure": sum(1 for k in truth["exact"] if found.get(k) == "sure"),
        "misspelt_notices": len(truth["misspelt"]),
        "misspelt_found_probable": sum(1 for k in truth["misspelt"] if found.get(k) == "probable"),
        "other_birth_notices": len(truth["other_birth"]),
        "other_birth_matched_to_that_debtor": sum(1 for k in truth["other_birth"] if k in found),
        "sure_total": sum(1 for level in found.values() if level == "sure"),
        "probable_total": sum(1 for level in found.values() if level == "probable"),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--debtors", type=int, default=1_000_000)
    ap.add_argument("--notices", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-insolvency")
    ap.add_argument("--postgres-url", help="a PostgreSQL database to use instead of SQLite")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    template = args.workdir / f"debtors-{args.debtors}.db"
    if args.postgres_url:
        url = args.postgres_url
        t0 = time.perf_counter()
        build_store(url, args.debtors)
        print(f"store of {args.debtors:,} debtors built in {time.perf_counter() - t0:.0f} s")
    elif not template.exists():
        t0 = time.perf_counter()
        build_store(f"sqlite:///{template}", args.debtors)
        print(f"store of {args.debtors:,} debtors built in {time.perf_counter() - t0:.0f} s")
    notices = args.workdir / f"notices-{args.notices}.csv"
    source = args.postgres_url or f"sqlite:///{template}"
    truth = write_notices(source, args.notices, notices)
    times: list[float] = []
    cpus: list[float] = []
    summary: dict[str, object] = {}
    quality: dict[str, int] = {}
    for run in range(args.runs):
        if args.postgres_url:
            from mahnwerk.store.db import make_engine

            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM insolvency_match"))
                conn.execute(text("DELETE FROM task"))
                conn.execute(text("DELETE FROM insolvency_notice"))
            engine.dispose()
        else:
            copy = args.workdir / "run.db"
            shutil.copyfile(template, copy)
            url = f"sqlite:///{copy}"
        env = dict(os.environ, MAHNWERK_DATABASE_URL=url, MAHNWERK_VAR_DIR=str(args.workdir / "var"),
                   MAHNWERK_SECRET_KEY="bench")  # fmt: skip
        seconds, cpu, summary = run_command(env, notices)
        times.append(seconds)
        cpus.append(cpu)
        quality = labelled(url, truth)
        print(f"run {run + 1}: {seconds:.1f} s wall, {cpu:.1f} s CPU  {summary}")
    result = {
        "what": "mahnwerk insolvency import FILE (subprocess, whole command)",
        "database": "postgresql" if args.postgres_url else "sqlite",
        "debtors": args.debtors,
        "notices": args.notices,
        "runs_s": [round(t, 2) for t in times],
        "median_s": round(statistics.median(times), 2),
        "cpu_s": [round(c, 2) for c in cpus],
        "median_cpu_s": round(statistics.median(cpus), 2),
        "load_average_after": os.getloadavg(),
        "summary": summary,
        "quality": quality,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = ROOT / "bench" / "results" / "insolvency.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
