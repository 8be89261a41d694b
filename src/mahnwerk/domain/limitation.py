"""Limitation of claims: Verjährung, §§ 195, 197, 199, 201, 204, 209, 212 BGB.

German terms: *regelmäßige Verjährungsfrist* (§ 195, 3 years), *Verjährungsbeginn zum
Jahresschluss* (Ultimoverjährung, § 199 Abs. 1), *Höchstfrist* (§ 199 Abs. 4, 10 years),
*titulierter Anspruch* (§ 197 Abs. 1 Nr. 3, 30 years from Rechtskraft, § 201), *Hemmung*
(§ 204 Abs. 1 Nr. 3 by service of a Mahnbescheid; end § 204 Abs. 2; effect § 209),
*Neubeginn* (§ 212 Abs. 1 by Anerkenntnis or Vollstreckungshandlung).

The answer is the **last day on which the claim is not yet time-barred**
(:attr:`LimitationResult.last_day_not_barred`); the claim is barred from the following day
(:attr:`LimitationResult.barred_from`), when the debtor may refuse performance (§ 214 Abs. 1).

Modelling choices (each documented where it is applied):

- Regular period: 3 years from the end of the year in which the claim arose **and** the creditor
  knew of it (``knowledge``, default = ``origin``; the later of the two dates counts).
- If knowledge falls in a later year than the origin, the 10-year maximum from origin
  (§ 199 Abs. 4) is computed as well and the earlier end applies. The special maxima of
  § 199 Abs. 2, 3, 3a (damages, inheritance) are not covered.
- Periods run per §§ 187 Abs. 1, 188 Abs. 2 BGB: a period triggered by an event on day *d*
  ends with the expiry of the day with the same number *n* years/months later; a missing day
  (29 February) becomes the last day of the month (§ 188 Abs. 3).
- Hemmung (§ 204 Abs. 1 Nr. 3): from the day the Mahnbescheid was served (pass the filing date
  instead if service followed "demnächst", § 167 ZPO) until 6 months after the procedure ended
  (§ 204 Abs. 2 S. 1; if it was left to rest, pass the last procedural act, S. 3). The time of
  the Hemmung is not counted (§ 209): a Hemmung inside the running period adds its days, first
  and last day included, to the end; a Hemmung covering the start of a period (e.g. a Mahnbescheid
  served in the year the claim arose) postpones the start to the day after it ends, and the
  period then runs by the calendar. A Hemmung starting after the claim was barred has no effect.
  A Mahnbescheid served without a known end keeps the claim suspended: the result then has
  no date (``last_day_not_barred is None``).
- Neubeginn (§ 212 Abs. 1): the full period starts again on the day after the acknowledgement
  (part payment, interest payment, security) or the enforcement act (applied for or performed),
  **without** year-end rounding; during a Hemmung the new period starts only when the Hemmung
  ends. An event after the claim was barred, or before any period had begun, has no effect, and
  a Neubeginn never shortens the period. Annulled/withdrawn enforcement acts (§ 212 Abs. 2, 3)
  must not be passed.
- Title (§ 197 Abs. 1 Nr. 3, § 201): 30 years from the day the judgment / Vollstreckungsbescheid
  became final, regardless of earlier events (limitation is a defence the debtor may not have
  raised). The tail of a dunning-procedure Hemmung is **not** added to the 30 years
  (conservative: the earlier date). A Neubeginn after the title restarts the 30 years.
  Interest falling due after the title keeps the regular 3-year period (§ 197 Abs. 2) - the
  result carries a note, the date returned is that of the titled principal.

>>> limitation_date(date(2022, 3, 15)).last_day_not_barred
datetime.date(2025, 12, 31)
>>> r = limitation_date(date(2022, 3, 15), [acknowledgement(date(2024, 5, 10))])
>>> r.last_day_not_barred, r.rule
(datetime.date(2027, 5, 10), 'restart_acknowledgement')
>>> limitation_date(date(2022, 3, 15), [title_final(date(2023, 2, 1))]).last_day_not_barred
datetime.date(2053, 2, 1)
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "INTEREST_AFTER_TITLE_NOTE",
    "REGULAR_YEARS",
    "TITLE_YEARS",
    "EventKind",
    "LimitationEvent",
    "LimitationResult",
    "acknowledgement",
    "add_months",
    "add_years",
    "dunning_order_served",
    "dunning_procedure_ended",
    "enforcement",
    "limitation_date",
    "title_final",
]

#: § 195 BGB.
REGULAR_YEARS = 3
#: § 199 Abs. 4 BGB.
MAXIMUM_YEARS = 10
#: § 197 Abs. 1 Nr. 3 BGB.
TITLE_YEARS = 30
#: § 204 Abs. 2 S. 1 BGB.
SUSPENSION_TAIL_MONTHS = 6

INTEREST_AFTER_TITLE_NOTE = (
    "Nach Rechtskraft des Titels fällig werdende Zinsen (regelmäßig wiederkehrende Leistungen) "
    "verjähren in der regelmäßigen Frist von drei Jahren ab Jahresende (§ 197 Abs. 2, "
    "§§ 195, 199 BGB)."
)

RULE_TEXTS: dict[str, str] = {
    "regular": "regelmäßige Verjährung, 3 Jahre ab Jahresschluss (§§ 195, 199 Abs. 1 BGB)",
    "maximum": "Höchstfrist 10 Jahre ab Entstehung ohne Rücksicht auf Kenntnis (§ 199 Abs. 4 BGB)",
    "restart_acknowledgement": "Neubeginn durch Anerkenntnis (§ 212 Abs. 1 Nr. 1 BGB)",
    "restart_enforcement": "Neubeginn durch Vollstreckungshandlung (§ 212 Abs. 1 Nr. 2 BGB)",
    "title": "rechtskräftig festgestellter Anspruch, 30 Jahre (§ 197 Abs. 1 Nr. 3, § 201 BGB)",
}


class EventKind(StrEnum):
    """Kinds of events that affect limitation."""

    DUNNING_ORDER_SERVED = "dunning_order_served"  # § 204 Abs. 1 Nr. 3: Hemmung begins
    DUNNING_PROCEDURE_ENDED = "dunning_procedure_ended"  # § 204 Abs. 2: ends 6 months later
    ACKNOWLEDGEMENT = "acknowledgement"  # § 212 Abs. 1 Nr. 1: Neubeginn
    ENFORCEMENT = "enforcement"  # § 212 Abs. 1 Nr. 2: Neubeginn
    TITLE_FINAL = "title_final"  # § 197 Abs. 1 Nr. 3, § 201: 30 years


#: Order of events on the same day.
_SAME_DAY_ORDER = {
    EventKind.DUNNING_ORDER_SERVED: 0,
    EventKind.DUNNING_PROCEDURE_ENDED: 1,
    EventKind.ACKNOWLEDGEMENT: 2,
    EventKind.ENFORCEMENT: 2,
    EventKind.TITLE_FINAL: 3,
}


@dataclass(frozen=True)
class LimitationEvent:
    """An event (kind + date) relevant for limitation."""

    kind: EventKind
    on: date


def dunning_order_served(on: date) -> LimitationEvent:
    """Zustellung des Mahnbescheids (§ 204 Abs. 1 Nr. 3 BGB)."""
    return LimitationEvent(EventKind.DUNNING_ORDER_SERVED, on)


def dunning_procedure_ended(on: date) -> LimitationEvent:
    """Ende des Mahnverfahrens (Entscheidung, Rücknahme, letzte Verfahrenshandlung)."""
    return LimitationEvent(EventKind.DUNNING_PROCEDURE_ENDED, on)


def acknowledgement(on: date) -> LimitationEvent:
    """Anerkenntnis, e.g. Abschlagszahlung, Zinszahlung (§ 212 Abs. 1 Nr. 1 BGB)."""
    return LimitationEvent(EventKind.ACKNOWLEDGEMENT, on)


def enforcement(on: date) -> LimitationEvent:
    """Vollstreckungshandlung beantragt oder vorgenommen (§ 212 Abs. 1 Nr. 2 BGB)."""
    return LimitationEvent(EventKind.ENFORCEMENT, on)


def title_final(on: date) -> LimitationEvent:
    """Rechtskraft eines Urteils / Vollstreckungsbescheids (§ 197 Abs. 1 Nr. 3 BGB)."""
    return LimitationEvent(EventKind.TITLE_FINAL, on)


@dataclass(frozen=True)
class LimitationResult:
    """Result of :func:`limitation_date`.

    ``last_day_not_barred`` is the last day on which the claim is not yet time-barred
    (``None`` while a Hemmung without known end lasts). ``rule`` is a stable code
    (``regular``, ``maximum``, ``restart_acknowledgement``, ``restart_enforcement``,
    ``title``), ``rule_text`` its German description, ``steps`` the German explanation in
    date order, ``notes`` further German remarks.
    """

    last_day_not_barred: date | None
    rule: str
    rule_text: str
    suspended_days: int
    suspension_open: bool
    steps: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def barred_from(self) -> date | None:
        """First day on which the claim is time-barred."""
        if self.last_day_not_barred is None:
            return None
        return self.last_day_not_barred + timedelta(days=1)

    def is_barred_on(self, day: date) -> bool:
        """True if the claim is time-barred on ``day`` (never while a Hemmung is open)."""
        barred = self.barred_from
        return barred is not None and day >= barred


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` months; a missing day becomes the last of the month (§ 188 Abs. 3).

    >>> add_months(date(2025, 8, 31), 6)
    datetime.date(2026, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` years (29 February -> 28 February, § 188 Abs. 3 BGB).

    >>> add_years(date(2024, 2, 29), 3)
    datetime.date(2027, 2, 28)
    """
    return add_months(day, 12 * years)


def _de(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class _Suspension:
    start: date
    end: date | None  # last suspended day; None = procedure not ended yet
    ended: date | None


@dataclass(frozen=True)
class _Clock:
    """One running period of ``years`` years beginning (at 0:00) on ``start``.

    Without Hemmung it ends with the expiry of the day before the day corresponding to
    ``start`` (§ 187 Abs. 2, § 188 Abs. 2 Alt. 2 BGB), computed as ``add_years(start - 1, years)``
    so that § 188 Abs. 3 (no corresponding day) falls out of :func:`add_months`.
    ``base_start`` is the start before any Hemmung shifted it; ``added_days`` are Hemmung days
    inside the running period.
    """

    rule: str
    start: date
    years: int
    base_start: date
    added_days: int = 0
    open: bool = False

    @classmethod
    def starting(cls, rule: str, start: date, years: int) -> _Clock:
        return cls(rule, start, years, start)

    @property
    def nominal_end(self) -> date:
        """End without any Hemmung."""
        return add_years(self.base_start - timedelta(days=1), self.years)

    @property
    def end(self) -> date:
        shifted = add_years(self.start - timedelta(days=1), self.years)
        return shifted + timedelta(days=self.added_days)

    @property
    def suspended_days(self) -> int:
        """Days by which Hemmung moved the end."""
        return (self.end - self.nominal_end).days

    def suspend(self, s: _Suspension) -> _Clock:
        """Apply a Hemmung (§ 209 BGB).

        A Hemmung covering the start of the period postpones the start to the day after the
        Hemmung ends (the full period then runs by the calendar). A Hemmung inside the running
        period adds its days - first and last day included - to the end.
        """
        if s.end is None:
            return replace(self, open=True)
        if s.start <= self.start:
            if s.end < self.start:
                return self
            return replace(self, start=s.end + timedelta(days=1))
        return replace(self, added_days=self.added_days + (s.end - s.start).days + 1)


def _pair_suspensions(events: Sequence[LimitationEvent]) -> list[_Suspension]:
    suspensions: list[_Suspension] = []
    open_start: date | None = None
    for event in events:
        if event.kind is EventKind.DUNNING_ORDER_SERVED:
            if open_start is not None:
                raise ValueError(
                    f"dunning order served on {event.on.isoformat()} while the procedure served "
                    f"on {open_start.isoformat()} has not ended"
                )
            open_start = event.on
        elif event.kind is EventKind.DUNNING_PROCEDURE_ENDED:
            if open_start is None:
                raise ValueError(
                    f"dunning procedure ended on {event.on.isoformat()} without a served "
                    "dunning order before it"
                )
            end = add_months(event.on, SUSPENSION_TAIL_MONTHS)
            suspensions.append(_Suspension(open_start, end, event.on))
            open_start = None
    if open_start is not None:
        suspensions.append(_Suspension(open_start, None, None))
    return suspensions


def _sorted_events(origin: date, events: Sequence[LimitationEvent]) -> list[LimitationEvent]:
    for event in events:
        if not isinstance(event, LimitationEvent):
            raise TypeError(f"expected LimitationEvent, got {type(event).__name__}")
        if event.on < origin:
            raise ValueError(
                f"{event.kind.value} on {event.on.isoformat()} is before the claim arose "
                f"({origin.isoformat()})"
            )
    return sorted(events, key=lambda e: (e.on, _SAME_DAY_ORDER[e.kind]))


def limitation_date(
    origin: date,
    events: Sequence[LimitationEvent] = (),
    knowledge: date | None = None,
) -> LimitationResult:
    """Last day on which a claim is not yet time-barred (Verjährung, §§ 195 ff. BGB).

    ``origin`` is the day the claim arose (Entstehung, usually Fälligkeit), ``knowledge`` the day
    the creditor knew or should have known the circumstances and the debtor (§ 199 Abs. 1 Nr. 2;
    default ``origin``), ``events`` the Hemmung / Neubeginn / title events in any order (they are
    applied in date order). See the module docstring for the modelling choices.

    >>> r = limitation_date(date(2022, 3, 15), [
    ...     dunning_order_served(date(2025, 10, 1)), dunning_procedure_ended(date(2026, 1, 15))])
    >>> r.last_day_not_barred, r.suspended_days
    (datetime.date(2026, 10, 15), 288)
    """
    known = origin if knowledge is None else max(origin, knowledge)
    ordered = _sorted_events(origin, events)
    suspensions = _pair_suspensions(ordered)
    steps: list[str] = []
    notes: list[str] = []

    steps.append(f"Anspruch entstanden am {_de(origin)}.")
    if known != origin:
        steps.append(f"Kenntnis des Gläubigers (§ 199 Abs. 1 Nr. 2 BGB) am {_de(known)}.")
    regular = _Clock.starting("regular", date(known.year + 1, 1, 1), REGULAR_YEARS)
    clocks: list[_Clock] = [regular]
    steps.append(
        f"Regelmäßige Verjährungsfrist 3 Jahre (§ 195 BGB), Beginn mit Schluss des Jahres "
        f"{known.year} (§ 199 Abs. 1 BGB): Ablauf am {_de(regular.nominal_end)}."
    )
    if known.year > origin.year:
        maximum = _Clock.starting("maximum", origin + timedelta(days=1), MAXIMUM_YEARS)
        clocks.append(maximum)
        steps.append(
            f"Höchstfrist 10 Jahre ab Entstehung ohne Rücksicht auf Kenntnis (§ 199 Abs. 4 BGB): "
            f"Ablauf am {_de(maximum.nominal_end)}."
        )
        notes.append(
            "Besondere Höchstfristen für Schadensersatz- und erbrechtliche Ansprüche "
            "(§ 199 Abs. 2, 3, 3a BGB) sind nicht berücksichtigt."
        )

    applied: list[_Suspension] = []
    titled = False

    def current_end() -> date | None:
        if any(c.open for c in clocks):
            return None
        return min(c.end for c in clocks)

    def describe_end() -> str:
        end = current_end()
        if end is None:
            return "die Hemmung dauert an, solange das Verfahren nicht beendet ist"
        return f"Ablauf nun am {_de(end)}"

    pending = iter(suspensions)
    for event in ordered:
        end_now = current_end()
        if event.kind is EventKind.DUNNING_ORDER_SERVED:
            suspension = next(pending)
            label = f"Zustellung des Mahnbescheids am {_de(event.on)}"
            if end_now is not None and event.on > end_now:
                steps.append(
                    f"{label}: ohne Wirkung, der Anspruch war bereits mit Ablauf des "
                    f"{_de(end_now)} verjährt."
                )
                continue
            before = [c.end for c in clocks]
            clocks = [c.suspend(suspension) for c in clocks]
            applied.append(suspension)
            if suspension.end is None or suspension.ended is None:
                steps.append(
                    f"{label} hemmt die Verjährung (§ 204 Abs. 1 Nr. 3 BGB); das Verfahren ist "
                    "nicht beendet, die Hemmung dauert an (§ 204 Abs. 2 BGB)."
                )
            else:
                days = max((c.end - b).days for c, b in zip(clocks, before, strict=True))
                steps.append(
                    f"{label} hemmt die Verjährung (§ 204 Abs. 1 Nr. 3 BGB); Verfahren beendet "
                    f"am {_de(suspension.ended)}, Hemmung endet sechs Monate später mit Ablauf "
                    f"des {_de(suspension.end)} (§ 204 Abs. 2 BGB). Die Zeit der Hemmung wird "
                    f"nicht eingerechnet (§ 209 BGB), der Ablauf verschiebt sich um {days} Tage: "
                    f"{describe_end()}."
                )
        elif event.kind is EventKind.DUNNING_PROCEDURE_ENDED:
            continue  # accounted for with the service of the Mahnbescheid
        elif event.kind in (EventKind.ACKNOWLEDGEMENT, EventKind.ENFORCEMENT):
            if event.kind is EventKind.ACKNOWLEDGEMENT:
                label = f"Anerkenntnis (z. B. Abschlagszahlung) am {_de(event.on)}"
                rule, para = "restart_acknowledgement", "§ 212 Abs. 1 Nr. 1 BGB"
            else:
                label = f"Vollstreckungshandlung (beantragt oder vorgenommen) am {_de(event.on)}"
                rule, para = "restart_enforcement", "§ 212 Abs. 1 Nr. 2 BGB"
            if end_now is not None and event.on > end_now:
                steps.append(
                    f"{label}: kein Neubeginn, der Anspruch war bereits mit Ablauf des "
                    f"{_de(end_now)} verjährt (eine Zahlung kann aber nicht zurückgefordert "
                    "werden, § 214 Abs. 2 BGB)."
                )
                continue
            if event.on < min(c.start for c in clocks) - timedelta(days=1):
                steps.append(
                    f"{label}: kein Neubeginn, die Verjährungsfrist hatte noch nicht begonnen."
                )
                continue
            years = TITLE_YEARS if titled else REGULAR_YEARS
            start = event.on + timedelta(days=1)
            clock = _Clock.starting(rule, start, years)
            for s in applied:
                if s.start <= event.on:
                    clock = clock.suspend(s)
            if end_now is not None and not clock.open and clock.end < end_now:
                steps.append(
                    f"{label}: Neubeginn würde die Frist verkürzen und bleibt ohne Wirkung "
                    f"({describe_end()})."
                )
                continue
            clocks = [clock]
            wait = ""
            if clock.start != start or clock.open:
                wait = " Die neue Frist läuft erst nach Ende der Hemmung (§ 209 BGB)."
            steps.append(
                f"{label}: die Verjährung beginnt am {_de(start)} neu ({para}), "
                f"{years} Jahre ohne Jahresschlussregel.{wait} {describe_end()}."
            )
        else:  # TITLE_FINAL
            if end_now is not None and event.on > end_now:
                notes.append(
                    f"Der Anspruch war vor dem Titel mit Ablauf des {_de(end_now)} verjährt; "
                    "da die Einrede im Verfahren nicht erhoben wurde, gilt der Titel."
                )
            titled = True
            clocks = [_Clock.starting("title", event.on + timedelta(days=1), TITLE_YEARS)]
            applied = []
            steps.append(
                f"Titel rechtskräftig am {_de(event.on)}: Verjährungsfrist 30 Jahre ab "
                f"Rechtskraft (§ 197 Abs. 1 Nr. 3, § 201 BGB): {describe_end()}."
            )

    final_end = current_end()
    binding = min(clocks, key=lambda c: c.end)
    if titled:
        notes.append(INTEREST_AFTER_TITLE_NOTE)
    if final_end is None:
        steps.append(
            "Ergebnis: die Verjährung ist gehemmt; ein Datum ergibt sich erst mit dem Ende des "
            "Mahnverfahrens (Hemmung endet sechs Monate danach, § 204 Abs. 2 BGB)."
        )
    else:
        steps.append(
            f"Ergebnis: Verjährung mit Ablauf des {_de(final_end)}; ab dem "
            f"{_de(final_end + timedelta(days=1))} kann der Schuldner die Leistung verweigern "
            "(§ 214 Abs. 1 BGB)."
        )
    return LimitationResult(
        last_day_not_barred=final_end,
        rule=binding.rule,
        rule_text=RULE_TEXTS[binding.rule],
        suspended_days=binding.suspended_days,
        suspension_open=final_end is None,
        steps=tuple(steps),
        notes=tuple(notes),
    )
