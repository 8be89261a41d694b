"""Insolvency notices: import, matching against every debtor, the effects of a match, the
review list, § 302 InsO exceptions and the Forderungsanmeldung.

:func:`import_notices` reads a file (:mod:`mahnwerk.enforcement.insolvency`: CSV or JSON),
and in ONE transaction stores every notice not seen before (unique by content hash, so a
file imported twice books nothing twice), matches the new ones against all debtors
(:class:`~mahnwerk.enforcement.insolvency.DebtorIndex`, built once per import) and acts:

- a **sure** match (same name and birth date) takes effect at once (:func:`apply_match`);
- a **probable** one waits on the review list until a person confirms or rejects it.

What a notice does to the open cases of a matched debtor:

- **Eröffnung**: the ``insolvency`` flag (the daily run stops dunning, § 89 InsO stops
  individual enforcement: open measures are stopped and their approvals rejected) and a task
  to file the claim with the administrator by the deadline (§§ 28, 174 InsO);
- **Abweisung mangels Masse**: no proceedings, so no stop; the insolvency court orders an
  entry in the Schuldnerverzeichnis (§ 26 Abs. 2 InsO): recorded as such (the measure
  proposal then waits) and a task for a person;
- **Restschuldbefreiung erteilt**: the claims are no longer enforceable (§ 301 InsO) except
  those a person marked as excepted (§ 302 InsO): a case with none excepted is closed; one
  with some stays open for those only, with a task; the insolvency flag is cleared;
- **Restschuldbefreiung versagt**: the flag is cleared and a task says enforcement from the
  Tabellenauszug may resume (§ 201 InsO).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.config import Settings
from mahnwerk.domain.contact_rules import BERLIN
from mahnwerk.enforcement import claim_filing
from mahnwerk.enforcement.insolvency import (
    PROBABLE,
    SURE,
    DebtorIndex,
    Notice,
    NoticeKind,
    parse,
)
from mahnwerk.enforcement.values import TitleRef
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.enforcement.values import enforcement_case, store_pdf
from mahnwerk.services.workspace import workflow
from mahnwerk.store.enforcement import (
    DischargeException,
    EnforcementMeasure,
    InsolvencyMatch,
    InsolvencyNotice,
    RegisterEntry,
)
from mahnwerk.store.models import Case, Claim, Debtor, Document
from mahnwerk.store.workflow import Approval, CaseFlag

#: Probable matches below this confidence are not shown to anyone.
REVIEW_THRESHOLD = 0.6
_CHUNK = 900


class InsolvencyError(ValueError):
    """A request the insolvency rules refuse (German message for the caller)."""


@dataclass
class ImportSummary:
    filename: str
    notices: int = 0
    new: int = 0
    duplicates: int = 0
    sure: int = 0
    probable: int = 0
    cases_stopped: int = 0
    cases_closed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def german(self) -> str:
        return "\n".join(
            [
                f"Insolvenzbekanntmachungen aus {self.filename}",
                f"  Bekanntmachungen:        {self.notices} ({self.new} neu, "
                f"{self.duplicates} schon bekannt)",
                f"  sichere Treffer:         {self.sure}",
                f"  zur Prüfung:             {self.probable}",
                f"  Fälle gestoppt (§ 89):   {self.cases_stopped}",
                f"  Fälle geschlossen (RSB): {self.cases_closed}",
            ]
        )


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeitende")


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ------------------------------------------------------------------------------ import


def debtor_index(session: Session) -> DebtorIndex:
    """Every debtor of the store, indexed for matching.

    Read through the driver's cursor, not as ORM rows: an import matches against every
    debtor (a million rows), and an object per row would cost more than the matching."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute("SELECT id, kind, last_name, first_name, company, birth_date FROM debtor")
        debtors = cursor.fetchall()
        cursor.execute("SELECT debtor_id, postcode FROM address")
        addresses = cursor.fetchall()
    finally:
        cursor.close()
    return DebtorIndex.build(debtors, addresses)


def import_notices(
    session: Session, actor: Actor, data: bytes, filename: str, *, today: date | None = None
) -> ImportSummary:
    """Read, store, match and apply a notice file (see the module docstring).

    :class:`~mahnwerk.enforcement.insolvency.NoticeFileError` before anything is written if
    the file is bad; the caller's transaction makes the rest whole or nothing."""
    _staff(actor)
    notices = parse(data, filename)
    summary = ImportSummary(filename=filename, notices=len(notices))
    by_hash: dict[str, Notice] = {}
    for notice in notices:
        by_hash.setdefault(notice.content_hash(), notice)
    known: set[str] = set()
    for chunk in _chunks(list(by_hash)):
        known.update(
            session.scalars(
                select(InsolvencyNotice.content_hash).where(
                    InsolvencyNotice.content_hash.in_(chunk)
                )
            )
        )
    fresh = {h: n for h, n in by_hash.items() if h not in known}
    summary.duplicates = len(notices) - len(fresh)
    summary.new = len(fresh)
    if not fresh:
        audit.record(session, actor, "import", "insolvency_notices", None, details=_audit(summary))
        return summary
    now = utcnow()
    ids = _insert_notices(session, actor, fresh, filename, now)
    index = debtor_index(session)
    match_rows: list[dict[str, Any]] = []
    for digest, notice in fresh.items():
        summary.by_kind[notice.kind.value] = summary.by_kind.get(notice.kind.value, 0) + 1
        for m in index.match(notice):
            if m.level == PROBABLE and m.confidence < REVIEW_THRESHOLD:
                continue
            match_rows.append(
                {
                    "notice_id": ids[digest],
                    "debtor_id": m.debtor_id,
                    "level": m.level,
                    "confidence": m.confidence,
                    "reasons": list(m.reasons),
                    "status": "applied" if m.level == SURE else "review",
                }
            )
    if match_rows:
        session.execute(insert(InsolvencyMatch), match_rows)
    sure = [r for r in match_rows if r["level"] == SURE]
    summary.sure = len(sure)
    summary.probable = len(match_rows) - len(sure)
    day = today or today_in_germany(now)
    rows = {n.id: n for n in _notices_by_id(session, [r["notice_id"] for r in sure])}
    for r in sure:
        stopped, closed = _apply(session, actor, rows[r["notice_id"]], r["debtor_id"], day)
        summary.cases_stopped += stopped
        summary.cases_closed += closed
    audit.record(session, actor, "import", "insolvency_notices", None, details=_audit(summary))
    return summary


def _audit(summary: ImportSummary) -> dict[str, Any]:
    return {k: v for k, v in summary.as_dict().items() if k != "filename"}


def _insert_notices(
    session: Session, actor: Actor, fresh: dict[str, Notice], filename: str, now: datetime
) -> dict[str, int]:
    rows = [
        {
            "content_hash": digest,
            "court": n.court,
            "file_number": n.file_number,
            "day": n.day,
            "kind": n.kind.value,
            "last_name": n.last_name,
            "first_name": n.first_name,
            "company": n.company,
            "birth_date": n.birth_date,
            "street": n.street,
            "postcode": n.postcode,
            "city": n.city,
            "administrator": n.administrator,
            "claims_deadline": n.claims_deadline,
            "source_file": filename[:300],
            "imported_by": actor.label,
            "imported_at": now,
        }
        for digest, n in fresh.items()
    ]
    table = InsolvencyNotice.metadata.tables["insolvency_notice"]
    for chunk in _chunks(rows, 5000):
        session.execute(insert(table), list(chunk))
    ids: dict[str, int] = {}
    for chunk in _chunks(list(fresh)):
        ids.update(
            {
                digest: nid
                for nid, digest in session.execute(
                    select(InsolvencyNotice.id, InsolvencyNotice.content_hash).where(
                        InsolvencyNotice.content_hash.in_(chunk)
                    )
                )
            }
        )
    return ids


def _notices_by_id(session: Session, ids: Sequence[int]) -> list[InsolvencyNotice]:
    out: list[InsolvencyNotice] = []
    for chunk in _chunks(sorted(set(ids))):
        out += session.scalars(select(InsolvencyNotice).where(InsolvencyNotice.id.in_(chunk)))
    return out


# ----------------------------------------------------------------------------- effects


def _open_cases(session: Session, debtor_id: int) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .where(Case.debtor_id == debtor_id, Case.status == "open")
            .options(selectinload(Case.claims))
            .order_by(Case.id)
        )
    )


def notice_text(n: InsolvencyNotice) -> str:
    return (
        f"{NoticeKind(n.kind).german}: {n.court}, Az. {n.file_number}, "
        f"vom {n.day.strftime('%d.%m.%Y')}"
    )


def _apply(
    session: Session, actor: Actor, notice: InsolvencyNotice, debtor_id: int, day: date
) -> tuple[int, int]:
    """The notice's effect on every open case of the debtor: (cases stopped, cases closed)."""
    kind = NoticeKind(notice.kind)
    stopped = closed = 0
    text = notice_text(notice)
    for case in _open_cases(session, debtor_id):
        events.emit(
            session,
            case,
            "insolvency.notice",
            actor,
            notice_id=notice.id,
            notice_kind=kind.value,
            text=text,
        )
        if kind is NoticeKind.OPENING:
            workflow.set_flag(session, actor, case.id, "insolvency", text[:500])
            _stop_enforcement(session, actor, case, text)
            deadline = notice.claims_deadline
            workflow.add_task(
                session,
                case.id,
                "insolvency_filing",
                f"insolvency_filing:{notice.id}",
                (
                    "Insolvenz eröffnet: Forderung beim Verwalter zur Tabelle anmelden"
                    + (f" bis {deadline.strftime('%d.%m.%Y')}" if deadline else "")
                    + f" ({notice.court}, Az. {notice.file_number})"
                )[:500],
                due_at=datetime.combine(deadline, time(9), BERLIN) if deadline else None,
                data={"notice_id": notice.id},
            )
            stopped += 1
        elif kind is NoticeKind.DISMISSED:
            _register_entry(session, actor, case.debtor_id, notice)
            workflow.add_task(
                session,
                case.id,
                "review_flag",
                f"insolvency_dismissed:{notice.id}",
                "Insolvenzantrag mangels Masse abgewiesen: Vermögenslosigkeit; Vollstreckung "
                "zurückstellen, Titel überwachen",
                data={"notice_id": notice.id},
            )
        elif kind is NoticeKind.DISCHARGE_GRANTED:
            closed += _discharge(session, actor, case, notice, text)
        else:
            workflow.clear_flag(session, actor, case.id, "insolvency")
            workflow.add_task(
                session,
                case.id,
                "review_flag",
                f"insolvency_refused:{notice.id}",
                "Restschuldbefreiung versagt: Vollstreckung aus dem Tabellenauszug prüfen "
                "(§ 201 InsO)",
                data={"notice_id": notice.id},
            )
        audit.record(
            session,
            actor,
            "apply",
            "insolvency_notice",
            notice.id,
            case_id=case.id,
            creditor_id=case.creditor_id,
            details={"kind": kind.value},
        )
    return stopped, closed


def _register_entry(session: Session, actor: Actor, debtor_id: int, n: InsolvencyNotice) -> None:
    exists = session.scalar(
        select(RegisterEntry.id).where(
            RegisterEntry.debtor_id == debtor_id,
            RegisterEntry.file_no == n.file_number,
            RegisterEntry.entered_on == n.day,
        )
    )
    if exists is None:
        session.add(
            RegisterEntry(
                debtor_id=debtor_id,
                entered_on=n.day,
                reason="Abweisung mangels Masse (§ 26 Abs. 2 InsO)",
                court=n.court,
                file_no=n.file_number,
                created_by=actor.label,
                created_at=utcnow(),
            )
        )
        session.flush()


def _stop_enforcement(session: Session, actor: Actor, case: Case, text: str) -> None:
    """§ 89 InsO: open measures stop, their pending approvals are rejected."""
    now = utcnow()
    for measure in session.scalars(
        select(EnforcementMeasure).where(
            EnforcementMeasure.case_id == case.id,
            EnforcementMeasure.status.in_(("proposed", "approved", "filed")),
        )
    ):
        measure.status = "stopped"
        measure.closed_at = now
        if measure.approval_id is not None:
            approval = session.get(Approval, measure.approval_id)
            if approval is not None and approval.status == "pending":
                approval.status = "rejected"
                approval.decided_by = actor.label
                approval.decided_at = now
                approval.decision_reason = f"Vollstreckungsverbot § 89 InsO ({text})"[:500]
        events.emit(
            session, case, "enforcement.stopped", actor, measure_id=measure.id, reason="§ 89 InsO"
        )


def _discharge(
    session: Session, actor: Actor, case: Case, notice: InsolvencyNotice, text: str
) -> int:
    claim_ids = [c.id for c in case.claims]
    excepted = set(
        session.scalars(
            select(DischargeException.claim_id).where(DischargeException.claim_id.in_(claim_ids))
        )
    )
    workflow.clear_flag(session, actor, case.id, "insolvency")
    covered = [c.invoice_no for c in case.claims if c.id not in excepted]
    kept = [c.invoice_no for c in case.claims if c.id in excepted]
    events.emit(
        session,
        case,
        "insolvency.discharged",
        actor,
        notice_id=notice.id,
        covered=covered,
        excepted=kept,
    )
    if not kept:
        case.status = "closed"
        case.updated_at = utcnow()
        events.emit(
            session, case, "case.closed", actor, reason="Restschuldbefreiung erteilt (§ 301 InsO)"
        )
        return 1
    workflow.add_task(
        session,
        case.id,
        "review_flag",
        f"insolvency_discharged:{notice.id}",
        (
            "Restschuldbefreiung erteilt: nur die nach § 302 InsO ausgenommenen Forderungen "
            f"({', '.join(kept)}) weiter verfolgen; nicht mehr durchsetzbar: "
            f"{', '.join(covered) or '–'}"
        )[:500],
        data={"notice_id": notice.id},
    )
    return 0


# ------------------------------------------------------------------------------ review


@dataclass(frozen=True)
class ReviewItem:
    match: InsolvencyMatch
    notice: InsolvencyNotice
    debtor: Debtor
    cases: list[Case]


def review_list(session: Session, actor: Actor) -> list[ReviewItem]:
    """Probable matches waiting for a person, most confident first."""
    _staff(actor)
    rows = session.execute(
        select(InsolvencyMatch, InsolvencyNotice, Debtor)
        .join(InsolvencyNotice, InsolvencyNotice.id == InsolvencyMatch.notice_id)
        .join(Debtor, Debtor.id == InsolvencyMatch.debtor_id)
        .where(InsolvencyMatch.status == "review")
        .order_by(InsolvencyMatch.confidence.desc(), InsolvencyMatch.id)
    ).all()
    out = []
    for match, notice, debtor in rows:
        cases = [
            c for c in _open_cases(session, debtor.id) if actor.may_see_creditor(c.creditor_id)
        ]
        out.append(ReviewItem(match, notice, debtor, cases))
    return out


def _decide(session: Session, actor: Actor, match_id: int, status: str) -> InsolvencyMatch:
    _staff(actor)
    if actor.kind == "system":
        raise InsolvencyError("ein Mensch entscheidet über einen unsicheren Treffer")
    match = session.get(InsolvencyMatch, match_id)
    if match is None:
        raise InsolvencyError(f"Treffer {match_id} gibt es nicht")
    if match.status != "review":
        raise InsolvencyError(f"Treffer {match_id} ist schon entschieden ({match.status})")
    match.status = status
    match.decided_by = actor.label
    match.decided_at = utcnow()
    audit.record(session, actor, status, "insolvency_match", match.id)
    return match


def confirm_match(
    session: Session, actor: Actor, match_id: int, *, today: date | None = None
) -> tuple[int, int]:
    """A person confirms a probable match: the notice takes effect as a sure one would."""
    match = _decide(session, actor, match_id, "confirmed")
    notice = session.get(InsolvencyNotice, match.notice_id)
    assert notice is not None
    return _apply(session, actor, notice, match.debtor_id, today or today_in_germany())


def reject_match(session: Session, actor: Actor, match_id: int) -> InsolvencyMatch:
    """Not this debtor: the notice has no effect on them."""
    return _decide(session, actor, match_id, "rejected")


def apply_match(session: Session, actor: Actor, match_id: int, day: date) -> tuple[int, int]:
    """Apply an already decided match again (used by tests and repairs; idempotent effects)."""
    match = session.get(InsolvencyMatch, match_id)
    if match is None:
        raise InsolvencyError(f"Treffer {match_id} gibt es nicht")
    notice = session.get(InsolvencyNotice, match.notice_id)
    assert notice is not None
    return _apply(session, actor, notice, match.debtor_id, day)


# ----------------------------------------------------------------- § 302 and the filing


def mark_excepted(session: Session, actor: Actor, claim_id: int, note: str) -> DischargeException:
    """§ 302 InsO: a person marks a claim the Restschuldbefreiung does not cover."""
    _staff(actor)
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise InsolvencyError(f"Forderung {claim_id} gibt es nicht")
    case = session.get(Case, claim.case_id)
    assert case is not None
    if not actor.may_see_creditor(case.creditor_id):
        raise InsolvencyError(f"Forderung {claim_id} gibt es nicht")
    if not note.strip():
        raise InsolvencyError("Grund der Ausnahme fehlt (§ 302 Nr. 1–3 InsO)")
    existing = session.scalar(
        select(DischargeException).where(DischargeException.claim_id == claim_id)
    )
    if existing is not None:
        return existing
    row = DischargeException(
        claim_id=claim_id, note=note.strip()[:500], marked_by=actor.label, marked_at=utcnow()
    )
    session.add(row)
    session.flush()
    events.emit(session, case, "insolvency.excepted", actor, claim=claim.invoice_no, note=note)
    audit.record(
        session, actor, "create", "discharge_exception", row.id, case_id=case.id,
        creditor_id=case.creditor_id,
    )  # fmt: skip
    return row


def opening_for_case(session: Session, case: Case) -> InsolvencyNotice | None:
    """The latest Eröffnung applied to the case's debtor (sure or confirmed)."""
    return session.scalar(
        select(InsolvencyNotice)
        .join(InsolvencyMatch, InsolvencyMatch.notice_id == InsolvencyNotice.id)
        .where(
            InsolvencyMatch.debtor_id == case.debtor_id,
            InsolvencyMatch.status.in_(("applied", "confirmed")),
            InsolvencyNotice.kind == NoticeKind.OPENING.value,
        )
        .order_by(InsolvencyNotice.day.desc(), InsolvencyNotice.id.desc())
        .limit(1)
    )


def claim_filing_pdf(
    session: Session,
    actor: Actor,
    settings: Settings,
    case_id: int,
    *,
    titles: tuple[TitleRef, ...] = (),
    today: date | None = None,
) -> tuple[bytes, Document]:
    """The Forderungsanmeldung of the case as PDF, stored as a document of the case."""
    _staff(actor)
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise InsolvencyError(f"Fall {case_id} gibt es nicht")
    notice = opening_for_case(session, case)
    if notice is None:
        raise InsolvencyError(
            f"Fall {case.reference}: kein eröffnetes Insolvenzverfahren bekannt "
            "(Bekanntmachung importieren oder Treffer bestätigen)"
        )
    tort = set(
        session.scalars(
            select(Claim.invoice_no)
            .join(DischargeException, DischargeException.claim_id == Claim.id)
            .where(Claim.case_id == case.id)
        )
    )
    day = today or today_in_germany()
    filing = claim_filing.ClaimFiling(
        case=enforcement_case(session, case, settings, day, titles),
        court=notice.court,
        file_number=notice.file_number,
        opened_on=notice.day,
        administrator=notice.administrator,
        claims_deadline=notice.claims_deadline,
        tort_claims=tuple(sorted(tort)),
    )
    pdf = claim_filing.render(filing)
    doc = store_pdf(
        session, settings.documents_dir, case, "claim_filing", "forderungsanmeldung", pdf
    )
    events.emit(session, case, "insolvency.filing_prepared", actor, document_id=doc.id)
    audit.record(
        session, actor, "create", "claim_filing", doc.id, case_id=case.id,
        creditor_id=case.creditor_id,
    )  # fmt: skip
    return pdf, doc


def flags_of(session: Session, case_id: int) -> list[CaseFlag]:
    return list(
        session.scalars(
            select(CaseFlag).where(CaseFlag.case_id == case_id, CaseFlag.cleared_at.is_(None))
        )
    )
