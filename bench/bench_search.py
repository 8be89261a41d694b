"""The search box on 1,000,000 cases on PostgreSQL: latency per search as staff see it.

Imports a German CSV portfolio (``bench_import.generate``: German first and last names with
umlauts, companies, IBANs, e-mail addresses, phone numbers) into a throwaway PostgreSQL
server (``scripts/pg-start.sh``) or ``--url``, then times ``--queries`` searches through the
use case (``services.workspace.search.search``, one transaction each, as the page makes
them) of the kinds people type: a name as stored, a name without umlauts, a name with a
typo, a company word, an invoice number with a space, an IBAN with spaces, an e-mail in
other case, a phone number in international form. Reports p50/p95/p99 per kind and overall,
and whether the searched case was among the results. Results: ``bench/results/search.json``.

Usage: ``.venv/bin/python bench/bench_search.py [--claims 1300000] [--queries 400]``.
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

from bench_import import generate  # noqa: E402
from mahnwerk.services.actor import CLI, Actor  # noqa: E402
from mahnwerk.services.portfolio.importing import import_file  # noqa: E402
from mahnwerk.services.workspace.search import search  # noqa: E402
from mahnwerk.store.db import make_engine, session_factory, transaction  # noqa: E402
from mahnwerk.store.migrate import upgrade  # noqa: E402
from mahnwerk.store.search import search_fold  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "search.json"
AGENT = Actor(kind="user", id="bench@example.org", role="agent", origin="bench")
PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss"})


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter left out


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_300_000, help="≈ 1,000,000 cases")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--url", help="admin URL of a running PostgreSQL (else a throwaway one)")
    args = parser.parse_args()
    server: dict[str, str] = {}
    admin = args.url
    if not admin:
        server = start_server()
        admin = server["MAHNWERK_TEST_POSTGRES_URL"]
    try:
        url = fresh_database(admin, "mahnwerk_bench_search")
        engine = make_engine(url)
        upgrade(engine)
        sessions = session_factory(engine)
        with tempfile.TemporaryDirectory() as work:
            csv_path = Path(work) / "portfolio.csv"
            generate(csv_path, args.claims)
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO creditor (name, status, settings, created_at)"
                        " VALUES ('Bench', 'active', '{}', now())"
                    )
                )
            started = time.perf_counter()
            import_file(engine, CLI, csv_path, 1)
            imported = time.perf_counter() - started
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            cases = conn.execute(text("SELECT count(*) FROM case_file")).scalar_one()
        print(f"{cases} cases imported in {imported:.0f} s", file=sys.stderr)
        rng = random.Random(20261205)
        plan = queries(sessions, args.queries, rng)
        with sessions() as s:
            names = {
                case_id: name
                for case_id, name in s.execute(
                    text(
                        "SELECT c.id, coalesce(d.company, coalesce(d.first_name, '') || ' '"
                        " || coalesce(d.last_name, '')) FROM case_file c"
                        " JOIN debtor d ON d.id = c.debtor_id WHERE c.id IN :ids"
                    ).bindparams(bindparam("ids", expanding=True)),
                    {"ids": sorted({c for _, _, c in plan})},
                )
            }
        for _kind, query, _ in plan[:20]:  # warm the caches a little, as a running server is
            with transaction(sessions) as s:
                search(s, AGENT, query)
        timings: dict[str, list[float]] = {}
        found = {k: 0 for k, _, _ in plan}
        for kind, query, case_id in plan:
            started = time.perf_counter()
            with transaction(sessions) as s:
                results = search(s, AGENT, query)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            if kind.startswith(("name", "company")):
                # names repeat (the generator draws from German name lists): a hit is a case
                # of a debtor with the searched name
                want = search_fold(names[case_id])
                found[kind] += any(search_fold(r.debtor) == want for r in results)
            else:
                found[kind] += any(r.case_id == case_id for r in results)
        everything = sorted(t for ts in timings.values() for t in ts)

        def pct(values: list[float], p: float) -> float:
            values = sorted(values)
            return round(values[min(len(values) - 1, int(p * len(values)))], 1)

        result = {
            "cases": cases,
            "queries": len(plan),
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
                    "found_share": round(found[kind] / len(ts), 3),
                }
                for kind, ts in timings.items()
            },
            "load_average": [round(x, 2) for x in os.getloadavg()],
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
