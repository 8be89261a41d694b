"""The next-best-action policy: Thompson sampling over a model of reach, payment and
complaints, within what the strategy allows.

**What it estimates.** For a case with features ``x`` (:mod:`~mahnwerk.ml.nba.features`)
and each contact action ``a`` (letter, e-mail, SMS, call in one of three windows):

* ``reach_a(x)`` – the chance that ``a`` gets through (letter delivered, e-mail opened, SMS
  delivered, call answered): one Bayesian logistic model per action. The three call windows
  have their own reach model but share the payment models of the channel, so a window only
  has to learn when people pick up.
* ``pay_c,r(x)`` – the share of the balance paid within ``horizon_days`` after a contact on
  channel ``c`` that got through (``r = 1``) or not (``r = 0``), and ``pay_none(x)`` after a
  day without contact: Bayesian linear models. Reach and payment are learned apart, and the
  expected share of ``a`` is ``reach·pay_c,1 + (1 − reach)·pay_c,0`` – unbiased even though
  the people who answer are not the people who do not.
* ``complaint(x, a)`` – the chance of a complaint: one Bayesian logistic model over ``x`` and
  the action.

**What it weighs.** The value of ``a`` in euros is ``balance × expected share − cost(a) −
contact_price × (1 + unanswered_price × unanswered contacts in a row) − complaint(x, a) ×
(complaint_price + complaint_share × balance)``; ``none`` is worth ``balance × pay_none``.
Channel costs are settings; the contact price stands for the debtor's annoyance and the
agency's contact budget; a run of unanswered contacts makes each further one dearer (fewer
contacts where contacts are not answered). A hard cap follows: no contact once
``cap_7d`` contacts were made in seven days unless the debtor asked for it.

**How it chooses.** Thompson sampling: ``draws`` samples from the posterior of every model
give ``draws`` values per action; the share of samples in which an action is best is its
Thompson probability. The action is drawn from those probabilities mixed with a small
uniform floor (``exploration``) over the eligible actions – so its propensity is known
exactly, logged with the decision, and every eligible action keeps a chance of being tried
(which the offline evaluation of the next version needs). ``sample_scale`` narrows the
draws (the posterior's standard deviations are multiplied by it); at 0 the choice is greedy
on the posterior means, still mixed with the floor – the default of the settings, since the
shipped prior is informed and the greedy choice earned more in the simulator with fewer
contacts and complaints (README, "Next best action"). Only actions in the case's
``allowed`` are ever eligible: the strategy's contact rules, stops, pauses and legal steps
decide what is allowed before the policy is asked.

**How it learns.** Reach and complaints are known the same day and update their models at
once; the payment share of a decision is known ``horizon_days`` later (see
:class:`OnlineLearner`). The state is a handful of means and precision matrices
(:meth:`PolicyState.save` / :meth:`PolicyState.load`); its version is a hash of them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.ml.nba.bayes import BayesLinear, BayesLogistic, UpliftLogistic
from mahnwerk.ml.nba.features import FEATURES, N_FEATURES, check_features, featurize
from mahnwerk.ml.nba.views import (
    ACTION_INDEX,
    ACTIONS,
    CHANNELS,
    CONTACT_ACTIONS,
    CaseView,
    channel_of,
)

N_ACTIONS = len(ACTIONS)
_THREADS: list[Any] = []


@contextmanager
def single_thread() -> Iterator[None]:
    """BLAS on one thread: the matrices are small, and on a shared machine OpenBLAS's
    threads wait for each other far longer than they compute (20 ms instead of 0.5 ms)."""
    if not _THREADS:
        from threadpoolctl import ThreadpoolController

        _THREADS.append(ThreadpoolController())
    with _THREADS[0].limit(limits=1, user_api="blas"):
        yield


_CH_INDEX = {c: k for k, c in enumerate(CHANNELS)}
_ACTION_CHANNEL = np.array([-1] + [_CH_INDEX[channel_of(a)] for a in CONTACT_ACTIONS])
#: groups of the payment model: a contact on a channel that got through (1) or not (0)
PAY_GROUPS: tuple[str, ...] = tuple(f"{c}:{r}" for c in CHANNELS for r in (1, 0))
STATE_FORMAT = 1


@dataclass(frozen=True)
class PolicyConfig:
    """How the policy weighs money, costs and annoyance (the values come from settings)."""

    #: euros per contact by channel: letter, email, sms, call
    costs: Mapping[str, float] = field(
        default_factory=lambda: {"letter": 0.95, "email": 0.02, "sms": 0.09, "call": 2.50}
    )
    contact_price: float = 20.0
    unanswered_price: float = 0.5
    complaint_price: float = 50.0
    complaint_share: float = 2.0
    cap_7d: int = 2
    horizon_days: int = 14
    exploration: float = 0.002
    draws: int = 32
    #: False: choose by the posterior means (the floor still explores)
    thompson: bool = True
    #: width of the Thompson draws: 1 samples the posterior as it is, smaller values
    #: sample it narrower (greedier once the prior is informed), 0 is greedy on the means
    sample_scale: float = 1.0

    def action_costs(self) -> np.ndarray:
        return np.array([0.0] + [float(self.costs[channel_of(a)]) for a in CONTACT_ACTIONS])

    def as_dict(self) -> dict[str, Any]:
        return {
            "costs": {k: float(v) for k, v in self.costs.items()},
            "contact_price": self.contact_price,
            "unanswered_price": self.unanswered_price,
            "complaint_price": self.complaint_price,
            "complaint_share": self.complaint_share,
            "cap_7d": self.cap_7d,
            "horizon_days": self.horizon_days,
            "exploration": self.exploration,
            "draws": self.draws,
            "thompson": self.thompson,
            "sample_scale": self.sample_scale,
        }


@dataclass
class PolicyState:
    """Everything the policy has learned (the models' posteriors) and where it came from."""

    reach: dict[str, BayesLogistic]
    #: any payment within the horizon: base (no contact) and one difference per PAY_GROUPS
    pay: UpliftLogistic
    #: share of the balance paid within the horizon, given a payment
    amount: BayesLinear
    complaint: BayesLogistic
    features: tuple[str, ...] = FEATURES
    parent: str | None = None
    note: str = ""

    @classmethod
    def prior(
        cls,
        *,
        prior_var: float = 1.0,
        uplift_var: float = 0.5,
        noise_var: float = 0.1,
        note: str = "uninformed prior",
    ) -> PolicyState:
        """A state that knows nothing yet (every coefficient around zero)."""
        d = N_FEATURES
        reach = {
            a: BayesLogistic.empty(d, prior_var=prior_var, intercept=0.0) for a in CONTACT_ACTIONS
        }
        pay = UpliftLogistic.empty(
            d, PAY_GROUPS, prior_var=prior_var, uplift_var=uplift_var, intercept=-2.0
        )
        amount = BayesLinear.empty(d, prior_var=prior_var, noise_var=noise_var)
        complaint = BayesLogistic.empty(
            d + len(CONTACT_ACTIONS), prior_var=prior_var, intercept=-5.0
        )
        return cls(reach, pay, amount, complaint, FEATURES, None, note)

    # --------------------------------------------------------------- persistence
    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for a, m in self.reach.items():
            out[f"reach.{a}.mean"] = m.mean_
            out[f"reach.{a}.precision"] = m.precision
        out["pay.mean"] = self.pay.mean_
        out["pay.precision"] = self.pay.precision
        out["amount.precision"] = self.amount.precision
        out["amount.bvec"] = self.amount.bvec
        out["amount.noise_var"] = np.array([self.amount.noise_var])
        out["complaint.mean"] = self.complaint.mean_
        out["complaint.precision"] = self.complaint.precision
        counts = [m.n for m in self.reach.values()] + [self.pay.n, self.amount.n]
        out["counts"] = np.array([*counts, self.complaint.n], dtype=np.int64)
        return out

    @property
    def version(self) -> str:
        """``nba-`` and 12 hex digits of a hash over the posteriors and the feature names."""
        h = hashlib.sha256(json.dumps(list(self.features)).encode())
        for key, arr in sorted(self.arrays().items()):
            if key == "counts":
                continue
            h.update(key.encode())
            h.update(np.ascontiguousarray(arr, dtype=np.float64).round(12).tobytes())
        return "nba-" + h.hexdigest()[:12]

    def to_bytes(self) -> bytes:
        meta = {
            "format": STATE_FORMAT,
            "features": list(self.features),
            "parent": self.parent,
            "note": self.note,
            "pay_groups": list(self.pay.groups),
        }
        buf = io.BytesIO()
        arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta)), **self.arrays()}
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(path)
        return path

    @classmethod
    def from_bytes(cls, data: bytes) -> PolicyState:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != STATE_FORMAT:
                raise ValueError(f"unknown policy state format {meta.get('format')!r}")
            features = tuple(meta["features"])
            check_features(features)
            if features != FEATURES:
                raise ValueError(
                    "the state was learned on other features "
                    f"({len(features)} instead of {len(FEATURES)}): train it again"
                )
            counts = z["counts"].tolist()
            reach = {}
            for k, a in enumerate(CONTACT_ACTIONS):
                reach[a] = BayesLogistic(
                    z[f"reach.{a}.mean"], z[f"reach.{a}.precision"], int(counts[k])
                )
            k = len(CONTACT_ACTIONS)
            pay = UpliftLogistic(
                tuple(meta["pay_groups"]), z["pay.mean"], z["pay.precision"], int(counts[k])
            )
            amount = BayesLinear(
                z["amount.precision"],
                z["amount.bvec"],
                float(z["amount.noise_var"][0]),
                int(counts[k + 1]),
            )
            complaint = BayesLogistic(
                z["complaint.mean"], z["complaint.precision"], int(counts[-1])
            )
        return cls(
            reach, pay, amount, complaint, features, meta.get("parent"), meta.get("note", "")
        )

    @classmethod
    def load(cls, path: Path) -> PolicyState:
        return cls.from_bytes(path.read_bytes())

    def copy(self) -> PolicyState:
        return PolicyState.from_bytes(self.to_bytes())

    def weakened(self, factor: float, note: str | None = None) -> PolicyState:
        """The same beliefs held ``1/factor`` times less firmly (a prior for new data)."""
        return PolicyState(
            {a: m.scaled(factor) for a, m in self.reach.items()},
            self.pay.scaled(factor),
            self.amount.scaled(factor),
            self.complaint.scaled(factor),
            self.features,
            self.parent,
            self.note if note is None else note,
        )


@dataclass
class Decisions:
    """The policy's answer for a batch of cases (rows in the order of the views)."""

    actions: list[str]
    #: probability with which the chosen action was drawn (exact: logged for evaluation)
    propensity: np.ndarray
    #: (n, 7) probabilities of every action (zero outside the eligible ones)
    probabilities: np.ndarray
    #: (n, 7) posterior-mean value in euros of every action (-inf where not eligible)
    values: np.ndarray
    features: np.ndarray
    version: str


def complaint_design(X: np.ndarray, action: np.ndarray) -> np.ndarray:
    """Rows of the complaint model: the features and a one-hot of the contact action."""
    onehot = np.zeros((len(X), len(CONTACT_ACTIONS)))
    rows = np.flatnonzero(action > 0)
    onehot[rows, action[rows] - 1] = 1.0
    return np.hstack([X, onehot])


def _sig(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


def eligible_mask(views: Sequence[CaseView], cap_7d: int) -> np.ndarray:
    """(n, 7) actions the policy may choose: allowed, and within the annoyance cap."""
    return _views_mask(views, cap_7d)


def _views_mask(views: Sequence[CaseView], cap_7d: int) -> np.ndarray:
    """(n, 7) eligible actions: allowed by the strategy and within the annoyance cap."""
    mask = np.zeros((len(views), N_ACTIONS), dtype=bool)
    for k, v in enumerate(views):
        for a in v.allowed:
            mask[k, ACTION_INDEX[a]] = True
        if not v.requested and mask[k, 0]:
            recent = sum(1 for c in v.contacts if 0 <= v.day - c.day < 7)
            if recent >= cap_7d:
                mask[k, 1:] = False
    return mask


def _streaks(views: Sequence[CaseView]) -> np.ndarray:
    out = np.zeros(len(views))
    for k, v in enumerate(views):
        s = 0
        for c in v.contacts:
            if c.day <= v.day:
                s = 0 if c.reached else s + 1
        out[k] = s
    return out


class Policy:
    """Decides for a batch of cases with a given state and configuration (see module doc)."""

    def __init__(self, state: PolicyState, config: PolicyConfig | None = None) -> None:
        check_features(state.features)
        self.state = state
        self.config = config or PolicyConfig()
        self.version = state.version

    def refresh_version(self) -> None:
        self.version = self.state.version

    # ------------------------------------------------------------------ values
    def value_draws(
        self,
        X: np.ndarray,
        balance: np.ndarray,
        streak: np.ndarray,
        rng: np.random.Generator | None,
        draws: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(draws, n, 7) sampled values in euros and (n, 7) posterior-mean values.

        Without ``rng`` the draws are the posterior means (one "draw")."""
        n = len(X)
        cfg = self.config
        if cfg.sample_scale <= 0.0:
            rng = None
        k = draws if rng is not None else 1
        scale = cfg.sample_scale
        costs = cfg.action_costs()
        st = self.state

        def both(model: BayesLogistic, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            mu, var = model.predict(rows)
            if rng is None:
                return mu[None, :], mu
            noise = rng.standard_normal((k, n))
            return mu[None, :] + scale * np.sqrt(var)[None, :] * noise, mu

        def sigmoid(x: np.ndarray) -> np.ndarray:
            return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))

        def draw(mu: np.ndarray, var: np.ndarray) -> np.ndarray:
            if rng is None:
                return mu[None, :]
            noise = rng.standard_normal((k, n))
            return np.asarray(mu[None, :] + scale * np.sqrt(var)[None, :] * noise)

        out = np.empty((k, n, N_ACTIONS))
        mean = np.empty((n, N_ACTIONS))
        # euros per unit of payment probability: balance × expected share when paying
        stake = balance * np.clip(st.amount.predict(X)[0], 0.02, 1.0)
        mu_base, var_base = st.pay.predict_base(X)
        d_base = draw(mu_base, var_base)
        out[:, :, 0] = stake[None, :] * sigmoid(d_base)
        mean[:, 0] = stake * sigmoid(mu_base)
        up: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for g in PAY_GROUPS:
            mu, var = st.pay.predict_uplift(X, g)
            up[g] = (draw(mu, var), mu)
        annoy = cfg.contact_price * (1.0 + cfg.unanswered_price * streak)
        complaint_cost = cfg.complaint_price + cfg.complaint_share * balance
        for j, a in enumerate(CONTACT_ACTIONS, start=1):
            c = channel_of(a)
            r_draw, r_mean = both(st.reach[a], X)
            c_draw, c_mean = both(st.complaint, complaint_design(X, np.full(n, j)))
            fixed = costs[j] + annoy
            for is_draw, pc, reach, base, u1, u0 in (
                (True, sigmoid(c_draw), sigmoid(r_draw), d_base, up[f"{c}:1"][0], up[f"{c}:0"][0]),
                (
                    False,
                    sigmoid(c_mean),
                    sigmoid(r_mean),
                    mu_base,
                    up[f"{c}:1"][1],
                    up[f"{c}:0"][1],
                ),
            ):
                p_pay = reach * sigmoid(base + u1) + (1.0 - reach) * sigmoid(base + u0)
                value = stake * p_pay - fixed - pc * complaint_cost
                if is_draw:
                    out[:, :, j] = value
                else:
                    mean[:, j] = value
        return out, mean

    def probabilities(
        self,
        X: np.ndarray,
        balance: np.ndarray,
        streak: np.ndarray,
        mask: np.ndarray,
        rng: np.random.Generator | None,
        draws: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n, 7) action probabilities (Thompson share mixed with the floor) and mean values.

        Without ``rng``: the greedy policy on the posterior means (with the same floor)."""
        k = draws or self.config.draws
        vals, mean = self.value_draws(X, balance, streak, rng, k)
        vals = np.where(mask[None, :, :], vals, -np.inf)
        best = vals.argmax(axis=2)  # (k, n)
        n = len(X)
        kk = best.shape[0]
        counts = np.zeros((n, N_ACTIONS))
        np.add.at(counts, (np.tile(np.arange(n), kk), best.ravel()), 1.0)
        thompson = counts / kk
        eligible = mask.sum(axis=1, keepdims=True)
        floor = self.config.exploration
        probs = (1.0 - floor) * thompson + floor * mask / np.maximum(eligible, 1)
        probs = np.where(mask, probs, 0.0)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, np.where(mask, mean, -np.inf)

    def expected_net(self, X: np.ndarray, balance: np.ndarray) -> np.ndarray:
        """(n, 7) expected euros paid within the horizon minus the contact's cost – the
        reward model of the doubly robust evaluation (no annoyance or complaint prices)."""
        st = self.state
        costs = self.config.action_costs()
        with single_thread():
            stake = balance * np.clip(st.amount.predict(X)[0], 0.02, 1.0)
            base = st.pay.predict_base(X)[0]
            out = np.empty((len(X), N_ACTIONS))
            out[:, 0] = stake * _sig(base)
            for j, a in enumerate(CONTACT_ACTIONS, start=1):
                c = channel_of(a)
                reach = st.reach[a].probability(X)
                u1 = st.pay.predict_uplift(X, f"{c}:1")[0]
                u0 = st.pay.predict_uplift(X, f"{c}:0")[0]
                p = reach * _sig(base + u1) + (1 - reach) * _sig(base + u0)
                out[:, j] = stake * p - costs[j]
        return out

    def decide(
        self, views: Sequence[CaseView], *, seed: int | Sequence[int] | None = None
    ) -> Decisions:
        """One action per case, each from that case's ``allowed`` (see the module doc)."""
        n = len(views)
        if n == 0:
            z = np.zeros((0, N_ACTIONS))
            return Decisions([], np.zeros(0), z, z, np.zeros((0, N_FEATURES)), self.version)
        rng = np.random.default_rng(seed)
        X = featurize(views)
        mask = _views_mask(views, self.config.cap_7d)
        balance = np.array([v.balance for v in views])
        with single_thread():
            probs, mean = self.probabilities(
                X, balance, _streaks(views), mask, rng if self.config.thompson else None
            )
        cum = np.cumsum(probs, axis=1)
        u = rng.random(n)[:, None] * cum[:, -1:]
        chosen = (cum <= u).sum(axis=1).clip(0, N_ACTIONS - 1)
        # guard against rounding at the edge: never leave the eligible set
        bad = ~mask[np.arange(n), chosen]
        if bad.any():
            chosen[bad] = probs[bad].argmax(axis=1)
        actions = [ACTIONS[a] for a in chosen.tolist()]
        for v, a in zip(views, actions, strict=True):
            if a not in v.allowed:  # pragma: no cover - the mask makes this impossible
                raise AssertionError(f"policy chose {a!r} outside {v.allowed} for {v.id}")
        return Decisions(
            actions=actions,
            propensity=probs[np.arange(n), chosen],
            probabilities=probs,
            values=mean,
            features=X,
            version=self.version,
        )

    # ------------------------------------------------------------------ learning
    def learn_contacts(
        self, X: np.ndarray, action: np.ndarray, reached: np.ndarray, complaint: np.ndarray
    ) -> None:
        """Same-day outcomes of contacts: reach and complaints (rows with action > 0)."""
        rows = action > 0
        if not rows.any():
            return
        Xc, ac = X[rows], action[rows]
        for j, a in enumerate(CONTACT_ACTIONS, start=1):
            sel = ac == j
            if sel.any():
                self.state.reach[a].update(Xc[sel], reached[rows][sel].astype(float))
        self.state.complaint.update(complaint_design(Xc, ac), complaint[rows].astype(float))

    def learn_payments(
        self, X: np.ndarray, action: np.ndarray, reached: np.ndarray, share: np.ndarray
    ) -> None:
        """Finished horizons: the share of the balance paid after each decision."""
        y = np.clip(share, 0.0, 1.0)
        ch = np.where(action > 0, _ACTION_CHANNEL[action.clip(0)], -1)
        # group index into PAY_GROUPS: channel * 2 + (0 if reached else 1); -1 for none
        group = np.where(ch >= 0, ch * 2 + np.where(reached.astype(bool), 0, 1), -1)
        paid = y > 0.0
        self.state.pay.update(X, group, paid.astype(float))
        self.state.amount.update(X[paid], y[paid])


@dataclass
class _Pending:
    day: int
    ids: list[str]
    index: dict[str, int]
    X: np.ndarray
    action: np.ndarray
    reached: np.ndarray
    balance: np.ndarray
    paid: np.ndarray
    propensity: np.ndarray
    mask: np.ndarray
    streak: np.ndarray
    complaint: np.ndarray


@dataclass
class Settled:
    """Decisions whose horizon has passed, with what followed (for offline evaluation)."""

    day: int
    ids: list[str]
    X: np.ndarray
    action: np.ndarray
    propensity: np.ndarray
    mask: np.ndarray
    balance: np.ndarray
    streak: np.ndarray
    reached: np.ndarray
    paid: np.ndarray
    complaint: np.ndarray


class OnlineLearner:
    """Keeps each decision until its horizon has passed, then teaches the payment models.

    ``record`` stores a day's decisions; ``observe`` takes that day's outcomes (reach,
    payments, complaints) – reach and complaints update the models at once, payments are
    added to every open decision of the case within the horizon; decisions whose horizon
    ended are learned and dropped.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        learn: bool = True,
        on_settled: Callable[[Settled], None] | None = None,
    ) -> None:
        self.policy = policy
        self.learn = learn
        self.on_settled = on_settled
        self.pending: dict[int, _Pending] = {}
        self.decisions = 0

    def record(self, day: int, views: Sequence[CaseView], decisions: Decisions) -> None:
        ids = [v.id for v in views]
        n = len(ids)
        act = np.array([ACTION_INDEX[a] for a in decisions.actions], dtype=int)
        self.pending[day] = _Pending(
            day,
            ids,
            {i: k for k, i in enumerate(ids)},
            decisions.features,
            act,
            np.zeros(n, dtype=bool),
            np.array([max(v.balance, 0.01) for v in views]),
            np.zeros(n),
            np.asarray(decisions.propensity, dtype=float),
            decisions.probabilities > 0
            if decisions.probabilities is not None
            else np.ones((n, N_ACTIONS), dtype=bool),
            _streaks(views),
            np.zeros(n, dtype=bool),
        )
        self.decisions += n

    def observe(
        self,
        day: int,
        ids: Sequence[str],
        reached: Sequence[bool] | np.ndarray,
        paid: Sequence[float] | np.ndarray,
        complaint: Sequence[bool] | np.ndarray,
    ) -> None:
        with single_thread():
            self._observe(day, ids, reached, paid, complaint)

    def _observe(
        self,
        day: int,
        ids: Sequence[str],
        reached: Sequence[bool] | np.ndarray,
        paid: Sequence[float] | np.ndarray,
        complaint: Sequence[bool] | np.ndarray,
    ) -> None:
        p = self.pending.get(day)
        reached_arr = np.asarray(reached, dtype=bool)
        complaint_arr = np.asarray(complaint, dtype=bool)
        if p is not None:
            rows = np.array([p.index.get(i, -1) for i in ids], dtype=int)
            ok = rows >= 0
            r = rows[ok]
            p.reached[r] = reached_arr[ok] & (p.action[r] > 0)
            p.complaint[r] = complaint_arr[ok]
            if self.learn:
                self.policy.learn_contacts(p.X[r], p.action[r], p.reached[r], complaint_arr[ok])
        paid_arr = np.asarray(paid, dtype=float)
        for k in np.flatnonzero(paid_arr > 0).tolist():
            case = ids[k]
            for q in self.pending.values():
                if q.day <= day:
                    row = q.index.get(case)
                    if row is not None:
                        q.paid[row] += paid_arr[k]
        self.flush(day)

    def flush(self, day: int, *, everything: bool = False) -> None:
        horizon = self.policy.config.horizon_days
        done = [d for d in self.pending if everything or d <= day - horizon + 1]
        for d in sorted(done):
            q = self.pending.pop(d)
            if self.learn:
                self.policy.learn_payments(q.X, q.action, q.reached, q.paid / q.balance)
            if self.on_settled is not None:
                self.on_settled(
                    Settled(
                        q.day,
                        q.ids,
                        q.X,
                        q.action,
                        q.propensity,
                        q.mask,
                        q.balance,
                        q.streak,
                        q.reached,
                        q.paid,
                        q.complaint,
                    )
                )
        if done and self.learn:
            self.policy.refresh_version()


def with_config(policy: Policy, **changes: Any) -> Policy:
    """The same state under a changed configuration."""
    return Policy(policy.state, replace(policy.config, **changes))


__all__ = [
    "Decisions",
    "OnlineLearner",
    "Policy",
    "PolicyConfig",
    "PolicyState",
    "Settled",
    "complaint_design",
    "eligible_mask",
    "with_config",
]
