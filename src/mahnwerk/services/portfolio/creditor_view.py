"""Read models of the creditor view besides the portfolio
(:func:`mahnwerk.services.workspace.desk.portfolio`): the disputes on the creditor's cases,
its payouts, and each payout's settlement (Abrechnung) as PDF.

Every function is scoped to the acting creditor user or key: a payout of another creditor
answers ``None`` exactly like one that does not exist.

A settlement PDF is the file written when the payout was made (checked against the SHA-256
stored with the payout). If the payout was made without files, or the file is gone, it is
rendered again from the payout's stored items, which hold the split of every payment as it
was paid out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.documents.settlement import Settlement, SettlementLine
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.banking.payouts import Contract
from mahnwerk.store.banking_store import CreditorPayout, CreditorPayoutItem
from mahnwerk.store.models import Case, Creditor, Payment
from mahnwerk.store.workflow import Dispute

KIND_TEXT = {"payment": "Zahlung", "reversal": "Storno (Rücklastschrift)"}


def _scope(actor: Actor) -> int:
    if actor.role != "creditor" or actor.creditor_id is None:
        raise PermissionError("nur für Mandanten")
    return actor.creditor_id


@dataclass(frozen=True)
class DisputeRow:
    dispute: Dispute
    case_id: int
    reference: str
    external_ref: str


def disputes(session: Session, actor: Actor, *, resolved_too: int = 20) -> list[DisputeRow]:
    """Open disputes on the creditor's cases (oldest first), then the most recently resolved
    ones (at most ``resolved_too``)."""
    creditor_id = _scope(actor)
    base = (
        select(Dispute, Case.id, Case.reference, Case.external_ref)
        .join(Case, Case.id == Dispute.case_id)
        .where(Case.creditor_id == creditor_id)
    )
    rows = list(session.execute(base.where(Dispute.status == "open").order_by(Dispute.opened_at)))
    rows += list(
        session.execute(
            base.where(Dispute.status != "open")
            .order_by(Dispute.resolved_at.desc(), Dispute.id.desc())
            .limit(resolved_too)
        )
    )
    audit.record(session, actor, "list", "dispute", None, details={"count": len(rows)})
    return [DisputeRow(d, int(i), str(ref), str(ext)) for d, i, ref, ext in rows]


def payouts(session: Session, actor: Actor, *, limit: int = 24) -> list[CreditorPayout]:
    """The creditor's payouts, newest first."""
    creditor_id = _scope(actor)
    rows = list(
        session.scalars(
            select(CreditorPayout)
            .where(CreditorPayout.creditor_id == creditor_id)
            .order_by(CreditorPayout.period_to.desc(), CreditorPayout.id.desc())
            .limit(limit)
        )
    )
    audit.record(session, actor, "list", "creditor_payout", None, details={"count": len(rows)})
    return rows


def _stored(payout: CreditorPayout) -> bytes | None:
    doc = dict((payout.documents or {}).get("pdf") or {})
    path = Path(str(doc.get("path") or ""))
    if not doc or not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != doc.get("sha256"):
        return None  # not the file that was sent with the payout
    return data


def settlement(session: Session, payout: CreditorPayout, agency_name: str) -> Settlement:
    """The settlement of a payout from its stored items (as it was paid out)."""
    creditor = session.get(Creditor, payout.creditor_id)
    assert creditor is not None
    contract = Contract.of(creditor.settings)
    rows = session.execute(
        select(CreditorPayoutItem, Payment.date, Case.reference, Case.external_ref)
        .join(Payment, Payment.id == CreditorPayoutItem.payment_id)
        .join(Case, Case.id == CreditorPayoutItem.case_id)
        .where(CreditorPayoutItem.payout_id == payout.id)
    ).all()
    lines = sorted(
        (
            SettlementLine(
                day=day,
                case_reference=ref,
                external_ref=ext,
                kind=KIND_TEXT.get(item.kind, item.kind),
                gross=item.gross,
                principal=item.to_principal,
                interest=item.to_interest,
                costs=item.to_costs,
                commission=item.commission,
                fees_retained=item.fees_retained,
                net=item.net,
            )
            for item, day, ref, ext in rows
        ),
        key=lambda line: (line.day, line.case_reference, line.kind),
    )
    created = payout.created_at
    return Settlement(
        agency=agency_name,
        creditor=creditor.name,
        period_from=payout.period_from,
        period_to=payout.period_to,
        created=created.date() if isinstance(created, datetime) else created,
        number=payout.end_to_end_id,
        commission_percent=contract.commission_percent,
        commission_on=contract.commission_on,
        lines=tuple(lines),
    )


def settlement_pdf(
    session: Session, actor: Actor, payout_id: int, agency_name: str
) -> tuple[bytes, str] | None:
    """The payout's settlement as PDF and its file name; ``None`` for anyone else's."""
    creditor_id = _scope(actor)
    payout = session.get(CreditorPayout, payout_id)
    if payout is None or payout.creditor_id != creditor_id:
        return None
    data = _stored(payout)
    if data is None:
        from mahnwerk.documents.settlement import SettlementRenderer

        data = SettlementRenderer().render(settlement(session, payout, agency_name))
    audit.record(session, actor, "export", "creditor_payout", payout.id, creditor_id=creditor_id)
    return data, f"Abrechnung-{payout.end_to_end_id or payout.id}.pdf"
