"""Helpers of the assistant tests: a creditor's settings and a case with a claim, a cost
and a payment, so that every part of the statement shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.store.db import transaction

IBAN = "DE89370400440532013000"
CREDITOR_SETTINGS = {
    "address": "Am Sande 4, 21335 Lüneburg",
    "payment_account": {"holder": "Inkasso Nord GmbH", "iban": IBAN, "bic": "COBADEFFXXX"},
    "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
}
#: a Monday; the next Friday is 2026-01-16
TODAY = date(2026, 1, 12)


def make_case(sessions, creditor_id, ref="K-1", *, amount="1250.00", first_name="Jürgen"):
    with transaction(sessions) as s:
        data = cases.CaseInput(
            ref,
            cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name=first_name,
                last_name="Müller",
                birth_date=date(1980, 5, 17),
                street="Hauptstraße 5",
                postcode="80331",
                city="München",
            ),
            (
                cases.ClaimInput(
                    invoice_no=f"R-{ref}",
                    amount=D(amount),
                    default_from=date(2025, 10, 16),
                    invoice_date=date(2025, 9, 15),
                    label="Stromlieferung, Jahresabrechnung 2025",
                ),
            ),
            costs=((date(2025, 11, 1), "Mahngebühr des Gläubigers", D("5.00")),),
        )
        case = cases.create_case(s, CLI, creditor_id, data)
        cases.record_payment(
            s, CLI, case, day=date(2025, 12, 1), amount=D("100.00"), source="bank", reference="x"
        )
        return case.id
