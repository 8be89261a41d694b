"""Fees: lawyer's fees (RVG), agency fees (§ 13e RDG) and the dunning court fee (GKG).

German terms: *Wertgebühr* (§ 13 RVG, § 34 GKG), *Geschäftsgebühr* (VV 2300 RVG),
*Einigungsgebühr / Zahlungsvereinbarung* (VV 1000 Nr. 2 RVG, § 31b RVG),
*Post- und Telekommunikationspauschale* (VV 7002 RVG), *Umsatzsteuer* (VV 7008 RVG),
*Gerichtsgebühr für das Mahnverfahren* (KV 1100 GKG).

Which version of the law applies:

- RVG: the version in force when the **unconditional mandate** (unbedingter Auftrag) was given,
  § 60 Abs. 1 RVG. The KostBRÄG 2025 (BGBl. 2025 I Nr. 109) changed the amounts with effect
  from 2025-06-01; the 2021 amounts (KostRÄG 2021) apply to mandates from 2021-01-01 to
  2025-05-31. Earlier mandates are not covered and raise :class:`ValueError`.
- GKG: the version in force when the proceeding became pending (Anhängigkeit), § 71 Abs. 1 GKG;
  for the dunning procedure that is the day the Mahnantrag reached the court.

Every fee schedule is a small strategy (:class:`FeeSchedule`) registered under a stable name
(``"rvg2021"``, ``"rvg2025"``, ``"gkg2021"``, ``"gkg2025"``) and chosen by date unless a name is
given. The 1.0 fee is computed with the step formula of § 13 Abs. 1 RVG / § 34 Abs. 1 GKG, so
values above 500,000 EUR work; the tests check it against every row of the official tables
(Anlage 2 RVG / Anlage 2 GKG) in :mod:`mahnwerk.reference`.

>>> rvg_fee(Decimal("1000.00"), date(2025, 6, 1))
Decimal('93.00')
>>> rvg_fee(Decimal("1000.00"), date(2025, 5, 31))
Decimal('88.00')
>>> gkg_fee(Decimal("1500.00"), date(2025, 7, 1))
Decimal('82.00')
>>> dunning_court_fee(Decimal("1500.00"), date(2025, 7, 1)).amount
Decimal('41.00')
>>> agency_fee(Decimal("1000.00"), date(2025, 7, 1), factor=Decimal("0.5")).net
Decimal('55.80')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from mahnwerk.domain.money import ZERO, format_eur, round_cents

__all__ = [
    "AGENCY_FACTORS",
    "FEE_SCHEDULES",
    "KV1100_MINIMUM_2021",
    "KV1100_MINIMUM_2025_UNVERIFIED",
    "STRATEGY_AGENCY_FACTORS",
    "CourtFee",
    "FeeBreakdown",
    "FeeLine",
    "FeeSchedule",
    "Step",
    "agency_fee",
    "agreement_fee",
    "dunning_court_fee",
    "gkg_fee",
    "gkg_schedule",
    "rvg_fee",
    "rvg_schedule",
]

#: § 13 Abs. 3 RVG and § 34 Abs. 2 S. 1 GKG: "Der Mindestbetrag einer Gebühr ist 15 Euro."
MINIMUM_FEE = Decimal("15.00")

#: VV 7002 RVG: 20 % of the fees, at most 20.00 EUR per Angelegenheit.
EXPENSE_RATE = Decimal("0.20")
EXPENSE_CAP = Decimal("20.00")

#: VV 2300 Anm. Abs. 2 RVG (undisputed Inkasso claim) with § 13e Abs. 1 RDG: in simple cases
#: only 0.5 (a claim paid within two weeks of the first payment request is simple as a rule),
#: otherwise at most 0.9; more only if the work was particularly extensive or difficult, at
#: most 1.3. Any factor in steps of 0.1 up to these limits may be charged (less than the law
#: allows is always allowed).
SIMPLE_CASE_FACTOR = Decimal("0.5")
REGULAR_MAX_FACTOR = Decimal("0.9")
EXCEPTIONAL_MAX_FACTOR = Decimal("1.3")
FACTOR_STEP = Decimal("0.1")


def _factor_reason(factor: Decimal) -> str:
    if factor <= SIMPLE_CASE_FACTOR:
        return "einfacher Fall (Zahlung binnen zwei Wochen nach erster Zahlungsaufforderung)"
    if factor <= REGULAR_MAX_FACTOR:
        return "Regelfall (unbestrittene Forderung), höchstens 0,9"
    return "nur wenn die Inkassodienstleistung besonders umfangreich oder besonders schwierig war"


#: Every factor of the Geschäftsgebühr an undisputed Inkasso claim allows, with its condition.
AGENCY_FACTORS: dict[Decimal, str] = {
    FACTOR_STEP * n: _factor_reason(FACTOR_STEP * n) for n in range(1, 14)
}
#: The factors a dunning strategy may charge on its own: nothing above 0.9, because whether
#: the work was particularly extensive or difficult is for a person to judge.
STRATEGY_AGENCY_FACTORS: tuple[Decimal, ...] = tuple(
    f for f in AGENCY_FACTORS if f <= REGULAR_MAX_FACTOR
)


def effective_agency_factor(factor: Decimal, first_demand: date | None, today: date) -> Decimal:
    """The factor a strategy may charge today: above 0.5 only when the claim was not paid
    within two weeks after the first payment request (VV 2300 Anm. Abs. 2 S. 2 RVG), i.e. at
    the earliest 15 days after it; capped at 0.9.

    >>> effective_agency_factor(Decimal("0.9"), date(2026, 3, 2), date(2026, 3, 16))
    Decimal('0.5')
    >>> effective_agency_factor(Decimal("0.9"), date(2026, 3, 2), date(2026, 3, 17))
    Decimal('0.9')
    """
    factor = min(factor, REGULAR_MAX_FACTOR)
    if factor > SIMPLE_CASE_FACTOR and (
        first_demand is None or (today - first_demand).days <= SIMPLE_CASE_DAYS
    ):
        return SIMPLE_CASE_FACTOR
    return factor


#: VV 2300 Anm. Abs. 2 S. 2 RVG: paid within two weeks of the first payment request.
SIMPLE_CASE_DAYS = 14

#: VV 1000 Nr. 2 RVG: Einigungsgebühr for a Zahlungsvereinbarung.
AGREEMENT_FACTOR = Decimal("0.7")
#: § 31b RVG: Gegenstandswert of a Zahlungsvereinbarung = 50 % of the claim.
AGREEMENT_VALUE_SHARE = Decimal("0.50")

#: KV 1100 GKG: 0.5 fee for the Mahnbescheid.
KV1100_FACTOR = Decimal("0.5")
#: KV 1100 GKG minimum 2021-01-01 .. 2025-05-31 (confirmed by AG Uelzen, legal-facts § 5.2).
KV1100_MINIMUM_2021 = Decimal("36.00")
#: KV 1100 GKG minimum from 2025-06-01 (KostBRÄG 2025). UNVERIFIED: the KV table is not in the
#: mirrored primary text; the figure is stated by several independent software projects.
KV1100_MINIMUM_2025_UNVERIFIED = Decimal("38.00")

#: First day from which the Inkasso rules of the VVInkG (VV 2300 Anm. Abs. 2, § 13 Abs. 2 RVG,
#: VV 1000 Nr. 2 with § 31b at 50 %) are in force; earlier mandates are not covered.
INKASSO_RULES_FROM = date(2021, 10, 1)

_VAT_DEFAULT = Decimal("19")


@dataclass(frozen=True)
class Step:
    """One band of the step formula (Gebührenstufe).

    Up to ``upto`` (None = no upper limit) the fee rises by ``increment`` for every started
    ``size`` of further value.
    """

    upto: Decimal | None
    size: Decimal
    increment: Decimal


@dataclass(frozen=True)
class FeeSchedule:
    """A 1.0 fee schedule (Wertgebührentabelle) valid for a date range.

    ``base`` is the fee up to ``base_upto`` (500 EUR); each :class:`Step` adds ``increment``
    for every started ``size`` of value above the previous band's limit.
    """

    name: str
    law: str
    valid_from: date
    valid_until: date | None
    base_upto: Decimal
    base: Decimal
    steps: tuple[Step, ...]
    source: str
    #: § 13 Abs. 2 RVG: 1.0 Geschäftsgebühr for undisputed Inkasso claims up to 50 EUR (RVG only).
    inkasso_small_claim_fee: Decimal | None = None
    #: KV 1100 GKG minimum (GKG only) and whether that figure is verified.
    kv1100_minimum: Decimal | None = None
    kv1100_minimum_verified: bool = True

    def covers(self, on: date) -> bool:
        """True if the schedule is the one in force on ``on``."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def fee(self, value: Decimal) -> Decimal:
        """The 1.0 fee for a Gegenstandswert / Streitwert ``value`` (step formula).

        >>> FEE_SCHEDULES["rvg2025"].fee(Decimal("500.01"))
        Decimal('93.00')
        """
        _check_value(value)
        fee = self.base
        lower = self.base_upto
        for step in self.steps:
            if value <= lower:
                break
            top = value if step.upto is None else min(value, step.upto)
            started = ((top - lower) / step.size).to_integral_value(rounding=ROUND_CEILING)
            fee += started * step.increment
            if step.upto is None:
                break
            lower = step.upto
        return round_cents(fee)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _steps(*rows: tuple[str | None, str, str]) -> tuple[Step, ...]:
    return tuple(
        Step(None if upto is None else _d(upto), _d(size), _d(inc)) for upto, size, inc in rows
    )


_RVG_2021 = FeeSchedule(
    name="rvg2021",
    law="RVG i. d. F. des KostRÄG 2021",
    valid_from=date(2021, 1, 1),
    valid_until=date(2025, 5, 31),
    base_upto=_d("500"),
    base=_d("49.00"),
    steps=_steps(
        ("2000", "500", "39.00"),
        ("10000", "1000", "56.00"),
        ("25000", "3000", "52.00"),
        ("50000", "5000", "81.00"),
        ("200000", "15000", "94.00"),
        ("500000", "30000", "132.00"),
        (None, "50000", "165.00"),
    ),
    source="§ 13 Abs. 1 RVG a. F. (bis 31.05.2025), Anlage 2 RVG a. F.",
    inkasso_small_claim_fee=_d("30.00"),
)

_RVG_2025 = FeeSchedule(
    name="rvg2025",
    law="RVG i. d. F. des KostBRÄG 2025",
    valid_from=date(2025, 6, 1),
    valid_until=None,
    base_upto=_d("500"),
    base=_d("51.50"),
    steps=_steps(
        ("2000", "500", "41.50"),
        ("10000", "1000", "59.50"),
        ("25000", "3000", "55.00"),
        ("50000", "5000", "86.00"),
        ("200000", "15000", "99.50"),
        ("500000", "30000", "140.00"),
        (None, "50000", "175.00"),
    ),
    source="§ 13 Abs. 1 RVG i. d. F. KostBRÄG 2025 (BGBl. 2025 I Nr. 109), Anlage 2 RVG",
    inkasso_small_claim_fee=_d("31.50"),
)

_GKG_2021 = FeeSchedule(
    name="gkg2021",
    law="GKG i. d. F. des KostRÄG 2021",
    valid_from=date(2021, 1, 1),
    valid_until=date(2025, 5, 31),
    base_upto=_d("500"),
    base=_d("38.00"),
    steps=_steps(
        ("2000", "500", "20.00"),
        ("10000", "1000", "21.00"),
        ("25000", "3000", "29.00"),
        ("50000", "5000", "38.00"),
        ("200000", "15000", "132.00"),
        ("500000", "30000", "198.00"),
        (None, "50000", "198.00"),
    ),
    source="§ 34 Abs. 1 GKG a. F. (bis 31.05.2025), Anlage 2 GKG a. F.",
    kv1100_minimum=KV1100_MINIMUM_2021,
    kv1100_minimum_verified=True,
)

_GKG_2025 = FeeSchedule(
    name="gkg2025",
    law="GKG i. d. F. des KostBRÄG 2025",
    valid_from=date(2025, 6, 1),
    valid_until=None,
    base_upto=_d("500"),
    base=_d("40.00"),
    steps=_steps(
        ("2000", "500", "21.00"),
        ("10000", "1000", "22.50"),
        ("25000", "3000", "30.50"),
        ("50000", "5000", "40.50"),
        ("200000", "15000", "140.00"),
        ("500000", "30000", "210.00"),
        (None, "50000", "210.00"),
    ),
    source="§ 34 Abs. 1 GKG i. d. F. KostBRÄG 2025 (BGBl. 2025 I Nr. 109), Anlage 2 GKG",
    kv1100_minimum=KV1100_MINIMUM_2025_UNVERIFIED,
    kv1100_minimum_verified=False,
)

#: Registry of fee schedules by stable name.
FEE_SCHEDULES: dict[str, FeeSchedule] = {
    s.name: s for s in (_RVG_2021, _RVG_2025, _GKG_2021, _GKG_2025)
}
_RVG_NAMES = ("rvg2021", "rvg2025")
_GKG_NAMES = ("gkg2021", "gkg2025")


def _check_value(value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"value must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"Gegenstandswert must not be negative: {value}")


def _pick(names: tuple[str, ...], on: date, name: str | None, what: str) -> FeeSchedule:
    if name is not None:
        if name not in names:
            raise ValueError(f"unknown {what} fee schedule {name!r}; known: {', '.join(names)}")
        return FEE_SCHEDULES[name]
    for candidate in names:
        schedule = FEE_SCHEDULES[candidate]
        if schedule.covers(on):
            return schedule
    raise ValueError(
        f"{what} fees before {FEE_SCHEDULES[names[0]].valid_from.isoformat()} are not covered "
        f"(date {on.isoformat()})"
    )


def rvg_schedule(mandate_date: date, name: str | None = None) -> FeeSchedule:
    """The RVG schedule for an unconditional mandate given on ``mandate_date`` (§ 60 Abs. 1 RVG).

    >>> rvg_schedule(date(2025, 5, 31)).name, rvg_schedule(date(2025, 6, 1)).name
    ('rvg2021', 'rvg2025')
    """
    return _pick(_RVG_NAMES, mandate_date, name, "RVG")


def gkg_schedule(on: date, name: str | None = None) -> FeeSchedule:
    """The GKG schedule for a proceeding pending from ``on`` (§ 71 Abs. 1 GKG)."""
    return _pick(_GKG_NAMES, on, name, "GKG")


def rvg_fee(value: Decimal, mandate_date: date, schedule: str | None = None) -> Decimal:
    """1.0 Wertgebühr under § 13 Abs. 1 RVG for Gegenstandswert ``value``.

    >>> rvg_fee(Decimal("500.00"), date(2025, 6, 1)), rvg_fee(Decimal("500.01"), date(2025, 6, 1))
    (Decimal('51.50'), Decimal('93.00'))
    >>> rvg_fee(Decimal("600000"), date(2025, 6, 1))
    Decimal('4102.00')
    """
    return rvg_schedule(mandate_date, schedule).fee(value)


def gkg_fee(value: Decimal, on: date, schedule: str | None = None) -> Decimal:
    """1.0 Wertgebühr under § 34 Abs. 1 GKG for Streitwert ``value``.

    >>> gkg_fee(Decimal("1000.00"), date(2025, 6, 1))
    Decimal('61.00')
    >>> gkg_fee(Decimal("1000.00"), date(2025, 5, 31))
    Decimal('58.00')
    """
    return gkg_schedule(on, schedule).fee(value)


def _rated(rate: Decimal, full: Decimal) -> Decimal:
    """Fee at ``rate`` of the 1.0 fee, rounded (§ 2 Abs. 2 RVG), at least 15 EUR (§ 13 Abs. 3 RVG).

    § 13 Abs. 3 sets the minimum of "einer Gebühr" - the fee actually charged, i.e. after
    applying the Gebührensatz (e.g. 0.5 x 30.00 = 15.00; a 0.3 fee of 49.00 = 14.70 -> 15.00).
    """
    return max(MINIMUM_FEE, round_cents(rate * full))


def _expenses(fees: Decimal) -> Decimal:
    """VV 7002 RVG: 20 % of the fees, at most 20.00 EUR."""
    return min(EXPENSE_CAP, round_cents(fees * EXPENSE_RATE))


def _de_rate(rate: Decimal) -> str:
    """German form of a fee rate or percentage: ``1,3``."""
    return f"{rate.normalize():f}".replace(".", ",")


def _vat(net: Decimal, vat_rate: Decimal) -> Decimal:
    return round_cents(net * vat_rate / Decimal(100))


@dataclass(frozen=True)
class FeeLine:
    """One line of a fee calculation: VV/KV number, German label, amount."""

    code: str
    label: str
    amount: Decimal
    rate: Decimal | None = None
    value: Decimal | None = None


@dataclass(frozen=True)
class FeeBreakdown:
    """An itemised fee calculation (Gebührenberechnung) with totals.

    ``fees`` = sum of the fee lines, ``expenses`` = VV 7002, ``net`` = fees + expenses,
    ``vat`` = VV 7008 (zero if not charged), ``total`` = net + vat.
    """

    schedule: str
    claim_value: Decimal
    value: Decimal
    lines: tuple[FeeLine, ...]
    fees: Decimal
    expenses: Decimal
    vat: Decimal
    notes: tuple[str, ...] = field(default=())

    @property
    def net(self) -> Decimal:
        """Fees plus expenses, before VAT."""
        return self.fees + self.expenses

    @property
    def total(self) -> Decimal:
        """Everything the debtor may be charged for this item."""
        return self.net + self.vat


def _check_positive(claim_value: Decimal) -> None:
    _check_value(claim_value)
    if claim_value == 0:
        raise ValueError("claim value must be greater than zero")


def _check_inkasso(claim_value: Decimal, mandate_date: date) -> None:
    _check_positive(claim_value)
    if mandate_date < INKASSO_RULES_FROM:
        raise ValueError(
            "Inkasso fees for mandates before 2021-10-01 (before the VVInkG) are not covered "
            f"(mandate date {mandate_date.isoformat()})"
        )


def _check_vat_rate(vat_rate: Decimal) -> None:
    if not isinstance(vat_rate, Decimal) or not vat_rate.is_finite() or vat_rate < 0:
        raise ValueError(f"VAT rate must be a non-negative Decimal percentage, got {vat_rate!r}")


def agency_fee(
    claim_value: Decimal,
    mandate_date: date,
    factor: Decimal = Decimal("0.9"),
    vat: bool = False,
    vat_rate: Decimal = _VAT_DEFAULT,
    schedule: str | None = None,
) -> FeeBreakdown:
    """Inkassokosten a debtor may be charged: at most what a lawyer gets (§ 13e Abs. 1 RDG).

    Lines: Geschäftsgebühr VV 2300 (``factor`` x 1.0 fee; undisputed claim, Anm. Abs. 2:
    steps of 0.1 up to 1.3, see :data:`AGENCY_FACTORS`), Pauschale VV 7002 (20 % of the
    fees, max. 20 EUR), and VV 7008 VAT only if ``vat`` is True (the creditor cannot deduct
    input tax, § 13a Abs. 1 Nr. 6 RDG).
    For a Gegenstandswert up to 50 EUR the 1.0 fee is 31.50 EUR (2021 law: 30 EUR),
    § 13 Abs. 2 RVG. Minimum of the factored fee 15 EUR (§ 13 Abs. 3 RVG).

    >>> b = agency_fee(Decimal("1000.00"), date(2025, 7, 1), factor=Decimal("1.3"))
    >>> [(line.code, line.amount) for line in b.lines]
    [('VV 2300', Decimal('120.90')), ('VV 7002', Decimal('20.00'))]
    >>> agency_fee(Decimal("50.00"), date(2025, 7, 1), factor=Decimal("0.5")).net
    Decimal('18.90')
    """
    _check_inkasso(claim_value, mandate_date)
    _check_vat_rate(vat_rate)
    if factor not in AGENCY_FACTORS:
        allowed = ", ".join(str(f) for f in AGENCY_FACTORS)
        raise ValueError(
            f"factor {factor} not allowed for an undisputed Inkasso claim (VV 2300 Anm. Abs. 2 "
            f"RVG); allowed: {allowed}"
        )
    sched = rvg_schedule(mandate_date, schedule)
    notes: list[str] = [
        f"Gebührensatz {_de_rate(factor)}: {AGENCY_FACTORS[factor]} (Nr. 2300 VV RVG Anm. Abs. 2)."
    ]
    if claim_value <= Decimal(50) and sched.inkasso_small_claim_fee is not None:
        full = sched.inkasso_small_claim_fee
        notes.append(
            f"Gegenstandswert bis 50 €: 1,0-Gebühr {format_eur(full)} (§ 13 Abs. 2 RVG) "
            "statt Tabellenwert."
        )
    else:
        full = sched.fee(claim_value)
    business = _rated(factor, full)
    if business == MINIMUM_FEE and round_cents(factor * full) < MINIMUM_FEE:
        notes.append("Mindestgebühr 15 € angewandt (§ 13 Abs. 3 RVG).")
    expenses = _expenses(business)
    lines = [
        FeeLine(
            "VV 2300",
            f"Geschäftsgebühr {_de_rate(factor)} (§§ 13, 14 RVG, Nr. 2300 VV RVG)",
            business,
            factor,
            claim_value,
        ),
        FeeLine("VV 7002", "Pauschale für Post und Telekommunikation (Nr. 7002 VV RVG)", expenses),
    ]
    vat_amount = ZERO
    if vat:
        vat_amount = _vat(business + expenses, vat_rate)
        lines.append(
            FeeLine(
                "VV 7008",
                f"Umsatzsteuer {_de_rate(vat_rate)} % (Nr. 7008 VV RVG)",
                vat_amount,
                vat_rate,
            )
        )
        notes.append(
            "Umsatzsteuer nur, weil der Gläubiger nicht zum Vorsteuerabzug berechtigt ist "
            "(§ 13a Abs. 1 Nr. 6 RDG)."
        )
    return FeeBreakdown(
        schedule=sched.name,
        claim_value=claim_value,
        value=claim_value,
        lines=tuple(lines),
        fees=business,
        expenses=expenses,
        vat=vat_amount,
        notes=tuple(notes),
    )


def agreement_fee(
    claim_value: Decimal,
    mandate_date: date,
    vat: bool = False,
    vat_rate: Decimal = _VAT_DEFAULT,
    business_fee: Decimal | None = None,
    schedule: str | None = None,
) -> FeeBreakdown:
    """Einigungsgebühr for a Zahlungsvereinbarung (payment plan), VV 1000 Nr. 2 RVG.

    0.7 fee on a Gegenstandswert of 50 % of the claim (§ 31b RVG, both in the 2021 law since
    2021-10-01 and the 2025 law). The § 13 Abs. 2 RVG 50-EUR rule does not apply (it covers
    only the Geschäftsgebühr). VV 7002: the flat rate is 20 % of the fees, max. 20 EUR **per
    Angelegenheit**; if the agreement is reached in the same Inkasso matter as a VV 2300
    ``business_fee`` already charged, only the increase of the flat rate is added
    (7002 on both fees minus 7002 on the business fee alone).

    >>> b = agreement_fee(Decimal("1000.00"), date(2025, 7, 1))
    >>> b.value, b.fees, b.expenses
    (Decimal('500.00'), Decimal('36.05'), Decimal('7.21'))
    >>> agreement_fee(Decimal("1000.00"), date(2025, 7, 1), business_fee=Decimal("46.50")).expenses
    Decimal('7.21')
    """
    _check_inkasso(claim_value, mandate_date)
    _check_vat_rate(vat_rate)
    sched = rvg_schedule(mandate_date, schedule)
    value = round_cents(claim_value * AGREEMENT_VALUE_SHARE)
    fee = _rated(AGREEMENT_FACTOR, sched.fee(value))
    notes = [
        "Gegenstandswert der Zahlungsvereinbarung: 50 % der Forderung (§ 31b RVG).",
    ]
    if business_fee is None:
        expenses = _expenses(fee)
    else:
        if business_fee < 0:
            raise ValueError("business_fee must not be negative")
        expenses = _expenses(business_fee + fee) - _expenses(business_fee)
        notes.append(
            "Pauschale Nr. 7002 VV RVG je Angelegenheit höchstens 20 €: nur der Mehrbetrag "
            "gegenüber der Geschäftsgebühr allein."
        )
    lines = [
        FeeLine(
            "VV 1000",
            "Einigungsgebühr 0,7 – Zahlungsvereinbarung (Nr. 1000 Nr. 2 VV RVG)",
            fee,
            AGREEMENT_FACTOR,
            value,
        ),
        FeeLine("VV 7002", "Pauschale für Post und Telekommunikation (Nr. 7002 VV RVG)", expenses),
    ]
    vat_amount = ZERO
    if vat:
        vat_amount = _vat(fee + expenses, vat_rate)
        lines.append(
            FeeLine(
                "VV 7008",
                f"Umsatzsteuer {_de_rate(vat_rate)} % (Nr. 7008 VV RVG)",
                vat_amount,
                vat_rate,
            )
        )
    return FeeBreakdown(
        schedule=sched.name,
        claim_value=claim_value,
        value=value,
        lines=tuple(lines),
        fees=fee,
        expenses=expenses,
        vat=vat_amount,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class CourtFee:
    """Court fee for the Mahnbescheid, KV 1100 GKG (0.5 fee, with a minimum).

    ``unverified`` is True when the minimum used is not confirmed from a primary text
    (the 38.00 EUR minimum since 2025-06-01); ``notes`` then says so.
    """

    code: str
    label: str
    schedule: str
    value: Decimal
    rate: Decimal
    full_fee: Decimal
    amount: Decimal
    minimum: Decimal
    minimum_applied: bool
    unverified: bool
    notes: tuple[str, ...] = field(default=())


def dunning_court_fee(value: Decimal, on: date, schedule: str | None = None) -> CourtFee:
    """Gerichtsgebühr KV 1100 GKG for the Mahnverfahren: 0.5 x § 34 fee, minimum 36/38 EUR.

    ``value`` is the Streitwert = the principal claims (Hauptforderungen; interest and other
    Nebenforderungen are not counted, § 43 Abs. 1 GKG). ``on`` is the day the Mahnantrag was
    received (Anhängigkeit, § 71 Abs. 1 GKG).

    >>> fee = dunning_court_fee(Decimal("1000.00"), date(2025, 6, 1))
    >>> fee.amount, fee.minimum_applied, fee.unverified
    (Decimal('38.00'), True, True)
    >>> dunning_court_fee(Decimal("1000.00"), date(2025, 5, 31)).amount
    Decimal('36.00')
    >>> dunning_court_fee(Decimal("3000.00"), date(2025, 6, 1)).amount
    Decimal('62.75')
    """
    _check_positive(value)
    sched = gkg_schedule(on, schedule)
    full = sched.fee(value)
    rated = max(MINIMUM_FEE, round_cents(KV1100_FACTOR * full))
    minimum = sched.kv1100_minimum
    if minimum is None:  # pragma: no cover - every GKG schedule sets it
        raise ValueError(f"schedule {sched.name} has no KV 1100 minimum")
    amount = max(minimum, rated)
    notes: list[str] = [
        "Streitwert = Hauptforderungen (Zinsen und Nebenforderungen bleiben unberücksichtigt)."
    ]
    unverified = not sched.kv1100_minimum_verified
    if unverified:
        notes.append(
            f"UNVERIFIED: Mindestgebühr {format_eur(minimum)} nach KV 1100 GKG seit 01.06.2025 "
            "(KostBRÄG 2025) nicht am Primärtext geprüft."
        )
    return CourtFee(
        code="KV 1100",
        label="Gerichtsgebühr Mahnverfahren 0,5 (Nr. 1100 KV GKG)",
        schedule=sched.name,
        value=value,
        rate=KV1100_FACTOR,
        full_fee=full,
        amount=amount,
        minimum=minimum,
        minimum_applied=amount > rated,
        unverified=unverified,
        notes=tuple(notes),
    )
