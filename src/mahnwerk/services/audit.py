"""The append-only audit trail: who read or changed what, when and from where.

Personal data never goes into ``details``: entries name entities by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.store.db import add_at_commit, add_rows_kept_for_commit
from mahnwerk.store.models import AuditEntry


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    case_id: int | None = None,
    creditor_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    add_at_commit(
        session,
        AuditEntry(
            at=utcnow(),
            actor=actor.label,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            case_id=case_id,
            creditor_id=creditor_id if creditor_id is not None else actor.creditor_id,
            origin=actor.origin,
            details=details or {},
        ),
    )


def entries_for_case(session: Session, case_id: int) -> Sequence[AuditEntry]:
    add_rows_kept_for_commit(session)  # this transaction's own entries too
    return session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
    ).all()
