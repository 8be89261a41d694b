"""Retention and erasure (Löschkonzept; Art. 17 and 18 GDPR, § 35 BDSG, § 257 HGB, § 147 AO).

A debtor's data is needed while one of their cases is open. When all have ended (closed or
recalled), :func:`run_retention` (a daily job of the workers, also ``mahnwerk privacy
retention``) first **blocks** the debtor (:class:`~mahnwerk.store.privacy.PrivacyBlock`,
Sperrung: kept only for the duties to keep it) and later erases each kind of data when its
period has passed. Periods run from the end of the year the last case ended
(§ 257 Abs. 5 HGB) and are settings (:class:`mahnwerk.config.Settings`):

===========  ==========================================================  ================
kind         what                                                        default
===========  ==========================================================  ================
scores       the cases' scores with their reasons                        1 year
contacts     e-mail addresses, phone numbers, contact preferences        3 years
letters      the stored files of letters and documents (the row stays)   6 years
books        names, birth date, addresses, bank accounts and the         10 years
             personal text of payments and postings: anonymised
===========  ==========================================================  ================

Erasing the books keeps every amount, date and link: claims, costs, payments, reversals and
postings stay, so the ledger's sums and the reconciliation still hold; only the text that
names the person is overwritten with :data:`~mahnwerk.store.models.ANONYMISED` (the one change
the append-only triggers allow). Each erasure is recorded in
:class:`~mahnwerk.store.privacy.PrivacyErasure` and the audit trail.

A justified request (:func:`erase_on_request`, ``mahnwerk privacy erase``) is refused while
a case of the person is open (the claim is still pursued, Art. 17 Abs. 3 lit. e GDPR); else
it erases at once what no law requires to keep (scores, contact data) and names for the rest
the day until which the law requires it to be kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import ScalarSelect, delete, func, select, update
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.privacy.export import Subject
from mahnwerk.store.models import (
    ANONYMISED,
    Address,
    BankAccount,
    Case,
    ContactPoint,
    CostReversal,
    Debtor,
    Document,
    LedgerPosting,
    Payment,
    PaymentReversal,
)
from mahnwerk.store.privacy import PrivacyBlock, PrivacyErasure
from mahnwerk.store.scoring import CaseScore
from mahnwerk.store.workflow import ContactPreference

if TYPE_CHECKING:
    from mahnwerk.config import Settings

ENDED = ("closed", "recalled")
#: the kinds in the order they expire, with the legal reason to keep them until then
KINDS: dict[str, str] = {
    "scores": "",
    "contacts": "",
    "letters": "Handelsbriefe, § 257 Abs. 1 Nr. 2, 3, Abs. 4 HGB, § 147 Abs. 3 AO",
    "books": "Bücher und Buchungsbelege, § 257 Abs. 1 Nr. 1, 4, Abs. 4 HGB, § 147 Abs. 3 AO",
}


BLOCK_REASON = "alle Fälle beendet: nur noch Aufbewahrung (Art. 18 DSGVO, § 35 Abs. 3 BDSG)"


class ErasureRefused(Exception):
    pass


@dataclass
class RetentionReport:
    blocked: int = 0
    erased: dict[str, int] = field(default_factory=dict)

    def german(self) -> str:
        names = {"scores": "Scores", "contacts": "Kontaktdaten", "letters": "Briefe",
                 "books": "Stammdaten anonymisiert"}  # fmt: skip
        lines = [f"Aufbewahrung: {self.blocked} Schuldner gesperrt (alle Fälle beendet)"]
        lines += [f"  gelöscht – {names[k]}: {n} Schuldner" for k, n in self.erased.items()]
        return "\n".join(lines)


@dataclass
class ErasureResult:
    erased: dict[str, int] = field(default_factory=dict)
    kept: dict[str, tuple[date, str]] = field(default_factory=dict)

    def german(self) -> str:
        lines = [f"gelöscht: {kind} ({rows} Einträge)" for kind, rows in self.erased.items()]
        lines += [
            f"aufbewahrt bis {until:%d.%m.%Y}: {kind} ({why})"
            for kind, (until, why) in self.kept.items()
        ]
        return "\n".join(lines)


def years_of(settings: Settings) -> dict[str, int]:
    return {
        "scores": settings.retention_scores_years,
        "contacts": settings.retention_contacts_years,
        "letters": settings.retention_letters_years,
        "books": settings.retention_books_years,
    }


def kept_until(ended_on: date, years: int) -> date:
    """The last day of the period: ``years`` after the end of the year ``ended_on`` falls in."""
    return date(ended_on.year + years, 12, 31)


def run_retention(
    session: Session, actor: Actor, settings: Settings, today: date
) -> RetentionReport:
    """Block the debtors whose cases have all ended, then erase what has passed its period."""
    report = RetentionReport(blocked=block_ended(session, today))
    periods = years_of(settings)
    blocks = session.scalars(select(PrivacyBlock).order_by(PrivacyBlock.id)).all()
    for block in blocks:
        done = set(
            session.scalars(
                select(PrivacyErasure.kind).where(PrivacyErasure.debtor_id == block.debtor_id)
            )
        )
        for kind, years in periods.items():
            if kind in done or today <= kept_until(block.ended_on, years):
                continue
            why = f"Aufbewahrungsfrist abgelaufen ({years} Jahre ab Ende {block.ended_on.year})"
            erase_kind(
                session, actor, block.debtor_id, kind, trigger="retention", reason=why,
                documents_dir=settings.documents_dir,
            )  # fmt: skip
            report.erased[kind] = report.erased.get(kind, 0) + 1
    return report


def block_ended(session: Session, today: date) -> int:
    """Block every debtor not yet blocked whose cases have all ended."""
    open_debtors = select(Case.debtor_id).where(Case.status.not_in(ENDED))
    blocked = select(PrivacyBlock.debtor_id)
    rows = session.execute(
        select(Case.debtor_id, func.max(Case.updated_at))
        .where(Case.debtor_id.not_in(open_debtors), Case.debtor_id.not_in(blocked))
        .group_by(Case.debtor_id)
    ).all()
    now = utcnow()
    for debtor_id, last_change in rows:
        ended_on = _as_date(last_change) if last_change else today
        session.add(
            PrivacyBlock(
                debtor_id=debtor_id, ended_on=ended_on, blocked_at=now,
                reason=BLOCK_REASON,
            )
        )  # fmt: skip
    session.flush()
    return len(rows)


def _as_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).date()
    return value


def erase_on_request(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    reason: str,
    settings: Settings,
    today: date,
) -> ErasureResult:
    """Erase what a justified request (Art. 17 GDPR) may erase now; refused while a case of
    the person is open."""
    if not reason.strip():
        raise ErasureRefused("eine Löschung braucht eine Begründung (--reason)")
    open_cases = session.scalars(
        select(Case.reference).where(Case.id.in_(subject.case_ids), Case.status.not_in(ENDED))
    ).all()
    if open_cases:
        raise ErasureRefused(
            f"Fall {', '.join(open_cases)} ist offen: die Forderung wird noch geltend gemacht,"
            " die Daten werden dafür gebraucht (Art. 17 Abs. 3 lit. e DSGVO). Erst nach dem"
            " Abschluss oder Rückruf löschbar."
        )
    block_ended(session, today)
    result = ErasureResult()
    periods = years_of(settings)
    for debtor_id in subject.debtor_ids:
        block = session.scalar(select(PrivacyBlock).where(PrivacyBlock.debtor_id == debtor_id))
        done = set(
            session.scalars(
                select(PrivacyErasure.kind).where(PrivacyErasure.debtor_id == debtor_id)
            )
        )
        for kind, why in KINDS.items():
            if kind in done:
                continue
            until = kept_until(block.ended_on, periods[kind]) if block else today
            if why and today <= until:
                result.kept[kind] = max(result.kept.get(kind, (until, why)), (until, why))
                continue
            rows = erase_kind(
                session, actor, debtor_id, kind, trigger="request", reason=reason,
                documents_dir=settings.documents_dir,
            )  # fmt: skip
            result.erased[kind] = result.erased.get(kind, 0) + rows
    return result


def erase_kind(
    session: Session,
    actor: Actor,
    debtor_id: int,
    kind: str,
    *,
    trigger: str,
    reason: str,
    documents_dir: Path,
) -> int:
    """Erase or anonymise one kind of a debtor's data; returns the rows touched."""
    case_ids = select(Case.id).where(Case.debtor_id == debtor_id).scalar_subquery()
    rows = 0
    if kind == "scores":
        rows = _count(session.execute(delete(CaseScore).where(CaseScore.case_id.in_(case_ids))))
    elif kind == "contacts":
        for model in (ContactPoint, ContactPreference):
            rows += _count(session.execute(delete(model).where(model.debtor_id == debtor_id)))
    elif kind == "letters":
        rows = _erase_files(session, case_ids, documents_dir)
    elif kind == "books":
        rows = _anonymise(session, debtor_id, case_ids)
    else:
        raise ValueError(kind)
    session.add(
        PrivacyErasure(
            debtor_id=debtor_id, kind=kind, trigger=trigger, reason=reason[:500],
            actor=actor.label[:100], rows=rows, at=utcnow(),
        )
    )  # fmt: skip
    audit.record(
        session, actor, "erase", "debtor", debtor_id,
        details={"kind": kind, "trigger": trigger, "rows": rows},
    )  # fmt: skip
    session.flush()
    return rows


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _erase_files(session: Session, case_ids: ScalarSelect[int], documents_dir: Path) -> int:
    base = documents_dir.resolve()
    docs = session.scalars(select(Document).where(Document.case_id.in_(case_ids))).all()
    for doc in docs:
        if doc.path:
            path = (base / doc.path).resolve()
            if base in path.parents:
                path.unlink(missing_ok=True)
            doc.path = ""
    return len(docs)


def _anonymise(session: Session, debtor_id: int, case_ids: ScalarSelect[int]) -> int:
    debtor = session.get(Debtor, debtor_id)
    assert debtor is not None
    debtor.first_name = ANONYMISED if debtor.first_name else None
    debtor.last_name = ANONYMISED if debtor.last_name else None
    debtor.company = ANONYMISED if debtor.company else None
    debtor.birth_date = None
    debtor.identity_key = f"erased-{debtor_id}"  # no link to the person any more
    rows = 1
    for model in (Address, BankAccount):
        rows += _count(session.execute(delete(model).where(model.debtor_id == debtor_id)))
    for table, column in (
        (Payment, Payment.reference),
        (PaymentReversal, PaymentReversal.reason),
        (CostReversal, CostReversal.reason),
        (LedgerPosting, LedgerPosting.reason),
    ):
        rows += _count(
            session.execute(
                update(table)
                .where(table.case_id.in_(case_ids), column != ANONYMISED)
                .values({column.key: ANONYMISED})
                .execution_options(synchronize_session=False)
            )
        )
    return rows
