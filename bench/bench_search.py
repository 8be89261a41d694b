"""The search box on 1,000,000 cases on PostgreSQL: latency per search as staff see it.

Imports a German CSV portfolio (``bench_import.generate``: German first and last names with
umlauts, companies, IBANs, e-mail addresses, phone numbers) into a throwaway PostgreSQL
server (``scripts/pg-start.sh``) or ``--url``, then times ``--queries`` searches through the
use case (``services.workspace.search.search``, one transaction each, as the page makes
them) of the kinds people type: a name as stored, a name without umlauts, a name with a
typo, a company word, an invoice number with a space, an IBAN with spaces, an e-mail in
other case, a phone number in international form. Reports p50/p95/p99 per kind and overall,
and whether it found what was searched. Results: ``bench/results/search.json``.

Found means: for a reference, number, IBAN, e-mail or phone, the searched case is among the
results; for a name or company, a case of a debtor of that name is (the generator draws from
20 first and 30 last names, so at 1,000,000 cases about 1,400 cases share each name and the
page shows the best 20: ``case_on_first_page_share`` and ``median_cases_with_that_name``
say how often the very case was among them). ``missed`` lists up to 5 searches that found
nothing of what was searched.

Usage: ``.venv/bin/python bench/bench_search.py [--claims 1300000] [--queries 400] [--runs 3]
[--url ADMIN_URL --reuse]`` (``--reuse`` keeps the imported database for the next run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "batch"))

from bench_balances import fresh_database, start_server, stop_server  # noqa: E402
from sqlalchemy import bindparam, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError, ProgrammingError  # noqa: E402

from bench_import import LAST, generate  # noqa: E402
from mahnwerk.services.actor import CLI, Actor  # noqa: E402
from mahnwerk.services.portfolio.importing import import_file  # noqa: E402
from mahnwerk.services.workspace.search import search  # noqa: E402
from mahnwerk.store.db import make_engine, session_factory, transaction  # noqa: E402
from mahnwerk.store.search import LIMIT, search_fold  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "search.json"
DATABASE = "mahnwerk_bench_search"
AGENT = Actor(kind="user", id="bench@example.org", role="agent", origin="bench")
PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss"})


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter left out, but never another name of the list: "Hoffmann"
    without an f is "Hofmann", and a search for "Paul Hofmann" rightly shows Paul Hofmanns."""
    if len(word) < 5:
        return word
    for _ in range(20):
        i = rng.randrange(1, len(word) - 1)
        misspelt = word[:i] + word[i + 1 :]
        if misspelt not in LAST:
            return misspelt
    return word


def queries(sessions, n: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """``(kind, text, case id)``: searches for cases picked at random."""
    with sessions() as s:
        top = s.execute(text("SELECT max(id) FROM case_file")).scalar_one()
        out: list[tuple[str, str, int]] = []
        while len(out) < n:
            case_id = rng.randint(1, top)
            row = s.execute(
                text(
                    "SELECT d.first_name, d.last_name, d.company, cl.invoice_no,"
                    " (SELECT iban FROM bank_account b WHERE b.debtor_id = d.id LIMIT 1),"
                    " (SELECT value FROM contact_point p WHERE p.debtor_id = d.id"
                    "  AND p.kind = 'email' LIMIT 1),"
                    " (SELECT value FROM contact_point p WHERE p.debtor_id = d.id"
                    "  AND p.kind <> 'email' LIMIT 1)"
                    " FROM case_file c JOIN debtor d ON d.id = c.debtor_id"
                    " JOIN claim cl ON cl.case_id = c.id WHERE c.id = :id LIMIT 1"
                ),
                {"id": case_id},
            ).first()
            if row is None:
                continue
            first, last, company, invoice, iban, email, phone = row
            if last:
                out.append(("name as stored", f"{first} {last}", case_id))
                out.append(("name without umlauts", f"{first} {last}".translate(PLAIN), case_id))
                out.append(("name with a typo", f"{first} {typo(last, rng)}", case_id))
            if company:
                out.append(("company", company, case_id))
            out.append(("invoice number with a space", f"{invoice[:3]} {invoice[3:]}", case_id))
            if iban:
                spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
                out.append(("IBAN with spaces", spaced, case_id))
            if email:
                out.append(("e-mail, other case", email.upper(), case_id))
            if phone and phone.startswith("0"):
                out.append(("phone, international", "+49 " + phone[1:], case_id))
    return out[:n]


def prepare(admin: str, claims: int, reuse: bool) -> tuple[str, float | None]:
    """The URL of the bench database holding the generated portfolio, and the seconds the
    import took (``None`` when ``reuse`` found it already there). After the import the tables
    are vacuumed and analysed, as autovacuum soon does on a running server: straight after a
    bulk load the trigram (GIN) indexes hold their newest entries in a pending list, which the
    planner counts against them, so it scans whole tables instead (an e-mail search on 23,000
    cases: 200 ms after ANALYZE alone, 1 ms after VACUUM ANALYZE)."""
    url = make_url(admin).set(database=DATABASE).render_as_string(False)
    if reuse:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM claim")).scalar_one() == claims:
                    return url, None
        except (OperationalError, ProgrammingError):
            pass  # no such database or not migrated yet
        finally:
            engine.dispose()
    url = fresh_database(admin, DATABASE)  # migrated: the search indexes are there
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as work:
        csv_path = Path(work) / "portfolio.csv"
        generate(csv_path, claims)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO creditor (name, status, settings, created_at)"
                    " VALUES ('Bench', 'active', '{}', now())"
                )
            )
        started = time.perf_counter()
        report = import_file(engine, CLI, csv_path, 1)
        imported = time.perf_counter() - started
        assert report.ok, report.problems[:3]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url, imported


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 1)


def measure(sessions, plan, names, same_name) -> dict:
    """One pass over the planned searches: latency and what was found, per kind."""
    timings: dict[str, list[float]] = {}
    found = {k: 0 for k, _, _ in plan}
    case_found = {k: 0 for k, _, _ in plan}
    missed: dict[str, list[str]] = {}
    for kind, query, case_id in plan:
        started = time.perf_counter()
        with transaction(sessions) as s:
            results = search(s, AGENT, query)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        exact = any(r.case_id == case_id for r in results)
        case_found[kind] += exact
        if kind.startswith(("name", "company")):
            # names repeat (the generator draws 600 first/last name pairs): the search did its
            # job when a case of a debtor with that name is among the results; whether the
            # very case is among them depends on how many cases share the name (LIMIT)
            want = search_fold(names[case_id])
            hit = any(search_fold(r.debtor) == want for r in results)
        else:
            hit = exact
        found[kind] += hit
        if not hit and len(missed.setdefault(kind, [])) < 5:
            missed[kind].append(query)
    everything = [t for ts in timings.values() for t in ts]
    return {
        "overall_ms": {
            "p50": pct(everything, 0.5),
            "p95": pct(everything, 0.95),
            "p99": pct(everything, 0.99),
            "mean": round(statistics.fmean(everything), 1),
        },
        "per_kind": {
            kind: {
                "n": len(ts),
                "p50_ms": pct(ts, 0.5),
                "p95_ms": pct(ts, 0.95),
                "p99_ms": pct(ts, 0.99),
                "found_share": round(found[kind] / len(ts), 3),
                "case_on_first_page_share": round(case_found[kind] / len(ts), 3),
                **(
                    {
                        "median_cases_with_that_name": statistics.median(
                            same_name[c] for k, _, c in plan if k == kind
                        )
                    }
                    if kind.startswith(("name", "company"))
                    else {}
                ),
                **({"missed": missed[kind]} if missed.get(kind) else {}),
            }
            for kind, ts in timings.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_300_000, help="≈ 1,000,000 cases")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3, help="passes over the same searches")
    parser.add_argument("--url", help="admin URL of a running PostgreSQL (else a throwaway one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"with --url: keep the database {DATABASE} and use it again if it holds cases",
    )
    args = parser.parse_args()
    server: dict[str, str] = {}
    admin = args.url
    if not admin:
        server = start_server()
        admin = server["MAHNWERK_TEST_POSTGRES_URL"]
    try:
        load_before = [round(x, 2) for x in os.getloadavg()]
        url, imported = prepare(admin, args.claims, args.reuse and bool(args.url))
        engine = make_engine(url)
        sessions = session_factory(engine)
        with engine.connect() as conn:
            cases = conn.execute(text("SELECT count(*) FROM case_file")).scalar_one()
        if imported is not None:
            print(f"{cases} cases imported in {imported:.0f} s", file=sys.stderr)
        rng = random.Random(20261205)
        plan = queries(sessions, args.queries, rng)
        with sessions() as s:
            rows = s.execute(
                text(
                    "SELECT c.id, coalesce(nullif(d.company, ''), coalesce(d.first_name, '')"
                    " || ' ' || coalesce(d.last_name, '')) FROM case_file c"
                    " JOIN debtor d ON d.id = c.debtor_id WHERE c.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": sorted({c for _, _, c in plan})},
            ).all()
            names = {case_id: name for case_id, name in rows}
            # how many cases share each searched name (first and last name, or company)
            counts = dict(
                s.execute(
                    text(
                        "SELECT coalesce(nullif(d.company, ''), coalesce(d.first_name, '')"
                        " || ' ' || coalesce(d.last_name, '')) AS n, count(*)"
                        " FROM case_file c JOIN debtor d ON d.id = c.debtor_id"
                        " GROUP BY n HAVING coalesce(nullif(d.company, ''),"
                        " coalesce(d.first_name, '') || ' ' || coalesce(d.last_name, ''))"
                        " IN :names"
                    ).bindparams(bindparam("names", expanding=True)),
                    {"names": sorted(set(names.values()))},
                ).all()
            )
        same_name = {case_id: int(counts.get(name, 1)) for case_id, name in names.items()}
        for _kind, query, _ in plan[:20]:  # warm the caches a little, as a running server is
            with transaction(sessions) as s:
                search(s, AGENT, query)
        runs = [measure(sessions, plan, names, same_name) for _ in range(args.runs)]

        def median_of(get) -> float:
            return statistics.median(get(r) for r in runs)

        result = {
            "benchmark": "search box (services.workspace.search) on PostgreSQL, one "
            "transaction per search, as the page makes it",
            "cases": cases,
            "import_seconds": round(imported, 1) if imported is not None else None,
            "queries": len(plan),
            "runs": len(runs),
            "limit": LIMIT,
            "overall_ms": {
                k: median_of(lambda r, k=k: r["overall_ms"][k]) for k in runs[0]["overall_ms"]
            },
            "per_kind": {
                kind: {
                    **first,
                    "p50_ms": median_of(lambda r, k=kind: r["per_kind"][k]["p50_ms"]),
                    "p95_ms": median_of(lambda r, k=kind: r["per_kind"][k]["p95_ms"]),
                    "p99_ms": median_of(lambda r, k=kind: r["per_kind"][k]["p99_ms"]),
                }
                for kind, first in runs[0]["per_kind"].items()
            },
            "all_runs_overall_ms": [r["overall_ms"] for r in runs],
            "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=2, ensure_ascii=False))
        engine.dispose()
    finally:
        if server:
            stop_server(server)


if __name__ == "__main__":
    main()
