"""Access codes for the debtor portal and the login with reference, code and postcode.

The code printed on every letter of a case is derived, not stored: 12 characters of an
HMAC-SHA256 over the case id and its code version, keyed with the installation secret, in
an alphabet without look-alikes (no 0/O, 1/I/L), shown as ``K7QM-3XRT-9BHW`` (about 58
bits). So every letter of a case carries the same code, nothing in the database reveals
it, and raising the version revokes it. An unknown reference fails exactly like a wrong code.

A case is never locked as a whole: that would let anyone who knows a (sequential) reference
lock its debtor out. Guessing 58 bits and the postcode is hopeless anyway; the pages limit
the attempts per address and per reference from one address
(:mod:`mahnwerk.services.admin.signin`). Failures are still counted on the case.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain.case_reference import parse_case_reference
from mahnwerk.domain.identity import fold
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.store.models import Case
from mahnwerk.store.portal import PortalAccess

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def normalize_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def access_code(secret: str, case_id: int, version: int = 1) -> str:
    """The portal code of a case, formatted in groups of four."""
    digest = hmac.new(secret.encode(), f"portal:{case_id}:{version}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest(), "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    code = "".join(chars)
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _access(session: Session, case_id: int) -> PortalAccess:
    access = session.scalar(select(PortalAccess).where(PortalAccess.case_id == case_id))
    if access is None:
        access = PortalAccess(case_id=case_id, code_version=1, failed_attempts=0)
        session.add(access)
        session.flush()
    return access


def code_for_case(session: Session, secret: str, case_id: int) -> str:
    return access_code(secret, case_id, _access(session, case_id).code_version)


def revoke(session: Session, case_id: int) -> None:
    """Invalidate the printed code; the next letter carries a new one."""
    _access(session, case_id).code_version += 1


@dataclass(frozen=True)
class PortalLogin:
    case: Case | None
    locked: bool = False


def login(
    session: Session,
    secret: str,
    reference: str,
    code: str,
    postcode: str,
    now: datetime,
    origin: str | None,
) -> PortalLogin:
    """The case if reference, code and postcode agree and the case is not locked."""
    number = parse_case_reference(reference)
    case = session.get(Case, number) if number else None
    if case is None:
        return PortalLogin(None)
    access = _access(session, case.id)
    if access.locked_until is not None and _aware(access.locked_until) > now:
        return PortalLogin(None, locked=True)
    address = case.debtor.current_address
    postcode_ok = address is not None and fold(address.postcode.strip()) == fold(postcode.strip())
    expected = normalize_code(access_code(secret, case.id, access.code_version))
    code_ok = hmac.compare_digest(expected, normalize_code(code))
    actor = Actor(kind="debtor", id=str(case.id), role="debtor", origin=origin)
    if not (code_ok and postcode_ok):
        access.failed_attempts += 1
        audit.record(
            session,
            actor,
            "login_failed",
            "portal",
            case.id,
            case_id=case.id,
            creditor_id=case.creditor_id,
        )
        locked = access.locked_until is not None and _aware(access.locked_until) > now
        return PortalLogin(None, locked=locked)
    access.failed_attempts = 0
    access.last_login_at = now.astimezone(UTC)
    audit.record(
        session, actor, "login", "portal", case.id, case_id=case.id, creditor_id=case.creditor_id
    )
    return PortalLogin(case)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
