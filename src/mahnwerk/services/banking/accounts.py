"""The debtors' bank accounts and who vouches for them (issue 20).

A stored IBAN points payment matching to a debtor only when it is *established*: given by
the debtor (the portal, a SEPA mandate, a statement to the agency) or seen on a payment
that was booked for the debtor with our check-digit case number and the debtor's own name.
An IBAN a creditor typed in (import, API) is kept as ``provenance = 'creditor'`` and never
counts: otherwise one creditor could capture another's payments by typing the debtor's
account into a case of its own.

:func:`establish_account` records an account as established (or upgrades a creditor-typed
row of the same IBAN); :func:`established_ibans` lists them per person for the matcher.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.banking.iban import normalize_iban
from mahnwerk.store.models import ESTABLISHED_PROVENANCES, BankAccount, Debtor


def establish_account(
    session: Session,
    debtor_id: int,
    iban: str,
    *,
    provenance: str,
    evidence: str,
    now: datetime,
    holder: str | None = None,
    source: str = "",
) -> BankAccount | None:
    """Record ``iban`` as the debtor's established account; a row the creditor typed in is
    upgraded, an established one left as it is. ``None`` when there is no IBAN."""
    if provenance not in ESTABLISHED_PROVENANCES:
        raise ValueError(f"{provenance!r} establishes no account")
    value = normalize_iban(iban)
    if not value:
        return None
    rows = session.scalars(select(BankAccount).where(BankAccount.debtor_id == debtor_id)).all()
    for row in rows:
        if normalize_iban(row.iban) == value:
            if not row.established:
                row.provenance = provenance
                row.evidence = evidence[:100]
                row.established_at = now
            return row
    row = BankAccount(
        debtor_id=debtor_id,
        iban=value,
        holder=holder,
        source=(source or provenance)[:20],
        provenance=provenance,
        evidence=evidence[:100],
        established_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def established_ibans(
    session: Session, persons: Iterable[int] | None = None
) -> dict[int, set[str]]:
    """Person id → the normalised IBANs established for any of the person's debtor rows."""
    query = (
        select(Debtor.person_id, BankAccount.iban)
        .join(Debtor, Debtor.id == BankAccount.debtor_id)
        .where(BankAccount.provenance.in_(ESTABLISHED_PROVENANCES))
    )
    if persons is not None:
        query = query.where(Debtor.person_id.in_(list(persons)))
    out: dict[int, set[str]] = {}
    for person, iban in session.execute(query):
        value = normalize_iban(iban)
        if value:
            out.setdefault(person, set()).add(value)
    return out
