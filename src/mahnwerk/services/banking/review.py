"""The review queue of bank entries (Klärungsfälle): what the matcher was not sure about.

Service functions for the staff pages and the CLI (``mahnwerk bank review``):

- :func:`open_reviews`: entries waiting for a person (status ``review``), with the
  matcher's candidates and the cases' numbers; ``include_unapplied`` adds the unapplied
  money, which a person may assign later just the same;
- :func:`confirm`: book a candidate as proposed (the first by default);
- :func:`correct`: book on other case(s), also split (``[(case_id, amount), …]``);
- :func:`mark_not_ours`: the money is not for any case (status ``ignored``; it stays stored).

Confirming or correcting a payment establishes the payer's account for the debtor: an
account stored for the debtor (perhaps only typed in by a creditor) gets provenance
``payment``; an unknown one is stored as a
:class:`~mahnwerk.store.banking_store.LearnedPayer` (IBAN and payer name → person), so the
next payment from there is matched on its own. Only staff may decide. A candidate the
matcher held back by a tenant rule (``hold``: it fits cases of several creditors) is shown
with that reason; a person may still confirm it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.banking import matching
from mahnwerk.banking.iban import normalize_iban
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.banking.accounts import establish_account
from mahnwerk.services.banking.statements import apply_return, book, latest_payment
from mahnwerk.store.banking_store import BankEntry, LearnedPayer
from mahnwerk.store.models import BankAccount, Case, Debtor

OPEN_STATUSES = ("review", "unapplied")


class ReviewError(ValueError):
    """A review decision that cannot be applied (shown to the person)."""


class EntryNotFound(ReviewError):
    """No bank entry has this id."""


@dataclass(frozen=True)
class ReviewCandidate:
    allocations: tuple[tuple[int, str, Decimal], ...]  # case id, case number, amount
    confidence: float
    reasons: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class ReviewItem:
    entry: BankEntry
    candidates: tuple[ReviewCandidate, ...]


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeiter der Inkassostelle")


def open_reviews(
    session: Session, actor: Actor, *, include_unapplied: bool = False, limit: int = 200
) -> list[ReviewItem]:
    _staff(actor)
    statuses = OPEN_STATUSES if include_unapplied else ("review",)
    rows = session.scalars(
        select(BankEntry)
        .where(BankEntry.status.in_(statuses))
        .order_by(BankEntry.booking_date, BankEntry.id)
        .limit(limit)
    ).all()
    case_ids = {
        int(a["case_id"]) for r in rows for c in (r.candidates or []) for a in c["allocations"]
    }
    refs = (
        dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all())
        if case_ids
        else {}
    )
    items = []
    for r in rows:
        cands = tuple(
            ReviewCandidate(
                allocations=tuple(
                    (int(a["case_id"]), refs.get(int(a["case_id"]), "?"), Decimal(a["amount"]))
                    for a in c["allocations"]
                ),
                confidence=float(c["confidence"]),
                reasons=tuple(c["reasons"]),
                kind=c.get("kind", "payment"),
            )
            for c in (r.candidates or [])
        )
        items.append(ReviewItem(r, cands))
    audit.record(session, actor, "list", "bank_entry", None, details={"count": len(items)})
    return items


def _entry(session: Session, entry_id: int) -> BankEntry:
    row = session.get(BankEntry, entry_id, with_for_update=True)
    if row is None:
        raise EntryNotFound(f"Umsatz {entry_id} nicht gefunden")
    if row.status not in OPEN_STATUSES:
        raise ReviewError(f"Umsatz {entry_id} ist schon erledigt ({row.status})")
    return row


def confirm(session: Session, actor: Actor, entry_id: int, candidate: int = 0) -> BankEntry:
    """Book the entry as the matcher proposed (candidate ``candidate``, best first)."""
    _staff(actor)
    row = _entry(session, entry_id)
    cands = row.candidates or []
    if not 0 <= candidate < len(cands):
        raise ReviewError(f"Umsatz {entry_id} hat keinen Vorschlag Nr. {candidate + 1}")
    c = cands[candidate]
    allocations = [(int(a["case_id"]), Decimal(a["amount"])) for a in c["allocations"]]
    if c.get("kind") == "return":
        allocations = [(cid, -amount) for cid, amount in allocations]
    return _decide(session, actor, row, allocations, float(c["confidence"]), "bestätigt")


def correct(
    session: Session, actor: Actor, entry_id: int, allocations: Sequence[tuple[int, Decimal]]
) -> BankEntry:
    """Book the entry on the given case(s); amounts must add up to the entry."""
    _staff(actor)
    row = _entry(session, entry_id)
    return _decide(session, actor, row, list(allocations), 1.0, "korrigiert")


def mark_not_ours(session: Session, actor: Actor, entry_id: int, note: str = "") -> BankEntry:
    _staff(actor)
    row = _entry(session, entry_id)
    row.status = "ignored"
    row.note = (note or "als „nicht unser“ markiert")[:500]
    row.decided_by = actor.label
    row.decided_at = utcnow()
    audit.record(session, actor, "update", "bank_entry", row.id, details={"status": "ignored"})
    return row


def _decide(
    session: Session,
    actor: Actor,
    row: BankEntry,
    allocations: list[tuple[int, Decimal]],
    confidence: float,
    how: str,
) -> BankEntry:
    if not allocations:
        raise ReviewError("keine Akte angegeben")
    cases = []
    for case_id, _ in allocations:
        case = session.get(Case, case_id)
        if case is None:
            raise ReviewError(f"Fall {case_id} nicht gefunden")
        cases.append(case)
    reasons = [f"von {actor.label} {how}"]
    if row.is_return and row.sign == "DBIT":
        if len(allocations) != 1:
            raise ReviewError("eine Rücklastschrift gehört zu genau einer Zahlung")
        amount = row.amount - row.charges
        payment = latest_payment(session, cases[0].id, amount)
        if payment is None:
            raise ReviewError(
                f"auf Fall {cases[0].reference} gibt es keine Bankzahlung über {amount} €"
            )
        apply_return(session, actor, row, None, payment, confidence, reasons, actor.label)
    else:
        if any(amount <= 0 for _, amount in allocations):
            raise ReviewError("Beträge müssen größer als 0 sein")
        total = sum((amount for _, amount in allocations), Decimal(0))
        if total != row.amount:
            raise ReviewError(
                f"die Beträge ergeben {total} €, der Umsatz lautet auf {row.amount} €"
            )
        allocs = [matching.Allocation(str(cid), amount) for cid, amount in allocations]
        book(session, actor, row, None, allocs, confidence, reasons, actor.label)
        _learn(session, actor, row, cases)
    audit.record(
        session, actor, "update", "bank_entry", row.id,
        details={"status": row.status, "cases": [c.id for c in cases]},
    )  # fmt: skip
    return row


def _learn(session: Session, actor: Actor, row: BankEntry, cases: list[Case]) -> None:
    """Remember who paid for whom. An account already stored for the debtor (perhaps only
    typed in by a creditor) is now established by this confirmed payment; an unknown one is
    learned with the payer's name (a relative, an employer)."""
    persons = {
        session.scalar(select(Debtor.person_id).where(Debtor.id == c.debtor_id)) for c in cases
    }
    if len(persons) != 1:
        return
    person_id = persons.pop()
    if person_id is None:
        return
    iban = normalize_iban(row.counterparty_iban)
    name = row.counterparty_name.strip()
    if not iban and not name:
        return
    stored = session.execute(
        select(BankAccount.debtor_id, BankAccount.iban)
        .join(Debtor, Debtor.id == BankAccount.debtor_id)
        .where(Debtor.person_id == person_id)
    ).all()
    if iban and any(normalize_iban(i) == iban for _d, i in stored):
        now = utcnow()
        for case in cases:
            establish_account(
                session, case.debtor_id, iban, provenance="payment",
                evidence=f"Umsatz {row.id}, bestätigt von {actor.label}"[:100], now=now,
                source="bank",
            )  # fmt: skip
        return
    learned: list[Any] = list(
        session.scalars(select(LearnedPayer).where(LearnedPayer.person_id == person_id))
    )
    if any(lp.iban == iban and lp.name == name for lp in learned):
        return
    session.add(
        LearnedPayer(
            person_id=person_id,
            iban=iban,
            name=name[:200],
            entry_id=row.id,
            confirmed_by=actor.label,
            confirmed_at=utcnow(),
        )
    )
    session.flush()
