"""What time alone moves in a court procedure (run by the daily run and by the court
commands, idempotent):

- the Widerspruch period after service of the Mahnbescheid has passed without a Widerspruch:
  the Vollstreckungsbescheid application is prepared (with the payments received since the
  Mahnbescheid application) and waits for a person's approval;
- six months after service without a VB application the Mahnbescheid lapses (§ 701 ZPO): the
  procedure ends and a task says so;
- a case paid in full while its procedure waits for the VB: no VB, the procedure ends and a
  task asks for the Erledigterklärung (Satzart 25 is not written by mahnwerk).

Periods end on the next working day at the court's seat (§ 222 Abs. 2 ZPO; public holidays
of the court's Land from the ``holidays`` package).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.court import application as eda
from mahnwerk.court.application import VbApplication
from mahnwerk.court.directory import courts
from mahnwerk.domain.court import Event, State, lapse_day, next_state, vb_earliest
from mahnwerk.domain.money import format_eur
from mahnwerk.services import events
from mahnwerk.services.actor import SYSTEM, utcnow
from mahnwerk.services.cases import statement
from mahnwerk.services.court.prepare import VB_APPROVAL, application_of
from mahnwerk.store.court import CourtProcedure
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import Approval


@cache
def _holidays(land: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("DE", subdiv=land, years=year))


def court_calendar(court_id: str) -> Callable[[date], bool]:
    """Public holidays at the seat of the Mahngericht ``court_id``."""
    court = courts().get(court_id)
    land = court.land if court else None

    def is_holiday(day: date) -> bool:
        return land is not None and day in _holidays(land, day.year)

    return is_holiday


@dataclass
class TickResult:
    vb_prepared: list[str] = field(default_factory=list)
    lapsed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)


def prepare_vb(
    session: Session, procedure: CourtProcedure, case: Case, today: date, *, again: bool = False
) -> None:
    """The VB application of a served Mahnbescheid, waiting for a person (state
    ``vb_prepared``, an approval request of kind ``court:vb``)."""
    mb = application_of(procedure)
    payments = tuple(
        sorted(
            (p.date, p.amount)
            for p in case.payments
            if not p.reversed and p.date > mb.as_of and p.date <= today
        )
    )
    assert procedure.gnr is not None
    app = VbApplication(reference=procedure.tgz, gnr=procedure.gnr, as_of=today, payments=payments)
    procedure.state = next_state(procedure.state, Event.VB_PREPARE)
    procedure.state_since = today
    procedure.vb_application = eda.to_dict(app)
    procedure.vb_digest = eda.digest(app)
    procedure.vb_prepared_on = today
    procedure.vb_prepared_by = SYSTEM.label
    procedure.updated_at = utcnow()
    paid = sum((a for _, a in payments), Decimal("0.00"))
    text = (
        f"Vollstreckungsbescheid gegen {case.debtor.display_name} beantragen "
        f"(Geschäftsnummer {procedure.gnr}"
        + (
            f", {len(payments)} Zahlung(en) über {format_eur(paid)} seit dem Antrag"
            if payments
            else ""
        )
        + ")"
    )
    approval = session.scalar(
        select(Approval).where(
            Approval.case_id == case.id,
            Approval.strategy_name == VB_APPROVAL,
            Approval.step_index == procedure.id,
        )
    )
    now = utcnow()
    if approval is None:
        approval = Approval(
            case_id=case.id,
            step_index=procedure.id,
            stage="court_handover",
            strategy_name=VB_APPROVAL,
            strategy_version=1,
            reason=text[:500],
            status="pending",
            requested_at=now,
        )
        session.add(approval)
        session.flush()
    else:  # prepared again: the same request asks anew
        approval.status = "pending"
        approval.reason = text[:500]
        approval.requested_at = now
        approval.decided_by = approval.decided_at = approval.decision_reason = None
    procedure.vb_approval_id = approval.id
    events.emit(
        session,
        case,
        "court.vb_prepared",
        SYSTEM,
        detail=("erneut " if again else "")
        + "Vollstreckungsbescheid vorbereitet: Widerspruchsfrist abgelaufen, wartet auf Freigabe",
        procedure_id=procedure.id,
        approval_id=approval.id,
    )


def advance(session: Session, today: date) -> TickResult:
    """Move every procedure that time has moved (see the module docstring)."""
    from mahnwerk.services.workspace.workflow import add_task

    result = TickResult()
    waiting = list(
        session.scalars(
            select(CourtProcedure).where(
                CourtProcedure.state.in_(
                    (State.SERVED.value, State.VB_PREPARED.value, State.VB_RETURNED.value)
                ),
                CourtProcedure.served_on.is_not(None),
            )
        )
    )
    if not waiting:
        return result
    cases = {
        c.id: c
        for c in session.scalars(
            select(Case)
            .where(Case.id.in_([p.case_id for p in waiting]))
            .options(
                selectinload(Case.claims),
                selectinload(Case.costs),
                selectinload(Case.payments),
                selectinload(Case.debtor),
            )
        )
    }
    for procedure in waiting:
        case = cases[procedure.case_id]
        assert procedure.served_on is not None
        is_holiday = court_calendar(procedure.court_id)
        last = lapse_day(procedure.served_on, is_holiday)
        if today > last:
            procedure.state = next_state(procedure.state, Event.LAPSE)
            procedure.state_since = today
            procedure.ended_on = last
            events.emit(
                session, case, "court.lapsed", SYSTEM,
                detail=f"Mahnbescheid weggefallen (§ 701 ZPO): kein Antrag auf "
                f"Vollstreckungsbescheid bis {last:%d.%m.%Y}",
                procedure_id=procedure.id,
            )  # fmt: skip
            add_task(
                session, case.id, "court", f"court:lapsed:{procedure.id}",
                "Mahnbescheid weggefallen (§ 701 ZPO): neuen Antrag oder Klage prüfen",
            )  # fmt: skip
            result.lapsed.append(case.reference)
            continue
        if procedure.state != State.SERVED.value:
            continue
        if today < vb_earliest(procedure.served_on, is_holiday):
            continue
        if case.status != "open" or statement(case, today).totals.total_open <= 0:
            procedure.state = next_state(procedure.state, Event.WITHDRAW)
            procedure.state_since = today
            procedure.ended_on = today
            why = "bezahlt" if case.status == "open" else case.status
            events.emit(
                session, case, "court.withdrawn", SYSTEM,
                detail=f"kein Vollstreckungsbescheid: Fall {why}", procedure_id=procedure.id,
            )  # fmt: skip
            add_task(
                session, case.id, "court", f"court:settled:{procedure.id}",
                f"Fall {why}: Mahnverfahren beim Mahngericht für erledigt erklären oder "
                "zurücknehmen (Papier; Satzart 25 schreibt mahnwerk nicht)",
            )  # fmt: skip
            result.ended.append(case.reference)
            continue
        prepare_vb(session, procedure, case, today)
        result.vb_prepared.append(case.reference)
    return result
