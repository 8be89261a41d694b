"""Creditor self-registration: a pending creditor with its first user, e-mail confirmation
by a link, and the approval by an admin.

The confirmation token is 256 random bits shown only in the e-mail; the database keeps its
SHA-256 (a fast hash is right for a high-entropy secret) and an expiry 48 hours ahead. The
account stays ``pending`` until an admin approves it (``mahnwerk creditor approve ID`` or
:func:`approve` from the web admin); until then, and until the address is confirmed, the
login refuses the user with a message saying why (:func:`login_refusal`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.admin import accounts
from mahnwerk.store.models import Creditor, User
from mahnwerk.store.web_accounts import CreditorRegistration

TOKEN_VALID_FOR = timedelta(hours=48)
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegistrationError(ValueError):
    """Bad input: ``errors`` maps each form field to the key of its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Registered:
    registration: CreditorRegistration
    token: str  # only for the e-mail; never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate(
    company: str, contact_name: str, email: str, password: str, accepted_terms: bool
) -> dict[str, str]:
    """Field → message key of every problem (empty: fine)."""
    errors: dict[str, str] = {}
    if not company.strip() or len(company.strip()) > 200:
        errors["company"] = "register.error.company"
    if not contact_name.strip() or len(contact_name.strip()) > 200:
        errors["contact_name"] = "register.error.contact_name"
    if not _EMAIL.match(email.strip()) or len(email.strip()) > 254:
        errors["email"] = "register.error.email"
    if len(password) < MIN_PASSWORD:
        errors["password"] = "register.error.password"
    if not accepted_terms:
        errors["terms"] = "register.error.terms"
    return errors


def register(
    session: Session,
    *,
    company: str,
    contact_name: str,
    email: str,
    password: str,
    accepted_terms: bool,
    now: datetime | None = None,
    origin: str | None = None,
) -> Registered:
    """A pending creditor, its pending user and a confirmation token (returned once)."""
    errors = validate(company, contact_name, email, password, accepted_terms)
    email = email.strip().lower()
    if "email" not in errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "register.error.email_taken"
    if errors:
        raise RegistrationError(errors)
    now = now or utcnow()
    actor = Actor(kind="registration", id=email, role="creditor", origin=origin)
    creditor = accounts.add_creditor(session, actor, company, email=email, status="pending")
    user = accounts.add_user(session, actor, email, password, "creditor", creditor.id)
    token = secrets.token_urlsafe(32)
    registration = CreditorRegistration(
        creditor_id=creditor.id,
        user_id=user.id,
        contact_name=contact_name.strip(),
        email=email,
        token_hash=token_hash(token),
        token_expires_at=now + TOKEN_VALID_FOR,
        terms_accepted_at=now,
        origin=origin,
        created_at=now,
    )
    session.add(registration)
    session.flush()
    audit.record(session, actor, "register", "creditor", creditor.id, creditor_id=creditor.id)
    return Registered(registration, token)


def confirmation_mail(agency_name: str, link: str, contact_name: str) -> tuple[str, str]:
    """Subject and text of the confirmation e-mail (German, with an English line)."""
    subject = f"Bitte bestätigen Sie Ihre E-Mail-Adresse – {agency_name}"
    text = (
        f"Guten Tag {contact_name},\n\n"
        f"vielen Dank für Ihre Registrierung als Mandant bei {agency_name}.\n"
        "Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (48 Stunden gültig):\n\n"
        f"{link}\n\n"
        "Danach prüfen wir Ihre Angaben und schalten Ihren Zugang frei; Sie erhalten dann "
        "Nachricht von uns.\n"
        "Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail bitte.\n\n"
        "Please confirm your e-mail address with the link above (valid for 48 hours).\n\n"
        f"Mit freundlichen Grüßen\n{agency_name}\n"
    )
    return subject, text


def confirm(session: Session, token: str, now: datetime | None = None) -> str:
    """``confirmed``, ``already`` (confirmed before), ``expired`` or ``unknown``."""
    now = now or utcnow()
    registration = session.scalar(
        select(CreditorRegistration).where(CreditorRegistration.token_hash == token_hash(token))
    )
    if registration is None:
        return "unknown"
    if registration.email_confirmed_at is not None:
        return "already"
    if _aware(registration.token_expires_at) < now:
        return "expired"
    registration.email_confirmed_at = now
    actor = Actor(kind="registration", id=registration.email, role="creditor")
    audit.record(
        session,
        actor,
        "confirm_email",
        "creditor",
        registration.creditor_id,
        creditor_id=registration.creditor_id,
    )
    return "confirmed"


class ApprovalError(ValueError):
    pass


def approve(session: Session, actor: Actor, creditor_id: int) -> Creditor:
    """An admin approves a registered creditor whose e-mail address is confirmed."""
    if actor.role != "admin":
        raise ApprovalError("nur ein Admin darf Mandanten freischalten")
    creditor = session.get(Creditor, creditor_id)
    if creditor is None:
        raise ApprovalError(f"Mandant {creditor_id} gibt es nicht")
    registration = session.scalar(
        select(CreditorRegistration).where(CreditorRegistration.creditor_id == creditor_id)
    )
    if creditor.status == "active":
        raise ApprovalError(f"Mandant {creditor_id} ist schon freigeschaltet")
    if registration is not None and registration.email_confirmed_at is None:
        raise ApprovalError(f"Mandant {creditor_id} hat seine E-Mail-Adresse noch nicht bestätigt")
    creditor.status = "active"
    if registration is not None:
        registration.approved_at = utcnow()
        registration.approved_by = actor.label
    audit.record(session, actor, "approve", "creditor", creditor.id, creditor_id=creditor.id)
    return creditor


def reject(session: Session, actor: Actor, creditor_id: int, reason: str) -> Creditor:
    """An admin turns a registration down with a written reason: the creditor is
    ``rejected``, its user deactivated (it can never sign in), the reason kept."""
    if actor.role != "admin" and actor.kind != "cli":
        raise ApprovalError("nur ein Admin darf Registrierungen ablehnen")
    if len(reason.strip()) < 5:
        raise ApprovalError("eine Ablehnung braucht eine Begründung")
    creditor = session.get(Creditor, creditor_id)
    registration = session.scalar(
        select(CreditorRegistration).where(CreditorRegistration.creditor_id == creditor_id)
    )
    if creditor is None or registration is None:
        raise ApprovalError(f"Registrierung {creditor_id} gibt es nicht")
    if creditor.status != "pending":
        raise ApprovalError(f"Mandant {creditor_id} ist nicht mehr offen ({creditor.status})")
    creditor.status = "rejected"
    registration.rejected_at = utcnow()
    registration.rejected_by = actor.label
    registration.rejection_reason = reason.strip()[:1000]
    user = session.get(User, registration.user_id)
    if user is not None:
        user.active = False
    audit.record(session, actor, "reject", "creditor", creditor.id, creditor_id=creditor.id)
    return creditor


def mark_handover(session: Session, registration_id: int) -> None:
    """The confirmation could not be e-mailed: it waits on the registrations page for an
    administrator to pass on (the prospect is not told that mail is not set up)."""
    registration = session.get(CreditorRegistration, registration_id)
    if registration is not None:
        registration.mail_status = "handover"


def new_confirmation(
    session: Session, actor: Actor, creditor_id: int, now: datetime | None = None
) -> tuple[CreditorRegistration, str]:
    """A fresh confirmation link for an administrator to pass on by hand (the old link stops
    working: only the hash of the newest is kept). Returns the registration and the token."""
    if actor.role != "admin" and actor.kind != "cli":
        raise ApprovalError("nur ein Admin gibt Bestätigungslinks weiter")
    registration = session.scalar(
        select(CreditorRegistration).where(CreditorRegistration.creditor_id == creditor_id)
    )
    if registration is None:
        raise ApprovalError(f"Registrierung {creditor_id} gibt es nicht")
    if registration.email_confirmed_at is not None:
        raise ApprovalError("die E-Mail-Adresse ist schon bestätigt")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    registration.token_hash = token_hash(token)
    registration.token_expires_at = now + TOKEN_VALID_FOR
    audit.record(
        session, actor, "handover", "creditor_registration", registration.id,
        creditor_id=registration.creditor_id,
    )  # fmt: skip
    return registration, token


def pending(session: Session) -> Sequence[tuple[Creditor, CreditorRegistration]]:
    """Registrations waiting for an admin, oldest first (for the CLI and the web admin)."""
    rows = session.execute(
        select(Creditor, CreditorRegistration)
        .join(CreditorRegistration, CreditorRegistration.creditor_id == Creditor.id)
        .where(Creditor.status == "pending")
        .order_by(CreditorRegistration.created_at, CreditorRegistration.id)
    ).all()
    return [(c, r) for c, r in rows]


def login_refusal(session: Session, user: User) -> str | None:
    """Why a correctly authenticated user may not sign in yet (message key), else ``None``."""
    if user.role != "creditor" or user.creditor_id is None:
        return None
    registration = session.scalar(
        select(CreditorRegistration).where(CreditorRegistration.user_id == user.id)
    )
    if registration is not None and registration.email_confirmed_at is None:
        return "register.login.unconfirmed"
    creditor = session.get(Creditor, user.creditor_id)
    if creditor is None or creditor.status != "active":
        return "register.login.pending"
    return None


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
