"""Deterministic example letters with realistic German data, for tests, benchmarks and
previews. Names and addresses are invented; the IBANs are the standard test IBANs.

>>> example_letter(3).case_reference
'K-2026-000003'
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from mahnwerk.documents.letters import (
    Agency,
    BankAccount,
    ClaimReason,
    CostReason,
    Creditor,
    LetterData,
    LetterKind,
    PaymentPlanOffer,
    PlanCost,
    PortalAccess,
    PostalAddress,
    Recipient,
)
from mahnwerk.domain import notices
from mahnwerk.domain.base_rate import BaseRateTable
from mahnwerk.domain.fees import agency_fee
from mahnwerk.domain.interest import FixedInterest, StatutoryInterest, compare_with_statutory
from mahnwerk.domain.ledger import Case, Claim, Cost, Payment, compute_statement
from mahnwerk.domain.money import format_eur, format_rate

AGENCY = Agency(
    name="Inkasso Nord GmbH",
    address=PostalAddress("Ballindamm 17", "20095", "Hamburg"),
    phone="040 123456-0",
    email="service@inkasso-nord.example",
    registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    contact_person="Frau Petersen",
    website="www.inkasso-nord.example",
    commercial_register="Amtsgericht Hamburg HRB 123456",
    managing_directors="Jens Albers",
)
BANK = BankAccount(
    holder="Inkasso Nord GmbH",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    bank_name="Commerzbank",
)
CREDITORS = (
    Creditor("Stadtwerke Lüneburg GmbH", PostalAddress("Am Sande 4", "21335", "Lüneburg")),
    Creditor(
        "Möbelhaus Krüger & Söhne KG", PostalAddress("Industriestraße 9", "24539", "Neumünster")
    ),
    Creditor("FitLife Studios GmbH", PostalAddress("Jungfernstieg 30", "20354", "Hamburg")),
)
SUBJECTS = (
    ("Stromlieferung, Jahresabrechnung", "Rechnung"),
    ("Kauf einer Polstergarnitur „Oslo“", "Kaufvertrag"),
    ("Mitgliedschaft Fitnessstudio, Beiträge", "Mitgliedsvertrag"),
)
FIRST = ("Jürgen", "Özlem", "Małgorzata", "Anna-Lena", "Björn", "Ingrid", "Hans-Peter", "Zoë")
LAST = ("Müßig", "Schäfer", "Kowalski", "Öztürk", "Weiß", "von der Heide", "Nguyen", "Brandt")
STREETS = ("Lindenstraße", "Am Mühlenteich", "Hauptstraße", "Schloßallee", "Rosenweg")
CITIES = (
    ("10115", "Berlin"),
    ("50667", "Köln"),
    ("80331", "München"),
    ("01067", "Dresden"),
    ("28195", "Bremen"),
)
KINDS = tuple(LetterKind)
FIRST_KINDS = (LetterKind.REMINDER, LetterKind.DUNNING_1)
PRIVACY_URL = "https://portal.inkasso-nord.example/datenschutz"


def _privacy(creditor: str) -> str:
    return notices.privacy_short_notice(
        agency=AGENCY.name,
        agency_address=AGENCY.address.street
        + ", "
        + AGENCY.address.postcode
        + " "
        + AGENCY.address.city,
        agency_email=AGENCY.email,
        creditor=creditor,
        address_researched=False,
        full_notice_url=PRIVACY_URL,
    )


def _rate_notices(claims: list[Claim], on: date) -> tuple[notices.RateNotice, ...]:
    """§ 13a Abs. 1 Nr. 4 RDG for the example claims (consumers) above the statutory rate."""
    out = []
    for claim in claims:
        own, statutory = compare_with_statutory(
            claim.interest, on, consumer=True, base_rates=BaseRateTable.official()
        )
        if own > statutory:
            out.append(
                notices.RateNotice(
                    claim.id,
                    format_rate(own),
                    format_rate(statutory),
                    notices.rate_reason(claim.label, ""),
                )
            )
    return tuple(out)


def example_letter(i: int = 0, kind: LetterKind | None = None) -> LetterData:
    """Letter number ``i`` of an endless deterministic series (kinds rotate)."""
    kind = kind or KINDS[i % len(KINDS)]
    letter_date = date(2026, 3, 2) + timedelta(days=i % 20)
    creditor = CREDITORS[i % len(CREDITORS)]
    subject, contract = SUBJECTS[i % len(SUBJECTS)]
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    postcode, city = CITIES[i % len(CITIES)]
    principal = Decimal(180 + (i * 37) % 2400) + Decimal((i * 13) % 100) / 100
    start = date(2025, 1, 15) + timedelta(days=(i * 11) % 200)
    claims = [Claim("R-1", principal, start, StatutoryInterest(), label=f"{contract} {4711 + i}")]
    if i % 3 == 1:
        claims.append(
            Claim(
                "R-2",
                Decimal("89.90"),
                start + timedelta(days=31),
                FixedInterest(Decimal("9.5")) if i % 2 else StatutoryInterest(),
                label=f"Rechnung {5811 + i}",
            )
        )
    # the agency fee as the law allows it for an undisputed claim: 0.5 in the simple case
    # (VV 2300 Anm. Abs. 2 RVG, § 13e RDG), with VV 7002, on the principal at the mandate
    mandate = start + timedelta(days=45)
    fee = agency_fee(principal, mandate, factor=Decimal("0.5"))
    costs = [
        Cost(start + timedelta(days=20), "Mahngebühr Gläubiger", Decimal("5.00"), "MG"),
        Cost(mandate, "Inkassovergütung", fee.net, "INK"),
    ]
    payments = [Payment(start + timedelta(days=90), Decimal("50.00"))] if i % 2 == 0 else []
    case = Case(consumer=True, claims=tuple(claims), costs=tuple(costs), payments=tuple(payments))
    statement = compute_statement(case, letter_date)
    plan = None
    if kind is LetterKind.PAYMENT_PLAN_OFFER:
        plan = PaymentPlanOffer(
            instalments=6,
            instalment_amount=Decimal("75.00"),
            first_due=letter_date + timedelta(days=28),
            costs=(
                PlanCost(
                    "Einigungsgebühr",
                    Decimal("43.40"),
                    "Nr. 1000 VV RVG für den Abschluss der Ratenzahlungsvereinbarung",
                ),
            ),
            reply_by=letter_date + timedelta(days=14),
        )
    return LetterData(
        kind=kind,
        date=letter_date,
        sender=AGENCY,
        recipient=Recipient(
            name=f"{first} {last}",
            address=PostalAddress(f"{STREETS[i % len(STREETS)]} {1 + i % 120}", postcode, city),
            salutation="Guten Tag " + f"{first} {last},",
        ),
        case_reference=f"K-2026-{i:06d}",
        your_reference=f"KD-{90000 + i}",
        creditor=creditor,
        statement=statement,
        bank=BANK,
        portal=PortalAccess("https://portal.inkasso-nord.example", f"NQ7{i:05d}X"),
        due_date=letter_date + timedelta(days=14),
        claim_reasons=tuple(
            ClaimReason(c.id, f"{subject} ({c.label})", start - timedelta(days=60 - 31 * n))
            for n, c in enumerate(claims)
        ),
        cost_reasons=(
            CostReason(
                "MG", "Mahnkosten des Gläubigers", "eigene Mahnung des Gläubigers nach Verzug"
            ),
            CostReason(
                "INK",
                "Inkassovergütung, 0,5 Geschäftsgebühr Nr. 2300 VV RVG zzgl. Auslagen",
                "Beauftragung unseres Unternehmens mit dem Forderungseinzug",
            ),
        ),
        rate_notices=_rate_notices(claims, letter_date),
        privacy_notice=_privacy(creditor.name) if kind in FIRST_KINDS else "",
        privacy_url=PRIVACY_URL if kind in FIRST_KINDS else "",
        first_contact=kind in FIRST_KINDS,
        address_researched=i % 4 == 3,
        address_source="Auskunft aus dem Melderegister" if i % 4 == 3 else "",
        vat_claimed=i % 5 == 0,
        payment_plan=plan,
        court_application_after=letter_date + timedelta(days=21)
        if kind is LetterKind.COURT_NOTICE
        else None,
        acknowledgement_notice=notices.acknowledgement_notice(
            [f"Hauptforderung {c.id}: {format_eur(c.principal)}" for c in claims]
        )
        if kind is LetterKind.ACKNOWLEDGEMENT_NOTICE
        else "",
    )


def first_contact_letter(i: int = 0) -> LetterData:
    """A first demand (reminder) with every § 13a notice switched on."""
    letter = example_letter(i, LetterKind.REMINDER)
    return replace(
        letter,
        first_contact=True,
        address_researched=True,
        address_source="Auskunft aus dem Melderegister",
        vat_claimed=True,
        rate_above_statutory=True,
        rate_reason="vertraglich vereinbarter Zinssatz nach Nr. 7 der Kreditbedingungen",
    )
