"""The letter channel's renderer for stored cases: from an outbox message to a PDF.

The daily run hands the renderer the JSON payload of an outbox message. This adapter loads
the case, computes its statement at the letter's date with the ledger (reproducible for any
date), adds the portal access code, and renders the DIN 5008 letter with the documents
package; the GiroCode comes from :mod:`mahnwerk.banking.epc_qr`, the one place it is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.banking.epc_qr import EpcTransfer, qr_svg
from mahnwerk.channels.base import DeliveryError
from mahnwerk.config import Settings
from mahnwerk.documents import letters as doc
from mahnwerk.documents.render import LetterRenderer
from mahnwerk.services import cases
from mahnwerk.services.actor import SYSTEM
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.models import Case

_ADDRESS = re.compile(r"^\s*(?P<street>.+?),\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$")


def parse_address(text: str) -> doc.PostalAddress | None:
    """``"Musterstraße 1, 10115 Berlin"`` → a postal address (None if it does not parse)."""
    match = _ADDRESS.match(text or "")
    if not match:
        return None
    return doc.PostalAddress(match["street"], match["postcode"], match["city"])


def giro_code(t: doc.Transfer) -> str:
    return qr_svg(EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic))


def letter_kind(template: str) -> doc.LetterKind:
    try:
        return doc.LetterKind(template)
    except ValueError:
        return doc.LetterKind.DUNNING_1


class StoreLetterRenderer:
    """Implements the ``LetterRenderer`` port of :mod:`mahnwerk.channels.base`."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self._renderer: LetterRenderer | None = None

    @property
    def renderer(self) -> LetterRenderer:
        if self._renderer is None:  # typst starts on first use, not at start-up
            self._renderer = LetterRenderer(giro_code)
        return self._renderer

    def render(self, data: Mapping[str, Any]) -> bytes:
        with self.sessions() as session:
            case = cases.get_case(session, SYSTEM, int(data["case_id"]), purpose="letter")
            if case is None:
                raise DeliveryError(f"Fall {data['case_id']} fehlt", permanent=True)
            letter = self.letter_for(session, case, data)
            session.commit()
        try:
            return self.renderer.render(letter)
        except doc.LetterError as exc:
            raise DeliveryError(f"Brief unvollständig: {exc}", permanent=True) from exc

    def letter_for(self, session: Session, case: Case, data: Mapping[str, Any]) -> doc.LetterData:
        s = self.settings
        day = date.fromisoformat(str(data["date"]))
        creditor = case_creditor(session, case)
        cset = creditor.settings or {}
        address = case.debtor.current_address
        if address is None:
            raise DeliveryError("keine Anschrift des Schuldners", permanent=True)
        agency_address = parse_address(s.agency_address) or doc.PostalAddress(
            "Musterstraße 1", "10115", "Berlin"
        )
        bank = dict(data.get("bank") or cset.get("payment_account") or {})
        return doc.LetterData(
            kind=letter_kind(str(data.get("template", ""))),
            date=day,
            sender=doc.Agency(
                name=s.agency_name,
                address=agency_address,
                phone=s.agency_phone or "-",
                email=s.agency_email or "-",
                registration=s.agency_registration or "-",
            ),
            recipient=doc.Recipient(
                name=case.debtor.display_name,
                address=doc.PostalAddress(
                    address.street, address.postcode, address.city, address.country or "DE"
                ),
            ),
            case_reference=case.reference,
            creditor=doc.Creditor(
                name=creditor.name,
                address=parse_address(str(cset.get("address", ""))),
                address_withheld_reason=str(cset.get("address_withheld_reason", "")),
            ),
            statement=cases.statement(case, day),
            bank=doc.BankAccount(
                holder=str(bank.get("holder", s.agency_name)),
                iban=str(bank.get("iban", "")),
                bic=str(bank.get("bic", "")),
            ),
            portal=doc.PortalAccess(
                url=f"{s.public_url}/portal",
                access_code=portal_access.code_for_case(session, s.secret_key, case.id),
            ),
            due_date=date.fromisoformat(str(data.get("pay_by") or day.isoformat())),
            claim_reasons=tuple(
                doc.ClaimReason(
                    claim_id=c.invoice_no,
                    subject=c.label or f"Rechnung {c.invoice_no}",
                    date=c.invoice_date or c.due_date or c.default_from,
                )
                for c in case.claims
            ),
            cost_reasons=tuple(
                doc.CostReason(key=c.code or c.label, kind=c.label, reason=cost_reason(c.code))
                for c in case.costs
            ),
            first_contact=bool(data.get("first_contact")),
            address_researched=address.source == "research",
            address_source="Einwohnermeldeamt" if address.source == "research" else "",
        )


def case_creditor(session: Session, case: Case) -> Any:
    from mahnwerk.store.models import Creditor

    return session.get(Creditor, case.creditor_id)


def cost_reason(code: str) -> str:
    reasons = {
        "VV 2300": "Inkassokosten nach § 13e RDG in Höhe der Vergütung eines Rechtsanwalts",
        "VV 7002": "Auslagenpauschale für Post und Telekommunikation (Nr. 7002 VV RVG)",
        "§ 288 Abs. 5": "Verzugspauschale gegenüber Unternehmern (§ 288 Abs. 5 BGB)",
    }
    return reasons.get(code, "Kosten der Rechtsverfolgung als Verzugsschaden (§ 286 BGB)")
