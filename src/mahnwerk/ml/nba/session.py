"""The policy as a conversation: ``decide`` and ``learn`` requests in, answers out.

``mahnwerk nba session`` reads one JSON request per line and writes one JSON answer per line
(see :class:`Session`); the same :class:`~mahnwerk.ml.nba.policy.Policy` and
:class:`~mahnwerk.ml.nba.policy.OnlineLearner` serve the daily run.

Requests::

    {"op": "decide", "day": 12, "cases": [{"id": "c1", "weekday": 5, "amount": 270.50,
      "balance": 270.50, "has_email": true, "has_mobile": true,
      "contacts": [{"day": 0, "action": "letter", "reached": true}],
      "payments": [{"day": 5, "amount": 20.00}], "allowed": ["none", "letter", "email"]}]}
    → {"actions": ["email"]}
    {"op": "learn", "day": 12, "outcomes": [{"id": "c1", "action": "email",
      "reached": true, "paid": 0.00, "cost": 0.02}]}
    → {"ok": true}

Optional case fields: ``has_phone`` (default ``has_mobile``), ``promises`` (``day``,
``due``, ``amount``, ``kept``), ``complaints`` (days), ``requested`` (the debtor asked to
be contacted), ``score`` (0…1), ``segment``, ``start_day`` (the case's day 0 on the
request's clock, default 0). Optional outcome field: ``complaint``. Further operations:
``{"op": "save"}`` writes the learned state (with ``--state``), ``{"op": "info"}`` tells
the version and what was learned. A bad request gets ``{"error": "…"}`` naming the field,
and the session goes on.

>>> s = Session(Policy(PolicyState.prior()))
>>> s.handle({"op": "decide", "day": 0, "cases": [{"id": "a", "weekday": 0, "amount": 100,
...     "balance": 100, "allowed": ["none"]}]})
{'actions': ['none']}
>>> s.handle({"op": "decide", "day": 0, "cases": [{"id": "a", "weekday": 7, "amount": 1,
...     "balance": 1, "allowed": ["none"]}]})
{'error': 'cases[0].weekday: ganze Zahl 0–6 erwartet, nicht 7'}
>>> s.handle({"op": "learn", "day": 0, "outcomes": [{"id": "a", "action": "none",
...     "reached": False, "paid": 0, "cost": 0}]})
{'ok': True}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from mahnwerk.ml.nba.policy import Decisions, OnlineLearner, Policy, PolicyState
from mahnwerk.ml.nba.views import (
    ACTION_INDEX,
    CaseView,
    Contact,
    Promise,
    ViewError,
    view_from_json,
)

STATE_FILE = "state.npz"

#: a sink for logged decisions: (day, views, decisions)
DecisionLog = Callable[[int, Sequence[CaseView], Decisions], None]


def _int_field(obj: Mapping[str, Any], key: str, lo: int = -(10**9)) -> int:
    value = obj.get(key)
    if value is None:
        raise ViewError(f"{key}: fehlt")
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ViewError(f"{key}: ganze Zahl erwartet, nicht {value!r}")
    return value


def _shift(view: CaseView, start: int) -> CaseView:
    """The view on the case's own clock (its first day is day 0)."""
    if start == 0:
        return view
    return replace(
        view,
        day=view.day - start,
        contacts=tuple(Contact(c.day - start, c.action, c.reached) for c in view.contacts),
        payments=tuple((d - start, a) for d, a in view.payments),
        promises=tuple(
            Promise(p.made - start, p.due - start, p.amount, p.kept) for p in view.promises
        ),
        complaints=tuple(d - start for d in view.complaints),
    )


class Session:
    """Answers ``decide``/``learn``/``save``/``info`` requests (see the module docstring)."""

    def __init__(
        self,
        policy: Policy,
        *,
        seed: int = 0,
        state_dir: Path | None = None,
        log: DecisionLog | None = None,
    ) -> None:
        self.policy = policy
        self.learner = OnlineLearner(policy)
        self.seed = seed
        self.state_dir = state_dir
        self.log = log

    @classmethod
    def open(
        cls,
        prior: Callable[[], PolicyState],
        config: Any,
        *,
        state_dir: Path | None = None,
        seed: int = 0,
        log: DecisionLog | None = None,
    ) -> Session:
        """A session from ``state_dir/state.npz`` if it exists, else from ``prior()``."""
        state: PolicyState | None = None
        if state_dir is not None and (state_dir / STATE_FILE).is_file():
            state = PolicyState.load(state_dir / STATE_FILE)
        policy = Policy(state if state is not None else prior(), config)
        return cls(policy, seed=seed, state_dir=state_dir, log=log)

    # ------------------------------------------------------------------ requests
    def handle_line(self, line: str) -> dict[str, Any] | None:
        """The answer to one line (``None`` for a blank line)."""
        if not line.strip():
            return None
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"error": f"kein gültiges JSON: {exc.msg} (Spalte {exc.colno})"}
        return self.handle(request)

    def handle(self, request: object) -> dict[str, Any]:
        try:
            if not isinstance(request, Mapping):
                raise ViewError("Anfrage: JSON-Objekt mit 'op' erwartet")
            op = request.get("op")
            if op == "decide":
                return self._decide(request)
            if op == "learn":
                return self._learn(request)
            if op == "save":
                return self._save()
            if op == "info":
                return self._info()
            raise ViewError(f"op: unbekannt {op!r} (decide, learn, save, info)")
        except ViewError as exc:
            return {"error": str(exc)}

    def _decide(self, request: Mapping[str, Any]) -> dict[str, Any]:
        day = _int_field(request, "day")
        cases = request.get("cases")
        if not isinstance(cases, list):
            raise ViewError("cases: Liste erwartet")
        views: list[CaseView] = []
        seen: set[str] = set()
        for k, obj in enumerate(cases):
            where = f"cases[{k}]."
            view = view_from_json(obj, day, where)
            start = obj.get("start_day", 0)
            if isinstance(start, bool) or not isinstance(start, int) or start > day:
                raise ViewError(f"{where}start_day: ganze Zahl ≤ day erwartet, nicht {start!r}")
            if view.id in seen:
                raise ViewError(f"{where}id: {view.id!r} kommt zweimal vor")
            seen.add(view.id)
            views.append(_shift(view, start))
        decisions = self.decide(day, views)
        return {"actions": decisions.actions}

    def decide(self, day: int, views: Sequence[CaseView]) -> Decisions:
        """Decide for ``views`` (already read) and remember the decisions for learning."""
        decisions = self.policy.decide(views, seed=[self.seed, day])
        self.learner.record(day, views, decisions)
        if self.log is not None:
            self.log(day, views, decisions)
        return decisions

    def _learn(self, request: Mapping[str, Any]) -> dict[str, Any]:
        day = _int_field(request, "day")
        outcomes = request.get("outcomes")
        if not isinstance(outcomes, list):
            raise ViewError("outcomes: Liste erwartet")
        ids: list[str] = []
        actions: list[int] = []
        reached: list[bool] = []
        paid: list[float] = []
        complaint: list[bool] = []
        for k, o in enumerate(outcomes):
            where = f"outcomes[{k}]."
            if not isinstance(o, Mapping):
                raise ViewError(f"outcomes[{k}]: Objekt erwartet")
            case_id = o.get("id")
            if not isinstance(case_id, str | int) or isinstance(case_id, bool) or case_id == "":
                raise ViewError(f"{where}id: Text oder Zahl erwartet, nicht {case_id!r}")
            action = o.get("action", "none")
            if action == "call":
                action = "call_afternoon"
            if action not in ACTION_INDEX:
                raise ViewError(f"{where}action: unbekannte Aktion {action!r}")
            for key in ("reached", "complaint"):
                if key in o and not isinstance(o[key], bool):
                    raise ViewError(f"{where}{key}: true oder false erwartet, nicht {o[key]!r}")
            for key in ("paid", "cost"):
                value = o.get(key, 0)
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not np.isfinite(value)
                    or value < 0
                ):
                    raise ViewError(f"{where}{key}: Zahl ≥ 0 erwartet, nicht {value!r}")
            ids.append(str(case_id))
            actions.append(ACTION_INDEX[action])
            reached.append(bool(o.get("reached", False)))
            paid.append(float(o.get("paid", 0)))
            complaint.append(bool(o.get("complaint", False)))
        self.learn(day, ids, actions, reached, paid, complaint)
        return {"ok": True}

    def learn(
        self,
        day: int,
        ids: Sequence[str],
        actions: Sequence[int],
        reached: Sequence[bool],
        paid: Sequence[float],
        complaint: Sequence[bool],
    ) -> None:
        pending = self.learner.pending.get(day)
        if pending is not None:  # what was done counts, should a driver have overridden it
            for case_id, action in zip(ids, actions, strict=True):
                row = pending.index.get(case_id)
                if row is not None:
                    pending.action[row] = action
        self.learner.observe(day, ids, reached, paid, complaint)

    def _save(self) -> dict[str, Any]:
        if self.state_dir is None:
            raise ViewError("save: die Sitzung hat kein --state-Verzeichnis")
        path = self.save()
        return {"ok": True, "version": self.policy.version, "path": str(path)}

    def save(self) -> Path:
        """Write the learned state (decisions whose horizon is still open are not in it)."""
        assert self.state_dir is not None
        self.policy.refresh_version()
        return self.policy.state.save(self.state_dir / STATE_FILE)

    def _info(self) -> dict[str, Any]:
        self.policy.refresh_version()
        st = self.policy.state
        return {
            "version": self.policy.version,
            "parent": st.parent,
            "decisions": self.learner.decisions,
            "learned": {
                "reach": {a: m.n for a, m in st.reach.items()},
                "payments": st.pay.n,
                "complaints": st.complaint.n,
            },
            "config": self.policy.config.as_dict(),
        }


__all__ = ["STATE_FILE", "Session"]
