"""The title (Titel) of a claim and the limitation rules that apply once a claim is titled.

German terms: *Vollstreckungsbescheid* (§ 699 ZPO), *Urteil*, *Vergleich* (Prozessvergleich,
§ 794 Abs. 1 Nr. 1 ZPO), *notarielle Urkunde* (§ 794 Abs. 1 Nr. 5 ZPO), *Rechtskraft*,
*titulierte Hauptforderung*, *Zinsen ab … in Höhe von … Prozentpunkten über dem
Basiszinssatz*, *Kosten*.

A :class:`Title` is an immutable value: what the court (or notary) titled and when. The
rules here are pure functions of it:

- :func:`title_limitation`: the titled claim is time-barred 30 years after the title became
  final (§ 197 Abs. 1 Nr. 3 BGB, start with Rechtskraft § 201 BGB; the day of Rechtskraft is
  not counted, § 187 Abs. 1 BGB). Every enforcement act applied for or carried out restarts
  the 30 years (§ 212 Abs. 1 Nr. 2 BGB), so does an acknowledgement such as a part payment
  (§ 212 Abs. 1 Nr. 1 BGB). The computation is that of
  :func:`mahnwerk.domain.limitation.limitation_date` (one rule, written once).
- :func:`interest_barred_through`: interest that falls due after the title is a recurring
  payment and keeps the regular 3 years from the end of the year (§ 197 Abs. 2, §§ 195, 199
  Abs. 1 BGB); an enforcement act restarts it for the interest accrued until then (§ 212 Abs. 1
  Nr. 2 BGB, without year-end rule). The answer is the last day whose interest is time-barred.
- :func:`claim_barred_from`: the first day a claim is time-barred, knowing its titles and the
  court procedures that suspended its limitation (§ 204 Abs. 1 Nr. 3, Abs. 2 BGB). This is the
  one function the daily run (per case and vectorised) asks.

Interest of a title is written as a short text (stored as such):

- ``statutory``: the statutory default interest (§ 288 BGB) as the title says;
- ``base_plus:5``: 5 percentage points above the base rate (§ 247 BGB);
- ``fixed:7.5``: a fixed 7.5 % a year;
- ``none``: no running interest;
- ``per_claim``: only on a title with :attr:`Title.claims`, whose parts carry their own interest
  (a Vollstreckungsbescheid over several invoices with different interest start dates).

>>> t = Title("vollstreckungsbescheid", "AG Hünfeld", "26-1234567-0-1", date(2026, 3, 2),
...     date(2026, 3, 17), Decimal("1250.00"), date(2025, 11, 1), "base_plus:5", Decimal("71.80"))
>>> validate_title(t)
[]
>>> title_limitation(t.final).last_day_not_barred
datetime.date(2056, 3, 17)
>>> title_limitation(t.final, enforcement_acts=[date(2040, 5, 10)]).last_day_not_barred
datetime.date(2070, 5, 10)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from mahnwerk.domain.limitation import (
    LimitationEvent,
    LimitationResult,
    acknowledgement,
    add_years,
    dunning_order_served,
    dunning_procedure_ended,
    enforcement,
    limitation_date,
    title_final,
)
from mahnwerk.domain.money import ZERO

__all__ = [
    "INTEREST_YEARS_AFTER_TITLE",
    "NO_COURT_FACTS",
    "CourtFacts",
    "CourtSuspension",
    "Title",
    "TitleCover",
    "TitleKind",
    "TitledClaim",
    "case_barred_from",
    "claim_barred_from",
    "format_interest",
    "interest_barred_through",
    "parse_interest",
    "title_limitation",
    "validate_title",
]

#: § 197 Abs. 2 with § 195 BGB: interest falling due after the title.
INTEREST_YEARS_AFTER_TITLE = 3
ONE_DAY = timedelta(days=1)


class TitleKind(StrEnum):
    """The kinds of title mahnwerk records (§ 197 Abs. 1 Nr. 3 and 4 BGB, § 794 ZPO)."""

    VOLLSTRECKUNGSBESCHEID = "vollstreckungsbescheid"
    URTEIL = "urteil"
    VERGLEICH = "vergleich"
    NOTARIELLE_URKUNDE = "notarielle_urkunde"


TITLE_KIND_TEXT = {
    TitleKind.VOLLSTRECKUNGSBESCHEID: "Vollstreckungsbescheid",
    TitleKind.URTEIL: "Urteil",
    TitleKind.VERGLEICH: "Vergleich",
    TitleKind.NOTARIELLE_URKUNDE: "notarielle Urkunde",
}

_INTEREST_KINDS = ("statutory", "none", "per_claim")
_INTEREST_RATED = ("base_plus", "fixed")


def parse_interest(text: str) -> tuple[str, Decimal | None]:
    """The interest of a title as (kind, value); ``ValueError`` names what is wrong.

    >>> parse_interest("base_plus:5"), parse_interest("fixed:7.50"), parse_interest("statutory")
    (('base_plus', Decimal('5')), ('fixed', Decimal('7.50')), ('statutory', None))
    >>> parse_interest("fixed:-1")
    Traceback (most recent call last):
    ...
    ValueError: Zinssatz 'fixed:-1': der Wert muss zwischen 0 und 100 liegen
    """
    raw = text.strip()
    if raw in _INTEREST_KINDS:
        return raw, None
    kind, sep, value = raw.partition(":")
    if not sep or kind not in _INTEREST_RATED:
        raise ValueError(
            f"Zinssatz {text!r}: erlaubt sind statutory, none, base_plus:PUNKTE, fixed:SATZ"
        )
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"Zinssatz {text!r}: {value!r} ist keine Zahl") from exc
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(f"Zinssatz {text!r}: der Wert muss zwischen 0 und 100 liegen")
    return kind, number


def format_interest(text: str) -> str:
    """The interest in German words.

    >>> format_interest("base_plus:5"), format_interest("fixed:7.5")
    ('5 Prozentpunkte über dem Basiszinssatz', '7,5 % jährlich')
    """
    kind, value = parse_interest(text)
    if kind == "statutory":
        return "gesetzliche Verzugszinsen (§ 288 BGB)"
    if kind == "none":
        return "keine laufenden Zinsen"
    if kind == "per_claim":
        return "je Forderung verschieden"
    number = format(value, "f").replace(".", ",")
    if kind == "base_plus":
        return f"{number} Prozentpunkte über dem Basiszinssatz"
    return f"{number} % jährlich"


@dataclass(frozen=True)
class TitledClaim:
    """One titled claim of a title over several claims, with its own interest."""

    claim: str  # the claim's reference (invoice number)
    principal: Decimal
    interest_from: date | None
    interest: str = "none"


@dataclass(frozen=True)
class Title:
    """An enforceable title (Vollstreckungstitel) as issued.

    ``issued`` is the day of issue (Erlass / Verkündung / Beurkundung); ``final`` the day the
    title became final (Rechtskraft; ``None`` while it is not, e.g. during the Einspruch
    period or after an Einspruch). ``principal`` is the titled main claim, ``interest_from``
    and ``interest`` its running interest (see the module docstring),
    ``interest_amount`` interest titled as an amount (ausgerechnete Zinsen), ``costs`` the
    titled costs (court costs, fees, Nebenforderungen). ``claims`` optionally breaks the title
    down per claim; then the principal is their sum.
    """

    kind: str
    court: str
    file_number: str
    issued: date
    final: date | None
    principal: Decimal
    interest_from: date | None = None
    interest: str = "none"
    costs: Decimal = ZERO
    interest_amount: Decimal = ZERO
    claims: tuple[TitledClaim, ...] = field(default=())

    def interest_lines(self) -> tuple[TitledClaim, ...]:
        """The running interest as lines (principal, from, interest): the parts of a title
        over several claims, else one line for the whole principal."""
        if self.claims:
            return self.claims
        return (TitledClaim("", self.principal, self.interest_from, self.interest),)


def validate_title(title: Title) -> list[str]:
    """Every problem of a title, in German (empty: fine).

    >>> t = Title("urteil", "", "", date(2026, 3, 2), date(2026, 3, 1), Decimal("-1"),
    ...     None, "fixed:x")
    >>> for p in validate_title(t): print(p)
    Gericht fehlt
    Aktenzeichen fehlt
    Rechtskraft (01.03.2026) vor Erlass (02.03.2026)
    Hauptforderung muss größer als 0 sein
    Zinssatz 'fixed:x': 'x' ist keine Zahl
    """
    problems: list[str] = []
    if title.kind not in TitleKind.__members__.values():
        kinds = ", ".join(k.value for k in TitleKind)
        problems.append(f"unbekannte Titelart {title.kind!r} ({kinds})")
    if not title.court.strip():
        problems.append("Gericht fehlt")
    if not title.file_number.strip():
        problems.append("Aktenzeichen fehlt")
    if title.final is not None and title.final < title.issued:
        problems.append(
            f"Rechtskraft ({title.final:%d.%m.%Y}) vor Erlass ({title.issued:%d.%m.%Y})"
        )
    if title.principal <= 0:
        problems.append("Hauptforderung muss größer als 0 sein")
    if title.costs < 0 or title.interest_amount < 0:
        problems.append("Kosten und ausgerechnete Zinsen dürfen nicht negativ sein")
    problems.extend(_interest_problems(title.interest, title.interest_from))
    if title.interest == "per_claim" and not title.claims:
        problems.append("Zinsen 'per_claim' nur mit Aufteilung nach Forderungen")
    if title.claims:
        total = sum((c.principal for c in title.claims), ZERO)
        if total != title.principal:
            problems.append(
                f"Summe der Forderungen ({total}) ungleich Hauptforderung ({title.principal})"
            )
        for part in title.claims:
            if part.interest == "per_claim":
                problems.append(f"Forderung {part.claim}: Zinsen 'per_claim' nicht erlaubt")
            else:
                problems.extend(
                    f"Forderung {part.claim}: {p}"
                    for p in _interest_problems(part.interest, part.interest_from)
                )
    return problems


def _interest_problems(interest: str, since: date | None) -> list[str]:
    try:
        kind, _ = parse_interest(interest)
    except ValueError as exc:
        return [str(exc)]
    if kind in ("statutory", *_INTEREST_RATED) and since is None:
        return ["Zinsbeginn fehlt"]
    return []


# ------------------------------------------------------------------------ limitation


def title_limitation(
    final: date,
    enforcement_acts: Iterable[date] = (),
    acknowledgements: Iterable[date] = (),
) -> LimitationResult:
    """Limitation of the titled claim (30 years from Rechtskraft, restarted by enforcement
    acts and acknowledgements after it), with the German explanation in ``steps``.

    >>> r = title_limitation(date(2026, 3, 17), acknowledgements=[date(2031, 1, 9)])
    >>> r.last_day_not_barred, r.rule
    (datetime.date(2061, 1, 9), 'restart_acknowledgement')
    >>> title_limitation(date(2026, 3, 17), [date(2020, 1, 1)]).last_day_not_barred
    datetime.date(2056, 3, 17)
    """
    events: list[LimitationEvent] = [title_final(final)]
    events.extend(enforcement(d) for d in enforcement_acts if d >= final)
    events.extend(acknowledgement(d) for d in acknowledgements if d > final)
    return limitation_date(final, events)


def _interest_end(accrued: date, acts: Sequence[date]) -> date:
    """Last day on which the interest accrued on ``accrued`` is not time-barred."""
    end = date(accrued.year + INTEREST_YEARS_AFTER_TITLE, 12, 31)
    for act in acts:  # sorted
        if accrued <= act <= end:
            end = max(end, add_years(act, INTEREST_YEARS_AFTER_TITLE))
    return end


def interest_barred_through(
    final: date, on: date, enforcement_acts: Iterable[date] = ()
) -> date | None:
    """The last day whose interest (falling due after the title became final on ``final``) is
    time-barred on ``on`` (§ 197 Abs. 2 BGB); ``None`` if none is.

    Interest accrues day by day from ``final``; that of year *Y* is barred from 1 January
    *Y* + 4 (§§ 195, 199 Abs. 1 BGB). An enforcement act on day *a* restarts the three years
    for the interest accrued until *a* (new end: *a* + 3 years, § 212 Abs. 1 Nr. 2 BGB). The
    end is monotone in the accrual day, so the barred interest is always a first stretch.

    >>> final = date(2026, 3, 17)
    >>> interest_barred_through(final, date(2029, 12, 31)) is None
    True
    >>> interest_barred_through(final, date(2030, 1, 1))
    datetime.date(2026, 12, 31)
    >>> interest_barred_through(final, date(2032, 7, 1), [date(2029, 6, 1)])
    datetime.date(2028, 12, 31)
    >>> interest_barred_through(final, date(2033, 1, 1), [date(2029, 6, 1)])
    datetime.date(2029, 12, 31)
    """
    acts = sorted(enforcement_acts)
    if on <= final or on <= _interest_end(final, acts):
        return None
    low, high = final, on - ONE_DAY  # low is barred; find the last barred day
    while low < high:
        middle = low + timedelta(days=(high - low).days // 2 + 1)
        if on > _interest_end(middle, acts):
            low = middle
        else:
            high = middle - ONE_DAY
    return low


# --------------------------------------------------------------- the daily run's question


@dataclass(frozen=True)
class CourtSuspension:
    """A court dunning procedure as it bears on limitation (§ 204 Abs. 1 Nr. 3, Abs. 2 BGB).

    ``start`` is the first suspended day: the day the Mahnbescheid was applied for when it
    was served (service "demnächst" relates back to the filing, § 167 ZPO), ``None`` when it
    was never served (no Hemmung). ``ended`` is the day the procedure ended (withdrawn, lapsed
    under § 701 ZPO, decided, or its last procedural act); ``None`` while it runs. The
    suspension ends six months after ``ended``.
    """

    start: date | None
    ended: date | None = None


def claim_barred_from(
    origin: date,
    acknowledgements: Iterable[date] = (),
    *,
    titles: Iterable[tuple[date | None, Sequence[date]]] = (),
    court: Iterable[CourtSuspension] = (),
) -> date | None:
    """The first day the claim is time-barred (``None``: not while a procedure runs).

    ``titles`` are the claim's titles as (day of Rechtskraft or ``None``, enforcement acts);
    a titled claim follows :func:`title_limitation` (the latest end of its titles counts; a
    title not yet final keeps the claim open), whatever its limitation was before. Otherwise
    the regular limitation from ``origin`` applies with the acknowledgements (payments) and
    the Hemmung of every served Mahnbescheid (:class:`CourtSuspension`).

    A titled claim whose last payment is four years old is still not barred:

    >>> claim_barred_from(date(2021, 5, 3), [date(2022, 1, 10)],
    ...     titles=[(date(2022, 9, 20), ())])
    datetime.date(2052, 9, 21)
    >>> claim_barred_from(date(2021, 5, 3), [date(2022, 1, 10)])
    datetime.date(2025, 1, 11)
    >>> claim_barred_from(date(2021, 5, 3), court=[CourtSuspension(date(2024, 11, 2))]) is None
    True
    >>> claim_barred_from(date(2021, 5, 3),
    ...     court=[CourtSuspension(date(2024, 11, 2), date(2025, 2, 1))])
    datetime.date(2025, 10, 1)
    """
    acks = sorted({d for d in acknowledgements if d >= origin})
    title_list = list(titles)
    if title_list:
        ends: list[date] = []
        for final, acts in title_list:
            if final is None:
                return None
            result = title_limitation(final, acts, acks)
            if result.barred_from is None:
                return None
            ends.append(result.barred_from)
        return max(ends)
    events: list[LimitationEvent] = [acknowledgement(d) for d in acks]
    events.extend(_suspension_events(origin, court))
    return limitation_date(origin, events).barred_from


def _suspension_events(origin: date, court: Iterable[CourtSuspension]) -> list[LimitationEvent]:
    """Served procedures as Hemmung events, in date order, without overlaps (a second
    procedure starting while the first still runs extends nothing by itself)."""
    events: list[LimitationEvent] = []
    open_until: date | None = None  # end day of the last procedure taken; None: still open
    taken = False
    for s in sorted(
        (s for s in court if s.start is not None), key=lambda s: (s.start or origin, s.ended)
    ):
        assert s.start is not None
        start = max(s.start, origin)
        if taken and (open_until is None or start <= open_until):
            continue  # overlaps the previous one: that one already suspends
        events.append(dunning_order_served(start))
        taken = True
        open_until = None if s.ended is None else max(s.ended, start)
        if open_until is not None:
            events.append(dunning_procedure_ended(open_until))
        else:
            break
    return events


@dataclass(frozen=True)
class TitleCover:
    """What limitation needs of a title: the claims it covers (``None``: every claim of the
    case), the day it became final and the enforcement acts against it."""

    claim_ids: frozenset[int] | None
    final: date | None
    enforcement_acts: tuple[date, ...] = ()

    def covers(self, claim_id: int) -> bool:
        return self.claim_ids is None or claim_id in self.claim_ids


@dataclass(frozen=True)
class CourtFacts:
    """A case's titles and court procedures, as the daily run needs them."""

    titles: tuple[TitleCover, ...] = ()
    court: tuple[CourtSuspension, ...] = ()
    #: a court dunning procedure is running (see ``domain.court.RUNNING_STATES``)
    running: bool = False

    def titles_of(self, claim_id: int) -> list[tuple[date | None, Sequence[date]]]:
        return [(t.final, t.enforcement_acts) for t in self.titles if t.covers(claim_id)]

    def titled(self, claim_ids: Iterable[int]) -> bool:
        """Every claim is covered by a title (then no pre-court step applies any more)."""
        ids = list(claim_ids)
        return bool(ids) and all(any(t.covers(i) for t in self.titles) for i in ids)


NO_COURT_FACTS = CourtFacts()


def case_barred_from(
    claims: Iterable[tuple[int, date]],
    acknowledgements: Iterable[date],
    facts: CourtFacts = NO_COURT_FACTS,
) -> date | None:
    """The first day a claim of the case is time-barred: the earliest
    :func:`claim_barred_from` over the claims (id, origin); ``None`` if none is.

    >>> facts = CourtFacts(titles=(TitleCover(frozenset({1}), date(2022, 9, 20)),))
    >>> case_barred_from([(1, date(2021, 5, 3)), (2, date(2021, 6, 1))], [date(2022, 1, 10)],
    ...     facts)
    datetime.date(2025, 1, 11)
    """
    acks = sorted(set(acknowledgements))
    firsts: list[date] = []
    for claim_id, origin in claims:
        barred = claim_barred_from(
            origin, acks, titles=facts.titles_of(claim_id), court=facts.court
        )
        if barred is not None:
            firsts.append(barred)
    return min(firsts) if firsts else None
