"""The administrator's start page: the agency's own details (what is missing), the
creditors and whether their letters can go out, registrations waiting, users and keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mahnwerk.config import Settings
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.admin import creditors as setup
from mahnwerk.services.admin.users import role_counts
from mahnwerk.store.models import ApiKey, Case, Creditor
from mahnwerk.store.web_accounts import CreditorRegistration


@dataclass
class AgencyLine:
    env: str
    value: str
    purpose: str
    problem: str = ""


@dataclass
class CreditorLine:
    sheet: setup.CreditorSheet
    open_cases: int


@dataclass
class AdminOverview:
    agency: list[AgencyLine]
    agency_problems: list[setup.Problem]
    creditors: list[CreditorLine]
    registrations_waiting: int
    handovers: int
    roles: dict[str, int]
    api_keys: int
    blocked: list[CreditorLine] = field(default_factory=list)


def _admin(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role == "admin"):
        raise PermissionError("nur für die Verwaltung")


def overview(session: Session, actor: Actor, settings: Settings) -> AdminOverview:
    _admin(actor)
    agency = setup.Agency.of(settings)
    problems = setup.agency_problems(agency)
    by_field: dict[str, str] = {}
    for p in problems:
        by_field.setdefault(p.field, p.message)
    lines = [
        AgencyLine(env, str(getattr(agency, key)), purpose, by_field.get(key, ""))
        for key, env, purpose in setup.AGENCY_SETTINGS
    ]
    known = setup.strategy_checker(settings)
    open_cases = dict(
        session.execute(
            select(Case.creditor_id, func.count())
            .where(Case.status == "open")
            .group_by(Case.creditor_id)
        ).all()
    )
    creditors = [
        CreditorLine(setup.sheet(c, agency, known), int(open_cases.get(c.id, 0)))
        for c in session.scalars(
            select(Creditor).where(Creditor.status == "active").order_by(Creditor.name)
        )
    ]
    waiting = session.execute(
        select(CreditorRegistration.mail_status, func.count())
        .join(Creditor, Creditor.id == CreditorRegistration.creditor_id)
        .where(Creditor.status == "pending")
        .group_by(CreditorRegistration.mail_status)
    ).all()
    handovers = session.scalar(
        select(func.count())
        .select_from(CreditorRegistration)
        .join(Creditor, Creditor.id == CreditorRegistration.creditor_id)
        .where(
            Creditor.status == "pending",
            CreditorRegistration.mail_status == "handover",
            CreditorRegistration.email_confirmed_at.is_(None),
        )
    )
    keys = session.scalar(
        select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))
    )
    audit.record(session, actor, "read", "admin_overview", None)
    return AdminOverview(
        agency=lines,
        agency_problems=problems,
        creditors=creditors,
        registrations_waiting=sum(int(n) for _, n in waiting),
        handovers=int(handovers or 0),
        roles=role_counts(session),
        api_keys=int(keys or 0),
        blocked=[c for c in creditors if c.sheet.letters_blocked],
    )
