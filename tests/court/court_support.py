"""Helpers of the court tests: a creditor with the data a Mahnantrag needs, cases ready for
court (importable as ``court_support``; tests/court is on the pytest pythonpath)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from mahnwerk.bootstrap import Runtime
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Payment

HANDED_OVER = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KENNZIFFER = "07774512"

COURT_SETTINGS: dict[str, Any] = {
    "legal_form": "GmbH",
    "representatives": [{"function": "Geschäftsführer", "name": "Dr. Hanna Berg"}],
    "street": "Am Sande 4",
    "postcode": "21335",
    "city": "Lüneburg",
    "counter_performance": "rendered",
    "catalogue": {"nr": 42, "document": "Rechnung"},
}


def make_creditor(sessions, name: str = "Stadtwerke Nord GmbH", court: Any = "default") -> int:
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, name)
        creditor.settings = {
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {"holder": "Inkasso Nord GmbH", "iban": "DE89370400440532013000"},
        }
        if court is not None:
            creditor.settings["court"] = dict(COURT_SETTINGS if court == "default" else court)
        s.flush()
        return creditor.id


def make_case(
    sessions,
    creditor_id: int,
    ref: str = "K-1",
    *,
    claims: tuple[tuple[str, str, date], ...] = (("R-1", "1250.00", date(2025, 11, 15)),),
    payments: tuple[tuple[date, str], ...] = (),
    handed_over: datetime = HANDED_OVER,
    label: str = "Stromlieferung, Jahresabrechnung 2025",
    **debtor_kw: Any,
) -> int:
    person: dict[str, Any] = dict(
        kind="natural",
        consumer=True,
        first_name="Jürgen",
        last_name="Müller",
        birth_date=date(1980, 5, 17),
        street="Hauptstraße 5",
        postcode="80331",
        city="München",
        email=None,
        phone=None,
    )
    person.update(debtor_kw)
    with transaction(sessions) as s:
        items = tuple(
            cases.ClaimInput(
                invoice_no=no,
                amount=D(amount),
                default_from=due + timedelta(days=1),
                invoice_date=due - timedelta(days=14),
                due_date=due,
                label=label,
            )
            for no, amount, due in claims
        )
        case = cases.create_case(
            s, CLI, creditor_id, cases.CaseInput(ref, cases.DebtorInput(**person), items)
        )
        case.created_at = handed_over
        for day, amount in payments:
            case.payments.append(
                Payment(
                    date=day,
                    amount=D(amount),
                    source="bank",
                    reference="Abschlag",
                    reversed=False,
                    created_at=handed_over,
                )
            )
        s.flush()
        return case.id


def case_ref(sessions, case_id: int) -> str:
    with sessions() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.reference


def with_settings(runtime: Runtime, **kw: Any) -> Runtime:
    return replace(runtime, settings=replace(runtime.settings, **kw))
