"""The re-check schedule of a titled case (Titelüberwachung, 30 years): pure, no clock.

:func:`schedule` takes what a case knows (:class:`MonitoringFacts`) and the day and says
when the next re-check is, which check is due today, and which tasks a person gets at once.
The rules (defaults of the issue, documented choices in brackets):

- **Checks** fall on the anniversaries of an anchor, every **6 months while enforcement is
  active** (a measure running, or an enforcement act in the last 6 months) and **yearly**
  otherwise. The anchor is the later of the day the title became final and the last
  enforcement act, so that an act starts a fresh rhythm. A check whose day has come and for
  which no task was raised yet is due now (once: the day it was raised for is remembered).
- **New information** (a new address, employer or bank account learnt after the last check)
  raises a task at once.
- **Two years after a Vermögensauskunft** (§ 802d ZPO) a new one is proposed: a task on that
  day, and the re-check moves to it if it comes first.
- **Interest after the title** becomes time-barred after three years from the end of the year
  it fell due (§ 197 Abs. 2, §§ 195, 199 BGB), unless an enforcement act restarts the period
  (§ 212 Abs. 1 Nr. 2 BGB). From 1 January of the year in which the interest of a year since
  the anchor expires, a task asks for an act or a write-down (court-and-enforcement.md 5: an
  alert at the end of year 2 after the last act). The task is raised once per year of
  interest; the alert does not move the re-check.

Worked example (the issue's): title final 2023-06-01, no payment, no enforcement since; on
2026-12-05 the yearly checks were due 2024-06-01, 2025-06-01, 2026-06-01; the last one is
due now (once) and the next is on 2027-06-01. The interest of 2023 expires on 2026-12-31:
its alert has been due since 2026-01-01.

>>> s = schedule(MonitoringFacts(title_final=date(2023, 6, 1)), date(2026, 12, 5))
>>> s.next_check, s.due_check, s.interval_months
(datetime.date(2027, 6, 1), datetime.date(2026, 6, 1), 12)
>>> [t.code for t in s.tasks]
['title_check:2026-06-01', 'interest_limitation:2023']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mahnwerk.domain.dunning import TaskRequest
from mahnwerk.domain.limitation import add_months, add_years

ACTIVE_INTERVAL_MONTHS = 6
QUIET_INTERVAL_MONTHS = 12
#: An enforcement act this recent keeps the case "active" (documented choice).
ACTIVE_AFTER_ACT_MONTHS = 6
#: § 802d ZPO.
DISCLOSURE_RENEWAL_YEARS = 2
#: § 195 BGB, counted from the end of the year (§ 199 Abs. 1 BGB).
INTEREST_LIMITATION_YEARS = 3

INFO_TEXT = {
    "address": "neue Anschrift",
    "employer": "neuer Arbeitgeber",
    "account": "neues Konto",
}


@dataclass(frozen=True)
class MonitoringFacts:
    title_final: date
    """Day the title became final (Rechtskraft) or, without one, was issued."""
    last_enforcement_act: date | None = None
    measure_running: bool = False
    last_asset_disclosure: date | None = None
    last_check: date | None = None
    """The due day of the last check a task was raised for."""
    new_info: tuple[tuple[str, date], ...] = ()
    """(``address`` | ``employer`` | ``account``, day learnt)."""


@dataclass(frozen=True)
class Schedule:
    next_check: date
    interval_months: int
    due_check: date | None
    """The check due now (its day), or None."""
    tasks: tuple[TaskRequest, ...]
    reasons: tuple[str, ...]
    interest_alert_on: date
    """From this day on, interest after the title is in its last year before limitation."""


def _de(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _anchor(f: MonitoringFacts) -> date:
    if f.last_enforcement_act is not None and f.last_enforcement_act > f.title_final:
        return f.last_enforcement_act
    return f.title_final


def is_active(f: MonitoringFacts, today: date) -> bool:
    if f.measure_running:
        return True
    act = f.last_enforcement_act
    return act is not None and add_months(act, ACTIVE_AFTER_ACT_MONTHS) > today


def schedule(f: MonitoringFacts, today: date) -> Schedule:
    """The schedule on ``today`` (see the module docstring)."""
    anchor = _anchor(f)
    active = is_active(f, today)
    interval = ACTIVE_INTERVAL_MONTHS if active else QUIET_INTERVAL_MONTHS
    due: date | None = None
    k = 1
    while (day := add_months(anchor, k * interval)) <= today:
        due = day
        k += 1
    next_check = day
    reasons = [
        f"{'Vollstreckung aktiv' if active else 'keine laufende Vollstreckung'}: Prüfung alle "
        f"{interval} Monate ab {_de(anchor)}"
    ]
    tasks: list[TaskRequest] = []
    seen = f.last_check or date.min
    if due is not None and due > seen:
        tasks.append(
            TaskRequest(
                "title_monitoring",
                f"title_check:{due.isoformat()}",
                f"Titelüberwachung (fällig {_de(due)}): Anschrift, Arbeitgeber, Konten und "
                "Zahlungsfähigkeit prüfen",
            )
        )
    else:
        due = None
    for kind, learnt in sorted(f.new_info, key=lambda x: x[1]):
        if learnt > seen:
            tasks.append(
                TaskRequest(
                    "title_monitoring",
                    f"new_info:{kind}:{learnt.isoformat()}",
                    f"{INFO_TEXT.get(kind, kind)} seit {_de(learnt)}: Vollstreckung neu prüfen",
                )
            )
    if f.last_asset_disclosure is not None:
        renewal = add_years(f.last_asset_disclosure, DISCLOSURE_RENEWAL_YEARS)
        if renewal <= today and renewal > seen:
            tasks.append(
                TaskRequest(
                    "title_monitoring",
                    f"disclosure_renewal:{renewal.isoformat()}",
                    f"Vermögensauskunft vom {_de(f.last_asset_disclosure)} ist zwei Jahre alt: "
                    "neue Vermögensauskunft vorschlagen (§ 802d ZPO)",
                )
            )
        elif renewal > today and renewal < next_check:
            next_check = renewal
            reasons.append(f"neue Vermögensauskunft möglich ab {_de(renewal)} (§ 802d ZPO)")
    # the interest of year Y expires at the end of Y + 3; the year in its last year today
    year = max(anchor.year, today.year - INTEREST_LIMITATION_YEARS)
    alert = date(year + INTEREST_LIMITATION_YEARS, 1, 1)
    if alert <= today:
        expires = date(year + INTEREST_LIMITATION_YEARS, 12, 31)
        tasks.append(
            TaskRequest(
                "title_monitoring",
                f"interest_limitation:{year}",
                f"Zinsen aus {year} verjähren mit Ablauf des {_de(expires)} "
                "(§ 197 Abs. 2 BGB): Vollstreckungshandlung beantragen oder Zinsen ausbuchen",
            )
        )
    return Schedule(next_check, interval, due, tuple(tasks), tuple(reasons), alert)
