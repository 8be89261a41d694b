"""What the next-best-action policy sees of one open case on one day, and its actions.

A :class:`CaseView` holds only what the platform knows: amounts, the days since the case
began and since each contact, the channels on file, every past contact with whether it got
through, payments, promises, complaints, the score and the segment. It carries no name,
address, postcode, birth date, sex or nationality – there is no field for them – and the
features built from it are checked against :mod:`mahnwerk.ml.protected`.

Days count from the case's first day (day 0); ``weekday`` is 0 = Monday … 6 = Sunday.
Amounts are euros as floats: the policy only estimates, it never books (the ledger keeps
``Decimal``).

:func:`view_from_json` reads the JSON object of ``mahnwerk nba session``; a bad field raises
:class:`ViewError` naming it:

>>> v = view_from_json({"id": "c1", "weekday": 5, "amount": 270.5, "balance": 270.5,
...     "has_email": True, "has_mobile": True,
...     "contacts": [{"day": 0, "action": "letter", "reached": True}],
...     "payments": [{"day": 5, "amount": 20.0}], "allowed": ["none", "email"]}, day=12)
>>> v.contacts[0].channel, v.allowed
('letter', ('none', 'email'))
>>> view_from_json({"id": "c1", "weekday": 9, "amount": 1, "balance": 1, "allowed": ["none"]}, 0)
Traceback (most recent call last):
...
mahnwerk.ml.nba.views.ViewError: weekday: ganze Zahl 0–6 erwartet, nicht 9
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Every action the policy may choose; calls are phone tasks for that time window.
ACTIONS: tuple[str, ...] = (
    "none",
    "letter",
    "email",
    "sms",
    "call_morning",
    "call_afternoon",
    "call_evening",
)
CONTACT_ACTIONS: tuple[str, ...] = ACTIONS[1:]
CALL_ACTIONS: tuple[str, ...] = ("call_morning", "call_afternoon", "call_evening")
CHANNELS: tuple[str, ...] = ("letter", "email", "sms", "call")
#: Local hours of the call windows (start inclusive, end exclusive; quiet hours outside).
CALL_WINDOWS: dict[str, tuple[int, int]] = {
    "call_morning": (8, 12),
    "call_afternoon": (12, 17),
    "call_evening": (17, 20),
}
ACTION_INDEX: dict[str, int] = {a: i for i, a in enumerate(ACTIONS)}


def channel_of(action: str) -> str:
    """The channel of an action (``call_*`` → ``call``; ``none`` → ``none``)."""
    return "call" if action.startswith("call") else action


@dataclass(frozen=True, slots=True)
class Contact:
    day: int
    action: str  # one of CONTACT_ACTIONS; a call of unknown window is "call_afternoon"
    reached: bool

    @property
    def channel(self) -> str:
        return channel_of(self.action)


@dataclass(frozen=True, slots=True)
class Promise:
    made: int
    due: int
    amount: float
    kept: bool | None = None  # None: not yet due


@dataclass(frozen=True, slots=True)
class CaseView:
    """One open case on day ``day`` (see the module docstring)."""

    id: str
    day: int
    weekday: int
    amount: float
    balance: float
    has_email: bool = False
    has_mobile: bool = False
    has_phone: bool = False
    contacts: tuple[Contact, ...] = ()
    payments: tuple[tuple[int, float], ...] = ()
    promises: tuple[Promise, ...] = ()
    complaints: tuple[int, ...] = ()
    #: the debtor asked to be contacted (a call-back, a question): the annoyance cap yields
    requested: bool = False
    score: float | None = None
    segment: str | None = None
    allowed: tuple[str, ...] = ("none",)
    extra: Mapping[str, Any] = field(default_factory=dict)


class ViewError(ValueError):
    """A case or request field that cannot be read; the message names the field (German)."""


def _number(obj: Mapping[str, Any], key: str, where: str, *, default: Any = ...) -> float:
    value = obj.get(key, default)
    if value is ...:
        raise ViewError(f"{where}{key}: fehlt")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ViewError(f"{where}{key}: Zahl erwartet, nicht {value!r}")
    return float(value)


def _int(
    obj: Mapping[str, Any], key: str, where: str, lo: int, hi: int, *, default: Any = ...
) -> int:
    value = obj.get(key, default)
    if value is ...:
        raise ViewError(f"{where}{key}: fehlt")
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        span = f"{lo}–{hi}" if hi < 10**9 else f"≥ {lo}"
        raise ViewError(f"{where}{key}: ganze Zahl {span} erwartet, nicht {value!r}")
    return value


def _bool(obj: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise ViewError(f"{where}{key}: true oder false erwartet, nicht {value!r}")
    return value


def _list(obj: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise ViewError(f"{where}{key}: Liste erwartet")
    return value


def parse_allowed(value: object, where: str = "") -> tuple[str, ...]:
    """The allowed actions of a case: a non-empty list of known actions without repeats."""
    if value is None:
        raise ViewError(f"{where}allowed: fehlt")
    if not isinstance(value, list) or not value:
        raise ViewError(f"{where}allowed: nicht-leere Liste von Aktionen erwartet")
    out: list[str] = []
    for a in value:
        if a not in ACTION_INDEX:
            raise ViewError(
                f"{where}allowed: unbekannte Aktion {a!r} (erlaubt: {', '.join(ACTIONS)})"
            )
        if a not in out:
            out.append(a)
    return tuple(out)


def view_from_json(obj: object, day: int, where: str = "") -> CaseView:
    """A :class:`CaseView` from the session's JSON case object (see the module docstring)."""
    if not isinstance(obj, Mapping):
        raise ViewError(f"{where.rstrip('.')}: Objekt erwartet".lstrip(": ") or "Objekt erwartet")
    case_id = obj.get("id")
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or case_id == "":
        raise ViewError(f"{where}id: Text oder Zahl erwartet, nicht {case_id!r}")
    amount = _number(obj, "amount", where)
    balance = _number(obj, "balance", where)
    if amount < 0 or balance < 0:
        raise ViewError(f"{where}{'amount' if amount < 0 else 'balance'}: darf nicht negativ sein")
    contacts = []
    for k, c in enumerate(_list(obj, "contacts", where)):
        w = f"{where}contacts[{k}]."
        if not isinstance(c, Mapping):
            raise ViewError(f"{w[:-1]}: Objekt erwartet")
        action = c.get("action")
        if action == "call":
            action = "call_afternoon"
        if action not in CONTACT_ACTIONS:
            raise ViewError(f"{w}action: unbekannte Kontaktart {action!r}")
        contacts.append(
            Contact(_int(c, "day", w, -(10**6), 10**9), str(action), _bool(c, "reached", w))
        )
    payments = []
    for k, p in enumerate(_list(obj, "payments", where)):
        w = f"{where}payments[{k}]."
        if not isinstance(p, Mapping):
            raise ViewError(f"{w[:-1]}: Objekt erwartet")
        payments.append((_int(p, "day", w, -(10**6), 10**9), _number(p, "amount", w)))
    promises = []
    for k, p in enumerate(_list(obj, "promises", where)):
        w = f"{where}promises[{k}]."
        if not isinstance(p, Mapping):
            raise ViewError(f"{w[:-1]}: Objekt erwartet")
        kept = p.get("kept")
        if kept is not None and not isinstance(kept, bool):
            raise ViewError(f"{w}kept: true, false oder null erwartet")
        made = _int(p, "day", w, -(10**6), 10**9)
        promises.append(
            Promise(
                made,
                _int(p, "due", w, -(10**6), 10**9, default=made + 14),
                _number(p, "amount", w, default=0.0),
                kept,
            )
        )
    complaints = tuple(
        _int({"day": d}, "day", f"{where}complaints[{k}].", -(10**6), 10**9)
        for k, d in enumerate(_list(obj, "complaints", where))
    )
    score = obj.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1
    ):
        raise ViewError(f"{where}score: Zahl zwischen 0 und 1 oder null erwartet")
    segment = obj.get("segment")
    if segment is not None and not isinstance(segment, str):
        raise ViewError(f"{where}segment: Text oder null erwartet")
    has_mobile = _bool(obj, "has_mobile", where)
    return CaseView(
        id=str(case_id),
        day=day,
        weekday=_int(obj, "weekday", where, 0, 6),
        amount=amount,
        balance=balance,
        has_email=_bool(obj, "has_email", where),
        has_mobile=has_mobile,
        has_phone=_bool(obj, "has_phone", where, has_mobile),
        contacts=tuple(contacts),
        payments=tuple(payments),
        promises=tuple(promises),
        complaints=complaints,
        requested=_bool(obj, "requested", where),
        score=None if score is None else float(score),
        segment=segment,
        allowed=parse_allowed(obj.get("allowed"), where),
    )


def view_to_json(v: CaseView) -> dict[str, Any]:
    """The session's JSON case object of a view (the inverse of :func:`view_from_json`)."""
    out: dict[str, Any] = {
        "id": v.id,
        "weekday": v.weekday,
        "amount": round(v.amount, 2),
        "balance": round(v.balance, 2),
        "has_email": v.has_email,
        "has_mobile": v.has_mobile,
        "has_phone": v.has_phone,
        "contacts": [{"day": c.day, "action": c.action, "reached": c.reached} for c in v.contacts],
        "payments": [{"day": d, "amount": round(a, 2)} for d, a in v.payments],
        "allowed": list(v.allowed),
    }
    if v.promises:
        out["promises"] = [
            {"day": p.made, "due": p.due, "amount": round(p.amount, 2), "kept": p.kept}
            for p in v.promises
        ]
    if v.complaints:
        out["complaints"] = list(v.complaints)
    if v.requested:
        out["requested"] = True
    if v.score is not None:
        out["score"] = v.score
    if v.segment is not None:
        out["segment"] = v.segment
    return out
