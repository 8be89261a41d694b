"""Next-best-action decisions in the store: one call per batch of cases, every decision logged.

:func:`decide_actions` is what the daily run calls for the cases whose strategy is in an
``nba`` step today: it reads what the platform knows of each case (contacts and whether
they got through, payments, promises, complaints, the latest score and segment) in a few
queries for the whole batch, asks the active policy version, and stores one
:class:`~mahnwerk.store.nba.NbaDecision` per case with the inputs, the allowed actions, the
action, its propensity, every action's probability and value, and the version. The caller
turns the actions into messages and phone tasks (and links them with :func:`link_message`).

A decision repeated for the same case and day (a daily run started again) returns the stored
one. Without an active version every case gets ``none`` and the caller reports why.

:func:`settle_decisions` fills in, once a decision's horizon has passed, what followed:
whether the contact got through, what was paid within the horizon and whether the debtor
complained. Those rows are what the next version learns from and is evaluated on.

:func:`in_holdout` puts a case into the permanent control group by a stable hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.ml.nba.features import FEATURES
from mahnwerk.ml.nba.policy import Policy, PolicyConfig, PolicyState
from mahnwerk.ml.nba.views import ACTIONS, CALL_WINDOWS, CaseView, Contact, Promise, channel_of
from mahnwerk.services import events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.store.calls import CallLog
from mahnwerk.store.models import Case, CaseEvent, Payment
from mahnwerk.store.nba import NbaAssignment, NbaDecision, NbaPolicyVersion
from mahnwerk.store.scoring import CaseScore
from mahnwerk.store.workflow import CaseFlag, OutboxMessage, PaymentPlan

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime
    from mahnwerk.config import NbaSettings, Settings

BERLIN = ZoneInfo("Europe/Berlin")
#: call outcomes of the agent workspace that mean the debtor was on the line
REACHED_CALLS = frozenset({"reached", "promise", "plan", "dispute", "callback"})
COMPLAINT_EVENT = "complaint.recorded"
#: days after a contact in which a complaint is counted against it
COMPLAINT_DAYS = 7


class NbaError(ValueError):
    """A next-best-action request that cannot be done (message in German)."""


def policy_config(nba: NbaSettings) -> PolicyConfig:
    """The policy's weights from the settings (``config.py``)."""
    return PolicyConfig(
        costs={k: float(v) for k, v in nba.costs.items()},
        contact_price=float(nba.contact_price),
        unanswered_price=nba.unanswered_price,
        complaint_price=float(nba.complaint_price),
        complaint_share=nba.complaint_share,
        cap_7d=nba.max_contacts_7d,
        horizon_days=nba.horizon_days,
        exploration=nba.exploration,
    )


def in_holdout(case_id: int, share: float, salt: str) -> bool:
    """Whether a case belongs to the permanent control group: a stable hash of the case id
    (the same case is in the same group forever, on every machine).

    >>> [i for i in range(1, 60) if in_holdout(i, 0.10, "mahnwerk-nba")]
    [19, 27, 36, 42, 50]
    >>> sum(in_holdout(i, 0.10, "mahnwerk-nba") for i in range(1, 10001))
    937
    """
    digest = hashlib.sha256(f"{salt}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def assign(s: Session, case_id: int, arm: str, strategy: str, day: date) -> NbaAssignment:
    """Record (once) which group a case of a next-best-action strategy belongs to."""
    row = s.get(NbaAssignment, case_id)
    if row is None:
        row = NbaAssignment(case_id=case_id, arm=arm, strategy_name=strategy, assigned_on=day)
        s.add(row)
        s.flush()
    return row


# ------------------------------------------------------------------------------ versions


_POLICIES: dict[tuple[str, str], PolicyState] = {}


def load_state(settings: Settings, row: NbaPolicyVersion) -> PolicyState:
    key = (str(settings.var_dir), row.version)
    state = _POLICIES.get(key)
    if state is None:
        state = PolicyState.load(settings.var_dir / row.path)
        if len(_POLICIES) > 4:
            _POLICIES.clear()
        _POLICIES[key] = state
    return state


def active_version(s: Session) -> NbaPolicyVersion | None:
    return s.scalar(select(NbaPolicyVersion).where(NbaPolicyVersion.status == "active"))


# ---------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class NbaRequest:
    """One case whose strategy asks the policy today, and what the strategy allows."""

    case_id: int
    allowed: tuple[str, ...]
    strategy_name: str
    strategy_version: int
    step_index: int
    handed_over: date
    amount: Decimal
    balance: Decimal
    has_email: bool = False
    has_mobile: bool = False
    has_phone: bool = False


@dataclass(frozen=True)
class NbaChoice:
    case_id: int
    action: str
    propensity: float
    policy_version: str | None
    decision_id: int | None
    reason: str = ""

    @property
    def window(self) -> tuple[int, int] | None:
        """Local hours of the call window (``None`` for anything but a call)."""
        return CALL_WINDOWS.get(self.action)


def _day_of(at: datetime) -> date:
    return today_in_germany(at if at.tzinfo else at.replace(tzinfo=UTC))


def load_views(
    s: Session, requests: Sequence[NbaRequest], today: date, *, with_scores: bool = True
) -> list[CaseView]:
    """What the platform knows of each case, as the policy's views (a few batch queries)."""
    ids = [r.case_id for r in requests]
    sent = _by_case(
        s.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.case_id.in_(ids),
                OutboxMessage.status.in_(("sent", "failed")),
                OutboxMessage.channel != "phone_task",
            )
            .order_by(OutboxMessage.id)
        )
    )
    calls = _by_case(
        s.scalars(select(CallLog).where(CallLog.case_id.in_(ids)).order_by(CallLog.at))
    )
    returned = {
        f.case_id: _day_of(f.set_at)
        for f in s.scalars(
            select(CaseFlag).where(CaseFlag.case_id.in_(ids), CaseFlag.kind == "letter_returned")
        )
    }
    payments = _by_case(
        s.scalars(select(Payment).where(Payment.case_id.in_(ids), Payment.reversed.is_(False)))
    )
    plans = _by_case(s.scalars(select(PaymentPlan).where(PaymentPlan.case_id.in_(ids))))
    complaints = _by_case(
        s.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(ids), CaseEvent.kind == COMPLAINT_EVENT)
        )
    )
    scores: dict[int, CaseScore] = {}
    if with_scores:
        for sc in s.scalars(
            select(CaseScore)
            .where(CaseScore.case_id.in_(ids), CaseScore.run_date <= today)
            .order_by(CaseScore.run_date)
        ):
            scores[sc.case_id] = sc  # the latest wins
    views = []
    for r in requests:
        start = r.handed_over

        def day(d: date, start: date = start) -> int:
            return (d - start).days

        contacts: list[Contact] = []
        back = returned.get(r.case_id)
        for m in sent.get(r.case_id, []):
            if m.sent_at is None and m.status == "sent":
                continue
            when = _day_of(m.sent_at or m.created_at)
            ok = m.status == "sent"
            if m.channel == "letter" and back is not None and back >= when:
                ok = False
            contacts.append(Contact(day(when), m.channel, ok))
        for c in calls.get(r.case_id, []):
            local = (c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC)).astimezone(BERLIN)
            window = (
                "call_morning"
                if local.hour < 12
                else "call_afternoon"
                if local.hour < 17
                else "call_evening"
            )
            contacts.append(Contact(day(local.date()), window, c.outcome in REACHED_CALLS))
        contacts.sort(key=lambda c: c.day)
        promises = []
        for p in plans.get(r.case_id, []):
            kept = None if p.status == "active" else p.status == "completed"
            promises.append(
                Promise(day(p.agreed_on), day(p.start), float(p.instalment * p.count), kept)
            )
        score = scores.get(r.case_id)
        views.append(
            CaseView(
                id=str(r.case_id),
                day=day(today),
                weekday=today.weekday(),
                amount=float(max(r.amount, r.balance)),
                balance=float(r.balance),
                has_email=r.has_email,
                has_mobile=r.has_mobile,
                has_phone=r.has_phone,
                contacts=tuple(contacts),
                payments=tuple(
                    sorted((day(p.date), float(p.amount)) for p in payments.get(r.case_id, []))
                ),
                promises=tuple(promises),
                complaints=tuple(sorted(day(_day_of(e.at)) for e in complaints.get(r.case_id, []))),
                requested=any(
                    c.outcome == "callback"
                    and c.next_step_on is not None
                    and c.next_step_on >= today
                    for c in calls.get(r.case_id, [])
                ),
                score=None if score is None else float(score.p_pay_30d),
                segment=None if score is None or not score.segment else score.segment,
                allowed=r.allowed,
            )
        )
    return views


def _by_case(rows: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.case_id, []).append(row)
    return out


def _seed(version: str, today: date, ids: Sequence[int]) -> list[int]:
    digest = hashlib.sha256(f"{version}:{today.isoformat()}:{min(ids)}:{len(ids)}".encode())
    return [int.from_bytes(digest.digest()[:8], "big")]


def decide_actions(
    s: Session,
    runtime: Runtime,
    requests: Sequence[NbaRequest],
    today: date,
    *,
    now: datetime | None = None,
) -> list[NbaChoice]:
    """One action per request, each within its ``allowed`` (see the module docstring)."""
    if not requests:
        return []
    now = now or utcnow()
    ids = [r.case_id for r in requests]
    stored = {
        d.case_id: d
        for d in s.scalars(
            select(NbaDecision).where(NbaDecision.case_id.in_(ids), NbaDecision.run_date == today)
        )
    }
    todo = [r for r in requests if r.case_id not in stored]
    version = active_version(s)
    made: dict[int, NbaChoice] = {}
    if todo and version is None:
        for r in todo:
            made[r.case_id] = NbaChoice(
                r.case_id,
                "none",
                1.0,
                None,
                None,
                "keine aktive Version der Kontaktsteuerung (mahnwerk nba activate)",
            )
    elif todo:
        assert version is not None
        settings = runtime.settings
        policy = Policy(load_state(settings, version), policy_config(settings.nba))
        views = load_views(s, todo, today)
        decisions = policy.decide(
            views, seed=_seed(version.version, today, [r.case_id for r in todo])
        )
        costs = policy.config.action_costs()
        rows = []
        for k, r in enumerate(todo):
            action = decisions.actions[k]
            if action not in r.allowed:  # pragma: no cover - Policy.decide guarantees it
                raise AssertionError(f"Aktion {action} nicht erlaubt für Fall {r.case_id}")
            probs = decisions.probabilities[k]
            values = decisions.values[k]
            row = NbaDecision(
                case_id=r.case_id,
                run_date=today,
                arm="policy",
                policy_version=version.version,
                strategy_name=r.strategy_name,
                strategy_version=r.strategy_version,
                step_index=r.step_index,
                allowed=list(r.allowed),
                action=action,
                propensity=float(decisions.propensity[k]),
                probabilities={
                    a: round(float(probs[j]), 6) for j, a in enumerate(ACTIONS) if probs[j] > 0
                },
                values={
                    a: round(float(values[j]), 2)
                    for j, a in enumerate(ACTIONS)
                    if np.isfinite(values[j])
                },
                features={
                    name: round(float(x), 6)
                    for name, x in zip(FEATURES, decisions.features[k], strict=True)
                    if x != 0
                },
                balance=r.balance,
                cost=Decimal(str(costs[ACTIONS.index(action)])).quantize(Decimal("0.01")),
                outbox_id=None,
                reached=None,
                paid=Decimal("0.00"),
                complaint=False,
                settled=False,
                created_at=now,
            )
            rows.append(row)
        s.add_all(rows)
        s.flush()
        for r, row in zip(todo, rows, strict=True):
            made[r.case_id] = NbaChoice(
                r.case_id, row.action, row.propensity, row.policy_version, row.id
            )
    out = []
    for r in requests:
        d = stored.get(r.case_id)
        if d is not None:
            out.append(NbaChoice(r.case_id, d.action, d.propensity, d.policy_version, d.id))
        else:
            out.append(made[r.case_id])
    return out


def link_message(s: Session, decision_id: int, outbox_id: int) -> None:
    """Remember which message (or phone task) a decision caused."""
    row = s.get(NbaDecision, decision_id)
    if row is not None:
        row.outbox_id = outbox_id


def call_not_before(day: date, action: str) -> datetime | None:
    """The start of a call's window on ``day`` (UTC), for the phone task's due time."""
    window = CALL_WINDOWS.get(action)
    if window is None:
        return None
    return datetime.combine(day, time(window[0]), BERLIN).astimezone(UTC)


# -------------------------------------------------------------------------- outcomes


def settle_decisions(s: Session, settings: Settings, today: date) -> int:
    """Fill in what followed each decision whose horizon has passed; the number settled."""
    horizon = settings.nba.horizon_days
    rows = list(
        s.scalars(
            select(NbaDecision).where(
                NbaDecision.settled.is_(False),
                NbaDecision.run_date <= today - timedelta(days=horizon),
            )
        )
    )
    if not rows:
        return 0
    ids = sorted({r.case_id for r in rows})
    payments = _by_case(
        s.scalars(select(Payment).where(Payment.case_id.in_(ids), Payment.reversed.is_(False)))
    )
    outbox = {
        m.id: m
        for m in s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_([r.outbox_id for r in rows if r.outbox_id is not None])
            )
        )
    }
    calls = _by_case(s.scalars(select(CallLog).where(CallLog.case_id.in_(ids))))
    returned = _by_case(
        s.scalars(
            select(CaseFlag).where(CaseFlag.case_id.in_(ids), CaseFlag.kind == "letter_returned")
        )
    )
    complaints = _by_case(
        s.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(ids), CaseEvent.kind == COMPLAINT_EVENT)
        )
    )
    for r in rows:
        end = r.run_date + timedelta(days=horizon)
        r.paid = sum(
            (p.amount for p in payments.get(r.case_id, []) if r.run_date <= p.date < end),
            Decimal("0.00"),
        )
        if r.action == "none":
            r.reached = None
            r.complaint = False
        else:
            r.reached = _reached(r, outbox.get(r.outbox_id or -1), calls, returned)
            r.complaint = any(
                r.run_date <= _day_of(e.at) < r.run_date + timedelta(days=COMPLAINT_DAYS)
                for e in complaints.get(r.case_id, [])
            )
        r.settled = True
    return len(rows)


def _reached(
    r: NbaDecision,
    msg: OutboxMessage | None,
    calls: dict[int, list[CallLog]],
    returned: dict[int, list[CaseFlag]],
) -> bool:
    if msg is None or msg.status != "sent":
        return False
    channel = channel_of(r.action)
    if channel == "call":
        upto = r.run_date + timedelta(days=3)
        return any(
            c.outcome in REACHED_CALLS and r.run_date <= _day_of(c.at) <= upto
            for c in calls.get(r.case_id, [])
        )
    if channel == "letter":
        return not any(_day_of(f.set_at) >= r.run_date for f in returned.get(r.case_id, []))
    return True  # e-mail and SMS: sent without a bounce (no read receipts are collected)


# ------------------------------------------------------------------------- complaints


def record_complaint(
    s: Session, case: Case, actor: Actor, *, channel: str | None, note: str = ""
) -> CaseEvent:
    """A debtor complained about being contacted (counted in the group report and learned)."""
    if channel is not None and channel not in ("letter", "email", "sms", "call"):
        raise NbaError(f"unbekannter Kanal {channel!r} (letter, email, sms, call)")
    return events.emit(s, case, COMPLAINT_EVENT, actor, channel=channel, note=note[:500])


__all__ = [
    "COMPLAINT_EVENT",
    "NbaChoice",
    "NbaError",
    "NbaRequest",
    "active_version",
    "assign",
    "call_not_before",
    "decide_actions",
    "in_holdout",
    "link_message",
    "load_views",
    "policy_config",
    "record_complaint",
    "settle_decisions",
]
