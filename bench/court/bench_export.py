"""EDA export of approved Mahnbescheid applications: the whole ``mahnwerk court export``
command, as an operator runs it, on N approved applications (aim: 10,000 in under 10 s).

Set-up (not timed): a fresh database (SQLite in a temporary folder, or ``--postgres-url``
for a PostgreSQL database that is emptied first), one creditor with its court data, N cases of
1–3 claims with partial payments for some, each prepared through the service and approved by
a second person (the application built by the service for every case, stored approved in
bulk: preparing ten thousand cases one by one through the pages' use case would only time
the set-up). Then, ``--runs`` times: ``mahnwerk court export --out DIR`` in its own
process (start-up, checks of every case, the file, the commit, the delivery), timed by the
wall clock; between the runs the procedures are set back to ``approved`` and the file
removed. The file of the last run is read back with the reader and its trailer checked.

Usage: ``python bench/court/bench_export.py [--cases 10000] [--runs 3] [--postgres-url URL]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select, text, update

RESULTS = Path(__file__).parents[1] / "results" / "court_export.json"
DAY = date(2026, 3, 2)
COURT = {
    "legal_form": "GmbH",
    "representatives": [{"function": "Geschäftsführer", "name": "Dr. Hanna Berg"}],
    "street": "Am Sande 4",
    "postcode": "21335",
    "city": "Lüneburg",
    "land": "NI",
    "counter_performance": "rendered",
    "catalogue": {"nr": 43, "document": "Rechnung"},
}
FIRST = ["Jürgen", "Anna", "Özlem", "Lukas", "Marie", "Björn", "Sophie", "Jörg"]
LAST = ["Müller", "Schmidt", "Weiß", "Groß", "Bäcker", "Köhler", "Schäfer", "Krüger"]
CITIES = [("80331", "München"), ("10115", "Berlin"), ("20095", "Hamburg"), ("04275", "Leipzig")]


def build(url: str, n: int, seed: int = 20260302) -> None:
    from sqlalchemy.orm import selectinload

    from mahnwerk.bootstrap import build as build_runtime
    from mahnwerk.config import load_settings
    from mahnwerk.court import application as eda
    from mahnwerk.services import cases
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.services.court import prepare as court
    from mahnwerk.store.court import CourtProcedure
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Case, Creditor, Debtor, Payment

    rng = random.Random(seed)
    runtime = build_runtime(load_settings(dict(os.environ, MAHNWERK_DATABASE_URL=url)))
    with transaction(runtime.sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = {"court": COURT}
        creditor_id = creditor.id
    for start in range(0, n, 1000):
        with transaction(runtime.sessions) as s:
            for i in range(start, min(n, start + 1000)):
                postcode, city = rng.choice(CITIES)
                claims = tuple(
                    cases.ClaimInput(
                        invoice_no=f"R-{i}-{k}",
                        amount=Decimal(rng.randrange(5000, 500000)) / 100,
                        default_from=date(2025, 6, 1) + timedelta(days=rng.randrange(200)),
                        invoice_date=date(2025, 5, 1) + timedelta(days=rng.randrange(200)),
                        label="Warenlieferung",
                    )
                    for k in range(rng.randint(1, 3))
                )
                debtor = cases.DebtorInput(
                    kind="natural",
                    consumer=rng.random() < 0.8,
                    first_name=rng.choice(FIRST),
                    last_name=f"{rng.choice(LAST)}-{i}",
                    street=f"Hauptstraße {rng.randrange(1, 200)}",
                    postcode=postcode,
                    city=city,
                )
                case = cases.create_case(
                    s, CLI, creditor_id, cases.CaseInput(f"E-{i}", debtor, claims)
                )
                if rng.random() < 0.3:
                    case.payments.append(
                        Payment(
                            date=date(2026, 1, 15),
                            amount=Decimal("25.00"),
                            source="bank",
                            reference="Teilzahlung",
                            reversed=False,
                            created_at=datetime.now(UTC),
                        )
                    )
        with transaction(runtime.sessions) as s:
            creditor = s.get(Creditor, creditor_id)
            batch = s.scalars(
                select(Case)
                .where(Case.external_ref.in_([f"E-{i}" for i in range(start, start + 1000)]))
                .options(
                    selectinload(Case.claims),
                    selectinload(Case.costs),
                    selectinload(Case.payments),
                    selectinload(Case.debtor).selectinload(Debtor.addresses),
                )
            )
            now = datetime.now(UTC)
            for case in batch:
                app, problems = court.build_application(case, creditor, DAY)
                assert app is not None and not problems, problems
                s.add(
                    CourtProcedure(
                        case_id=case.id,
                        state="approved",
                        state_since=DAY,
                        tgz=app.reference,
                        court_id=app.court_id,
                        application=eda.to_dict(app),
                        application_digest=eda.digest(app),
                        prepared_by="user:1",
                        prepared_at=now,
                        approved_by="user:2",
                        approved_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
        print(f"  {min(n, start + 1000)} of {n} approved", file=sys.stderr)
    runtime.engine.dispose()


def reset(url: str, out: Path) -> None:
    from mahnwerk.store.court import CourtProcedure, EdaFile
    from mahnwerk.store.db import make_engine, session_factory, transaction
    from mahnwerk.store.models import CaseEvent

    engine = make_engine(url)
    with transaction(session_factory(engine)) as s:
        s.execute(update(CourtProcedure).values(state="approved", filed_on=None, mb_file_id=None))
        s.execute(delete(CaseEvent).where(CaseEvent.kind == "court.filed"))
        s.execute(delete(EdaFile))
    engine.dispose()
    for f in out.glob("*"):
        f.unlink()


def empty_postgres(url: str) -> None:
    from mahnwerk.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    exe = Path(sys.executable).parent / "mahnwerk"
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        url = args.postgres_url or f"sqlite:///{var / 'mahnwerk.db'}"
        if args.postgres_url:
            empty_postgres(url)
        env = dict(
            os.environ,
            MAHNWERK_DATABASE_URL=url,
            MAHNWERK_VAR_DIR=str(var),
            MAHNWERK_EDA_KENNZIFFER="07774512",
            MAHNWERK_SECRET_KEY="bench",
        )
        os.environ.update(env)
        t0 = time.perf_counter()
        build(url, args.cases)
        setup = time.perf_counter() - t0
        out = Path(tmp) / "out"
        timings, cpu = [], []
        for run in range(args.runs):
            reset(url, out)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [str(exe), "court", "export", "--out", str(out), "--date", DAY.isoformat()],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            timings.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            print(
                f"run {run + 1}: {timings[-1]:.2f} s (CPU {cpu[-1]:.2f} s, load "
                f"{os.getloadavg()[0]:.1f})  {done.stdout.splitlines()[0]}"
            )
        (written,) = sorted(out.glob("*.EDA"))
        from mahnwerk.court.reader import read

        trailer = read(written.read_bytes()).files[0].trailer
        assert trailer.applications == args.cases, trailer
        result = {
            "what": "mahnwerk court export, whole command",
            "database": "postgresql" if args.postgres_url else "sqlite",
            "applications": args.cases,
            "records": trailer.records,
            "file_bytes": written.stat().st_size,
            "runs_seconds": [round(t, 2) for t in timings],
            "median_seconds": round(statistics.median(timings), 2),
            "cpu_seconds": [round(t, 2) for t in cpu],
            "median_cpu_seconds": round(statistics.median(cpu), 2),
            "load_average": round(os.getloadavg()[0], 1),
            "setup_seconds": round(setup, 1),
        }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous[result["database"]] = result
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    main()
