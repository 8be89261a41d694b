"""An outbox full of due messages for delivery tests and the delivery benchmark: ``cases``
real cases (debtor with address, e-mail and mobile; creditor with address and account),
each with ``per_case`` pending messages whose payload is composed by the daily run's own
``message_payload`` (so a real letter renders from it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.compose import message_payload
from mahnwerk.store.db import transaction
from mahnwerk.store.workflow import OutboxMessage

AGENCY_ENV = {
    "MAHNWERK_AGENCY_NAME": "Inkasso Nord GmbH",
    "MAHNWERK_AGENCY_ADDRESS": "Ballindamm 17, 20095 Hamburg",
    "MAHNWERK_AGENCY_EMAIL": "service@inkasso-nord.example",
    "MAHNWERK_AGENCY_REGISTRATION": "Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    "MAHNWERK_AGENCY_PHONE": "040 123456",
}


def channel_for(k: int, mix: tuple[int, int, int]) -> str:
    """The channel of the k-th message of a case: ``mix`` = letters, e-mails, SMS per 10."""
    letters, emails, _ = mix
    r = k % 10
    return "letter" if r < letters else "email" if r < letters + emails else "sms"


def fill_outbox(
    sessions: Any,
    settings: Any,
    *,
    cases_count: int,
    per_case: int,
    mix: tuple[int, int, int] = (6, 3, 1),
    day: date | None = None,
) -> dict[str, list[int]]:
    """Make the cases and their pending messages; returns the message ids per channel."""
    day = day or datetime.now(UTC).date()
    rows: list[dict[str, Any]] = []
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = {
            "address": "Am Sande 4, 21335 Lüneburg",
            "payment_account": {
                "holder": "Inkasso Nord GmbH",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
        }
        for i in range(cases_count):
            debtor = cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name="Jürgen",
                last_name=f"Müller{i:05d}",
                birth_date=date(1980, 5, 17),
                street=f"Hauptstraße {i + 1}",
                postcode="20095",
                city="Hamburg",
                email=f"j.mueller{i}@example.org",
                phone=f"0151 {2345000 + i}",
            )
            claim = cases.ClaimInput(
                invoice_no=f"R-{i}",
                amount=Decimal("1250.00") + i,
                default_from=date(2026, 1, 16),
                invoice_date=date(2025, 12, 15),
                due_date=date(2026, 1, 15),
                label="Stromlieferung, Jahresabrechnung 2025",
            )
            case = cases.create_case(
                s, CLI, creditor.id, cases.CaseInput(f"T-{i}", debtor, (claim,))
            )
            s.flush()
            st = cases.statement(case, day)
            for k in range(per_case):
                channel = channel_for(k, mix)
                payload = message_payload(
                    case,
                    creditor,
                    st,
                    settings,
                    day,
                    action_info={
                        "template": "dunning_1",
                        "stage": "dunning_1",
                        "channel": channel,
                        "first_contact": False,
                        "credit_bureau_notice": False,
                        "step": k,
                        "strategy": "test",
                        "strategy_version": 1,
                        "fees": [],
                    },
                )
                rows.append(
                    {
                        "case_id": case.id,
                        "run_date": day,
                        "step_index": k,
                        "stage": "dunning_1",
                        "channel": channel,
                        "template": "dunning_1",
                        "strategy_name": "test",
                        "strategy_version": 1,
                        "dedupe_key": f"test#{k}",
                        "first_contact": False,
                        "payload": payload,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": datetime.now(UTC),
                    }
                )
        for k in range(0, len(rows), 1000):
            s.execute(insert(OutboxMessage), rows[k : k + 1000])
    ids: dict[str, list[int]] = {"letter": [], "email": [], "sms": []}
    from sqlalchemy import select

    with sessions() as s:
        for message_id, channel in s.execute(select(OutboxMessage.id, OutboxMessage.channel)):
            ids[channel].append(message_id)
    return ids
