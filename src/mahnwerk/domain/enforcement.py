"""The enforcement measure most likely to work, from what a case knows: pure, no clock.

:func:`propose` takes an :class:`EnforcementSnapshot` and the day and returns a
:class:`Proposal` (the measure, its reasons in German, its expected cost and recovery). It
never acts: the proposal becomes an approval for a person. Rules, in this order:

1. **Nothing to enforce**: no title, nothing open, insolvency proceedings (§ 89 InsO) or an
   open dispute → no measure.
2. **A measure is running** (approved, filed or served, without a final outcome) → wait for
   it; a wage garnishment with a positive Drittschuldnererklärung keeps running.
3. **Employer known** (current, not answered "nothing to seize") → wage garnishment (PfÜB,
   Drittschuldner the employer). Expected recovery from § 850c ZPO
   (:func:`mahnwerk.domain.garnishment.garnishable`) when the net income is known; income
   below the exemption counts as "nothing to seize".
4. **Bank account known** (from the debtor's own data or from payments, not answered
   "nothing to seize") → account garnishment (PfÜB, Drittschuldner the bank). The recovery
   is not predictable (the P-Konto base amount of § 899 ZPO stays free), so it is not guessed.
5. **Vermögensauskunft younger than two years** → wait and monitor until its second
   anniversary (§ 802d ZPO: no new one before, unless a material change is shown).
6. **Recent Schuldnerverzeichnis entry** (younger than two years; entries are deleted after
   three, § 882e ZPO) → wait and monitor: the debtor has been found without means lately.
7. Otherwise (nothing known, or the last Vermögensauskunft older than two years) →
   Vermögensauskunft (§ 802c ZPO) with an attempt at an amicable settlement (§ 802b ZPO).

Outcomes feed the rules: "nothing to seize" or a negative Drittschuldnererklärung marks the
employer or account it concerned, unless the information about it is newer; a received
Vermögensauskunft sets the § 802d date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from mahnwerk.domain.enforcement_costs import (
    CostEstimate,
    asset_disclosure_costs,
    pfueb_costs,
)
from mahnwerk.domain.garnishment import garnishable, parameters_for
from mahnwerk.domain.limitation import add_years
from mahnwerk.domain.money import ZERO, format_eur

#: § 802d Abs. 1 ZPO: no new Vermögensauskunft within two years.
DISCLOSURE_BLOCK_YEARS = 2
#: A Schuldnerverzeichnis entry counts as recent for this long (documented choice).
RECENT_ENTRY_YEARS = 2
#: Months of wage garnishment the expected recovery is counted for (documented choice).
RECOVERY_HORIZON_MONTHS = 12


class Measure(StrEnum):
    WAGE_GARNISHMENT = "wage_garnishment"
    ACCOUNT_GARNISHMENT = "account_garnishment"
    ASSET_DISCLOSURE = "asset_disclosure"
    WAIT = "wait"
    NONE = "none"

    @property
    def german(self) -> str:
        return _MEASURE_TEXT[self]

    @property
    def form(self) -> str:
        """The official form the measure is filed with (``""`` for none)."""
        return {
            Measure.WAGE_GARNISHMENT: "pfueb",
            Measure.ACCOUNT_GARNISHMENT: "pfueb",
            Measure.ASSET_DISCLOSURE: "gv_auftrag",
        }.get(self, "")


_MEASURE_TEXT = {
    Measure.WAGE_GARNISHMENT: "Lohnpfändung (Pfändungs- und Überweisungsbeschluss)",
    Measure.ACCOUNT_GARNISHMENT: "Kontopfändung (Pfändungs- und Überweisungsbeschluss)",
    Measure.ASSET_DISCLOSURE: "Vermögensauskunft (Vollstreckungsauftrag an den Gerichtsvollzieher)",
    Measure.WAIT: "abwarten und überwachen",
    Measure.NONE: "keine Maßnahme",
}


class OutcomeKind(StrEnum):
    ASSET_DISCLOSURE_RECEIVED = "asset_disclosure_received"
    GARNISHMENT_SERVED = "garnishment_served"
    THIRD_PARTY_POSITIVE = "third_party_positive"
    """Drittschuldnererklärung: the claim exists and is garnished (§ 840 ZPO)."""
    THIRD_PARTY_NEGATIVE = "third_party_negative"
    """Drittschuldnererklärung: no employment, no account or nothing garnishable."""
    NOTHING_TO_SEIZE = "nothing_to_seize"
    COMPLETED = "completed"
    """The measure ended (paid, withdrawn): it no longer runs."""

    @property
    def german(self) -> str:
        return _OUTCOME_TEXT[self]


_OUTCOME_TEXT = {
    OutcomeKind.ASSET_DISCLOSURE_RECEIVED: "Vermögensauskunft erhalten",
    OutcomeKind.GARNISHMENT_SERVED: "PfÜB zugestellt",
    OutcomeKind.THIRD_PARTY_POSITIVE: "Drittschuldnererklärung: Pfändung greift",
    OutcomeKind.THIRD_PARTY_NEGATIVE: "Drittschuldnererklärung: nichts zu pfänden",
    OutcomeKind.NOTHING_TO_SEIZE: "fruchtlos: nichts zu pfänden",
    OutcomeKind.COMPLETED: "Maßnahme beendet",
}
NEGATIVE = frozenset({OutcomeKind.THIRD_PARTY_NEGATIVE, OutcomeKind.NOTHING_TO_SEIZE})


@dataclass(frozen=True)
class Employer:
    key: str
    """Stable key (``employer:12``) that outcomes refer to."""
    name: str
    known_since: date
    net_income: Decimal | None = None
    dependants: int | None = None
    address: str = ""


@dataclass(frozen=True)
class Account:
    key: str
    """``iban:DE…``."""
    iban: str
    known_since: date
    source: str = "debtor"  # debtor (own data), payment (seen on a payment)
    bank: str = ""


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    on: date
    target: str = ""
    """The employer or account key it concerns (``""``: the debtor as a whole)."""
    measure: Measure | None = None


@dataclass(frozen=True)
class RunningMeasure:
    measure: Measure
    since: date
    target: str = ""


@dataclass(frozen=True)
class EnforcementSnapshot:
    """What the proposal needs to know of a titled case (filled by the store)."""

    titled: bool
    open_amount: Decimal
    insolvency: bool = False
    open_dispute: bool = False
    employers: tuple[Employer, ...] = ()
    accounts: tuple[Account, ...] = ()
    last_asset_disclosure: date | None = None
    register_entries: tuple[date, ...] = ()
    """Days of the debtor's Schuldnerverzeichnis entries not yet deleted."""
    outcomes: tuple[Outcome, ...] = ()
    running: tuple[RunningMeasure, ...] = ()
    court_fee_kv2111: Decimal | None = None
    """GKG KV 2111 as set by the operator (None: not known)."""


@dataclass(frozen=True)
class Proposal:
    measure: Measure
    reasons: tuple[str, ...]
    costs: CostEstimate = field(default_factory=lambda: CostEstimate(()))
    expected_recovery: Decimal | None = None
    recovery_basis: str = ""
    target: str = ""
    """The employer or account key the measure is aimed at."""
    wait_until: date | None = None
    alternatives: tuple[str, ...] = ()

    @property
    def form(self) -> str:
        return self.measure.form


def _last_disclosure(s: EnforcementSnapshot) -> date | None:
    days = [o.on for o in s.outcomes if o.kind is OutcomeKind.ASSET_DISCLOSURE_RECEIVED]
    if s.last_asset_disclosure is not None:
        days.append(s.last_asset_disclosure)
    return max(days) if days else None


def _fruitless(key: str, known_since: date, outcomes: tuple[Outcome, ...]) -> Outcome | None:
    """The negative outcome that rules the target out, unless newer information exists."""
    negatives = [o for o in outcomes if o.target == key and o.kind in NEGATIVE]
    if not negatives:
        return None
    latest = max(negatives, key=lambda o: o.on)
    return latest if latest.on >= known_since else None


def _running(s: EnforcementSnapshot) -> list[RunningMeasure]:
    """Measures still running: not ended by a final outcome after they started."""
    final = NEGATIVE | {OutcomeKind.COMPLETED}
    out = []
    for r in s.running:
        ended = any(
            o.on >= r.since and o.kind in final and (o.target == r.target or not o.target)
            for o in s.outcomes
        )
        if not ended:
            out.append(r)
    return out


def _wage_recovery(e: Employer, open_amount: Decimal, today: date) -> tuple[Decimal | None, str]:
    if e.net_income is None:
        return None, "Nettoeinkommen unbekannt: pfändbarer Betrag nach der Drittschuldnererklärung"
    result = garnishable(e.net_income, e.dependants or 0, today)
    monthly = result.garnishable
    if monthly <= 0:
        return ZERO, (
            f"Nettoeinkommen {format_eur(e.net_income)} unter der Pfändungsfreigrenze "
            f"(§ 850c ZPO, {result.dependants_counted} Unterhaltspflichten)"
        )
    months = (open_amount / monthly).to_integral_value(rounding=ROUND_CEILING)
    expected = min(open_amount, monthly * RECOVERY_HORIZON_MONTHS)
    basis = (
        f"pfändbar {format_eur(monthly)} im Monat bei {format_eur(e.net_income)} netto und "
        f"{result.dependants_counted} Unterhaltspflichten (§ 850c ZPO, Tabelle ab "
        f"{result.valid_from.strftime('%d.%m.%Y')}); in {RECOVERY_HORIZON_MONTHS} Monaten "
        f"{format_eur(expected)}, offen in etwa {months} Monaten getilgt"
    )
    return expected, basis


def propose(s: EnforcementSnapshot, today: date) -> Proposal:
    """The next measure for the case (see the module docstring)."""
    if not s.titled:
        return Proposal(Measure.NONE, ("kein Vollstreckungstitel: keine Vollstreckung",))
    if s.open_amount <= 0:
        return Proposal(Measure.NONE, ("nichts mehr offen",))
    if s.insolvency:
        return Proposal(
            Measure.NONE,
            ("Insolvenzverfahren eröffnet: Einzelzwangsvollstreckung unzulässig (§ 89 InsO)",),
        )
    if s.open_dispute:
        return Proposal(Measure.NONE, ("Einwand des Schuldners offen: erst klären",))

    running = _running(s)
    if running:
        r = running[0]
        return Proposal(
            Measure.WAIT,
            (
                f"{r.measure.german} läuft seit {r.since.strftime('%d.%m.%Y')}: "
                "Ergebnis abwarten und Eingänge überwachen",
            ),
            target=r.target,
        )

    reasons: list[str] = []
    alternatives: list[str] = []
    wage: Proposal | None = None
    for e in sorted(s.employers, key=lambda e: e.known_since, reverse=True):
        bad = _fruitless(e.key, e.known_since, s.outcomes)
        if bad is not None:
            reasons.append(
                f"Arbeitgeber {e.name}: {bad.kind.german} am {bad.on.strftime('%d.%m.%Y')}"
            )
            continue
        expected, basis = _wage_recovery(e, s.open_amount, today)
        if expected is not None and expected <= 0:
            reasons.append(f"Arbeitgeber {e.name}: {basis}")
            continue
        wage = Proposal(
            Measure.WAGE_GARNISHMENT,
            (
                *reasons,
                f"Arbeitgeber bekannt: {e.name} (seit {e.known_since.strftime('%d.%m.%Y')})",
            ),
            pfueb_costs(s.open_amount, today, court_fee=s.court_fee_kv2111),
            expected,
            basis,
            target=e.key,
        )
        break

    account: Proposal | None = None
    for a in sorted(s.accounts, key=lambda a: a.known_since, reverse=True):
        bad = _fruitless(a.key, a.known_since, s.outcomes)
        if bad is not None:
            reasons.append(f"Konto {a.iban}: {bad.kind.german} am {bad.on.strftime('%d.%m.%Y')}")
            continue
        origin = "aus einer Zahlung des Schuldners" if a.source == "payment" else "vom Schuldner"
        pkonto = parameters_for(today).pkonto_base
        account = Proposal(
            Measure.ACCOUNT_GARNISHMENT,
            (
                *reasons,
                f"Konto bekannt ({origin}): {a.iban}" + (f" bei {a.bank}" if a.bank else ""),
            ),
            pfueb_costs(s.open_amount, today, court_fee=s.court_fee_kv2111),
            None,
            "Guthaben über dem Pfändungsschutz nicht vorhersehbar"
            + (
                f" (P-Konto-Grundfreibetrag § 899 ZPO: {format_eur(pkonto)} im Monat)"
                if pkonto
                else ""
            ),
            target=a.key,
        )
        break

    if wage is not None:
        if account is not None:
            alternatives.append(f"{Measure.ACCOUNT_GARNISHMENT.german}: {account.reasons[-1]}")
        return _with(wage, alternatives)
    if account is not None:
        return _with(account, alternatives)

    last = _last_disclosure(s)
    if last is not None and add_years(last, DISCLOSURE_BLOCK_YEARS) > today:
        until = add_years(last, DISCLOSURE_BLOCK_YEARS)
        return Proposal(
            Measure.WAIT,
            (
                *reasons,
                f"Vermögensauskunft vom {last.strftime('%d.%m.%Y')}: eine neue erst ab "
                f"{until.strftime('%d.%m.%Y')} (§ 802d ZPO), sofern keine wesentliche "
                "Veränderung bekannt wird",
            ),
            wait_until=until,
        )
    recent = [d for d in s.register_entries if add_years(d, RECENT_ENTRY_YEARS) > today]
    if recent:
        entry = max(recent)
        until = add_years(entry, RECENT_ENTRY_YEARS)
        return Proposal(
            Measure.WAIT,
            (
                *reasons,
                f"Eintrag im Schuldnerverzeichnis vom {entry.strftime('%d.%m.%Y')}: zurzeit "
                "ohne pfändbares Vermögen; abwarten und überwachen",
            ),
            wait_until=until,
        )
    why = (
        f"letzte Vermögensauskunft vom {last.strftime('%d.%m.%Y')} älter als zwei Jahre "
        "(§ 802d ZPO)"
        if last is not None
        else "kein Arbeitgeber und kein Konto bekannt, keine Vermögensauskunft"
    )
    return Proposal(
        Measure.ASSET_DISCLOSURE,
        (*reasons, why),
        asset_disclosure_costs(s.open_amount, today),
        ZERO,
        "die Vermögensauskunft bringt Auskunft über Arbeitgeber, Konten und Vermögen, "
        "selbst kein Geld",
    )


def _with(p: Proposal, alternatives: list[str]) -> Proposal:
    return Proposal(
        p.measure,
        p.reasons,
        p.costs,
        p.expected_recovery,
        p.recovery_basis,
        p.target,
        p.wait_until,
        tuple(alternatives),
    )
