"""The decision step of the daily run for many cases at once: bulk load, vectorised balances,
then the pure :func:`~mahnwerk.domain.dunning.decide` per case.

:func:`decide_partition` reads one :class:`~mahnwerk.batch.loader.Partition` of the open cases
with one query per table (binary ``COPY`` of fixed-width columns on PostgreSQL, plain
``SELECT`` elsewhere and for the few variable-width rows: plans, tasks, approvals), computes
the balances with :func:`~mahnwerk.batch.balances.compute_balances`, turns the columns into
one :class:`~mahnwerk.domain.dunning.CaseSnapshot` per case and calls ``decide`` for each. It
returns counts per outcome and channel and, optionally, the actions as columns (case id,
step, channel, first contact) so that a caller can write the outbox in bulk.
:func:`run_decisions` runs the partitions in a process pool.

What each snapshot field is made of, and how it matches the per-case path of
:mod:`mahnwerk.services.dunning.run` (``snapshot_of``), which reads the same rows through the
ORM:

- ``consumer``, ``handed_over`` (the Berlin date of ``case_file.created_at``), the strategy
  state (``case_strategy``: step, since, first contact, bureau notice, and whether the case was
  already processed for the day, which the run skips), open/ever disputes, active flags, the
  active payment plan (the last by id), open task codes, approvals of the case's current
  strategy version, pending outbox messages, the days written reminders were sent, and the
  channels: a current address, a valid e-mail, a bounced-only e-mail, a mobile number (kind
  ``mobile`` or a German mobile prefix), a valid phone. Exactly the same values.
- ``open_amount`` and ``base_rate_unknown`` from the vectorised balances (equal to the ledger
  to the cent); ``principal``, ``due_since`` and ``claims`` (the fee rules' facts of each
  claim: id, principal, default, due date, kind, whether the § 288 Abs. 5 flat fee was
  charged) from the claims and the flat-fee costs. Exactly the same.
- ``payments`` are filled for cases with a plan only (the one rule that reads them,
  :func:`~mahnwerk.domain.dunning.plan_state`); ``cost_codes`` holds only the codes a decision
  reads (:data:`DECISION_COST_CODES`: whether the agency fee was charged).
- ``barred_from`` (limitation): without an acknowledgement (payment) on or after a claim's
  origin, a claim is barred from 1 January of the fourth year after its origin (§§ 195, 199
  BGB); that is computed column-wise. A payment can only postpone that day (§ 212 BGB, a
  Neubeginn never shortens the period), so :func:`~mahnwerk.domain.limitation.limitation_date`
  is called only for claims whose earliest possible day has come; for the others the snapshot
  holds that earliest day, later than today. ``decide`` only asks ``today >= barred_from``, so
  the answer, and hence the decision, is the same. Titles and served Mahnbescheide only
  postpone that day too (30 years, Hemmung), so claims of cases with a title or a court
  procedure join the exact computation; it is the per-case path's function
  (:func:`~mahnwerk.domain.title.claim_barred_from`), fed from the same rows.
- ``titled`` and ``court_running`` from ``title``/``title_claim`` and ``court_procedure``
  (few rows: plain ``SELECT``), exactly as ``services.court.facts.court_facts`` reads them.

Contacts per week (the weekly cap) and contact preferences are not part of the decision:
they are checked per message at the moment of delivery.

Strategies come from the one loader, :class:`mahnwerk.strategies.StrategyBook` (by default
the files shipped in ``mahnwerk/strategies``; an installation passes its own book with the
operator's folder).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from mahnwerk.batch.balances import Balances, compute_balances, day_number, day_of
from mahnwerk.batch.loader import (
    _PG_EPOCH_OFFSET,
    Partition,
    _copy_records,
    _days,
    _i64,
    _open_cases,
    load_open_cases,
)
from mahnwerk.batch.parallel import pool_map
from mahnwerk.domain.contact_rules import BERLIN, MOBILE_PREFIXES
from mahnwerk.domain.court import RUNNING_STATES, suspension
from mahnwerk.domain.dunning import CaseSnapshot, ClaimFacts, Decision, Flag, PlanTerms, decide
from mahnwerk.domain.ledger import FLAT_FEE_CODE
from mahnwerk.domain.strategy import (
    REMINDER_STAGES,
    WRITTEN_CHANNELS,
    Channel,
    Strategy,
)
from mahnwerk.domain.title import (
    NO_COURT_FACTS,
    CourtFacts,
    CourtSuspension,
    TitleCover,
    claim_barred_from,
)
from mahnwerk.store.db import make_engine
from mahnwerk.store.models import Creditor
from mahnwerk.store.reference import install_operator_values
from mahnwerk.strategies import StrategyBook

I64 = npt.NDArray[np.int64]

#: Cost codes a decision reads (``domain.dunning._fees``: the agency fee once per case).
DECISION_COST_CODES: tuple[str, ...] = ("VV 2300",)
#: Channel codes of :class:`ActionColumns`.
CHANNELS: tuple[Channel, ...] = tuple(Channel)
#: Flag codes: the :class:`~mahnwerk.domain.dunning.Flag` members, then ``letter_returned``.
FLAG_CODES: tuple[str, ...] = (*(str(f) for f in Flag), "letter_returned")
_LETTER_RETURNED_BIT = 1 << len(Flag)
_FLAG_SETS = tuple(
    frozenset(f for i, f in enumerate(Flag) if bits & (1 << i)) for bits in range(1 << len(Flag))
)
_NO_DAY = day_number(date(9999, 12, 31))
_EMPTY: frozenset[Any] = frozenset()


# ------------------------------------------------------------------------- results


@dataclass
class DecisionSummary:
    """Counts of one or more partitions for one day."""

    day: date
    cases: int = 0
    already_processed: int = 0
    decided: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    first_contacts: int = 0
    approvals: int = 0
    tasks: int = 0
    fees: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: DecisionSummary) -> None:
        self.cases += other.cases
        self.already_processed += other.already_processed
        self.decided += other.decided
        self.outcomes.update(other.outcomes)
        self.actions.update(other.actions)
        self.first_contacts += other.first_contacts
        self.approvals += other.approvals
        self.tasks += other.tasks
        self.fees += other.fees
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "cases": self.cases,
            "already_processed": self.already_processed,
            "decided": self.decided,
            "outcomes": dict(sorted(self.outcomes.items())),
            "actions": dict(sorted(self.actions.items())),
            "first_contacts": self.first_contacts,
            "approvals": self.approvals,
            "tasks": self.tasks,
            "fees": self.fees,
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class ActionColumns:
    """The actions due today, one row each; ``channel`` indexes :data:`CHANNELS`."""

    case_id: I64
    step_index: I64
    channel: npt.NDArray[np.int8]
    first_contact: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.case_id)

    def rows(self) -> list[tuple[int, int, str, bool]]:
        return [
            (c, s, str(CHANNELS[k]), f)
            for c, s, k, f in zip(
                self.case_id.tolist(),
                self.step_index.tolist(),
                self.channel.tolist(),
                self.first_contact.tolist(),
                strict=True,
            )
        ]

    @staticmethod
    def concat(parts: Sequence[ActionColumns]) -> ActionColumns:
        names = ActionColumns.__dataclass_fields__
        return ActionColumns(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


#: What ``decide_cases(keep=True)`` keeps: per case (snapshot, decision) and the strategy.
Kept = tuple[dict[int, tuple[CaseSnapshot, Decision]], dict[int, Strategy]]


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_seconds: float


@dataclass(frozen=True)
class PartitionDecisions:
    partition: Partition
    summary: DecisionSummary
    actions: ActionColumns | None = None
    #: case id -> (snapshot, decision), only with ``keep=True`` (the run's planning, tests).
    decisions: dict[int, tuple[CaseSnapshot, Decision]] | None = None
    #: case id -> the strategy it was decided under, only with ``keep=True``.
    strategies: dict[int, Strategy] | None = None
    #: what was loaded, only with ``keep=True``.
    inputs: DecisionInputs | None = None
    #: ``load`` (cases and workflow rows), ``balances``, ``decisions`` (snapshots + decide).
    timings: dict[str, Timing] = field(default_factory=dict)


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, Timing] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        old = self.timings.get(name, Timing(0.0, 0.0))
        self.timings[name] = Timing(
            old.seconds + wall - self._wall, old.cpu_seconds + cpu - self._cpu
        )
        self._wall, self._cpu = wall, cpu


# ------------------------------------------------------------------------- loading


class _Sql:
    """The few dialect differences of the queries, and fetching fixed-width columns."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pg = connection.dialect.name == "postgresql"

    def day(self, d: date) -> str:
        return f"DATE '{d.isoformat()}'" if self.pg else f"'{d.isoformat()}'"

    def cast(self, expression: str, kind: str) -> str:
        return f"CAST({expression} AS {kind})" if self.pg else expression

    def local_day(self, column: str) -> str:
        """The Berlin date of a stored UTC moment (``services.actor.today_in_germany``); on
        SQLite the raw value, converted in Python."""
        if not self.pg:
            return column
        return f"COALESCE(CAST(({column} AT TIME ZONE 'Europe/Berlin') AS date), DATE '9999-12-31')"

    def fetch(self, query: str, fields: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Columns of ``query``; kinds ``i8``, ``i4``, ``i2``, ``bool``, ``date``, ``moment``
        (a timestamp as its Berlin date, see :meth:`local_day`). Every value must be non-NULL
        (dates may use 9999-12-31), except moments on SQLite."""
        if self.pg:
            pg_types = {"i8": ">i8", "i4": ">i4", "i2": ">i2", "bool": "?", "date": ">i4"}
            layout = [(n, pg_types["date" if k == "moment" else k]) for n, k in fields]
            records = _copy_records(self.connection, query, layout)
            out: dict[str, Any] = {}
            for name, kind in fields:
                values = records[name]
                if kind in ("date", "moment"):
                    out[name] = _i64(values) + _PG_EPOCH_OFFSET
                elif kind == "bool":
                    out[name] = values.astype(np.bool_)
                else:
                    out[name] = _i64(values)
            return out
        rows = self.connection.execute(text(query)).all()
        result: dict[str, Any] = {}
        for i, (name, kind) in enumerate(fields):
            column = [r[i] for r in rows]
            if kind == "date":
                result[name] = _days(column)
            elif kind == "moment":
                result[name] = _i64([_NO_DAY if v is None else _local_day(v) for v in column])
            elif kind == "bool":
                result[name] = np.array([bool(v) for v in column], dtype=np.bool_)
            else:
                result[name] = _i64(column)
        return result


def _local_day(value: Any) -> int:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return day_number(aware.astimezone(BERLIN).date())


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _codes(column: str, names: Iterable[str]) -> str:
    whens = " ".join(f"WHEN {_quote(n)} THEN {i}" for i, n in enumerate(names))
    return f"(CASE {column} {whens} ELSE -1 END)" if whens else "-1"


def _rows_of(ids: I64, case_ids: I64) -> I64:
    """Rows in ``ids`` (sorted) of ``case_ids`` (all must be there)."""
    found = np.searchsorted(ids, case_ids)
    if len(case_ids) and (
        (found >= len(ids)).any() or (ids[np.minimum(found, len(ids) - 1)] != case_ids).any()
    ):
        raise ValueError("a row belongs to a case that was not loaded")
    return _i64(found)


@dataclass
class DecisionInputs:
    """What the decisions of one partition need besides the balances (rows sorted by case id);
    sparse parts as dicts keyed by row."""

    case_id: I64
    creditor_id: I64
    consumer: npt.NDArray[np.bool_]
    handed_over: I64
    has_state: npt.NDArray[np.bool_]
    strategy_code: I64
    step_index: I64
    stage_since: I64
    first_contact_done: npt.NDArray[np.bool_]
    bureau_notice_on: I64
    processed: npt.NDArray[np.bool_]
    strategy_names: list[str]
    creditor_settings: dict[int, dict[str, object]]
    principal: I64
    due_since: I64
    claim_row: I64
    claim_origin: I64
    claim_id: I64
    claim_principal: I64
    claim_default: I64
    claim_due: I64
    claim_entgelt: npt.NDArray[np.bool_]
    claim_flat_fee: npt.NDArray[np.bool_]
    open_dispute: npt.NDArray[np.bool_]
    ever_disputed: npt.NDArray[np.bool_]
    flag_bits: I64
    has_address: npt.NDArray[np.bool_]
    has_email: npt.NDArray[np.bool_]
    email_bounced: npt.NDArray[np.bool_]
    has_mobile: npt.NDArray[np.bool_]
    has_phone: npt.NDArray[np.bool_]
    pending: I64
    reminder_row: I64
    reminder_day: I64
    cost_bits: I64
    plans: dict[int, PlanTerms]
    tasks: dict[int, frozenset[str]]
    approvals: dict[int, list[tuple[int, str, str, int]]]
    court: dict[int, CourtFacts] = field(default_factory=dict)


def load_decision_inputs(connection: Connection, day: date, partition: Partition) -> DecisionInputs:
    """One query per table for the open cases of ``partition`` (see the module docstring)."""
    q = _Sql(connection)
    where_case = f"c.status = 'open' AND {partition.where('c.id')}"
    open_ = _open_cases(partition)
    names = sorted(
        str(r[0])
        for r in connection.execute(
            text(f"SELECT DISTINCT strategy_name FROM case_strategy WHERE {open_}")
        )
    )
    cases = q.fetch(
        f"SELECT {q.cast('c.id', 'int8')}, {q.cast('c.creditor_id', 'int8')}, d.consumer,"
        f" {q.local_day('c.created_at')},"
        f" {q.cast('CASE WHEN s.case_id IS NULL THEN 0 ELSE 1 END', 'int2')},"
        f" {q.cast(_codes('s.strategy_name', names), 'int2')},"
        f" {q.cast('COALESCE(s.step_index, -1)', 'int4')},"
        f" COALESCE(s.stage_since, {q.day(date(9999, 12, 31))}),"
        " COALESCE(s.first_contact_done, FALSE),"
        f" COALESCE(s.bureau_notice_on, {q.day(date(9999, 12, 31))}),"
        f" {q.cast(f'CASE WHEN s.processed_for = {q.day(day)} THEN 1 ELSE 0 END', 'int2')}"
        " FROM case_file c JOIN debtor d ON d.id = c.debtor_id"
        " LEFT JOIN case_strategy s ON s.case_id = c.id"
        f" WHERE {where_case}",
        [
            ("id", "i8"),
            ("creditor", "i8"),
            ("consumer", "bool"),
            ("handed_over", "moment"),
            ("has_state", "i2"),
            ("strategy", "i2"),
            ("step", "i4"),
            ("since", "date"),
            ("first_contact", "bool"),
            ("bureau", "date"),
            ("processed", "i2"),
        ],
    )
    order = np.argsort(cases["id"], kind="stable")
    cases = {k: v[order] for k, v in cases.items()}
    ids: I64 = cases["id"]
    n = len(ids)

    def per_case(kind: Any, fill: Any = 0) -> Any:
        return np.full(n, fill, dtype=kind)

    never = q.day(date(9999, 12, 31))
    claims = q.fetch(
        f"SELECT {q.cast('case_id', 'int8')}, {q.cast('principal', 'int8')},"
        f" COALESCE(due_date, default_from, {never}),"
        f" COALESCE(origin, due_date, default_from, {never}),"
        f" {q.cast('id', 'int8')}, COALESCE(default_from, {never}), COALESCE(due_date, {never}),"
        " CASE WHEN kind = 'other' THEN FALSE ELSE TRUE END"
        f" FROM claim WHERE {open_}",
        [
            ("case", "i8"),
            ("principal", "i8"),
            ("due", "date"),
            ("origin", "date"),
            ("id", "i8"),
            ("default", "date"),
            ("due_raw", "date"),
            ("entgelt", "bool"),
        ],
    )
    flat_fee_claims = q.fetch(
        f"SELECT DISTINCT {q.cast('claim_id', 'int8')} FROM cost"
        f" WHERE code = {_quote(FLAT_FEE_CODE)} AND claim_id IS NOT NULL AND {open_}",
        [("claim", "i8")],
    )
    claim_row = _rows_of(ids, claims["case"])
    principal = per_case(np.int64)
    np.add.at(principal, claim_row, claims["principal"])
    due_since = per_case(np.int64, _NO_DAY)
    np.minimum.at(due_since, claim_row, claims["due"])

    def any_(condition: str) -> str:
        return q.cast(f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END)", "int2")

    open_sql = any_("status = 'open'")
    disputes = q.fetch(
        f"SELECT {q.cast('case_id', 'int8')}, {open_sql}"
        f" FROM dispute WHERE {open_} GROUP BY case_id",
        [("case", "i8"), ("open", "i2")],
    )
    rows = _rows_of(ids, disputes["case"])
    ever_disputed, open_dispute = per_case(np.bool_, False), per_case(np.bool_, False)
    ever_disputed[rows] = True
    open_dispute[rows] = disputes["open"] > 0

    flags = q.fetch(
        f"SELECT {q.cast('case_id', 'int8')}, {q.cast(_codes('kind', FLAG_CODES), 'int2')}"
        f" FROM case_flag WHERE cleared_at IS NULL AND {open_}",
        [("case", "i8"), ("code", "i2")],
    )
    known = flags["code"] >= 0
    flag_bits = per_case(np.int64)
    np.bitwise_or.at(flag_bits, _rows_of(ids, flags["case"][known]), 1 << flags["code"][known])

    digits = "replace(replace(replace(cp.value, ' ', ''), '-', ''), '/', '')"
    mobile_prefix = " OR ".join(
        f"substr({digits}, 1, {len(p)}) = {_quote(p)}" for p in MOBILE_PREFIXES
    )

    valid_email = any_("cp.kind = 'email' AND cp.status = 'valid'")
    any_email = any_("cp.kind = 'email'")
    mobile = any_(
        f"cp.status = 'valid' AND (cp.kind = 'mobile' OR (cp.kind = 'phone' AND ({mobile_prefix})))"
    )
    phone = any_("cp.kind = 'phone' AND cp.status = 'valid'")
    contacts = q.fetch(
        f"SELECT {q.cast('c.id', 'int8')}, {valid_email}, {any_email}, {mobile}, {phone}"
        " FROM case_file c JOIN contact_point cp ON cp.debtor_id = c.debtor_id"
        f" WHERE {where_case} GROUP BY c.id",
        [("case", "i8"), ("email", "i2"), ("any_email", "i2"), ("mobile", "i2"), ("phone", "i2")],
    )
    rows = _rows_of(ids, contacts["case"])
    has_email, email_bounced = per_case(np.bool_, False), per_case(np.bool_, False)
    has_mobile, has_phone = per_case(np.bool_, False), per_case(np.bool_, False)
    has_email[rows] = contacts["email"] > 0
    email_bounced[rows] = (contacts["any_email"] > 0) & (contacts["email"] == 0)
    has_mobile[rows] = contacts["mobile"] > 0
    has_phone[rows] = contacts["phone"] > 0

    addresses = q.fetch(
        f"SELECT DISTINCT {q.cast('c.id', 'int8')}"
        " FROM case_file c JOIN address a ON a.debtor_id = c.debtor_id"
        f" WHERE a.valid_to IS NULL AND {where_case}",
        [("case", "i8")],
    )
    has_address = per_case(np.bool_, False)
    has_address[_rows_of(ids, addresses["case"])] = True

    stages = ", ".join(_quote(str(s)) for s in sorted(REMINDER_STAGES))
    channels = ", ".join(_quote(str(c)) for c in sorted(WRITTEN_CHANNELS))
    is_pending_sql = q.cast("CASE WHEN status = 'pending' THEN 1 ELSE 0 END", "int2")
    outbox = q.fetch(
        f"SELECT {q.cast('case_id', 'int8')}, {q.cast('id', 'int8')}, {is_pending_sql},"
        f" {q.local_day('sent_at')}"
        f" FROM outbox WHERE {open_} AND (status = 'pending' OR (status = 'sent'"
        f" AND sent_at IS NOT NULL AND stage IN ({stages}) AND channel IN ({channels})))",
        [("case", "i8"), ("id", "i8"), ("pending", "i2"), ("sent", "moment")],
    )
    out_row = _rows_of(ids, outbox["case"])
    is_pending = outbox["pending"] > 0
    pending = np.bincount(out_row[is_pending], minlength=n).astype(np.int64)
    sent = np.nonzero(~is_pending)[0]
    sent = sent[np.lexsort((outbox["id"][sent], out_row[sent]))]

    cost_names = list(DECISION_COST_CODES)
    costs = q.fetch(
        f"SELECT DISTINCT {q.cast('case_id', 'int8')}, {q.cast(_codes('code', cost_names), 'int2')}"
        f" FROM cost WHERE code IN ({', '.join(_quote(c) for c in cost_names)}) AND {open_}",
        [("case", "i8"), ("code", "i2")],
    )
    cost_bits = per_case(np.int64)
    np.bitwise_or.at(cost_bits, _rows_of(ids, costs["case"]), 1 << costs["code"])

    # sparse, variable-width rows: plain SELECT
    plans: dict[int, PlanTerms] = {}
    for r in connection.execute(
        text(
            "SELECT case_id, kind, instalment, start, count, interval_months, agreed_on"
            f" FROM payment_plan WHERE status = 'active' AND {open_} ORDER BY id"
        )
    ):
        plans[int(_rows_of(ids, _i64([r[0]]))[0])] = PlanTerms(
            str(r[1]),
            _as_date(r[6]),
            _as_date(r[3]),
            Decimal(int(r[2])).scaleb(-2),
            int(r[4]),
            int(r[5]),
        )
    task_rows = connection.execute(
        text(f"SELECT case_id, code FROM task WHERE status = 'open' AND {open_}")
    ).all()
    tasks: dict[int, set[str]] = {}
    if task_rows:
        rows = _rows_of(ids, _i64([r[0] for r in task_rows])).tolist()
        for row, r in zip(rows, task_rows, strict=True):
            tasks.setdefault(row, set()).add(str(r[1]))
    approval_rows = connection.execute(
        text(
            "SELECT case_id, step_index, status, strategy_name, strategy_version"
            f" FROM approval WHERE {open_}"
        )
    ).all()
    approvals: dict[int, list[tuple[int, str, str, int]]] = {}
    if approval_rows:
        rows = _rows_of(ids, _i64([r[0] for r in approval_rows])).tolist()
        for row, r in zip(rows, approval_rows, strict=True):
            approvals.setdefault(row, []).append((int(r[1]), str(r[2]), str(r[3]), int(r[4])))
    creditor_ids = sorted({int(c) for c in np.unique(cases["creditor"]).tolist()})
    settings = {
        int(cid): dict(s or {})
        for cid, s in connection.execute(
            select(Creditor.id, Creditor.settings).where(Creditor.id.in_(creditor_ids))
        )
    }
    return DecisionInputs(
        case_id=ids,
        creditor_id=cases["creditor"],
        consumer=cases["consumer"],
        handed_over=cases["handed_over"],
        has_state=cases["has_state"] > 0,
        strategy_code=cases["strategy"],
        step_index=cases["step"],
        stage_since=cases["since"],
        first_contact_done=cases["first_contact"],
        bureau_notice_on=cases["bureau"],
        processed=cases["processed"] > 0,
        strategy_names=names,
        creditor_settings=settings,
        principal=principal,
        due_since=due_since,
        claim_row=claim_row,
        claim_origin=claims["origin"],
        claim_id=claims["id"],
        claim_principal=claims["principal"],
        claim_default=claims["default"],
        claim_due=claims["due_raw"],
        claim_entgelt=claims["entgelt"],
        claim_flat_fee=np.isin(claims["id"], flat_fee_claims["claim"]),
        open_dispute=open_dispute,
        ever_disputed=ever_disputed,
        flag_bits=flag_bits,
        has_address=has_address,
        has_email=has_email,
        email_bounced=email_bounced,
        has_mobile=has_mobile,
        has_phone=has_phone,
        pending=pending,
        reminder_row=out_row[sent],
        reminder_day=outbox["sent"][sent],
        cost_bits=cost_bits,
        plans=plans,
        tasks={k: frozenset(v) for k, v in tasks.items()},
        approvals=approvals,
        court=_court_facts(connection, ids, open_),
    )


def _court_facts(connection: Connection, ids: I64, open_: str) -> dict[int, CourtFacts]:
    """Per case row with a title or a court procedure its facts (services.court.facts reads
    the same rows through the ORM)."""
    titles = connection.execute(text(f"SELECT id, case_id, final FROM title WHERE {open_}")).all()
    covered: dict[int, set[int]] = {}
    acts: dict[int, list[date]] = {}
    if titles:
        owned = f"title_id IN (SELECT id FROM title WHERE {open_})"
        for title_id, claim_id in connection.execute(
            text(
                f"SELECT title_id, claim_id FROM title_claim WHERE claim_id IS NOT NULL AND {owned}"
            )
        ):
            covered.setdefault(int(title_id), set()).add(int(claim_id))
        for title_id, on in connection.execute(
            text(f"SELECT title_id, acted_on FROM title_enforcement_act WHERE {owned}")
        ):
            acts.setdefault(int(title_id), []).append(_as_date(on))
    covers: dict[int, list[TitleCover]] = {}
    for title_id, case_id, final in titles:
        claim_ids = covered.get(int(title_id))
        covers.setdefault(int(case_id), []).append(
            TitleCover(
                None if claim_ids is None else frozenset(claim_ids),
                None if final is None else _as_date(final),
                tuple(sorted(acts.get(int(title_id), []))),
            )
        )
    suspensions: dict[int, list[CourtSuspension]] = {}
    running: set[int] = set()
    for case_id, state, filed, served, ended in connection.execute(
        text(
            "SELECT case_id, state, filed_on, served_on, ended_on"
            f" FROM court_procedure WHERE {open_}"
        )
    ):
        suspensions.setdefault(int(case_id), []).append(
            suspension(*(None if d is None else _as_date(d) for d in (filed, served, ended)))
        )
        if state in RUNNING_STATES:
            running.add(int(case_id))
    case_ids = sorted(set(covers) | set(suspensions))
    if not case_ids:
        return {}
    rows = _rows_of(ids, _i64(case_ids)).tolist()
    return {
        row: CourtFacts(
            titles=tuple(covers.get(case_id, ())),
            court=tuple(suspensions.get(case_id, ())),
            running=case_id in running,
        )
        for row, case_id in zip(rows, case_ids, strict=True)
    }


# ----------------------------------------------------------------------- snapshots


def _dates(days: I64) -> list[date | None]:
    """``date`` objects of day numbers (``None`` for 9999-12-31), one object per distinct day."""
    unique, inverse = np.unique(days, return_inverse=True)
    objects = np.empty(len(unique), dtype=object)
    objects[:] = [None if d == _NO_DAY else day_of(d) for d in unique.tolist()]
    result: list[date | None] = objects[inverse].tolist()
    return result


def _groups(rows: I64, values: list[Any]) -> dict[int, tuple[Any, ...]]:
    """``values`` grouped by ``rows`` (already sorted by row), as tuples."""
    out: dict[int, tuple[Any, ...]] = {}
    if not len(rows):
        return out
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    for row, lo, hi in zip(rows[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        out[row] = tuple(values[lo:hi])
    return out


def barred_from_days(
    inputs: DecisionInputs, payment_row: I64, payment_day: I64, day: date
) -> list[date | None]:
    """Per case the first day a claim is time-barred, exact where it is on or before ``day``,
    else the earliest possible day (later than ``day``), see the module docstring."""
    n = len(inputs.case_id)
    origin = inputs.claim_origin
    years = origin.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    earliest = (years + 4).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    last_payment = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_payment, payment_row, payment_day)
    acknowledged = last_payment[inputs.claim_row] >= origin
    court_rows = np.array(sorted(inputs.court), dtype=np.int64)
    in_court = np.isin(inputs.claim_row, court_rows)
    barred = earliest.copy()
    exact = np.flatnonzero((acknowledged | in_court) & (earliest <= day_number(day)))
    if len(exact):
        rows_needed = np.unique(inputs.claim_row[exact])
        keep = np.isin(payment_row, rows_needed)
        by_row = _groups(*_sorted_pairs(payment_row[keep], payment_day[keep]))
        for i in exact.tolist():
            row = int(inputs.claim_row[i])
            facts = inputs.court.get(row, NO_COURT_FACTS)
            result = claim_barred_from(
                day_of(int(origin[i])),
                [d for d in by_row.get(row, ()) if d is not None],
                titles=facts.titles_of(int(inputs.claim_id[i])),
                court=facts.court,
            )
            barred[i] = _NO_DAY if result is None else day_number(result)
    per_case = np.full(n, _NO_DAY, dtype=np.int64)
    np.minimum.at(per_case, inputs.claim_row, barred)
    return _dates(per_case)


def _sorted_pairs(rows: I64, days: I64) -> tuple[I64, list[date | None]]:
    order = np.lexsort((days, rows))
    return rows[order], _dates(days[order])


def case_snapshots(
    inputs: DecisionInputs,
    balances: Balances,
    payments: tuple[I64, I64, I64, I64],
    day: date,
    strategies: Sequence[Strategy | None],
) -> list[CaseSnapshot | None]:
    """One snapshot per case (``None`` for cases already processed for ``day``).
    ``payments`` are the case row, id, day and cents of every not reversed payment of the
    partition (also those after ``day``); ``strategies`` the strategy of each case (its
    approvals count only for the strategy's current version)."""
    n = len(inputs.case_id)
    if not np.array_equal(balances.case_id, inputs.case_id):
        raise ValueError("balances and decision inputs hold different cases")
    p_row, p_id, p_day, p_amount = payments
    barred = barred_from_days(inputs, p_row, p_day, day)

    plan_rows = np.array(sorted(inputs.plans), dtype=np.int64)
    keep = np.flatnonzero(np.isin(p_row, plan_rows))
    keep = keep[np.lexsort((p_id[keep], p_row[keep]))]
    plan_payments = _groups(
        p_row[keep],
        list(
            zip(
                _dates(p_day[keep]),
                [Decimal(a).scaleb(-2) for a in p_amount[keep].tolist()],
                strict=True,
            )
        ),
    )
    reminders = _groups(inputs.reminder_row, _dates(inputs.reminder_day))
    claim_facts = _claim_facts(inputs)
    cost_sets = [
        frozenset(c for i, c in enumerate(DECISION_COST_CODES) if bits & (1 << i))
        for bits in range(1 << len(DECISION_COST_CODES))
    ]

    ids = inputs.case_id.tolist()
    handed = _dates(inputs.handed_over)
    due = _dates(inputs.due_since)
    since = _dates(inputs.stage_since)
    bureau = _dates(inputs.bureau_notice_on)
    step = [None if s < 0 else s for s in inputs.step_index.tolist()]
    flags = inputs.flag_bits.tolist()
    approvals: dict[int, tuple[frozenset[int], frozenset[int]]] = {}
    for row, rows in inputs.approvals.items():
        strategy = strategies[row]
        if strategy is None:
            continue
        mine = [
            (i, st) for i, st, name, v in rows if (name, v) == (strategy.name, strategy.version)
        ]
        approvals[row] = (
            frozenset(i for i, st in mine if st == "pending"),
            frozenset(i for i, st in mine if st == "rejected"),
        )
    no_approvals: tuple[frozenset[int], frozenset[int]] = (_EMPTY, _EMPTY)
    snapshots: list[CaseSnapshot | None] = []
    append = snapshots.append
    columns = zip(
        range(n),
        ids,
        inputs.consumer.tolist(),
        handed,
        balances.total_open.tolist(),
        inputs.principal.tolist(),
        due,
        barred,
        step,
        since,
        inputs.first_contact_done.tolist(),
        inputs.open_dispute.tolist(),
        inputs.ever_disputed.tolist(),
        flags,
        bureau,
        inputs.cost_bits.tolist(),
        inputs.has_address.tolist(),
        inputs.has_email.tolist(),
        inputs.email_bounced.tolist(),
        inputs.has_mobile.tolist(),
        inputs.has_phone.tolist(),
        inputs.pending.tolist(),
        inputs.processed.tolist(),
        _dates(balances.base_rate_unknown),
        strict=True,
    )
    plans, tasks, court = inputs.plans, inputs.tasks, inputs.court
    claim_ids: dict[int, list[int]] = {}
    for row, claim_id in zip(inputs.claim_row.tolist(), inputs.claim_id.tolist(), strict=True):
        if row in court:
            claim_ids.setdefault(row, []).append(claim_id)
    for (
        row,
        case_id,
        consumer,
        handed_over,
        total_open,
        principal,
        due_since,
        barred_from,
        step_index,
        step_date,
        first_contact_done,
        open_dispute,
        ever_disputed,
        bits,
        bureau_notice_on,
        cost_bits,
        has_address,
        has_email,
        email_bounced,
        has_mobile,
        has_phone,
        pending,
        processed,
        base_rate_unknown,
    ) in columns:
        if processed:
            append(None)
            continue
        approvals_pending, approvals_rejected = approvals.get(row, no_approvals)
        append(
            CaseSnapshot(
                case_id=case_id,
                consumer=consumer,
                handed_over=handed_over,
                open_amount=Decimal(total_open).scaleb(-2),
                principal=Decimal(principal).scaleb(-2),
                due_since=due_since,
                barred_from=barred_from,
                step_index=step_index,
                step_date=step_date,
                first_contact_done=first_contact_done,
                open_dispute=open_dispute,
                ever_disputed=ever_disputed,
                flags=_FLAG_SETS[bits & (_LETTER_RETURNED_BIT - 1)],
                plan=plans.get(row),
                payments=plan_payments.get(row, ()),
                written_reminders=reminders.get(row, ()),
                bureau_notice_on=bureau_notice_on,
                cost_codes=cost_sets[cost_bits],
                has_postal_address=has_address,
                letter_returned=bool(bits & _LETTER_RETURNED_BIT),
                has_email=has_email,
                email_bounced=email_bounced,
                has_mobile=has_mobile,
                has_phone=has_phone,
                open_task_codes=tasks.get(row, _EMPTY),
                pending_messages=pending,
                approvals_pending=approvals_pending,
                approvals_rejected=approvals_rejected,
                titled=row in court and court[row].titled(claim_ids.get(row, ())),
                court_running=row in court and court[row].running,
                claims=claim_facts.get(row, ()),
                base_rate_unknown=base_rate_unknown,
            )
        )
    return snapshots


def _claim_facts(inputs: DecisionInputs) -> dict[int, tuple[ClaimFacts, ...]]:
    """The claims of every case as :class:`ClaimFacts`, in the order of their ids."""
    order = np.lexsort((inputs.claim_id, inputs.claim_row))
    facts = [
        ClaimFacts(key, Decimal(principal).scaleb(-2), default, due, entgelt, charged)
        for key, principal, default, due, entgelt, charged in zip(
            inputs.claim_id[order].tolist(),
            inputs.claim_principal[order].tolist(),
            _dates(inputs.claim_default[order]),
            _dates(inputs.claim_due[order]),
            inputs.claim_entgelt[order].tolist(),
            inputs.claim_flat_fee[order].tolist(),
            strict=True,
        )
    ]
    return _groups(inputs.claim_row[order], facts)


# ------------------------------------------------------------------------- deciding


#: Chooses, for a case without a strategy yet, between the creditor's strategy and another
#: (the hold-out group of a next-best-action strategy): (case id, strategy) -> strategy, or a
#: reason why it cannot be loaded.
StrategySwitch = Callable[[int, Strategy], Strategy | str]


def _strategies(
    inputs: DecisionInputs, book: StrategyBook, switch: StrategySwitch | None = None
) -> tuple[list[Strategy | None], list[str]]:
    """The strategy of every case (``None`` with a reason where it cannot be loaded), as the
    per-case run chooses it: the case's recorded strategy (in its current version), else the
    creditor's (passed through ``switch`` if given)."""
    by_name: dict[str, Strategy | str] = {}

    def named(name: str) -> Strategy | str:
        if name not in by_name:
            try:
                by_name[name] = book.get(name)
            except Exception as exc:  # reported per case, as the per-case run does
                by_name[name] = f"{type(exc).__name__}: {exc}"
        return by_name[name]

    by_creditor: dict[int, Strategy | str] = {}
    for cid, settings in inputs.creditor_settings.items():
        try:
            by_creditor[cid] = book.for_creditor(settings)
        except Exception as exc:
            by_creditor[cid] = f"{type(exc).__name__}: {exc}"
    coded = [named(n) for n in inputs.strategy_names]
    result: list[Strategy | None] = []
    problems: list[str] = []
    for case_id, has_state, code, creditor in zip(
        inputs.case_id.tolist(),
        inputs.has_state.tolist(),
        inputs.strategy_code.tolist(),
        inputs.creditor_id.tolist(),
        strict=True,
    ):
        chosen = coded[code] if has_state else by_creditor.get(creditor, "Mandant fehlt")
        if switch is not None and not has_state and not isinstance(chosen, str):
            chosen = switch(case_id, chosen)
        if isinstance(chosen, str):
            result.append(None)
            problems.append(chosen)
        else:
            result.append(chosen)
            problems.append("")
    return result, problems


def decide_cases(
    inputs: DecisionInputs,
    balances: Balances,
    payments: tuple[I64, I64, I64, I64],
    day: date,
    book: StrategyBook,
    *,
    with_actions: bool = True,
    keep: bool = False,
    switch: StrategySwitch | None = None,
) -> tuple[DecisionSummary, ActionColumns | None, Kept | None]:
    """``decide`` for every case of ``inputs`` not yet processed for ``day``."""
    summary = DecisionSummary(day, cases=len(inputs.case_id))
    strategies, problems = _strategies(inputs, book, switch)
    snapshots = case_snapshots(inputs, balances, payments, day, strategies)
    outcomes: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    a_case: list[int] = []
    a_step: list[int] = []
    a_channel: list[int] = []
    a_first: list[bool] = []
    channel_code = {c: i for i, c in enumerate(CHANNELS)}
    kept: dict[int, tuple[CaseSnapshot, Decision]] = {}
    kept_strategies: dict[int, Strategy] = {}
    approvals_n = tasks_n = fees_n = first_n = 0
    for row, snapshot in enumerate(snapshots):
        if snapshot is None:
            summary.already_processed += 1
            continue
        strategy = strategies[row]
        if strategy is None:
            summary.errors.append(f"Fall {snapshot.case_id}: {problems[row]}")
            continue
        try:
            decision = decide(snapshot, strategy, day)
        except Exception as exc:  # one bad case must not stop the run
            summary.errors.append(f"Fall {snapshot.case_id}: {type(exc).__name__}: {exc}")
            continue
        outcomes[decision.outcome] += 1
        for action in decision.actions:
            channels[action.channel] += 1
            if action.first_contact:
                first_n += 1
            if with_actions:
                a_case.append(snapshot.case_id)
                a_step.append(action.step_index)
                a_channel.append(channel_code[action.channel])
                a_first.append(action.first_contact)
        if decision.approvals:
            approvals_n += len(decision.approvals)
        if decision.tasks:
            tasks_n += len(decision.tasks)
        if decision.fees:
            fees_n += len(decision.fees)
        if keep:
            kept[snapshot.case_id] = (snapshot, decision)
            kept_strategies[snapshot.case_id] = strategy
    summary.decided = sum(outcomes.values())
    summary.outcomes = Counter({str(k): v for k, v in outcomes.items()})
    summary.actions = Counter({str(k): v for k, v in channels.items()})
    summary.approvals, summary.tasks, summary.fees = approvals_n, tasks_n, fees_n
    summary.first_contacts = first_n
    actions = (
        ActionColumns(
            _i64(a_case),
            _i64(a_step),
            np.array(a_channel, dtype=np.int8),
            np.array(a_first, dtype=np.bool_),
        )
        if with_actions
        else None
    )
    return summary, actions, ((kept, kept_strategies) if keep else None)


def decide_partition(
    connection: Connection,
    day: date,
    partition: Partition | None = None,
    *,
    book: StrategyBook | None = None,
    with_actions: bool = True,
    keep: bool = False,
    switch: StrategySwitch | None = None,
) -> PartitionDecisions:
    """Balances and decisions of the open cases of ``partition`` for ``day``. On PostgreSQL
    open ``connection`` with ``isolation_level="REPEATABLE READ"`` so that all tables are read
    from one snapshot."""
    partition = partition or Partition()
    clock = _Clock()
    portfolio = load_open_cases(connection, day, partition, future_payments=True)
    inputs = load_decision_inputs(connection, day, partition)
    clock.lap("load")
    balances = compute_balances(portfolio, day)
    clock.lap("balances")
    pay = portfolio.payments
    seq = pay.seq if pay.seq is not None else np.arange(len(pay.case), dtype=np.int64)
    summary, actions, kept = decide_cases(
        inputs,
        balances,
        (pay.case, seq, pay.date, pay.amount),
        day,
        book or StrategyBook(),
        with_actions=with_actions,
        keep=keep,
        switch=switch,
    )
    clock.lap("decisions")
    if kept is None:
        return PartitionDecisions(partition, summary, actions, timings=clock.timings)
    return PartitionDecisions(
        partition, summary, actions, kept[0], kept[1], inputs if keep else None, clock.timings
    )


def run_partition(
    url: str,
    day: date,
    partition: Partition,
    book: StrategyBook | None = None,
    with_actions: bool = True,
) -> PartitionDecisions:
    """:func:`decide_partition` on a connection of its own (one process, one partition)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        options: dict[str, Any] = {}
        if engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ"}
        with engine.connect().execution_options(**options) as connection:
            with Session(bind=connection) as session:  # the base rates operators added
                install_operator_values(session)
            result = decide_partition(
                connection, day, partition, book=book, with_actions=with_actions
            )
            connection.rollback()
        return result
    finally:
        engine.dispose()


def _run(args: tuple[str, date, Partition, StrategyBook | None, bool]) -> PartitionDecisions:
    return run_partition(*args)


@dataclass(frozen=True)
class DecisionRun:
    summary: DecisionSummary
    partitions: list[PartitionDecisions]

    @property
    def actions(self) -> ActionColumns | None:
        parts = [p.actions for p in self.partitions if p.actions is not None]
        return ActionColumns.concat(parts) if parts else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary.as_dict(),
            "partitions": [
                {
                    "partition": f"{p.partition.index}/{p.partition.count}",
                    "cases": p.summary.cases,
                    **{
                        f"{name}_{unit}": round(getattr(t, attr), 3)
                        for name, t in p.timings.items()
                        for unit, attr in (("seconds", "seconds"), ("cpu_seconds", "cpu_seconds"))
                    },
                }
                for p in self.partitions
            ],
        }


def run_decisions(
    url: str,
    day: date,
    partitions: int = 2,
    *,
    processes: int | None = None,
    book: StrategyBook | None = None,
    with_actions: bool = False,
) -> DecisionRun:
    """Balances and decisions of every open case for ``day``: ``partitions`` partitions in
    ``processes`` processes (default: one per partition)."""
    parts = Partition.all(partitions)
    tasks = [(url, day, p, book, with_actions) for p in parts]
    results = pool_map(_run, tasks, processes or partitions)
    summary = DecisionSummary(day)
    for r in results:
        summary.merge(r.summary)
    return DecisionRun(summary, results)


def actions_by_case(actions: ActionColumns) -> Mapping[int, list[tuple[int, str, bool]]]:
    """The actions grouped by case id (for callers and tests)."""
    out: dict[int, list[tuple[int, str, bool]]] = {}
    for case_id, step, channel, first in actions.rows():
        out.setdefault(case_id, []).append((step, channel, first))
    return out
