"""Features of a :class:`~mahnwerk.ml.nba.views.CaseView`: one row of floats per case.

The names are a whitelist (:data:`FEATURES`); :func:`check_features` runs
:func:`mahnwerk.ml.protected.check_no_protected` over them with age **not** allowed, and the
policy calls it when it is built and when it loads a state, so a protected attribute or a
proxy for one (sex, nationality, origin, language, names, postcodes, age, birth date) can
never become an input. A :class:`CaseView` has no field for any of them in the first place.

Scales are chosen so that every feature lies roughly within 0…1 (a Bayesian linear model
with one prior variance for all coefficients then treats them alike).

>>> from mahnwerk.ml.nba.views import CaseView, Contact
>>> v = CaseView("c1", day=10, weekday=2, amount=300.0, balance=300.0, has_email=True,
...              contacts=(Contact(0, "email", False), Contact(3, "letter", True)))
>>> row = dict(zip(FEATURES, featurize([v])[0].tolist()))
>>> row["letter_reached"] > 0, row["unanswered_streak"], round(row["days_since_contact"], 3)
(True, 0.0, 0.233)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mahnwerk.ml.nba.views import CALL_ACTIONS, CHANNELS, CaseView
from mahnwerk.ml.protected import check_no_protected
from mahnwerk.ml.segment_texts import SEGMENT_TEXTS

#: Behavioural segments in a fixed order (one indicator each; unknown names count as none).
SEGMENTS: tuple[str, ...] = tuple(SEGMENT_TEXTS)

_CHANNEL_FEATURES = tuple(
    f"{c}_{k}" for c in CHANNELS for k in ("tries", "reached", "last_reached", "days_since")
)
_WINDOW_FEATURES = tuple(f"{w}_{k}" for w in CALL_ACTIONS for k in ("tries", "answered"))

#: The policy's inputs, in matrix order.
FEATURES: tuple[str, ...] = (
    "bias",
    "log_balance",
    "log_amount",
    "open_share",
    "case_days",
    "fresh_7",
    "fresh_30",
    "saturday",
    "has_email",
    "has_mobile",
    "has_phone",
    *_CHANNEL_FEATURES,
    *_WINDOW_FEATURES,
    "contacts_3d",
    "reached_3d",
    "contacts_7d",
    "contacts_14d",
    "reached_14d",
    "unanswered_streak",
    "days_since_contact",
    "never_contacted",
    "payments_n",
    "days_since_payment",
    "paid_7d",
    "promise_open",
    "promises_broken",
    "promises_kept",
    "complaints_n",
    "complaint_30d",
    "requested",
    "score",
    "score_known",
    "score_fresh_7",
    "score_fresh_30",
    "balance_fresh_30",
    *(f"segment_{k}" for k in range(len(SEGMENTS))),
)
N_FEATURES = len(FEATURES)
_SEGMENT_INDEX = {s: k for k, s in enumerate(SEGMENTS)}
_CHANNEL_POS = {c: k for k, c in enumerate(CHANNELS)}
_WINDOW_POS = {w: k for k, w in enumerate(CALL_ACTIONS)}


def check_features(names: Sequence[str]) -> None:
    """Refuse protected attributes and proxies (age included) among ``names``."""
    check_no_protected(names, allow_age=False)


check_features(FEATURES)


def _scaled_days(days: float, cap: float) -> float:
    return min(days, cap) / cap


def featurize(views: Sequence[CaseView]) -> np.ndarray:
    """The feature matrix (``len(views)`` × :data:`N_FEATURES`, float64) in FEATURES order."""
    rows = [_row(v) for v in views]
    if not rows:
        return np.zeros((0, N_FEATURES))
    return np.asarray(rows, dtype=np.float64)


def _row(v: CaseView) -> list[float]:
    day = v.day
    tries = [0, 0, 0, 0]
    reached = [0, 0, 0, 0]
    last_reached = [0.0, 0.0, 0.0, 0.0]
    last_day: list[int | None] = [None, None, None, None]
    w_tries = [0, 0, 0]
    w_ans = [0, 0, 0]
    c3 = r3 = c7 = c14 = r14 = 0
    streak = 0
    last_contact: int | None = None
    for c in v.contacts:  # in day order (the streak reads the latest last)
        if c.day > day:
            continue
        k = _CHANNEL_POS[c.channel]
        tries[k] += 1
        ok = c.reached
        if ok:
            reached[k] += 1
        last_reached[k] = 1.0 if ok else 0.0
        last_day[k] = c.day
        w = _WINDOW_POS.get(c.action)
        if w is not None:
            w_tries[w] += 1
            w_ans[w] += ok
        age = day - c.day
        if age < 3:
            c3 += 1
            r3 += ok
        if age < 7:
            c7 += 1
        if age < 14:
            c14 += 1
            r14 += ok
        streak = 0 if ok else streak + 1
        if last_contact is None or c.day > last_contact:
            last_contact = c.day
    ch: list[float] = []
    for k in range(4):
        ld = last_day[k]
        ch += [
            math.log1p(tries[k]) / 2.0,
            math.log1p(reached[k]) / 2.0,
            last_reached[k],
            1.0 if ld is None else _scaled_days(day - ld, 30.0),
        ]
    win: list[float] = []
    for k in range(3):
        win += [math.log1p(w_tries[k]) / 2.0, math.log1p(w_ans[k]) / 2.0]
    n_pay = 0
    last_pay: int | None = None
    paid7 = 0.0
    for d, _amount in v.payments:
        if d > day:
            continue
        n_pay += 1
        if last_pay is None or d > last_pay:
            last_pay = d
        if day - d < 7:
            paid7 = 1.0
    open_promise = broken = kept = 0
    for p in v.promises:
        if p.made > day:
            continue
        if p.kept is None:
            open_promise = 1
        elif p.kept:
            kept += 1
        else:
            broken += 1
    complaints = [d for d in v.complaints if d <= day]
    segment = [0.0] * len(SEGMENTS)
    if v.segment is not None and v.segment in _SEGMENT_INDEX:
        segment[_SEGMENT_INDEX[v.segment]] = 1.0
    amount = max(v.amount, v.balance, 0.01)
    fresh7 = math.exp(-max(day, 0) / 7.0)
    fresh30 = math.exp(-max(day, 0) / 30.0)
    score = 0.5 if v.score is None else float(v.score)
    log_balance = math.log1p(v.balance) / 8.0
    return [
        1.0,
        log_balance,
        math.log1p(amount) / 8.0,
        v.balance / amount,
        _scaled_days(max(day, 0), 180.0),
        fresh7,
        fresh30,
        1.0 if v.weekday == 5 else 0.0,
        float(v.has_email),
        float(v.has_mobile),
        float(v.has_phone),
        *ch,
        *win,
        min(c3, 2) / 2.0,
        min(r3, 2) / 2.0,
        c7 / 3.0,
        c14 / 4.0,
        r14 / 3.0,
        min(streak, 6) / 6.0,
        1.0 if last_contact is None else _scaled_days(day - last_contact, 30.0),
        1.0 if last_contact is None else 0.0,
        math.log1p(n_pay) / 2.0,
        1.0 if last_pay is None else _scaled_days(day - last_pay, 60.0),
        paid7,
        float(open_promise),
        math.log1p(broken) / 2.0,
        math.log1p(kept) / 2.0,
        math.log1p(len(complaints)),
        1.0 if any(day - d < 30 for d in complaints) else 0.0,
        float(v.requested),
        score,
        0.0 if v.score is None else 1.0,
        score * fresh7,
        score * fresh30,
        log_balance * fresh30,
        *segment,
    ]


def contacts_within(v: CaseView, days: int) -> int:
    """Contacts in the ``days`` days up to and including ``v.day`` (the annoyance cap)."""
    return sum(1 for c in v.contacts if 0 <= v.day - c.day < days)


def unanswered_streak(v: CaseView) -> int:
    """Contacts since the last one that got through (or since the first)."""
    streak = 0
    for c in v.contacts:
        if c.day <= v.day:
            streak = 0 if c.reached else streak + 1
    return streak
