"""Payment plans from affordability: what a debtor can pay each month and keep paying.

German terms: *Ratenzahlung* (payment plan), *Unterhaltspflichten* (dependants),
*pfandfreier Betrag* (the § 850c ZPO allowance), *Einigungsgebühr* (agreement fee).

From what the debtor states (net income, dependants, rent, other fixed costs) the monthly
**capacity** is the smaller of two caps, rounded down to whole euros:

1. **The law's cap (§ 850c ZPO).** The instalment never reaches into the allowance a court
   would leave the debtor on a garnishment of that income (the table of the day, through
   :mod:`mahnwerk.domain.garnishment`), and leaves a ``margin`` on top:
   ``garnishable − margin``.
2. **The budget's cap.** After rent, other fixed costs and the living costs of the debtor and
   the dependants (an assumption of the agency, :class:`Budget`; not a legal figure) the
   ``margin`` stays free as well: ``income − rent − fixed costs − living costs − margin``.

From the capacity and the amount open today :func:`propose` builds three plans within the
creditor's limits (:class:`PlanLimits`), each with even instalments in whole euros and a
smaller last one:

* the **proposal**: the fastest plan the capacity allows (``ceil(open / capacity)`` months);
* a **shorter** one (a month less: above the capacity, for a debtor whose figures leave more);
* a **longer** one (half as many months again, never below the creditor's minimum instalment).

Each says whether it is affordable and whether it is within the creditor's limits (then it
may be agreed at once; otherwise a person decides). :func:`check_plan` is the one check of a
plan or promise, wherever it is entered (portal, agent, assistant): every problem at once,
each tied to its form field.

The § 13a Abs. 3 RDG notice (:func:`cost_notice`) values the agreement fee (VV 1000 Nr. 2
RVG, 0.7 on 50 % of the claim, § 31b RVG) on what is still open of the main claim: interest
and costs are *Nebenforderungen* and do not count while principal is open (§ 23 Abs. 1 RVG
with § 43 Abs. 1 GKG); when only they are left, their amount counts, at most the principal
(§ 43 Abs. 2 GKG).

A worked example (July 2026 table; single, 2,400 € net, 750 € rent, 250 € fixed costs,
margin 50 €, living costs 600 €): 70 % of the 812.60 € above the allowance of 1,587.40 € are
garnishable, 568.82 €, so the law's cap is 518.82 €; the budget's cap is
2,400 − 750 − 250 − 600 − 50 = 750 €; so 518 € a month. 1,800 € open give 4 instalments of
450 € (the shorter plan 3 × 600 €, the longer 6 × 300 €):

>>> f = Finances(Decimal("2400"), 0, Decimal("750"), Decimal("250"))
>>> offer = propose(f, Decimal("1800.00"), PlanLimits(12, Decimal("25")),
...                 date(2026, 8, 1), date(2026, 7, 20))
>>> offer.capacity.instalment, offer.capacity.binding
(Decimal('518'), 'garnishment')
>>> [(o.count, o.instalment, o.affordable) for o in offer.options]
[(4, Decimal('450'), True), (3, Decimal('600'), False), (6, Decimal('300'), True)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from mahnwerk.domain.fees import FeeBreakdown, agreement_fee
from mahnwerk.domain.garnishment import garnishable
from mahnwerk.domain.limitation import add_months
from mahnwerk.domain.money import ZERO, format_eur

__all__ = [
    "MAX_START_DAYS",
    "Budget",
    "Capacity",
    "CostNotice",
    "Finances",
    "Offer",
    "PlanLimits",
    "PlanOption",
    "Problem",
    "affordable_capacity",
    "agreement_value",
    "check_finances",
    "check_plan",
    "cost_notice",
    "plan_option",
    "propose",
]

#: The first instalment of a plan agreed without a person is due within this many days.
MAX_START_DAYS = 30
#: Amounts a form may state; anything above is a typing error, not a budget.
MAX_STATED = Decimal("1000000")
MAX_DEPENDANTS_STATED = 20
EURO = Decimal("1")


@dataclass(frozen=True)
class Finances:
    """What the debtor states, per month: net income (``Nettoeinkommen``), the number of
    persons they pay maintenance to (``Unterhaltspflichten``), rent (``Warmmiete``) and the
    other fixed costs (energy, insurance, other loans, …)."""

    net_income: Decimal
    dependants: int
    rent: Decimal
    fixed_costs: Decimal


@dataclass(frozen=True)
class Budget:
    """The agency's assumptions (settings, not law): the margin left free above both caps and
    the monthly living costs besides rent and fixed costs (food, clothing, household) of the
    debtor and of each dependant."""

    margin: Decimal = Decimal("50.00")
    living_costs: Decimal = Decimal("600.00")
    living_costs_per_dependant: Decimal = Decimal("300.00")


@dataclass(frozen=True)
class PlanLimits:
    """The creditor's limits for a plan agreed without a person."""

    max_months: int
    min_instalment: Decimal

    def minimum_for(self, owed: Decimal) -> Decimal:
        """The minimum instalment, never above what is owed (a smaller debt is paid at once).

        >>> PlanLimits(12, Decimal("25.00")).minimum_for(Decimal("18.40"))
        Decimal('18.40')
        """
        return min(self.min_instalment, owed)


@dataclass(frozen=True)
class Problem:
    """A refused input: the form field it belongs to, a stable code, the German text and the
    values in it (for the same message in another language)."""

    field: str
    code: str
    text: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Capacity:
    """The monthly amount the debtor can pay and keep paying, and how it was found."""

    finances: Finances
    on: date
    garnishable: Decimal
    allowance: Decimal
    legal_cap: Decimal
    budget_cap: Decimal
    instalment: Decimal
    binding: str  # "garnishment" or "budget"
    table_from: date
    table_source: str

    def explain(self) -> str:
        """The capacity in German sentences, for the agent and the debtor.

        >>> c = affordable_capacity(Finances(Decimal("2000"), 1, Decimal("700"), Decimal("200")),
        ...                         date(2026, 7, 20), Budget())
        >>> print(c.explain())
        Von 2.000,00 € netto sind bei 1 Unterhaltspflicht nach § 850c ZPO 0,00 € pfändbar (Tabelle ab 01.07.2026); der Rest bleibt Ihnen. Nach Miete, Fixkosten und Lebenshaltung bleiben 200,00 €. Abzüglich 50,00 € Reserve sind im Monat 0,00 € möglich.
        """  # noqa: E501
        f = self.finances
        persons = "Unterhaltspflicht" if f.dependants == 1 else "Unterhaltspflichten"
        return (
            f"Von {format_eur(f.net_income)} netto sind bei {f.dependants} {persons} nach "
            f"§ 850c ZPO {format_eur(self.garnishable)} pfändbar (Tabelle ab "
            f"{self.table_from:%d.%m.%Y}); der Rest bleibt Ihnen. Nach Miete, Fixkosten und "
            f"Lebenshaltung bleiben {format_eur(max(ZERO, self.free_after_costs))}. Abzüglich "
            f"{format_eur(self.margin)} Reserve sind im Monat {format_eur(self.instalment)} "
            "möglich."
        )

    @property
    def margin(self) -> Decimal:
        return self.garnishable - self.legal_cap

    @property
    def free_after_costs(self) -> Decimal:
        """Income after rent, fixed costs and living costs (before the margin)."""
        return self.budget_cap + self.margin


def _parse_problem(name: str, value: Decimal | None, limit: Decimal) -> Problem | None:
    if value is None:
        return Problem(name, "missing", "Bitte einen Betrag angeben, z. B. 1.850,00.")
    if not value.is_finite() or value < 0:
        return Problem(name, "negative", "Der Betrag darf nicht negativ sein.")
    if value >= limit:
        return Problem(name, "too_large", "Der Betrag ist zu groß.")
    if value != value.quantize(Decimal("0.01")):
        return Problem(name, "cents", "Höchstens zwei Nachkommastellen.")
    return None


def check_finances(
    net_income: Decimal | None,
    dependants: int | None,
    rent: Decimal | None,
    fixed_costs: Decimal | None,
) -> list[Problem]:
    """Every problem of stated finances at once (``None`` = not given or not a number).

    >>> [p.field for p in check_finances(None, -1, Decimal("700"), Decimal("-5"))]
    ['net_income', 'dependants', 'fixed_costs']
    """
    problems = [
        p
        for p in (
            _parse_problem("net_income", net_income, MAX_STATED),
            None
            if dependants is not None and 0 <= dependants <= MAX_DEPENDANTS_STATED
            else Problem(
                "dependants",
                "dependants",
                f"Bitte eine ganze Zahl von 0 bis {MAX_DEPENDANTS_STATED} angeben.",
                (("max", str(MAX_DEPENDANTS_STATED)),),
            ),
            _parse_problem("rent", rent, MAX_STATED),
            _parse_problem("fixed_costs", fixed_costs, MAX_STATED),
        )
        if p is not None
    ]
    return problems


def affordable_capacity(finances: Finances, on: date, budget: Budget) -> Capacity:
    """The monthly capacity on ``on`` (the § 850c table valid that day).

    Worked example (July 2026 table: allowance 1,587.40 € + 597.42 € for the first and
    332.83 € for each further dependant, 40 % of the excess garnishable with two): 3,100 €
    net, two children, 900 € rent, 300 € fixed costs. The table income 3,100 exceeds the
    allowance 2,517.65 by 582.35, of which 40 % = 232.94 € are garnishable; minus the margin
    182.94 €. The budget leaves 3,100 − 900 − 300 − 600 − 2 × 300 − 50 = 650 €. So 182 €.

    >>> c = affordable_capacity(Finances(Decimal("3100"), 2, Decimal("900"), Decimal("300")),
    ...                         date(2026, 7, 20), Budget())
    >>> c.garnishable, c.legal_cap, c.budget_cap, c.instalment
    (Decimal('232.94'), Decimal('182.94'), Decimal('650.00'), Decimal('182'))
    """
    g = garnishable(finances.net_income, finances.dependants, on)
    living = budget.living_costs + budget.living_costs_per_dependant * finances.dependants
    legal_cap = g.garnishable - budget.margin
    budget_cap = finances.net_income - finances.rent - finances.fixed_costs - living - budget.margin
    cap = min(legal_cap, budget_cap)
    instalment = max(ZERO, cap).to_integral_value(rounding=ROUND_FLOOR)
    return Capacity(
        finances=finances,
        on=on,
        garnishable=g.garnishable,
        allowance=g.exempt,
        legal_cap=legal_cap,
        budget_cap=budget_cap,
        instalment=instalment,
        binding="garnishment" if legal_cap <= budget_cap else "budget",
        table_from=g.valid_from,
        table_source=g.source,
    )


# ------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanOption:
    """One plan: ``count`` monthly instalments of ``instalment`` from ``start``, the last
    one ``last_instalment`` (what remains)."""

    label: str  # proposal, shorter, longer
    instalment: Decimal
    count: int
    last_instalment: Decimal
    start: date
    end: date
    total: Decimal
    affordable: bool
    problems: tuple[Problem, ...] = field(default=())

    @property
    def within_limits(self) -> bool:
        return not self.problems


def _even_instalment(total: Decimal, months: int) -> Decimal:
    """``total / months`` rounded up to whole euros, never above ``total``."""
    return min(total, (total / months).to_integral_value(rounding=ROUND_CEILING))


def plan_option(
    label: str,
    total: Decimal,
    instalment: Decimal,
    start: date,
    limits: PlanLimits,
    capacity: Decimal | None,
    today: date,
) -> PlanOption:
    """The plan of ``instalment`` a month on ``total`` from ``start``, with its problems.

    >>> o = plan_option("proposal", Decimal("100.00"), Decimal("30"), date(2026, 8, 1),
    ...                 PlanLimits(12, Decimal("25")), Decimal("40"), date(2026, 7, 20))
    >>> o.count, o.last_instalment, o.end, o.within_limits
    (4, Decimal('10.00'), datetime.date(2026, 11, 1), True)
    """
    count = int((total / instalment).to_integral_value(rounding=ROUND_CEILING))
    count = max(count, 1)
    last = total - instalment * (count - 1)
    problems = check_plan(instalment, count, start, total, limits, today)
    return PlanOption(
        label=label,
        instalment=instalment,
        count=count,
        last_instalment=last,
        start=start,
        end=add_months(start, count - 1),
        total=total,
        affordable=capacity is not None and instalment <= capacity,
        problems=tuple(problems),
    )


def check_plan(
    instalment: Decimal,
    count: int,
    start: date,
    owed: Decimal,
    limits: PlanLimits,
    today: date,
    *,
    max_start_days: int | None = MAX_START_DAYS,
) -> list[Problem]:
    """Every problem of a plan (``count`` > 1) or promise (``count`` = 1) at once, with the
    field it belongs to (``amount``, ``count``, ``start``): the first due date not in the
    past (and, where ``max_start_days`` is given, not later than that), the instalment above
    zero and not above what is owed, at least the creditor's minimum (never above what is
    owed), and no more months than the creditor allows.

    >>> limits = PlanLimits(12, Decimal("25.00"))
    >>> [(p.field, p.code) for p in check_plan(Decimal("900"), 14, date(2026, 7, 1),
    ...                                        Decimal("800.00"), limits, date(2026, 7, 20))]
    [('start', 'start_past'), ('amount', 'above_owed'), ('count', 'max_months')]
    >>> [p.code for p in check_plan(Decimal("20"), 2, date(2026, 7, 20), Decimal("40.00"),
    ...                             limits, date(2026, 7, 20))]
    ['min_instalment']
    >>> check_plan(Decimal("18.40"), 1, date(2026, 7, 20), Decimal("18.40"), limits,
    ...            date(2026, 7, 20))
    []
    """
    problems: list[Problem] = []
    if start < today:
        problems.append(
            Problem("start", "start_past", "Die erste Rate darf nicht in der Vergangenheit liegen.")
        )
    elif max_start_days is not None and start > today + timedelta(days=max_start_days):
        problems.append(
            Problem(
                "start",
                "start_range",
                f"Die erste Rate muss in den nächsten {max_start_days} Tagen liegen.",
                (("days", str(max_start_days)),),
            )
        )
    minimum = limits.minimum_for(owed)
    if instalment <= 0:
        problems.append(Problem("amount", "amount", "Die Rate muss größer als 0 sein."))
    elif instalment > owed:
        problems.append(
            Problem(
                "amount",
                "above_owed",
                f"Die Rate ist höher als der offene Betrag von {format_eur(owed)}.",
                (("owed", format_eur(owed)),),
            )
        )
    elif instalment < minimum:
        problems.append(
            Problem(
                "amount",
                "min_instalment",
                f"Die Rate muss mindestens {format_eur(minimum)} betragen (Vorgabe des Mandanten).",
                (("min", format_eur(minimum)),),
            )
        )
    if count < 1:
        problems.append(Problem("count", "count", "Mindestens eine Rate."))
    elif count > limits.max_months:
        problems.append(
            Problem(
                "count",
                "max_months",
                f"Höchstens {limits.max_months} Monatsraten (Vorgabe des Mandanten).",
                (("months", str(limits.max_months)),),
            )
        )
    elif count > 1 and instalment > 0 and instalment * (count - 1) >= owed:
        problems.append(
            Problem(
                "count",
                "too_many",
                f"Schon {count - 1} Raten zu {format_eur(instalment)} decken den offenen "
                f"Betrag von {format_eur(owed)}.",
                (
                    ("n", str(count - 1)),
                    ("amount", format_eur(instalment)),
                    ("owed", format_eur(owed)),
                ),
            )
        )
    return problems


# ------------------------------------------------------------------------ cost notice


def agreement_value(principal_open: Decimal, side_open: Decimal, principal: Decimal) -> Decimal:
    """The claim the agreement is about, for the fee (before § 31b RVG halves it): what is
    open of the main claim; interest and costs (``side_open``) count only when no principal
    is open any more, then at most the principal (§ 43 GKG with § 23 Abs. 1 RVG).

    >>> agreement_value(Decimal("600.00"), Decimal("95.40"), Decimal("1000.00"))
    Decimal('600.00')
    >>> agreement_value(ZERO, Decimal("95.40"), Decimal("1000.00"))
    Decimal('95.40')
    """
    if principal_open > 0:
        return principal_open
    return min(max(side_open, ZERO), principal)


@dataclass(frozen=True)
class CostNotice:
    """The § 13a Abs. 3 RDG notice: what the plan may cost, shown before it is agreed."""

    total_open: Decimal
    value: Decimal
    fee: FeeBreakdown | None
    text: str


def cost_notice(
    total_open: Decimal,
    principal_open: Decimal,
    side_open: Decimal,
    principal: Decimal,
    mandate_day: date,
) -> CostNotice:
    """The notice for a plan on ``total_open`` (everything open today), the fee valued by
    :func:`agreement_value`. Worked example: 600 € of a 1,000 € principal still open, mandate
    in July 2026: value 600 €, § 31b RVG 300 €, 1.0 fee 51.50 €, 0.7 = 36.05 €, plus 20 %
    (7.21 €) = 43.26 €.

    >>> n = cost_notice(Decimal("712.30"), Decimal("600.00"), Decimal("112.30"),
    ...                 Decimal("1000.00"), date(2026, 7, 1))
    >>> n.value, n.fee.total
    (Decimal('600.00'), Decimal('43.26'))
    >>> print(n.text)
    Ratenzahlung über insgesamt 712,30 €. Durch die Vereinbarung kann eine Einigungsgebühr (Nr. 1000 Nr. 2 VV RVG) von bis zu 43,26 € einschließlich Auslagen entstehen; ihr Wert ist die Hälfte der noch offenen Hauptforderung von 600,00 € (§ 31b RVG). Verzugszinsen auf die offene Hauptforderung laufen während der Ratenzahlung weiter.
    """  # noqa: E501
    value = agreement_value(principal_open, side_open, principal)
    text = [f"Ratenzahlung über insgesamt {format_eur(total_open)}."]
    fee: FeeBreakdown | None = None
    try:
        fee = agreement_fee(value, mandate_day)
    except ValueError:
        text.append("Für die Vereinbarung entstehen keine Gebühren.")
    else:
        basis = "Hauptforderung" if principal_open > 0 else "Zinsen und Kosten"
        text.append(
            "Durch die Vereinbarung kann eine Einigungsgebühr (Nr. 1000 Nr. 2 VV RVG) von bis "
            f"zu {format_eur(fee.total)} einschließlich Auslagen entstehen; ihr Wert ist die "
            f"Hälfte der noch offenen {basis} von {format_eur(value)} (§ 31b RVG)."
        )
    text.append(
        "Verzugszinsen auf die offene Hauptforderung laufen während der Ratenzahlung weiter."
    )
    return CostNotice(total_open=total_open, value=value, fee=fee, text=" ".join(text))


# ---------------------------------------------------------------------------- the offer


@dataclass(frozen=True)
class Offer:
    """The proposal and its alternatives for stated finances (``proposal`` is ``None`` when
    the figures leave nothing: ``reason`` says why)."""

    capacity: Capacity
    total_open: Decimal
    limits: PlanLimits
    proposal: PlanOption | None
    shorter: PlanOption | None
    longer: PlanOption | None
    reason: str | None = None

    @property
    def options(self) -> tuple[PlanOption, ...]:
        return tuple(o for o in (self.proposal, self.shorter, self.longer) if o is not None)


def propose(
    finances: Finances,
    total_open: Decimal,
    limits: PlanLimits,
    start: date,
    today: date,
    budget: Budget | None = None,
) -> Offer:
    """The plan the stated finances allow and its two alternatives (see the module).

    Worked examples (July 2026 table, the default budget, limits 12 months / 25 €):

    * 1,650 € net, single, rent 600 €: the table leaves 1,587.40 €, 70 % of the 62.60 € above
      it is 43.82 €, less than the 50 € margin: nothing. No proposal; the longest plan within
      the limits is shown, not affordable.

    >>> o = propose(Finances(Decimal("1650"), 0, Decimal("600"), ZERO), Decimal("480.00"),
    ...             PlanLimits(12, Decimal("25")), date(2026, 8, 1), date(2026, 7, 20))
    >>> o.proposal, o.reason, (o.longer.count, o.longer.instalment, o.longer.affordable)
    (None, 'no_capacity', (12, Decimal('40'), False))

    * 2,000 € net, single, rent 650 €, fixed 150 €: 0.7 × (2,000 − 1,587.40) = 288.82 €
      garnishable → 238 € a month; 480 € open: 3 × 160 € (2 × 240 € shorter, 5 × 96 € longer).

    >>> o = propose(Finances(Decimal("2000"), 0, Decimal("650"), Decimal("150")),
    ...             Decimal("480.00"), PlanLimits(12, Decimal("25")), date(2026, 8, 1),
    ...             date(2026, 7, 20))
    >>> [(x.label, x.count, x.instalment, x.last_instalment) for x in o.options]
    [('proposal', 3, Decimal('160'), Decimal('160.00')), ('shorter', 2, Decimal('240'), Decimal('240.00')), ('longer', 5, Decimal('96'), Decimal('96.00'))]
    """  # noqa: E501
    if total_open <= 0:
        raise ValueError("nothing is open")
    cap = affordable_capacity(finances, today, budget or Budget())
    c = cap.instalment

    def option(label: str, months: int) -> PlanOption:
        return plan_option(
            label, total_open, _even_instalment(total_open, months), start, limits, c, today
        )

    longest = _longest_within(total_open, limits)
    if c < EURO:
        return Offer(
            cap, total_open, limits, None, None, option("longer", longest), reason="no_capacity"
        )
    fastest = int((total_open / c).to_integral_value(rounding=ROUND_CEILING))
    proposal = option("proposal", fastest)
    shorter = option("shorter", proposal.count - 1) if proposal.count > 1 else None
    target = (3 * proposal.count + 1) // 2  # half as many months again, rounded up
    months = min(target, longest) if longest > proposal.count else target
    longer: PlanOption | None = option("longer", months) if months > proposal.count else None
    if longer is not None and longer.count == proposal.count:
        longer = None
    return Offer(cap, total_open, limits, proposal, shorter, longer)


def _longest_within(total: Decimal, limits: PlanLimits) -> int:
    """The most months the limits allow: at most ``max_months``, each instalment at least
    the minimum (never more months than whole minimum instalments fit in the total)."""
    minimum = limits.minimum_for(total)
    fit = int((total / minimum).to_integral_value(rounding=ROUND_FLOOR)) if minimum > 0 else 1
    return max(1, min(limits.max_months, fit))
