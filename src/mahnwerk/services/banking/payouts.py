"""Payouts to creditors (Auskehrung, pain.001) with a settlement statement (Abrechnung).

For a period, per creditor: every not reversed payment booked on the creditor's cases with
a date in the period and not paid out before, split exactly by the ledger's allocation
(:func:`mahnwerk.domain.ledger.compute_statement`, ``Allocation.items`` by kind: cost,
interest, principal). The agency's share comes from the contract in ``creditor.settings``::

    {"commission_percent": "15", "commission_on": "principal", "fees_retained": true}

- ``commission_on``: ``principal`` (default), ``principal_and_interest`` or ``collected``
  (principal + interest + costs);
- commission = percent × base, rounded half-up to the cent per payment;
- ``fees_retained`` (default true): the costs part of each payment stays with the agency.

Per line ``gross = commission + fees_retained + net``. ``gross`` is the part of the payment
the ledger applied; an overpayment (unapplied credit) is not paid out – it belongs to the
debtor until a person decides. A payment paid out before and reversed since (a
Rücklastschrift) comes back as a negative line (Storno) with the split it was paid out with.

Each payment is settled once (:class:`~mahnwerk.store.banking_store.CreditorPayoutItem` is
unique per payment and kind), so a repeated payout for the same period pays nothing twice.
A creditor whose net total is not positive, or who has no valid IBAN, gets no transfer this
time; their payments stay open for the next payout.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mahnwerk.banking import sepa
from mahnwerk.banking.iban import validate_iban
from mahnwerk.documents.settlement import Settlement, SettlementLine, settlement_csv
from mahnwerk.domain.ledger import compute_statement
from mahnwerk.domain.money import ZERO, round_cents
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.store.banking_store import CreditorPayout, CreditorPayoutItem
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case, Creditor, Payment

COMMISSION_BASES = ("principal", "principal_and_interest", "collected")


class PayoutError(ValueError):
    pass


@dataclass(frozen=True)
class Contract:
    commission_percent: Decimal = Decimal("0")
    commission_on: str = "principal"
    fees_retained: bool = True

    @staticmethod
    def of(settings: dict[str, Any] | None) -> Contract:
        s = settings or {}
        on = str(s.get("commission_on", "principal"))
        if on not in COMMISSION_BASES:
            raise PayoutError(f"commission_on {on!r} unbekannt ({', '.join(COMMISSION_BASES)})")
        percent = Decimal(str(s.get("commission_percent", "0")))
        if not Decimal(0) <= percent <= Decimal(100):
            raise PayoutError(f"commission_percent {percent} liegt nicht zwischen 0 und 100")
        return Contract(percent, on, bool(s.get("fees_retained", True)))

    def split(
        self, principal: Decimal, interest: Decimal, costs: Decimal
    ) -> tuple[Decimal, Decimal]:
        """(commission, fees retained) of one payment's allocation."""
        base = {
            "principal": principal,
            "principal_and_interest": principal + interest,
            "collected": principal + interest + costs,
        }[self.commission_on]
        commission = round_cents(base * self.commission_percent / Decimal(100))
        return commission, costs if self.fees_retained else ZERO


@dataclass
class CreditorResult:
    creditor_id: int
    name: str
    settlement: Settlement | None = None
    payout_id: int | None = None
    end_to_end_id: str = ""
    csv: bytes = b""
    pdf: bytes = b""
    skipped: str = ""


@dataclass
class PayoutRun:
    period_from: date
    period_to: date
    message_id: str = ""
    xml: bytes | None = None
    creditors: list[CreditorResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: what :func:`write_files` writes once the run's transaction is committed
    pending: list[tuple[Path, bytes]] = field(default_factory=list)

    def german(self) -> str:
        from mahnwerk.domain.money import format_eur

        paid = [c for c in self.creditors if c.settlement is not None and not c.skipped]
        lines = [
            f"Auskehrung {self.period_from:%d.%m.%Y} – {self.period_to:%d.%m.%Y}: "
            f"{len(paid)} Mandant(en)"
        ]
        for c in self.creditors:
            if c.settlement is None:
                continue
            s = c.settlement
            lines.append(
                f"  {c.name}: Zahlungen {format_eur(s.total('gross'))}, Provision "
                f"{format_eur(s.total('commission'))}, Kosten einbehalten "
                f"{format_eur(s.total('fees_retained'))}, Auszahlung {format_eur(s.total('net'))}"
                + (f" – nicht ausgezahlt: {c.skipped}" if c.skipped else "")
            )
        if not paid:
            lines.append("  nichts auszuzahlen (alles schon abgerechnet oder keine Zahlungen)")
        for f in self.files:
            lines.append(f"  Datei: {f}")
        return "\n".join(lines)


def _lines_for_case(
    case: Case, pending: list[Payment], contract: Contract, as_of: date
) -> list[tuple[Payment, SettlementLine, dict[str, Decimal]]]:
    """Each pending payment of the case with its exact split from the ledger."""
    statement = compute_statement(domain_case(case), as_of)
    active = [p for p in case.payments if not p.reversed and p.date <= as_of]
    order = sorted(range(len(active)), key=lambda i: active[i].date)  # as the ledger sorts
    by_payment = {active[i].id: statement.allocations[n] for n, i in enumerate(order)}
    out = []
    for p in pending:
        alloc = by_payment[p.id]
        parts = {"cost": ZERO, "interest": ZERO, "principal": ZERO}
        for item in alloc.items:
            parts[item.kind] += item.amount
        gross = parts["cost"] + parts["interest"] + parts["principal"]
        commission, fees = contract.split(parts["principal"], parts["interest"], parts["cost"])
        line = SettlementLine(
            day=p.date,
            case_reference=case.reference,
            external_ref=case.external_ref,
            kind="Zahlung",
            gross=gross,
            principal=parts["principal"],
            interest=parts["interest"],
            costs=parts["cost"],
            commission=commission,
            fees_retained=fees,
            net=gross - commission - fees,
        )
        out.append((p, line, {"unapplied": alloc.unapplied}))
    return out


def run_payouts(
    session: Session,
    actor: Actor,
    period_from: date,
    period_to: date,
    *,
    agency: sepa.Creditor,
    execution_date: date | None = None,
    out_dir: Path | None = None,
    pdf: bool = True,
    schema: str = "pain.001.001.09",
) -> PayoutRun:
    """Settle and pay out the period.

    With ``out_dir`` the pain.001, CSV and PDF files are planned (their paths and hashes
    stored with the payout) but written only by :func:`write_files`, which the caller
    calls after the transaction is committed: a transfer file must never exist for a
    payout the store does not know, or the next run would pay the same money again.
    """
    if not actor.is_staff:
        raise PermissionError("nur für Mitarbeiter der Inkassostelle")
    if period_to < period_from:
        raise PayoutError("das Ende des Zeitraums liegt vor dem Anfang")
    problems = sepa.validate_creditor(agency, direct_debit=False)
    if problems:
        raise PayoutError("; ".join(problems))
    run = PayoutRun(period_from, period_to)
    paid_out = {
        (pid, kind) for pid, kind in session.execute(
            select(CreditorPayoutItem.payment_id, CreditorPayoutItem.kind)
        )
    }  # fmt: skip
    creditors = session.scalars(select(Creditor).order_by(Creditor.id)).all()
    transfers: list[sepa.CreditTransfer] = []
    renderer = None
    now = utcnow()
    for creditor in creditors:
        contract = Contract.of(creditor.settings)
        payments = session.scalars(
            select(Payment)
            .join(Case, Case.id == Payment.case_id)
            .where(
                Case.creditor_id == creditor.id,
                Payment.date >= period_from,
                Payment.date <= period_to,
            )
            .order_by(Payment.date, Payment.id)
        ).all()
        new = [p for p in payments if not p.reversed and (p.id, "payment") not in paid_out]
        storno = [
            p for p in payments
            if p.reversed and (p.id, "payment") in paid_out and (p.id, "reversal") not in paid_out
        ]  # fmt: skip
        # reversals of payments paid out in earlier periods count too
        storno += [
            p
            for p in session.scalars(
                select(Payment)
                .join(CreditorPayoutItem, CreditorPayoutItem.payment_id == Payment.id)
                .join(Case, Case.id == Payment.case_id)
                .where(Case.creditor_id == creditor.id, Payment.reversed.is_(True))
            ).unique()
            if (p.id, "reversal") not in paid_out and p not in storno
        ]
        if not new and not storno:
            continue
        rows: list[tuple[Payment, SettlementLine, dict[str, Decimal], str]] = []
        by_case: dict[int, list[Payment]] = {}
        for p in new:
            by_case.setdefault(p.case_id, []).append(p)
        for case_id, pending in by_case.items():
            case = session.scalar(
                select(Case)
                .options(
                    selectinload(Case.claims),
                    selectinload(Case.costs),
                    selectinload(Case.payments),
                    selectinload(Case.debtor),
                )
                .where(Case.id == case_id)
            )
            assert case is not None
            for p, line, extra in _lines_for_case(case, pending, contract, period_to):
                rows.append((p, line, extra, "payment"))
        for p in storno:
            item = session.scalar(
                select(CreditorPayoutItem).where(
                    CreditorPayoutItem.payment_id == p.id, CreditorPayoutItem.kind == "payment"
                )
            )
            assert item is not None
            case = session.get(Case, p.case_id)
            assert case is not None
            line = SettlementLine(
                day=p.date, case_reference=case.reference, external_ref=case.external_ref,
                kind="Storno (Rücklastschrift)", gross=-item.gross, principal=-item.to_principal,
                interest=-item.to_interest, costs=-item.to_costs, commission=-item.commission,
                fees_retained=-item.fees_retained, net=-item.net,
            )  # fmt: skip
            rows.append((p, line, {"unapplied": ZERO}, "reversal"))
        rows.sort(key=lambda r: (r[1].day, r[1].case_reference, r[3]))
        result = CreditorResult(creditor.id, creditor.name)
        run.creditors.append(result)
        lines = tuple(r[1] for r in rows)
        net = sum((line.net for line in lines), ZERO)
        iban_problems = validate_iban(creditor.iban or "")
        if net <= 0:
            result.skipped = "Saldo nicht positiv, wird mit der nächsten Auskehrung verrechnet"
        elif iban_problems:
            result.skipped = "IBAN des Mandanten: " + "; ".join(iban_problems)
        settlement = Settlement(
            agency=agency.name,
            creditor=creditor.name,
            period_from=period_from,
            period_to=period_to,
            created=execution_date or today_in_germany(now),
            number="",
            commission_percent=contract.commission_percent,
            commission_on=contract.commission_on,
            lines=lines,
        )
        result.settlement = settlement
        if result.skipped:
            continue
        payout = CreditorPayout(
            creditor_id=creditor.id,
            period_from=period_from,
            period_to=period_to,
            gross=settlement.total("gross"),
            commission=settlement.total("commission"),
            fees_retained=settlement.total("fees_retained"),
            net=net,
            message_id="",
            end_to_end_id="",
            documents={},
            created_by=actor.label,
            created_at=now,
        )
        session.add(payout)
        session.flush()
        number = f"MW-PO-{payout.id:06d}"
        payout.end_to_end_id = number
        settlement = Settlement(**{**settlement.__dict__, "number": number})
        result.settlement = settlement
        result.payout_id = payout.id
        result.end_to_end_id = number
        for p, line, extra, kind in rows:
            session.add(
                CreditorPayoutItem(
                    payout_id=payout.id, payment_id=p.id, kind=kind, case_id=p.case_id,
                    gross=line.gross, to_principal=line.principal, to_interest=line.interest,
                    to_costs=line.costs, unapplied=extra["unapplied"],
                    commission=line.commission, fees_retained=line.fees_retained, net=line.net,
                )
            )  # fmt: skip
        transfers.append(
            sepa.CreditTransfer(
                name=creditor.name[:70],
                iban=creditor.iban or "",
                amount=net,
                remittance=f"Auskehrung {number} {period_from:%d.%m.%Y}-{period_to:%d.%m.%Y}",
                end_to_end_id=number,
            )
        )
        result.csv = settlement_csv(settlement)
        if pdf:
            if renderer is None:
                from mahnwerk.documents.settlement import SettlementRenderer

                renderer = SettlementRenderer()
            result.pdf = renderer.render(settlement)
    if transfers:
        existing = session.scalar(
            select(CreditorPayout.id)
            .where(
                CreditorPayout.period_from == period_from,
                CreditorPayout.period_to == period_to,
                CreditorPayout.message_id != "",
            )
            .limit(1)
        )
        suffix = "-N" if existing else ""
        stamp = f"{now:%H%M%S}" if existing else ""
        run.message_id = f"MW-PO-{period_from:%Y%m%d}-{period_to:%Y%m%d}{suffix}{stamp}"[:35]
        run.xml = sepa.credit_transfer_file(
            agency, transfers, execution_date or today_in_germany(now), schema=schema,
            message_id=run.message_id,
        )  # fmt: skip
    for result in run.creditors:
        if result.payout_id is None:
            continue
        stored = session.get(CreditorPayout, result.payout_id)
        assert stored is not None
        stored.message_id = run.message_id
        if out_dir is not None:
            stored.documents = _plan(run, out_dir, result)
    if out_dir is not None and run.xml is not None:
        run.pending.insert(0, (out_dir / f"{run.message_id}.xml", run.xml))
    session.flush()
    audit.record(
        session, actor, "create", "creditor_payout", run.message_id or None,
        details={"creditors": [c.payout_id for c in run.creditors if c.payout_id]},
    )  # fmt: skip
    return run


def _plan(run: PayoutRun, out_dir: Path, result: CreditorResult) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    for kind, data, suffix in (("csv", result.csv, "csv"), ("pdf", result.pdf, "pdf")):
        if not data:
            continue
        path = out_dir / f"Abrechnung-{result.end_to_end_id}.{suffix}"
        run.pending.append((path, data))
        docs[kind] = {"path": str(path), "sha256": hashlib.sha256(data).hexdigest()}
    return docs


def write_files(run: PayoutRun) -> list[Path]:
    """Write the run's files (call after its transaction is committed), each atomically:
    a half-written transfer file is never seen under its final name."""
    for path, data in run.pending:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        run.files.append(path)
    run.pending.clear()
    return run.files


__all__ = ["Contract", "PayoutError", "PayoutRun", "run_payouts", "write_files"]
