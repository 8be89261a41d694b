"""The letter channel's renderer: from an outbox message to a DIN 5008 PDF.

Everything the letter shows comes from the message: the payload composed when the step was
planned (``services.dunning.compose.message_payload``, with the statement as planned) plus
what the delivery adds at sending time (``portal``: the URL and the case's access code, which
is derived from the installation secret and never stored). The renderer opens no session
and computes no statement; a message that lacks what a correct letter needs is refused with
:attr:`~mahnwerk.channels.base.Failure.INCOMPLETE`. The GiroCode comes from
:mod:`mahnwerk.banking.epc_qr`, the one place it is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from mahnwerk.banking.epc_qr import EpcTransfer, qr_svg
from mahnwerk.channels.base import DeliveryError, Failure
from mahnwerk.channels.texts import privacy_notice
from mahnwerk.documents import letters as doc
from mahnwerk.documents.render import LetterRenderer
from mahnwerk.domain import notices, statement_json


def parse_address(text: str) -> doc.PostalAddress | None:
    """``"Ballindamm 17, 20095 Hamburg"`` → a postal address (None if it does not parse)."""
    parts = notices.parse_address(text)
    return None if parts is None else doc.PostalAddress(*parts)


#: Where the sender has no valid address: every field empty, so that validation refuses the
#: letter naming the setting; nothing is ever printed in its place.
NO_ADDRESS = doc.PostalAddress("", "", "")


def giro_code(t: doc.Transfer) -> str:
    return qr_svg(EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic))


def letter_kind(template: str) -> doc.LetterKind:
    try:
        return doc.LetterKind(template)
    except ValueError:
        return doc.LetterKind.DUNNING_1


class PayloadLetterRenderer:
    """Implements the ``LetterRenderer`` port of :mod:`mahnwerk.channels.base`. One per
    process (typst is not thread-safe); typst starts on first use, not at start-up."""

    def __init__(self) -> None:
        self._renderer: LetterRenderer | None = None

    @property
    def renderer(self) -> LetterRenderer:
        if self._renderer is None:
            self._renderer = LetterRenderer(giro_code)
        return self._renderer

    def render(self, data: Mapping[str, Any]) -> bytes:
        letter = letter_from_message(data)
        try:
            return self.renderer.render(letter)
        except doc.LetterError as exc:
            raise DeliveryError(f"Brief unvollständig: {exc}", Failure.INCOMPLETE) from exc


def letter_from_message(data: Mapping[str, Any]) -> doc.LetterData:
    """The letter of an outbox message; :class:`DeliveryError` (INCOMPLETE) if it lacks the
    statement, the debtor's address or the portal access. The sender is never a placeholder:
    a missing agency address leaves the fields empty and the letter's validation refuses it."""
    if not isinstance(data.get("statement"), dict):
        raise DeliveryError("Brief unvollständig: Forderungsaufstellung fehlt", Failure.INCOMPLETE)
    portal = data.get("portal") or {}
    if not portal.get("access_code"):
        raise DeliveryError("Brief unvollständig: Portal-Zugangscode fehlt", Failure.INCOMPLETE)
    debtor = data.get("debtor") or {}
    address = debtor.get("address")
    if not address:
        raise DeliveryError("keine Anschrift des Schuldners", Failure.INCOMPLETE)
    agency = data.get("agency") or {}
    creditor = data.get("creditor") or {}
    bank = data.get("bank") or {}
    day = date.fromisoformat(str(data["date"]))
    statement = statement_json.load(data["statement"])
    researched = bool(debtor.get("address_researched"))
    privacy = data.get("privacy") or {}
    return doc.LetterData(
        kind=letter_kind(str(data.get("template", ""))),
        date=day,
        sender=doc.Agency(
            name=str(agency.get("name") or ""),
            address=parse_address(str(agency.get("address") or "")) or NO_ADDRESS,
            phone=str(agency.get("phone") or ""),
            email=str(agency.get("email") or ""),
            registration=str(agency.get("registration") or ""),
            website=str(agency.get("website") or ""),
            commercial_register=str(agency.get("commercial_register") or ""),
            managing_directors=str(agency.get("managing_directors") or ""),
        ),
        recipient=doc.Recipient(
            name=str(debtor.get("name", "")),
            address=doc.PostalAddress(
                str(address.get("street", "")),
                str(address.get("postcode", "")),
                str(address.get("city", "")),
                str(address.get("country") or "DE"),
            ),
        ),
        case_reference=str(data.get("case_reference", "")),
        creditor=doc.Creditor(
            name=str(creditor.get("name", "")),
            address=parse_address(str(creditor.get("address", ""))),
            address_withheld_reason=str(creditor.get("address_withheld_reason", "")),
        ),
        statement=statement,
        bank=doc.BankAccount(
            holder=str(bank.get("holder") or agency.get("name", "")),
            iban=str(bank.get("iban", "")),
            bic=str(bank.get("bic", "")),
        ),
        portal=doc.PortalAccess(
            url=str(portal.get("url", "")), access_code=str(portal["access_code"])
        ),
        due_date=date.fromisoformat(str(data.get("pay_by") or day.isoformat())),
        claim_reasons=tuple(claim_reason(c) for c in data.get("claims") or []),
        cost_reasons=tuple(
            doc.CostReason(key=k.code or k.label, kind=k.label, reason=cost_reason(k.code))
            for k in statement.costs
        ),
        first_contact=bool(data.get("first_contact")),
        address_researched=researched,
        address_source="Einwohnermeldeamt" if researched else "",
        rate_notices=tuple(
            notices.RateNotice(
                str(n["claim"]), str(n["rate"]), str(n["statutory"]), str(n["reason"])
            )
            for n in data.get("rate_notices") or []
        ),
        vat_claimed=bool(data.get("vat_claimed")),
        credit_bureau_notice=bool(data.get("credit_bureau_notice")),
        privacy_notice=privacy_notice(data),
        privacy_url=str(privacy.get("url") or ""),
        warnings=statement.warnings,
        acknowledgement_notice=str((data.get("acknowledgement") or {}).get("text") or ""),
    )


def claim_reason(c: Mapping[str, Any]) -> doc.ClaimReason:
    """§ 13a Abs. 1 Nr. 2 RDG: the claim's ground as composed into the message (the contract's
    subject and date, else the invoice with its number and date; never a date as "Vertrag
    vom" that is not one)."""
    contract_date = c.get("contract_date")
    day = contract_date or c.get("invoice_date")
    return doc.ClaimReason(
        claim_id=str(c["invoice_no"]),
        subject=str(c.get("contract_subject") or c.get("label") or f"Rechnung {c['invoice_no']}"),
        date=date.fromisoformat(str(day)) if day else None,
        kind="contract" if contract_date else "invoice",
        text=str(c.get("reason") or ""),
    )


def cost_reason(code: str) -> str:
    reasons = {
        "VV 2300": "Inkassokosten nach § 13e RDG in Höhe der Vergütung eines Rechtsanwalts",
        "VV 7002": "Auslagenpauschale für Post und Telekommunikation (Nr. 7002 VV RVG)",
        "§ 288 Abs. 5": "Verzugspauschale gegenüber Unternehmern (§ 288 Abs. 5 BGB)",
    }
    return reasons.get(code, "Kosten der Rechtsverfolgung als Verzugsschaden (§ 286 BGB)")
