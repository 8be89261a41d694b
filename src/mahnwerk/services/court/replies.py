"""The court's replies in: read a file (both framings), match each message to its procedure,
move the procedure, book the court's costs, open a task where a person must act, and tell the
case's timeline in plain German.

- The whole file or nothing: a broken record refuses the file with its record number and
  field (:class:`~mahnwerk.court.reader.EdaReadError`), and nothing is stored.
- Importing the same file again changes nothing (its SHA-256 is stored); a message that
  already came in another file is skipped (its own SHA-256).
- Matching: first our reference (``ASGZ`` = the TGZ we sent), then the court's ``GNR``. A
  message for an unknown reference goes to the review list (status ``unmatched``), never lost;
  one that does not fit the procedure's state (e.g. a Zustellungsnachricht for a procedure that
  was withdrawn) is kept for review (``review``). The receipt (90) is matched by file name.
- Meaning (1.6): 03 MB issued (costs booked, GNR stored); 05/05 MB served (the Widerspruch
  period and the six months of § 701 ZPO start; limitation suspended since the application);
  05/06 not served (task: research the address, apply for a new service); 18 Widerspruch
  (task: decide on the contentious proceedings); 22 VB issued (costs booked); 05/08 VB served
  (the title is recorded, :func:`mahnwerk.services.court.titles.record_title`); 05/09 VB not
  served (task); 16 Abgabe (task; after a VB it means an Einspruch: the title is not final);
  20 Monierung (task, no change); 90 receipt (stored with the file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mahnwerk.court import application as eda
from mahnwerk.court.message import CourtMessage
from mahnwerk.court.reader import EdaReadError, messages, read
from mahnwerk.domain import title as domain_title
from mahnwerk.domain.court import FINAL_STATES, Event, State, TransitionError, final_on, next_state
from mahnwerk.domain.money import ZERO
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.cases import add_cost
from mahnwerk.services.court.prepare import application_of, court_name
from mahnwerk.services.court.tick import court_calendar
from mahnwerk.services.court.titles import record_title, set_final, titles_of_case
from mahnwerk.store.court import CourtMessage as MessageRow
from mahnwerk.store.court import CourtProcedure, CourtReply, EdaFile
from mahnwerk.store.models import Case

__all__ = ["EdaReadError", "ImportResult", "import_reply"]


@dataclass
class ImportResult:
    filename: str
    already: bool = False
    applied: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    duplicates: int = 0

    def german(self) -> str:
        if self.already:
            return f"{self.filename}: schon eingelesen, nichts geändert."
        lines = [
            f"{self.filename}: {len(self.applied)} Nachricht(en) verarbeitet, "
            f"{len(self.info)} zur Kenntnis, {len(self.review)} zur Prüfung, "
            f"{len(self.unmatched)} ohne Zuordnung, {self.duplicates} schon bekannt."
        ]
        lines.extend(f"  {t}" for t in self.applied + self.info)
        lines.extend(f"  prüfen: {t}" for t in self.review)
        lines.extend(f"  ohne Zuordnung: {t}" for t in self.unmatched)
        return "\n".join(lines)


def _digest(message: CourtMessage) -> str:
    return hashlib.sha256(f"{message.satzart}\n{message.raw}".encode()).hexdigest()


def _match(session: Session, message: CourtMessage) -> CourtProcedure | None:
    found: CourtProcedure | None = None
    if message.reference:
        found = session.scalar(
            select(CourtProcedure)
            .where(CourtProcedure.tgz == message.reference)
            .order_by(
                # the running procedure before the returned or withdrawn ones
                CourtProcedure.state.in_([s.value for s in FINAL_STATES - {State.TITLED}]),
                CourtProcedure.id.desc(),
            )
            .limit(1)
        )
    if found is None and message.gnr:
        found = session.scalar(
            select(CourtProcedure)
            .where(CourtProcedure.gnr == message.gnr)
            .order_by(CourtProcedure.id.desc())
            .limit(1)
        )
    return found


def import_reply(
    session: Session, actor: Actor, data: bytes, filename: str, *, today: date
) -> ImportResult:
    """Import one file of court messages in the caller's transaction (see the module
    docstring); :class:`EdaReadError` refuses it whole."""
    name = Path(filename).name
    result = ImportResult(name)
    sha = hashlib.sha256(data).hexdigest()
    if session.scalar(select(CourtReply.id).where(CourtReply.sha256 == sha)) is not None:
        result.already = True
        return result
    parsed = read(data)
    found = messages(parsed)
    reply = CourtReply(
        filename=name[:300],
        sha256=sha,
        framing=parsed.framing,
        messages=len(found),
        imported_at=utcnow(),
        imported_by=actor.label,
    )
    session.add(reply)
    session.flush()
    for seq, message in enumerate(found, 1):
        digest = _digest(message)
        if session.scalar(select(MessageRow.id).where(MessageRow.digest == digest)) is not None:
            result.duplicates += 1
            continue
        row = MessageRow(
            reply_id=reply.id,
            seq=seq,
            satzart=message.satzart,
            reference=message.reference[:35],
            gnr=message.gnr[:11],
            status="info",
            digest=digest,
            data=message.details,
            raw=message.raw,
            created_at=utcnow(),
        )
        session.add(row)
        if message.satzart == "90":
            _receipt(session, message, name, row, result)
            continue
        procedure = _match(session, message)
        if procedure is None:
            row.status = "unmatched"
            row.outcome = "keine Akte zu diesem Geschäftszeichen / dieser Geschäftsnummer"
            result.unmatched.append(f"{message.reference or message.gnr or '?'}: {message.text}")
            continue
        row.procedure_id = procedure.id
        row.case_id = procedure.case_id
        case = session.get(Case, procedure.case_id)
        assert case is not None
        _apply(session, actor, procedure, case, message, row, result, today)
    session.flush()
    audit.record(
        session, actor, "import", "court_reply", reply.id,
        details={"messages": len(found), "file": name},
    )  # fmt: skip
    return result


def _receipt(
    session: Session, message: CourtMessage, name: str, row: MessageRow, result: ImportResult
) -> None:
    """A receipt ``ABC021QU.EDA`` belongs to our file ``ABC021.EDA``."""
    stem = Path(name).stem.upper()
    sent = stem[:-2] if stem.endswith("QU") else stem
    target = session.scalar(
        select(EdaFile).where(EdaFile.edaid == sent[:6]).order_by(EdaFile.id.desc()).limit(1)
    )
    if target is None:
        row.status = "unmatched"
        row.outcome = f"keine eigene Datei {sent}.EDA"
        result.unmatched.append(f"Quittung {name}: {message.text}")
        return
    target.receipt = ((target.receipt + "\n") if target.receipt else "") + message.text
    target.receipt_at = utcnow()
    row.outcome = f"Quittung zu {target.name}"
    result.info.append(f"{target.name}: {message.text}")


def _apply(
    session: Session,
    actor: Actor,
    procedure: CourtProcedure,
    case: Case,
    message: CourtMessage,
    row: MessageRow,
    result: ImportResult,
    today: date,
) -> None:
    from mahnwerk.services.workspace.workflow import add_task

    label = f"Fall {case.reference}: {message.text}"
    if message.gnr and not procedure.gnr:
        procedure.gnr = message.gnr
    if message.event is None:  # Monierung
        row.status = "info"
        row.outcome = "keine Änderung des Verfahrens"
        result.info.append(label)
    else:
        try:
            new = next_state(procedure.state, message.event)
        except TransitionError as exc:
            row.status = "review"
            row.outcome = str(exc)[:500]
            result.review.append(f"{label} ({exc})")
            events.emit(
                session, case, "court.message", actor,
                detail=f"{message.text} Nicht verarbeitet: {exc}; bitte prüfen.",
                procedure_id=procedure.id,
            )  # fmt: skip
            return
        if new.value != procedure.state:
            procedure.state = new.value
            procedure.state_since = message.day or today
        procedure.updated_at = utcnow()
        _dates(session, actor, procedure, case, message, today)
        row.status = "applied"
        row.outcome = f"Stand: {new.value}"
        result.applied.append(label)
    for charge in message.charges:
        add_cost(
            session,
            case,
            message.day or today,
            charge.label,
            charge.amount,
            source=f"court:{procedure.gnr or procedure.tgz}",
            now=utcnow(),
            code=charge.code,
        )
    if message.task:
        add_task(
            session,
            case.id,
            "court",
            f"court:{message.satzart}:{procedure.id}:{row.digest[:12]}",
            f"{message.task} – {court_name(procedure)}, Geschäftsnummer {procedure.gnr or '–'}",
            data={"procedure_id": procedure.id},
        )
    events.emit(
        session,
        case,
        "court.message",
        actor,
        detail=message.text,
        procedure_id=procedure.id,
        satzart=message.satzart,
    )


def _dates(
    session: Session,
    actor: Actor,
    procedure: CourtProcedure,
    case: Case,
    message: CourtMessage,
    today: date,
) -> None:
    day = message.day or today
    event = message.event
    if event is Event.MB_ISSUED:
        procedure.issued_on = day
    elif event is Event.MB_SERVED:
        procedure.served_on = day
    elif event is Event.MB_NOT_SERVED:
        procedure.not_served_on = day
    elif event is Event.WIDERSPRUCH:
        procedure.objection_on = day
    elif event is Event.VB_ISSUED:
        procedure.vb_issued_on = day
    elif event is Event.VB_NOT_SERVED:
        procedure.vb_not_served_on = day
    elif event is Event.VB_SERVED:
        procedure.vb_served_on = day
        final = final_on(day, court_calendar(procedure.court_id))
        procedure.ended_on = final
        _title(session, actor, procedure, case, day, final)
    elif event is Event.ABGABE:
        procedure.handed_over_on = day
        for title in titles_of_case(session, case.id):
            if title.procedure_id == procedure.id and title.final is not None:
                set_final(
                    session, actor, title.id, None, "Einspruch: an das Streitgericht abgegeben"
                )


def _interest_text(line: eda.InterestLine) -> str:
    rate = format(line.rate.normalize(), "f")
    return f"base_plus:{rate}" if line.marker == "B" else f"fixed:{rate}"


def _title(
    session: Session,
    actor: Actor,
    procedure: CourtProcedure,
    case: Case,
    served: date,
    final: date,
) -> None:
    """The served Vollstreckungsbescheid is the title of the case."""
    app = application_of(procedure)
    mb_served = procedure.served_on or served
    parts = []
    for claim in app.claims:
        line = claim.interest[0] if claim.interest else None
        parts.append(
            domain_title.TitledClaim(
                claim.reference,
                claim.amount,
                (line.since or mb_served) if line else None,
                _interest_text(line) if line else "none",
            )
        )
    kinds = {(p.interest_from, p.interest) for p in parts}
    uniform = len(kinds) == 1
    interest_from, interest = (
        next(iter(kinds))
        if uniform
        else (
            min((p.interest_from for p in parts if p.interest_from), default=None),
            "per_claim",
        )
    )
    court_costs = sum(
        (
            c.amount
            for c in case.costs
            if c.code
            in ("KV 1100", "KV 9002", "VV 3305", "VV 3308", "VV 7002", "VV 7008", "GKG VB")
            and c.date >= (procedure.filed_on or served)
        ),
        ZERO,
    )
    extras = sum((a.amount for a in app.ancillaries), ZERO)
    title = domain_title.Title(
        kind=domain_title.TitleKind.VOLLSTRECKUNGSBESCHEID.value,
        court=court_name(procedure),
        file_number=procedure.gnr or procedure.tgz,
        issued=procedure.vb_issued_on or served,
        final=final,
        principal=app.principal,
        interest_from=interest_from,
        interest=interest,
        costs=court_costs + extras,
        interest_amount=app.computed_interest.amount if app.computed_interest else Decimal("0.00"),
        claims=tuple(parts),
    )
    record_title(
        session,
        actor,
        case.id,
        title,
        procedure_id=procedure.id,
        note=f"Vollstreckungsbescheid zugestellt am {served:%d.%m.%Y}; rechtskräftig ohne "
        f"Einspruch ab {final:%d.%m.%Y}",
    )


def pending_review(session: Session) -> Sequence[MessageRow]:
    """Messages waiting for a person: unmatched references and messages that did not fit."""
    return session.scalars(
        select(MessageRow)
        .where(or_(MessageRow.status == "unmatched", MessageRow.status == "review"))
        .order_by(MessageRow.id)
    ).all()
