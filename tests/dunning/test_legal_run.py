"""Issue 17 through the daily run on SQLite and PostgreSQL: default by the first reminder and
no fee for it, the agency fee on claims in default at the hand-over, the § 288 Abs. 5 flat
fee per claim credited against it, no letter while a base rate is unknown (and the operator's
command that fixes it), the credit-bureau notice recorded only when the sent document holds
it, the first contact's § 13a items (Nr. 2, 4, 6) and the Art. 14 notice in letters and
e-mails, a plan with an acknowledgement only after the § 13a Abs. 4 notice."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mahnwerk.domain import statement_json
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.admin.reference_data import add_base_rate
from mahnwerk.services.cases import statement
from mahnwerk.services.dunning.letters import PayloadLetterRenderer
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.portfolio.importing import import_file
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent, Document
from mahnwerk.store.workflow import CaseStrategy, OutboxMessage

BERLIN = ZoneInfo("Europe/Berlin")
HANDED = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
SETTINGS = {
    "address": "Am Sande 4, 21335 Lüneburg",
    "payment_account": {
        "holder": "Inkasso Nord GmbH",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
    },
}


def run(runtime, day, hour=10):
    return run_day(runtime, day, now=datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN))


def new_case(sessions, *claims, consumer=True, email=None, ref="K-1"):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = SETTINGS
        debtor = cases.DebtorInput(
            kind="natural" if consumer else "legal",
            consumer=consumer,
            first_name="Jürgen" if consumer else None,
            last_name="Müller" if consumer else None,
            company=None if consumer else "Bau GmbH",
            street="Hauptstraße 5",
            postcode="80331",
            city="München",
            email=email,
        )
        case = cases.create_case(s, CLI, creditor.id, cases.CaseInput(ref, debtor, claims))
        case.created_at = HANDED
        return case.id


def claim(no="R-1", amount="1000.00", default_from=date(2026, 1, 16), **kw):
    return cases.ClaimInput(
        invoice_no=no,
        amount=D(amount),
        default_from=default_from,
        invoice_date=date(2025, 12, 15),
        due_date=date(2026, 1, 15),
        label="Stromlieferung",
        **kw,
    )


def costs_of(sessions, case_id):
    with sessions() as s:
        return [(c.code, c.amount, c.claim_id) for c in s.get(Case, case_id).costs]


def pdf_text(runtime, doc: Document) -> str:
    pdf = (runtime.settings.documents_dir / doc.path).read_bytes()
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


# ------------------------------------------------------------------ § 286 BGB and the fees


def test_the_first_reminder_puts_the_claim_in_default_and_is_not_charged(runtime, sessions):
    case_id = new_case(sessions, claim(default_from=None))
    summary = run(runtime, date(2026, 3, 2))
    assert dict(summary.delivered) == {"letter": 1}
    with sessions() as s:
        case = s.get(Case, case_id)
        (r1,) = case.claims
        # letter of 02.03.2026, taken to arrive 06.03. (4 days): interest from 07.03.2026
        assert r1.default_from == date(2026, 3, 7)
        assert "Mahnung vom 02.03.2026" in r1.default_ground
        assert case.costs == []  # no agency fee: nothing was in default at the hand-over
        events = [e.data for e in case.events if e.kind == "claim.default"]
        assert events == [
            {"claim": "R-1", "default_from": "2026-03-07", "outbox_id": events[0]["outbox_id"]}
        ]
        # the letter showed no interest: the claim was not in default when it was written
        (msg,) = s.scalars(select(OutboxMessage)).all()
        planned = statement_json.load(msg.payload["statement"])
        assert planned.claims[0].default_from is None
        assert planned.claims[0].periods == ()
        # from the next day on interest runs: 07.03.–31.03.2026 = 25 days at 6.27 %
        later = statement(case, date(2026, 3, 31))
        assert later.claims[0].interest_accrued == D("4.29")  # 1000 × 6.27 % × 25/365 = 4.294…


def test_the_agency_fee_counts_only_the_claims_in_default_at_the_hand_over(runtime, sessions):
    case_id = new_case(sessions, claim(), claim("R-2", "250.00", default_from=None))
    run(runtime, date(2026, 3, 2))
    # 0.5 × 93.00 (1.0 fee for 1,000.00, RVG 2025) = 46.50; VV 7002 20 % = 9.30
    assert costs_of(sessions, case_id) == [
        ("VV 2300", D("46.50"), None),
        ("VV 7002", D("9.30"), None),
    ]


def test_a_business_pays_the_flat_fee_of_288_5_per_claim_credited_against_the_agency_fee(
    runtime, sessions
):
    case_id = new_case(sessions, claim(amount="1250.00"), consumer=False)
    run(runtime, date(2026, 3, 2))
    with sessions() as s:
        claim_id = s.get(Case, case_id).claims[0].id
    # 0.5 × 134.50 = 67.25, VV 7002 13.45, and 40.00 for the claim R-1
    assert costs_of(sessions, case_id) == [
        ("VV 2300", D("67.25"), None),
        ("VV 7002", D("13.45"), None),
        ("§ 288 Abs. 5", D("40.00"), claim_id),
    ]
    with sessions() as s:
        st = statement(s.get(Case, case_id), date(2026, 3, 2))
    # § 288 Abs. 5 S. 3: the 40.00 are credited against the Geschäftsgebühr charged with them
    assert [(c.code, c.credited, c.open) for c in st.costs] == [
        ("VV 2300", D("40.00"), D("27.25")),
        ("VV 7002", D("0.00"), D("13.45")),
        ("§ 288 Abs. 5", D("0.00"), D("40.00")),
    ]
    assert st.totals.costs_open == D("80.70")  # what the agency fee alone costs
    # the next step charges the flat fee no second time
    run(runtime, date(2026, 3, 16))
    assert [c for c in costs_of(sessions, case_id) if c[0] == "§ 288 Abs. 5"] == [
        ("§ 288 Abs. 5", D("40.00"), claim_id)
    ]


# ------------------------------------------------------------------ base rate


def test_no_letter_while_the_base_rate_is_unknown_until_the_operator_adds_it(runtime, sessions):
    case_id = new_case(sessions, claim())
    held = run(runtime, date(2027, 1, 4))
    assert sum(held.actions.values()) == 0 and not held.delivered
    ((reason, n),) = held.held.items()
    assert n == 1 and "Basiszinssatz für das Halbjahr ab 01.01.2027 unbekannt" in reason
    assert "mahnwerk reference base-rate add 2027-01-01 <Satz> --source <URL>" in reason
    assert "zurückgehalten (1 Fälle): Nachricht zurückgehalten" in held.german()
    with transaction(sessions) as s:
        add_base_rate(s, CLI, date(2027, 1, 1), "1.27", "https://www.bundesbank.de/basiszins")
    sent = run(runtime, date(2027, 1, 5))
    assert dict(sent.delivered) == {"letter": 1} and not sent.held
    with sessions() as s:
        (msg,) = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
        # the statement names the UNVERIFIED half-year it used (1.52 % from 01.07.2026)
        warnings = statement_json.load(msg.payload["statement"]).warnings
        assert any("01.07.2026 (1,52 %)" in w for w in warnings)


# ------------------------------------------------------------------ § 31 Abs. 2 Nr. 4 BDSG


@pytest.mark.parametrize("real", [True, False])
def test_the_credit_bureau_notice_is_recorded_only_when_the_sent_letter_contains_it(
    runtime, sessions, channels_of, real
):
    rt = channels_of(runtime, letters=PayloadLetterRenderer()) if real else runtime
    case_id = new_case(sessions, claim())
    run(rt, date(2026, 3, 2))  # reminder
    run(rt, date(2026, 3, 16))  # dunning_1: the step sets credit_bureau_notice
    with sessions() as s:
        state = s.get(CaseStrategy, case_id)
        docs = s.scalars(select(Document).where(Document.case_id == case_id)).all()
        assert [d.filename.split("-", 1)[1] for d in docs] == ["reminder.pdf", "dunning_1.pdf"]
    if real:
        assert "Hinweis auf eine mögliche Meldung an eine Auskunftei" in pdf_text(rt, docs[1])
        assert state.bureau_notice_on == date(2026, 3, 16)
    else:  # the stand-in renderer's file holds no such notice: nothing is recorded
        assert state.bureau_notice_on is None


# ------------------------------------------------------------------ first contact


def test_a_first_contact_letter_from_an_imported_case_carries_13a_and_the_privacy_notice(
    runtime, sessions, channels_of, tmp_path
):
    rt = channels_of(runtime, letters=PayloadLetterRenderer())
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = SETTINGS
        cid = creditor.id
    path = tmp_path / "bestand.csv"
    path.write_text(
        "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Mahnung vom;Betrag;Nachname;"
        "Vorname;Straße;PLZ;Ort;Vertragsgegenstand;Vertragsdatum\n"
        "K-9;R-9;15.12.2025;15.01.2026;20.01.2026;1.250,00;Müller;Jürgen;Hauptstraße 5;80331;"
        "München;Stromliefervertrag Tarif Basis;01.03.2023\n",
        encoding="utf-8",
    )
    assert import_file(sessions, CLI, path, cid).ok
    with transaction(sessions) as s:
        case = s.scalar(select(Case).where(Case.external_ref == "K-9"))
        case.created_at = HANDED
        case_id = case.id
    assert dict(run(rt, date(2026, 3, 2)).delivered) == {"letter": 1}
    with sessions() as s:
        (doc,) = s.scalars(select(Document).where(Document.case_id == case_id)).all()
    text = pdf_text(rt, doc)
    for item in [
        "Informationen nach § 13a Abs. 1 RDG",
        "Stadtwerke Nord GmbH, Am Sande 4, 21335 Lüneburg",  # Nr. 1
        # Nr. 2: the contract with its date, and the invoice
        "Stromliefervertrag Tarif Basis (Vertrag vom 01.03.2023; Rechnung R-9 vom 15.12.2025)",
        # Nr. 3: the reminder of 20.01. arrived 24.01., interest from 25.01.2026 at 6.27 %
        "25.01.2026 02.03.2026 37/365 6,27 % 1.250,00 €",
        "Zinssatz über dem gesetzlichen Verzugszins: nein.",  # Nr. 4
        "Umsatzsteuer: Es wird keine Umsatzsteuer geltend gemacht.",  # Nr. 6
        "Zuständige Aufsichtsbehörde: Bundesamt für Justiz",  # Nr. 8
        "Datenschutzhinweis (Art. 14 DSGVO)",
        "Verantwortlich für die Verarbeitung Ihrer Daten ist Inkasso Nord GmbH",
        "http://127.0.0.1:8000/datenschutz",
    ]:
        assert item in text, item
    assert "Musterstraße" not in text


def test_nr_4_where_the_contract_rate_is_above_the_statute_in_letter_and_email(
    runtime, sessions, channels_of, smtp_server, email_sender
):
    rate = dict(
        interest_kind="fixed",
        interest_value=D("9.5"),
        contract_subject="Ratenkauf einer Küche",
        contract_date=date(2025, 6, 1),
    )
    letter_case = new_case(sessions, claim(**rate), ref="K-L")
    mail_case = new_case(sessions, claim(**rate), ref="K-M", email="j.mueller@example.org")
    rt = channels_of(runtime, letters=PayloadLetterRenderer(), email=email_sender)
    assert dict(run(rt, date(2026, 3, 2)).delivered) == {"letter": 1, "email": 1}
    notice = (
        "Für die Forderung R-1 verlangen wir Zinsen von 9,50 % und damit mehr als den "
        "gesetzlichen Verzugszinssatz von 6,27 % (§ 288 BGB). Grund: im Vertrag (Ratenkauf "
        "einer Küche) vom 01.06.2025 vereinbarter Zinssatz."
    )
    with sessions() as s:
        (doc,) = s.scalars(select(Document).where(Document.case_id == letter_case)).all()
        assert s.get(Case, mail_case) is not None
    text = pdf_text(rt, doc)
    assert "Gesonderter Hinweis zum Zinssatz (§ 13a Abs. 1 Nr. 4 RDG)" in text
    assert notice in text
    (mail,) = smtp_server.messages()
    body = " ".join(mail.get_body(preferencelist=("plain",)).get_content().split())
    for item in [
        "Zinssatz über dem gesetzlichen Verzugszins (Nr. 4): ja, siehe gesonderten Hinweis.",
        "Gesonderter Hinweis zum Zinssatz (§ 13a Abs. 1 Nr. 4 RDG): " + notice,
        "Umsatzsteuer (Nr. 6): Mit den Inkassokosten wird keine Umsatzsteuer geltend gemacht.",
        "Datenschutzhinweis (Art. 14 DSGVO): Verantwortlich für die Verarbeitung",
        "http://127.0.0.1:8000/datenschutz",
        "Ratenkauf einer Küche (Vertrag vom 01.06.2025; Rechnung R-1 vom 15.12.2025)",
    ]:
        assert item in body, item


def test_the_first_contact_check_covers_nr_4_nr_6_and_the_privacy_notice():
    from mahnwerk.channels.texts import first_contact_gaps
    from mahnwerk.domain import ledger

    vat = ledger.Cost(date(2026, 3, 2), "USt", D("3.84"), "VV 7008")
    st = ledger.compute_statement(
        ledger.Case(False, (ledger.Claim("R-1", D("100.00"), None),), costs=(vat,)),
        date(2026, 3, 2),
    )
    payload = {
        "creditor": {"name": "S", "address": "Am Sande 4, 21335 Lüneburg"},
        "claims": [{"invoice_no": "R-1", "reason": "Strom (Rechnung R-1 vom 15.12.2025)"}],
        "rate_notices": [{"claim": "R-1", "reason": ""}],
        "authority": {"name": "BfJ", "address": "Bonn"},
        "statement": statement_json.dump(st),
    }
    assert first_contact_gaps(payload) == [
        "Grund des erhöhten Zinssatzes von R-1 (Nr. 4)",
        "Erklärung zur Umsatzsteuer (Nr. 6)",
        "Datenschutzhinweis mit Link (Art. 14 DSGVO)",
    ]
    # without the statement as planned, nothing of Nr. 3 to 5 can be shown
    assert first_contact_gaps({**payload, "statement": None})[0] == (
        "Forderungsaufstellung (Nr. 3 bis 5)"
    )


# ------------------------------------------------------------------ § 13a Abs. 4 RDG


def test_a_plan_with_an_acknowledgement_only_after_the_notice_went_out(
    runtime, sessions, channels_of, smtp_server, email_sender
):
    rt = channels_of(runtime, email=email_sender)
    case_id = new_case(sessions, claim(), email="j.mueller@example.org")
    plan = dict(amount=D("100.00"), start=date(2026, 4, 1), count=10, acknowledgement=True)
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match=r"§ 13a Abs\. 4"):
        workflow.add_plan(s, CLI, case_id, **plan)
    with transaction(sessions) as s:
        msg = workflow.send_acknowledgement_notice(s, CLI, case_id, rt, today=date(2026, 3, 3))
        assert (msg.channel, msg.template) == ("email", "acknowledgement_notice")
    with transaction(sessions) as s, pytest.raises(workflow.WorkflowError, match=r"§ 13a Abs\. 4"):
        workflow.add_plan(s, CLI, case_id, **plan)  # queued, not yet sent
    run(rt, date(2026, 3, 3))
    (mail,) = [m for m in smtp_server.messages() if "Schuldanerkenntnis" in m["Subject"]]
    body = " ".join(mail.get_body(preferencelist=("plain",)).get_content().split())
    assert "Hinweis zum Schuldanerkenntnis (§ 13a Abs. 4 RDG):" in body
    for words in (
        "nicht besteht",
        "bezahlt (erfüllt)",
        "verjährt",
        "Hauptforderung R-1: 1.000,00 €",
    ):
        assert words in body, words
    with transaction(sessions) as s:
        agreed = workflow.add_plan(s, CLI, case_id, **plan)
        assert agreed.acknowledgement
    with sessions() as s:
        kinds = [e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))]
        assert "acknowledgement.notice" in kinds and "plan.agreed" in kinds


def test_a_business_plan_with_an_acknowledgement_needs_no_notice(sessions):
    case_id = new_case(sessions, claim(), consumer=False)
    with transaction(sessions) as s:
        plan = workflow.add_plan(
            s, CLI, case_id, amount=D("100"), start=date(2026, 4, 1), count=3, acknowledgement=True
        )
        assert plan.acknowledgement


def test_delivery_refuses_a_message_whose_sender_is_incomplete():
    # the planning holds such messages back; a message planned before the settings changed
    # is refused at sending as incomplete (parked, no fee), naming what is missing
    from mahnwerk.channels.base import DeliveryError, Failure
    from mahnwerk.services.dunning.deliver import refuse_without_sender

    agency = {
        "name": "Inkasso Nord GmbH",
        "address": "Ballindamm 17, 20095 Hamburg",
        "registration": "Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
        "email": "service@inkasso-nord.example",
    }
    refuse_without_sender({"agency": agency})  # complete: nothing to say
    with pytest.raises(DeliveryError) as refused:
        refuse_without_sender({"agency": {**agency, "address": "Hamburg", "registration": ""}})
    assert refused.value.failure is Failure.INCOMPLETE
    assert "MAHNWERK_AGENCY_ADDRESS" in str(refused.value)
    assert "MAHNWERK_AGENCY_REGISTRATION" in str(refused.value)


def test_the_privacy_notice_is_rendered_from_the_message_or_taken_as_stored():
    from mahnwerk.channels.texts import privacy_notice

    payload = {
        "agency": {"name": "Inkasso Nord GmbH", "address": "Ballindamm 17, 20095 Hamburg"},
        "creditor": {"name": "Stadtwerke Nord GmbH"},
        "debtor": {"address_researched": True},
        "privacy": {"url": "https://inkasso.example/datenschutz"},
    }
    text = privacy_notice(payload)
    assert text.startswith("Verantwortlich für die Verarbeitung Ihrer Daten ist Inkasso Nord")
    assert "von unserem Auftraggeber Stadtwerke Nord GmbH, Ihre Anschrift aus einer" in text
    assert text.endswith("https://inkasso.example/datenschutz")
    # a message queued before the text was rendered carries it: that text is shown
    assert privacy_notice({**payload, "privacy": {"url": "u", "text": "alt"}}) == "alt"
    assert privacy_notice({**payload, "privacy": None}) == ""
