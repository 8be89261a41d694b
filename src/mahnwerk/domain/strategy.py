"""A dunning strategy as data: ordered steps with waiting time, channel, template, fees and
conditions, validated by :func:`parse_strategy`.

A strategy is written by a person (YAML file, see ``mahnwerk/strategies/``) and read into
immutable objects here. The rules that cannot be configured away:

- Steps that start a court or enforcement procedure, a write-off or a report to a credit
  bureau (:data:`GATED_STAGES`) always go to a person for approval; an ``approval: false`` in
  the file is refused.
- The first step must be written (letter or e-mail): the first contact carries the items of
  § 13a Abs. 1 RDG.
- Fees stay within § 13e RDG: the agency fee is the Geschäftsgebühr VV 2300 RVG with a factor
  in steps of 0.1 up to 0.9 (:data:`mahnwerk.domain.fees.STRATEGY_AGENCY_FACTORS`; above 0.5
  only once the claim was not paid within two weeks of the first payment request, which the
  decision checks), computed for the principal of the claims in default at the hand-over and
  charged at most once per case (so at most one step may carry it); a dunning flat fee
  (Mahnpauschale) may not exceed the configured cap.
- No double charge: the creditor's dunning flat fee for steps after the hand-over is paid by
  the agency fee; a strategy charging both is refused, naming the steps with the flat fee.
- ``default_flat_fee`` charges the 40 EUR of § 288 Abs. 5 BGB once per Entgeltforderung of a
  debtor who is not a consumer, for claims in default on the step's day.

A step of ``kind: nba`` hands the choice of contact to the next-best-action policy for
``days`` days: each day the policy picks one action among those the rules allow (nothing, a
letter or an e-mail with the step's ``template``, an SMS, a phone task in one of three time
windows); then the strategy goes on with the next step. It has no ``channel`` and belongs to
a pre-legal stage. A strategy with such a step names the fixed strategy its permanent
hold-out group follows (``holdout``, default ``standard``).

Problems are German sentences naming the step (counted from 1) and the field:

>>> s, problems = parse_strategy({"name": "x", "version": 1, "steps": [
...     {"stage": "dunning_1", "wait_days": -3, "channel": "fax", "template": "d1"}]})
>>> s is None, problems
(True, ["Schritt 1 (dunning_1), Feld 'wait_days': muss eine ganze Zahl ≥ 0 sein, nicht -3", \
"Schritt 1 (dunning_1), Feld 'channel': unbekannter Kanal 'fax' (erlaubt: letter, email, sms, \
phone_task)"])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from mahnwerk.domain.fees import STRATEGY_AGENCY_FACTORS


class Stage(StrEnum):
    """The stages of a case's dunning process (stored in ``case_file.stage``)."""

    REMINDER = "reminder"
    DUNNING_1 = "dunning_1"
    DUNNING_2 = "dunning_2"
    FINAL_NOTICE = "final_notice"
    COURT_HANDOVER = "court_handover"
    ENFORCEMENT = "enforcement"
    MONITORING = "monitoring"
    WRITE_OFF = "write_off"
    CREDIT_BUREAU_REPORT = "credit_bureau_report"


#: Stages a person must approve: never executed by the daily run (cannot be configured away).
GATED_STAGES = frozenset(
    {Stage.COURT_HANDOVER, Stage.ENFORCEMENT, Stage.WRITE_OFF, Stage.CREDIT_BUREAU_REPORT}
)

#: Pre-legal stages whose written messages count as reminders (§ 31 Abs. 2 Nr. 4 BDSG).
REMINDER_STAGES = frozenset({Stage.REMINDER, Stage.DUNNING_1, Stage.DUNNING_2, Stage.FINAL_NOTICE})


class Channel(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    PHONE_TASK = "phone_task"


WRITTEN_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL})


class StepKind(StrEnum):
    MESSAGE = "message"
    #: the next-best-action policy chooses the contact, day by day, for ``days`` days
    NBA = "nba"


#: Longest next-best-action phase of one step.
MAX_NBA_DAYS = 365
DEFAULT_HOLDOUT_STRATEGY = "standard"


class FeeCode(StrEnum):
    #: Geschäftsgebühr VV 2300 RVG plus VV 7002, computed by ``domain.fees.agency_fee``.
    AGENCY_FEE = "agency_fee"
    #: A fixed dunning flat fee (Mahnpauschale) up to the configured cap.
    DUNNING_FLAT = "dunning_flat"
    #: The flat fee of § 288 Abs. 5 BGB (40 EUR per Entgeltforderung, never against a consumer).
    DEFAULT_FLAT_FEE = "default_flat_fee"


class DebtorType(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"


#: Default cap of a dunning flat fee per step. Courts usually accept 1.00-2.50 EUR for the
#: material costs of a dunning letter as damages for default; an agency's own work is paid by
#: the agency fee, so the cap is a policy value, not a statutory one.
DEFAULT_FLAT_FEE_CAP = Decimal("2.50")


@dataclass(frozen=True)
class FeeRule:
    code: FeeCode
    factor: Decimal | None = None  # agency_fee
    amount: Decimal | None = None  # dunning_flat


@dataclass(frozen=True)
class Conditions:
    """When a step applies; a step whose conditions fail is skipped."""

    min_open: Decimal | None = None
    max_open: Decimal | None = None
    debtor_types: frozenset[DebtorType] = frozenset()  # empty: every type

    def match(self, open_amount: Decimal, consumer: bool) -> bool:
        if self.min_open is not None and open_amount < self.min_open:
            return False
        if self.max_open is not None and open_amount > self.max_open:
            return False
        kind = DebtorType.CONSUMER if consumer else DebtorType.BUSINESS
        return not self.debtor_types or kind in self.debtor_types


@dataclass(frozen=True)
class Step:
    stage: Stage
    wait_days: int
    channel: Channel | None
    template: str
    fees: tuple[FeeRule, ...] = ()
    conditions: Conditions = field(default_factory=Conditions)
    #: The message announces a possible report to a credit bureau (§ 31 Abs. 2 Nr. 4 c BDSG).
    credit_bureau_notice: bool = False
    kind: StepKind = StepKind.MESSAGE
    #: length of a next-best-action step in days (0 for a message step)
    days: int = 0

    @property
    def approval_required(self) -> bool:
        return self.stage in GATED_STAGES

    @property
    def is_nba(self) -> bool:
        return self.kind is StepKind.NBA


@dataclass(frozen=True)
class Strategy:
    name: str
    version: int
    steps: tuple[Step, ...]
    description: str = ""
    #: the fixed strategy of the hold-out group (only used with an ``nba`` step)
    holdout: str = DEFAULT_HOLDOUT_STRATEGY

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def uses_nba(self) -> bool:
        return any(step.is_nba for step in self.steps)


_KNOWN_STEP_FIELDS = frozenset(
    {
        "stage",
        "wait_days",
        "channel",
        "template",
        "fees",
        "conditions",
        "approval",
        "credit_bureau_notice",
        "note",
        "kind",
        "days",
    }
)
_KNOWN_TOP_FIELDS = frozenset({"name", "version", "description", "steps", "holdout"})
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str | Decimal):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def _amount(value: object) -> Decimal | None:
    d = _decimal(value)
    if d is None or d < 0 or d != d.quantize(Decimal("0.01")):
        return None
    return d.quantize(Decimal("0.01"))


def parse_strategy(
    data: Mapping[str, Any] | object, *, flat_fee_cap: Decimal = DEFAULT_FLAT_FEE_CAP
) -> tuple[Strategy | None, list[str]]:
    """The strategy described by ``data`` (as read from YAML), or ``None`` and every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        return None, ["die Strategie muss eine Zuordnung (name, version, steps) sein"]
    for key in sorted(set(data) - _KNOWN_TOP_FIELDS, key=str):
        problems.append(f"unbekanntes Feld {key!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name or not set(name) <= _NAME_CHARS:
        problems.append(
            f"Feld 'name': Kleinbuchstaben, Ziffern, '-' oder '_' erwartet, nicht {name!r}"
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"Feld 'version': ganze Zahl ≥ 1 erwartet, nicht {version!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append("Feld 'description': Text erwartet")
        description = ""
    holdout = data.get("holdout", DEFAULT_HOLDOUT_STRATEGY)
    if not isinstance(holdout, str) or not holdout or not set(holdout) <= _NAME_CHARS:
        problems.append(f"Feld 'holdout': Name einer Strategie erwartet, nicht {holdout!r}")
        holdout = DEFAULT_HOLDOUT_STRATEGY
    raw_steps = data.get("steps")
    steps: list[Step] = []
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append("Feld 'steps': Liste mit mindestens einem Schritt erwartet")
    else:
        for number, raw in enumerate(raw_steps, 1):
            step = _parse_step(number, raw, flat_fee_cap, problems)
            if step is not None:
                steps.append(step)
        if len(steps) == len(raw_steps):
            _check_strategy(steps, problems)
        if any(step.is_nba for step in steps) and holdout == name:
            problems.append("Feld 'holdout': die Kontrollgruppe braucht eine andere Strategie")
    if problems:
        return None, problems
    assert isinstance(name, str) and isinstance(version, int)
    return Strategy(name, version, tuple(steps), description, holdout), []


def _parse_step(number: int, raw: object, cap: Decimal, problems: list[str]) -> Step | None:
    if not isinstance(raw, Mapping):
        problems.append(f"Schritt {number}: Zuordnung mit stage, wait_days, channel erwartet")
        return None
    stage_raw = raw.get("stage")
    where = f"Schritt {number} ({stage_raw})" if isinstance(stage_raw, str) else f"Schritt {number}"
    before = len(problems)

    def bad(fieldname: str, text: str) -> None:
        problems.append(f"{where}, Feld {fieldname!r}: {text}")

    for key in sorted(set(raw) - _KNOWN_STEP_FIELDS, key=str):
        problems.append(f"{where}: unbekanntes Feld {key!r}")
    kind = StepKind.MESSAGE
    try:
        kind = StepKind(raw.get("kind", "message"))
    except ValueError:
        bad("kind", f"unbekannte Art {raw.get('kind')!r} (erlaubt: {', '.join(StepKind)})")
    days = raw.get("days", 0)
    if kind is StepKind.NBA:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NBA_DAYS:
            bad("days", f"Dauer in Tagen 1–{MAX_NBA_DAYS} erwartet, nicht {days!r}")
            days = 0
    elif "days" in raw:
        bad("days", "nur Schritte der Art nba haben eine Dauer")
        days = 0
    stage: Stage | None = None
    try:
        stage = Stage(str(stage_raw))
    except ValueError:
        bad("stage", f"unbekannte Stufe {stage_raw!r} (erlaubt: {', '.join(Stage)})")
    wait = raw.get("wait_days")
    if isinstance(wait, bool) or not isinstance(wait, int) or wait < 0:
        bad("wait_days", f"muss eine ganze Zahl ≥ 0 sein, nicht {wait!r}")
    channel: Channel | None = None
    channel_raw = raw.get("channel")
    if kind is StepKind.NBA:
        if channel_raw is not None:
            bad("channel", "entfällt bei nba: die Kontaktsteuerung wählt den Kanal")
        if stage is not None and stage not in REMINDER_STAGES:
            bad(
                "stage",
                "nba nur in vorgerichtlichen Stufen "
                f"({', '.join(sorted(str(x) for x in REMINDER_STAGES))})",
            )
    elif channel_raw is None:
        if stage is not None and stage not in GATED_STAGES and stage is not Stage.MONITORING:
            bad("channel", "fehlt (nur Freigabe-Schritte und Überwachung kommen ohne Kanal aus)")
    else:
        try:
            channel = Channel(channel_raw)
        except ValueError:
            bad("channel", f"unbekannter Kanal {channel_raw!r} (erlaubt: {', '.join(Channel)})")
    template = raw.get("template", stage_raw if isinstance(stage_raw, str) else "")
    if not isinstance(template, str) or not template:
        bad("template", "Name der Vorlage erwartet")
        template = ""
    if "approval" in raw and raw["approval"] is not True:
        if stage in GATED_STAGES:
            bad(
                "approval",
                "Gericht, Vollstreckung, Ausbuchung und Auskunftei-Meldung "
                "brauchen immer eine Freigabe durch einen Menschen",
            )
        elif raw["approval"] is not False:
            bad("approval", "true oder false erwartet")
    elif raw.get("approval") is True and stage not in GATED_STAGES and stage is not None:
        bad("approval", f"Freigabe ist für die Stufe {stage} nicht vorgesehen")
    notice = raw.get("credit_bureau_notice", False)
    if not isinstance(notice, bool):
        bad("credit_bureau_notice", "true oder false erwartet")
        notice = False
    elif notice and channel not in WRITTEN_CHANNELS and kind is not StepKind.NBA:
        bad(
            "credit_bureau_notice",
            "der Hinweis auf eine Meldung an eine Auskunftei muss "
            "schriftlich erfolgen (letter oder email)",
        )
    fees = _parse_fees(raw.get("fees", []), cap, bad)
    if fees and stage in GATED_STAGES:
        bad(
            "fees",
            "Freigabe-Schritte berechnen keine Gebühren; Kosten des Gerichts- oder "
            "Vollstreckungsverfahrens bucht der Mensch, der freigibt",
        )
    conditions = _parse_conditions(raw.get("conditions", {}), bad)
    if len(problems) > before or stage is None:
        return None
    assert isinstance(wait, int) and isinstance(days, int)
    return Step(stage, wait, channel, template, fees, conditions, notice, kind, days)


def _parse_fees(raw: object, cap: Decimal, bad: Any) -> tuple[FeeRule, ...]:
    if not isinstance(raw, list):
        bad("fees", "Liste erwartet")
        return ()
    rules: list[FeeRule] = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, Mapping):
            bad("fees", f"Gebühr {i}: Zuordnung mit 'code' erwartet")
            continue
        try:
            code = FeeCode(str(item.get("code")))
        except ValueError:
            bad(
                "fees",
                f"Gebühr {i}: unbekannter code {item.get('code')!r} "
                f"(erlaubt: {', '.join(FeeCode)})",
            )
            continue
        if code is FeeCode.AGENCY_FEE:
            factor = _decimal(item.get("factor", "0.5"))
            if factor is None or factor not in STRATEGY_AGENCY_FACTORS:
                allowed = ", ".join(str(f) for f in STRATEGY_AGENCY_FACTORS)
                bad(
                    "fees",
                    f"Gebühr {i}: Faktor {item.get('factor')!r} der Geschäftsgebühr "
                    f"Nr. 2300 VV RVG nicht erlaubt (Nr. 2300 VV RVG Anm. Abs. 2, § 13e RDG: "
                    f"höchstens 0,5 im einfachen Fall, sonst höchstens 0,9; erlaubt: {allowed})",
                )
                continue
            rules.append(FeeRule(code, factor=factor))
        elif code is FeeCode.DEFAULT_FLAT_FEE:
            if "amount" in item:
                bad(
                    "fees",
                    f"Gebühr {i}: die Pauschale nach § 288 Abs. 5 BGB beträgt 40 € kraft Gesetzes "
                    "(kein 'amount')",
                )
                continue
            rules.append(FeeRule(code))
        else:
            amount = _amount(item.get("amount"))
            if amount is None or amount == 0:
                bad(
                    "fees",
                    f"Gebühr {i}: Betrag {item.get('amount')!r} ist kein Betrag > 0 "
                    "mit höchstens zwei Nachkommastellen",
                )
                continue
            if amount > cap:
                bad("fees", f"Gebühr {i}: Mahnpauschale {amount} € über der Obergrenze {cap} €")
                continue
            rules.append(FeeRule(code, amount=amount))
    return tuple(rules)


def _parse_conditions(raw: object, bad: Any) -> Conditions:
    if not isinstance(raw, Mapping):
        bad("conditions", "Zuordnung erwartet")
        return Conditions()
    for key in sorted(set(raw) - {"min_open", "max_open", "debtor_types"}, key=str):
        bad("conditions", f"unbekannte Bedingung {key!r}")
    bounds: dict[str, Decimal | None] = {}
    for key in ("min_open", "max_open"):
        value = raw.get(key)
        bounds[key] = None if value is None else _amount(value)
        if value is not None and bounds[key] is None:
            bad(f"conditions.{key}", f"{value!r} ist kein Betrag ≥ 0")
    low, high = bounds["min_open"], bounds["max_open"]
    if low is not None and high is not None and low > high:
        bad("conditions", f"min_open {low} ist größer als max_open {high}")
    types_raw = raw.get("debtor_types", [])
    types: set[DebtorType] = set()
    if not isinstance(types_raw, list):
        bad("conditions.debtor_types", "Liste erwartet (consumer, business)")
    else:
        for t in types_raw:
            try:
                types.add(DebtorType(t))
            except ValueError:
                bad(
                    "conditions.debtor_types",
                    f"unbekannter Schuldnertyp {t!r} (erlaubt: consumer, business)",
                )
    return Conditions(low, high, frozenset(types))


def _check_strategy(steps: list[Step], problems: list[str]) -> None:
    # an nba step may come first: until a letter or e-mail went out it allows nothing else
    if steps and steps[0].channel not in WRITTEN_CHANNELS and not steps[0].is_nba:
        problems.append(
            "Schritt 1: der erste Kontakt muss schriftlich sein (letter oder email), damit er "
            "alle Angaben nach § 13a Abs. 1 RDG enthält"
        )
    with_agency_fee = [
        i for i, s in enumerate(steps, 1) if any(f.code is FeeCode.AGENCY_FEE for f in s.fees)
    ]
    if len(with_agency_fee) > 1:
        numbers = ", ".join(str(i) for i in with_agency_fee)
        problems.append(
            f"Schritte {numbers}, Feld 'fees': die Geschäftsgebühr (agency_fee) darf nur einmal "
            "je Fall berechnet werden (§ 13e RDG)"
        )
    if with_agency_fee:
        for i, step in enumerate(steps, 1):
            if any(f.code is FeeCode.DUNNING_FLAT for f in step.fees):
                problems.append(
                    f"Schritt {i} ({step.stage}), Feld 'fees': Mahnpauschale (dunning_flat) "
                    "nach der Übergabe neben der Geschäftsgebühr (agency_fee, Schritt "
                    f"{with_agency_fee[0]}) wäre doppelt berechnet: die Arbeit der Agentur "
                    "deckt die Geschäftsgebühr ab (§ 13e RDG)"
                )
