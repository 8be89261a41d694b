"""SEPA direct debits (pain.008, SEPA-Basislastschrift) for payment plans with a mandate.

- :func:`add_mandate` stores a SEPA-Lastschriftmandat of a case (Mandatsreferenz, date of
  signature, account holder and IBAN; the IBAN is checked with :mod:`mahnwerk.banking.iban`
  before it is stored). Its ``sequence_state`` starts at FRST and becomes RCUR once the first
  collection has gone out.
- :func:`collect` makes the collection file for one due date: every instalment of an active
  payment plan falling on that date, on a case with an active mandate, once
  (:class:`~mahnwerk.store.banking_store.SepaCollection` is unique per mandate and due date,
  so a repeated run collects nothing twice). Each collection gets an end-to-end id that
  contains the case number (``MW-00000123-20-260301``), so that its credit and a
  Rücklastschrift are found again by :mod:`mahnwerk.services.banking.statements`.

Pre-notification (Vorabankündigung): the SEPA rulebook requires it at least 14 calendar
days before the due date unless debtor and creditor agreed a shorter period. Our choice: the
pre-notification text (German) is stored as the case event ``sepa.pre_notification`` when
the collection is created, and a collection is only created if that is at least the
mandate's ``pre_notice_days`` (default 14; a shorter agreed period is stored on the
mandate, never less than 1 day) before the due date. Instalments too close to their due date
are reported as skipped, not collected: the agency runs ``mahnwerk bank collect`` for a due
date at least 14 days ahead (the bank holds the file until then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mahnwerk.banking import sepa
from mahnwerk.banking.iban import normalize_iban, validate_iban
from mahnwerk.domain.limitation import add_months
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.store.banking_store import SepaCollection, SepaMandate
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import PaymentPlan

if TYPE_CHECKING:
    from mahnwerk.config import Settings

MIN_PRE_NOTICE_DAYS = 1
DEFAULT_PRE_NOTICE_DAYS = 14


class CollectionError(ValueError):
    """Input refused (shown to the person)."""


@dataclass
class CollectionRun:
    due_date: date
    message_id: str = ""
    xml: bytes | None = None
    debits: list[sepa.DirectDebit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    already: int = 0

    @property
    def total(self) -> Decimal:
        return sum((d.amount for d in self.debits), Decimal("0.00"))

    def german(self) -> str:
        lines = [
            f"Lastschriften zum {self.due_date:%d.%m.%Y}: {len(self.debits)}, "
            f"Summe {_eur(self.total)}",
            f"  schon eingezogen (übersprungen): {self.already}",
        ]
        lines += [f"  nicht eingezogen: {s}" for s in self.skipped]
        if self.message_id:
            lines.append(f"  Nachrichtenreferenz: {self.message_id}")
        return "\n".join(lines)


def _eur(amount: Decimal) -> str:
    from mahnwerk.domain.money import format_eur

    return format_eur(amount)


def add_mandate(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    mandate_id: str,
    signed_on: date,
    holder: str,
    iban: str,
    bic: str = "",
    pre_notice_days: int = DEFAULT_PRE_NOTICE_DAYS,
) -> SepaMandate:
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeiter der Inkassostelle")
    case = session.get(Case, case_id)
    if case is None:
        raise CollectionError(f"Fall {case_id} nicht gefunden")
    problems = [f"IBAN: {p}" for p in validate_iban(iban)]
    if not sepa._SEPA_ID.match(mandate_id):
        problems.append("Mandatsreferenz fehlt, ist zu lang (35) oder hat unzulässige Zeichen")
    if not holder.strip():
        problems.append("Kontoinhaber fehlt")
    if pre_notice_days < MIN_PRE_NOTICE_DAYS:
        problems.append(f"Vorabankündigung: mindestens {MIN_PRE_NOTICE_DAYS} Tag")
    if problems:
        raise CollectionError("; ".join(problems))
    for old in session.scalars(
        select(SepaMandate).where(SepaMandate.case_id == case.id, SepaMandate.status == "active")
    ):
        old.status = "replaced"
    mandate = SepaMandate(
        case_id=case.id,
        debtor_id=case.debtor_id,
        mandate_id=mandate_id,
        signed_on=signed_on,
        holder=holder.strip()[:70],
        iban=normalize_iban(iban),
        bic=bic,
        sequence_state="FRST",
        status="active",
        pre_notice_days=pre_notice_days,
        created_at=utcnow(),
    )
    session.add(mandate)
    session.flush()
    events.emit(session, case, "sepa.mandate", actor, mandate_id=mandate_id)
    audit.record(
        session, actor, "create", "sepa_mandate", mandate.id,
        case_id=case.id, creditor_id=case.creditor_id,
    )  # fmt: skip
    return mandate


def _due_dates(plan: PaymentPlan) -> list[tuple[int, date]]:
    return [(i + 1, add_months(plan.start, i * plan.interval_months)) for i in range(plan.count)]


def collect(
    session: Session,
    actor: Actor,
    due_date: date,
    *,
    agency: sepa.Creditor,
    today: date | None = None,
    schema: str = "pain.008.001.08",
) -> CollectionRun:
    """The pain.008 file for ``due_date`` (``xml`` is ``None`` when nothing is due)."""
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeiter der Inkassostelle")
    problems = sepa.validate_creditor(agency, direct_debit=True)
    if problems:
        raise CollectionError("; ".join(problems))
    today = today or today_in_germany()
    run = CollectionRun(due_date)
    rows = session.execute(
        select(SepaMandate, PaymentPlan, Case)
        .join(PaymentPlan, PaymentPlan.case_id == SepaMandate.case_id)
        .join(Case, Case.id == SepaMandate.case_id)
        .where(
            SepaMandate.status == "active",
            PaymentPlan.status == "active",
            Case.status == "open",
        )
        .order_by(SepaMandate.id)
    ).all()
    planned: list[tuple[SepaMandate, PaymentPlan, Case, int]] = []
    for mandate, plan, case in rows:
        for number, due in _due_dates(plan):
            if due != due_date:
                continue
            exists = session.scalar(
                select(SepaCollection.id).where(
                    SepaCollection.mandate_ref == mandate.id, SepaCollection.due_date == due_date
                )
            )
            if exists is not None:
                run.already += 1
                continue
            notice = max(mandate.pre_notice_days, MIN_PRE_NOTICE_DAYS)
            if today + timedelta(days=notice) > due_date:
                run.skipped.append(
                    f"{case.reference}: Vorabankündigung {notice} Tage vor Fälligkeit nicht "
                    "mehr möglich"
                )
                continue
            if mandate.signed_on > due_date:
                run.skipped.append(f"{case.reference}: Mandat erst nach Fälligkeit unterschrieben")
                continue
            planned.append((mandate, plan, case, number))
    if not planned:
        return run
    runs_before = session.scalar(
        select(func.count(func.distinct(SepaCollection.message_id))).where(
            SepaCollection.due_date == due_date
        )
    )
    run.message_id = f"MW-DD-{due_date:%Y%m%d}-{int(runs_before or 0) + 1}"
    for mandate, plan, case, number in planned:
        seq = sepa.SequenceType(mandate.sequence_state)
        debit = sepa.DirectDebit(
            mandate=sepa.Mandate(
                mandate.mandate_id,
                mandate.signed_on,
                mandate.holder,
                mandate.iban,
                seq,
                mandate.bic,
            ),
            amount=plan.instalment,
            due_date=due_date,
            end_to_end_id=f"{case.reference}-{due_date:%y%m%d}",
            remittance=f"{case.reference} Rate {number}/{plan.count}",
        )
        run.debits.append(debit)
    run.xml = sepa.direct_debit_file(agency, run.debits, schema=schema, message_id=run.message_id)
    now = utcnow()
    for (mandate, plan, case, _), debit in zip(planned, run.debits, strict=True):
        session.add(
            SepaCollection(
                mandate_ref=mandate.id,
                case_id=case.id,
                plan_id=plan.id,
                due_date=due_date,
                amount=debit.amount,
                sequence_type=debit.seq.value,
                end_to_end_id=debit.end_to_end_id,
                message_id=run.message_id,
                status="sent",
                created_at=now,
            )
        )
        mandate.sequence_state = sepa.SequenceType.RECURRING.value
        events.emit(
            session, case, "sepa.pre_notification", actor,
            due_date=due_date.isoformat(), amount=str(debit.amount),
            mandate_id=mandate.mandate_id, end_to_end_id=debit.end_to_end_id,
            sequence_type=debit.seq.value, text=sepa.pre_notification_text(debit, agency),
        )  # fmt: skip
    session.flush()
    audit.record(
        session, actor, "create", "sepa_collection", run.message_id,
        details={"count": len(run.debits), "due_date": due_date.isoformat()},
    )  # fmt: skip
    return run


def agency_party(settings: Settings, **override: Any) -> sepa.Creditor:
    """The agency as SEPA party from its settings (``MAHNWERK_AGENCY_NAME``, ``…_IBAN``,
    ``…_BIC``, ``…_CREDITOR_ID``); ``override`` replaces what is given and not empty."""
    values = {
        "name": settings.agency_name,
        "iban": settings.agency_iban,
        "creditor_id": settings.agency_creditor_id,
        "bic": settings.agency_bic,
    }
    values.update({k: v for k, v in override.items() if v})
    return sepa.Creditor(**values)
