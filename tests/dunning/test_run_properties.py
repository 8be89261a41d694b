"""The run's planning does what the per-case reference decides, on random portfolios.

Hypothesis draws small portfolios (consumers and businesses, one to three claims, payments
before and after the day, e-mail, mobile, landline or no phone, missing addresses, cases in
every step of the strategy, disputes, flags, payment plans) and partition sizes. For two
days in a row, the reference (``tests/batch/reference_snapshot.py``: the snapshot built case
by case from the ORM rows, the balance from the ledger, then ``decide``) says what should
happen to every case; the real ``run_day`` (vectorised balances, partitions, set-based
writes) must have done exactly that: the same outbox messages, approval requests, new tasks,
stages, outcomes and day markers, and nothing for any other case.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_snapshot import reference_decisions
from sqlalchemy import select

from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.deliver import deliver_outbox
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.dunning.summary import RunSummary
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import make_engine, session_factory, transaction
from mahnwerk.store.models import Case, Payment
from mahnwerk.store.workflow import Approval, CaseStrategy, OutboxMessage, Task
from mahnwerk.strategies import StrategyBook

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 4, 13)  # a Monday
#: a Monday in a half-year whose base rate is not known (issue 17: no letter is sent whose
#: statement needs it, in the reference and in the vectorised run alike)
DAY_UNKNOWN_RATE = date(2027, 1, 11)
STEPS = 9  # the standard strategy


class Renderer:
    def render(self, data: Mapping[str, Any]) -> bytes:
        return b"%PDF-1.7\n" + json.dumps(data, sort_keys=True).encode() + b"\n%%EOF\n"


cents = st.integers(min_value=1, max_value=500_000)
claim = st.fixed_dictionaries(
    {
        "amount": cents,
        # mostly recent; now and then old enough to be time-barred
        "due_days_ago": st.one_of(
            st.integers(min_value=1, max_value=300), st.integers(min_value=300, max_value=2200)
        ),
        # issue 17: the ground of default (none: not in default; the creditor's reminder; the
        # § 286 Abs. 3 notice), the claim's kind (§ 288 Abs. 2) and a contract rate
        "ground": st.sampled_from(["default", "default", "none", "reminder", "notice"]),
        "kind": st.sampled_from(["entgelt", "entgelt", "other"]),
        "rate": st.sampled_from([None, None, "9.5"]),
    }
)
rarely = st.sampled_from([False, False, False, False, False, True])
case_spec = st.fixed_dictionaries(
    {
        "consumer": st.booleans(),
        "claims": st.lists(claim, min_size=1, max_size=3),
        "payments": st.lists(
            st.tuples(
                st.integers(min_value=-30, max_value=400),
                st.integers(min_value=1, max_value=9_000),
                # the claim the debtor named (§ 366 Abs. 1 BGB), by index; None: none
                st.one_of(st.none(), st.integers(min_value=0, max_value=2)),
            ),
            max_size=3,
        ),
        "email": st.sampled_from([None, "ok", "bounced"]),
        "phone": st.sampled_from([None, "0151 2345678", "089 123456"]),
        "address": st.booleans(),
        "handed_over_days_ago": st.integers(min_value=0, max_value=90),
        "step": st.one_of(st.none(), st.integers(min_value=0, max_value=STEPS - 1)),
        "step_days_ago": st.integers(min_value=0, max_value=40),
        "first_contact_done": st.booleans(),
        "flag": st.sampled_from([None] * 9 + ["insolvency", "hardship", "do_not_contact"]),
        "dispute": rarely,
        "plan": st.sampled_from([None, None, "kept", "broken"]),
    }
)


def build(sessions, specs: list[dict[str, Any]], day: date = DAY) -> list[int]:
    ids = []
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = {
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {"holder": "Inkasso Nord GmbH", "iban": "DE89370400440532013000"},
        }
        s.flush()
        for n, spec in enumerate(specs):
            person: dict[str, Any] = dict(
                kind="natural" if spec["consumer"] else "legal",
                consumer=spec["consumer"],
                first_name="Jürgen" if spec["consumer"] else None,
                last_name=f"Müller{n}" if spec["consumer"] else None,
                company=None if spec["consumer"] else f"Bau {n} GmbH",
                birth_date=date(1980, 5, 17) if spec["consumer"] else None,
                street="Hauptstraße 5" if spec["address"] else None,
                postcode="80331" if spec["address"] else None,
                city="München" if spec["address"] else None,
                email=None if spec["email"] is None else f"k{n}@example.org",
                phone=spec["phone"],
            )
            claims = tuple(
                cases.ClaimInput(
                    invoice_no=f"R-{n}-{i}",
                    amount=D(c["amount"]).scaleb(-2),
                    default_from=(
                        day - timedelta(days=c["due_days_ago"] - 1)
                        if c["ground"] == "default"
                        else None
                    ),
                    invoice_date=day - timedelta(days=c["due_days_ago"] + 30),
                    due_date=day - timedelta(days=c["due_days_ago"]),
                    label="Lieferung",
                    kind=c["kind"],
                    interest_kind="fixed" if c["rate"] else "statutory",
                    interest_value=D(c["rate"]) if c["rate"] else None,
                    reminder_date=(
                        day - timedelta(days=c["due_days_ago"] - 10)
                        if c["ground"] == "reminder"
                        else None
                    ),
                    # § 286 Abs. 3 BGB is for Entgeltforderungen only (else refused)
                    notice_286_3=c["ground"] == "notice" and c["kind"] == "entgelt",
                )
                for i, c in enumerate(spec["claims"])
            )
            case = cases.create_case(
                s,
                CLI,
                creditor.id,
                cases.CaseInput(f"K-{n}", cases.DebtorInput(**person), claims),
                today=day,
            )
            handed = day - timedelta(days=spec["handed_over_days_ago"])
            case.created_at = datetime(handed.year, handed.month, handed.day, 9, tzinfo=UTC)
            s.flush()
            claim_ids = [c.id for c in sorted(case.claims, key=lambda c: c.id)]
            for days_ago, amount, named in spec["payments"]:
                case.payments.append(
                    Payment(
                        claim_id=claim_ids[named]
                        if named is not None and named < len(claim_ids)
                        else None,
                        date=day - timedelta(days=days_ago),
                        amount=D(amount).scaleb(-2),
                        source="bank",
                        reference="Zahlung",
                        reversed=False,
                        created_at=case.created_at,
                    )
                )
            s.flush()
            ids.append(case.id)
            if spec["step"] is not None:
                s.add(
                    CaseStrategy(
                        case_id=case.id,
                        strategy_name="standard",
                        strategy_version=1,
                        step_index=spec["step"],
                        stage_since=day - timedelta(days=spec["step_days_ago"]),
                        first_contact_done=spec["first_contact_done"],
                        updated_at=case.created_at,
                    )
                )
            if spec["flag"]:
                workflow.set_flag(s, CLI, case.id, spec["flag"], "Test")
            if spec["dispute"]:
                workflow.open_dispute(s, CLI, case.id, "bestritten")
            if spec["plan"]:
                workflow.add_plan(
                    s,
                    CLI,
                    case.id,
                    amount=D("20.00"),
                    start=day - timedelta(days=40),
                    count=3,
                    today=day - timedelta(days=45),
                )
            if spec["email"] == "bounced":
                (contact,) = [c for c in case.debtor.contacts if c.kind == "email"]
                workflow.report_bounced_email(s, CLI, contact.id)
    return ids


def effects(sessions, day: date) -> dict[str, set[tuple[Any, ...]]]:
    with sessions() as s:
        return {
            "outbox": {
                (m.case_id, m.step_index, m.channel, m.first_contact, m.template)
                for m in s.scalars(select(OutboxMessage).where(OutboxMessage.run_date == day))
            },
            "approvals": {
                (a.case_id, a.step_index, a.stage)
                for a in s.scalars(select(Approval).where(Approval.status == "pending"))
            },
            "tasks": {(t.case_id, t.code) for t in s.scalars(select(Task))},
            "stages": {(c.id, c.stage) for c in s.scalars(select(Case))},
            "states": {
                (st_.case_id, st_.step_index, st_.last_outcome)
                for st_ in s.scalars(select(CaseStrategy).where(CaseStrategy.processed_for == day))
            },
        }


def expected(before: dict[str, set[tuple[Any, ...]]], reference, sessions) -> dict[str, set]:
    """The effects the reference decisions call for, from the state before the run."""
    with sessions() as s:
        stage = {c.id: c.stage for c in s.scalars(select(Case))}
        steps = {x.case_id: x.step_index for x in s.scalars(select(CaseStrategy))}
    out = {k: set(v) for k, v in before.items() if k in ("approvals", "tasks")}
    out["outbox"], out["states"] = set(), set()
    open_tasks = {code for code in before["tasks"]}
    for case_id, (_, decision) in reference.items():
        for a in decision.actions:
            out["outbox"].add((case_id, a.step_index, str(a.channel), a.first_contact, a.template))
        for r in decision.approvals:
            out["approvals"].add((case_id, r.step_index, str(r.stage)))
        for task in decision.tasks:
            if (case_id, task.code) not in open_tasks:
                out["tasks"].add((case_id, task.code))
        moved = decision.step_index is not None and decision.stage is not None
        if moved:
            stage[case_id] = str(decision.stage)
        step = decision.step_index if moved else steps.get(case_id)
        out["states"].add((case_id, step, str(decision.outcome)))
    out["stages"] = set(stage.items())
    return out


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(case_spec, min_size=1, max_size=7),
    partition_size=st.integers(min_value=1, max_value=4),
    first=st.sampled_from([DAY, DAY, DAY_UNKNOWN_RATE]),
)
def test_the_run_does_what_the_reference_decides(
    sqlite_template, tmp_path_factory, specs, partition_size, first
):
    folder = tmp_path_factory.mktemp("run")
    path = folder / "mahnwerk.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    config = Settings(
        database_url=f"sqlite:///{path}",
        var_dir=folder / "var",
        secret_key="test",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    )
    runtime = Runtime(config, engine, sessions, Channels(letters=Renderer()))
    book = StrategyBook()
    try:
        build(sessions, specs, first)
        for day in (first, first + timedelta(days=14)):
            now = datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN)
            reference = reference_decisions(sessions, day, book)
            want = expected(effects(sessions, day), reference, sessions)
            summary = run_day(
                runtime, day, now=now, processes=1, partition_size=partition_size, deliver=False
            )
            assert summary.errors == []
            assert summary.cases_processed == len(reference)
            after = effects(sessions, day)
            for key in ("outbox", "approvals", "tasks", "states", "stages"):
                assert after[key] == want[key], (day, key)
            deliver_outbox(runtime, now, RunSummary(day))  # the next day finds them sent
    finally:
        engine.dispose()
