"""The contact world: the simulator's debtors followed day by day, so a contact policy can act.

:func:`mahnwerk.ml.simulator.simulate` draws persons with hidden traits and a history up to a
day; this module takes the same persons (one new case each, the amount of their first case)
and runs them forward from the hand-over, one day at a time, for ``contact_world.days``
days. Each morning a policy sees every open case as a
:class:`~mahnwerk.ml.nba.views.CaseView` (only what the platform would know) with the
actions the contact rules allow, and picks one; the world answers with what happened that
day: reached or not, paid, cost, complaint. Every number of the model lives in
``simulator_params.yaml`` (section ``contact_world``, which explains the mechanics).

The contact rules the world applies (what a strategy would allow, see
:mod:`mahnwerk.domain.contact_rules` and :mod:`mahnwerk.domain.dunning`): the first contact
is written (letter or e-mail); no SMS or calls on Sundays; at most three contacts in seven
days; nothing while a promise to pay is in good standing; no e-mail after a bounce, no SMS
after an undeliverable one, no letter after a returned one, no calls or SMS after a
complaint that asked for it.

Random numbers are drawn per day from ``(seed, day)``, so different policies meet the same
debtors and the same luck where they act alike (common random numbers): their difference is
measured with far less noise.

Reference policies for the figures:

* :class:`StandardStrategy` – the shipped ``standard`` strategy (its YAML, read with
  :func:`mahnwerk.domain.strategy.parse_strategy`): e-mail or letter, letters after 14 and 28
  days, an SMS, a phone task worked in office hours, a final notice; then the court step,
  which waits for a person (no contact).
* :class:`HandRule` – "at most two contacts a week, the channel that answered last".
* :class:`Oracle` – knows the hidden traits and takes, each day, the action with the highest
  true expected payment of today's contact minus its cost and the same annoyance price and
  cap as the learned policy: the ceiling for a policy of that shape.

>>> w = ContactWorld(300, seed=1, costs={"letter": 0.95, "email": 0.02, "sms": 0.09, "call": 2.5})
>>> r = w.run(StandardStrategy())
>>> r.contacts > 0 and r.collected > 0 and r.net == r.collected - r.costs
True
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol, Self

import numpy as np
import yaml

from mahnwerk.domain.strategy import GATED_STAGES, Channel, Strategy, parse_strategy
from mahnwerk.ml.nba.views import (
    ACTION_INDEX,
    ACTIONS,
    CALL_ACTIONS,
    CALL_WINDOWS,
    CaseView,
    Contact,
    Promise,
    channel_of,
)
from mahnwerk.ml.simulator import CHANNELS, load_params, simulate

if TYPE_CHECKING:
    from mahnwerk.ml.nba.policy import PolicyConfig

_CH = {c: k for k, c in enumerate(CHANNELS)}  # letter 0, email 1, sms 2, call 3
_A_CH = np.array([-1] + [_CH[channel_of(a)] for a in ACTIONS[1:]])
_N_U = 16  # uniform draws per case and day


def _sigmoid(x: Any) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _lin(coef: Mapping[str, float], **terms: Any) -> Any:
    x: Any = coef.get("intercept", 0.0)
    for k, v in terms.items():
        x = x + coef.get(k, 0.0) * v
    return x


class Chooser(Protocol):
    """A policy as the world drives it."""

    def decide(self, views: Sequence[CaseView], day: int) -> Sequence[str]: ...

    def learn(self, day: int, outcome: DayOutcome) -> None: ...


@dataclass
class DayOutcome:
    """What happened on one day to the cases the policy saw that morning (same order)."""

    ids: list[str]
    actions: list[str]
    reached: np.ndarray  # bool; False for "none"
    paid: np.ndarray  # euros paid that day
    cost: np.ndarray  # euros spent on the contact
    complaint: np.ndarray  # bool

    def as_json(self) -> list[dict[str, Any]]:
        """The ``outcomes`` of a ``learn`` request of ``mahnwerk nba session``."""
        return [
            {
                "id": i,
                "action": a,
                "reached": bool(r),
                "paid": round(float(p), 2),
                "cost": round(float(c), 2),
                "complaint": bool(k),
            }
            for i, a, r, p, c, k in zip(
                self.ids,
                self.actions,
                self.reached,
                self.paid,
                self.cost,
                self.complaint,
                strict=True,
            )
        ]


@dataclass
class WorldResult:
    """Totals of one run (euros), per-day series and per-case contact counts."""

    cases: int
    collected: float
    costs: float
    contacts: int
    complaints: int
    by_action: dict[str, int]
    collected_by_day: list[float] = field(default_factory=list)
    contacts_per_case: np.ndarray = field(default_factory=lambda: np.zeros(0))
    paid_in_full: int = 0

    @property
    def net(self) -> float:
        return self.collected - self.costs

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "collected_eur": round(self.collected, 2),
            "costs_eur": round(self.costs, 2),
            "net_eur": round(self.net, 2),
            "contacts": self.contacts,
            "complaints": self.complaints,
            "paid_in_full": self.paid_in_full,
            "by_action": dict(self.by_action),
        }


def standard_strategy() -> Strategy:
    """The shipped ``standard`` strategy, parsed by the domain's own rules."""
    text = (resources.files("mahnwerk") / "strategies" / "standard.yaml").read_text("utf-8")
    strategy, problems = parse_strategy(yaml.safe_load(text))
    if strategy is None:  # pragma: no cover - the shipped file is tested elsewhere
        raise ValueError("; ".join(problems))
    return strategy


class ContactWorld:
    """``n_cases`` new cases of as many simulated persons, run day by day (see module doc)."""

    def __init__(
        self,
        n_cases: int,
        seed: int,
        *,
        costs: Mapping[str, float],
        params: dict[str, Any] | None = None,
        days: int | None = None,
    ) -> None:
        p = params if params is not None else load_params()
        self.p = p
        self.w: dict[str, Any] = p["contact_world"]
        self.seed = int(seed)
        self.days = int(days if days is not None else self.w["days"])
        self.cost = np.array([0.0] + [float(costs[channel_of(a)]) for a in ACTIONS[1:]])
        sim = simulate(n_cases, seed=seed, params=p)
        tr = sim.traits
        first = sim.histories.cases.drop_duplicates("person_id").set_index("person_id")
        self.n = n = len(tr)
        rng = np.random.default_rng([self.seed, 991])
        self.ids = [f"s{self.seed}-{k}" for k in range(n)]
        amount = (
            first.loc[tr["person_id"], "principal_cents"].to_numpy()
            + first.loc[tr["person_id"], "costs_cents"].to_numpy()
        )
        self.amount = amount.astype(float) / 100.0
        self.ability = tr["ability"].to_numpy(float)
        self.willingness0 = tr["willingness"].to_numpy(float)
        self.outdated = tr["unreachable"].to_numpy(bool)
        self.reminder = tr["reminder_sensitivity"].to_numpy(float)
        self.cost_sens = tr["cost_sensitivity"].to_numpy(float)
        self.pref = tr["preferred_channel"].map(_CH).to_numpy(int)
        hour = tr["preferred_hour"].to_numpy(float)
        self.pref_hour = hour
        # hours between the preferred hour and each call window (0 inside it)
        bounds = np.array([CALL_WINDOWS[a] for a in CALL_ACTIONS], dtype=float)
        self.window_distance = np.maximum(
            0.0, np.maximum(bounds[None, :, 0] - hour[:, None], hour[:, None] - bounds[None, :, 1])
        )
        self.pref_window = self.window_distance.argmin(axis=1)
        #: the debtor is a business (Unternehmer): the platform knows it, but the views do not
        #: carry it (what it would be worth: ``bench/ml/nba_information.py --mix kind``)
        self.business = (first.loc[tr["person_id"], "debtor_type"] == "business").to_numpy()
        self.has_email = tr["has_email"].to_numpy(bool)
        self.has_mobile = tr["has_mobile"].to_numpy(bool)
        self.has_phone = self.has_mobile | (rng.random(n) < self.w["phone_without_mobile"])
        self.start_weekday = rng.integers(0, 5, n)  # handed over on a working day
        sc = self.w["score"]
        logit = _lin(
            sc, ability=self.ability, willingness=self.willingness0, unreachable=self.outdated
        )
        self.score = _sigmoid(logit + rng.normal(0.0, sc["noise_sd"], n))
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        n = self.n
        self.day = 0
        self.balance = self.amount.copy()
        self.willingness = self.willingness0.copy()
        self.paid_total = np.zeros(n)
        self.cost_total = np.zeros(n)
        self.n_contacts = np.zeros(n, dtype=int)
        self.n_complaints = np.zeros(n, dtype=int)
        self.no_calls = np.zeros(n, dtype=bool)
        self.email_bad = np.zeros(n, dtype=bool)
        self.sms_bad = np.zeros(n, dtype=bool)
        self.letter_bad = np.zeros(n, dtype=bool)
        self.first_done = np.zeros(n, dtype=bool)
        self.pay_day = np.full(n, -1)
        self.pay_amount = np.zeros(n)
        self.promise_due = np.full(n, -1)
        self.promise_amount = np.zeros(n)
        self.promise_kept = np.zeros(n, dtype=bool)
        self.pause_until = np.full(n, -1)
        self.contacts: list[list[Contact]] = [[] for _ in range(n)]
        self.payments: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        self.promises: list[list[Promise]] = [[] for _ in range(n)]
        self.complaint_days: list[list[int]] = [[] for _ in range(n)]
        self.by_action = dict.fromkeys(ACTIONS[1:], 0)
        self.collected_by_day: list[float] = []
        self._open: np.ndarray = np.zeros(0, dtype=int)

    def open_cases(self) -> np.ndarray:
        return np.flatnonzero(self.balance > 0.005)

    def weekday(self, idx: np.ndarray | int) -> Any:
        return (self.start_weekday[idx] + self.day) % 7

    def _recent(self, i: int, days: int, *, reached: bool | None = None) -> int:
        d = self.day
        return sum(
            1
            for c in self.contacts[i]
            if d - c.day < days and (reached is None or c.reached is reached)
        )

    def allowed(self, i: int) -> tuple[str, ...]:
        """What the contact rules allow for case ``i`` today."""
        d = self.day
        if self.pause_until[i] >= d or self._recent(i, 7) >= 3:
            return ("none",)
        out = ["none"]
        if not self.letter_bad[i]:
            out.append("letter")
        if self.has_email[i] and not self.email_bad[i]:
            out.append("email")
        if not self.first_done[i]:
            return tuple(out)
        sunday = self.weekday(i) == 6
        if sunday or self.no_calls[i]:
            return tuple(out)
        if self.has_mobile[i] and not self.sms_bad[i]:
            out.append("sms")
        if self.has_phone[i]:
            out.extend(CALL_ACTIONS)
        return tuple(out)

    def views(self) -> list[CaseView]:
        """The open cases this morning, as the platform sees them."""
        self._open = self.open_cases()
        d = self.day
        out = []
        for i in self._open.tolist():
            out.append(
                CaseView(
                    id=self.ids[i],
                    day=d,
                    weekday=int(self.weekday(i)),
                    amount=float(self.amount[i]),
                    balance=round(float(self.balance[i]), 2),
                    has_email=bool(self.has_email[i]),
                    has_mobile=bool(self.has_mobile[i]),
                    has_phone=bool(self.has_phone[i]),
                    contacts=tuple(self.contacts[i]),
                    payments=tuple(self.payments[i]),
                    promises=tuple(self.promises[i]),
                    complaints=tuple(self.complaint_days[i]),
                    score=round(float(self.score[i]), 4),
                    allowed=self.allowed(i),
                )
            )
        return out

    # ------------------------------------------------------------ dynamics
    def _draws(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, 7, self.day])
        u = rng.random((self.n, _N_U))
        ba, bb = self.w["partial_share_beta"]
        return u, rng.beta(ba, bb, self.n), rng.beta(ba, bb, self.n)

    def fresh(self) -> float:
        return math.exp(-self.day / float(self.w["fresh_days"]))

    def reach_probability(self, idx: np.ndarray, action: np.ndarray) -> np.ndarray:
        """True probability that ``action`` gets through to case ``idx`` today."""
        w, cp = self.w, self.p["contacts"]
        ch = _A_CH[action]
        fail = np.where(
            self.outdated[idx],
            np.array([cp["fail_outdated"][c] for c in CHANNELS])[ch.clip(0)],
            np.array([cp["fail_ok"][c] for c in CHANNELS])[ch.clip(0)],
        )
        p = 1.0 - fail
        opened = _sigmoid(
            _lin(
                w["email_opened"],
                preferred_channel=self.pref[idx] == 1,
                willingness=self.willingness[idx],
            )
        )
        p = np.where(ch == 1, p * opened, p)
        window = (action - ACTION_INDEX["call_morning"]).clip(0, 2)
        dist = self.window_distance[idx, window]
        missed = np.array(
            [
                self._recent(i, 14, reached=False) if c == 3 else 0
                for i, c in zip(idx, ch, strict=True)
            ]
        )
        answered = _sigmoid(
            _lin(
                w["call_answered"],
                in_window=dist <= self.w["call_window_slack_hours"],
                adjacent_window=(dist > self.w["call_window_slack_hours"]) & (dist <= 3.0),
                saturday=self.weekday(idx) == 5,
                willingness=self.willingness[idx],
                missed_calls_14d=missed,
            )
        ) * np.where(self.outdated[idx], w["call_answered_outdated_factor"], 1.0)
        p = np.where(ch == 3, answered, p)
        return np.where(ch < 0, 0.0, p)

    def response_probability(self, idx: np.ndarray, action: np.ndarray) -> np.ndarray:
        """True probability that a reached debtor reacts to ``action`` today."""
        ch = _A_CH[action]
        r14 = np.array([self._recent(i, 14, reached=True) for i in idx])
        c30 = np.array([self._recent(i, 30) for i in idx])
        return _sigmoid(
            _lin(
                self.w["response"],
                willingness=self.willingness[idx],
                ability=self.ability[idx],
                preferred_channel=ch == self.pref[idx],
                letter=ch == 0,
                email=ch == 1,
                sms=ch == 2,
                call=ch == 3,
                reminder_sensitivity=self.reminder[idx] - 1.0,
                fresh=self.fresh(),
                reached_14d=r14,
                contacts_30d=c30,
                complaints=self.n_complaints[idx],
            )
        )

    def complaint_probability(self, idx: np.ndarray, action: np.ndarray) -> np.ndarray:
        """True probability of a complaint if ``action`` reaches the debtor today."""
        ch = _A_CH[action]
        window = (action - ACTION_INDEX["call_morning"]).clip(0, 2)
        outside = self.window_distance[idx, window] > self.w["call_window_slack_hours"]
        c7 = np.array([self._recent(i, 7) for i in idx])
        streak = np.array([_streak(self.contacts[i]) for i in idx])
        return _sigmoid(
            _lin(
                self.w["complaint"],
                contacts_7d=c7,
                call=ch == 3,
                call_outside_window=(ch == 3) & outside,
                unanswered_streak=streak,
                cost_sensitivity=self.cost_sens[idx],
            )
        )

    def expected_payment(self, idx: np.ndarray, action: np.ndarray) -> np.ndarray:
        """True expected euros that today's ``action`` brings in (0 for ``none``)."""
        w = self.w
        bal = self.balance[idx]
        reach = self.reach_probability(idx, action)
        resp = self.response_probability(idx, action)
        pay = _sigmoid(
            _lin(
                w["pay_after_response"],
                ability=self.ability[idx],
                willingness=self.willingness[idx],
            )
        )
        full = _sigmoid(
            _lin(
                w["full_given_pay"],
                ability=self.ability[idx],
                log_open_amount=np.log(np.maximum(bal, 1.0) / 300.0),
            )
        )
        ba, bb = w["partial_share_beta"]
        pay_amount = bal * (full + (1 - full) * ba / (ba + bb))
        kept = _sigmoid(
            _lin(w["promise_kept"], ability=self.ability[idx], willingness=self.willingness[idx])
        )
        lo, hi = w["promise_share"]
        promise_amount = bal * (lo + hi) / 2
        per_reaction = (
            pay * pay_amount + (1 - pay) * w["promise_after_response"] * kept * promise_amount
        )
        return np.where(action == 0, 0.0, reach * resp * per_reaction)

    def step(self, actions: Sequence[str]) -> DayOutcome:
        """Apply today's actions (one per case of :meth:`views`, in order) and end the day."""
        idx = self._open
        if len(actions) != len(idx):
            raise ValueError(f"{len(actions)} actions for {len(idx)} cases")
        d, w = self.day, self.w
        u, beta_pay, _ = self._draws()
        act = np.array([ACTION_INDEX[a] for a in actions], dtype=int)
        for k, a in enumerate(actions):
            i = int(idx[k])
            if a != "none" and a not in self.allowed(i):
                raise ValueError(f"action {a!r} not allowed for {self.ids[i]} on day {d}")
        contact = act > 0
        ci, ca = idx[contact], act[contact]
        reached = np.zeros(len(idx), dtype=bool)
        complaint = np.zeros(len(idx), dtype=bool)
        cost = self.cost[act]
        if len(ci):
            p_reach = self.reach_probability(ci, ca)
            p_resp = self.response_probability(ci, ca)
            p_comp = self.complaint_probability(ci, ca)
            uc = u[ci]
            got = uc[:, 0] < p_reach
            reacts = got & (uc[:, 1] < p_resp)
            complains = got & (uc[:, 2] < p_comp)
            reached[contact] = got
            complaint[contact] = complains
            ch = _A_CH[ca]
            # the platform learns of bounces and returns and stops using that address
            failed = ~got
            self.email_bad[ci[failed & (ch == 1) & (uc[:, 3] < 0.9)]] = True
            self.sms_bad[ci[failed & (ch == 2)]] = True
            self.letter_bad[ci[failed & (ch == 0)]] = True
            self.first_done[ci[ch <= 1]] = True
            for i, a, ok in zip(ci.tolist(), ca.tolist(), got.tolist(), strict=True):
                self.contacts[i].append(Contact(d, ACTIONS[a], bool(ok)))
                self.by_action[ACTIONS[a]] += 1
            self.n_contacts[ci] += 1
            self.cost_total[ci] += self.cost[ca]
            # complaints: willingness drops for good, some forbid calls and SMS
            cc = ci[complains]
            self.n_complaints[cc] += 1
            self.willingness[cc] -= w["complaint_willingness_drop"]
            self.no_calls[cc[uc[complains, 4] < w["complaint_stops_calls"]]] = True
            for i in cc.tolist():
                self.complaint_days[i].append(d)
            # reactions: a payment within a few days, or a promise
            ri = ci[reacts]
            ur = uc[reacts]
            pays = ur[:, 5] < _sigmoid(
                _lin(
                    w["pay_after_response"],
                    ability=self.ability[ri],
                    willingness=self.willingness[ri],
                )
            )
            full = ur[:, 6] < _sigmoid(
                _lin(
                    w["full_given_pay"],
                    ability=self.ability[ri],
                    log_open_amount=np.log(np.maximum(self.balance[ri], 1.0) / 300.0),
                )
            )
            share = np.where(full, 1.0, beta_pay[ri])
            free = self.pay_day[ri] < d
            pi = ri[pays & free]
            self.pay_day[pi] = d + np.floor(ur[pays & free, 7] * (w["payment_delay_days"] + 1))
            self.pay_amount[pi] = np.round(self.balance[pi] * share[pays & free], 2)
            promise = ~pays & (ur[:, 8] < w["promise_after_response"]) & (self.promise_due[ri] < d)
            qi = ri[promise]
            lo, hi = w["promise_share"]
            self.promise_due[qi] = d + int(w["promise_due_days"])
            self.promise_amount[qi] = np.round(
                self.balance[qi] * (lo + (hi - lo) * ur[promise, 9]), 2
            )
            self.promise_kept[qi] = ur[promise, 10] < _sigmoid(
                _lin(w["promise_kept"], ability=self.ability[qi], willingness=self.willingness[qi])
            )
            self.pause_until[qi] = d + int(w["promise_due_days"]) + int(w["promise_grace_days"])
            for i in qi.tolist():
                self.promises[i].append(
                    Promise(d, d + int(w["promise_due_days"]), float(self.promise_amount[i]))
                )

        paid = self._payments_of_the_day(idx, u)
        self.collected_by_day.append(float(paid.sum()))
        self.day += 1
        return DayOutcome(
            ids=[self.ids[i] for i in idx.tolist()],
            actions=list(actions),
            reached=reached,
            paid=paid,
            cost=cost,
            complaint=complaint,
        )

    def _payments_of_the_day(self, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
        d, w = self.day, self.w
        amount = np.zeros(self.n)
        due = idx[self.pay_day[idx] == d]
        amount[due] += self.pay_amount[due]
        # promises falling due today: kept ones are paid, broken ones show after the grace
        pd_ = idx[self.promise_due[idx] == d]
        kept = pd_[self.promise_kept[pd_]]
        amount[kept] += self.promise_amount[kept]
        for i in pd_.tolist():
            last = self.promises[i][-1]
            self.promises[i][-1] = Promise(
                last.made, last.due, last.amount, bool(self.promise_kept[i])
            )
        self.pause_until[kept] = d  # a kept promise ends the pause
        spont = u[idx, 11] < _sigmoid(
            _lin(
                w["spontaneous"],
                ability=self.ability[idx],
                willingness=self.willingness[idx],
                fresh=self.fresh(),
            )
        )
        si = idx[spont]
        share = np.where(u[si, 12] < 0.5, 1.0, 0.5)
        amount[si] += self.balance[si] * share
        amount = np.minimum(np.round(amount, 2), np.round(self.balance, 2))
        for i in np.flatnonzero(amount > 0).tolist():
            self.payments[i].append((d, float(amount[i])))
        self.balance = np.where(amount > 0, np.round(self.balance - amount, 2), self.balance)
        self.paid_total += amount
        return np.asarray(amount[idx])

    # ----------------------------------------------------------------- runs
    def run(
        self,
        policy: Chooser,
        *,
        on_day: Callable[[int, DayOutcome], None] | None = None,
    ) -> WorldResult:
        """Run ``policy`` for :attr:`days` days from a fresh start; the totals."""
        self.reset()
        if hasattr(policy, "attach"):
            policy.attach(self)
        for _ in range(self.days):
            views = self.views()
            d = self.day
            actions = list(policy.decide(views, d)) if views else []
            outcome = self.step(actions)
            policy.learn(d, outcome)
            if on_day is not None:
                on_day(d, outcome)
        return self.result()

    def result(self) -> WorldResult:
        return WorldResult(
            cases=self.n,
            collected=float(self.paid_total.sum()),
            costs=float(self.cost_total.sum()),
            contacts=int(self.n_contacts.sum()),
            complaints=int(self.n_complaints.sum()),
            by_action=dict(self.by_action),
            collected_by_day=list(self.collected_by_day),
            contacts_per_case=self.n_contacts.copy(),
            paid_in_full=int((self.balance <= 0.005).sum()),
        )


def _streak(contacts: Sequence[Contact]) -> int:
    s = 0
    for c in contacts:
        s = 0 if c.reached else s + 1
    return s


# ------------------------------------------------------------------ reference policies


class _NoLearning:
    def learn(self, day: int, outcome: DayOutcome) -> None:
        return None


class StandardStrategy(_NoLearning):
    """The fixed ``standard`` strategy as the daily run executes it (see module doc)."""

    def __init__(self, strategy: Strategy | None = None, agent_hours: Sequence[str] | None = None):
        self.strategy = strategy or standard_strategy()
        self.agent_hours = tuple(agent_hours or ("call_morning", "call_afternoon"))
        self.state: dict[str, tuple[int, int]] = {}  # id → (next step index, last step day)

    def attach(self, world: ContactWorld) -> None:
        self.state = {}
        self.agent_hours = tuple(world.w.get("agent_hours", self.agent_hours))

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        return [self._one(v, day) for v in views]

    def _one(self, v: CaseView, day: int) -> str:
        index, last = self.state.get(v.id, (0, 0))
        steps = self.strategy.steps
        while index < len(steps):
            step = steps[index]
            if step.stage in GATED_STAGES or step.channel is None:
                return "none"  # a person decides; no contact follows in the strategy
            if day < last + step.wait_days:
                return "none"
            if not _match(step, v):
                index += 1
                continue
            action = self._action(step.channel, v, index)
            if action is None:  # channel impossible for this debtor: step skipped
                index += 1
                continue
            if action not in v.allowed:
                self.state[v.id] = (index, last)
                return "none"  # deferred (quiet day, pause, weekly cap)
            self.state[v.id] = (index + 1, day)
            return action
        return "none"

    def _action(self, channel: Channel, v: CaseView, index: int) -> str | None:
        first = not any(c.channel in ("letter", "email") for c in v.contacts)
        if first or channel in (Channel.LETTER, Channel.EMAIL):
            if channel is Channel.EMAIL and v.has_email and "email" in v.allowed:
                return "email"
            if "letter" in v.allowed or "email" not in v.allowed:
                return "letter"
            return "email"
        if channel is Channel.SMS:
            return "sms" if v.has_mobile else None
        if not v.has_phone:
            return None
        return self.agent_hours[(zlib.crc32(v.id.encode()) + index) % len(self.agent_hours)]


def _match(step: Any, v: CaseView) -> bool:
    return bool(step.conditions.match(Decimal(str(v.balance)), True))


class HandRule(_NoLearning):
    """At most two contacts a week, the channel that answered last.

    No contact if one was made in the last three days or two in the last seven. "Answered"
    means the debtor did something: picked up the phone (for calls, the window too) or
    opened the e-mail – a letter or an SMS that was merely delivered says nothing. Before
    anything was answered: e-mail (or a letter) first, then the next channel not yet tried,
    evening calls before daytime ones; after that, round again.
    """

    ORDER = ("email", "letter", "sms", "call_evening", "call_afternoon", "call_morning")
    ANSWERING = frozenset({"email", "call_morning", "call_afternoon", "call_evening"})

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        return [self._one(v, day) for v in views]

    def _one(self, v: CaseView, day: int) -> str:
        recent = [c for c in v.contacts if day - c.day < 7]
        if len(recent) >= 2 or any(day - c.day < 3 for c in v.contacts):
            return "none"
        for c in reversed(v.contacts):
            if c.reached and c.action in self.ANSWERING and c.action in v.allowed:
                return c.action
        tried = [c.action for c in v.contacts]
        for a in self.ORDER:
            if a in v.allowed and a not in tried:
                return a
        # everything tried: the one tried longest ago
        last = {
            a: max((c.day for c in v.contacts if c.action == a), default=-1) for a in self.ORDER
        }
        options = [a for a in self.ORDER if a in v.allowed and a != "none"]
        return min(options, key=lambda a: last[a]) if options else "none"


class Oracle(_NoLearning):
    """Greedy on the true expected payment of today's contact (needs the world's traits)."""

    def __init__(
        self,
        contact_price: float,
        unanswered_price: float,
        complaint_price: float,
        complaint_share: float = 0.0,
        cap_7d: int = 2,
    ) -> None:
        self.complaint_share = complaint_share
        self.contact_price = contact_price
        self.complaint_price = complaint_price
        self.unanswered_price = unanswered_price
        self.cap_7d = cap_7d
        self.world: ContactWorld | None = None

    @classmethod
    def for_policy(cls, config: PolicyConfig, **extra: Any) -> Self:
        """The oracle with the learned policy's prices and cap (``extra``: a subclass's own
        arguments)."""
        return cls(
            contact_price=config.contact_price,
            unanswered_price=config.unanswered_price,
            complaint_price=config.complaint_price,
            complaint_share=config.complaint_share,
            cap_7d=config.cap_7d,
            **extra,
        )

    def attach(self, world: ContactWorld) -> None:
        self.world = world

    def decide(self, views: Sequence[CaseView], day: int) -> list[str]:
        return self.choose(views, day, self.values(views))

    def values(self, views: Sequence[CaseView]) -> np.ndarray:
        """(n, 7) the true value in euros of every action for this morning's open cases:
        expected payment of today's contact minus its cost, the annoyance price and the
        complaint price (``none`` is worth 0)."""
        w = self.world
        assert w is not None, "Oracle.attach(world) first"
        idx = w._open
        n = len(idx)
        value = np.zeros((n, len(ACTIONS)))
        streak = np.array([_streak(v.contacts) for v in views])
        for a in range(1, len(ACTIONS)):
            acts = np.full(n, a)
            gain = w.expected_payment(idx, acts)
            reach = w.reach_probability(idx, acts)
            pc = reach * w.complaint_probability(idx, acts)
            value[:, a] = (
                gain
                - w.cost[a]
                - self.contact_price * (1 + self.unanswered_price * streak)
                - pc * (self.complaint_price + self.complaint_share * w.balance[idx])
            )
        return value

    def choose(self, views: Sequence[CaseView], day: int, value: np.ndarray) -> list[str]:
        """The allowed action of the highest positive value (``none`` if none is), within
        the weekly cap."""
        out = []
        for row, v in enumerate(views):
            capped = (
                sum(1 for c in v.contacts if day - c.day < 7) >= self.cap_7d and not v.requested
            )
            best, best_v = "none", 0.0
            if not capped:
                for name in v.allowed:
                    val = float(value[row, ACTION_INDEX[name]])
                    if val > best_v:
                        best, best_v = name, val
            out.append(best)
        return out
