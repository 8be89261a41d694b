"""Creditors (tenants), users with roles, and API keys.

Passwords are hashed with Argon2id (memory-hard). API keys are random 256-bit secrets shown
once; only their SHA-256 is stored (a fast hash is right for high-entropy keys, and lets a
request be authenticated with one indexed lookup).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import API_SCOPES, STAFF_ROLES, Actor, utcnow
from mahnwerk.services.admin import signin
from mahnwerk.store.models import ApiKey, Creditor, User

ROLES = ("agent", "teamlead", "compliance", "admin", "creditor")
#: what each role is for (the users page, ``mahnwerk user add --role``)
ROLE_TEXT = {
    "agent": "Sachbearbeitung: Fälle, Anrufe, Zahlungszusagen, Vorschläge",
    "teamlead": "Teamleitung: Freigaben, Arbeitsverteilung",
    "compliance": "Compliance: Modelle, Fairness, Prüfpfad",
    "admin": "Verwaltung: Benutzer, API-Schlüssel, Mandanten, Registrierungen",
    "creditor": "Mandant: eigene Fälle und Abrechnungen",
}
_hasher = PasswordHasher()
#: A key's last use is written at most this often, so that a busy client does not turn
#: every read into a write.
LAST_USE_EVERY = timedelta(minutes=1)


class AccountError(ValueError):
    pass


def add_creditor(
    session: Session, actor: Actor, name: str, *, email: str | None = None, status: str = "active"
) -> Creditor:
    if not name.strip():
        raise AccountError("Name des Mandanten fehlt")
    creditor = Creditor(
        name=name.strip(), email=email, status=status, settings={}, created_at=utcnow()
    )
    session.add(creditor)
    session.flush()
    audit.record(session, actor, "create", "creditor", creditor.id, creditor_id=creditor.id)
    return creditor


@dataclass(frozen=True)
class NewApiKey:
    key: str  # shown once
    record: ApiKey


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key(
    session: Session,
    *,
    creditor_id: int | None,
    user_id: int | None,
    name: str,
    scopes: tuple[str, ...] = (),
) -> NewApiKey:
    prefix = secrets.token_hex(4)
    key = f"mwk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        creditor_id=creditor_id,
        user_id=user_id,
        prefix=prefix,
        key_hash=_key_hash(key),
        name=name,
        scopes=",".join(scopes),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return NewApiKey(key, row)


def create_api_key(session: Session, actor: Actor, creditor_id: int, name: str = "") -> NewApiKey:
    """A key of the creditor: it sees and changes only that creditor's cases."""
    if session.get(Creditor, creditor_id) is None:
        raise AccountError(f"Mandant {creditor_id} gibt es nicht")
    new = _new_key(session, creditor_id=creditor_id, user_id=None, name=name)
    audit.record(session, actor, "create", "api_key", new.record.id, creditor_id=creditor_id)
    return new


def scopes_of(values: Iterable[str]) -> tuple[str, ...]:
    """The scopes named in ``values`` (each may be a comma-separated list), in the order of
    :data:`~mahnwerk.services.actor.API_SCOPES`, or :class:`AccountError` naming the unknown.

    >>> scopes_of(["bank", "read,bank"])
    ('read', 'bank')
    >>> try:
    ...     scopes_of(["schreiben"])
    ... except AccountError as exc:
    ...     print(exc)
    unbekannte Berechtigung schreiben (erlaubt: read, cases, bank, admin)
    """
    named = {v.strip().lower() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(named - set(API_SCOPES))
    if unknown:
        raise AccountError(
            f"unbekannte Berechtigung {', '.join(unknown)} (erlaubt: {', '.join(API_SCOPES)})"
        )
    return tuple(s for s in API_SCOPES if s in named)


def create_staff_api_key(
    session: Session, actor: Actor, email: str, name: str = "", *, scopes: Iterable[str]
) -> NewApiKey:
    """A key of a staff user (agent, teamlead, compliance, admin): it acts with that user's role
    and only within ``scopes`` (:data:`~mahnwerk.services.actor.API_SCOPES`; a key without
    the scope a route needs gets 403), e.g. ``bank`` for a statement download job. It stops
    working when the user is deactivated or no longer a staff member."""
    granted = scopes_of(scopes)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"Benutzer {email.strip()} gibt es nicht")
    if user.role not in STAFF_ROLES or not user.active:
        raise AccountError(
            f"Benutzer {user.email} ist kein aktiver Mitarbeiter "
            "(Schlüssel für Mandanten: --creditor ID)"
        )
    new = _new_key(session, creditor_id=None, user_id=user.id, name=name, scopes=granted)
    audit.record(
        session,
        actor,
        "create",
        "api_key",
        new.record.id,
        details={"user": user.id, "scopes": list(granted)},
    )
    return new


def authenticate_api_key(session: Session, key: str) -> ApiKey | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    if row.user_id is not None:
        return row if _staff_user(session, row.user_id) is not None else None
    creditor = session.get(Creditor, row.creditor_id)
    if creditor is None or creditor.status != "active":
        return None
    return row


def _staff_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in STAFF_ROLES:
        return None
    return user


def actor_for_key(session: Session, key: str, origin: str | None) -> Actor | None:
    """The actor a presented API key stands for, or None for an unknown or dead key."""
    row = authenticate_api_key(session, key)
    if row is None:
        return None
    _note_use(row, utcnow())
    if row.user_id is None:
        return actor_for_api_key(row, origin)
    user = session.get(User, row.user_id)  # checked and loaded by authenticate_api_key
    assert user is not None
    scopes = frozenset(s for s in row.scopes.split(",") if s)
    return Actor(kind="apikey", id=str(row.id), role=user.role, origin=origin, scopes=scopes)


def _note_use(row: ApiKey, now: datetime) -> None:
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite keeps no time zone
        last = last.replace(tzinfo=UTC)
    if last is None or now - last >= LAST_USE_EVERY:
        row.last_used_at = now


def list_api_keys(session: Session, creditor_id: int | None = None) -> list[ApiKey]:
    """Every key (of one creditor, if given), oldest first; the secrets are not stored."""
    query = select(ApiKey).order_by(ApiKey.id)
    if creditor_id is not None:
        query = query.where(ApiKey.creditor_id == creditor_id)
    return list(session.scalars(query))


def revoke_api_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    """The key stops working at once; it stays listed, with the time it was revoked."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise AccountError(f"API-Schlüssel {key_id} gibt es nicht")
    if row.revoked_at is not None:
        raise AccountError(f"API-Schlüssel {key_id} ist schon widerrufen")
    row.revoked_at = utcnow()
    audit.record(
        session,
        actor,
        "revoke",
        "api_key",
        row.id,
        creditor_id=row.creditor_id,
        details={"user": row.user_id} if row.user_id else None,
    )
    return row


def add_user(
    session: Session,
    actor: Actor,
    email: str,
    password: str,
    role: str,
    creditor_id: int | None = None,
) -> User:
    if role not in ROLES:
        raise AccountError(f"unbekannte Rolle {role!r} (erlaubt: {', '.join(ROLES)})")
    if role == "creditor" and creditor_id is None:
        raise AccountError("ein Mandanten-Benutzer braucht einen Mandanten")
    if role != "creditor" and creditor_id is not None:
        raise AccountError("nur Mandanten-Benutzer gehören zu einem Mandanten")
    if len(password) < 10:
        raise AccountError("das Passwort braucht mindestens 10 Zeichen")
    email = email.strip().lower()
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"es gibt schon einen Benutzer {email}")
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        creditor_id=creditor_id,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, creditor_id=creditor_id)
    return user


def verify_password(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way, so timing does not reveal accounts
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def actor_for_api_key(row: ApiKey, origin: str | None) -> Actor:
    return Actor(
        kind="apikey", id=str(row.id), role="creditor", creditor_id=row.creditor_id, origin=origin
    )


def actor_for_user(user: User, origin: str | None) -> Actor:
    return Actor(
        kind="user", id=str(user.id), role=user.role, creditor_id=user.creditor_id, origin=origin
    )


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """A new password for a user; every session of the user ends (signed in elsewhere, too)."""
    if len(password) < 10:
        raise AccountError("das Passwort braucht mindestens 10 Zeichen")
    user = _user(session, user_id)
    user.password_hash = _hasher.hash(password)
    signin.end_user_sessions(session, user.id, utcnow(), "password")
    audit.record(session, actor, "password", "user", user.id, creditor_id=user.creditor_id)
    return user


def set_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """A new role for a staff user; their sessions end, so the new rights apply at once."""
    if role not in ROLES or role == "creditor":
        raise AccountError(f"unbekannte Rolle {role!r} für Mitarbeiter")
    user = _user(session, user_id)
    if user.role == "creditor":
        raise AccountError("ein Mandanten-Benutzer bleibt Mandanten-Benutzer")
    before, user.role = user.role, role
    signin.end_user_sessions(session, user.id, utcnow(), "role")
    audit.record(session, actor, "role", "user", user.id, details={"from": before, "to": role})
    return user


def deactivate_user(session: Session, actor: Actor, user_id: int) -> User:
    user = _user(session, user_id)
    user.active = False
    signin.end_user_sessions(session, user.id, utcnow(), "deactivated")
    audit.record(session, actor, "deactivate", "user", user.id, creditor_id=user.creditor_id)
    return user


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"kein Benutzer {user_id}")
    return user
