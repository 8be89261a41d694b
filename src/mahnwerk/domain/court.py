"""The court dunning procedure (gerichtliches Mahnverfahren, §§ 688 ff. ZPO): its states, the
transitions the court's messages and the people cause, and the periods that run.

States (stored in ``court_procedure.state``)::

    prepared ──approve──► approved ──export──► filed ──03──► issued ──05/05──► served
       │                                        │  └──05/05 (before 03)──────────┘ │
       └─return──► returned                     └──05/06──► not_served            │
                                                                                   │
    served ──Widerspruch period over──► vb_prepared ──approve──► vb_approved ──export──►
    vb_filed ──22──► vb_issued ──05/08──► titled         (18 at any point before: objected;
                                                          16: handed_over; 05/09: vb_not_served)

plus ``withdrawn`` (recalled, paid or withdrawn by a person), ``lapsed`` (§ 701 ZPO: no VB
application within six months of service) and ``vb_returned`` (a person sent the VB
application back). A Monierung (20) and the receipt (90) change no state: a person acts.

Periods (§ 222 ZPO with §§ 187, 188 BGB; a period ending on a Saturday, Sunday or public
holiday ends on the next working day, § 222 Abs. 2 ZPO; the caller says which days are
holidays, for the court's Land):

- Widerspruch: two weeks from service of the Mahnbescheid (§ 692 Abs. 1 Nr. 3 ZPO); the
  Vollstreckungsbescheid may be applied for only after it (§ 699 Abs. 1 S. 2 ZPO).
- § 701 ZPO: without a VB application within six months of service the Mahnbescheid lapses.
- Einspruch: two weeks from service of the Vollstreckungsbescheid (§ 700 Abs. 1, § 339 Abs. 1
  ZPO; Notfrist); the VB becomes final (Rechtskraft) the day after.
- Limitation: suspended from the application when the Mahnbescheid was served (§ 204 Abs. 1
  Nr. 3 BGB, § 167 ZPO) until six months after the procedure ended (§ 204 Abs. 2 BGB), see
  :func:`suspension`.

>>> served = date(2026, 3, 6)   # a Friday
>>> widerspruch_period_end(served)
datetime.date(2026, 3, 20)
>>> vb_earliest(served), lapse_day(served)
(datetime.date(2026, 3, 21), datetime.date(2026, 9, 7))
>>> einspruch_period_end(date(2026, 4, 18)), final_on(date(2026, 4, 18))   # a Saturday
(datetime.date(2026, 5, 4), datetime.date(2026, 5, 5))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from mahnwerk.domain.limitation import add_months
from mahnwerk.domain.title import CourtSuspension

__all__ = [
    "RUNNING_STATES",
    "Event",
    "State",
    "TransitionError",
    "amtsgericht_limit",
    "einspruch_period_end",
    "final_on",
    "lapse_day",
    "next_state",
    "suspension",
    "vb_earliest",
    "widerspruch_period_end",
]

Holiday = Callable[[date], bool]

#: § 692 Abs. 1 Nr. 3 ZPO and § 339 Abs. 1 ZPO: two weeks.
TWO_WEEKS = timedelta(days=14)
#: § 701 ZPO.
LAPSE_MONTHS = 6


class State(StrEnum):
    PREPARED = "prepared"
    RETURNED = "returned"
    APPROVED = "approved"
    FILED = "filed"
    ISSUED = "issued"
    SERVED = "served"
    NOT_SERVED = "not_served"
    OBJECTED = "objected"
    VB_PREPARED = "vb_prepared"
    VB_RETURNED = "vb_returned"
    VB_APPROVED = "vb_approved"
    VB_FILED = "vb_filed"
    VB_ISSUED = "vb_issued"
    VB_NOT_SERVED = "vb_not_served"
    TITLED = "titled"
    HANDED_OVER = "handed_over"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class Event(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    EXPORT = "export"
    MB_ISSUED = "mb_issued"  # 03 Kosten- und Erlassnachricht
    MB_SERVED = "mb_served"  # 05, NAM 05
    MB_NOT_SERVED = "mb_not_served"  # 05, NAM 06
    WIDERSPRUCH = "widerspruch"  # 18
    VB_PREPARE = "vb_prepare"
    VB_APPROVE = "vb_approve"
    VB_RETURN = "vb_return"
    VB_EXPORT = "vb_export"
    VB_ISSUED = "vb_issued"  # 22
    VB_SERVED = "vb_served"  # 05, NAM 08
    VB_NOT_SERVED = "vb_not_served"  # 05, NAM 09
    ABGABE = "abgabe"  # 16: to the Prozessgericht (after Widerspruch or Einspruch)
    WITHDRAW = "withdraw"
    LAPSE = "lapse"


#: States in which the procedure runs: no dunning letters, no other strategy step.
RUNNING_STATES = frozenset(
    {
        State.PREPARED,
        State.APPROVED,
        State.FILED,
        State.ISSUED,
        State.SERVED,
        State.NOT_SERVED,
        State.OBJECTED,
        State.VB_PREPARED,
        State.VB_RETURNED,
        State.VB_APPROVED,
        State.VB_FILED,
        State.VB_ISSUED,
        State.VB_NOT_SERVED,
        State.HANDED_OVER,
    }
)
#: States after which nothing more happens in the procedure.
FINAL_STATES = frozenset({State.RETURNED, State.TITLED, State.WITHDRAWN, State.LAPSED})

_MB_PENDING = {State.FILED, State.ISSUED}
_BEFORE_VB_ISSUED = {
    State.FILED,
    State.ISSUED,
    State.SERVED,
    State.NOT_SERVED,
    State.VB_PREPARED,
    State.VB_RETURNED,
    State.VB_APPROVED,
    State.VB_FILED,
}
_TRANSITIONS: dict[Event, tuple[frozenset[State], State]] = {
    Event.APPROVE: (frozenset({State.PREPARED}), State.APPROVED),
    Event.RETURN: (frozenset({State.PREPARED}), State.RETURNED),
    Event.EXPORT: (frozenset({State.APPROVED}), State.FILED),
    Event.MB_ISSUED: (frozenset(_MB_PENDING), State.ISSUED),
    Event.MB_SERVED: (frozenset({*_MB_PENDING, State.NOT_SERVED}), State.SERVED),
    Event.MB_NOT_SERVED: (frozenset(_MB_PENDING), State.NOT_SERVED),
    # § 694 ZPO: a Widerspruch counts as long as the VB is not issued (later: Einspruch)
    Event.WIDERSPRUCH: (frozenset(_BEFORE_VB_ISSUED), State.OBJECTED),
    Event.VB_PREPARE: (frozenset({State.SERVED, State.VB_RETURNED}), State.VB_PREPARED),
    Event.VB_APPROVE: (frozenset({State.VB_PREPARED}), State.VB_APPROVED),
    Event.VB_RETURN: (frozenset({State.VB_PREPARED}), State.VB_RETURNED),
    Event.VB_EXPORT: (frozenset({State.VB_APPROVED}), State.VB_FILED),
    Event.VB_ISSUED: (frozenset({State.VB_FILED}), State.VB_ISSUED),
    Event.VB_SERVED: (
        frozenset({State.VB_FILED, State.VB_ISSUED, State.VB_NOT_SERVED}),
        State.TITLED,
    ),
    Event.VB_NOT_SERVED: (frozenset({State.VB_FILED, State.VB_ISSUED}), State.VB_NOT_SERVED),
    Event.ABGABE: (frozenset({State.OBJECTED, State.TITLED, State.VB_ISSUED}), State.HANDED_OVER),
    Event.WITHDRAW: (
        frozenset({State.PREPARED, State.APPROVED, *RUNNING_STATES} - {State.HANDED_OVER}),
        State.WITHDRAWN,
    ),
    Event.LAPSE: (
        frozenset({State.SERVED, State.VB_PREPARED, State.VB_RETURNED, State.VB_APPROVED}),
        State.LAPSED,
    ),
}

STATE_TEXT = {
    State.PREPARED: "Mahnbescheid vorbereitet, wartet auf Freigabe",
    State.RETURNED: "Mahnbescheid zurückgegeben",
    State.APPROVED: "Mahnbescheid freigegeben, wartet auf Ausgabe",
    State.FILED: "Mahnbescheid beantragt",
    State.ISSUED: "Mahnbescheid erlassen",
    State.SERVED: "Mahnbescheid zugestellt",
    State.NOT_SERVED: "Mahnbescheid nicht zustellbar",
    State.OBJECTED: "Widerspruch eingelegt",
    State.VB_PREPARED: "Vollstreckungsbescheid vorbereitet, wartet auf Freigabe",
    State.VB_RETURNED: "Vollstreckungsbescheid zurückgegeben",
    State.VB_APPROVED: "Vollstreckungsbescheid freigegeben, wartet auf Ausgabe",
    State.VB_FILED: "Vollstreckungsbescheid beantragt",
    State.VB_ISSUED: "Vollstreckungsbescheid erlassen",
    State.VB_NOT_SERVED: "Vollstreckungsbescheid nicht zustellbar",
    State.TITLED: "tituliert (Vollstreckungsbescheid zugestellt)",
    State.HANDED_OVER: "an das Streitgericht abgegeben",
    State.WITHDRAWN: "zurückgenommen",
    State.LAPSED: "Mahnbescheid weggefallen (§ 701 ZPO)",
}


class TransitionError(ValueError):
    """An event that does not fit the procedure's state (German message)."""


def next_state(state: State | str, event: Event) -> State:
    """The state after ``event``; :class:`TransitionError` when it does not apply.

    >>> next_state("filed", Event.MB_SERVED)
    <State.SERVED: 'served'>
    >>> try:
    ...     next_state("prepared", Event.EXPORT)
    ... except TransitionError as exc:
    ...     print(exc)
    'export' passt nicht zum Stand 'prepared' (Mahnbescheid vorbereitet, wartet auf Freigabe)
    """
    current = State(state)
    allowed, target = _TRANSITIONS[event]
    if current not in allowed:
        raise TransitionError(
            f"{event.value!r} passt nicht zum Stand {current.value!r} ({STATE_TEXT[current]})"
        )
    return target


# ---------------------------------------------------------------------------- periods


def _no_holiday(_day: date) -> bool:
    return False


def period_end(day: date, is_holiday: Holiday = _no_holiday) -> date:
    """§ 222 Abs. 2 ZPO: a period ending on a Saturday, Sunday or holiday ends on the next
    working day."""
    while day.weekday() >= 5 or is_holiday(day):
        day += timedelta(days=1)
    return day


def widerspruch_period_end(served: date, is_holiday: Holiday = _no_holiday) -> date:
    """Last day of the two weeks after service of the Mahnbescheid (§ 692 Abs. 1 Nr. 3 ZPO)."""
    return period_end(served + TWO_WEEKS, is_holiday)


def vb_earliest(served: date, is_holiday: Holiday = _no_holiday) -> date:
    """First day on which the Vollstreckungsbescheid may be applied for (§ 699 Abs. 1 ZPO)."""
    return widerspruch_period_end(served, is_holiday) + timedelta(days=1)


def lapse_day(served: date, is_holiday: Holiday = _no_holiday) -> date:
    """Last day to apply for the Vollstreckungsbescheid before the Mahnbescheid lapses
    (§ 701 ZPO: six months from service)."""
    return period_end(add_months(served, LAPSE_MONTHS), is_holiday)


def einspruch_period_end(vb_served: date, is_holiday: Holiday = _no_holiday) -> date:
    """Last day of the Einspruch period (two weeks from service, § 700 Abs. 1, § 339 ZPO)."""
    return period_end(vb_served + TWO_WEEKS, is_holiday)


def final_on(vb_served: date, is_holiday: Holiday = _no_holiday) -> date:
    """The day the Vollstreckungsbescheid becomes final without an Einspruch."""
    return einspruch_period_end(vb_served, is_holiday) + timedelta(days=1)


def suspension(filed: date | None, served: date | None, ended: date | None) -> CourtSuspension:
    """The procedure's bearing on limitation: suspended from the application if the
    Mahnbescheid was served (§ 204 Abs. 1 Nr. 3 BGB, § 167 ZPO), none otherwise.

    >>> suspension(date(2026, 2, 2), date(2026, 2, 20), None)
    CourtSuspension(start=datetime.date(2026, 2, 2), ended=None)
    >>> suspension(date(2026, 2, 2), None, None).start is None
    True
    """
    if served is None:
        return CourtSuspension(None, ended)
    return CourtSuspension(filed or served, ended)


# ----------------------------------------------------------- the court of the streit


#: Amtsgericht up to this Streitwert, otherwise Landgericht (§ 23 Nr. 1 GVG): raised from
#: 5,000 EUR to 10,000 EUR with effect from 2026-01-01 (source: shared/reference/legal-facts.md
#: § 5.1, mirror commit 2c4c2b72 of 2026-01-04). When the 5,000 EUR began is not recorded
#: there; it is used for every earlier day.
AG_LIMIT_FROM_2026 = (date(2026, 1, 1), Decimal("10000.00"))
AG_LIMIT_BEFORE = Decimal("5000.00")


def amtsgericht_limit(on: date) -> Decimal:
    """The highest Streitwert of the Amtsgericht on ``on`` (§ 23 Nr. 1 GVG).

    >>> amtsgericht_limit(date(2025, 12, 31)), amtsgericht_limit(date(2026, 1, 1))
    (Decimal('5000.00'), Decimal('10000.00'))
    """
    since, limit = AG_LIMIT_FROM_2026
    return limit if on >= since else AG_LIMIT_BEFORE
