"""The daily run's balances and decisions over 1,000,000 open cases on PostgreSQL, on 2 cores.

Starts a throwaway PostgreSQL server (``scripts/pg-start.sh``) unless ``--url`` names one,
migrates a fresh database and writes a seeded portfolio with COPY (the helpers of
``bench_balances.py``), now with the workflow state a running agency has:

- one creditor (strategy ``standard``), one debtor per case, 80 % consumers; 97 % with a
  current address, 55 % with an e-mail (5 % of them bounced), 45 % with a mobile number, 15 %
  with a landline; 1–4 claims per case, handed over in the last two years (3 % of the cases
  are older, 2018–2022, so that limitation is exercised), 0–6 payments (some after the day,
  some reversed), dunning costs and the agency fee (VV 2300/7002) of the first step;
- strategy state: 4 % fresh (no step yet), 76 % in the pre-legal steps (reminder … final
  notice, the last step 0–20 days ago), 20 % in later stages (court hand-over, enforcement,
  monitoring, with their approved approvals); the sent outbox messages of every executed step
  (1 % of the cases with the last one still pending); 2 % of the final-notice cases with a
  pending court approval; open phone-call tasks;
- 3 % disputed (most open), 5 % with a payment plan (60 % paid as agreed, 40 % broken),
  insolvency / deceased / hardship / contact-ban / returned-letter flags (2.5 % together).

Then it times :func:`mahnwerk.batch.decisions.run_decisions` (2 partitions in 2 processes:
binary-COPY bulk load, vectorised balances, snapshots and ``decide`` per case) ``--runs``
times, reports the median wall time, the share of load / balances / decisions, the CPU
seconds of the two workers and of the PostgreSQL server, checks the decisions of
``--sample`` random cases against the per-case path of ``services.daily_run``, and writes
``bench/results/daily_run.json``.

Usage: ``.venv/bin/python bench/batch/bench_daily_run.py [--cases N] [--runs R] [--url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "batch"))

import reference_snapshot as daily_run
from bench_balances import (
    _copy,
    _dates,
    copy_cases,
    copy_payments,
    fresh_database,
    post_journal,
    server_cpu_seconds,
    start_server,
    stop_server,
)

from mahnwerk.batch.balances import day_number
from mahnwerk.batch.decisions import run_decisions
from mahnwerk.batch.loader import Partition
from mahnwerk.domain.dunning import decide
from mahnwerk.services.cases import statement
from mahnwerk.store.db import make_engine, session_factory
from mahnwerk.store.workflow import CaseStrategy
from mahnwerk.strategies import StrategyBook

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "daily_run.json"
DAY = date(2026, 11, 23)  # a Monday
CHUNK = 250_000
NOW = "2026-11-23 05:00:00+00"

# the standard strategy: stage, wait days, channel of each step (None: approval / task)
STEPS = [
    ("reminder", 0, "email"),
    ("dunning_1", 14, "letter"),
    ("dunning_2", 14, "letter"),
    ("dunning_2", 3, "sms"),
    ("dunning_2", 4, "phone_task"),
    ("final_notice", 7, "letter"),
    ("court_handover", 14, None),
    ("enforcement", 30, None),
    ("monitoring", 180, None),
]
TEMPLATES = ["reminder", "dunning_1", "dunning_2", "sms_reminder", "phone_call", "final_notice"]


def _ts(days: np.ndarray, hour: int = 8) -> np.ndarray:
    return np.char.add(_dates(days), f" {hour:02d}:00:00+00")


def generate(url: str, n_cases: int, seed: int = 20261123) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    today = day_number(DAY)
    counts: dict[str, int] = {}

    def count(table: str, n: int) -> None:
        counts[table] = counts.get(table, 0) + n

    engine = make_engine(url)
    raw = engine.raw_connection()
    ids_next = {
        t: 0
        for t in (
            "claim",
            "cost",
            "payment",
            "address",
            "contact_point",
            "outbox",
            "task",
            "approval",
            "payment_plan",
            "dispute",
            "case_flag",
        )
    }

    def next_ids(table: str, n: int) -> np.ndarray:
        start = ids_next[table]
        ids_next[table] += n
        count(table, n)
        return np.arange(start + 1, start + n + 1, dtype=np.int64)

    try:
        cursor = raw.cursor()
        cursor.execute(
            "INSERT INTO creditor (id, name, status, settings, created_at)"
            f" VALUES (1, 'Bench Stadtwerke', 'active', '{{\"strategy\": \"standard\"}}', '{NOW}')"
        )
        for lo in range(1, n_cases + 1, CHUNK):
            ids = np.arange(lo, min(lo + CHUNK, n_cases + 1), dtype=np.int64)
            n = len(ids)
            count("case_file", n)
            consumer = rng.random(n) < 0.8

            # ---- workflow position first: it decides the hand-over day
            group = rng.choice(3, n, p=[0.04, 0.76, 0.20])  # fresh, pre-legal, later
            step = np.where(
                group == 0,
                -1,
                np.where(
                    group == 1, rng.integers(0, 6, n), rng.choice([6, 7, 8], n, p=[0.5, 0.3, 0.2])
                ),
            )
            # steady state: the last step lies 0..wait days back, wait being the waiting time
            # of the next step (so about 1 / (wait + 1) of the cases of a step are due today)
            wait_next = np.array([s[1] for s in STEPS[1:]] + [200, 14])[step]
            since = today - (rng.random(n) * (wait_next + 1)).astype(np.int64)
            old = rng.random(n) < 0.03
            handed = np.where(
                group == 0,
                today - rng.integers(0, 4, n),
                np.minimum(since - 10 * (step + 1), today - rng.integers(30, 730, n)),
            )
            handed = np.where(
                old & (group != 0),
                rng.integers(day_number(date(2018, 1, 1)), day_number(date(2022, 6, 1)), n),
                handed,
            )
            since = np.maximum(since, handed)

            stage = np.array(["new"] + [s[0] for s in STEPS])[step + 1]
            copy_cases(cursor, rng, ids, consumer, stage=stage, created_at=_ts(handed, 9), now=NOW)

            # ---- channels
            has_address = rng.random(n) < 0.97
            a_ids = ids[has_address]
            plz = rng.integers(1067, 99999, len(a_ids))
            _copy(
                cursor,
                "address",
                pd.DataFrame(
                    {
                        "id": next_ids("address", len(a_ids)),
                        "debtor_id": a_ids,
                        "street": "Hauptstraße 1",
                        "postcode": np.char.zfill(plz.astype(str), 5),
                        "city": "Musterstadt",
                        "country": "DE",
                        "source": "creditor",
                        "created_at": NOW,
                    }
                ),
            )
            has_email = rng.random(n) < 0.55
            bounced = has_email & (rng.random(n) < 0.05)
            has_mobile = rng.random(n) < 0.45
            has_landline = rng.random(n) < 0.15
            frames = []
            for mask, kind, value, status in (
                (has_email, "email", "kunde@example.org", np.where(bounced, "bounced", "valid")),
                (has_mobile, "mobile", "0151 2345678", "valid"),
                (has_landline, "phone", "040 1234567", "valid"),
            ):
                frames.append(
                    pd.DataFrame(
                        {
                            "debtor_id": ids[mask],
                            "kind": kind,
                            "value": value,
                            "consent": False,
                            "source": "creditor",
                            "status": status if isinstance(status, str) else status[mask],
                            "created_at": NOW,
                        }
                    )
                )
            contacts = pd.concat(frames, ignore_index=True).sort_values("debtor_id", kind="stable")
            contacts.insert(0, "id", next_ids("contact_point", len(contacts)))
            _copy(cursor, "contact_point", contacts)

            # ---- claims: due 0–300 days before the hand-over
            per_case = rng.choice([1, 2, 3, 4], n, p=[0.6, 0.25, 0.1, 0.05])
            case_of = np.repeat(ids, per_case)
            m = len(case_of)
            within = np.arange(m) - np.repeat(np.cumsum(per_case) - per_case, per_case)
            due = np.repeat(handed, per_case) - rng.integers(1, 300, m)
            principal = np.clip(rng.lognormal(np.log(30_000), 1.2, m), 500, 100_000_000).astype(
                np.int64
            )
            kind = rng.choice(
                ["statutory", "base_plus", "fixed", "none"], m, p=[0.8, 0.08, 0.08, 0.04]
            )
            value = np.where(
                kind == "base_plus",
                rng.choice(["2.5", "5", "9"], m),
                np.where(kind == "fixed", rng.choice(["4.5", "7.25", "12"], m), ""),
            )
            _copy(
                cursor,
                "claim",
                pd.DataFrame(
                    {
                        "id": next_ids("claim", m),
                        "case_id": case_of,
                        "invoice_no": np.char.add("R-", within.astype(str)),
                        "due_date": _dates(due),
                        "default_from": _dates(due + 1),
                        "principal": principal,
                        "interest_kind": kind,
                        "interest_value": value,
                        "label": "Rechnung",
                        "created_at": NOW,
                    }
                ),
            )
            case_principal = np.bincount(
                np.repeat(np.arange(n), per_case), weights=principal, minlength=n
            ).astype(np.int64)

            # ---- costs: creditor's dunning costs, and the agency fee of step 0
            k_per_case = rng.choice([0, 1, 2], n, p=[0.5, 0.35, 0.15])
            k_case = np.repeat(ids, k_per_case)
            fee_cases = ids[step >= 0]
            fee_day = handed[step >= 0]
            cost = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "case_id": k_case,
                            "date": _dates(
                                np.repeat(handed, k_per_case) - rng.integers(0, 60, len(k_case))
                            ),
                            "label": "Mahnkosten des Gläubigers",
                            "code": "mahn",
                            "amount": rng.choice([250, 500, 1200], len(k_case)),
                        }
                    ),
                    pd.DataFrame(
                        {
                            "case_id": fee_cases,
                            "date": _dates(fee_day),
                            "label": "Geschäftsgebühr",
                            "code": "VV 2300",
                            "amount": 8000,
                        }
                    ),
                    pd.DataFrame(
                        {
                            "case_id": fee_cases,
                            "date": _dates(fee_day),
                            "label": "Auslagenpauschale",
                            "code": "VV 7002",
                            "amount": 1600,
                        }
                    ),
                ],
                ignore_index=True,
            ).sort_values("case_id", kind="stable")
            cost.insert(0, "id", next_ids("cost", len(cost)))
            cost["created_at"] = NOW
            _copy(cursor, "cost", cost)

            # ---- plans (5 % of the cases with a state): 60 % paid as agreed
            with_plan = (step >= 0) & (rng.random(n) < 0.05)
            p_ids = ids[with_plan]
            p_start = today - rng.integers(0, 150, len(p_ids))
            p_inst = np.maximum(2000, case_principal[with_plan] // 10)
            _copy(
                cursor,
                "payment_plan",
                pd.DataFrame(
                    {
                        "id": next_ids("payment_plan", len(p_ids)),
                        "case_id": p_ids,
                        "kind": "plan",
                        "instalment": p_inst,
                        "start": _dates(p_start),
                        "interval_months": 1,
                        "count": 6,
                        "status": "active",
                        "agreed_on": _dates(p_start - 7),
                        "cost_notice": "Ratenzahlung",
                        "created_at": NOW,
                    }
                ),
            )
            good = rng.random(len(p_ids)) < 0.6
            paid_k = np.where(good, np.minimum(6, (today - p_start) // 28 + 1), 0)
            plan_pay_case = np.repeat(p_ids, paid_k)
            plan_pay_day = (
                np.repeat(p_start, paid_k)
                + 28
                * (np.arange(len(plan_pay_case)) - np.repeat(np.cumsum(paid_k) - paid_k, paid_k))
                - 1
            )
            plan_pay_amount = np.repeat(p_inst, paid_k)

            # ---- other payments: none for 40 %, else 1–6 after the due date
            q_per_case = np.where(rng.random(n) < 0.4, 0, rng.integers(1, 7, n))
            q_case = np.repeat(ids, q_per_case)
            q_start = np.repeat(handed - 200, q_per_case)
            q_day = q_start + (rng.random(len(q_case)) * (today + 60 - q_start)).astype(np.int64)
            q_amount = np.maximum(
                100,
                (
                    np.repeat(case_principal, q_per_case) * rng.uniform(0.02, 0.2, len(q_case))
                ).astype(np.int64),
            )
            pay = pd.DataFrame(
                {
                    "case_id": np.concatenate([q_case, plan_pay_case]),
                    "date": _dates(np.concatenate([q_day, plan_pay_day])),
                    "amount": np.concatenate([q_amount, plan_pay_amount]),
                    "source": "bank",
                    "reference": "Zahlung",
                    "reversed": np.concatenate(
                        [rng.random(len(q_case)) < 0.01, np.zeros(len(plan_pay_case), bool)]
                    ),
                }
            ).sort_values("case_id", kind="stable")
            pay.insert(0, "id", next_ids("payment", len(pay)))
            pay["created_at"] = NOW
            copy_payments(cursor, pay)

            # ---- strategy state
            s_mask = step >= 0
            _copy(
                cursor,
                "case_strategy",
                pd.DataFrame(
                    {
                        "case_id": ids[s_mask],
                        "strategy_name": "standard",
                        "strategy_version": 1,
                        "step_index": step[s_mask],
                        "stage_since": _dates(since[s_mask]),
                        "first_contact_done": True,
                        "bureau_notice_on": np.where(
                            step[s_mask] >= 1, _dates(since[s_mask] - 20), ""
                        ),
                        "last_outcome": "waiting",
                        "updated_at": NOW,
                    }
                ),
            )
            count("case_strategy", int(s_mask.sum()))

            # ---- outbox: the messages of every executed step with a channel
            executed = np.minimum(step, 5) + 1  # steps 0..min(step, 5)
            o_case_row = np.repeat(np.arange(n), executed)
            o_step = np.arange(len(o_case_row)) - np.repeat(
                np.cumsum(executed) - executed, executed
            )
            o_sent = np.maximum(
                handed[o_case_row], since[o_case_row] - 10 * (step[o_case_row] - o_step)
            )
            channel = np.array([s[2] for s in STEPS[:6]])[o_step]
            channel = np.where(
                (o_step == 0) & ~(has_email & ~bounced)[o_case_row], "letter", channel
            )
            ok = ~((channel == "sms") & ~has_mobile[o_case_row])
            ok &= ~((channel == "phone_task") & ~(has_mobile | has_landline)[o_case_row])
            o_case_row, o_step, o_sent, channel = (
                o_case_row[ok],
                o_step[ok],
                o_sent[ok],
                channel[ok],
            )
            last = np.r_[o_case_row[1:] != o_case_row[:-1], True]
            pending = last & (rng.random(len(o_case_row)) < 0.01)
            _copy(
                cursor,
                "outbox",
                pd.DataFrame(
                    {
                        "id": next_ids("outbox", len(o_case_row)),
                        "case_id": ids[o_case_row],
                        "run_date": _dates(o_sent),
                        "step_index": o_step,
                        "stage": np.array([s[0] for s in STEPS[:6]])[o_step],
                        "channel": channel,
                        "template": np.array(TEMPLATES)[o_step],
                        "strategy_name": "standard",
                        "strategy_version": 1,
                        "dedupe_key": np.char.add("standard@1#", o_step.astype(str)),
                        "first_contact": o_step == 0,
                        "payload": "{}",
                        "status": np.where(pending, "pending", "sent"),
                        "attempts": np.where(pending, 0, 1),
                        "created_at": _ts(o_sent, 6),
                        "sent_at": np.where(pending, "", _ts(o_sent, 9)),
                    }
                ),
            )

            # ---- approvals: approved for executed gated steps, pending for 2 % at step 5
            frames = []
            for gated in (6, 7):
                mask = step >= gated
                frames.append(
                    pd.DataFrame(
                        {
                            "case_id": ids[mask],
                            "step_index": gated,
                            "stage": STEPS[gated][0],
                            "status": "approved",
                        }
                    )
                )
            mask = (step == 5) & (rng.random(n) < 0.02)
            frames.append(
                pd.DataFrame(
                    {
                        "case_id": ids[mask],
                        "step_index": 6,
                        "stage": "court_handover",
                        "status": "pending",
                    }
                )
            )
            appr = pd.concat(frames, ignore_index=True).sort_values(
                ["case_id", "step_index"], kind="stable"
            )
            appr.insert(0, "id", next_ids("approval", len(appr)))
            appr["strategy_name"] = "standard"
            appr["strategy_version"] = 1
            appr["reason"] = "vorgeschlagen"
            appr["requested_at"] = NOW
            _copy(cursor, "approval", appr)

            # ---- disputes, flags, tasks
            disputed = rng.random(n) < 0.03
            d_ids = ids[disputed]
            _copy(
                cursor,
                "dispute",
                pd.DataFrame(
                    {
                        "id": next_ids("dispute", len(d_ids)),
                        "case_id": d_ids,
                        "opened_at": NOW,
                        "reason": "Forderung bestritten",
                        "status": np.where(rng.random(len(d_ids)) < 0.85, "open", "resolved"),
                        "opened_by": "agent",
                    }
                ),
            )
            flag = rng.choice(
                ["", "insolvency", "deceased", "hardship", "do_not_contact", "letter_returned"],
                n,
                p=[0.975, 0.005, 0.002, 0.005, 0.003, 0.01],
            )
            f_mask = flag != ""
            _copy(
                cursor,
                "case_flag",
                pd.DataFrame(
                    {
                        "id": next_ids("case_flag", int(f_mask.sum())),
                        "case_id": ids[f_mask],
                        "kind": flag[f_mask],
                        "note": "-",
                        "set_at": NOW,
                        "set_by": "agent",
                    }
                ),
            )
            t_phone = (step == 4) & (rng.random(n) < 0.3)
            t_review = (flag == "insolvency") & (rng.random(n) < 0.5)
            tasks = pd.concat(
                [
                    pd.DataFrame(
                        {"case_id": ids[t_phone], "kind": "phone_call", "code": "outbox:0"}
                    ),
                    pd.DataFrame(
                        {
                            "case_id": ids[t_review],
                            "kind": "review_flag",
                            "code": "review:insolvency",
                        }
                    ),
                ],
                ignore_index=True,
            ).sort_values("case_id", kind="stable")
            tasks.insert(0, "id", next_ids("task", len(tasks)))
            tasks["status"] = "open"
            tasks["due_at"] = NOW
            tasks["reason"] = "Aufgabe"
            tasks["data"] = "{}"
            tasks["created_at"] = NOW
            _copy(cursor, "task", tasks)

            raw.commit()
            print(f"  generated {counts['case_file']:,} cases", file=sys.stderr)
        post_journal(cursor)
        for table in ("person", "debtor", "case_file", *ids_next):
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


def verify(url: str, sample: int, seed: int = 11) -> dict[str, object]:
    """Batch decisions of ``sample`` random cases equal the per-case path's."""
    from mahnwerk.batch.decisions import decide_partition

    engine = make_engine(url)
    sessions = session_factory(engine)
    book = StrategyBook()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    with engine.connect() as connection:
        top = int(connection.exec_driver_sql("SELECT max(id) FROM case_file").scalar_one())
        lo = int(rng.integers(1, max(2, top - sample)))
        part = Partition(0, 1, lo, lo + sample)
        batch = decide_partition(connection, DAY, part, book=book, keep=True)
    assert batch.decisions is not None
    mismatches = []
    with sessions() as s:
        ids = sorted(batch.decisions)
        found, data = daily_run._load_batch(s, ids)
        for case in found:
            state = data.states.get(case.id)
            if state is None:
                strategy = book.for_creditor(data.creditors[case.creditor_id].settings)
                state = CaseStrategy(
                    case_id=case.id,
                    strategy_name=strategy.name,
                    strategy_version=strategy.version,
                    step_index=None,
                    stage_since=None,
                    first_contact_done=False,
                )
            else:
                strategy = book.get(state.strategy_name)
            snapshot = daily_run.snapshot_of(case, statement(case, DAY), state, strategy, data)
            expected = decide(snapshot, strategy, DAY)
            if batch.decisions[case.id][1] != expected:
                mismatches.append(
                    {
                        "case_id": case.id,
                        "per_case": repr(expected),
                        "batch": repr(batch.decisions[case.id][1]),
                    }
                )
    engine.dispose()
    return {
        "cases_checked": len(batch.decisions),
        "id_range": [lo, lo + sample],
        "outcomes": batch.summary.outcomes,
        "mismatches": len(mismatches),
        "examples": mismatches[:3],
        "seconds": round(time.perf_counter() - started, 2),
    }


# -------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--url", help="admin URL of a running server (else a throwaway one)")
    parser.add_argument("--reuse", action="store_true", help="use the database of an earlier run")
    args = parser.parse_args()

    server: dict[str, str] = {}
    admin_url = args.url
    if not admin_url:
        server = start_server()
        admin_url = server["MAHNWERK_TEST_POSTGRES_URL"]
    try:
        generation = None
        counts: dict[str, int] = {}
        if args.reuse:
            from sqlalchemy.engine import make_url

            url = make_url(admin_url).set(database="mahnwerk_bench_daily").render_as_string(False)
        else:
            url = fresh_database(admin_url, "mahnwerk_bench_daily")
            started = time.perf_counter()
            counts = generate(url, args.cases)
            generation = round(time.perf_counter() - started, 1)
            print(f"generated {counts} in {generation} s", file=sys.stderr)

        book = StrategyBook()
        runs = []
        summary = None
        load_before = os.getloadavg()
        for run in range(args.runs):
            server_before = server_cpu_seconds(server)
            started = time.perf_counter()
            result = run_decisions(
                url, DAY, partitions=args.processes, book=book, with_actions=True
            )
            wall = time.perf_counter() - started
            time.sleep(0.5)  # let the postmaster reap the finished backends
            server_after = server_cpu_seconds(server)
            server_cpu = (
                None
                if server_before is None or server_after is None
                else round(server_after - server_before, 2)
            )
            parts = result.as_dict()["partitions"]
            phases = ("load", "balances", "decisions")
            total = {ph: sum(p[f"{ph}_seconds"] for p in parts) for ph in phases}
            cpu = {ph: round(sum(p[f"{ph}_cpu_seconds"] for p in parts), 2) for ph in phases}
            all_phases = sum(total.values())
            worker_cpu = sum(cpu.values())
            runs.append(
                {
                    "wall_seconds": round(wall, 2),
                    "partitions": parts,
                    "share": {ph: round(total[ph] / all_phases, 3) for ph in phases},
                    "worker_cpu_seconds": cpu,
                    "postgres_server_cpu_seconds": server_cpu,
                    "cpu_seconds_total": None
                    if server_cpu is None
                    else round(server_cpu + worker_cpu, 2),
                    "actions_listed": len(result.actions) if result.actions is not None else 0,
                }
            )
            summary = result.summary
            print(f"run {run + 1}: {json.dumps(runs[-1])}", file=sys.stderr)
        assert summary is not None
        check = verify(url, args.sample)
        print(f"verification: {check}", file=sys.stderr)

        walls = [r["wall_seconds"] for r in runs]
        median = statistics.median(walls)
        result_json = {
            "benchmark": "daily run, balances and decisions: bulk load (binary COPY), vectorised "
            "balances, snapshots and domain.dunning.decide per case, 2 partitions in 2 processes",
            "day": DAY.isoformat(),
            "data": counts or "reused",
            "processes": args.processes,
            "cpu_count": os.cpu_count(),
            "median_wall_seconds": median,
            "median_cases_per_second": round(summary.cases / median),
            "median_run": sorted(runs, key=lambda r: r["wall_seconds"])[len(runs) // 2],
            "runs": runs,
            "summary": summary.as_dict(),
            "generation_seconds": generation,
            "machine_load_average_1_5_15min": {
                "before_runs": [round(x, 2) for x in load_before],
                "after_runs": [round(x, 2) for x in os.getloadavg()],
            },
            "verification": check,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "machine": platform.machine(),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result_json, indent=2, default=str) + "\n", encoding="utf-8")
        print(json.dumps(result_json, indent=2, default=str))
        if check["mismatches"]:
            sys.exit(1)
    finally:
        if server and not os.environ.get("BENCH_KEEP_SERVER"):
            stop_server(server)


if __name__ == "__main__":
    main()
