"""Case events (the timeline) and the webhook deliveries they cause."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.store.models import Case, CaseEvent, Webhook, WebhookDelivery

#: Event kinds a creditor's webhook receives (others stay on the internal timeline).
WEBHOOK_EVENTS = (
    "case.created",
    "stage.changed",
    "payment.received",
    "dispute.opened",
    "case.recalled",
    "case.closed",
)


def emit(session: Session, case: Case, kind: str, actor: Actor, **data: Any) -> CaseEvent:
    event = CaseEvent(case_id=case.id, at=utcnow(), kind=kind, actor=actor.label, data=data)
    session.add(event)
    session.flush()
    if kind in WEBHOOK_EVENTS:
        _enqueue_webhooks(session, case, event)
    return event


def webhook_body(case: Case, event: CaseEvent) -> str:
    return webhook_json(
        case.id,
        case.external_ref,
        case.stage,
        case.status,
        event.id,
        event.kind,
        event.at,
        event.data,
    )


def webhook_json(
    case_id: int,
    external_ref: str | None,
    stage: str,
    status: str,
    event_id: int,
    kind: str,
    at: datetime,
    data: dict[str, Any],
) -> str:
    """The body a creditor's webhook receives for one event of one case."""
    return json.dumps(
        {
            "id": event_id,
            "type": kind,
            "created_at": at.isoformat(),
            "case": {"id": case_id, "external_ref": external_ref, "stage": stage, "status": status},
            "data": data,
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def _enqueue_webhooks(session: Session, case: Case, event: CaseEvent) -> None:
    hooks = session.scalars(
        select(Webhook).where(Webhook.creditor_id == case.creditor_id, Webhook.active.is_(True))
    ).all()
    for hook in hooks:
        wanted = hook.events.get("types") if isinstance(hook.events, dict) else None
        if wanted and event.kind not in wanted:
            continue
        session.add(
            WebhookDelivery(
                webhook_id=hook.id,
                event_id=event.id,
                payload=webhook_body(case, event),
                status="pending",
                attempts=0,
                next_attempt_at=event.at,
            )
        )
