"""The agency's people for the administrator: users with their roles, role changes,
deactivation, and who an actor label (``user:3``, ``apikey:7``, ``system:…``) is, so that
pages name people instead of showing ids.

Every change is audited; an administrator cannot take the admin role from, or deactivate,
themselves (so that an installation never locks out its last administrator by accident).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import STAFF_ROLES, Actor
from mahnwerk.services.admin.accounts import ROLES, AccountError
from mahnwerk.store.models import ApiKey, Creditor, User


def _admin(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role == "admin"):
        raise PermissionError("nur für die Verwaltung")


@dataclass(frozen=True)
class UserRow:
    user: User
    creditor: str


def list_users(session: Session, actor: Actor, role: str | None = None) -> list[UserRow]:
    """Every user (of one role), staff first, then by e-mail."""
    _admin(actor)
    query = select(User, Creditor.name).outerjoin(Creditor, Creditor.id == User.creditor_id)
    if role:
        query = query.where(User.role == role)
    rows = session.execute(query.order_by(User.role == "creditor", User.email)).all()
    audit.record(session, actor, "list", "user", None, details={"count": len(rows)})
    return [UserRow(u, name or "") for u, name in rows]


def role_counts(session: Session) -> dict[str, int]:
    """Active users per role."""
    rows = session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
    ).all()
    return {str(r): int(n) for r, n in rows}


def staff_users(session: Session, role: str | None = None) -> list[User]:
    """Active staff (of one role), by e-mail: the people work can be assigned to."""
    query = select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES))
    if role:
        query = query.where(User.role == role)
    return list(session.scalars(query.order_by(User.email)))


def change_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """A staff user gets another staff role (a creditor's user stays a creditor's)."""
    _admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"Benutzer {user_id} gibt es nicht")
    if role not in ROLES:
        raise AccountError(f"unbekannte Rolle {role!r} (erlaubt: {', '.join(ROLES)})")
    if (role == "creditor") != (user.role == "creditor"):
        raise AccountError("Mandanten-Benutzer und Mitarbeitende tauschen ihre Rolle nicht")
    if actor.label == f"user:{user.id}" and role != "admin":
        raise AccountError("die eigene Verwaltungsrolle gibt man nicht selbst ab")
    if user.role != role:
        old, user.role = user.role, role
        audit.record(session, actor, "update", "user", user.id, details={"role": [old, role]})
    return user


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) a user: a deactivated user cannot sign in, and their
    staff API keys stop working."""
    _admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"Benutzer {user_id} gibt es nicht")
    if actor.label == f"user:{user.id}" and not active:
        raise AccountError("sich selbst deaktiviert man nicht")
    if user.active != active:
        user.active = active
        audit.record(
            session, actor, "activate" if active else "deactivate", "user", user.id,
            creditor_id=user.creditor_id,
        )  # fmt: skip
    return user


# ------------------------------------------------------------------ who an actor is


@dataclass(frozen=True)
class Who:
    """Who did something, for people: ``kind`` is ``staff`` (with the user's e-mail and
    role), ``creditor`` (a creditor's user or API key), ``debtor`` (the debtor in the
    portal), ``system`` (the daily run, imports, models) or ``operator`` (the command
    line)."""

    kind: str
    name: str = ""
    role: str = ""
    creditor_id: int | None = None


def who_is(session: Session, labels: Iterable[str]) -> dict[str, Who]:
    """Each actor label resolved in two queries at most."""
    wanted = set(labels)
    user_ids = {int(x[5:]) for x in wanted if x.startswith("user:") and x[5:].isdigit()}
    key_ids = {int(x[7:]) for x in wanted if x.startswith("apikey:") and x[7:].isdigit()}
    keys: dict[int, tuple[int | None, int | None]] = {}
    if key_ids:
        for key_id, creditor_id, user_id in session.execute(
            select(ApiKey.id, ApiKey.creditor_id, ApiKey.user_id).where(ApiKey.id.in_(key_ids))
        ):
            keys[int(key_id)] = (creditor_id, user_id)
            if user_id is not None:
                user_ids.add(int(user_id))
    users: dict[int, User] = {}
    if user_ids:
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    out: dict[str, Who] = {}
    for label in wanted:
        kind, _, ident = label.partition(":")
        if kind == "user" and ident.isdigit() and int(ident) in users:
            out[label] = _user_who(users[int(ident)])
        elif kind == "apikey" and ident.isdigit() and int(ident) in keys:
            creditor_id, user_id = keys[int(ident)]
            if user_id is not None and user_id in users:
                out[label] = _user_who(users[user_id])
            else:
                out[label] = Who("creditor", "API", "creditor", creditor_id)
        elif kind == "debtor":
            out[label] = Who("debtor")
        elif kind == "cli":
            out[label] = Who("operator")
        elif kind == "registration":
            out[label] = Who("creditor", ident, "creditor")
        else:
            out[label] = Who("system")
    return out


def _user_who(user: User) -> Who:
    if user.role == "creditor":
        return Who("creditor", user.email, "creditor", user.creditor_id)
    return Who("staff", user.email, user.role)
