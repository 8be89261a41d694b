"""The data of one message (Nachrichteninhalt): everything a letter, an e-mail or an SMS shows,
composed when the step is planned and stored with the outbox message, so that delivery
renders it without reading the store again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row

from mahnwerk.channels.texts import (
    SUPERVISORY_AUTHORITY,
)
from mahnwerk.config import Settings
from mahnwerk.domain import notices, statement_json
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.contact_rules import is_mobile
from mahnwerk.domain.interest import compare_with_statutory
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.money import format_rate
from mahnwerk.services.admin.creditors import Agency, payment_account
from mahnwerk.store.ledger_map import interest_terms
from mahnwerk.store.models import Case, Creditor, Debtor
from mahnwerk.store.run_reads import CaseRecord, DebtorRecord

#: Days a debtor has to pay after a message.
PAY_WITHIN_DAYS = 14


def mobile(contact: Any) -> bool:
    return is_mobile(contact.kind, contact.value)


def valid_contacts(debtor: Debtor | DebtorRecord, kind: str) -> list[Any]:
    return [c for c in debtor.contacts if c.kind == kind and c.status == "valid"]


def sender_problems(settings: Settings) -> list[str]:
    """What the agency's settings lack for sending anything (see
    :func:`mahnwerk.domain.notices.sender_problems`)."""
    return notices.sender_problems(
        name=settings.agency_name,
        address=settings.agency_address,
        registration=settings.agency_registration,
        email=settings.agency_email,
        phone=settings.agency_phone,
    )


def _de(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def rate_notice(claim: Any, consumer: bool, day: date) -> dict[str, str] | None:
    """§ 13a Abs. 1 Nr. 4 RDG: the separate notice for a claim whose rate on ``day`` is above
    the statutory default rate, with the reason (the contract's rate), or ``None``."""
    own, statutory = compare_with_statutory(
        interest_terms(claim.interest_kind, claim.interest_value),
        day,
        consumer=consumer,
        base_rates=BaseRateTable.official(),
        origin=claim.origin,
        entgelt=claim.kind != "other",
    )
    if own <= statutory:
        return None
    notice = notices.RateNotice(
        claim=claim.invoice_no,
        rate=format_rate(own),
        statutory=format_rate(statutory),
        reason=notices.rate_reason(claim.contract_subject, _de(claim.contract_date)),
    )
    return {
        "claim": notice.claim,
        "rate": notice.rate,
        "statutory": notice.statutory,
        "reason": notice.reason,
        "text": notice.text(),
    }


def message_payload(
    case: Case | CaseRecord,
    creditor: Creditor | Row[Any],
    st: Statement,
    settings: Settings,
    day: date,
    *,
    action_info: dict[str, Any],
) -> dict[str, Any]:
    """The JSON-ready data of one message: what the letter renderer, the e-mail and the SMS
    texts read (amounts as decimal strings, dates ISO). ``statement`` is the statement as
    planned (:mod:`mahnwerk.domain.statement_json`), from which the letter is rendered."""
    debtor = case.debtor
    address = debtor.current_address
    cset = creditor.settings or {}
    contacts = {
        "email": next((c.value for c in valid_contacts(debtor, "email")), None),
        "mobile": next(
            (c.value for c in debtor.contacts if c.status == "valid" and mobile(c)), None
        ),
    }
    first_contact = bool(action_info.get("first_contact"))
    rate_notices = [
        n for c in case.claims if (n := rate_notice(c, debtor.consumer, day)) is not None
    ]
    return {
        **action_info,
        "date": day.isoformat(),
        "pay_by": (day + timedelta(days=PAY_WITHIN_DAYS)).isoformat(),
        "case_id": case.id,
        "case_reference": case.reference,
        "external_ref": case.external_ref,
        "agency": {
            "name": settings.agency_name,
            "address": settings.agency_address,
            "email": settings.agency_email,
            "phone": settings.agency_phone,
            "registration": settings.agency_registration,
            "website": settings.agency_website,
            "commercial_register": settings.agency_commercial_register,
            "managing_directors": settings.agency_managing_directors,
        },
        "authority": dict(SUPERVISORY_AUTHORITY),
        "creditor": {
            "name": creditor.name,
            "address": cset.get("address", ""),
            "address_withheld_reason": cset.get("address_withheld_reason", ""),
        },
        "bank": payment_account(creditor.name, cset, Agency.of(settings)),
        "debtor": {
            "name": debtor.display_name,
            "consumer": debtor.consumer,
            "address": None
            if address is None
            else {
                "street": address.street,
                "postcode": address.postcode,
                "city": address.city,
                "country": address.country,
            },
            "address_researched": address is not None and address.source == "research",
            **contacts,
        },
        # the claims' facts (§ 13a Abs. 1 Nr. 2 RDG); their amounts are in ``statement``
        "claims": [_claim_facts(c) for c in case.claims],
        # § 13a Abs. 1 Nr. 4 and 6 RDG
        "rate_notices": rate_notices,
        "vat_claimed": any(c.code == notices.VAT_CODE for c in st.costs),
        # Art. 14 DSGVO: the short notice with the link to the full one (first contact)
        "privacy": {
            "url": f"{settings.public_url}/datenschutz",
            "text": notices.privacy_short_notice(
                agency=settings.agency_name,
                agency_address=settings.agency_address,
                agency_email=settings.agency_email or settings.agency_phone,
                creditor=creditor.name,
                address_researched=address is not None and address.source == "research",
                full_notice_url=f"{settings.public_url}/datenschutz",
            ),
        }
        if first_contact
        else None,
        # the whole statement as planned, the one source of every amount, period, cost and
        # warning a letter, an e-mail or an SMS shows (never recomputed)
        "statement": statement_json.dump(st),
    }


def _claim_facts(claim: Any) -> dict[str, Any]:
    """What a message says of a claim besides its amounts: number, dates and ground (never
    "Vertrag vom" with a date that is not one, § 13a Abs. 1 Nr. 2 RDG)."""
    return {
        "invoice_no": claim.invoice_no,
        "label": claim.label,
        "invoice_date": _iso(claim.invoice_date),
        "origin": _iso(claim.origin),
        "due_date": _iso(claim.due_date),
        "default_ground": claim.default_ground,
        "contract_subject": claim.contract_subject,
        "contract_date": _iso(claim.contract_date),
        "reason": notices.claim_reason(
            invoice_no=claim.invoice_no,
            invoice_date=_de(claim.invoice_date),
            label=claim.label,
            contract_subject=claim.contract_subject,
            contract_date=_de(claim.contract_date),
        ),
    }


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()
