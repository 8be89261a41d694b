"""The assistant's use case: one message of a debtor in, one answer out – with what the
portal would do for it (record a promise, open a dispute, offer a plan, hand over to a
person).

:func:`reply` reads the case as the portal does (:func:`mahnwerk.services.portal.overview`,
an audited read of the one case of the session), understands the message
(:mod:`mahnwerk.assistant.understand`), acts through the portal's and the workflow's own
use cases, and stores both messages (:mod:`.conversation`), a timeline event and an audit
entry. It acts as the debtor of the case: a debtor actor may only ask about its own case,
and a reference to any other case in the message is refused without reading that case.

What the assistant does per intent, and the reasons for the choices the issue left open, are
in the README (section "Portal assistant").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.assistant.entities import Entities
from mahnwerk.assistant.intents import INTENTS
from mahnwerk.assistant.model import IntentModel, load_or_train
from mahnwerk.assistant.understand import Understanding, is_no, is_yes, understand
from mahnwerk.domain.case_reference import find_case_references
from mahnwerk.domain.dunning import DEFAULT_GRACE_DAYS
from mahnwerk.domain.money import format_eur
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.assistant import texts
from mahnwerk.services.assistant.conversation import (
    MAX_TEXT,
    add_message,
    open_conversation,
    transcript,
)
from mahnwerk.services.assistant.office import (
    OfficeHours,
    expectation,
    holiday_calendar,
    parse_office_hours,
)
from mahnwerk.services.assistant.plans import PlanOffer, accept_offer, offer_plan
from mahnwerk.services.portal import debtor as portal
from mahnwerk.services.workspace import workflow
from mahnwerk.store.assistant import Conversation
from mahnwerk.store.models import Address, Case, ContactPoint, Creditor
from mahnwerk.store.workflow import Dispute, Task

#: flags that pause dunning when the assistant hands over (law or decency)
PAUSING = {"deceased": "deceased", "insolvency": "insolvency", "hardship": "hardship"}
#: how far ahead a promise to pay is recorded without a person (the portal's first-instalment
#: limit); later dates go to a person
PROMISE_MAX_DAYS = portal.MAX_START_DAYS
_REFERENCE_LIKE = re.compile(r"\bMW[\s\-_./]*\d{6,}", re.IGNORECASE)


class AssistantError(ValueError):
    """A message the assistant cannot take (empty, or not the actor's case)."""


@dataclass(frozen=True)
class AssistantConfig:
    """What :func:`reply` needs besides the session: built from the settings by the shells
    (:meth:`from_settings`); the defaults serve tests and scripts."""

    agency_name: str = "mahnwerk Inkasso"
    office_hours: OfficeHours = field(
        default_factory=lambda: parse_office_hours("Mo-Fr 08:00-18:00")
    )
    documents_dir: Path = Path("var/documents")
    model_dir: Path | None = None
    channel: str = "portal"

    @classmethod
    def from_settings(cls, settings: Any, channel: str = "portal") -> AssistantConfig:
        return cls(
            agency_name=settings.agency_name,
            office_hours=parse_office_hours(
                settings.office_hours, holiday_calendar(settings.agency_land)
            ),
            documents_dir=settings.documents_dir,
            model_dir=settings.assistant_dir,
            channel=channel,
        )

    def model(self) -> IntentModel:
        return load_or_train(self.model_dir)


@dataclass(frozen=True)
class Reply:
    conversation_id: int
    intent: str
    confidence: float
    entities: dict[str, Any]
    reply: str
    handover: bool
    actions: list[dict[str, Any]]
    #: for the chat panel: the plan offer waiting for a yes, the payment data with GiroCode
    offer: dict[str, Any] | None = None
    pay: portal.PayInfo | None = None
    source: str = "model"

    def as_json(self) -> dict[str, Any]:
        """The answer as ``mahnwerk assistant reply --format json`` prints it."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": self.entities,
            "reply": self.reply,
            "handover": self.handover,
            "actions": self.actions,
            "conversation_id": self.conversation_id,
        }


@dataclass
class _Turn:
    """Everything one message needs while it is being answered."""

    session: Session
    actor: Actor
    debtor: Actor
    view: portal.Overview
    conv: Conversation
    text: str
    today: date
    now: datetime
    config: AssistantConfig

    @property
    def case(self) -> Case:
        return self.view.case

    @property
    def creditor(self) -> Creditor:
        return self.view.creditor


@dataclass
class _Outcome:
    text: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    handover: bool = False
    pay: portal.PayInfo | None = None
    offer: dict[str, Any] | None = None


def _check_actor(actor: Actor, case_id: int) -> None:
    """A debtor speaks only about the case of their session; staff (the command line) may
    speak for any case they may see (checked by the read)."""
    if actor.kind == "debtor" and actor.id != str(case_id):
        raise AssistantError("ein Schuldner kann nur zu seinem eigenen Vorgang schreiben")
    if not (actor.kind == "debtor" or actor.is_staff):
        raise AssistantError("der Assistent antwortet nur Schuldnern und der Kommandozeile")


def reply(
    session: Session,
    actor: Actor,
    case_id: int,
    text: str,
    conversation_id: int | None,
    today: date,
    *,
    config: AssistantConfig | None = None,
    now: datetime | None = None,
) -> Reply:
    """Answer one message of the debtor of ``case_id`` (see the module docstring).

    Raises :class:`AssistantError` for an empty message or a debtor writing about another
    case, and ``LookupError`` for a case that does not exist."""
    config = config or AssistantConfig()
    now = now or utcnow()
    message = text.strip()[:MAX_TEXT]
    if not message:
        raise AssistantError("die Nachricht ist leer")
    _check_actor(actor, case_id)
    view = portal.overview(session, case_id, today, actor.origin)
    case = view.case
    debtor = portal.debtor_actor(case.id, case.creditor_id, actor.origin)
    conv = open_conversation(session, case, conversation_id, config.channel, now)
    first = conv.started_at == now and conversation_id != conv.id
    incoming = add_message(session, conv, "debtor", message, now)
    turn = _Turn(session, actor, debtor, view, conv, message, today, now, config)

    understood: Understanding | None = None
    if conv.pending_offer and is_yes(message):
        intent, confidence, source, entities = "plan", 1.0, "dialog", Entities()
        outcome = _accept_pending(turn)
    elif conv.pending_offer and is_no(message):
        conv.pending_offer = None
        intent, confidence, source, entities = "plan", 1.0, "dialog", Entities()
        outcome = _Outcome(texts.PLAN_DECLINED, [{"kind": "plan_offer_declined"}])
    else:
        understood = understand(message, today, config.model())
        intent, confidence = understood.intent, understood.confidence
        source, entities = understood.source, understood.entities
        outcome = _refuse_other_case(turn) or _act(turn, understood)

    answer = outcome.text
    if first:
        answer = f"{texts.intro(config.agency_name, case.reference)}\n\n{answer}"
    incoming.intent, incoming.confidence, incoming.source = intent, confidence, source
    incoming.entities, incoming.handover = entities.as_json(), outcome.handover
    incoming.actions = outcome.actions
    outgoing = add_message(session, conv, "assistant", answer, now, actions=outcome.actions)
    if conv.handover_task_id is not None:
        _sync_task(session, conv, understood)
    events.emit(
        session,
        case,
        "assistant.message",
        debtor,
        conversation_id=conv.id,
        message_id=incoming.id,
        intent=intent,
        confidence=round(confidence, 3),
        handover=outcome.handover,
        actions=[a["kind"] for a in outcome.actions],
    )
    for m in (incoming, outgoing):
        audit.record(
            session,
            actor,
            "create",
            "assistant_message",
            m.id,
            case_id=case.id,
            creditor_id=case.creditor_id,
            details={"conversation": conv.id, "sender": m.sender, "intent": intent},
        )
    return Reply(
        conversation_id=conv.id,
        intent=intent,
        confidence=confidence,
        entities=entities.as_json(),
        reply=answer,
        handover=outcome.handover,
        actions=outcome.actions,
        offer=conv.pending_offer,
        pay=outcome.pay,
        source=source,
    )


# ------------------------------------------------------------------------- dispatch


def _refuse_other_case(turn: _Turn) -> _Outcome | None:
    """A reference to any case but this one: refused, and nothing about it is read."""
    others = [n for n in find_case_references(turn.text) if n != turn.case.id]
    own = turn.case.reference.replace("-", "")
    stray = [
        m.group(0)
        for m in _REFERENCE_LIKE.finditer(turn.text)
        if re.sub(r"[\s\-_./]", "", m.group(0)).upper() not in own.upper()
    ]
    if not others and not stray:
        return None
    return _Outcome(
        texts.OTHER_CASE.format(ref=turn.case.reference), [{"kind": "refused_other_case"}]
    )


def _act(turn: _Turn, u: Understanding) -> _Outcome:
    if u.handover:
        return _hand_over(turn, u)
    handlers = {
        "balance": lambda: _Outcome(texts.balance(turn.view)),
        "explain": lambda: _Outcome(texts.explain(turn.view)),
        "payment_details": lambda: _payment_details(turn),
        "paid_already": lambda: _dispute(turn, "paid_already"),
        "dispute": lambda: _dispute(turn, "dispute"),
        "plan": lambda: _plan(turn, u.entities),
        "promise": lambda: _promise(turn, u),
        "contact_preference": lambda: _contact(turn, u),
        "address_change": lambda: _address(turn, u),
    }
    handler = handlers.get(u.intent)
    return handler() if handler is not None else _Outcome(texts.MENU)


def _payment_details(turn: _Turn) -> _Outcome:
    pay = turn.view.pay
    actions = [{"kind": "girocode", "amount": str(pay.amount)}] if pay else []
    return _Outcome(texts.payment_details(turn.view), actions, pay=pay)


# -------------------------------------------------------------------------- disputes


def _dispute(turn: _Turn, kind: str) -> _Outcome:
    """Pause dunning and open a task exactly as the portal's dispute does, and ask for the
    evidence; an open dispute is not opened twice."""
    if turn.view.open_dispute:
        text = texts.dispute_exists()
        if kind == "paid_already":
            text += " " + texts.payments_seen(turn.view)
        return _Outcome(text, [{"kind": "dispute_exists"}])
    label = "Bereits bezahlt" if kind == "paid_already" else "Widerspruch"
    reason = f"{label} (über den Assistenten): {turn.text}"[:900]
    portal.report(
        turn.session, turn.config.documents_dir, turn.case.id, "dispute", reason, None,
        turn.actor.origin,
    )  # fmt: skip
    dispute = turn.session.scalar(
        select(Dispute)
        .where(Dispute.case_id == turn.case.id, Dispute.status == "open")
        .order_by(Dispute.id.desc())
    )
    assert dispute is not None
    task = turn.session.scalar(
        select(Task).where(Task.case_id == turn.case.id, Task.code == f"dispute:{dispute.id}")
    )
    actions: list[dict[str, Any]] = [
        {"kind": "dispute_opened", "dispute_id": dispute.id},
        {"kind": "dunning_paused", "reason": "dispute"},
        {
            "kind": "task_opened",
            "task_id": task.id if task else None,
            "task_kind": "dispute_review",
        },
        {"kind": "evidence_requested"},
    ]
    text = texts.dispute_opened(kind, texts.EVIDENCE_HINT)
    if kind == "paid_already":
        text += " " + texts.payments_seen(turn.view)
    return _Outcome(text, actions)


# ----------------------------------------------------------------------------- plans


def _plan(turn: _Turn, entities: Entities) -> _Outcome:
    active = turn.view.active_plan
    if active is not None and active.kind == "plan":
        return _Outcome(texts.plan_active(turn.view))
    amount = entities.amounts[0] if entities.amounts else None
    try:
        offer = offer_plan(
            turn.session,
            turn.case,
            turn.today,
            amount=amount,
            months=entities.months,
            start=entities.date,
        )
    except portal.PortalError:
        return _Outcome(texts.NOTHING_OPEN)
    turn.conv.pending_offer = offer.as_json()
    wished = _wish_words(offer)
    action = {"kind": "plan_offered", **offer.as_json()}
    return _Outcome(
        texts.plan_offer(offer.proposal, offer.wish_met, wished),
        [action],
        offer=turn.conv.pending_offer,
    )


def _wish_words(offer: PlanOffer) -> str | None:
    if offer.wished_amount is not None:
        return f"Eine Rate von {format_eur(offer.wished_amount)} im Monat"
    if offer.wished_months:
        return f"Eine Ratenzahlung über {offer.wished_months} Monate"
    return None


def _accept_pending(turn: _Turn) -> _Outcome:
    offer = turn.conv.pending_offer
    assert offer is not None
    turn.conv.pending_offer = None
    try:
        proposal, accepted = accept_offer(
            turn.session, turn.case.id, offer, turn.today, turn.actor.origin
        )
    except portal.PortalError:
        # the offer's first instalment is no longer possible (an old offer): offer anew
        return _plan(turn, Entities(amounts=(Decimal(str(offer["amount"])),)))
    return _Outcome(texts.plan_agreed(proposal, accepted), [_agreed_action(turn, accepted)])


def _agreed_action(turn: _Turn, accepted: bool) -> dict[str, Any]:
    if accepted:
        plan = portal.active_plan(turn.session, turn.case.id)
        return {"kind": "plan_agreed", "plan_id": plan.id if plan else None}
    task = turn.session.scalar(
        select(Task)
        .where(Task.case_id == turn.case.id, Task.kind == "plan_review", Task.status == "open")
        .order_by(Task.id.desc())
    )
    return {"kind": "plan_review_requested", "task_id": task.id if task else None}


def accept_offer_of_conversation(
    session: Session,
    actor: Actor,
    case_id: int,
    conversation_id: int,
    today: date,
    *,
    config: AssistantConfig | None = None,
    now: datetime | None = None,
) -> Reply:
    """The chat panel's "accept" button: the same as answering "Ja" to the pending offer."""
    conv = session.get(Conversation, conversation_id)
    if conv is None or conv.case_id != case_id or not conv.pending_offer:
        raise AssistantError("kein offenes Angebot in diesem Gespräch")
    return reply(
        session, actor, case_id, "Ja, ich nehme das Angebot an.", conversation_id, today,
        config=config, now=now,
    )  # fmt: skip


# --------------------------------------------------------------------------- promise


def _promise(turn: _Turn, u: Understanding) -> _Outcome:
    active = turn.view.active_plan
    if active is not None and active.kind == "plan":
        return _Outcome(texts.plan_active(turn.view))
    day = u.entities.date
    if day is None:
        return _Outcome(texts.ASK_DATE)
    if day < turn.today:
        return _Outcome(texts.promise_in_past(day))
    total = turn.view.statement.totals.total_open
    if total <= 0:
        return _Outcome(texts.balance(turn.view))
    if day > turn.today + timedelta(days=PROMISE_MAX_DAYS):
        return _promise_for_person(turn, u, day)
    wanted = u.entities.amounts[0] if u.entities.amounts else total
    amount = min(wanted, total)
    # recorded like the agent's promise (workspace: workflow.add_plan, count 1)
    plan = workflow.add_plan(
        turn.session,
        turn.debtor,
        turn.case.id,
        amount=amount,
        start=day,
        count=1,
        kind="promise",
        today=turn.today,
    )
    pay = portal.pay_info(turn.case, turn.creditor, amount)
    action = {
        "kind": "promise_recorded",
        "plan_id": plan.id,
        "amount": str(amount),
        "date": day.isoformat(),
        "grace_days": DEFAULT_GRACE_DAYS,
    }
    return _Outcome(
        texts.promise_recorded(amount, day, total, pay),
        [action, {"kind": "dunning_paused", "reason": "promise"}],
        pay=pay,
    )


def _promise_for_person(turn: _Turn, u: Understanding, day: date) -> _Outcome:
    task = workflow.add_task(
        turn.session,
        turn.case.id,
        "plan_review",
        f"promise_review:{day.isoformat()}",
        f"Assistent: Zahlungsversprechen zum {day:%d.%m.%Y} – weiter als "
        f"{PROMISE_MAX_DAYS} Tage, bitte prüfen: „{turn.text[:300]}“",
        data={"conversation_id": turn.conv.id, "date": day.isoformat()},
    )
    actions = [{"kind": "task_opened", "task_id": task.id if task else None,
                "task_kind": "plan_review"}]  # fmt: skip
    return _Outcome(texts.promise_too_late(day, PROMISE_MAX_DAYS), actions, handover=True)


# --------------------------------------------------------------- contact and address


def _contact(turn: _Turn, u: Understanding) -> _Outcome:
    wish = u.entities.contact
    actions: list[dict[str, Any]] = []
    extra = ""
    for kind, value in (("email", u.entities.email), ("mobile", u.entities.phone)):
        if value:
            _add_contact_point(turn, kind, value)
            actions.append({"kind": "contact_point_added", "contact": kind})
    if wish.unsupported:
        extra = texts.NO_WHATSAPP
    channels = list(wish.wanted)
    if not channels and wish.refused:
        channels = [c for c in ("letter", "email", "sms", "call") if c not in wish.refused]
    if not channels and wish.hours:
        channels = ["call"]
    if not channels:
        text = texts.ASK_CONTACT if not actions else "Danke, ich habe Ihre Kontaktdaten notiert."
        return _Outcome(text + extra, actions)
    earliest, latest = wish.hours or (0, 24)
    for channel in channels:
        portal.set_contact(
            turn.session, turn.case.id, channel, str(earliest), str(latest), turn.actor.origin
        )
    actions.append(
        {"kind": "contact_preference_set", "channels": channels, "hours": [earliest, latest]}
    )
    return _Outcome(texts.contact_recorded(channels, wish.hours, extra), actions)


def _add_contact_point(turn: _Turn, kind: str, value: str) -> None:
    debtor = turn.case.debtor
    if any(c.value == value for c in debtor.contacts):
        return
    turn.session.add(
        ContactPoint(
            debtor_id=debtor.id,
            kind=kind,
            value=value,
            consent=True,  # given by the debtor for contact about this case
            source="debtor",
            status="valid",
            created_at=turn.now,
        )
    )
    turn.session.flush()
    events.emit(turn.session, turn.case, "contact.added", turn.debtor, contact=kind)


def _address(turn: _Turn, u: Understanding) -> _Outcome:
    """Recorded as the debtor states it, for an agent to check and take over (the portal's
    login postcode stays the old one until then)."""
    address = u.entities.address
    if address is None:
        return _Outcome(texts.ASK_ADDRESS)
    stated = {"street": address.street, "postcode": address.postcode, "city": address.city}
    task = workflow.add_task(
        turn.session,
        turn.case.id,
        "address_review",
        f"address_stated:{turn.conv.id}:{address.postcode}",
        f"Neue Anschrift laut Schuldner (Assistent): {address.street}, {address.postcode} "
        f"{address.city} – prüfen und übernehmen",
        data={"conversation_id": turn.conv.id, "address": stated},
    )
    events.emit(
        turn.session,
        turn.case,
        "address.stated",
        turn.debtor,
        conversation_id=turn.conv.id,
        task_id=task.id if task else None,
    )
    actions: list[dict[str, Any]] = [
        {"kind": "address_recorded", "address": stated},
        {"kind": "task_opened", "task_id": task.id if task else None,
         "task_kind": "address_review"},
    ]  # fmt: skip
    return _Outcome(texts.address_recorded(address.street, address.postcode, address.city), actions)


def apply_stated_address(session: Session, actor: Actor, task_id: int, today: date) -> Address:
    """An agent takes over the address a debtor stated: the current one ends today, the new
    one is current (source ``debtor``); the task is done."""
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")
    task = session.get(Task, task_id)
    if task is None or task.kind != "address_review" or task.status != "open":
        raise AssistantError(f"Aufgabe {task_id} ist keine offene Anschriftenprüfung")
    case = session.get(Case, task.case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise AssistantError(f"Aufgabe {task_id} gibt es nicht")
    stated = dict((task.data or {}).get("address") or {})
    now = utcnow()
    for old in case.debtor.addresses:
        if old.valid_to is None:
            old.valid_to = today
    new = Address(
        debtor_id=case.debtor_id,
        street=str(stated["street"])[:200],
        postcode=str(stated["postcode"])[:10],
        city=str(stated["city"])[:100],
        country="DE",
        valid_from=today,
        source="debtor",
        created_at=now,
    )
    session.add(new)
    session.flush()
    workflow.close_task(session, actor, task.id)
    events.emit(session, case, "address.changed", actor, address_id=new.id, source="debtor")
    audit.record(
        session, actor, "create", "address", new.id, case_id=case.id, creditor_id=case.creditor_id
    )
    return new


# -------------------------------------------------------------------------- hand-over


def _hand_over(turn: _Turn, u: Understanding) -> _Outcome:
    """A person takes over: a task with the transcript and the intent, the flag that pauses
    dunning where the law or decency asks for it, and the time to expect an answer."""
    intent = u.intent if u.handover_reason in ("intent", "rule") else "unsure"
    actions: list[dict[str, Any]] = []
    if intent in PAUSING:
        workflow.set_flag(
            turn.session, turn.debtor, turn.case.id, PAUSING[intent],
            f"Assistent: {turn.text}"[:500],
        )  # fmt: skip
        actions += [
            {"kind": "flag_set", "flag": PAUSING[intent]},
            {"kind": "dunning_paused", "reason": intent},
        ]
    task = _handover_task(turn, u, intent)
    actions.append({"kind": "handover", "task_id": task.id, "task_kind": task.kind})
    expect = expectation(turn.config.office_hours, turn.now)
    text = texts.handover(intent, expect, turn.config.office_hours.label, turn.creditor.name)
    if intent == "human" and not u.entities.phone and not _has_phone(turn.case):
        text += texts.ask_phone()
    events.emit(
        turn.session,
        turn.case,
        "assistant.handover",
        turn.debtor,
        conversation_id=turn.conv.id,
        task_id=task.id,
        intent=u.intent,
        reason=u.handover_reason,
    )
    return _Outcome(text, actions, handover=True)


def _has_phone(case: Case) -> bool:
    return any(c.kind in ("phone", "mobile") and c.status == "valid" for c in case.debtor.contacts)


def _handover_task(turn: _Turn, u: Understanding, intent: str) -> Task:
    conv = turn.conv
    kind = "phone_call" if intent == "human" else "assistant_handover"
    label = INTENTS.get(intent, "unklare Nachricht")
    data = {
        "conversation_id": conv.id,
        "intent": u.intent,
        "confidence": round(u.confidence, 3),
        "reason": u.handover_reason,
        "matched": u.matched,
        "phone": u.entities.phone,
        "transcript": transcript(turn.session, conv.id),
    }
    code = f"assistant:{conv.id}:{intent}"
    reason = f"Assistent: {label} – bitte übernehmen: „{turn.text[:300]}“"[:500]
    task = workflow.add_task(turn.session, turn.case.id, kind, code, reason, data=data)
    if task is None:  # the same hand-over of this conversation is still open
        task = turn.session.scalar(
            select(Task).where(
                Task.case_id == turn.case.id, Task.code == code, Task.status == "open"
            )
        )
        assert task is not None
    conv.status = "handed_over"
    conv.handover_task_id = task.id
    return task


def _sync_task(session: Session, conv: Conversation, u: Understanding | None) -> None:
    """Keep the open hand-over task's transcript complete while the debtor writes on."""
    task = session.get(Task, conv.handover_task_id)
    if task is None or task.status != "open":
        return
    data = dict(task.data or {})
    data["transcript"] = transcript(session, conv.id)
    task.data = data
