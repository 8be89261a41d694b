"""Sign-in security of the pages: limits on failed attempts, server-side sessions and the
client's address behind trusted proxies.

Limits
    Failed attempts are stored in the database (``auth_failure``), so they hold across
    restarts and for every worker process. A key names what a limit counts (an account, a
    source address, a case from one address); it is stored only as an HMAC with the
    application's key. :func:`blocked` tells whether a key has reached its limit within its
    window; a success never clears another key's count (a source that guesses codes of many
    cases is not forgiven because it once got one right).

Sessions
    :func:`start` makes a session and returns its random token (the signed cookie carries
    it; the table keeps its SHA-256 only). :func:`resume` gives the live session for a
    token or ``None``: a session ends at logout (:func:`end`), after
    ``MAHNWERK_SESSION_IDLE_MINUTES`` without a request, ``MAHNWERK_SESSION_MAX_HOURS``
    after the sign-in, and when the user's password or role changes or the user is
    deactivated (:func:`end_user_sessions`). A sign-in always starts a new session (no
    fixation).

>>> client_address("10.0.0.5", "203.0.113.7, 10.0.0.9", ("10.0.0.0/8",))
'203.0.113.7'
>>> client_address("198.51.100.1", "203.0.113.7", ("10.0.0.0/8",))  # not a trusted proxy
'198.51.100.1'
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mahnwerk.store.security import AuthFailure, WebSession


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed attempts within ``window``."""

    name: str
    failures: int
    window: timedelta


#: staff and creditor sign-in: one account from one address, one account from anywhere
#: (slows a distributed guess without locking the owner out for long), one address
LOGIN_ACCOUNT_SOURCE = Limit("login-account-source", 5, timedelta(minutes=15))
LOGIN_ACCOUNT = Limit("login-account", 20, timedelta(minutes=15))
LOGIN_SOURCE = Limit("login-source", 30, timedelta(minutes=15))
#: the debtor portal: one case from one address, and one address over all cases
PORTAL_CASE_SOURCE = Limit("portal-case-source", 5, timedelta(minutes=30))
PORTAL_SOURCE = Limit("portal-source", 10, timedelta(minutes=15))
#: how often a live session's last request is written down (the idle timeout's precision)
TOUCH = timedelta(seconds=30)
#: rows older than this are deleted as new failures come in
KEEP = timedelta(hours=1)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last
    address in ``X-Forwarded-For`` that is not one of the trusted proxies."""
    address = peer or "?"
    if not trusted or not forwarded_for or not _trusted(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a forged or garbled entry: believe what is known
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address


def _trusted(address: str, trusted: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net) for net in trusted)


def limit_key(application_key: str, limit: Limit, *parts: str) -> str:
    message = "\x1f".join((limit.name, *parts)).encode("utf-8")
    return hmac.new(application_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def blocked(session: Session, key: str, limit: Limit, now: datetime) -> bool:
    """Whether ``key`` has had ``limit.failures`` failures within the window before ``now``."""
    count = session.scalar(
        select(func.count())
        .select_from(AuthFailure)
        .where(AuthFailure.key_hash == key, AuthFailure.at > now - limit.window)
    )
    return int(count or 0) >= limit.failures


def fail(session: Session, keys: Sequence[str], now: datetime) -> None:
    """Count a failed attempt under each of ``keys``."""
    session.execute(delete(AuthFailure).where(AuthFailure.at < now - KEEP))
    session.add_all(AuthFailure(key_hash=key, at=now) for key in keys)


def forgive(session: Session, key: str) -> None:
    """Clear one key's failures (after a success under exactly that key)."""
    session.execute(delete(AuthFailure).where(AuthFailure.key_hash == key))


# ------------------------------------------------------------------------- sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(
    session: Session,
    now: datetime,
    max_age: timedelta,
    *,
    user_id: int | None = None,
    case_id: int | None = None,
) -> str:
    """A new session of a user or a debtor's case; its token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_token_hash(token),
            user_id=user_id,
            case_id=case_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + max_age,
        )
    )
    session.flush()
    return token


def resume(session: Session, token: str, now: datetime, idle: timedelta) -> WebSession | None:
    """The live session of ``token``, its last request moved to ``now``; ``None`` if it
    never existed or has ended (an idle or expired one is ended here, with its reason)."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _token_hash(token)))
    if row is None or row.ended_at is not None:
        return None
    if _aware(row.expires_at) <= now:
        _end(row, now, "expired")
        return None
    if _aware(row.last_seen_at) + idle <= now:
        _end(row, now, "idle")
        return None
    if now - _aware(row.last_seen_at) >= TOUCH:  # not a write on every request
        row.last_seen_at = now
    return row


def end(session: Session, token: str, now: datetime, reason: str = "logout") -> None:
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _token_hash(token)))
    if row is not None and row.ended_at is None:
        _end(row, now, reason)


def end_user_sessions(session: Session, user_id: int, now: datetime, reason: str) -> int:
    """End every live session of a user (password or role changed, deactivated)."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _end(row: WebSession, now: datetime, reason: str) -> None:
    row.ended_at = now
    row.end_reason = reason


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
