"""Approved applications out: one EDA file per kind (Mahnbescheid: Satzart 01, format 4000;
Vollstreckungsbescheid: Satzart 08, format 4100) into the outbox folder that the agency's
beA/EGVP client picks up (``MAHNWERK_EDA_OUTBOX``).

:func:`export` runs in the caller's transaction: it checks every approved application once
more (a case recalled or paid in between is left out and its application withdrawn; a payment
or a dispute since the approval sends it back; an application the format cannot carry is
refused with the case and the reason, the others are still written), writes the file under a
temporary name, stores the file (with its bytes) and marks the applications filed. Only after
the commit does :func:`deliver` give the file its ``.EDA`` name (an atomic rename), so the
transmission software never sees a file whose applications are not recorded as filed.
Exporting again writes nothing twice: filed applications are no longer approved.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload

import mahnwerk
from mahnwerk.config import Settings
from mahnwerk.court import application as eda
from mahnwerk.court.application import Application, VbApplication
from mahnwerk.court.writer import Participant, file_name, write_mb_file, write_vb_file
from mahnwerk.domain.court import Event, State, lapse_day, next_state
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.cases import statement
from mahnwerk.services.court.prepare import (
    CourtError,
    application_of,
    vb_application_of,
)
from mahnwerk.services.court.tick import court_calendar, prepare_vb
from mahnwerk.store.court import CourtProcedure, EdaFile
from mahnwerk.store.models import Case, CaseEvent, Debtor, Payment
from mahnwerk.store.workflow import CaseFlag, Dispute

#: running numbers of file names with a court-assigned code (ABC001 … ABC499, 1.2)
CODE_NUMBERS = 499


@dataclass(frozen=True)
class WrittenFile:
    name: str
    path: Path
    satzart: str
    applications: int


@dataclass
class ExportResult:
    files: list[WrittenFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)

    def german(self) -> str:
        lines = [f"{f.path}  ({f.applications} Anträge, Satzart {f.satzart})" for f in self.files]
        if not self.files:
            lines.append("Keine freigegebenen Anträge: keine Datei geschrieben.")
        lines.extend(f"abgelehnt: {r}" for r in self.refused)
        lines.extend(f"zurückgenommen: {r}" for r in self.withdrawn)
        lines.extend(f"zurückgegeben: {r}" for r in self.returned)
        return "\n".join(lines)


def participant(settings: Settings) -> Participant:
    if not settings.eda_kennziffer:
        raise CourtError(
            "MAHNWERK_EDA_KENNZIFFER ist nicht gesetzt: ohne Kennziffer kein EDA-Versand"
        )
    return Participant(
        kennziffer=settings.eda_kennziffer,
        einreicher=settings.eda_einreicher,
        software="mahnwerk",
        version=str(getattr(mahnwerk, "__version__", ""))[:10],
    )


def next_edaid(session: Session, code: str) -> str:
    """The next file id: the court's three-letter code and 001–499 in turn, else six digits."""
    if code:
        last = session.scalar(
            select(EdaFile.edaid)
            .where(EdaFile.edaid.like(f"{code}%"))
            .order_by(EdaFile.id.desc())
            .limit(1)
        )
        number = int(last[3:]) % CODE_NUMBERS + 1 if last and last[3:].isdigit() else 1
        return f"{code}{number:03d}"
    last_id = session.scalar(select(EdaFile.id).order_by(EdaFile.id.desc()).limit(1)) or 0
    return f"{last_id + 1:06d}"


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


@dataclass(frozen=True)
class _CaseFacts:
    """What the export checks of a case (read in bulk; the full case only where a payment
    came in after the application was prepared)."""

    id: int
    reference: str
    status: str
    last_payment: date | None
    last_booked: datetime | None  # UTC, without zone

    def paid_since(self, as_of: date, prepared_at: datetime) -> date | None:
        """The day of a payment dated after ``as_of`` or booked after the preparation."""
        if self.last_payment is None:
            return None
        if self.last_payment > as_of or (
            self.last_booked is not None and self.last_booked > _naive(prepared_at)
        ):
            return self.last_payment
        return None


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _facts(session: Session, ids: Sequence[int]) -> dict[int, _CaseFacts]:
    if not ids:
        return {}
    last = {
        case_id: (day, _naive(booked))
        for case_id, day, booked in session.execute(
            select(Payment.case_id, func.max(Payment.date), func.max(Payment.created_at))
            .where(Payment.case_id.in_(ids), Payment.reversed.is_(False))
            .group_by(Payment.case_id)
        )
    }
    return {
        int(i): _CaseFacts(int(i), str(ref), str(status), *last.get(i, (None, None)))
        for i, ref, status in session.execute(
            select(Case.id, Case.reference, Case.status).where(Case.id.in_(ids))
        )
    }


def _full_case(session: Session, case_id: int) -> Case:
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.claims),
            selectinload(Case.costs),
            selectinload(Case.payments),
            selectinload(Case.debtor).selectinload(Debtor.addresses),
        )
    )
    assert case is not None
    return case


_NOTES = "mahnwerk.court.notes"


def _note(
    session: Session, case_id: int, kind: str, actor: Actor, detail: str, **data: Any
) -> None:
    """A timeline event, inserted with the others in one statement by :func:`_flush_notes`
    (``events.emit`` flushes one row at a time for the webhooks; the court's events are not
    sent to webhooks, and an export writes ten thousands of them)."""
    session.info.setdefault(_NOTES, []).append(
        {
            "case_id": case_id,
            "at": utcnow(),
            "kind": kind,
            "actor": actor.label,
            "data": {"detail": detail, **data},
        }
    )


def _flush_notes(session: Session) -> None:
    rows = session.info.pop(_NOTES, None)
    if rows:
        session.execute(insert(CaseEvent), rows)


def _blocked(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    """Cases with an open dispute, an insolvency or a death since the approval."""
    out: dict[int, str] = {}
    if not case_ids:
        return out
    for case_id in session.scalars(
        select(Dispute.case_id).where(Dispute.case_id.in_(case_ids), Dispute.status == "open")
    ):
        out[case_id] = "Widerspruch/Einwand des Schuldners offen"
    for case_id, kind in session.execute(
        select(CaseFlag.case_id, CaseFlag.kind).where(
            CaseFlag.case_id.in_(case_ids),
            CaseFlag.cleared_at.is_(None),
            CaseFlag.kind.in_(("insolvency", "deceased")),
        )
    ):
        out[case_id] = "Insolvenz gemeldet" if kind == "insolvency" else "Schuldner verstorben"
    return out


def _end(session: Session, actor: Actor, procedure: CourtProcedure, day: date, why: str) -> None:
    procedure.state = next_state(procedure.state, Event.WITHDRAW)
    procedure.state_since = day
    procedure.ended_on = day
    procedure.returned_reason = why
    procedure.updated_at = utcnow()
    _note(
        session,
        procedure.case_id,
        "court.withdrawn",
        actor,
        f"Antrag nicht eingereicht und zurückgenommen: {why}",
        procedure_id=procedure.id,
    )


def _return(session: Session, actor: Actor, procedure: CourtProcedure, day: date, why: str) -> None:
    procedure.state = State.RETURNED.value
    procedure.state_since = day
    procedure.returned_reason = why[:500]
    procedure.updated_at = utcnow()
    _note(
        session,
        procedure.case_id,
        "court.returned",
        actor,
        f"Antrag nicht eingereicht: {why}",
        procedure_id=procedure.id,
    )


def export(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    today: date,
    out_dir: Path | None = None,
) -> ExportResult:
    """Write every approved, not yet exported application into one file per kind (see the
    module docstring); call :func:`deliver` after the commit."""
    who = participant(settings)
    outbox = (out_dir or settings.eda_outbox_dir).resolve()
    outbox.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    mb = list(
        session.scalars(
            select(CourtProcedure)
            .where(CourtProcedure.state == State.APPROVED.value)
            .order_by(CourtProcedure.id)
        )
    )
    vb = list(
        session.scalars(
            select(CourtProcedure)
            .where(CourtProcedure.state == State.VB_APPROVED.value)
            .order_by(CourtProcedure.id)
        )
    )
    ids = sorted({p.case_id for p in mb + vb})
    facts = _facts(session, ids)
    blocked = _blocked(session, ids)

    mb_ready: list[tuple[CourtProcedure, Application]] = []
    for procedure in mb:
        case = facts[procedure.case_id]
        app = application_of(procedure)
        why = _mb_obstacle(session, case, app, procedure, blocked.get(case.id), today)
        if why is None:
            mb_ready.append((procedure, app))
        elif why[0] == "withdraw":
            _end(session, actor, procedure, today, why[1])
            result.withdrawn.append(f"Fall {case.reference}: {why[1]}")
        else:
            _return(session, actor, procedure, today, why[1])
            result.returned.append(f"Fall {case.reference}: {why[1]}")
    vb_ready: list[tuple[CourtProcedure, VbApplication]] = []
    for procedure in vb:
        case = facts[procedure.case_id]
        vb_app = vb_application_of(procedure)
        assert vb_app is not None
        obstacle = _vb_obstacle(session, actor, procedure, case, vb_app, today)
        if obstacle is None:
            vb_ready.append((procedure, vb_app))
        else:
            result.returned.append(f"Fall {case.reference}: {obstacle}")

    code = settings.eda_file_code
    try:
        _write_files(session, actor, result, outbox, today, code, who, mb_ready, vb_ready, facts)
    finally:
        _flush_notes(session)
    return result


def _write_files(
    session: Session,
    actor: Actor,
    result: ExportResult,
    outbox: Path,
    today: date,
    code: str,
    who: Participant,
    mb_ready: list[tuple[CourtProcedure, Application]],
    vb_ready: list[tuple[CourtProcedure, VbApplication]],
    facts: dict[int, _CaseFacts],
) -> None:
    if mb_ready:
        _write(
            session, actor, result, outbox, today, code, "01", mb_ready, facts,
            lambda apps, edaid, refused: write_mb_file(apps, who, edaid, today, refused),
        )  # fmt: skip
    if vb_ready:
        _write(
            session, actor, result, outbox, today, code, "08", vb_ready, facts,
            lambda apps, edaid, refused: write_vb_file(apps, who, edaid, today, refused),
        )  # fmt: skip


def _mb_obstacle(
    session: Session,
    case: _CaseFacts,
    app: Application,
    procedure: CourtProcedure,
    blocked: str | None,
    today: date,
) -> tuple[str, str] | None:
    if case.status != "open":
        return "withdraw", f"Fall {case.status} (vom Mandanten zurückgerufen oder abgeschlossen)"
    paid = case.paid_since(app.as_of, procedure.prepared_at)
    if paid is not None:
        # the application was prepared with everything open then; only a payment since can
        # have paid the case (otherwise the ledger only grows)
        if statement(_full_case(session, case.id), today).totals.total_open <= 0:
            return "withdraw", "Forderung bezahlt"
        return (
            "return",
            f"Zahlung vom {paid:%d.%m.%Y} nach der Vorbereitung: Antrag neu vorbereiten",
        )
    if blocked:
        return "return", blocked
    problems = eda.validate(app)
    if problems:
        return "return", "; ".join(problems)
    return None


def _vb_obstacle(
    session: Session,
    actor: Actor,
    procedure: CourtProcedure,
    case: _CaseFacts,
    app: VbApplication,
    today: date,
) -> str | None:
    if case.status != "open":
        _end(session, actor, procedure, today, f"Fall {case.status}")
        return f"Fall {case.status}: Vollstreckungsbescheid nicht beantragt"
    if procedure.served_on is not None:
        is_holiday = court_calendar(procedure.court_id)
        if today > lapse_day(procedure.served_on, is_holiday):
            procedure.state = next_state(procedure.state, Event.LAPSE)
            procedure.ended_on = lapse_day(procedure.served_on, is_holiday)
            procedure.state_since = today
            _note(
                session, case.id, "court.lapsed", actor,
                "Mahnbescheid weggefallen (§ 701 ZPO): kein VB-Antrag binnen sechs Monaten",
                procedure_id=procedure.id,
            )  # fmt: skip
            return "Sechsmonatsfrist des § 701 ZPO abgelaufen"
    paid = case.paid_since(app.as_of, procedure.updated_at)
    if paid is not None:
        prepare_vb(session, procedure, _full_case(session, case.id), today, again=True)
        return (
            f"Zahlung vom {paid:%d.%m.%Y} nach der Vorbereitung: "
            "Vollstreckungsbescheid neu vorbereitet, wartet auf Freigabe"
        )
    problems = eda.validate_vb(app)
    if problems:
        procedure.state = State.VB_RETURNED.value
        procedure.returned_reason = "; ".join(problems)[:500]
        return "; ".join(problems)
    return None


def _write(
    session: Session,
    actor: Actor,
    result: ExportResult,
    outbox: Path,
    today: date,
    code: str,
    satzart: str,
    ready: Sequence[tuple[CourtProcedure, Application | VbApplication]],
    cases: dict[int, _CaseFacts],
    render: Callable[[list[Any], str, list[tuple[int, str]]], bytes],
) -> None:
    edaid = next_edaid(session, code)
    refused: list[tuple[int, str]] = []
    apps = [app for _, app in ready]
    data = render(apps, edaid, refused)
    bad = {index for index, _ in refused}
    for index, why in refused:
        procedure = ready[index][0]
        case = cases[procedure.case_id]
        result.refused.append(f"Fall {case.reference}: {why}")
        if satzart == "01":
            _return(session, actor, procedure, today, why)
        else:
            procedure.state = State.VB_RETURNED.value
            procedure.returned_reason = why[:500]
    written = [p for i, (p, _) in enumerate(ready) if i not in bad]
    if not written:
        return
    name = file_name(edaid)
    path = outbox / name
    temp = _temp(path)
    temp.write_bytes(data)
    row = EdaFile(
        name=name,
        edaid=edaid,
        satzart=satzart,
        format="4000" if satzart == "01" else "4100",
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        applications=len(written),
        content=data,
        created_at=utcnow(),
        created_by=actor.label,
    )
    session.add(row)
    session.flush()
    what = "Mahnbescheid" if satzart == "01" else "Vollstreckungsbescheid"
    event = Event.EXPORT if satzart == "01" else Event.VB_EXPORT
    target = next_state(State.APPROVED if satzart == "01" else State.VB_APPROVED, event)
    for procedure in written:
        next_state(procedure.state, event)  # every one is in the state the export expects
        if satzart == "08":  # the application date goes into the stored VB application
            filed = vb_application_of(procedure)
            assert filed is not None
            procedure.vb_application = eda.to_dict(replace(filed, applied_on=today))
        _note(
            session,
            procedure.case_id,
            "court.filed",
            actor,
            f"{what} beantragt: Datei {name} an das Mahngericht",
            procedure_id=procedure.id,
            file=name,
        )
    session.flush()
    # one UPDATE for all of them: the same values (ten thousand ORM updates would take longer
    # than writing the file)
    values: dict[str, Any] = {
        "state": target.value,
        "state_since": today,
        "updated_at": row.created_at,
    }
    if satzart == "01":
        values |= {"filed_on": today, "mb_file_id": row.id}
    else:
        values |= {"vb_filed_on": today, "vb_file_id": row.id}
    ids = [p.id for p in written]
    for start in range(0, len(ids), 1000):
        session.execute(
            update(CourtProcedure)
            .where(CourtProcedure.id.in_(ids[start : start + 1000]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    for procedure in written:
        session.expire(procedure)
    audit.record(
        session, actor, "create", "eda_file", row.id,
        details={"satzart": satzart, "applications": len(written)},
    )  # fmt: skip
    result.files.append(WrittenFile(name, path, satzart, len(written)))


def deliver(session: Session) -> list[Path]:
    """Give every written, not yet delivered file its final name (atomic rename from the
    temporary one; written again from the stored bytes if the temporary file is gone) and mark
    it delivered. Call after the export's commit; a later export repeats it for files a
    crash left behind."""
    done: list[Path] = []
    for row in session.scalars(
        select(EdaFile).where(EdaFile.delivered_at.is_(None)).order_by(EdaFile.id)
    ):
        path = Path(row.path)
        temp = _temp(path)
        if temp.exists():
            os.replace(temp, path)
        elif not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(row.content)
            os.replace(temp, path)
        row.delivered_at = utcnow()
        done.append(path)
    return done


def discard_temporary(result: ExportResult) -> None:
    """After a failed commit: remove the temporary files the export wrote."""
    for f in result.files:
        _temp(f.path).unlink(missing_ok=True)
