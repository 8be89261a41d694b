"""The dunning decision for one case on one day: pure, no clock, no I/O.

:func:`decide` takes what the store knows of a case (:class:`CaseSnapshot`), the case's
:class:`~mahnwerk.domain.strategy.Strategy` and the day, and says what happens today. Rules,
in the order they are applied:

1. **Nothing open** (paid in full): no dunning (``settled``).
2. **Open dispute** (Widerspruch): no dunning at all, no other step (``stopped``).
3. **Insolvency, death, time-barred claim**: stop and flag the case for a person
   (a ``review_flag`` task); **do not contact** and **hardship** flags set by a person stop or
   pause without a new task.
4. **Payment plan or promise to pay**: in good standing it pauses dunning; a broken plan
   (an instalment more than ``grace_days`` overdue and not covered by the payments since the
   plan was agreed) resumes it (``plan_broken``); a fully paid plan ends (``plan_completed``).
5. **Address inquiry** after a returned letter or a bounced e-mail (a task, once).
6. **Waiting**: while a message of the previous step is not delivered, or until
   ``wait_days`` have passed since the previous step (or since the hand-over for the first).
7. **Next step**: steps whose conditions do not match are skipped. A gated step (court,
   enforcement, write-off, credit bureau) becomes an approval request, never an action; the
   approval itself moves the case on (see ``services.workflow``). A credit-bureau report is
   proposed only if § 31 Abs. 2 Nr. 4 BDSG allows it (two written reminders after the due
   date, the first at least four weeks ago, prior notice, never disputed). Otherwise the
   step's message is an :class:`Action` for today.
8. **Court and title** (``court_running``, ``titled``): while a court dunning procedure runs
   (prepared … Vollstreckungsbescheid, or handed to the Prozessgericht) the case waits: no
   letters, no other step. Once every claim is titled, the pre-court steps (reminders,
   dunning letters, final notice, court hand-over) are skipped: the strategy goes on with
   enforcement and monitoring.
9. **First contact**: the first written contact must be a letter or an e-mail carrying every
   item of § 13a Abs. 1 RDG; if the due step would be an SMS or a call, a letter (or an e-mail
   when a valid address exists) is sent instead, marked ``first_contact=True``.
10. **Next-best-action steps** (``kind: nba``): from the day the step is due and for its
    ``days`` days the outcome is ``nba`` with the actions the rules allow
    (:func:`nba_allowed`) – the policy chooses among them, so everything above (stops,
    pauses, disputes, waiting for a delivery, approvals) still wins. The step's fees are
    charged on its first day. The next step is due ``wait_days`` after the phase ends.
11. **No message on an unknown base rate**: a letter, e-mail or SMS whose statement needs the
    base rate of a half-year that is not known waits (``WAITING``) with the command that adds it.

Fees of a step (:func:`step_fees`), charged when its message goes out:

- the agency fee (VV 2300 RVG, § 13e RDG) once per case, on the principal of the claims that
  were in default when the case was handed over (none: no fee); its factor above 0.5 only once
  the first payment request is more than two weeks old;
- the dunning flat fee only when no claim of the case is out of default on the step's day: the
  reminder that puts a claim in default is never charged to the debtor;
- the flat fee of § 288 Abs. 5 BGB (40 EUR) once per Entgeltforderung in default of a debtor who
  is not a consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from mahnwerk.domain.default import DEFAULT_RECEIPT_DAYS, default_by_reminder
from mahnwerk.domain.fees import agency_fee, effective_agency_factor
from mahnwerk.domain.ledger import FLAT_FEE_AMOUNT, FLAT_FEE_CODE
from mahnwerk.domain.limitation import add_months
from mahnwerk.domain.money import ZERO
from mahnwerk.domain.strategy import (
    REMINDER_STAGES,
    WRITTEN_CHANNELS,
    Channel,
    FeeCode,
    Stage,
    Step,
    Strategy,
)

#: § 31 Abs. 2 Nr. 4 b BDSG: the first written reminder at least four weeks before a report.
BUREAU_FIRST_REMINDER_DAYS = 28
#: Days after an instalment's due date before the plan counts as broken.
DEFAULT_GRACE_DAYS = 7
#: Channels whose message shows the statement (refused while a base rate is unknown).
MESSAGE_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS})
#: The start of the reason of a message held back for an unknown base rate.
BASE_RATE_REFUSAL = "Nachricht zurückgehalten"
FLAT_FEE_LABEL = "Verzugspauschale (§ 288 Abs. 5 BGB)"


class Outcome(StrEnum):
    SETTLED = "settled"
    STOPPED = "stopped"
    PAUSED = "paused"
    WAITING = "waiting"
    ACTION = "action"
    APPROVAL = "approval"  # an approval was requested today
    AWAITING_APPROVAL = "awaiting_approval"
    HELD = "held"  # a person rejected the next gated step: nothing automatic follows
    FINISHED = "finished"  # no further steps in the strategy
    NBA = "nba"  # the next-best-action policy chooses today's contact (see nba_allowed)


class Flag(StrEnum):
    INSOLVENCY = "insolvency"
    DECEASED = "deceased"
    HARDSHIP = "hardship"
    DO_NOT_CONTACT = "do_not_contact"


@dataclass(frozen=True)
class PlanTerms:
    """A payment plan (``plan``) or a promise to pay (``promise``, one instalment)."""

    kind: str
    agreed_on: date
    start: date
    instalment: Decimal
    count: int = 1
    interval_months: int = 1

    def due_dates(self) -> tuple[date, ...]:
        return tuple(add_months(self.start, i * self.interval_months) for i in range(self.count))


class PlanState(StrEnum):
    GOOD = "good"
    BROKEN = "broken"
    COMPLETED = "completed"


def plan_state(
    plan: PlanTerms,
    payments: tuple[tuple[date, Decimal], ...],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> PlanState:
    """Good standing, broken or completed, from the payments made since the plan was agreed.

    >>> p = PlanTerms("plan", date(2026, 1, 1), date(2026, 1, 15), Decimal("50"), 3)
    >>> plan_state(p, ((date(2026, 1, 14), Decimal("50")),), date(2026, 2, 20))
    <PlanState.GOOD: 'good'>
    >>> plan_state(p, ((date(2026, 1, 14), Decimal("50")),), date(2026, 2, 23))
    <PlanState.BROKEN: 'broken'>
    """
    paid = sum((a for d, a in payments if plan.agreed_on <= d <= today), ZERO)
    if paid >= plan.instalment * plan.count:
        return PlanState.COMPLETED
    overdue = [d for d in plan.due_dates() if d + timedelta(days=grace_days) < today]
    required = plan.instalment * len(overdue)
    return PlanState.BROKEN if paid < required else PlanState.GOOD


class ClaimFacts(NamedTuple):
    """What the fee rules need to know of one claim: its store id, principal, first day of
    interest (``None``: not in default), due date, whether it is an Entgeltforderung, and
    whether the flat fee of § 288 Abs. 5 BGB was charged for it."""

    key: int
    principal: Decimal
    default_from: date | None
    due_date: date | None
    entgelt: bool = True
    flat_fee_charged: bool = False

    def in_default_on(self, day: date) -> bool:
        return self.default_from is not None and self.default_from <= day


@dataclass(frozen=True)
class CaseSnapshot:
    """What the decision needs to know of one case on one day (filled by the store)."""

    case_id: int
    consumer: bool
    handed_over: date
    open_amount: Decimal
    principal: Decimal
    #: Earliest due date (Fälligkeit) of the case's claims.
    due_since: date
    #: First day on which a claim of the case is time-barred (``None``: not known / never).
    barred_from: date | None = None
    #: Index of the last executed strategy step, ``None`` before the first.
    step_index: int | None = None
    #: Day of the last executed step.
    step_date: date | None = None
    first_contact_done: bool = False
    open_dispute: bool = False
    ever_disputed: bool = False
    flags: frozenset[Flag] = frozenset()
    plan: PlanTerms | None = None
    payments: tuple[tuple[date, Decimal], ...] = ()
    #: Days on which written reminders (letter, e-mail of a pre-legal stage) were sent.
    written_reminders: tuple[date, ...] = ()
    #: Day on which a possible credit-bureau report was first announced in writing.
    bureau_notice_on: date | None = None
    #: Fee codes already charged on the case (e.g. "VV 2300").
    cost_codes: frozenset[str] = frozenset()
    has_postal_address: bool = True
    letter_returned: bool = False
    has_email: bool = False
    email_bounced: bool = False
    has_mobile: bool = False
    has_phone: bool = False
    open_task_codes: frozenset[str] = frozenset()
    pending_messages: int = 0
    #: Step indices with an approval request: pending, approved or rejected.
    approvals_pending: frozenset[int] = frozenset()
    approvals_rejected: frozenset[int] = frozenset()
    #: every claim of the case is covered by a title (§ 197 Abs. 1 Nr. 3 BGB)
    titled: bool = False
    #: a court dunning procedure of the case is running
    court_running: bool = False
    #: The claims (store id order). Empty: not known, every claim counts as in default since
    #: the hand-over (the fee rules then use ``principal``).
    claims: tuple[ClaimFacts, ...] = ()
    #: The first half-year whose base rate the case's statement of the day needs and the
    #: table does not know (no message goes out until it is added).
    base_rate_unknown: date | None = None


#: Steps that make no sense once the claims are titled.
PRE_COURT_STAGES = REMINDER_STAGES | {Stage.COURT_HANDOVER}


@dataclass(frozen=True)
class Action:
    """A message due today (goes to the outbox)."""

    step_index: int
    stage: Stage
    channel: Channel
    template: str
    first_contact: bool = False
    credit_bureau_notice: bool = False
    note: str = ""


@dataclass(frozen=True)
class ApprovalRequest:
    step_index: int
    stage: Stage
    reason: str


@dataclass(frozen=True)
class TaskRequest:
    """Work for a person: ``kind`` (``review_flag``, ``address_inquiry``, ``monitoring``…),
    a stable ``code`` so that the same task is not opened twice, and a German reason."""

    kind: str
    code: str
    reason: str


@dataclass(frozen=True)
class FeeCharge:
    code: str
    label: str
    amount: Decimal
    #: The store id of the claim the fee belongs to (§ 288 Abs. 5 flat fee), else ``None``.
    claim: int | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    approvals: tuple[ApprovalRequest, ...] = ()
    tasks: tuple[TaskRequest, ...] = ()
    fees: tuple[FeeCharge, ...] = ()
    #: The step executed today (stage transition), if any.
    step_index: int | None = None
    stage: Stage | None = None
    plan_state: PlanState | None = None
    #: Steps skipped on the way (conditions not met / channel impossible), with reasons.
    skipped: tuple[int, ...] = ()
    #: With outcome ``nba``: the step and the actions the policy may choose from.
    nba_step: int | None = None
    nba_allowed: tuple[str, ...] = ()


def _due_day(snapshot: CaseSnapshot, step: Step, previous: Step | None = None) -> date:
    start = snapshot.step_date if snapshot.step_index is not None else snapshot.handed_over
    start = start or snapshot.handed_over
    if previous is not None and previous.is_nba:
        start += timedelta(days=previous.days)  # after the policy's phase
    return start + timedelta(days=step.wait_days)


#: The policy's actions (mahnwerk.ml.nba.views.ACTIONS), named here so the domain needs no ML.
NBA_ACTIONS = (
    "none",
    "letter",
    "email",
    "sms",
    "call_morning",
    "call_afternoon",
    "call_evening",
)


def nba_allowed(snapshot: CaseSnapshot) -> tuple[str, ...]:
    """What a next-best-action step may do today by the case's data (the contact rules of
    the moment – quiet days, the weekly cap, the debtor's preferences – are checked by the
    caller, who knows the clock and the calendar).

    Until the first letter or e-mail went out, only a letter or an e-mail (§ 13a Abs. 1 RDG);
    no letter to a returned address, no e-mail after a bounce, no SMS without a mobile
    number, no call without a number.

    >>> s = CaseSnapshot(1, True, date(2026, 1, 1), Decimal("100"), Decimal("100"),
    ...                  date(2025, 12, 1), has_email=True, has_mobile=True)
    >>> nba_allowed(s)
    ('none', 'letter', 'email')
    >>> from dataclasses import replace
    >>> nba_allowed(replace(s, first_contact_done=True, letter_returned=True))
    ('none', 'email', 'sms', 'call_morning', 'call_afternoon', 'call_evening')
    """
    out = ["none"]
    if snapshot.has_postal_address and not snapshot.letter_returned:
        out.append("letter")
    if snapshot.has_email and not snapshot.email_bounced:
        out.append("email")
    if not snapshot.first_contact_done:
        return tuple(out)
    if snapshot.has_mobile:
        out.append("sms")
    if snapshot.has_mobile or snapshot.has_phone:
        out.extend(NBA_ACTIONS[4:])
    return tuple(out)


def bureau_report_problems(snapshot: CaseSnapshot, today: date) -> tuple[list[str], bool]:
    """What § 31 Abs. 2 Nr. 4 BDSG still lacks, and whether waiting alone can fix it."""
    problems: list[str] = []
    only_time = True
    reminders = sorted(d for d in snapshot.written_reminders if d > snapshot.due_since)
    if len(reminders) < 2:
        problems.append("weniger als zwei schriftliche Mahnungen nach Fälligkeit")
        only_time = False
    elif (today - reminders[0]).days < BUREAU_FIRST_REMINDER_DAYS:
        problems.append("die erste Mahnung liegt noch keine vier Wochen zurück")
    if snapshot.bureau_notice_on is None or snapshot.bureau_notice_on > today:
        problems.append("keine vorherige Unterrichtung über eine mögliche Meldung")
        only_time = False
    elif reminders and snapshot.bureau_notice_on < reminders[0]:
        problems.append("die Unterrichtung lag vor der ersten Mahnung")
        only_time = False
    if snapshot.ever_disputed or snapshot.open_dispute:
        problems.append("der Schuldner hat die Forderung bestritten")
        only_time = False
    return problems, only_time and bool(problems)


def decide(snapshot: CaseSnapshot, strategy: Strategy, today: date) -> Decision:
    """What happens to the case today under ``strategy`` (see the module docstring)."""
    if snapshot.open_amount <= 0:
        return Decision(Outcome.SETTLED, ("nichts mehr offen",))
    if snapshot.open_dispute:
        return Decision(Outcome.STOPPED, ("Widerspruch offen: keine Mahnung bis zur Klärung",))
    stops = _stops(snapshot, today)
    if stops is not None:
        return stops
    if snapshot.court_running:
        return Decision(Outcome.WAITING, ("gerichtliches Mahnverfahren läuft",))

    tasks: list[TaskRequest] = []
    reasons: list[str] = []
    state: PlanState | None = None
    if snapshot.plan is not None:
        state = plan_state(snapshot.plan, snapshot.payments, today)
        label = "Ratenzahlung" if snapshot.plan.kind == "plan" else "Zahlungsversprechen"
        if state is PlanState.GOOD:
            return Decision(
                Outcome.PAUSED, (f"{label} wird eingehalten: Mahnung ruht",), plan_state=state
            )
        if state is PlanState.BROKEN:
            reasons.append(f"{label} nicht eingehalten: Mahnung wird fortgesetzt")
        else:
            reasons.append(f"{label} erfüllt, Restbetrag offen: Mahnung wird fortgesetzt")

    if snapshot.letter_returned and "address_inquiry:letter" not in snapshot.open_task_codes:
        tasks.append(
            TaskRequest(
                "address_inquiry",
                "address_inquiry:letter",
                "Brief als unzustellbar zurückgekommen: neue Anschrift ermitteln",
            )
        )
    if snapshot.email_bounced and "address_inquiry:email" not in snapshot.open_task_codes:
        tasks.append(
            TaskRequest(
                "address_inquiry",
                "address_inquiry:email",
                "E-Mail unzustellbar: Kontaktdaten prüfen und Anschrift ermitteln",
            )
        )

    def done(outcome: Outcome, *more: str, **kw: Any) -> Decision:
        return Decision(outcome, tuple(reasons) + more, tasks=tuple(tasks), plan_state=state, **kw)

    if snapshot.pending_messages:
        return done(Outcome.WAITING, "Nachricht des letzten Schritts noch nicht zugestellt")

    current = None if snapshot.step_index is None else strategy.steps[snapshot.step_index]
    in_nba_phase = (
        current is not None
        and current.is_nba
        and snapshot.step_date is not None
        and today < snapshot.step_date + timedelta(days=current.days)
    )
    if in_nba_phase:
        assert current is not None and snapshot.step_index is not None
        return done(
            Outcome.NBA,
            f"Schritt {snapshot.step_index + 1} ({current.stage}): Kontaktsteuerung",
            nba_step=snapshot.step_index,
            nba_allowed=nba_allowed(snapshot),
        )
    start = 0 if snapshot.step_index is None else snapshot.step_index + 1
    skipped: list[int] = []
    for index in range(start, len(strategy.steps)):
        step = strategy.steps[index]
        if snapshot.titled and step.stage in PRE_COURT_STAGES:
            skipped.append(index)
            continue
        if not step.conditions.match(snapshot.open_amount, snapshot.consumer):
            skipped.append(index)
            continue
        due = _due_day(snapshot, step, current)
        if today < due:
            return done(
                Outcome.WAITING, f"Schritt {index + 1} ({step.stage}) fällig am {due.isoformat()}"
            )
        if step.approval_required:
            return _gated(snapshot, step, index, today, done, tuple(skipped))
        if step.is_nba:
            return done(
                Outcome.NBA,
                f"Schritt {index + 1} ({step.stage}): Kontaktsteuerung für {step.days} Tage",
                fees=step_fees(snapshot, step, today),
                step_index=index,
                stage=step.stage,
                skipped=tuple(skipped),
                nba_step=index,
                nba_allowed=nba_allowed(snapshot),
            )
        if step.channel is None:
            # monitoring without a message: a periodic check by a person
            tasks.append(
                TaskRequest(
                    "monitoring",
                    f"monitoring:{index}",
                    "Langzeitüberwachung: Zahlungsfähigkeit und Anschrift prüfen",
                )
            )
            return done(
                Outcome.ACTION,
                f"Schritt {index + 1} ({step.stage})",
                step_index=index,
                stage=step.stage,
                skipped=tuple(skipped),
            )
        action, why = _action(snapshot, step, index)
        if action is None:
            if step.channel in WRITTEN_CHANNELS:
                return done(Outcome.WAITING, why)
            reasons.append(f"Schritt {index + 1} ({step.stage}) übersprungen: {why}")
            skipped.append(index)
            continue
        if snapshot.base_rate_unknown is not None and action.channel in MESSAGE_CHANNELS:
            return done(Outcome.WAITING, base_rate_refusal(snapshot.base_rate_unknown))
        return done(
            Outcome.ACTION,
            f"Schritt {index + 1} ({step.stage}) über {action.channel}",
            actions=(action,),
            fees=step_fees(snapshot, step, today),
            step_index=index,
            stage=step.stage,
            skipped=tuple(skipped),
        )
    return done(Outcome.FINISHED, "alle Schritte der Strategie ausgeführt")


def _stops(snapshot: CaseSnapshot, today: date) -> Decision | None:
    review: list[TaskRequest] = []
    reasons: list[str] = []
    if Flag.INSOLVENCY in snapshot.flags:
        reasons.append("Insolvenzverfahren: Mahnung eingestellt")
        review.append(
            TaskRequest(
                "review_flag",
                "review:insolvency",
                "Insolvenz gemeldet: Forderung zur Tabelle anmelden prüfen",
            )
        )
    if Flag.DECEASED in snapshot.flags:
        reasons.append("Schuldner verstorben: Mahnung eingestellt")
        review.append(
            TaskRequest(
                "review_flag", "review:deceased", "Schuldner verstorben: Erben/Nachlass ermitteln"
            )
        )
    if snapshot.barred_from is not None and today >= snapshot.barred_from:
        reasons.append("Forderung verjährt: Mahnung eingestellt")
        review.append(
            TaskRequest(
                "review_flag",
                "review:time_barred",
                "Verjährung eingetreten: Fall prüfen (Einrede, Ausbuchung)",
            )
        )
    if reasons:
        tasks = tuple(t for t in review if t.code not in snapshot.open_task_codes)
        return Decision(Outcome.STOPPED, tuple(reasons), tasks=tasks)
    if Flag.DO_NOT_CONTACT in snapshot.flags:
        return Decision(Outcome.STOPPED, ("Kontaktsperre gesetzt",))
    if Flag.HARDSHIP in snapshot.flags:
        return Decision(Outcome.PAUSED, ("Härtefall: Mahnung ruht",))
    return None


def _gated(
    snapshot: CaseSnapshot,
    step: Step,
    index: int,
    today: date,
    done: Callable[..., Decision],
    skipped: tuple[int, ...],
) -> Decision:
    if index in snapshot.approvals_rejected:
        return done(Outcome.HELD, f"Freigabe für {step.stage} abgelehnt: ein Mensch entscheidet")
    if index in snapshot.approvals_pending:
        return done(Outcome.AWAITING_APPROVAL, f"wartet auf Freigabe: {step.stage}")
    if step.stage is Stage.CREDIT_BUREAU_REPORT:
        problems, wait = bureau_report_problems(snapshot, today)
        if problems:
            text = "Meldung an Auskunftei nicht zulässig (§ 31 BDSG): " + "; ".join(problems)
            return done(Outcome.WAITING if wait else Outcome.HELD, text)
    return done(
        Outcome.APPROVAL,
        f"Freigabe angefragt: {step.stage}",
        approvals=(ApprovalRequest(index, step.stage, _approval_reason(snapshot, step)),),
        skipped=skipped,
    )


_GATED_TEXT = {
    Stage.COURT_HANDOVER: "Abgabe ins gerichtliche Mahnverfahren",
    Stage.ENFORCEMENT: "Zwangsvollstreckung",
    Stage.WRITE_OFF: "Ausbuchung der Forderung",
    Stage.CREDIT_BUREAU_REPORT: "Meldung an eine Auskunftei",
}


def _approval_reason(snapshot: CaseSnapshot, step: Step) -> str:
    reminders = len(snapshot.written_reminders)
    return (
        f"{_GATED_TEXT.get(step.stage, step.stage)} vorgeschlagen: offen {snapshot.open_amount} €, "
        f"{reminders} schriftliche Mahnung(en), letzter Schritt am "
        f"{(snapshot.step_date or snapshot.handed_over).isoformat()}"
    )


def _written_channel(snapshot: CaseSnapshot, preferred: Channel) -> Channel | None:
    email_ok = snapshot.has_email and not snapshot.email_bounced
    letter_ok = snapshot.has_postal_address and not snapshot.letter_returned
    if preferred is Channel.EMAIL and email_ok:
        return Channel.EMAIL
    if letter_ok:
        return Channel.LETTER
    if email_ok:
        return Channel.EMAIL
    return None


def _action(snapshot: CaseSnapshot, step: Step, index: int) -> tuple[Action | None, str]:
    assert step.channel is not None
    channel: Channel = step.channel
    note = ""
    first = not snapshot.first_contact_done
    if first or step.channel in WRITTEN_CHANNELS:
        written = _written_channel(
            snapshot, step.channel if step.channel in WRITTEN_CHANNELS else Channel.LETTER
        )
        if written is None:
            return None, "keine zustellfähige Anschrift und keine E-Mail-Adresse"
        channel = written
        if channel is not step.channel:
            note = f"{channel} statt {step.channel}" + (" (Erstkontakt)" if first else "")
    elif step.channel is Channel.SMS and not snapshot.has_mobile:
        return None, "keine Mobilnummer"
    elif step.channel is Channel.PHONE_TASK and not (snapshot.has_phone or snapshot.has_mobile):
        return None, "keine Telefonnummer"
    return (
        Action(
            index,
            step.stage,
            channel,
            step.template,
            first_contact=first,
            credit_bureau_notice=step.credit_bureau_notice,
            note=note,
        ),
        "",
    )


def base_rate_refusal(half_year: date) -> str:
    """Why no message goes out, and how to fix it (German)."""
    return (
        f"{BASE_RATE_REFUSAL}: Basiszinssatz für das Halbjahr ab "
        f"{half_year.strftime('%d.%m.%Y')} unbekannt; nachtragen mit "
        f"`mahnwerk reference base-rate add {half_year.isoformat()} <Satz> --source <URL>`"
    )


def step_fees(snapshot: CaseSnapshot, step: Step, today: date) -> tuple[FeeCharge, ...]:
    """The fees ``step`` charges today (see the module docstring)."""
    charges: list[FeeCharge] = []
    claims = snapshot.claims
    first_demand = min(snapshot.written_reminders, default=None)
    for rule in step.fees:
        if rule.code is FeeCode.AGENCY_FEE and rule.factor is not None:
            value = (
                sum(
                    (c.principal for c in claims if c.in_default_on(snapshot.handed_over)),
                    ZERO,
                )
                if claims
                else snapshot.principal
            )
            if "VV 2300" in snapshot.cost_codes or value <= 0:
                continue
            factor = effective_agency_factor(rule.factor, first_demand, today)
            breakdown = agency_fee(value, snapshot.handed_over, factor=factor)
            charges.extend(
                FeeCharge(line.code, line.label, line.amount) for line in breakdown.lines
            )
        elif rule.code is FeeCode.DUNNING_FLAT and rule.amount is not None:
            if any(not c.in_default_on(today) for c in claims):
                continue  # this reminder puts a claim in default: not the debtor's cost
            charges.append(FeeCharge("MAHNPAUSCHALE", f"Mahnpauschale ({step.stage})", rule.amount))
        elif rule.code is FeeCode.DEFAULT_FLAT_FEE and not snapshot.consumer:
            charges.extend(
                FeeCharge(FLAT_FEE_CODE, FLAT_FEE_LABEL, FLAT_FEE_AMOUNT, claim=c.key)
                for c in claims
                if c.entgelt and c.in_default_on(today) and not c.flat_fee_charged
            )
    return tuple(charges)


def defaults_by_reminder(
    claims: Sequence[ClaimFacts], letter_day: date, receipt_days: int = DEFAULT_RECEIPT_DAYS
) -> tuple[tuple[int, date], ...]:
    """The claims a written reminder of ``letter_day`` puts in default (§ 286 Abs. 1 BGB) and
    their new first day of interest: those due by that day and not in default by then (or only
    later). The reminder is taken to arrive ``receipt_days`` later (an assumption, see
    :mod:`mahnwerk.domain.default`); interest runs from the day after.

    >>> due = ClaimFacts(1, Decimal("100"), None, date(2026, 3, 1))
    >>> later = ClaimFacts(2, Decimal("100"), None, date(2026, 4, 1))
    >>> already = ClaimFacts(3, Decimal("100"), date(2026, 3, 2), date(2026, 3, 1))
    >>> defaults_by_reminder([due, later, already], date(2026, 3, 10))
    ((1, datetime.date(2026, 3, 15)),)
    """
    day = default_by_reminder(letter_day, receipt_days)
    return tuple(
        (c.key, day)
        for c in claims
        if c.due_date is not None
        and c.due_date <= letter_day
        and (c.default_from is None or c.default_from > day)
    )


def is_written_reminder(stage: Stage, channel: Channel) -> bool:
    """Whether a sent message counts as a written reminder (§ 31 Abs. 2 Nr. 4 a BDSG)."""
    return stage in REMINDER_STAGES and channel in WRITTEN_CHANNELS
