"""The data of one message (Nachrichteninhalt): everything a letter, an e-mail or an SMS shows,
composed when the step is planned and stored with the outbox message, so that delivery
renders it without reading the store again."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
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


def _rates(claim: Any, consumer: bool, day: date) -> tuple[Decimal, Decimal]:
    """The claim's own rate on ``day`` and the statutory default rate it is compared with
    (§ 13a Abs. 1 Nr. 4 RDG: a rate above it needs a separate notice with its reason)."""
    return compare_with_statutory(
        interest_terms(claim.interest_kind, claim.interest_value),
        day,
        consumer=consumer,
        base_rates=BaseRateTable.official(),
        origin=claim.origin,
        entgelt=claim.kind != "other",
    )


def _rate_notice(claim: Any, rates: tuple[Decimal, Decimal]) -> dict[str, str] | None:
    """The separate notice of § 13a Abs. 1 Nr. 4 RDG for a claim whose own rate is above the
    statutory one, with the reason (the contract's rate), or ``None``."""
    own, statutory = rates
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
    """The JSON-ready data of one message (see :class:`Composer`)."""
    return Composer(settings, day).payload(case, creditor, st, action_info=action_info)


class Composer:
    """Composes the data of the messages of one day: everything a letter, an e-mail or an
    SMS shows (dates ISO, amounts in the statement as decimal strings). What is the same for
    many messages (the agency, a creditor's part and account, the privacy notice's link, the
    comparison of a kind of interest with the statutory rate) is composed once; a payload's
    parts may therefore be shared with other payloads and must not be changed."""

    def __init__(self, settings: Settings, day: date) -> None:
        self.settings = settings
        self.day = day
        self._date = day.isoformat()
        self._pay_by = (day + timedelta(days=PAY_WITHIN_DAYS)).isoformat()
        self._agency = {
            "name": settings.agency_name,
            "address": settings.agency_address,
            "email": settings.agency_email,
            "phone": settings.agency_phone,
            "registration": settings.agency_registration,
            "website": settings.agency_website,
            "commercial_register": settings.agency_commercial_register,
            "managing_directors": settings.agency_managing_directors,
        }
        self._authority = dict(SUPERVISORY_AUTHORITY)
        self._creditors: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
        self._privacy = {"url": f"{settings.public_url}/datenschutz"}
        self._rates: dict[tuple[Any, ...], tuple[Decimal, Decimal]] = {}

    def payload(
        self,
        case: Case | CaseRecord,
        creditor: Creditor | Row[Any],
        st: Statement,
        *,
        action_info: dict[str, Any],
    ) -> dict[str, Any]:
        """The JSON-ready data of one message: what the letter renderer, the e-mail and the
        SMS texts read. ``statement`` is the statement as planned
        (:mod:`mahnwerk.domain.statement_json`), from which every amount is shown."""
        debtor = case.debtor
        address = debtor.current_address
        researched = address is not None and address.source == "research"
        creditor_part, bank = self._creditor(creditor)
        contacts = {
            "email": next((c.value for c in valid_contacts(debtor, "email")), None),
            "mobile": next(
                (c.value for c in debtor.contacts if c.status == "valid" and mobile(c)), None
            ),
        }
        rate_notices = [
            n
            for c in case.claims
            if (n := _rate_notice(c, self._rate(c, debtor.consumer))) is not None
        ]
        return {
            **action_info,
            "date": self._date,
            "pay_by": self._pay_by,
            "case_id": case.id,
            "case_reference": case.reference,
            "external_ref": case.external_ref,
            "agency": self._agency,
            "authority": self._authority,
            "creditor": creditor_part,
            "bank": bank,
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
                "address_researched": researched,
                **contacts,
            },
            # the claims' facts (§ 13a Abs. 1 Nr. 2 RDG); their amounts are in ``statement``
            "claims": [_claim_facts(c) for c in case.claims],
            # § 13a Abs. 1 Nr. 4 and 6 RDG
            "rate_notices": rate_notices,
            "vat_claimed": any(c.code == notices.VAT_CODE for c in st.costs),
            # Art. 14 DSGVO: the short notice with the link to the full one (first contact);
            # its text is rendered from the agency, creditor and address source above
            # (channels.texts.privacy_notice)
            "privacy": self._privacy if action_info.get("first_contact") else None,
            # the whole statement as planned, the one source of every amount, period, cost
            # and warning a letter, an e-mail or an SMS shows (never recomputed)
            "statement": statement_json.dump(st),
        }

    def _creditor(self, creditor: Creditor | Row[Any]) -> tuple[dict[str, Any], dict[str, str]]:
        key = int(creditor.id)
        if key not in self._creditors:
            cset = creditor.settings or {}
            part = {
                "name": creditor.name,
                "address": cset.get("address", ""),
                "address_withheld_reason": cset.get("address_withheld_reason", ""),
            }
            bank = payment_account(creditor.name, cset, Agency.of(self.settings))
            self._creditors[key] = (part, bank)
        return self._creditors[key]

    def _rate(self, claim: Any, consumer: bool) -> tuple[Decimal, Decimal]:
        key = (claim.interest_kind, claim.interest_value, consumer, claim.origin, claim.kind)
        if key not in self._rates:
            self._rates[key] = _rates(claim, consumer, self.day)
        return self._rates[key]


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
