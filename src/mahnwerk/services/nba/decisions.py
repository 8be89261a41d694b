"""Next-best-action decisions in the store: one call per batch of cases, every decision logged.

:func:`choose_actions` is what the daily run calls (in the read transaction of a
partition) for the cases whose strategy is in an ``nba`` step today: it reads what the
platform knows of each case (contacts and whether they got through, payments, promises,
complaints, the latest score and segment) in a few queries for the whole batch, asks the
active policy version, and returns per case the action and the
:class:`~mahnwerk.store.nba.NbaDecision` row to store: the inputs, the allowed actions, the
action, its propensity, every action's probability and value, the reason codes and the
version. The daily run writes the rows of the cases it claims, with the message or phone
task each caused. Without an active version every case gets ``none`` and the run reports why.

:func:`settle_decisions` fills in, once a decision's horizon has passed, what followed:
whether the contact got through, what was paid within the horizon and whether the debtor
complained. Those rows are what the next version learns from and is evaluated on.

:func:`in_holdout` puts a case into the permanent control group by a stable hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain.contact_rules import ContactKind, ContactPolicy, Preference, possible_within
from mahnwerk.ml.nba.features import FEATURES
from mahnwerk.ml.nba.policy import Policy, PolicyConfig, PolicyState
from mahnwerk.ml.nba.views import ACTIONS, CALL_WINDOWS, CaseView, Contact, Promise, channel_of
from mahnwerk.services import events
from mahnwerk.services.actor import Actor, today_in_germany
from mahnwerk.services.workspace.workflow import stated_preferences
from mahnwerk.store.calls import CallLog
from mahnwerk.store.models import Case, CaseEvent, Payment
from mahnwerk.store.nba import NbaDecision, NbaPolicyVersion
from mahnwerk.store.scoring import CaseScore
from mahnwerk.store.workflow import CaseFlag, OutboxMessage, PaymentPlan

if TYPE_CHECKING:
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
        sample_scale=nba.sample_scale,
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
    #: the ``nba_decision`` row to store (``None`` when no version decided)
    row: dict[str, Any] | None
    reason: str = ""


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
        logged = [
            (_call_day_and_window(c), c.outcome in REACHED_CALLS) for c in calls.get(r.case_id, [])
        ]
        task_days: set[date] = set()
        for m in sent.get(r.case_id, []):
            if m.sent_at is None and m.status == "sent":
                continue
            when = _day_of(m.sent_at or m.created_at)
            if m.channel == "phone_task":
                # a phone task is one contact, reached if a call got through within 3 days
                window = (m.payload or {}).get("call_window") or {}
                action = str(window.get("action") or "call_afternoon")
                upto = when + timedelta(days=3)
                ok = any(got and when <= d <= upto for (d, _), got in logged)
                contacts.append(Contact(day(when), action, ok))
                task_days.update(when + timedelta(days=k) for k in range(4))
                continue
            ok = m.status == "sent"
            if m.channel == "letter" and back is not None and back >= when:
                ok = False
            contacts.append(Contact(day(when), m.channel, ok))
        for (when, window), got in logged:
            if when not in task_days:  # calls of agents outside a task of the run
                contacts.append(Contact(day(when), window, got))
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


def _call_day_and_window(call: CallLog) -> tuple[date, str]:
    local = (call.at if call.at.tzinfo else call.at.replace(tzinfo=UTC)).astimezone(BERLIN)
    if local.hour < 12:
        return local.date(), "call_morning"
    return local.date(), "call_afternoon" if local.hour < 17 else "call_evening"


def _by_case(rows: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.case_id, []).append(row)
    return out


def _seed(version: str, today: date, ids: Sequence[int]) -> list[int]:
    digest = hashlib.sha256(f"{version}:{today.isoformat()}:{min(ids)}:{len(ids)}".encode())
    return [int.from_bytes(digest.digest()[:8], "big")]


def reason_codes(view: CaseView, action: str, values: np.ndarray, cap_7d: int) -> list[str]:
    """Why the policy chose ``action`` for ``view`` (stored with the decision; Art. 22 GDPR).

    Codes: ``only_none_allowed`` (the strategy allowed no contact today), ``weekly_cap`` (the
    annoyance limit: ``cap_7d`` contacts in seven days), ``asked_for_contact`` (a call-back
    the debtor asked for lifts the limit), ``no_contact_worth_its_price`` (every contact's
    expected payment is below its cost and price), ``best_value`` or ``explored`` (the chosen
    contact is or is not the one of highest posterior-mean value), ``answered_before`` (this
    channel got through before), ``unanswered:N`` (unanswered contacts in a row).
    :func:`choose_actions` puts ``stated_preferences`` first when the debtor's stated contact
    wish narrowed what was allowed.

    >>> v = CaseView(id="1", day=10, weekday=0, amount=100.0, balance=100.0,
    ...              contacts=(Contact(8, "email", True), Contact(9, "sms", False)),
    ...              allowed=("none", "email", "sms"))
    >>> values = np.array([0.0, -np.inf, 4.0, 1.0, -np.inf, -np.inf, -np.inf])
    >>> reason_codes(v, "none", values, 2)
    ['weekly_cap', 'unanswered:1']
    >>> reason_codes(v, "none", values, 3)
    ['explored', 'unanswered:1']
    >>> reason_codes(v, "email", values, 3)
    ['best_value', 'answered_before', 'unanswered:1']
    """
    codes: list[str] = []
    recent = sum(1 for c in view.contacts if 0 <= view.day - c.day < 7)
    if view.allowed == ("none",):
        codes.append("only_none_allowed")
    elif view.requested:
        codes.append("asked_for_contact")
    elif recent >= cap_7d:
        codes.append("weekly_cap")
    if not codes or codes == ["asked_for_contact"]:
        finite = np.where(np.isfinite(values), values, -np.inf)
        best = ACTIONS[int(finite.argmax())]
        if action == best:
            codes.append("best_value" if action != "none" else "no_contact_worth_its_price")
        else:
            codes.append("explored")
    if action != "none" and any(c.reached and c.action == action for c in view.contacts):
        codes.append("answered_before")
    streak = 0
    for c in view.contacts:
        streak = 0 if c.reached else streak + 1
    if streak:
        codes.append(f"unanswered:{streak}")
    return codes


def respect_preferences(
    allowed: Sequence[str], preferences: Sequence[Preference], policy: ContactPolicy
) -> tuple[str, ...]:
    """The actions of ``allowed`` that the debtor's stated preferences (Kontaktwunsch) and
    the quiet hours leave: e-mail, SMS and calls only on a channel the debtor named, a call
    only in a window that overlaps the stated hours; letters and ``none`` always (the same
    rules as the delivery's, :func:`~mahnwerk.domain.contact_rules.check_contact`, so the
    policy does not choose what the delivery would switch, defer or skip).

    >>> every = ("none", "letter", "email", "sms", "call_morning", "call_afternoon",
    ...          "call_evening")
    >>> evenings = [Preference(ContactKind.CALL, 18, 21)]
    >>> respect_preferences(every, evenings, ContactPolicy())
    ('none', 'letter', 'call_evening')
    >>> respect_preferences(every, [Preference(ContactKind.EMAIL)], ContactPolicy())
    ('none', 'letter', 'email')
    >>> respect_preferences(every, [], ContactPolicy()) == every
    True
    """
    if not preferences:
        return tuple(allowed)
    return tuple(
        a
        for a in allowed
        if a == "none"
        or possible_within(
            ContactKind(channel_of(a)),
            CALL_WINDOWS.get(a),
            policy=policy,
            preferences=preferences,
        )
    )


def with_stated_preferences(
    s: Session, settings: Settings, requests: Sequence[NbaRequest]
) -> tuple[list[NbaRequest], set[int]]:
    """``requests`` with each ``allowed`` narrowed by :func:`respect_preferences`, and the
    cases whose choice the preferences narrowed."""
    debtor_of: dict[int, int] = {}
    ids = [r.case_id for r in requests]
    for i in range(0, len(ids), 5000):
        rows = s.execute(select(Case.id, Case.debtor_id).where(Case.id.in_(ids[i : i + 5000])))
        debtor_of.update((case_id, debtor_id) for case_id, debtor_id in rows)
    stated = stated_preferences(s, debtor_of.values())
    policy = ContactPolicy(weekly_cap=settings.contacts_per_week)
    out, restricted = [], set()
    for r in requests:
        allowed = respect_preferences(
            r.allowed, stated.get(debtor_of.get(r.case_id, -1), []), policy
        )
        if allowed != r.allowed:
            restricted.add(r.case_id)
            r = replace(r, allowed=allowed)
        out.append(r)
    return out, restricted


def choose_actions(
    s: Session, settings: Settings, requests: Sequence[NbaRequest], today: date
) -> tuple[list[NbaChoice], str | None]:
    """One action per request, each within its ``allowed``, with the row to store (read
    only: the daily run writes the rows of the cases it claims). Without an active version
    every case gets ``none`` and the second value says why."""
    if not requests:
        return [], None
    version = active_version(s)
    if version is None:
        why = "keine aktive Version der Kontaktsteuerung (mahnwerk nba activate)"
        return [NbaChoice(r.case_id, "none", 1.0, None, None, why) for r in requests], why
    policy = Policy(load_state(settings, version), policy_config(settings.nba))
    requests, restricted = with_stated_preferences(s, settings, requests)
    views = [  # in chunks: the queries list the case ids
        v
        for i in range(0, len(requests), 5000)
        for v in load_views(s, requests[i : i + 5000], today)
    ]
    decisions = policy.decide(
        views, seed=_seed(version.version, today, [r.case_id for r in requests])
    )
    costs = policy.config.action_costs()
    out = []
    for k, r in enumerate(requests):
        action = decisions.actions[k]
        if action not in r.allowed:  # pragma: no cover - Policy.decide guarantees it
            raise AssertionError(f"Aktion {action} nicht erlaubt für Fall {r.case_id}")
        probs, values = decisions.probabilities[k], decisions.values[k]
        reasons = reason_codes(views[k], action, values, policy.config.cap_7d)
        if r.case_id in restricted:
            reasons.insert(0, "stated_preferences")
        propensity = float(decisions.propensity[k])
        row: dict[str, Any] = {
            "case_id": r.case_id,
            "run_date": today,
            "arm": "policy",
            "policy_version": version.version,
            "strategy_name": r.strategy_name,
            "strategy_version": r.strategy_version,
            "step_index": r.step_index,
            "allowed": list(r.allowed),
            "action": action,
            "propensity": propensity,
            "probabilities": {
                a: round(float(probs[j]), 6) for j, a in enumerate(ACTIONS) if probs[j] > 0
            },
            "values": {
                a: round(float(values[j]), 2)
                for j, a in enumerate(ACTIONS)
                if np.isfinite(values[j])
            },
            "features": {
                name: round(float(x), 6)
                for name, x in zip(FEATURES, decisions.features[k], strict=True)
                if x != 0
            },
            "reasons": reasons,
            "balance": r.balance,
            "cost": Decimal(str(costs[ACTIONS.index(action)])).quantize(Decimal("0.01")),
            "outbox_id": None,
            "reached": None,
            "paid": Decimal("0.00"),
            "complaint": False,
            "settled": False,
        }
        out.append(
            NbaChoice(
                r.case_id,
                action,
                propensity,
                version.version,
                row,
                ",".join(reasons),
            )
        )
    return out, None


def call_window(day: date, action: str) -> tuple[datetime, datetime] | None:
    """The call's window on ``day`` in UTC (``None`` for anything but a call).

    >>> call_window(date(2026, 1, 5), "call_evening")
    (datetime.datetime(2026, 1, 5, 16, 0, tzinfo=datetime.timezone.utc), \
datetime.datetime(2026, 1, 5, 19, 0, tzinfo=datetime.timezone.utc))
    """
    window = CALL_WINDOWS.get(action)
    if window is None:
        return None
    return (
        datetime.combine(day, time(window[0]), BERLIN).astimezone(UTC),
        datetime.combine(day, time(window[1]), BERLIN).astimezone(UTC),
    )


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
    "call_window",
    "choose_actions",
    "in_holdout",
    "load_views",
    "policy_config",
    "record_complaint",
    "settle_decisions",
]
