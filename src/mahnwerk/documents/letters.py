"""Letters to debtors: the immutable input, its validation and the data handed to the templates.

A :class:`LetterData` holds everything one letter shows: the agency (sender) with its
registration and supervisory authority, the debtor's postal address, the creditor, the
reason and date of every claim, the ledger :class:`~mahnwerk.domain.ledger.Statement`
(interest periods, costs, payments and their allocation, totals), the bank details, the
debtor portal and the flags that switch on the notices of § 13a RDG:

==========================  ==================================================================
``first_contact``           every item of § 13a Abs. 1 Nr. 1–8 RDG must be present
``address_researched``      Nr. 7: the address was researched, and how to object to errors
``rate_above_statutory``    Nr. 4: separate notice that the rate exceeds § 288 BGB, and why
``rate_notices``            Nr. 4 per claim: its rate, the statutory one, and why
``vat_claimed``             Nr. 6: the creditor cannot deduct the VAT as input tax
``credit_bureau_notice``    § 31 Abs. 2 Nr. 4 c BDSG: a report to a credit bureau is possible
``privacy_notice``          Art. 14 DSGVO: the short notice with the link to the full one
``warnings``                a base rate used that is UNVERIFIED (or a period left uncharged)
kind ``payment_plan_offer`` § 13a Abs. 3: the costs the instalment agreement causes
==========================  ==================================================================

The sender must be complete (name, postal address, registration under § 10 RDG, e-mail or
phone); nothing is ever printed in place of a missing value.

:func:`validate` lists every problem (German messages naming the field); a letter with
problems is never rendered. :func:`template_data` turns a letter into the JSON-ready dict the
typst templates read: every amount and date is already formatted in German here, so the
templates contain text and layout only and never compute or round money.

The EPC QR code is not drawn here: the payment layer owns its payload (``documents`` must not
import ``banking``, see the layer contract in pyproject.toml). :func:`transfer_of` says what
the code must carry (the exact open amount and the case reference) and the renderer receives
a function that turns that into SVG.

>>> LetterKind("dunning_1").heading
'Mahnung'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from mahnwerk.domain import notices
from mahnwerk.domain import supervision as sv
from mahnwerk.domain.allocation import ALLOCATIONS
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.money import CENT, ZERO, format_eur, format_rate, round_cents

# ------------------------------------------------------------------------------- kinds


class LetterKind(StrEnum):
    """The letters of the pre-legal dunning process (the template names)."""

    REMINDER = "reminder"
    DUNNING_1 = "dunning_1"
    DUNNING_2 = "dunning_2"
    FINAL_NOTICE = "final_notice"
    PAYMENT_PLAN_OFFER = "payment_plan_offer"
    COURT_NOTICE = "court_notice"
    ACKNOWLEDGEMENT_NOTICE = "acknowledgement_notice"

    @property
    def heading(self) -> str:
        """The German heading of the letter (its subject line)."""
        return _TITLES[self]


_TITLES = {
    LetterKind.REMINDER: "Zahlungserinnerung",
    LetterKind.DUNNING_1: "Mahnung",
    LetterKind.DUNNING_2: "Zweite Mahnung",
    LetterKind.FINAL_NOTICE: "Letzte Mahnung",
    LetterKind.PAYMENT_PLAN_OFFER: "Angebot einer Ratenzahlungsvereinbarung",
    LetterKind.COURT_NOTICE: "Ankündigung des gerichtlichen Mahnverfahrens",
    LetterKind.ACKNOWLEDGEMENT_NOTICE: "Hinweis zum Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
}


# ------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class PostalAddress:
    street: str
    postcode: str
    city: str
    country: str = "DE"
    """ISO 3166-1 alpha-2 code; a country line is printed only outside Germany."""


@dataclass(frozen=True)
class Authority:
    """The supervisory authority (§ 13a Abs. 1 Nr. 8 RDG): name, address, electronic contact."""

    name: str
    address: PostalAddress
    email: str
    website: str = ""
    phone: str = ""


BUNDESAMT_FUER_JUSTIZ = Authority(
    name=sv.AUTHORITY_NAME,
    address=PostalAddress(sv.AUTHORITY_STREET, sv.AUTHORITY_POSTCODE, sv.AUTHORITY_CITY),
    email=sv.AUTHORITY_EMAIL,
    website=sv.AUTHORITY_WEBSITE,
    phone=sv.AUTHORITY_PHONE,
)
"""Supervisor of all registered Inkassodienstleister (§ 13h RDG); data from
:mod:`mahnwerk.domain.supervision`, the one place they are kept."""


@dataclass(frozen=True)
class Agency:
    """The sender: a registered Inkassodienstleister (§ 10 Abs. 1 Satz 1 Nr. 1 RDG)."""

    name: str
    address: PostalAddress
    phone: str
    email: str
    registration: str
    """Entry in the Rechtsdienstleistungsregister, e.g. "Rechtsdienstleistungsregister,
    Az. 3712E-1234/2025" (registration according to § 10 RDG)."""
    supervisory_authority: Authority = BUNDESAMT_FUER_JUSTIZ
    contact_person: str = ""
    website: str = ""
    commercial_register: str = ""
    managing_directors: str = ""


@dataclass(frozen=True)
class Recipient:
    name: str
    address: PostalAddress
    salutation: str = ""
    """The opening line, e.g. "Sehr geehrte Frau Dr. Muster,"; a neutral one is used if empty."""
    extra_line: str = ""
    """An optional second name line (c/o, department)."""


@dataclass(frozen=True)
class Creditor:
    """The agency's client (§ 13a Abs. 1 Nr. 1 RDG). The address may be withheld only if
    the letter explains why (overriding interests of the creditor)."""

    name: str
    address: PostalAddress | None = None
    address_withheld_reason: str = ""


@dataclass(frozen=True)
class ClaimReason:
    """Why a claim exists (§ 13a Abs. 1 Nr. 2 RDG), for the claim ``claim_id`` of the statement.

    ``kind`` is ``"contract"`` (subject of the contract and the date it was concluded),
    ``"tort"`` (type and date of the act) or ``"invoice"`` (the invoice with its number and
    date, where the contract is not known: never shown as a contract date). ``text``, when
    given, is printed as it is (see :func:`mahnwerk.domain.notices.claim_reason`)."""

    claim_id: str
    subject: str
    date: date | None
    kind: str = "contract"
    text: str = ""


@dataclass(frozen=True)
class CostReason:
    """Type and reason of a cost (§ 13a Abs. 1 Nr. 5 RDG), for the statement's cost whose
    ``code`` (or, if it has none, ``label``) equals ``key``."""

    key: str
    kind: str
    reason: str


@dataclass(frozen=True)
class BankAccount:
    holder: str
    iban: str
    bic: str
    bank_name: str = ""


@dataclass(frozen=True)
class PortalAccess:
    url: str
    access_code: str


@dataclass(frozen=True)
class PlanCost:
    label: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class PaymentPlanOffer:
    """An instalment offer; its costs are stated before it is agreed (§ 13a Abs. 3 RDG)."""

    instalments: int
    instalment_amount: Decimal
    first_due: date
    costs: tuple[PlanCost, ...] = ()
    interest_continues: bool = True
    """Whether default interest keeps running on the open principal during the plan."""
    reply_by: date | None = None


@dataclass(frozen=True)
class LetterData:
    kind: LetterKind
    date: dt.date
    sender: Agency
    recipient: Recipient
    case_reference: str
    creditor: Creditor
    statement: Statement
    bank: BankAccount
    portal: PortalAccess
    due_date: dt.date
    claim_reasons: tuple[ClaimReason, ...] = ()
    cost_reasons: tuple[CostReason, ...] = ()
    first_contact: bool = False
    address_researched: bool = False
    address_source: str = ""
    """Where the researched address came from (e.g. "Melderegisterauskunft"), optional."""
    rate_above_statutory: bool = False
    rate_reason: str = ""
    vat_claimed: bool = False
    rate_notices: tuple[notices.RateNotice, ...] = ()
    credit_bureau_notice: bool = False
    privacy_notice: str = ""
    privacy_url: str = ""
    warnings: tuple[str, ...] = ()
    #: § 13a Abs. 4 RDG: the notice before an acknowledgement of the debt is asked for.
    acknowledgement_notice: str = ""
    payment_plan: PaymentPlanOffer | None = None
    your_reference: str = ""
    court_application_after: dt.date | None = None
    """court_notice: the day after which the Mahnbescheid will be applied for."""

    @property
    def amount_due(self) -> Decimal:
        """The exact open total of the statement: what the letter asks for and the QR carries."""
        return round_cents(self.statement.totals.total_open)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a letter, naming the field (``sender.address.postcode``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class LetterError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# ---------------------------------------------------------------------- payment order


@dataclass(frozen=True)
class Transfer:
    """What the EPC QR code of a letter carries; field names as in
    :class:`mahnwerk.banking.epc_qr.EpcTransfer`."""

    name: str
    iban: str
    amount: Decimal
    remittance: str
    bic: str


GiroCodeMaker = Callable[[Transfer], str]
"""Turns a transfer into the SVG text of its EPC QR code; wired to
``mahnwerk.banking.epc_qr.qr_svg`` by the caller (see :mod:`mahnwerk.documents.render`)."""


def transfer_of(letter: LetterData) -> Transfer:
    """The transfer a letter asks for: the exact open total, the case reference as remittance."""
    return Transfer(
        name=letter.bank.holder,
        iban=compact_iban(letter.bank.iban),
        amount=letter.amount_due,
        remittance=letter.case_reference,
        bic=letter.bank.bic.replace(" ", "").upper(),
    )


def compact_iban(iban: str) -> str:
    return iban.replace(" ", "").upper()


def format_iban(iban: str) -> str:
    """Groups of four: ``DE89 3704 0044 0532 0130 00``."""
    compact = compact_iban(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# -------------------------------------------------------------------------- validation

_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_ADDRESS_LINE = 48
"""Characters per line that fit the 85 mm address field at 10 pt."""


def iban_ok(iban: str) -> bool:
    compact = compact_iban(iban)
    if not _IBAN.match(compact):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def text(self, value: str, field: str, max_len: int | None = None) -> None:
        if not value or not value.strip():
            self.fail(field, "fehlt")
        elif max_len is not None and len(value) > max_len:
            self.fail(field, f"zu lang ({len(value)} Zeichen, höchstens {max_len})")

    def address(self, address: PostalAddress, field: str, line_limit: bool = False) -> None:
        limit = MAX_ADDRESS_LINE if line_limit else None
        self.text(address.street, f"{field}.street", limit)
        self.text(address.postcode, f"{field}.postcode")
        self.text(address.city, f"{field}.city", limit)
        if not _COUNTRY.match(address.country):
            self.fail(f"{field}.country", f"{address.country!r} ist kein Ländercode (z. B. DE)")
        elif address.country == "DE" and not re.fullmatch(r"\d{5}", address.postcode):
            self.fail(f"{field}.postcode", f"{address.postcode!r} ist keine deutsche PLZ")


def validate(letter: LetterData) -> list[Problem]:
    """Every problem of ``letter``; an empty list means it can be rendered."""
    c = _Checker()
    s = letter.sender
    c.text(s.name, "sender.name", 70)
    c.address(s.address, "sender.address")
    if not s.phone.strip() and not s.email.strip():
        c.fail("sender.email", "fehlt (E-Mail oder Telefon der Agentur)")
    c.text(s.registration, "sender.registration")
    a = s.supervisory_authority
    c.text(a.name, "sender.supervisory_authority.name")
    c.address(a.address, "sender.supervisory_authority.address")
    c.text(a.email, "sender.supervisory_authority.email")

    r = letter.recipient
    c.text(r.name, "recipient.name", MAX_ADDRESS_LINE)
    if r.extra_line:
        c.text(r.extra_line, "recipient.extra_line", MAX_ADDRESS_LINE)
    c.address(r.address, "recipient.address", line_limit=True)
    c.text(letter.case_reference, "case_reference", 35)
    c.text(letter.creditor.name, "creditor.name")

    _check_money(c, letter)
    _check_payment(c, letter)
    _check_reasons(c, letter)
    if letter.first_contact:
        _check_first_contact(c, letter)
    if letter.rate_above_statutory and not letter.rate_reason.strip() and not letter.rate_notices:
        c.fail("rate_reason", "fehlt: Grund für den Zinssatz über dem gesetzlichen (§ 13a Nr. 4)")
    for i, notice in enumerate(letter.rate_notices):
        if not notice.reason.strip():
            c.fail(f"rate_notices[{i}].reason", "fehlt: Grund des erhöhten Zinssatzes (Nr. 4)")
    if any(k.code == notices.VAT_CODE for k in letter.statement.costs) and not letter.vat_claimed:
        c.fail("vat_claimed", "Umsatzsteuer verlangt ohne Erklärung nach § 13a Abs. 1 Nr. 6 RDG")
    _check_kind(c, letter)
    return c.problems


def _check_money(c: _Checker, letter: LetterData) -> None:
    total = letter.statement.totals.total_open
    if total <= 0:
        c.fail("statement.totals.total_open", "nichts offen: kein Zahlungsaufforderung möglich")
    elif total != total.quantize(CENT):
        c.fail("statement.totals.total_open", f"{total} ist kein Betrag in Cent")
    if letter.due_date < letter.date:
        c.fail("due_date", "liegt vor dem Datum des Schreibens")
    if letter.statement.as_of > letter.date:
        c.fail("statement.as_of", "Forderungsaufstellung liegt nach dem Datum des Schreibens")


def _check_payment(c: _Checker, letter: LetterData) -> None:
    b = letter.bank
    c.text(b.holder, "bank.holder", 70)
    if not iban_ok(b.iban):
        c.fail("bank.iban", f"{b.iban!r} ist keine gültige IBAN")
    if not _BIC.match(b.bic.replace(" ", "").upper()):
        c.fail("bank.bic", f"{b.bic!r} ist keine gültige BIC (8 oder 11 Zeichen)")
    c.text(letter.portal.url, "portal.url")
    c.text(letter.portal.access_code, "portal.access_code")


def _check_reasons(c: _Checker, letter: LetterData) -> None:
    claim_ids = {cl.id for cl in letter.statement.claims}
    for i, reason in enumerate(letter.claim_reasons):
        field = f"claim_reasons[{i}]"
        if reason.claim_id not in claim_ids:
            c.fail(f"{field}.claim_id", f"{reason.claim_id!r} ist keine Forderung des Falls")
        c.text(reason.text or reason.subject, f"{field}.subject")
        if reason.kind not in ("contract", "tort", "invoice"):
            c.fail(f"{field}.kind", f"{reason.kind!r} (erlaubt: contract, tort, invoice)")
        if reason.kind in ("contract", "tort") and reason.date is None and not reason.text:
            c.fail(f"{field}.date", "fehlt (§ 13a Abs. 1 Nr. 2 RDG)")
    cost_keys = {_cost_key(k.code, k.label) for k in letter.statement.costs}
    for i, cost in enumerate(letter.cost_reasons):
        field = f"cost_reasons[{i}]"
        if cost.key not in cost_keys:
            c.fail(f"{field}.key", f"{cost.key!r} ist keine Kostenposition des Falls")
        c.text(cost.kind, f"{field}.kind")
        c.text(cost.reason, f"{field}.reason")


def _check_first_contact(c: _Checker, letter: LetterData) -> None:
    """§ 13a Abs. 1 RDG: everything must be there with the first demand."""
    cr = letter.creditor
    if cr.address is None:
        if not cr.address_withheld_reason.strip():
            c.fail("creditor.address", "fehlt (Erstkontakt, § 13a Abs. 1 Nr. 1 RDG)")
    else:
        c.address(cr.address, "creditor.address")
    given = {r.claim_id for r in letter.claim_reasons}
    for i, claim in enumerate(letter.statement.claims):
        if claim.id not in given:
            c.fail(
                f"statement.claims[{i}]",
                f"Forderungsgrund und Datum zu {claim.id!r} fehlen (§ 13a Abs. 1 Nr. 2 RDG)",
            )
    reasons = {r.key for r in letter.cost_reasons}
    for i, cost in enumerate(letter.statement.costs):
        if _cost_key(cost.code, cost.label) not in reasons:
            c.fail(
                f"statement.costs[{i}]",
                f"Art und Entstehungsgrund zu {cost.label!r} fehlen (§ 13a Abs. 1 Nr. 5 RDG)",
            )
    a = letter.sender.supervisory_authority
    if not a.email.strip() and not a.website.strip():
        c.fail("sender.supervisory_authority", "elektronische Erreichbarkeit fehlt (Nr. 8)")
    if not letter.privacy_notice.strip() or not letter.privacy_url.strip():
        c.fail("privacy_notice", "fehlt: Datenschutzhinweis mit Link (Art. 14 DSGVO, Erstkontakt)")


def _check_kind(c: _Checker, letter: LetterData) -> None:
    plan = letter.payment_plan
    if letter.kind is LetterKind.PAYMENT_PLAN_OFFER:
        if plan is None:
            c.fail("payment_plan", "fehlt (Ratenzahlungsangebot)")
        else:
            if plan.instalments < 2:
                c.fail("payment_plan.instalments", "mindestens 2 Raten")
            if plan.instalment_amount <= 0 or plan.instalment_amount != round_cents(
                plan.instalment_amount
            ):
                c.fail("payment_plan.instalment_amount", "muss ein positiver Betrag in Cent sein")
            if plan.first_due < letter.date:
                c.fail("payment_plan.first_due", "liegt vor dem Datum des Schreibens")
            for i, cost in enumerate(plan.costs):
                c.text(cost.label, f"payment_plan.costs[{i}].label")
                c.text(cost.reason, f"payment_plan.costs[{i}].reason")
                if cost.amount < 0:
                    c.fail(f"payment_plan.costs[{i}].amount", "ist negativ")
    elif plan is not None:
        c.fail("payment_plan", "nur beim Ratenzahlungsangebot (payment_plan_offer)")
    if letter.kind is LetterKind.COURT_NOTICE and letter.court_application_after is None:
        c.fail("court_application_after", "fehlt (Ankündigung des Mahnverfahrens)")
    if (
        letter.kind is LetterKind.ACKNOWLEDGEMENT_NOTICE
        and not letter.acknowledgement_notice.strip()
    ):
        c.fail("acknowledgement_notice", "fehlt (Hinweis nach § 13a Abs. 4 RDG)")


def _cost_key(code: str, label: str) -> str:
    return code or label


# ---------------------------------------------------------------------- template data

_PART_DE = {"cost": "Kosten", "interest": "Zinsen", "principal": "Hauptforderung"}
_COUNTRIES = {
    "AT": "ÖSTERREICH",
    "CH": "SCHWEIZ",
    "NL": "NIEDERLANDE",
    "BE": "BELGIEN",
    "LU": "LUXEMBURG",
    "FR": "FRANKREICH",
    "PL": "POLEN",
    "CZ": "TSCHECHIEN",
    "DK": "DÄNEMARK",
    "IT": "ITALIEN",
    "ES": "SPANIEN",
}


def de_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def country_line(country: str) -> str:
    """The last address line for mail abroad (DIN 5008: in capitals); empty for Germany."""
    if country == "DE":
        return ""
    return _COUNTRIES.get(country, country)


def _address(a: PostalAddress) -> dict[str, str]:
    return {
        "street": a.street,
        "postcode": a.postcode,
        "city": a.city,
        "country": country_line(a.country),
        "line": f"{a.street}, {a.postcode} {a.city}"
        + (f", {country_line(a.country)}" if a.country != "DE" else ""),
    }


def template_data(letter: LetterData, qr_svg: str) -> dict[str, Any]:
    """The JSON-ready data of one letter, every amount and date formatted in German."""
    e = format_eur
    st = letter.statement
    t = st.totals
    s = letter.sender
    auth = s.supervisory_authority
    reasons = {r.claim_id: r for r in letter.claim_reasons}
    cost_reasons = {r.key: r for r in letter.cost_reasons}
    claims = []
    for cl in st.claims:
        reason = reasons.get(cl.id)
        claims.append(
            {
                "id": cl.id,
                "label": cl.label,
                "principal": e(cl.principal),
                "default_from": de_date(cl.default_from) if cl.default_from else "",
                "terms": cl.interest_terms,
                "reason": _reason_text(reason) if reason else "",
                "periods": [
                    {
                        "from": de_date(p.start),
                        "to": de_date(p.end),
                        "days": str(p.days),
                        "basis": str(p.basis),
                        "rate": format_rate(p.rate),
                        "base": e(p.base),
                        "interest": e(p.interest),
                    }
                    for p in cl.periods
                ],
                "interest_accrued": e(cl.interest_accrued),
                "interest_paid": e(cl.interest_paid),
                "interest_open": e(cl.interest_open),
                "principal_open": e(cl.principal_open),
            }
        )
    costs = []
    for k in st.costs:
        why = cost_reasons.get(_cost_key(k.code, k.label))
        costs.append(
            {
                "date": de_date(k.date),
                "label": k.label,
                "amount": e(k.amount),
                "paid": e(k.paid),
                "open": e(k.open),
                "credited": e(k.credited) if k.credited else "",
                "kind": why.kind if why else "",
                "reason": why.reason if why else "",
            }
        )
    payments = [
        {
            "date": de_date(x.date),
            "amount": e(x.amount),
            "to_costs": e(x.to_costs),
            "to_interest": e(x.to_interest),
            "to_principal": e(x.to_principal),
            "unapplied": e(x.unapplied) if x.unapplied else "",
            "items": ", ".join(f"{_PART_DE[i.kind]} {i.target} {e(i.amount)}" for i in x.items)
            or "–",
        }
        for x in st.allocations
    ]
    transfer = transfer_of(letter)
    plan = letter.payment_plan
    return {
        "kind": str(letter.kind),
        "title": letter.kind.heading,
        "date": de_date(letter.date),
        "due_date": de_date(letter.due_date),
        "first_contact": letter.first_contact,
        "case_reference": letter.case_reference,
        "your_reference": letter.your_reference,
        "sender": {
            "name": s.name,
            "address": _address(s.address),
            "phone": s.phone,
            "email": s.email,
            "website": s.website,
            "registration": s.registration,
            "contact_person": s.contact_person,
            "commercial_register": s.commercial_register,
            "managing_directors": s.managing_directors,
            "authority": {
                "name": auth.name,
                "address": _address(auth.address),
                "email": auth.email,
                "website": auth.website,
                "phone": auth.phone,
            },
        },
        "recipient": {
            "name": letter.recipient.name,
            "extra_line": letter.recipient.extra_line,
            "salutation": letter.recipient.salutation or "Sehr geehrte Damen und Herren,",
            "address": _address(letter.recipient.address),
        },
        "creditor": {
            "name": letter.creditor.name,
            "address": _address(letter.creditor.address) if letter.creditor.address else None,
            "withheld_reason": letter.creditor.address_withheld_reason,
        },
        "statement": {
            "as_of": de_date(st.as_of),
            "day_count": st.day_count,
            "allocation": ALLOCATIONS[st.allocation].description
            if st.allocation in ALLOCATIONS
            else st.allocation,
            "claims": claims,
            "costs": costs,
            "payments": payments,
            "totals": {
                "principal_open": e(t.principal_open),
                "interest_open": e(t.interest_open),
                "costs_open": e(t.costs_open),
                "total_open": e(t.total_open),
                "credit": e(t.credit) if t.credit else "",
            },
        },
        "interest_claimed": any(cl.periods for cl in st.claims),
        "costs_claimed": bool(st.costs),
        "amount_due": e(letter.amount_due),
        "bank": {
            "holder": letter.bank.holder,
            "iban": format_iban(letter.bank.iban),
            "bic": transfer.bic,
            "bank_name": letter.bank.bank_name,
            "remittance": transfer.remittance,
        },
        "qr_svg": qr_svg,
        "portal": {"url": letter.portal.url, "access_code": letter.portal.access_code},
        "address_researched": letter.address_researched,
        "address_source": letter.address_source,
        "rate_above_statutory": letter.rate_above_statutory or bool(letter.rate_notices),
        "rate_reason": letter.rate_reason,
        "rate_notices": [n.text() for n in letter.rate_notices],
        "vat_claimed": letter.vat_claimed,
        "vat_statement": notices.VAT_STATEMENT,
        "credit_bureau": {"title": notices.CREDIT_BUREAU_TITLE, "text": notices.CREDIT_BUREAU_TEXT}
        if letter.credit_bureau_notice
        else None,
        "privacy": {"title": notices.PRIVACY_TITLE, "text": letter.privacy_notice}
        if letter.privacy_notice
        else None,
        "warnings": list(letter.warnings),
        "acknowledgement_notice": letter.acknowledgement_notice,
        "court_application_after": de_date(letter.court_application_after)
        if letter.court_application_after
        else "",
        "plan": _plan_data(plan) if plan else None,
    }


def _reason_text(reason: ClaimReason) -> str:
    if reason.text:
        return reason.text
    when = de_date(reason.date) if reason.date else ""
    if reason.kind == "tort":
        return f"{reason.subject} (Handlung vom {when})"
    if reason.kind == "invoice" or not when:
        return f"{reason.subject}" + (f" (Rechnung vom {when})" if when else "")
    return f"{reason.subject} (Vertrag vom {when})"


def _plan_data(plan: PaymentPlanOffer) -> dict[str, Any]:
    total_costs = sum((c.amount for c in plan.costs), ZERO)
    return {
        "instalments": str(plan.instalments),
        "instalment_amount": format_eur(plan.instalment_amount),
        "first_due": de_date(plan.first_due),
        "reply_by": de_date(plan.reply_by) if plan.reply_by else "",
        "costs": [
            {"label": c.label, "amount": format_eur(c.amount), "reason": c.reason}
            for c in plan.costs
        ],
        "costs_total": format_eur(total_costs),
        "has_costs": total_costs > 0,
        "interest_continues": plan.interest_continues,
    }
