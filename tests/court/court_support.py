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
    "land": "NI",
    "counter_performance": "rendered",
    "catalogue": {"nr": 43, "document": "Rechnung"},
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


# ------------------------------------------------------------- the court's stand-in


def court_file(
    satzart: str,
    messages: list[list[str]],
    *,
    framing: str = "stream",
    kennziffer: str = KENNZIFFER,
    edaid: str = "000001",
) -> bytes:
    """A reply file as the Mahngericht sends it: AA, the messages' records, BB with counts;
    ``framing`` ``stream`` (128-byte records) or ``crlf`` (126 characters + CR LF)."""
    from mahnwerk.court import aa, bb

    body = [r for m in messages for r in m]
    text = "".join(
        [
            aa.render(aa.FileHeader(kennziffer, date(2026, 3, 9), satzart, "4000", edaid)),
            *body,
            bb.render(bb.Trailer(kennziffer, applications=len(messages), records=len(body))),
        ]
    )
    data = text.encode("cp850")
    if framing == "crlf":
        data = b"".join(data[i : i + 126] + b"\r\n" for i in range(0, len(data), 128))
    return data


def msg_mb_issued(
    ref: str, gnr: str, day: date, *, fee: str = "38.00", fees: str = "93.00", flat: str = "18.60"
) -> list[str]:
    from mahnwerk.court import costs, satzart_03

    return [
        satzart_03.KS.render({"KEZI": KENNZIFFER, "GNR1": gnr, "ASGZ": ref, "ELD": day}),
        costs.LAYOUT_03.render(
            {"GERGEB": D(fee), "RAGEB": D(fees), "RAAUSL": D(flat), "ZUAUSL": D("0")}
        ),
        satzart_03.KS.key[:2] + "RM   00" + " " * 119,
    ]


def msg_service(ref: str, gnr: str, nam: int, day: date | None, reason: str = "") -> list[str]:
    from mahnwerk.court import satzart_05

    records = [
        satzart_05.KS.render({"KEZI": KENNZIFFER, "GNR": gnr, "ASGZ": ref, "NAM": nam, "ZUD": day})
    ]
    if reason:
        records.append(("05NZUG 01" + "1 " + reason).ljust(128))
    return records


def msg_widerspruch(ref: str, gnr: str, day: date) -> list[str]:
    from mahnwerk.court import satzart_18

    return [
        satzart_18.KS.render({"KEZI": KENNZIFFER, "GNR": gnr, "ASGZ": ref, "ASTRVM": ""}),
        satzart_18.WIPG.render(
            {"WIARTM": "1", "WIEFD": day, "PGM": 1, "PGPLZ": "80333", "PGO": "München"}
        ),
    ]


def msg_monierung(ref: str, gnr: str, day: date) -> list[str]:
    from mahnwerk.court import satzart_20

    return [
        satzart_20.KS.render(
            {"TKEZI": KENNZIFFER, "ASGZ": ref, "GNR1": gnr, "MOD": day, "MOBELART": "01"}
        ),
        satzart_20.MO.render({"FSCHL": "217", "FELDN": "AGPLZ", "INHALT": "80331"}),
    ]


def msg_vb_issued(ref: str, gnr: str, day: date, *, fees: str = "46.50") -> list[str]:
    from mahnwerk.court import costs, satzart_22

    return [
        satzart_22.KS.render({"KEZI": KENNZIFFER, "GNR1": gnr, "ASGZ": ref, "ELD": day}),
        costs.LAYOUT_22.render({"RAGEB": D(fees), "GERGEB": D("0")}),
    ]


def msg_abgabe(ref: str, gnr: str, day: date) -> list[str]:
    from mahnwerk.court import satzart_16

    return [
        satzart_16.KS.render(
            {"GNR": gnr, "ASGZ": ref, "ABD": day, "PGM": 1, "PGPLZ": "80333", "PGO": "München"}
        )
    ]


def msg_receipt(text: str) -> list[str]:
    from mahnwerk.court import satzart_90

    return [satzart_90.QU.render({"TEXT": text})]
