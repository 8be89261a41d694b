"""The case page and the debtor statement page under load on loopback.

Against the 5,000-case demo (created with ``mahnwerk demo`` in a temporary folder, or an
existing one with ``--var-dir``), ``mahnwerk serve --workers N`` (default 2) runs as its own
processes; a load generator in another process sends an open-loop load at ``--rate``
requests per second for ``--duration`` seconds (from one asyncio thread over kept-alive
HTTP/1.1 connections): half agent case pages (``/work/cases/{id}``, signed in as
the demo agent), half debtor statement pages (``/portal/case``, signed in to 50 cases with
their portal codes). Latency is measured from the moment a request was due, so a server
that falls behind is not flattered (no coordinated omission). Medians over ``--runs``.

Then the creditor's portfolio page (``/portfolio``, signed in as the demo's creditor user
``stadtwerke@demo.mahnwerk.de``: open balances, stages, disputes, payouts, the monthly chart
and the first 50 cases) is loaded ``--creditor-requests`` times one after another, as one
person clicking through, after a warm-up; p50/p95/p99 of the whole request, medians over
``--creditor-runs``. Aim (issue 18): well under 300 ms on the 5,000-case demo.

Usage: ``python bench/bench_pages.py [--rate 100] [--duration 20] [--runs 3] [--var-dir DIR]
[--creditor-requests 200] [--creditor-runs 3]``; ``--runs 0`` measures only the creditor page and keeps the
open-loop figures already in the results. Writes bench/results/pages.json. Aim: p99 under
100 ms at 100 requests/s on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "pages.json"
MAHNWERK = [sys.executable, "-m", "mahnwerk.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_demo(var_dir: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*MAHNWERK, "demo", "--if-empty", "--weeks", "2"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def portal_logins(env: dict[str, str], n: int) -> list[dict[str, str]]:
    """Reference, code and postcode of ``n`` open cases, as printed on their letters."""
    code = f"""
import json, random
from sqlalchemy import select
from mahnwerk.bootstrap import build
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.models import Case
rt = build()
with rt.sessions() as s:
    ids = s.scalars(select(Case.id).where(Case.status == "open")).all()
    out = []
    for case_id in random.Random(3).sample(list(ids), {n}):
        case = s.get(Case, case_id)
        out.append({{"reference": case.reference, "postcode": case.debtor.current_address.postcode,
                     "code": portal_access.code_for_case(s, rt.settings.secret_key, case_id),
                     "id": case_id}})
    s.commit()
print(json.dumps(out))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no csrf token"
    return match.group(1)


def agent_client(base: str, email: str = "agent@demo.mahnwerk.de") -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = csrf(client.get("/login").text)
    r = client.post(
        "/login",
        data={"email": email, "password": "Demo-Passwort-2025", "csrf": token},
    )
    assert r.status_code in (200, 303), r.status_code
    return client


def portal_client(base: str, login: dict[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = csrf(client.get("/portal").text)
    r = client.post(
        "/portal",
        data={
            "reference": login["reference"],
            "code": login["code"],
            "postcode": login["postcode"],
            "csrf": token,
        },
    )
    assert r.status_code in (200, 303), (r.status_code, r.text[:200])
    return client


CREDITOR_USER = "stadtwerke@demo.mahnwerk.de"


def creditor_page(base: str, requests: int) -> dict:
    """``/portfolio`` as the demo's creditor user, one request after another."""
    client = agent_client(base, CREDITOR_USER)
    for _ in range(20):  # warm-up: templates compiled, caches filled in both workers
        assert client.get("/portfolio").status_code == 200
    latencies, errors, size = [], 0, 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get("/portfolio")
        latencies.append((time.perf_counter() - started) * 1000)
        errors += answer.status_code != 200
        size = len(answer.content)
    client.close()
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(len(lat) * p))], 1)

    return {
        "user": CREDITOR_USER,
        "requests": requests,
        "errors": errors,
        "bytes": size,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(lat[-1], 1),
    }


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def _get(
    host: str,
    port: int,
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    path: str,
    cookie: str,
) -> int:
    """One GET over a kept-alive HTTP/1.1 connection (a new one when none is idle)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n\r\n"
    while idle:
        reader, writer = idle.pop()
        writer.write(request.encode())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            break
        except (asyncio.IncompleteReadError, ConnectionError):
            # the server closed a connection idle for longer than its keep-alive timeout:
            # send again on another one, as HTTP clients do for a GET
            writer.close()
    else:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request.encode())
        head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    assert length, "the pages are sent with a Content-Length"
    await reader.readexactly(int(length.group(1)))
    idle.append((reader, writer))
    return status


def warm_up(base: str, agents: list[str], portals: list[str], case_ids: list[int]) -> None:
    """A few hundred requests of both pages before measuring, so that every worker has
    compiled its templates and filled its caches (a server runs for days, not seconds)."""
    rng = random.Random(5)
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(200):
            client.get(
                f"/work/cases/{rng.choice(case_ids)}", headers={"Cookie": agents[i % len(agents)]}
            )
            client.get("/portal/case", headers={"Cookie": portals[i % len(portals)]})


def load(
    base: str, logins: list[dict[str, str]], case_ids: list[int], rate: float, duration: float
) -> dict:
    """Open-loop load from one asyncio thread speaking plain HTTP/1.1 (the sessions are
    signed in with httpx first): the load generator shares the 2 cores with the server,
    so it is kept lean — a thread pool of httpx clients cost the server a third of a core
    and added its own GIL waits to the measured latency."""
    agents = [cookie_header(agent_client(base)) for _ in range(8)]
    portals = [cookie_header(portal_client(base, login)) for login in logins]
    warm_up(base, agents, portals, case_ids)
    host, port = base.removeprefix("http://").split(":")
    total = int(rate * duration)
    results: list[tuple[str, float, int]] = []
    failures: list[str] = []
    rng = random.Random(11)
    plan = []
    for i in range(total):
        if i % 2 == 0:
            plan.append(("case", agents[i % len(agents)], f"/work/cases/{rng.choice(case_ids)}"))
        else:
            plan.append(("statement", portals[rng.randrange(len(portals))], "/portal/case"))
    start = time.perf_counter() + 0.5

    async def send(i: int, idle: list) -> None:
        kind, cookie, url = plan[i]
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            status = await asyncio.wait_for(_get(host, int(port), idle, url, cookie), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            status = 599
            failures.append(type(exc).__name__)
        results.append((kind, time.perf_counter() - due, status))

    async def run_all() -> None:
        idle: list = []
        await asyncio.gather(*(send(i, idle) for i in range(total)))
        for _, writer in idle:
            writer.close()

    asyncio.run(run_all())
    elapsed = time.perf_counter() - start

    def summary(kind: str | None) -> dict:
        lat = sorted(r[1] * 1000 for r in results if kind in (None, r[0]))
        errors = sum(1 for r in results if kind in (None, r[0]) and r[2] != 200)
        return {
            "requests": len(lat),
            "errors": errors,
            "p50_ms": round(lat[len(lat) // 2], 1),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
        }

    statuses = Counter(str(r[2]) for r in results if r[2] != 200)
    return {
        "achieved_rps": round(len(results) / elapsed, 1),
        "errors_by_status": dict(statuses),
        "failures": dict(Counter(failures)),
        "all": summary(None),
        "case_page": summary("case"),
        "statement_page": summary("statement"),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--var-dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--creditor-requests", type=int, default=200)
    parser.add_argument("--creditor-runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mahnwerk-pages-"))
    var_dir = (args.var_dir or tmp / "var").resolve()
    env = dict(os.environ, MAHNWERK_VAR_DIR=str(var_dir))
    env.pop("MAHNWERK_DATABASE_URL", None)
    demo_seconds = ensure_demo(var_dir, env)
    logins = portal_logins(env, 50)
    ids_code = (
        "from sqlalchemy import select; from mahnwerk.bootstrap import build; "
        "from mahnwerk.store.models import Case; rt = build(); s = rt.sessions(); "
        "print(list(s.scalars(select(Case.id))))"
    )
    case_ids = json.loads(
        subprocess.run(
            [sys.executable, "-c", ids_code], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            *MAHNWERK,
            "serve",
            "--port",
            str(port),
            "--no-access-log",
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        runs = [load(base, logins, case_ids, args.rate, args.duration) for _ in range(args.runs)]
        creditor_runs = [
            creditor_page(base, args.creditor_requests) for _ in range(args.creditor_runs)
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)

    def median(path: tuple[str, str]) -> float:
        return statistics.median(r[path[0]][path[1]] for r in runs)

    load_avg = [round(x, 2) for x in os.getloadavg()]
    if runs:
        result = {
            "benchmark": "case page and debtor statement page, open-loop load on loopback",
            "cases": len(case_ids),
            "rate_rps": args.rate,
            "duration_s": args.duration,
            "runs": args.runs,
            "demo_seconds": round(demo_seconds, 1),
            "server_workers": args.workers,
            "median": {
                "achieved_rps": statistics.median(r["achieved_rps"] for r in runs),
                "case_page_p50_ms": median(("case_page", "p50_ms")),
                "case_page_p99_ms": median(("case_page", "p99_ms")),
                "statement_page_p50_ms": median(("statement_page", "p50_ms")),
                "statement_page_p99_ms": median(("statement_page", "p99_ms")),
                "all_p99_ms": median(("all", "p99_ms")),
                "errors": sum(r["all"]["errors"] for r in runs),
            },
            "all_runs": runs,
            "load_average": load_avg,
        }
    else:  # only the creditor page: the open-loop figures stay as they were measured
        result = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    creditor = {
        key: statistics.median(r[key] for r in creditor_runs)
        for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
    }
    result["creditor_page"] = {
        "benchmark": "/portfolio as the demo's creditor user, sequential requests",
        "cases": len(case_ids),
        "server_workers": args.workers,
        "user": CREDITOR_USER,
        "runs": len(creditor_runs),
        "median": creditor,
        "errors": sum(r["errors"] for r in creditor_runs),
        "all_runs": creditor_runs,
        "load_average": load_avg,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"median": result.get("median"), "creditor_page": creditor}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
