"""The audit trail of a case or a person for compliance: who read or changed what, when,
and from where (:class:`~mahnwerk.store.models.AuditEntry`, append-only), with the actor
named as a person (e-mail and role) rather than an id.

A person's trail covers every case of every debtor record that is this person (across
creditors) and the entries about the debtor records themselves. Reading a trail is itself
audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from mahnwerk.domain.case_reference import parse_case_reference
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.admin.users import Who, who_is
from mahnwerk.store.db import add_rows_kept_for_commit
from mahnwerk.store.models import AuditEntry, Case, Debtor

#: at most this many entries on one page (newest first)
LIMIT = 1000
AUDITORS = ("compliance",)


def _auditor(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role in AUDITORS):
        raise PermissionError("nur für Compliance")


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    who: Who
    action: str
    entity: str
    entity_id: str | None
    case_id: int | None
    origin: str | None


@dataclass
class Trail:
    title: str
    cases: list[Case]
    entries: list[TrailEntry]
    truncated: bool = False


def find_case(session: Session, text: str) -> Case | None:
    """A case by its reference (``MW-…``), the creditor's reference or its number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return session.get(Case, int(text))
    number = parse_case_reference(text)
    if number is not None:
        return session.get(Case, number)
    return session.scalar(
        select(Case).where(or_(Case.reference == text, Case.external_ref == text)).limit(1)
    )


def _entries(session: Session, condition: ColumnElement[bool]) -> tuple[list[TrailEntry], bool]:
    add_rows_kept_for_commit(session)
    rows = list(
        session.scalars(
            select(AuditEntry).where(condition).order_by(AuditEntry.id.desc()).limit(LIMIT + 1)
        )
    )
    names = who_is(session, {r.actor for r in rows})
    entries = [
        TrailEntry(
            at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            who=names.get(r.actor, Who("system")),
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            case_id=r.case_id,
            origin=r.origin,
        )
        for r in rows[:LIMIT]
    ]
    return entries, len(rows) > LIMIT


def case_trail(session: Session, actor: Actor, case_id: int) -> Trail | None:
    _auditor(actor)
    case = session.get(Case, case_id)
    if case is None:
        return None
    entries, truncated = _entries(session, AuditEntry.case_id == case.id)
    audit.record(
        session, actor, "read", "audit_trail", case.id, case_id=case.id,
        creditor_id=case.creditor_id,
    )  # fmt: skip
    return Trail(case.reference, [case], entries, truncated)


def person_trail(session: Session, actor: Actor, person_id: int) -> Trail | None:
    _auditor(actor)
    debtors = list(session.scalars(select(Debtor).where(Debtor.person_id == person_id)))
    if not debtors:
        return None
    debtor_ids = [d.id for d in debtors]
    cases = list(
        session.scalars(select(Case).where(Case.debtor_id.in_(debtor_ids)).order_by(Case.id))
    )
    condition = or_(
        AuditEntry.case_id.in_([c.id for c in cases] or [-1]),
        (AuditEntry.entity == "debtor") & AuditEntry.entity_id.in_([str(i) for i in debtor_ids]),
        (AuditEntry.entity == "person") & (AuditEntry.entity_id == str(person_id)),
    )
    entries, truncated = _entries(session, condition)
    audit.record(session, actor, "read", "audit_trail", None, details={"person": person_id})
    return Trail(debtors[0].display_name, cases, entries, truncated)
