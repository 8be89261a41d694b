"""The batch decisions equal an independent per-case derivation, on SQLite and PostgreSQL.

A portfolio of varied cases is built through the services (fresh, no e-mail, business
debtor, disputed, plans in good standing and broken, insolvency, hardship, contact ban,
returned letter, bounced e-mail, no address, a small amount, a case past the first steps, a
case heading for court, time-barred and acknowledged old claims). Then, day after day, the
batch decisions (bulk loading, vectorised balances, ``decide`` per case) are compared with
what the reference in ``tests/batch/reference_snapshot.py`` builds case by case from the ORM
rows and the ledger for the same day (``_load_batch`` + ``snapshot_of`` + ``decide``), and
after the real ``run_day`` of that day with the outbox rows, approvals and outcome counts it
produced.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from reference_snapshot import reference_decisions
from sqlalchemy import select

from mahnwerk.batch.decisions import (
    DECISION_COST_CODES,
    actions_by_case,
    decide_partition,
    run_decisions,
)
from mahnwerk.batch.loader import Partition
from mahnwerk.bootstrap import Runtime
from mahnwerk.channels.base import Channels
from mahnwerk.config import Settings
from mahnwerk.domain.dunning import CaseSnapshot
from mahnwerk.domain.limitation import acknowledgement, limitation_date
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, ContactPoint, Payment
from mahnwerk.store.workflow import Approval, CaseStrategy, OutboxMessage
from mahnwerk.strategies import StrategyBook

BERLIN = ZoneInfo("Europe/Berlin")
HANDED_OVER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAYS = [
    date(2026, 3, 2),
    date(2026, 3, 16),
    date(2026, 3, 18),
    date(2026, 3, 30),
    date(2026, 4, 2),
    date(2026, 4, 6),
    date(2026, 4, 13),
    date(2026, 4, 20),
    date(2026, 5, 4),
    date(2026, 6, 8),
]


class Renderer:
    def render(self, data: Mapping[str, Any]) -> bytes:
        return b"%PDF-1.7\n" + json.dumps(data, sort_keys=True).encode() + b"\n%%EOF\n"


def make_runtime(db_url, engine, sessions, tmp_path) -> Runtime:
    config = Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    )
    return Runtime(config, engine, sessions, Channels(letters=Renderer()))


def add_case(
    s,
    creditor_id: int,
    ref: str,
    *,
    amount: str = "1250.00",
    due: date = date(2026, 1, 15),
    handed_over: datetime = HANDED_OVER,
    **debtor: Any,
) -> Case:
    person: dict[str, Any] = dict(
        kind="natural",
        consumer=True,
        first_name="Jürgen",
        last_name=f"Müller-{ref}",
        birth_date=date(1980, 5, 17),
        street="Hauptstraße 5",
        postcode="80331",
        city="München",
        email=None,
        phone="0151 2345678",
    )
    person.update(debtor)
    claim = cases.ClaimInput(
        invoice_no=f"R-{ref}",
        amount=D(amount),
        default_from=due + timedelta(days=1),
        invoice_date=due - timedelta(days=30),
        due_date=due,
        label="Stromlieferung",
    )
    case = cases.create_case(
        s, CLI, creditor_id, cases.CaseInput(ref, cases.DebtorInput(**person), (claim,))
    )
    case.created_at = handed_over
    return case


def build_portfolio(sessions) -> dict[str, int]:
    ids: dict[str, int] = {}
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = {
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {"holder": "Inkasso Nord GmbH", "iban": "DE89370400440532013000"},
        }
        s.flush()
        cid = creditor.id

        def add(ref: str, **kw: Any) -> Case:
            case = add_case(s, cid, ref, **kw)
            ids[ref] = case.id
            return case

        # handed over late in the evening UTC: already the next day in Berlin
        add(
            "fresh", email="fresh@example.org", handed_over=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        )
        add("no-email")
        add(
            "business",
            kind="legal",
            consumer=False,
            first_name=None,
            last_name=None,
            birth_date=None,
            company="Bau GmbH",
            phone="040 1234567",
        )
        add("disputed")
        add("plan-good")
        add("plan-broken")
        add("insolvent")
        add("hardship")
        add("no-contact")
        add("returned")
        add("bounced", email="weg@example.org")
        add("no-address", street=None, postcode=None, city=None, phone=None)
        add("small", amount="60.00", phone=None)
        add("landline", phone="089 123456")
        add("past-steps", handed_over=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
        add("court", handed_over=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
        add("barred", due=date(2021, 6, 1))
        old = add("acknowledged", due=date(2021, 6, 1))
        old.payments.append(
            Payment(
                date=date(2024, 5, 10),
                amount=D("100.00"),
                source="bank",
                reference="Abschlag",
                reversed=False,
                created_at=HANDED_OVER,
            )
        )
        future = add("future-payment", due=date(2022, 2, 1))
        future.payments.append(
            Payment(
                date=date(2026, 12, 1),
                amount=D("10.00"),
                source="bank",
                reference="später",
                reversed=False,
                created_at=HANDED_OVER,
            )
        )
        s.flush()
        workflow.open_dispute(s, CLI, ids["disputed"], "Strom nie geliefert")
        for ref, kind in (
            ("insolvent", "insolvency"),
            ("hardship", "hardship"),
            ("no-contact", "do_not_contact"),
        ):
            workflow.set_flag(s, CLI, ids[ref], kind, "Testfall")
        bounced = s.scalars(
            select(ContactPoint).where(ContactPoint.value == "weg@example.org")
        ).one()
        workflow.report_bounced_email(s, CLI, bounced.id)
    return ids


def assert_same_snapshot(batch: CaseSnapshot, ref: CaseSnapshot, day: date) -> None:
    """Every field equal; the documented projections for limitation, payments, cost codes and
    the order of the written reminders."""
    special = {"barred_from", "payments", "cost_codes", "written_reminders"}
    for f in dataclasses.fields(CaseSnapshot):
        if f.name not in special:
            assert getattr(batch, f.name) == getattr(ref, f.name), (ref.case_id, f.name)

    def barred(s: CaseSnapshot) -> bool:
        return s.barred_from is not None and day >= s.barred_from

    assert barred(batch) == barred(ref), ref.case_id
    if barred(ref):
        assert batch.barred_from == ref.barred_from
    elif ref.barred_from is not None:
        assert batch.barred_from is not None and batch.barred_from <= ref.barred_from
    assert batch.payments == (ref.payments if ref.plan is not None else ())
    assert batch.cost_codes == ref.cost_codes & frozenset(DECISION_COST_CODES)
    assert sorted(batch.written_reminders) == sorted(ref.written_reminders)


def run(runtime: Runtime, day: date):
    return run_day(runtime, day, now=datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN))


def advance_workflow(sessions, ids: dict[str, int], day: date) -> None:
    """What people do between the runs: plans, returned mail, approvals."""
    with transaction(sessions) as s:
        if day == date(2026, 3, 2):
            workflow.add_plan(
                s,
                CLI,
                ids["plan-good"],
                amount=D("200.00"),
                start=date(2026, 3, 10),
                count=6,
                today=date(2026, 3, 5),
            )
            s.add(
                Payment(
                    case_id=ids["plan-good"],
                    date=date(2026, 3, 9),
                    amount=D("200.00"),
                    source="bank",
                    reference="Rate 1",
                    reversed=False,
                    created_at=HANDED_OVER,
                )
            )
            workflow.add_plan(
                s,
                CLI,
                ids["plan-broken"],
                amount=D("200.00"),
                start=date(2026, 3, 10),
                count=6,
                today=date(2026, 3, 5),
            )
            workflow.report_returned_letter(s, CLI, ids["returned"], "unbekannt verzogen")
            for ref, step in (("past-steps", 2), ("court", 5)):
                state = s.get(CaseStrategy, ids[ref])
                state.step_index = step
                state.stage_since = date(2026, 2, 20)
                state.first_contact_done = True
        for approval in s.scalars(select(Approval).where(Approval.status == "pending")):
            if approval.stage == "court_handover" and day >= date(2026, 3, 30):
                workflow.approve(s, CLI, approval.id, "unbestritten", today=day)
            elif approval.stage == "enforcement":
                workflow.reject(s, CLI, approval.id, "erst Vermögen prüfen")


def test_batch_decisions_equal_the_per_case_run_day_after_day(db_url, engine, sessions, tmp_path):
    runtime = make_runtime(db_url, engine, sessions, tmp_path)
    book = StrategyBook((runtime.settings.var_dir / "strategies",))
    ids = build_portfolio(sessions)
    seen_outcomes: Counter[str] = Counter()
    for day in DAYS:
        reference = reference_decisions(sessions, day, book)
        with engine.connect() as connection:
            batch = decide_partition(connection, day, book=book, keep=True)
        assert batch.decisions is not None and batch.actions is not None
        assert set(batch.decisions) == set(reference), day
        for case_id, (ref_snapshot, ref_decision) in reference.items():
            snapshot, decision = batch.decisions[case_id]
            assert_same_snapshot(snapshot, ref_snapshot, day)
            assert decision == ref_decision, (day, case_id)
        seen_outcomes.update(d.outcome for _, d in reference.values())

        # the real run of the day does what the batch decided
        summary = run(runtime, day)
        assert summary.errors == []
        assert summary.outcomes == batch.summary.outcomes, day
        assert summary.actions == batch.summary.actions, day
        assert summary.approvals_requested == batch.summary.approvals
        with sessions() as s:
            planned_fees = sum(
                len(m.payload.get("fees") or [])
                for m in s.scalars(select(OutboxMessage).where(OutboxMessage.run_date == day))
            )
        assert planned_fees == batch.summary.fees, day  # fees go with their message…
        assert summary.fees_charged <= planned_fees  # …and are booked when it goes out
        with sessions() as s:
            queued = sorted(
                (m.case_id, m.step_index, m.channel, m.first_contact)
                for m in s.scalars(select(OutboxMessage).where(OutboxMessage.run_date == day))
            )
        assert queued == sorted(batch.actions.rows()), day

        # a second look after the run: everything was processed for the day
        with engine.connect() as connection:
            again = decide_partition(connection, day, book=book)
        assert again.summary.decided == 0
        assert again.summary.already_processed == len(reference)
        advance_workflow(sessions, ids, day)

    # the portfolio went through every kind of decision
    assert set(seen_outcomes) >= {
        "action",
        "stopped",
        "paused",
        "waiting",
        "approval",
        "awaiting_approval",
        "held",
    }


def test_partitions_in_processes_add_up_to_the_whole(db_url, engine, sessions):
    build_portfolio(sessions)
    day = date(2026, 3, 2)
    with engine.connect() as connection:
        whole = decide_partition(connection, day)
    result = run_decisions(db_url, day, partitions=2, with_actions=True)
    assert [p.partition for p in result.partitions] == Partition.all(2)
    assert result.summary.cases == whole.summary.cases == 19
    assert result.summary.outcomes == whole.summary.outcomes
    assert result.summary.actions == whole.summary.actions
    assert result.actions is not None and whole.actions is not None
    assert sorted(result.actions.rows()) == sorted(whole.actions.rows())
    assert actions_by_case(result.actions)
    assert set(result.as_dict()["partitions"][0]) >= {"load_seconds", "decisions_cpu_seconds"}


@settings(max_examples=300, deadline=None)
@given(
    origin=st.dates(date(2010, 1, 1), date(2026, 12, 31)),
    acks=st.lists(st.dates(date(2009, 1, 1), date(2035, 12, 31)), max_size=4),
)
def test_a_payment_never_brings_limitation_forward(origin: date, acks: list[date]) -> None:
    """The premise of the column-wise limitation: without an acknowledgement on or after the
    origin a claim is barred from 1 January of the fourth year after it; acknowledgements
    only postpone that day."""
    earliest = date(origin.year + 4, 1, 1)
    used = sorted({d for d in acks if d >= origin})
    barred = limitation_date(origin, [acknowledgement(d) for d in used]).barred_from
    assert barred is not None and barred >= earliest
    if not used:
        assert barred == earliest
