"""Payment plans from affordability: proposals from what the debtor states, the choice of
one of them, the agent's decision on what the creditor's limits do not cover, and the
checks of every plan and promise an agent enters.

One entry point for every channel (portal, the agent's call view, the assistant), free of
web concerns: :func:`propose_affordable_plan` takes the stated finances and returns a
:class:`PlanOffer` – the capacity and how it was found, the proposal and its two
alternatives (:mod:`mahnwerk.domain.affordability`), each with the probability that it is
completed and three reasons from the active plan-completion model
(:mod:`mahnwerk.services.plan_model`), and the § 13a Abs. 3 RDG cost notice. Every offer is
stored (``plan_offer``) with the model's output, like every other model decision.

Then :func:`submit_offer` agrees the option chosen after the notice was shown: a plan at
once when it is within the creditor's limits (``creditor.settings["plan_limits"]``; without
limits a person decides every plan the debtor proposes), otherwise a decision for an agent
(a ``plan_review`` task) with the numbers, which :func:`decide_offer` takes: accept,
counter-offer (checked like anything an agent enters) or decline with a note the debtor
reads. The debtor sees the state of the latest proposal (:func:`debtor_status`) and may
accept a counter-offer (:func:`accept_counter`).

Agents' plans and promises go through :func:`check_agent_plan` / :func:`agree_plan`: the
same limits as in the portal (first due date not in the past and within
:data:`~mahnwerk.domain.affordability.MAX_START_DAYS` days, instalment above zero and not
above what is owed, the creditor's minimum instalment – never above what is owed – and
maximum months), every problem tied to its form field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain.affordability import (
    Budget,
    Capacity,
    Finances,
    PlanLimits,
    PlanOption,
    Problem,
    affordable_capacity,
    check_finances,
    check_plan,
    plan_option,
    propose,
)
from mahnwerk.domain.money import format_eur
from mahnwerk.services import audit, cases, events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.workspace import workflow
from mahnwerk.store.models import Case, Creditor
from mahnwerk.store.plans import PlanOffer as OfferRow
from mahnwerk.store.workflow import PaymentPlan, Task

if TYPE_CHECKING:
    from mahnwerk.config import Settings
    from mahnwerk.services.plans.completion import Completion

#: limits of a creditor that set none (agents stay within them; the portal sends every
#: plan of such a creditor to a person)
DEFAULT_LIMITS = PlanLimits(12, Decimal("25.00"))
#: problems that make an option impossible, not merely outside the creditor's limits
HARD_PROBLEMS = frozenset({"start_past", "start_range", "amount", "above_owed", "count"})
#: the first instalment of a proposal, unless the debtor picks a day
DEFAULT_START = timedelta(days=14)
SUBMITTED = ("pending", "countered", "accepted", "declined")
DECISIONS = ("accept", "counter", "decline")


class PlanInputError(ValueError):
    """Refused input: every problem with the form field it belongs to."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.text for p in self.problems))

    @property
    def errors(self) -> dict[str, str]:
        """Field → German message (the first problem of each field)."""
        out: dict[str, str] = {}
        for p in self.problems:
            out.setdefault(p.field, p.text)
        return out


def _refuse(field_name: str, code: str, text: str) -> PlanInputError:
    return PlanInputError([Problem(field_name, code, text)])


@dataclass(frozen=True)
class PlanContext:
    """What a proposal needs from the installation: the budget assumptions and where the
    plan-completion models live (``None``: proposals without a probability)."""

    budget: Budget = field(default_factory=Budget)
    var_dir: Path | None = None


def plan_context(settings: Settings) -> PlanContext:
    return PlanContext(
        budget=Budget(
            margin=settings.affordability_margin,
            living_costs=settings.affordability_living_costs,
            living_costs_per_dependant=settings.affordability_living_costs_per_dependant,
        ),
        var_dir=settings.var_dir,
    )


def creditor_limits(creditor: Creditor) -> tuple[PlanLimits, bool]:
    """The creditor's plan limits and whether it set them (else :data:`DEFAULT_LIMITS`)."""
    raw = (creditor.settings or {}).get("plan_limits")
    if isinstance(raw, dict):
        try:
            months = int(raw["max_months"])
            minimum = Decimal(str(raw["min_instalment"]))
        except (KeyError, ValueError, TypeError, InvalidOperation):
            return DEFAULT_LIMITS, False
        if months >= 1 and minimum.is_finite() and minimum >= 0:
            return PlanLimits(months, minimum), True
    return DEFAULT_LIMITS, False


# ------------------------------------------------------------------------------ input

_MONEY = re.compile(r"^\d+([.,]\d{1,2})?$")


def parse_money(text: str | None) -> Decimal | None:
    """``1.234,50``, ``1234,50``, ``1234.50`` or ``1234`` (with or without €) → Decimal;
    ``None`` if it is not an amount in cents.

    >>> parse_money("1.234,50 €"), parse_money("80"), parse_money("12,345"), parse_money("")
    (Decimal('1234.50'), Decimal('80.00'), None, None)
    """
    if text is None:
        return None
    raw = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
    if "," in raw:
        raw = raw.replace(".", "")
    elif raw.count(".") == 1 and len(raw.split(".")[1]) == 3:
        raw = raw.replace(".", "")  # 1.200 is twelve hundred, as written in Germany
    if not _MONEY.match(raw):
        return None
    return Decimal(raw.replace(",", ".")).quantize(Decimal("0.01"))


def parse_finances(net_income: str, dependants: str, rent: str, fixed_costs: str) -> Finances:
    """Stated finances from form text; rent and fixed costs may be left empty (none).
    Raises :class:`PlanInputError` with every problem."""
    income = parse_money(net_income)
    dep_text = dependants.strip() or "0"
    deps = int(dep_text) if dep_text.isdigit() else None
    rent_value = parse_money(rent) if rent.strip() else Decimal("0.00")
    fixed_value = parse_money(fixed_costs) if fixed_costs.strip() else Decimal("0.00")
    problems = check_finances(income, deps, rent_value, fixed_value)
    if problems or income is None or deps is None or rent_value is None or fixed_value is None:
        raise PlanInputError(problems)
    return Finances(income, deps, rent_value, fixed_value)


def parse_start(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _refuse("start", "start", "Bitte ein Datum angeben.") from None


# ------------------------------------------------------------------------------ offers


@dataclass(frozen=True)
class OptionView:
    """One plan of an offer with what the model says about it."""

    label: str  # proposal, shorter, longer, named
    instalment: Decimal
    count: int
    last_instalment: Decimal
    start: date
    end: date
    total: Decimal
    affordable: bool
    within_limits: bool
    problems: tuple[Problem, ...] = ()
    p_complete: float | None = None
    reasons: tuple[str, ...] = ()

    def to_json(self, codes: Sequence[str] = ()) -> dict[str, Any]:
        return {
            "label": self.label,
            "instalment": str(self.instalment),
            "count": self.count,
            "last_instalment": str(self.last_instalment),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "total": str(self.total),
            "affordable": self.affordable,
            "within_limits": self.within_limits,
            "problems": [
                [p.field, p.code, p.text, [list(v) for v in p.values]] for p in self.problems
            ],
            "p_complete": self.p_complete,
            "reasons": list(self.reasons),
            "reason_codes": list(codes),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> OptionView:
        return cls(
            label=str(d["label"]),
            instalment=Decimal(d["instalment"]),
            count=int(d["count"]),
            last_instalment=Decimal(d["last_instalment"]),
            start=date.fromisoformat(d["start"]),
            end=date.fromisoformat(d["end"]),
            total=Decimal(d["total"]),
            affordable=bool(d["affordable"]),
            within_limits=bool(d["within_limits"]),
            problems=tuple(
                Problem(p[0], p[1], p[2], tuple((str(k), str(v)) for k, v in p[3]))
                for p in d.get("problems", [])
            ),
            p_complete=d.get("p_complete"),
            reasons=tuple(d.get("reasons", [])),
        )


def _view(o: PlanOption, c: Completion | None) -> OptionView:
    return OptionView(
        label=o.label,
        instalment=o.instalment,
        count=o.count,
        last_instalment=o.last_instalment,
        start=o.start,
        end=o.end,
        total=o.total,
        affordable=o.affordable,
        within_limits=o.within_limits,
        problems=o.problems,
        p_complete=None if c is None else round(c.p_complete, 4),
        reasons=() if c is None else c.reasons,
    )


@dataclass(frozen=True)
class PlanOffer:
    """A stored proposal: the capacity from the stated finances, the options, the notice."""

    offer_id: int
    case_id: int
    reference: str
    total_open: Decimal
    limits: PlanLimits
    limits_configured: bool
    capacity: Capacity | None
    options: tuple[OptionView, ...]
    notice: str
    agreement_fee: Decimal | None
    model_version: str | None
    reason: str | None = None

    def option(self, label: str) -> OptionView | None:
        return next((o for o in self.options if o.label == label), None)

    @property
    def proposal(self) -> OptionView | None:
        return self.option("proposal")

    @property
    def alternatives(self) -> tuple[OptionView, ...]:
        return tuple(o for o in self.options if o.label in ("shorter", "longer"))

    def agreed_at_once(self, option: OptionView) -> bool:
        """A debtor's choice becomes a plan without a person (else an agent decides)."""
        return self.limits_configured and option.within_limits

    @property
    def explanation(self) -> str:
        return self.capacity.explain() if self.capacity is not None else ""


def _load_case(session: Session, actor: Actor, case_id: int, purpose: str) -> Case:
    if actor.kind == "debtor" and actor.id != str(case_id):
        raise LookupError(case_id)
    case = cases.get_case(session, actor, case_id, purpose=purpose)
    if case is None:
        raise LookupError(case_id)
    return case


def _source(actor: Actor, source: str | None) -> str:
    return source or ("portal" if actor.kind == "debtor" else "agent")


def propose_affordable_plan(
    session: Session,
    actor: Actor,
    case_id: int,
    finances: Finances,
    today: date,
    *,
    context: PlanContext | None = None,
    start: date | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> PlanOffer:
    """The plan the debtor's stated ``finances`` allow on ``today`` and its two
    alternatives, stored as an offer (nothing is agreed yet). ``start``: the first due date
    (default: in 14 days). Raises :class:`PlanInputError` (nothing open, a first due date
    out of range) or ``LookupError`` (no such case for this actor)."""
    ctx = context or PlanContext()
    moment = now or utcnow()
    first = start or today + DEFAULT_START
    case = _load_case(session, actor, case_id, "plan_offer")
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    total = cases.statement(case, today).totals.total_open
    if total <= 0:
        raise _refuse("net_income", "nothing_open", "Es ist nichts mehr offen.")
    limits, configured = creditor_limits(creditor)
    hard = [p for p in check_plan(total, 1, first, total, limits, today) if p.field == "start"]
    if hard:
        raise PlanInputError(hard)
    offer = propose(finances, total, limits, first, today, ctx.budget)
    capacity = float(offer.capacity.instalment)
    scored = _score(session, ctx, case.id, offer.options, capacity, moment)
    views = tuple(_view(o, scored[i] if scored else None) for i, o in enumerate(offer.options))
    codes = [scored[i].reason_codes if scored else () for i in range(len(views))]
    notice = workflow.plan_notice(case, today)
    version = scored[0].model_version if scored else None
    _supersede(session, case.id, ("offered",))
    row = OfferRow(
        case_id=case.id,
        created_at=moment,
        source=_source(actor, source),
        actor=actor.label,
        net_income=finances.net_income,
        dependants=finances.dependants,
        rent=finances.rent,
        fixed_costs=finances.fixed_costs,
        capacity=offer.capacity.instalment,
        total_open=total,
        max_months=limits.max_months,
        min_instalment=limits.min_instalment,
        options=[v.to_json(c) for v, c in zip(views, codes, strict=True)],
        cost_notice=notice.text[:1000],
        model_version=version,
        status="offered",
    )
    session.add(row)
    session.flush()
    proposal = offer.proposal
    events.emit(
        session,
        case,
        "plan.offered",
        actor,
        offer_id=row.id,
        instalment=str(proposal.instalment) if proposal else None,
        count=proposal.count if proposal else None,
        p_complete=views[0].p_complete if proposal and views else None,
        model_version=version,
    )
    audit.record(
        session,
        actor,
        "create",
        "plan_offer",
        row.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"model_version": version},
    )
    return PlanOffer(
        offer_id=row.id,
        case_id=case.id,
        reference=case.reference,
        total_open=total,
        limits=limits,
        limits_configured=configured,
        capacity=offer.capacity,
        options=views,
        notice=notice.text,
        agreement_fee=notice.fee.total if notice.fee else None,
        model_version=version,
        reason=offer.reason,
    )


def _score(
    session: Session,
    ctx: PlanContext,
    case_id: int,
    options: tuple[PlanOption, ...],
    capacity: float | None,
    now: datetime,
) -> list[Completion] | None:
    if ctx.var_dir is None:
        return None
    try:  # imported here: the web pages load without the model libraries until asked
        from mahnwerk.services.plans.completion import score_options

        return score_options(session, ctx.var_dir, case_id, options, capacity, now)
    except Exception:  # a proposal never fails because the model could not be asked
        return None


def _supersede(session: Session, case_id: int, statuses: Sequence[str]) -> None:
    for old in session.scalars(
        select(OfferRow).where(OfferRow.case_id == case_id, OfferRow.status.in_(statuses))
    ):
        old.status = "superseded"
        if old.task_id is not None:
            task = session.get(Task, old.task_id)
            if task is not None and task.status == "open":
                task.status = "done"
                task.closed_at = utcnow()
                task.closed_by = "system:superseded"


def offer_of(session: Session, actor: Actor, offer_id: int) -> OfferRow:
    """A stored offer the actor may act on (a debtor: only of their own case)."""
    row = session.get(OfferRow, offer_id)
    if row is None:
        raise LookupError(offer_id)
    if actor.kind == "debtor":
        if actor.id != str(row.case_id):
            raise LookupError(offer_id)
    else:
        case = session.get(Case, row.case_id)
        if case is None or not actor.may_see_creditor(case.creditor_id):
            raise LookupError(offer_id)
    return row


def offer_view(session: Session, row: OfferRow, context: PlanContext | None = None) -> PlanOffer:
    """A stored offer as the pages show it again (the capacity from the stated finances on
    the day of the offer, with ``context``'s budget)."""
    case = session.get(Case, row.case_id)
    creditor = session.get(Creditor, case.creditor_id) if case else None
    assert case is not None and creditor is not None
    _, configured = creditor_limits(creditor)
    return PlanOffer(
        offer_id=row.id,
        case_id=row.case_id,
        reference=case.reference,
        total_open=row.total_open,
        limits=PlanLimits(row.max_months, row.min_instalment),
        limits_configured=configured,
        capacity=_capacity_of(row, context),
        options=tuple(OptionView.from_json(o) for o in row.options or []),
        notice=row.cost_notice,
        agreement_fee=None,
        model_version=row.model_version,
    )


def _capacity_of(row: OfferRow, context: PlanContext | None) -> Capacity | None:
    if row.net_income is None or row.dependants is None or context is None:
        return None
    finances = Finances(
        row.net_income, row.dependants, row.rent or Decimal(0), row.fixed_costs or Decimal(0)
    )
    return affordable_capacity(finances, today_in_germany(row.created_at), context.budget)


@dataclass(frozen=True)
class Submission:
    offer_id: int
    option: OptionView
    accepted: bool
    plan_id: int | None


def submit_offer(
    session: Session, actor: Actor, offer_id: int, label: str, today: date
) -> Submission:
    """The debtor (or the agent for them) agrees to one option after reading the notice.

    Within the creditor's limits it is a plan at once. Outside them a debtor's choice goes
    to an agent with the numbers (a ``plan_review`` task); an agent cannot agree a plan
    outside the limits (:class:`PlanInputError` on the field)."""
    row = offer_of(session, actor, offer_id)
    if row.status != "offered":
        raise _refuse("option", "submitted", "Dieser Vorschlag ist schon abgeschickt.")
    view = offer_view(session, row)
    option = view.option(label)
    if option is None:
        raise _refuse("option", "option", "Bitte wählen Sie einen der Vorschläge.")
    case = session.get(Case, row.case_id)
    creditor = session.get(Creditor, case.creditor_id) if case else None
    assert case is not None and creditor is not None
    limits, configured = creditor_limits(creditor)
    owed = cases.statement(case, today).totals.total_open
    problems = check_plan(option.instalment, option.count, option.start, owed, limits, today)
    hard = [p for p in problems if p.code in HARD_PROBLEMS]
    if hard:
        raise PlanInputError(hard)
    staff = actor.kind != "debtor"
    if staff and problems:
        raise PlanInputError(problems)
    row.chosen = option.label
    row.instalment = option.instalment
    row.count = option.count
    row.start = option.start
    row.within_limits = not problems
    row.p_complete = option.p_complete
    _supersede(session, case.id, ("pending", "countered"))
    data = {
        "offer_id": row.id,
        "amount": str(option.instalment),
        "start": option.start.isoformat(),
        "count": option.count,
        "total": str(owed),
        "cost_notice": row.cost_notice,
        "source": row.source,
    }
    events.emit(
        session, case, "plan.proposed", actor, within_limits=not problems, option=label, **data
    )
    if staff or (configured and not problems):
        plan = workflow.add_plan(
            session,
            actor,
            case.id,
            amount=option.instalment,
            start=option.start,
            count=option.count,
            today=today,
        )
        row.status = "accepted"
        row.plan_id = plan.id
        if staff:
            row.decided_by = actor.label
            row.decided_at = utcnow()
        return Submission(row.id, option, True, plan.id)
    row.status = "pending"
    task = workflow.add_task(
        session,
        case.id,
        "plan_review",
        f"plan_offer:{row.id}",
        _review_text(row, option, problems),
        data=data | {"p_complete": option.p_complete, "problems": [p.text for p in problems]},
    )
    row.task_id = task.id if task is not None else None
    return Submission(row.id, option, False, None)


def _review_text(row: OfferRow, option: OptionView, problems: Sequence[Problem]) -> str:
    why = "; ".join(p.text for p in problems) or "der Mandant hat keine Grenzen hinterlegt"
    stated = (
        f" Angaben: {format_eur(row.net_income)} netto, {row.dependants} Unterhaltspflichten, "
        f"möglich {format_eur(row.capacity)} im Monat."
        if row.net_income is not None and row.capacity is not None
        else ""
    )
    p = (
        f" Abschlusswahrscheinlichkeit {round(100 * option.p_complete)} %."
        if option.p_complete is not None
        else ""
    )
    return (
        f"Ratenvorschlag aus dem Schuldnerportal: {format_eur(option.instalment)} monatlich ab "
        f"{option.start:%d.%m.%Y}, {option.count} Raten – {why}.{stated}{p} Bitte annehmen, "
        "Gegenvorschlag machen oder ablehnen."
    )[:500]


def named_offer(
    session: Session,
    actor: Actor,
    case: Case,
    amount: Decimal,
    start: date,
    today: date,
) -> OfferRow:
    """An offer of the instalment the debtor named (no finances stated), so that it is
    submitted and decided like any other."""
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    limits, _ = creditor_limits(creditor)
    total = cases.statement(case, today).totals.total_open
    option = plan_option("named", total, amount, start, limits, None, today)
    view = _view(option, None)
    _supersede(session, case.id, ("offered",))
    row = OfferRow(
        case_id=case.id,
        created_at=utcnow(),
        source=_source(actor, None),
        actor=actor.label,
        total_open=total,
        max_months=limits.max_months,
        min_instalment=limits.min_instalment,
        options=[view.to_json()],
        cost_notice=workflow.plan_notice(case, today).text[:1000],
        status="offered",
    )
    session.add(row)
    session.flush()
    return row


# -------------------------------------------------------------------- agent's decision


def decide_offer(
    session: Session,
    actor: Actor,
    offer_id: int,
    decision: str,
    today: date,
    *,
    note: str = "",
    instalment: str = "",
    count: str = "",
    start: str = "",
) -> OfferRow:
    """An agent decides a debtor's proposal: ``accept`` (a plan on its terms), ``counter``
    (other terms, checked like every plan an agent enters; the debtor may accept them in
    the portal) or ``decline`` (with a note the debtor reads)."""
    if actor.kind == "system" or not actor.is_staff or actor.kind == "debtor":
        raise PermissionError("nur Sachbearbeitung entscheidet über Ratenvorschläge")
    row = offer_of(session, actor, offer_id)
    if row.status != "pending":
        raise _refuse("decision", "decided", "Über diesen Vorschlag ist schon entschieden.")
    if decision not in DECISIONS:
        raise _refuse("decision", "decision", "Bitte annehmen, Gegenvorschlag oder ablehnen.")
    case = session.get(Case, row.case_id)
    assert case is not None
    assert row.instalment is not None and row.count is not None and row.start is not None
    if decision == "accept":
        if row.start < today:
            raise _refuse(
                "start",
                "start_past",
                "Die erste Rate liegt schon in der Vergangenheit – bitte einen Gegenvorschlag "
                "mit neuem Datum machen.",
            )
        plan = workflow.add_plan(
            session,
            actor,
            case.id,
            amount=row.instalment,
            start=row.start,
            count=row.count,
            today=today,
        )
        row.plan_id = plan.id
        row.status = "accepted"
    elif decision == "counter":
        amount, n, first = check_agent_plan(
            session, actor, case.id, instalment, count, start, today, purpose="plan_counter"
        )
        row.counter_instalment, row.counter_count, row.counter_start = amount, n, first
        row.status = "countered"
    else:
        if len(note.strip()) < 3:
            raise _refuse("note", "note", "Bitte eine kurze Begründung für die Ablehnung.")
        row.status = "declined"
    row.decided_by = actor.label
    row.decided_at = utcnow()
    row.decision_note = note.strip()[:500] or None
    if row.task_id is not None:
        task = session.get(Task, row.task_id)
        if task is not None and task.status == "open":
            workflow.close_task(session, actor, task.id)
    counter = (
        {
            "instalment": str(row.counter_instalment),
            "count": row.counter_count,
            "start": row.counter_start.isoformat() if row.counter_start else None,
        }
        if decision == "counter"
        else {}
    )
    events.emit(session, case, f"plan.{_PAST[decision]}", actor, offer_id=row.id, **counter)
    audit.record(
        session,
        actor,
        decision,
        "plan_offer",
        row.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
    )
    return row


_PAST = {"accept": "accepted", "counter": "countered", "decline": "declined"}


def accept_counter(session: Session, actor: Actor, offer_id: int, today: date) -> PaymentPlan:
    """The debtor accepts the agent's counter-offer (after reading the cost notice)."""
    row = offer_of(session, actor, offer_id)
    if row.status != "countered":
        raise _refuse("offer", "not_countered", "Dazu gibt es keinen offenen Gegenvorschlag.")
    assert row.counter_instalment is not None and row.counter_count is not None
    assert row.counter_start is not None
    if row.counter_start < today:
        raise _refuse(
            "offer",
            "expired",
            "Der Gegenvorschlag ist abgelaufen (erste Rate in der Vergangenheit). Bitte "
            "schlagen Sie neue Raten vor.",
        )
    plan = workflow.add_plan(
        session,
        actor,
        row.case_id,
        amount=row.counter_instalment,
        start=row.counter_start,
        count=row.counter_count,
        today=today,
    )
    row.status = "accepted"
    row.plan_id = plan.id
    row.instalment, row.count, row.start = (
        row.counter_instalment,
        row.counter_count,
        row.counter_start,
    )
    return plan


def debtor_status(session: Session, case_id: int) -> OfferRow | None:
    """The latest proposal the debtor sent (pending, countered, accepted or declined)."""
    return session.scalar(
        select(OfferRow)
        .where(OfferRow.case_id == case_id, OfferRow.status.in_(SUBMITTED))
        .order_by(OfferRow.id.desc())
        .limit(1)
    )


def pending_offers(session: Session, case_id: int) -> list[OfferRow]:
    """The debtor's proposals waiting for an agent's decision."""
    return list(
        session.scalars(
            select(OfferRow)
            .where(OfferRow.case_id == case_id, OfferRow.status == "pending")
            .order_by(OfferRow.id)
        )
    )


@dataclass(frozen=True)
class PendingOffer:
    """A debtor's proposal waiting for an agent, with what the agent needs to decide."""

    row: OfferRow
    option: OptionView | None
    capacity: Capacity | None


def pending_views(
    session: Session, case_id: int, context: PlanContext | None = None
) -> list[PendingOffer]:
    out = []
    for row in pending_offers(session, case_id):
        view = offer_view(session, row, context)
        out.append(PendingOffer(row, view.option(row.chosen or ""), view.capacity))
    return out


def shown_offer(
    session: Session,
    actor: Actor,
    case_id: int,
    offer_id: str,
    context: PlanContext | None = None,
) -> PlanOffer | None:
    """The offer named in a page's address, if it is one of this case's the actor may see."""
    if not offer_id.isdigit():
        return None
    try:
        row = offer_of(session, actor, int(offer_id))
    except LookupError:
        return None
    if row.case_id != case_id:
        return None
    return offer_view(session, row, context)


# -------------------------------------------------------------------- agents' input


def check_agent_plan(
    session: Session,
    actor: Actor,
    case_id: int,
    amount_text: str,
    count_text: str,
    start_text: str,
    today: date,
    *,
    purpose: str = "plan_check",
) -> tuple[Decimal, int, date]:
    """A plan (``count`` > 1) or promise (``count`` = 1) an agent entered, parsed and
    checked against the creditor's limits; :class:`PlanInputError` names every field."""
    problems: list[Problem] = []
    amount = parse_money(amount_text)
    if amount is None or amount <= 0:
        problems.append(Problem("amount", "amount", "Bitte einen Betrag angeben, z. B. 50,00."))
    count_raw = count_text.strip() or "1"
    count = int(count_raw) if count_raw.isdigit() else None
    if count is None or count < 1:
        problems.append(Problem("count", "count", "Bitte die Anzahl der Raten angeben."))
    try:
        first: date | None = date.fromisoformat(start_text.strip())
    except ValueError:
        first = None
        problems.append(Problem("start", "start", "Bitte ein Datum angeben."))
    case = _load_case(session, actor, case_id, purpose)
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    owed = cases.statement(case, today).totals.total_open
    if owed <= 0:
        problems.append(Problem("amount", "nothing_open", "Es ist nichts mehr offen."))
    if problems or amount is None or count is None or first is None:
        raise PlanInputError(problems)
    limits, _ = creditor_limits(creditor)
    problems = check_plan(amount, count, first, owed, limits, today)
    if problems:
        raise PlanInputError(problems)
    return amount, count, first


def agree_plan(
    session: Session,
    actor: Actor,
    case_id: int,
    amount_text: str,
    count_text: str,
    start_text: str,
    today: date,
    *,
    kind: str | None = None,
) -> PaymentPlan:
    """An agent agrees a plan or promise (after the cost notice): checked, then stored."""
    amount, count, first = check_agent_plan(
        session, actor, case_id, amount_text, count_text, start_text, today
    )
    return workflow.add_plan(
        session,
        actor,
        case_id,
        amount=amount,
        start=first,
        count=count,
        kind=kind or ("plan" if count > 1 else "promise"),
        today=today,
    )
